#!/usr/bin/env python3
"""bench/run's driver (ISSUE 7). Builds build-bench (Release), then in ONE run measures:

  raw            SHA-384 over [0, 0x2A0) + ECDSA P-384 verify (EVP, all prepared): the floor
  chain_raw      3 x RSA-4096 PSS (ARK self, ASK by ARK, VCEK by ASK) + raw: the cold floor
  parse_ns       Report::parse + product + findings + every field decoded (JSON)
  nettle_raw     the same report signature on GNU Nettle alone (SHA-384 + ECDSA P-384)
  verify_cached  chain memoized, VCEK parsed: ratio to raw, interleaved (bench pair_cached),
                 and to nettle_raw (pair_cached_nettle)
  verify_cold    from files, nothing memoized: ratio to chain_raw, interleaved (pair_cold)
  batch          verify_batch on all cores over a directory of reports vs cores x raw rate
                 (and the `veritee verify` batch mode, when the CLI has one)
  serve          `veritee serve` on loopback vs cores x raw rate, p99 (when it exists)
  measure        launch MEASUREMENT of Debian's OVMF.fd, 64 vCPUs, vs one SHA-384 over it
  rss            peak RSS of `veritee verify` on one report, of `veritee serve` after load
  peers          the npm verifiers on the same report, after warm-up, vs veritee
  dcap           a DCAP quote with parsed collateral vs the floor of its crypto (2 x ECDSA
                 P-256 + SHA-256, bench/dcap_bench.cpp), and the npm @phala/dcap-qvl on the
                 same quote and collateral (bench/peers-dcap) vs veritee from memory
  profile        callgrind instruction counts per operation (repeatable on a noisy machine)

and prints a table and ONE JSON line of ratios. Nothing here asserts on time.
"""
import argparse
import json
import os
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import time
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# $BENCH_BUILD: another build directory to measure with --no-build (e.g. a RelWithDebInfo tree).
BUILD = Path(os.environ.get("BENCH_BUILD", ROOT / "build-bench")).resolve()
CORPUS = Path(os.environ.get("VERITEE_CORPUS", ROOT.parent / "shared" / "corpus")).resolve()
PEERS_SRC = Path(os.environ.get("VERITEE_PEERS", ROOT.parent / "shared" / "peers")).resolve()
PEERS_DIR = BUILD / "peers"  # copied here and `npm install`ed once; reused by later runs
DCAP_PEER_SRC = HERE / "peers-dcap"  # @phala/dcap-qvl, pinned; never a dependency of veritee
DCAP_PEER_DIR = BUILD / "peers-dcap"
CORPUS_DCAP = Path(os.environ.get("VERITEE_CORPUS_DCAP", CORPUS.parent / "corpus-dcap")).resolve()
# The DCAP case: the TDX v4 sample of dcap-qvl with its collateral, current at DCAP_AT.
DCAP_QUOTE = "dcap-qvl/sample/tdx_quote"
DCAP_COLLATERAL = "dcap-qvl/sample/tdx_quote_collateral.json"
DCAP_AT = "2025-07-04T10:00:00Z"

# The benchmark cases (bench/bench_corpus.cpp uses the same reports, from MANIFEST.tsv).
CASES = {
    "genoa": "ms-tee-attestation-verification/genoa_attestation_report.bin",
    "milan": "ms-tee-attestation-verification/milan_attestation_report.bin",
    "turin": "ms-tee-attestation-verification/turin_attestation_report.bin",
}
# Which peer runs on which case: each accepts only some products (shared/peers/README.md).
PEERS = [
    ("tinfoil", "genoa"),
    ("tinfoil-core", "genoa"),
    ("node-chain", "genoa"),
    ("lit", "milan"),
    ("raw", "genoa"),  # node's own floor: calibrates node's OpenSSL against ours
]

# The goals of issue 16 (docs/performance.md says which are met, with the load of the run).
GOALS = {
    "verify_cached_over_raw": ("<=", 0.60),
    "verify_cached_over_nettle_raw": ("<=", 1.10),
    "verify_cold_over_chain_raw": ("<=", 1.25),
    "batch_over_cores_raw": (">=", 1.5),
    "batch_cli_over_cores_raw": (">=", 0.85),
    "serve_over_cores_raw": (">=", 1.0),
    "measure_over_sha384": ("<=", 1.3),
    "dcap_verify_cached_over_raw": ("<=", 1.3),
    "verify_rss_mib": ("<=", 8.0),
    "serve_rss_mib": ("<=", 64.0),
    "serve_fleet_over_single": (">=", 0.9),
    "redis_nonce_p50_ms": ("<=", 0.3),
    "peer_tinfoil_over_veritee": (">=", 2.0),
    "peer_tinfoil_core_over_veritee": (">=", 2.0),
    "peer_node_chain_over_veritee": (">=", 2.0),
    "peer_lit_over_veritee": (">=", 2.0),
    "peer_dcap_qvl_over_veritee": (">=", 2.0),
}


def log(msg):
    print(f"bench/run: {msg}", file=sys.stderr, flush=True)


def run(cmd, **kw):
    return subprocess.run(cmd, text=True, capture_output=True, **kw)


def load_average():
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def manifest_rows():
    rows = {}
    with open(CORPUS / "MANIFEST.tsv") as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            cells = line.rstrip("\n").split("\t")
            if len(cells) >= 9:
                rows[cells[0]] = cells
    return rows


def case_files(name):
    row = manifest_rows()[CASES[name]]
    return {
        "report": CORPUS / row[0],
        "signer": CORPUS / row[5],
        "chain": CORPUS / row[6],
        "at": None if row[7] == "-" else row[7],
    }


# ---------------------------------------------------------------------------------- build

def build(skip, only=None, targets=None):
    cli = BUILD / "apps" / "veritee" / "veritee"
    if skip:
        return cli if cli.exists() else None
    cfg = ["cmake", "-S", str(ROOT), "-B", str(BUILD), "-G", "Ninja",
           "-DCMAKE_BUILD_TYPE=Release", "-DCMAKE_CXX_FLAGS_RELEASE=-O3 -DNDEBUG -g",
           "-DVERITEE_BENCH=ON", "-DVERITEE_TESTS=OFF",
           # As scripts/build.sh and scripts/package.sh build it: the measured CLI is the shipped one.
           "-DVERITEE_UNITY_BUILD=ON"]
    if not shutil.which("ninja"):
        cfg = [c for c in cfg if c not in ("-G", "Ninja")]
    r = run(cfg)
    if r.returncode != 0:
        sys.stderr.write(r.stdout + r.stderr)
        sys.exit("bench/run: cmake configure failed")
    jobs = os.environ.get("BENCH_JOBS", "2")
    r = run(["cmake", "--build", str(BUILD), "-j", jobs, "--target", "veritee_bench"]) if targets is None else None
    if r is not None and r.returncode != 0:
        sys.stderr.write(r.stdout[-6000:] + r.stderr[-3000:])
        sys.exit("bench/run: building veritee_bench failed")
    # The CLI and the load generator are separate: a module mid-edit elsewhere in the tree
    # must not cost the library numbers.
    for target in targets or (() if only else ("veritee_rss", "veritee_serve_load", "veritee_cli")):
        r = run(["cmake", "--build", str(BUILD), "-j", jobs, "--target", target])
        if r.returncode != 0:
            log(f"building {target} failed; its rows are skipped:\n" + (r.stdout + r.stderr)[-2000:])
    return cli if cli.exists() else None


