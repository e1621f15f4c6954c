#!/usr/bin/env python3
"""Writes apps/veritee/hot-sections.txt: the code sections `veritee verify` runs, for the CLI's
link to lay out together (apps/veritee/CMakeLists.txt; docs/performance.md, "CLI footprint").

Usage: scripts/hot-sections.py BUILD_DIR...

Runs the CLI of each BUILD_DIR under valgrind's callgrind on the bundled sample, the way the
README and the benchmark use it (with the chain as KDS serves it, with the pinned one, JSON,
with a policy), and lists every function of the executable that ran, the first run's first.
Each is written as the sections GCC may have put it in (-ffunction-sections: `.text.NAME`,
and the hot, startup and unlikely variants); constructors and destructors under both names,
because the symbol callgrind reports (C1/D1) is an alias of the one that names the section
(C2/D2).

Give it a unity build and a file-by-file one (VERITEE_UNITY_BUILD ON and OFF: scripts/ build
the first, bench/run the second), because the names GCC gives static initializers and local
clones differ between them. Run it again after changes to the verification path; `bench/run`
reports the footprint (`verify_rss_mib`). Needs valgrind.
"""
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "apps" / "veritee" / "hot-sections.txt"
SAMPLE = ROOT / "samples" / "turin-v5"
CHAIN = "cert_chain.pem"  # written into the temporary directory: ASK then ARK, as KDS serves it
RUNS = (
    ["verify", "--vcek", SAMPLE / "vcek.pem", "--chain", CHAIN, SAMPLE / "report.bin"],
    ["verify", "--vcek", SAMPLE / "vcek.pem", SAMPLE / "report.bin"],
    ["verify", "--json", "--vcek", SAMPLE / "vcek.pem", SAMPLE / "report.bin"],
    ["verify", "--vcek", SAMPLE / "vcek.pem", "--policy", ROOT / "examples" / "policy.toml",
     SAMPLE / "report.bin"],
)
PREFIXES = (".text.", ".text.hot.", ".text.startup.", ".text.unlikely.")
DEFINITION = re.compile(r"^(c?ob|c?fn)=\((\d+)\)(?: (.*))?$")


def functions_run(callgrind_out, exe):
    """The functions of `exe` in one callgrind profile (names are compressed: `fn=(7) NAME`
    defines 7, a later `fn=(7)` refers to it; objects likewise)."""
    objects, names, found, current = {}, {}, set(), None
    with open(callgrind_out, encoding="utf-8", errors="replace") as f:
        for line in f:
            m = DEFINITION.match(line.rstrip("\n"))
            if not m:
                continue
            kind, index, name = m.groups()
            table = objects if kind.endswith("ob") else names
            if name:
                table[index] = name
            if kind == "ob":
                current = objects[index]
            elif kind == "fn" and current == exe:
                found.add(names[index])
    return found


def write_turin_chain(path):
    """The Turin ASK and ARK, from the PEM the CLI pins (src/x509/amd_roots.inc)."""
    roots = (ROOT / "src" / "x509" / "amd_roots.inc").read_text()
    pems = [re.search(r'k%s = R"PEM\((.*?)\)PEM"' % name, roots, re.S) for name in ("TurinAsk", "TurinArk")]
    if not all(pems):
        sys.exit("hot-sections: no kTurinAsk/kTurinArk in src/x509/amd_roots.inc")
    path.write_text("".join(m.group(1).strip() + "\n" for m in pems))


def sections(function):
    # Symbols valgrind could not name ("0x..."), and its own labels, name no section.
    if function.startswith(("0x", "(")) or "'" in function:
        return []
    variants = [function]
    for alias, named in (("C1", "C2"), ("D1", "D2"), ("D0", "D2")):
        v = re.sub(alias + r"([EIB])", named + r"\1", function)
        if v not in variants:
            variants.append(v)
    return [prefix + v for v in variants for prefix in PREFIXES]


def main():
    if len(sys.argv) < 2 or sys.argv[1].startswith("-"):
        sys.exit(__doc__)
    clis = [(Path(b) / "apps" / "veritee" / "veritee").resolve() for b in sys.argv[1:]]
    for cli in clis:
        if not cli.is_file():
            sys.exit(f"hot-sections: no CLI at {cli} (build it first)")
    if not shutil.which("valgrind"):
        sys.exit("hot-sections: valgrind is needed (apt install valgrind)")
    # The first run's functions come first, then what each later run adds: a plain verify then
    # touches the fewest 64 KiB windows. Within a group, sorted, so that the file diffs well.
    found, lines = set(), []
    with tempfile.TemporaryDirectory() as tmp:
        write_turin_chain(Path(tmp) / CHAIN)
        for i, args in enumerate(RUNS):
            args = [Path(tmp) / a if a == CHAIN else a for a in args]
            added = set()
            for j, cli in enumerate(clis):
                profile = Path(tmp) / f"callgrind.{i}.{j}"
                r = subprocess.run(["valgrind", "--tool=callgrind", "--demangle=no",
                                    "--dump-instr=no", f"--callgrind-out-file={profile}",
                                    str(cli), *map(str, args)], capture_output=True, text=True)
                if r.returncode not in (0, 1, 5) or not profile.is_file():
                    sys.exit(f"hot-sections: {cli} {' '.join(map(str, args))} failed "
                             f"(exit {r.returncode}):\n" + r.stderr[-2000:])
                added |= functions_run(profile, str(cli)) - found
            found |= added
            lines += sorted({s for f in added for s in sections(f)} - set(lines))
    if not lines:
        sys.exit("hot-sections: callgrind named no function of the CLI (built without symbols?)")
    OUT.write_text("\n".join(lines) + "\n")
    print(f"hot-sections: {len(found)} functions, {len(lines)} section names -> {OUT}")


if __name__ == "__main__":
    main()
