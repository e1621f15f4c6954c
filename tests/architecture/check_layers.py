#!/usr/bin/env python3
"""The architecture rules a compiler does not enforce (docs/architecture.md):

1. Layer order. Every file under src/<layer>/ and include/veritee/<layer>/ includes headers of
   its own layer or of layers below it only:
       common < x509, redis < snp, tdx < verify < endorse, capi < guest < rats
   (redis, the hiredis client a verifier fleet shares state through, needs only common.)
   Inside rats, each role is its own library: ear < relying_party, service < attester.
   capi is the C ABI (include/veritee/veritee.h, libveritee.so) over the offline core.
2. Library code does not throw (errors are values: Result<T>); only apps/ may.
3. Exit codes are the CLI's: no `ExitCode` in public headers.

Prints every violation with file and line; exits 1 if there is any.
Usage: check_layers.py [SOURCE_DIR]
"""
import pathlib
import re
import sys

ROOT = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else pathlib.Path(__file__).parents[2])

RANK = {
    'common': 0, 'x509': 1, 'redis': 1, 'snp': 2, 'tdx': 2, 'verify': 3, 'endorse': 4, 'capi': 4, 'guest': 5,
    'rats/ear': 6, 'rats/relying_party': 7, 'rats/service': 7, 'rats/attester': 8,
}
# Layers a library may not include although they rank below it: a relying party that only
# checks a token must not pull in the network or the guest.
FORBIDDEN = {
    'rats/ear': {'endorse', 'guest', 'redis'},
    'rats/relying_party': {'endorse', 'guest', 'rats/service', 'redis'},
    'capi': {'redis'},
}
# Public rats headers by role (they share include/veritee/rats/, the namespace veritee::rats).
RATS_HEADERS = {
    'ear': ['attestation_result', 'clock', 'jwk', 'jws', 'nonce', 'signing_key', 'trust_vector'],
    'relying_party': ['result_check'],
    'service': ['appraiser', 'http_router', 'inspect', 'kds_metrics', 'metrics', 'policy_file', 'redis_nonces', 'service'],
    'attester': ['attest_client', 'http_client'],
}
RATS_ROLE = {h: role for role, hs in RATS_HEADERS.items() for h in hs}

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')


def layer_of_public(rel):
    """'veritee/snp/report.hpp' -> 'snp'; rats headers -> 'rats/<role>'."""
    parts = rel.split('/')
    if parts == ['veritee', 'veritee.h']:
        return 'capi'  # the C ABI's one header
    if len(parts) < 3 or parts[0] != 'veritee':
        return None
    if parts[1] == 'rats':
        role = RATS_ROLE.get(pathlib.Path(parts[2]).stem)
        return f'rats/{role}' if role else 'rats/?'
    return parts[1]


def layer_of_internal(rel):
    """'x509/openssl_util.hpp' or 'rats/ear/digest.hpp' (paths under src/) -> layer."""
    parts = rel.split('/')
    if parts[0] == 'rats' and len(parts) > 2:
        return f'rats/{parts[1]}'
    return parts[0] if parts[0] in RANK else None


def file_layer(path):
    rel = path.relative_to(ROOT).as_posix()
    if rel.startswith('include/'):
        return layer_of_public(rel[len('include/'):])
    if rel.startswith('src/'):
        return layer_of_internal(rel[len('src/'):])
    return None


def main():
    problems = []
    files = [p for d in ('src', 'include') for p in (ROOT / d).rglob('*')
             if p.suffix in ('.cpp', '.hpp', '.h', '.inc')]
    for path in sorted(files):
        rel = path.relative_to(ROOT).as_posix()
        mine = file_layer(path)
        if mine is None or mine not in RANK:
            problems.append(f'{rel}: not in a known layer ({mine})')
            continue
        for n, line in enumerate(path.read_text(errors='replace').splitlines(), 1):
            m = INCLUDE.match(line)
            if m:
                target = m.group(1)
                theirs = (layer_of_public(target) if target.startswith('veritee/')
                          else layer_of_internal(target))
                if theirs is None:
                    continue  # a header beside this file
                if theirs not in RANK:
                    problems.append(f'{rel}:{n}: includes {target}, in no known layer')
                elif theirs in FORBIDDEN.get(mine, ()):
                    problems.append(f'{rel}:{n}: {mine} must not depend on {theirs} ({target})')
                elif RANK[theirs] > RANK[mine] or (RANK[theirs] == RANK[mine] and theirs != mine):
                    problems.append(f'{rel}:{n}: layer {mine} includes {target} of layer {theirs}')
            if rel.startswith('src/') and re.search(r'(^|[^\w])throw\s', line) \
                    and not line.lstrip().startswith('//'):
                problems.append(f'{rel}:{n}: library code throws (return a Result instead)')
            if rel.startswith('include/') and re.search(r'\bExitCode\b', line):
                problems.append(f'{rel}:{n}: exit codes belong to apps/, not the public API')
    for p in problems:
        print(p)
    print(f'{len(files)} files checked, {len(problems)} problems')
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