# ------------------------------------------------------------------------- google benchmark

def run_benchmarks(out_dir, quick, cases, only=None):
    exe = BUILD / "bench" / "veritee_bench"
    out = out_dir / "bench.json"
    args = [str(exe), f"--veritee-cases={','.join(cases)}",
            f"--veritee-batch={96 if quick else 384}",
            f"--benchmark_out={out}", "--benchmark_out_format=json",
            f"--benchmark_min_time={0.4 if quick else 2.0}"]
    if only == "dcap":
        args.append("--benchmark_filter=dcap")
    if not quick:
        args += ["--benchmark_repetitions=3", "--benchmark_report_aggregates_only=true"]
    log("running veritee_bench: " + " ".join(args[1:]))
    r = subprocess.run(args, text=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    (out_dir / "bench.txt").write_text(r.stdout)
    if r.returncode != 0:
        sys.stderr.write(r.stdout[-4000:])
        sys.exit("bench/run: veritee_bench failed")
    data = json.loads(out.read_text())
    results = {}
    for b in data["benchmarks"]:
        if b.get("run_type") == "aggregate" and b.get("aggregate_name") != "median":
            continue
        name = re.sub(r"/(real_time|threads:\d+)", "", b.get("run_name", b["name"]))
        if b.get("error_occurred"):
            results[name] = {"error": b.get("error_message", "error")}
            continue
        scale = {"ns": 1, "us": 1e3, "ms": 1e6, "s": 1e9}[b.get("time_unit", "ns")]
        entry = {"real_ns": b["real_time"] * scale, "cpu_ns": b["cpu_time"] * scale,
                 "iterations": b.get("iterations")}
        for k in ("items_per_second", "ratio", "floor_ns", "case_ns", "files", "batch_per_s",
                  "raw_parallel_per_s"):
            if k in b:
                entry[k] = b[k]
        results[name] = entry
    return results, data.get("context", {})


# ------------------------------------------------------------------------------ callgrind

def run_profile(out_dir, quick, cases, only=None):
    if not shutil.which("valgrind"):
        return None, "valgrind not installed"
    prof = out_dir / "callgrind"
    prof.mkdir(exist_ok=True)
    iterations = 3 if quick else 10
    args = ["valgrind", "--tool=callgrind", "--collect-atstart=no",
            f"--callgrind-out-file={prof}/cg.out",
            str(BUILD / "bench" / "veritee_bench"), f"--veritee-cases={','.join(cases)}",
            f"--veritee-profile={iterations}" + (f":{only}" if only else "")]
    log("profiling with callgrind (instruction counts)")
    r = run(args)
    if r.returncode != 0:
        return None, "callgrind run failed: " + r.stderr[-500:]
    ir = {}
    for f in prof.glob("cg.out.*"):
        trigger = total = None
        with open(f) as fh:
            for line in fh:
                if line.startswith("desc: Trigger: Client Request: "):
                    trigger = line[len("desc: Trigger: Client Request: "):].strip()
                elif line.startswith("summary:") or line.startswith("totals:"):
                    total = int(line.split()[1])
        if trigger and total is not None:
            name, _, n = trigger.rpartition(" x")
            ir[name] = total / int(n)
            (prof / (name.replace("/", "_") + ".callgrind")).write_bytes(f.read_bytes())
            f.unlink()
    return ir, None


# --------------------------------------------------------------------------------- the CLI

def spawn_rss(cmd, timeout=300, stdin_text=None):
    """Runs cmd under build-bench/bench/veritee_rss; returns (exit code, stdout, stderr, peak
    RSS in MiB of cmd alone, wall seconds)."""
    launcher = BUILD / "bench" / "veritee_rss"
    r = subprocess.run([str(launcher), *map(str, cmd)], input=stdin_text, text=True,
                       capture_output=True, timeout=timeout)
    m = re.search(r"veritee_rss: maxrss_kib=(\d+) exit=(-?\d+) wall_us=(\d+)", r.stderr)
    if not m:
        return r.returncode, r.stdout, r.stderr, None, None
    err = r.stderr[:m.start()] + r.stderr[m.end():]
    return int(m.group(2)), r.stdout, err, int(m.group(1)) / 1024.0, int(m.group(3)) / 1e6


def verify_args(cli, files):
    args = [str(cli), "verify", "--vcek", str(files["signer"]), "--chain", str(files["chain"])]
    if files["at"]:
        args += ["--at", files["at"]]
    return args + [str(files["report"])]


def cli_rss(cli, case):
    files = case_files(case)
    rc, out, err, rss, wall = spawn_rss(verify_args(cli, files))
    if rss is None:
        return {"error": "veritee_rss did not report (not built?)"}
    if rc != 0:
        return {"error": f"veritee verify exited {rc}: {(err or out)[-300:]}"}
    # Per-process cost (start, pinned roots, files, verify, print), best of a few.
    walls = [wall]
    for _ in range(4):
        walls.append(spawn_rss(verify_args(cli, files))[4])
    return {"rss_mib": rss, "process_ms": min(walls) * 1e3}


def cli_batch(cli, quick, cases):
    """`veritee verify --files-from LIST` over many copies of one report (all cores, JSON lines
    out), against raw on every core measured right before and after it."""
    files = case_files(cases[0])
    n = 1500 if quick else 6000
    listing = BUILD / "results" / "batch-list.txt"
    listing.parent.mkdir(parents=True, exist_ok=True)
    listing.write_text((str(files["report"]) + "\n") * n)
    args = verify_args(cli, files)[:-1] + ["--files-from", str(listing)]
    before = raw_parallel_rate(cases[0])
    walls = []
    for _ in range(2 if quick else 3):
        t0 = time.perf_counter()
        r = run(args)
        walls.append(time.perf_counter() - t0)
        if r.returncode != 0:
            return {"error": f"veritee verify --files-from exited {r.returncode}: "
                             f"{(r.stderr or r.stdout)[-300:]}"}
        if r.stdout.count("\n") != n:
            return {"error": f"expected {n} JSON lines, got {r.stdout.count(chr(10))}"}
    after = raw_parallel_rate(cases[0])
    rate = n / min(walls)
    floors = [x for x in (before, after) if x]
    out = {"rate": rate, "reports": n}
    if floors:
        out["over_parallel_raw"] = rate / max(floors)
    return out


# ------------------------------------------------------------------------------ the service

def serve_available():
    if os.environ.get("BENCH_SERVE") == "1":  # measure a working tree's serve before it lands
        return True
    r = run(["git", "-C", str(ROOT), "log", "--oneline", "-1", "--",
             "apps/veritee/cmd_serve.cpp"])
    r2 = run(["git", "-C", str(ROOT), "log", "--oneline", "-1", "--", "include/veritee/rats"])
    return bool(r.stdout.strip()) and bool(r2.stdout.strip())


SERVE_POLICY = """# bench/run: throughput policy. Freshness is off because every request would
# otherwise need its own challenge round trip (that costs an HMAC, measured separately).
require_nonce = false
allow_debug = false
"""


def raw_parallel_rate(case):
    """raw on every core at once (veritee_bench raw_parallel), reports per second."""
    out = BUILD / "results" / "raw-parallel.json"
    r = run([str(BUILD / "bench" / "veritee_bench"), f"--veritee-cases={case}",
             "--benchmark_filter=^raw_parallel", "--benchmark_min_time=1.5",
             f"--benchmark_out={out}", "--benchmark_out_format=json"])
    if r.returncode != 0:
        return None
    for b in json.loads(out.read_text())["benchmarks"]:
        if "items_per_second" in b:
            return b["items_per_second"]
    return None


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def cpu_seconds(pid):
    """utime + stime of a process, in seconds (/proc/PID/stat fields 14 and 15)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def vm_hwm_mib(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return None


def stop_process(proc):
    """SIGTERM, then SIGKILL after 15 s."""
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def serve_bench(cli, quick, cases):
    if not serve_available():
        return {"unavailable": "not yet available: `veritee serve` (apps/veritee/cmd_serve.cpp, "
                               "include/veritee/rats/) has not landed in git log"}
    if cli is None:
        return {"unavailable": "the CLI did not build"}
    loader = BUILD / "bench" / "veritee_serve_load"
    if not loader.exists():
        return {"unavailable": "veritee_serve_load did not build (cpp-httplib missing?)"}
    import base64
    files = case_files(cases[0])
    work = Path(tempfile.mkdtemp(prefix="veritee-bench-serve-"))
    try:
        (work / "policy.toml").write_text(SERVE_POLICY)
        vcek = files["signer"].read_bytes()
        if vcek[:1] != b"\x30":  # PEM -> DER
            text = vcek.decode("ascii", "replace")
            body = text.split("-----BEGIN CERTIFICATE-----")[1].split("-----END CERTIFICATE-----")[0]
            vcek = base64.b64decode("".join(body.split()))
        req = {"report": base64.b64encode(files["report"].read_bytes()).decode(),
               "vcek": base64.b64encode(vcek).decode()}
        (work / "attest.json").write_text(json.dumps(req))
        port = free_port()
        args = [str(cli), "serve", "--listen", f"127.0.0.1:{port}", "--policy",
                str(work / "policy.toml"), "--state-dir", str(work / "state"), "--offline",
                "--no-crl"]
        if files["at"]:
            args += ["--at", files["at"]]
        log_file = open(work / "serve.log", "w")
        server = subprocess.Popen(args, stdout=log_file, stderr=subprocess.STDOUT)
        try:
            deadline = time.time() + 30
            while time.time() < deadline:
                if server.poll() is not None:
                    return {"unavailable": "veritee serve exited: " +
                            (work / "serve.log").read_text()[-400:]}
                try:
                    with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                        break
                except OSError:
                    time.sleep(0.2)
            cores = os.cpu_count() or 1

            def load(fresh):
                seconds, warmup = (5, 1) if quick else (20, 3)
                cmd = [str(loader), "--port", str(port), "--path", "/v1/attest", "--body",
                       str(work / "attest.json"), "--connections", str(2 * cores),
                       "--seconds", str(seconds), "--warmup", str(warmup)]
                proc = subprocess.Popen(cmd + (["--fresh"] if fresh else []), text=True,
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                # The server's own CPU time over the middle of the measured window (info:
                # serve_cpu_over_raw), read while the loader runs.
                time.sleep(warmup + 0.5)
                cpu0, t0 = cpu_seconds(server.pid), time.monotonic()
                time.sleep(seconds - 1.0)
                cpu1, t1 = cpu_seconds(server.pid), time.monotonic()
                out, err = proc.communicate()
                r = subprocess.CompletedProcess(cmd, proc.returncode, out, err)
                line = (r.stdout.strip().splitlines() or ["{}"])[-1]
                try:
                    res = json.loads(line)
                except json.JSONDecodeError:
                    return {}, r
                if cpu0 is not None and cpu1 is not None and t1 > t0:
                    res["server_cpu_per_s"] = (cpu1 - cpu0) / (t1 - t0)
                return res, r

            # Keep-alive connections (what a pooled relying party does), then a new connection
            # per request (connection set-up included; and immune to a server that leaves
            # Nagle on, whose keep-alive responses would stall on delayed ACKs).
            # The floor right before and right after the load, so that the ratio compares
            # the same machine: raw on every core.
            before = raw_parallel_rate(cases[0])
            res, r = load(False)
            after = raw_parallel_rate(cases[0])
            rates = [x for x in (before, after) if x]
            res["raw_parallel_per_s"] = sum(rates) / len(rates) if rates else None
            if not res.get("requests"):
                return {"unavailable": "no successful /v1/attest responses: " +
                        (r.stdout + r.stderr)[-300:] + " " + (work / "serve.log").read_text()[-300:]}
            fresh, _ = load(True)
            res["fresh"] = fresh
            res["rss_mib"] = vm_hwm_mib(server.pid)
            return res
        finally:
            stop_process(server)
            log_file.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)


# -------------------------------------------------------------- the service as a fleet

def attest_request(case):
    """The serve benchmark's /v1/attest body (report and DER VCEK, base64) for a case."""
    import base64
    files = case_files(case)
    vcek = files["signer"].read_bytes()
    if vcek[:1] != b"\x30":  # PEM -> DER
        text = vcek.decode("ascii", "replace")
        body = text.split("-----BEGIN CERTIFICATE-----")[1].split("-----END CERTIFICATE-----")[0]
        vcek = base64.b64decode("".join(body.split()))
    return files, {"report": base64.b64encode(files["report"].read_bytes()).decode(),
                   "vcek": base64.b64encode(vcek).decode()}


def wait_port(port, proc, seconds=30):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if proc.poll() is not None:
            return False
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.2)
    return False


