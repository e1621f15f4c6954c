#!/usr/bin/env python3
"""Writes man pages for `veritee` and every sub-command from the CLI's own --help text, so the
pages never drift from it (one copy of the text: the flag definitions in apps/veritee).

Usage: man_pages.py VERITEE_BINARY OUT_DIR
Writes OUT_DIR/veritee.1 and OUT_DIR/veritee-<command>.1 (sub-commands found in the top-level
help's "SUBCOMMANDS" section, CLI11's layout).
"""
import pathlib
import re
import subprocess
import sys


def help_text(binary, *command):
    out = subprocess.run([binary, *command, '--help'], capture_output=True, text=True,
                         check=True, timeout=30)
    return out.stdout


def subcommands(text):
    names, inside = [], False
    for line in text.splitlines():
        if re.match(r'^[A-Za-z][A-Za-z ]*:\s*$', line):
            inside = line.strip().rstrip(':').upper() == 'SUBCOMMANDS'
            continue
        m = re.match(r'^  ([a-z][a-z0-9-]*)\b', line) if inside else None
        if m:
            names.append(m.group(1))
    return names


def escape(line):
    line = line.replace('\\', '\\e')
    return ('\\&' + line) if line.startswith(('.', "'")) else line


def page(name, summary, text, version, see_also):
    lines = [f'.TH {name.upper()} 1 "" "veritee {version}" "veritee manual"',
             '.SH NAME', f'{name} \\- {escape(summary)}', '.SH DESCRIPTION', '.nf']
    for line in text.rstrip().splitlines():
        if re.match(r'^[A-Z][A-Za-z ]*:\s*$', line):  # a CLI11 section: "OPTIONS:"
            lines += ['.fi', f'.SH {line.strip().rstrip(":").upper()}', '.nf']
        else:
            lines.append(escape(line))
    lines.append('.fi')
    if see_also:
        lines += ['.SH SEE ALSO', ', '.join(f'\\fB{s}\\fR(1)' for s in see_also)]
    return '\n'.join(lines) + '\n'


def main():
    binary, out = sys.argv[1], pathlib.Path(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    version = subprocess.run([binary, '--version'], capture_output=True, text=True,
                             check=True).stdout.split()[-1]
    top = help_text(binary)
    commands = subcommands(top)
    if not commands:
        sys.exit('no sub-commands found in `veritee --help`')
    (out / 'veritee.1').write_text(page('veritee', 'remote attestation verifier for '
                                        'confidential computing', top, version,
                                        [f'veritee-{c}' for c in commands]))
    for c in commands:
        text = help_text(binary, c)
        first = next((l.strip() for l in text.splitlines() if l.strip()), c)
        (out / f'veritee-{c}.1').write_text(page(f'veritee-{c}', first, text, version,
                                                 ['veritee']))
    print(f'{len(commands) + 1} man pages in {out}')


if __name__ == '__main__':
    main()
