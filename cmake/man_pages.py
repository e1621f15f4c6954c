#!/usr/bin/env python3
"""Writes man pages and the bash completion for `veritee` and every sub-command from the CLI's
own --help text, so they never drift from it (one copy of the text: the flag definitions in
apps/veritee).

Usage: man_pages.py VERITEE_BINARY OUT_DIR [COMPLETION_FILE]
Writes OUT_DIR/veritee.1 and OUT_DIR/veritee-<command>.1 (sub-commands found in the top-level
help's "SUBCOMMANDS" section, CLI11's layout), each also as .1.gz (what is installed; gzip -9n) and, when given, COMPLETION_FILE (bash).
"""
import gzip
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


def flags(text):
    """The long and short flags of a --help text (the option lines, CLI11's layout)."""
    found = []
    for line in text.splitlines():
        m = re.match(r'^  (-[-\w,]+)', line)
        if m:
            found += [f for f in m.group(1).split(',') if f.startswith('-')]
    return found


COMPLETION = """# bash completion for veritee, generated from its --help (cmake/man_pages.py)
_veritee() {
  local cur=${COMP_WORDS[COMP_CWORD]} cmd= i
  for ((i = 1; i < COMP_CWORD; i++)); do
    case ${COMP_WORDS[i]} in -*) ;; *) cmd=${COMP_WORDS[i]}; break ;; esac
  done
  local words
  case $cmd in
%s
  esac
  if [[ $cur == -* || -z $cmd ]]; then
    COMPREPLY=($(compgen -W "$words" -- "$cur"))
  else
    COMPREPLY=($(compgen -f -- "$cur"))
  fi
}
complete -o filenames -F _veritee veritee
"""


def completion(top, commands, per_command):
    cases = [f"    '') words=\"{' '.join(commands + flags(top))}\" ;;"]
    for c in commands:
        cases.append(f"    {c}) words=\"{' '.join(flags(per_command[c]))}\" ;;")
    cases.append("    *) words= ;;")
    return COMPLETION % '\n'.join(cases)


def write(path, text):
    """The page and its reproducible gzip (no name, no time stamp), as Debian installs it."""
    path.write_text(text)
    with open(path.with_name(path.name + '.gz'), 'wb') as raw:
        with gzip.GzipFile(filename='', mode='wb', compresslevel=9, fileobj=raw, mtime=0) as z:
            z.write(text.encode())


def main():
    binary, out = sys.argv[1], pathlib.Path(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    version = subprocess.run([binary, '--version'], capture_output=True, text=True,
                             check=True).stdout.splitlines()[0].split()[-1]
    top = help_text(binary)
    commands = subcommands(top)
    if not commands:
        sys.exit('no sub-commands found in `veritee --help`')
    write(out / 'veritee.1', page('veritee', 'remote attestation verifier for '
                                        'confidential computing', top, version,
                                        [f'veritee-{c}' for c in commands]))
    texts = {}
    for c in commands:
        text = texts[c] = help_text(binary, c)
        first = next((l.strip() for l in text.splitlines() if l.strip()), c)
        write(out / f'veritee-{c}.1', page(f'veritee-{c}', first, text, version,
                                                 ['veritee']))
    if len(sys.argv) > 3:
        pathlib.Path(sys.argv[3]).write_text(completion(top, commands, texts))
    print(f'{len(commands) + 1} man pages in {out}')


if __name__ == '__main__':
    main()