def serve_fleet_bench(cli, quick, cases):
    """Two `veritee serve --redis` replicas sharing one redis-server against one replica
    without Redis, under the same load generator, every request a nonce round trip (challenge
    at one replica, attest at the other); and the p50 the Redis nonce path adds, one
    connection at a time, interleaved."""
    if not serve_available():
        return {"unavailable": "`veritee serve` has not landed"}
    if cli is None:
        return {"unavailable": "the CLI did not build"}
    if not shutil.which("redis-server"):
        return {"unavailable": "redis-server is not installed (scripts/setup.sh installs it): "
                               "serve_fleet_over_single not measured"}
    loader = BUILD / "bench" / "veritee_serve_load"
    if not loader.exists():
        return {"unavailable": "veritee_serve_load did not build (cpp-httplib missing?)"}
    files, req = attest_request(cases[0])
    work = Path(tempfile.mkdtemp(prefix="veritee-bench-fleet-"))
    procs, logs = [], []

    def start(name, cmd, port):
        log_file = open(work / f"{name}.log", "w")
        logs.append(log_file)
        p = subprocess.Popen(cmd, stdout=log_file, stderr=subprocess.STDOUT)
        procs.append(p)
        if not wait_port(port, p):
            raise RuntimeError(f"{name} did not listen: " + (work / f"{name}.log").read_text()[-400:])
        return p

    try:
        (work / "policy.toml").write_text(SERVE_POLICY)
        (work / "attest.json").write_text(json.dumps(req))
        redis_port = free_port()
        start("redis", ["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "",
                        "--appendonly", "no", "--loglevel", "warning"], redis_port)
        ports = {}
        for name, fleet in (("single", False), ("fleet_a", True), ("fleet_b", True)):
            port = free_port()
            cmd = [str(cli), "serve", "--listen", f"127.0.0.1:{port}", "--policy",
                   str(work / "policy.toml"), "--state-dir", str(work / name), "--offline", "--no-crl"]
            if fleet:
                cmd += ["--redis", f"redis://127.0.0.1:{redis_port}", "--nonce-key", str(work / "nonce.key")]
            if files["at"]:
                cmd += ["--at", files["at"]]
            if fleet and not (work / "nonce.key").exists():
                (work / "nonce.key").write_bytes(os.urandom(32))
            start(name, cmd, port)
            ports[name] = port
        time.sleep(1.2)  # past the second in which the first replica created the shared epoch
        cores = os.cpu_count() or 1

        def load(names, connections, seconds, warmup):
            cmd = [str(loader), "--path", "/v1/attest", "--body", str(work / "attest.json"),
                   "--challenge", "/v1/challenge", "--connections", str(connections),
                   "--seconds", str(seconds), "--warmup", str(warmup)]
            for n in names:
                cmd += ["--port", str(ports[n])]
            r = run(cmd)
            line = (r.stdout.strip().splitlines() or ["{}"])[-1]
            try:
                return json.loads(line)
            except json.JSONDecodeError:
                return {"error": (r.stdout + r.stderr)[-300:]}

        # Throughput, interleaved (single, fleet, single, fleet...) so that both see the same
        # machine; the mean of each.
        rounds = 2 if quick else 3
        seconds = 5 if quick else 10
        single, fleet = [], []
        for _ in range(rounds):
            single.append(load(["single"], 2 * cores, seconds, 1))
            fleet.append(load(["fleet_a", "fleet_b"], 2 * cores, seconds, 1))
        res = {"single": single, "fleet": fleet}
        for k in ("single", "fleet"):
            rps = [x.get("rps") for x in res[k] if x.get("requests")]
            res[k + "_rps"] = sum(rps) / len(rps) if len(rps) == rounds else None
        # Latency: one connection, one replica with Redis against one without, interleaved;
        # the median of the rounds' p50s.
        lat_local, lat_redis = [], []
        for _ in range(3 if quick else 5):
            lat_local.append(load(["single"], 1, 3 if quick else 5, 0.5))
            lat_redis.append(load(["fleet_a"], 1, 3 if quick else 5, 0.5))

        def median_p50(xs):
            vals = sorted(x["p50_ms"] for x in xs if x.get("requests"))
            return vals[len(vals) // 2] if len(vals) == len(xs) else None
        res["latency_local"], res["latency_redis"] = lat_local, lat_redis
        res["local_p50_ms"], res["redis_p50_ms"] = median_p50(lat_local), median_p50(lat_redis)
        res["connections"] = 2 * cores
        return res
    except RuntimeError as e:
        return {"unavailable": str(e)}
    finally:
        for p in reversed(procs):
            stop_process(p)
        for f in logs:
            f.close()
        shutil.rmtree(work, ignore_errors=True)


def fleet_ratios(fleet):
    single, both = fleet.get("single_rps"), fleet.get("fleet_rps")
    local, shared = fleet.get("local_p50_ms"), fleet.get("redis_p50_ms")
    return {"serve_fleet_over_single": round(both / single, 4) if single and both else None,
            "redis_nonce_p50_ms": round(shared - local, 4) if local is not None and shared is not None else None}


def fleet_rows(fleet, row):
    if "unavailable" in fleet:
        row("serve fleet (2 replicas + Redis)", fleet["unavailable"], "")
        return
    row("serve fleet (2 replicas + Redis)",
        f"{fleet.get('fleet_rps') or 0:.0f}/s vs one replica without Redis {fleet.get('single_rps') or 0:.0f}/s",
        f"{fleet.get('connections')} keep-alive connections, each request challenge + attest, "
        f"errors {[x.get('errors') for x in fleet.get('fleet', [])]} / {[x.get('errors') for x in fleet.get('single', [])]}")
    row("nonce round trip p50, 1 connection",
        f"with Redis {fleet.get('redis_p50_ms')} ms, without {fleet.get('local_p50_ms')} ms",
        "median of interleaved rounds")


# ---------------------------------------------------------------------------------- peers

def setup_peers():
    if not shutil.which("node") or not shutil.which("npm"):
        return "node/npm not installed: peers not measured (apt-get install nodejs npm)"
    if not (PEERS_SRC / "run_peer.mjs").exists():
        return f"no peer harness at {PEERS_SRC}"
    stamp = PEERS_DIR / ".installed-from"
    want = (PEERS_SRC / "package-lock.json").read_text() if (PEERS_SRC / "package-lock.json").exists() else ""
    if stamp.exists() and stamp.read_text() == want and (PEERS_DIR / "node_modules").exists():
        # refresh the harness itself (cheap), keep node_modules
        for f in PEERS_SRC.iterdir():
            if f.is_file():
                shutil.copyfile(f, PEERS_DIR / f.name)
        return None
    log(f"installing the npm peers in {PEERS_DIR} (once)")
    if PEERS_DIR.exists():
        shutil.rmtree(PEERS_DIR)
    shutil.copytree(PEERS_SRC, PEERS_DIR)
    for p in [PEERS_DIR, *PEERS_DIR.rglob("*")]:
        p.chmod(p.stat().st_mode | 0o200)
    r = run(["npm", "install", "--no-audit", "--no-fund"], cwd=PEERS_DIR, timeout=300)
    if r.returncode != 0:
        return "npm install failed (registry unreachable?): " + (r.stderr or r.stdout)[-300:]
    stamp.write_text(want)
    return None


def veritee_next_to_peers(cases):
    """verify_cold_mem and raw on the peers' reports, run right before or after the peers so
    that both sides of peer_<name>_over_veritee see the same machine."""
    wanted = sorted({c for _, c in PEERS})
    exe = BUILD / "bench" / "veritee_bench"
    out = BUILD / "results" / "peers-veritee.json"
    r = run([str(exe), f"--veritee-cases={','.join(wanted)}",
             "--benchmark_filter=^(raw|verify_cold_mem)/", "--benchmark_min_time=0.3",
             f"--benchmark_out={out}", "--benchmark_out_format=json"])
    res = {}
    if r.returncode == 0:
        for b in json.loads(out.read_text())["benchmarks"]:
            scale = {"ns": 1, "us": 1e3, "ms": 1e6, "s": 1e9}[b.get("time_unit", "ns")]
            res[b["name"]] = b["real_time"] * scale
    return res


def run_dcap_peer(quick):
    """@phala/dcap-qvl's verify() on the DCAP case, installed from bench/peers-dcap (pinned) into
    build-bench/peers-dcap once, like the SNP peers; then veritee's from-memory verification of
    the same quote and collateral right after it (dcap_verify_mem)."""
    if not shutil.which("node") or not shutil.which("npm"):
        return {"ok": False, "error": "node/npm not installed (apt-get install nodejs npm)"}
    if not (CORPUS_DCAP / DCAP_QUOTE).exists():
        return {"ok": False, "error": f"no DCAP corpus at {CORPUS_DCAP}"}
    stamp = DCAP_PEER_DIR / ".installed-from"
    want = (DCAP_PEER_SRC / "package.json").read_text()
    if not (stamp.exists() and stamp.read_text() == want and (DCAP_PEER_DIR / "node_modules").exists()):
        log(f"installing the DCAP peer in {DCAP_PEER_DIR} (once)")
        if DCAP_PEER_DIR.exists():
            shutil.rmtree(DCAP_PEER_DIR)
        shutil.copytree(DCAP_PEER_SRC, DCAP_PEER_DIR)
        r = run(["npm", "install", "--no-audit", "--no-fund"], cwd=DCAP_PEER_DIR, timeout=300)
        if r.returncode != 0:
            return {"ok": False, "error": "npm install failed: " + (r.stderr or r.stdout)[-300:]}
        stamp.write_text(want)
    for f in DCAP_PEER_SRC.iterdir():
        if f.is_file():
            shutil.copyfile(f, DCAP_PEER_DIR / f.name)
    import calendar
    unix = calendar.timegm(time.strptime(DCAP_AT, "%Y-%m-%dT%H:%M:%SZ"))
    env = dict(os.environ, N="50" if quick else "200", WARMUP="10" if quick else "20")
    r = run(["node", "run_dcap_qvl.mjs", str(CORPUS_DCAP / DCAP_QUOTE), str(CORPUS_DCAP / DCAP_COLLATERAL),
             str(unix)], cwd=DCAP_PEER_DIR, env=env, timeout=600)
    line = (r.stdout.strip().splitlines() or ["{}"])[-1]
    try:
        res = json.loads(line)
    except json.JSONDecodeError:
        res = {"ok": False, "error": (r.stderr or r.stdout)[-300:]}
    out = BUILD / "results" / "dcap-veritee.json"
    r = run([str(BUILD / "bench" / "veritee_bench"), "--benchmark_filter=^dcap_verify_mem$",
             "--benchmark_min_time=0.5", f"--benchmark_out={out}", "--benchmark_out_format=json"])
    if r.returncode == 0:
        for b in json.loads(out.read_text())["benchmarks"]:
            scale = {"ns": 1, "us": 1e3, "ms": 1e6, "s": 1e9}[b.get("time_unit", "ns")]
            res["veritee_ms"] = b["real_time"] * scale / 1e6
    return res


def run_peers(quick):
    problem = setup_peers()
    if problem:
        return {}, problem
    out = {}
    for peer, case in PEERS:
        files = case_files(case)
        n = "20" if peer == "lit" and quick else ("50" if quick else "200")
        env = dict(os.environ, N=n, WARMUP="10" if quick else "20")
        r = run(["node", "run_peer.mjs", peer, str(files["report"]), str(files["signer"]),
                 str(files["chain"])], cwd=PEERS_DIR, env=env, timeout=600)
        line = (r.stdout.strip().splitlines() or ["{}"])[-1]
        try:
            res = json.loads(line)
        except json.JSONDecodeError:
            res = {"ok": False, "error": (r.stderr or r.stdout)[-300:]}
        res["case"] = case
        out[peer] = res
    return out, None


# ------------------------------------------------------------------------------ reporting

def fmt_ns(ns):
    if ns is None:
        return "-"
    if ns >= 1e6:
        return f"{ns / 1e6:.2f} ms"
    if ns >= 1e3:
        return f"{ns / 1e3:.1f} us"
    return f"{ns:.0f} ns"


def goal_text(key, value):
    if key not in GOALS or value is None:
        return ""
    op, target = GOALS[key]
    met = value <= target if op == "<=" else value >= target
    return f"goal {op} {target}: {'met' if met else 'NOT met'}"


def main():
    ap = argparse.ArgumentParser(description="veritee benchmarks (ISSUE 7)")
    ap.add_argument("--quick", action="store_true", help="short runs (< 5 min on 2 cores)")
    ap.add_argument("--no-build", action="store_true", help="use build-bench as it is")
    ap.add_argument("--no-peers", action="store_true")
    ap.add_argument("--no-profile", action="store_true")
    ap.add_argument("--cases", default="genoa,milan,turin")
    ap.add_argument("--only", choices=["dcap", "serve_fleet"],
                    help="run only these rows (dcap: the DCAP benchmarks and the DCAP peer; "
                         "serve_fleet: the fleet rows, building only the CLI and the load generator)")
    a = ap.parse_args()
    started = time.time()
    cases = [c for c in a.cases.split(",") if c]
    for c in cases:
        if c not in CASES:
            sys.exit(f"bench/run: unknown case {c} (known: {', '.join(CASES)})")
    if not (CORPUS / "MANIFEST.tsv").exists():
        sys.exit(f"bench/run: no corpus at {CORPUS} (set VERITEE_CORPUS)")
    load_before = load_average()
    if a.only == "serve_fleet":
        return only_serve_fleet(a, cases, load_before)
    phases = {}
    t = time.time()
    cli = build(a.no_build, a.only)
    phases["build"] = time.time() - t
    stamp = time.strftime("%Y%m%d-%H%M%S")
    out_dir = BUILD / "results" / stamp
    out_dir.mkdir(parents=True, exist_ok=True)

    t = time.time()
    bench, context = run_benchmarks(out_dir, a.quick, cases, a.only)
    phases["benchmarks"] = time.time() - t
    t = time.time()
    skipped = f"skipped (--only {a.only})"
    if a.only == "dcap":
        # The DCAP operations alone (dcap_raw, dcap_nettle_raw, dcap_verify_cached, ...).
        ir, ir_problem = (None, "skipped (--no-profile)") if a.no_profile else run_profile(
            out_dir, a.quick, cases[:1], "dcap")
    elif a.only:
        ir, ir_problem = None, skipped
    else:
        ir, ir_problem = (None, "skipped (--no-profile)") if a.no_profile else run_profile(out_dir, a.quick, cases)
    phases["callgrind"] = time.time() - t
    t = time.time()
    if a.only:
        rss, batch_cli, serve = {"error": skipped}, {"unavailable": skipped}, {"unavailable": skipped}
        fleet = {"unavailable": skipped}
    else:
        rss = cli_rss(cli, cases[0]) if cli else {"error": "the CLI did not build"}
        batch_cli = cli_batch(cli, a.quick, cases) if cli else {"unavailable": "the CLI did not build"}
        serve = serve_bench(cli, a.quick, cases)
        fleet = serve_fleet_bench(cli, a.quick, cases)
    phases["cli"] = time.time() - t
    t = time.time()
    if a.only:
        peers, peer_problem = {}, skipped
    else:
        peers, peer_problem = ({}, "skipped (--no-peers)") if a.no_peers else run_peers(a.quick)
    near_peers = veritee_next_to_peers(cases) if peers else {}
    dcap_peer = {"ok": False, "error": "skipped (--no-peers)"} if a.no_peers else run_dcap_peer(a.quick)
    phases["peers"] = time.time() - t
    load_after = load_average()

    cores = int(context.get("num_cpus") or os.cpu_count() or 1)
    primary = cases[0]

    def b(name, key="cpu_ns"):
        return bench.get(name, {}).get(key)

    # ---- the ratios
    ratios = {}
    # Absolute times: the least of the products (noise on a shared machine only ever adds).
    def least(prefix):
        vals = [b(f"{prefix}/{c}") for c in cases if b(f"{prefix}/{c}")]
        return min(vals) if vals else None
    ratios["raw_ns"] = least("raw")
    ratios["chain_raw_ns"] = least("chain_raw")
    ratios["parse_ns"] = least("parse")
    # Goal ratios: the worst product (each from interleaved pairs on the thread CPU clock).
    cached = {c: b(f"pair_cached/{c}", "ratio") for c in cases}
    cold = {c: b(f"pair_cold/{c}", "ratio") for c in cases}
    ratios["verify_cached_over_raw"] = max(v for v in cached.values() if v) if any(cached.values()) else None
    ratios["verify_cold_over_chain_raw"] = max(v for v in cold.values() if v) if any(cold.values()) else None
    ratios["nettle_raw_ns"] = least("nettle_raw")
    cached_nettle = {c: b(f"pair_cached_nettle/{c}", "ratio") for c in cases}
    ratios["verify_cached_over_nettle_raw"] = (max(v for v in cached_nettle.values() if v)
                                               if any(cached_nettle.values()) else None)
    # Throughput: per-core raw rate from the single-threaded wall time (the same contention the
    # batch sees), mean over the products the batch directory mixes.
    # The cases differ only in key and signature, so the floor is the fastest of them (one
    # case caught by a burst of load must not lower the bar).
    raw_real = [b(f"raw/{c}", "real_ns") for c in cases if b(f"raw/{c}", "real_ns")]
    raw_rate = 1e9 / min(raw_real) if raw_real else None
    batch_rate = b("batch", "items_per_second")
    par_rate = b("raw_parallel", "items_per_second")
    # Goal key: the interleaved pair (batch and raw on every core, alternating, same moment).
    ratios["batch_over_cores_raw"] = b("pair_batch", "ratio")
    # The same from separate runs: cores x the single-thread rate, and raw_parallel.
    ratios["batch_unpaired_over_cores_raw"] = batch_rate / (cores * raw_rate) if batch_rate and raw_rate else None
    ratios["batch_over_parallel_raw"] = batch_rate / par_rate if batch_rate and par_rate else None
    if "rate" in batch_cli and raw_rate:
        ratios["batch_cli_over_cores_raw"] = batch_cli["rate"] / (cores * raw_rate)
        ratios["batch_cli_over_parallel_raw"] = batch_cli.get("over_parallel_raw")
    else:
        ratios["batch_cli_over_cores_raw"] = None
    # Goal key: against raw on every core measured right before and after the load run.
    serve_floor = serve.get("raw_parallel_per_s")
    ratios["serve_over_cores_raw"] = serve["rps"] / serve_floor if "rps" in serve and serve_floor else None
    ratios["serve_p99_ms"] = serve.get("p99_ms")
    ratios["serve_unpaired_over_cores_raw"] = serve["rps"] / (cores * raw_rate) if "rps" in serve and raw_rate else None
    fresh = serve.get("fresh") if isinstance(serve.get("fresh"), dict) else {}
    ratios["serve_fresh_over_cores_raw"] = fresh["rps"] / serve_floor if fresh.get("rps") and serve_floor else None
    ratios["serve_fresh_p99_ms"] = fresh.get("p99_ms")
    # Info, no goal: raw's time per verification over the server's CPU time per request (its
    # threads only: not the load generator, not the kernel's loopback work for the client).
    # Above 1: a request costs the server less CPU than OpenSSL's bare report signature.
    cpu = serve.get("server_cpu_per_s")
    ratios["serve_cpu_over_raw"] = (serve["rps"] / cpu / raw_rate
                                    if cpu and raw_rate and serve.get("rps") else None)
    # The launch measurement of OVMF.fd, 64 vCPUs, over one SHA-384 of the image (interleaved).
    ratios["measure_over_sha384"] = b("pair_measure", "ratio")
    ratios["verify_rss_mib"] = round(rss["rss_mib"], 2) if "rss_mib" in rss else None
    ratios["serve_rss_mib"] = round(serve["rss_mib"], 2) if serve.get("rss_mib") else None
    ratios.update(fleet_ratios(fleet))
    # Peers: per-verification wall time against veritee's own from-memory, nothing-memoized
    # verification of the same report (what each peer's call does), and node's raw floor
    # against ours.
    for peer, res in peers.items():
        key = "peer_" + peer.replace("-", "_") + "_over_veritee"
        name = f"raw/{res['case']}" if peer == "raw" else f"verify_cold_mem/{res['case']}"
        mine = near_peers.get(name) or b(name, "real_ns")
        res["veritee_ms"] = mine / 1e6 if mine else None
        if res.get("ok") and res.get("ms_per_verify") and mine:
            ratios[key] = res["ms_per_verify"] * 1e6 / mine
        else:
            ratios[key] = None
    # DCAP: the quote with parsed collateral over the floor of its crypto (interleaved pair),
    # and the npm peer over veritee's from-memory verification measured right after it.
    ratios["dcap_raw_ns"] = b("dcap_raw")
    ratios["dcap_verify_cached_over_raw"] = b("pair_dcap_cached", "ratio")
    # The same crypto on GNU Nettle alone, over the OpenSSL floor (not a goal: it says which
    # library's P-256 the DCAP path should use; veritee's is on OpenSSL, the faster one here).
    ratios["dcap_nettle_raw_ns"] = b("dcap_nettle_raw")
    ratios["dcap_nettle_raw_over_raw"] = (b("dcap_nettle_raw") / b("dcap_raw")
                                          if b("dcap_nettle_raw") and b("dcap_raw") else None)
    ratios["peer_dcap_qvl_over_veritee"] = (dcap_peer["ms_per_verify"] / dcap_peer["veritee_ms"]
                                            if dcap_peer.get("ok") and dcap_peer.get("veritee_ms") else None)
    # Instruction counts (callgrind): the same ratios, repeatable run to run.
    if ir:
        def ir_ratio(num, den):
            vals = [ir[f"{num}/{c}"] / ir[f"{den}/{c}"] for c in cases
                    if f"{num}/{c}" in ir and f"{den}/{c}" in ir]
            return max(vals) if vals else None
        ratios["verify_cached_over_raw_ir"] = ir_ratio("verify_cached", "raw")
        ratios["verify_cold_over_chain_raw_ir"] = ir_ratio("verify_cold", "chain_raw")
        ratios["verify_cached_over_nettle_raw_ir"] = ir_ratio("verify_cached", "nettle_raw")
        ratios["parse_ir"] = ir.get(f"parse/{primary}")
        if ir.get("dcap_raw"):
            ratios["dcap_verify_cached_over_raw_ir"] = (ir["dcap_verify_cached"] / ir["dcap_raw"]
                                                        if ir.get("dcap_verify_cached") else None)
            ratios["dcap_nettle_raw_over_raw_ir"] = (ir["dcap_nettle_raw"] / ir["dcap_raw"]
                                                     if ir.get("dcap_nettle_raw") else None)
    ratios = {k: (round(v, 4) if isinstance(v, float) else v) for k, v in ratios.items()}
    ratios["cores"] = cores
    ratios["load"] = load_after
    ratios["quick"] = a.quick

    # ---- the table
    rows = []
    def row(name, value, note=""):
        rows.append((name, value, note))
    row("load average (before, after)", f"{load_before} {load_after}", f"{cores} cores")
    for c in cases:
        row(f"raw/{c}", fmt_ns(b(f'raw/{c}')), f"real {fmt_ns(b(f'raw/{c}', 'real_ns'))}; SHA-384 + ECDSA P-384, EVP prepared")
        row(f"nettle_raw/{c}", fmt_ns(b(f'nettle_raw/{c}')), "SHA-384 + ECDSA P-384 on GNU Nettle alone, prepared")
        row(f"raw_digestverify/{c}", fmt_ns(b(f'raw_digestverify/{c}')), "EVP_DigestVerify, new ctx per call (naive EVP; info)")
        row(f"chain_raw/{c}", fmt_ns(b(f'chain_raw/{c}')), "3 x RSA-4096 PSS + raw")
        row(f"parse/{c}", fmt_ns(b(f'parse/{c}')), "parse + findings + all fields as JSON")
        row(f"parse_view/{c}", fmt_ns(b(f'parse_view/{c}')), "parse + findings (no JSON)")
        row(f"verify_cached/{c}", fmt_ns(b(f'verify_cached/{c}')), f"pair ratio {cached.get(c)}; over nettle_raw {cached_nettle.get(c)}")
        row(f"verify_cold/{c}", fmt_ns(b(f'verify_cold/{c}')), f"pair ratio {cold.get(c)}")
        row(f"verify_cold_mem/{c}", fmt_ns(b(f'verify_cold_mem/{c}')), f"pair ratio {b(f'pair_cold_mem/{c}', 'ratio')} (no file I/O)")
        row(f"vcek_parse/{c}", fmt_ns(b(f'vcek_parse/{c}')), "Certificate::load_all of the VCEK (OpenSSL 3 decoder)")
        row(f"chain_load/{c}", fmt_ns(b(f'chain_load/{c}')), "ASK+ARK PEM: matched to the pinned roots, not re-parsed")
    row("raw_parallel", f"{par_rate:.0f}/s" if par_rate else "-", f"raw on {cores} threads at once")
    row("measure_64 (OVMF.fd, 64 vCPUs)", bench.get("measure_64", {}).get("error") or fmt_ns(b("measure_64")),
        f"ovmf_sha384 {fmt_ns(b('ovmf_sha384'))}; pair ratio {b('pair_measure', 'ratio')}")
    row("batch (library verify_batch)", f"{batch_rate:.0f}/s" if batch_rate else "-",
        f"{int(b('batch', 'files') or 0)} files, all cores, JSON lines; cores x raw = {cores * raw_rate:.0f}/s" if raw_rate else "")
    row("pair_batch", f"ratio {b('pair_batch', 'ratio') or 0:.3f}",
        f"batch {b('pair_batch', 'batch_per_s') or 0:.0f}/s vs raw on {cores} cores "
        f"{b('pair_batch', 'raw_parallel_per_s') or 0:.0f}/s, interleaved")
    row("batch (veritee verify CLI)", batch_cli.get("unavailable") or batch_cli.get("error") or f"{batch_cli.get('rate', 0):.0f}/s",
        f"{batch_cli.get('reports')} reports via --files-from; over raw on all cores around it {batch_cli.get('over_parallel_raw') or 0:.3f}" if "rate" in batch_cli else "")
    row("serve (veritee serve, loopback)", serve.get("unavailable") or
        f"{serve.get('rps', 0):.0f}/s p50 {serve.get('p50_ms')} ms p99 {serve.get('p99_ms')} ms",
        f"{serve.get('connections')} keep-alive connections, errors {serve.get('errors')}, "
        f"VmHWM after load {serve.get('rss_mib') or 0:.1f} MiB; raw on all cores around it "
        f"{serve.get('raw_parallel_per_s') or 0:.0f}/s" if "rps" in serve else "")
    if isinstance(serve.get("fresh"), dict):
        k = serve["fresh"]
        row("serve, new connection per request", f"{k.get('rps', 0):.0f}/s p50 {k.get('p50_ms')} ms p99 {k.get('p99_ms')} ms",
            f"{k.get('connections')} clients, errors {k.get('errors')}")
    fleet_rows(fleet, row)
    if "rss_mib" in rss:
        row("veritee verify (one report)", f"{rss['rss_mib']:.2f} MiB peak RSS", f"{rss['process_ms']:.1f} ms per process (best of 5)")
    else:
        row("veritee verify (one report)", rss.get("error", "-"), "")
    for peer, res in peers.items():
        if res.get("ok"):
            what = "raw" if peer == "raw" else "verify_cold_mem"
            row(f"peer {peer} ({res['case']})", f"{res['ms_per_verify']:.3f} ms",
                f"n={res.get('n')} after {res.get('warmup')} warm-up; veritee {what} next to it "
                f"{res.get('veritee_ms') or 0:.3f} ms")
        else:
            row(f"peer {peer} ({res['case']})", "rejected/failed", (res.get("error") or "")[:110])
    if peer_problem:
        row("peers", peer_problem, "")
    row("dcap_raw (TDX v4 quote)", fmt_ns(b("dcap_raw")), "SHA-256 + 2 x ECDSA P-256 (QE report, quote), EVP prepared")
    row("dcap_nettle_raw", fmt_ns(b("dcap_nettle_raw")), "the same on GNU Nettle alone (not veritee's backend)")
    row("dcap_verify_cached", fmt_ns(b("dcap_verify_cached")),
        f"quote and collateral parsed; pair ratio {b('pair_dcap_cached', 'ratio')}")
    row("dcap_verify_mem", fmt_ns(b("dcap_verify_mem")), "load_quote + parse_collateral + verify_quote")
    if dcap_peer.get("ok"):
        row("peer dcap-qvl (TDX v4 quote)", f"{dcap_peer['ms_per_verify']:.3f} ms",
            f"status {dcap_peer.get('status')}, n={dcap_peer.get('n')} after {dcap_peer.get('warmup')} warm-up; "
            f"veritee dcap_verify_mem next to it {dcap_peer.get('veritee_ms') or 0:.3f} ms")
    else:
        row("peer dcap-qvl", "rejected/failed", (dcap_peer.get("error") or "")[:110])
    if ir:
        for c in cases:
            parts = [f"{k.split('/')[0]} {ir[k] / 1e6:.2f}M" for k in sorted(ir) if k.endswith('/' + c)]
            if parts:
                row(f"callgrind Ir/{c}", ", ".join(parts), "")
        dcap = [f"{k} {ir[k] / 1e6:.3f}M" for k in sorted(ir) if k.startswith("dcap_")]
        if dcap:
            row("callgrind Ir (DCAP)", ", ".join(dcap), "")
    elif ir_problem:
        row("callgrind", ir_problem, "")

    print()
    print(f"veritee benchmarks ({'quick' if a.quick else 'full'}), results in {out_dir}")
    w0 = max(len(r[0]) for r in rows)
    w1 = min(60, max(len(str(r[1])) for r in rows))
    for name, value, note in rows:
        print(f"  {name:<{w0}}  {str(value):<{w1}}  {note}")
    print()
    print("  ratio                          value    goal")
    for key in ("verify_cached_over_raw", "verify_cached_over_nettle_raw",
                "verify_cold_over_chain_raw", "batch_over_cores_raw",
                "batch_unpaired_over_cores_raw", "batch_over_parallel_raw",
                "batch_cli_over_cores_raw", "serve_over_cores_raw",
                "serve_unpaired_over_cores_raw", "serve_fresh_over_cores_raw",
                "serve_cpu_over_raw", "serve_fleet_over_single", "redis_nonce_p50_ms",
                "verify_rss_mib", "serve_rss_mib", "dcap_verify_cached_over_raw", "verify_cached_over_raw_ir",
                "verify_cold_over_chain_raw_ir", "verify_cached_over_nettle_raw_ir",
                "dcap_verify_cached_over_raw_ir", "dcap_nettle_raw_over_raw"):
        v = ratios.get(key)
        print(f"  {key:<30} {('-' if v is None else v)!s:<8} {goal_text(key, v)}")
    for key in sorted(k for k in ratios if k.startswith("peer_")):
        print(f"  {key:<30} {('-' if ratios[key] is None else ratios[key])!s:<8}")
    print(f"  (took {time.time() - started:.0f} s: " +
          ", ".join(f"{k} {v:.0f} s" for k, v in phases.items()) + ")")
    (out_dir / "ratios.json").write_text(json.dumps(ratios, indent=2) + "\n")
    (out_dir / "details.json").write_text(json.dumps(
        {"bench": bench, "ir": ir, "rss": rss, "batch_cli": batch_cli, "serve": serve, "fleet": fleet,
         "peers": peers, "dcap_peer": dcap_peer, "context": context}, indent=2, default=str) + "\n")
    print(json.dumps(ratios, separators=(",", ":")))



def only_serve_fleet(a, cases, load_before):
    """bench/run --only serve_fleet: the fleet rows and keys alone."""
    started = time.time()
    cli = build(a.no_build, targets=("veritee_serve_load", "veritee_cli"))
    fleet = serve_fleet_bench(cli, a.quick, cases)
    ratios = fleet_ratios(fleet)
    rows = []
    fleet_rows(fleet, lambda name, value, note="": rows.append((name, value, note)))
    print()
    print(f"  load average (before, after)  {load_before} {load_average()}  {os.cpu_count()} cores")
    for name, value, note in rows:
        print(f"  {name}  {value}  {note}")
    for key in ("serve_fleet_over_single", "redis_nonce_p50_ms"):
        v = ratios.get(key)
        print(f"  {key:<30} {('-' if v is None else v)!s:<8} {goal_text(key, v)}")
    print(f"  (took {time.time() - started:.0f} s)")
    ratios.update({"cores": os.cpu_count(), "load": load_average(), "quick": a.quick, "only": "serve_fleet"})
    out_dir = BUILD / "results" / time.strftime("%Y%m%d-%H%M%S")
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "fleet.json").write_text(json.dumps(fleet, indent=2, default=str) + "\n")
    print(json.dumps(ratios, separators=(",", ":")))


if __name__ == "__main__":
    main()
