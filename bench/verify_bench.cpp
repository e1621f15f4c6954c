// veritee_bench: Google Benchmark cases on real corpus reports (ISSUE 7). Every ratio bench/run
// prints divides a case below by a floor measured in the same run:
//
//   raw/<case>              SHA-384 over [0, 0x2A0) + ECDSA P-384 verify, EVP, all prepared
//   raw_digestverify/<case> the same through EVP_DigestVerifyInit/EVP_DigestVerify with a new
//                           EVP_MD_CTX each time (what naive EVP code pays; shown, not a goal)
//   chain_raw/<case>        3 x (SHA-384 over a TBSCertificate + RSA-4096 PSS verify) + raw
//   parse/<case>            Report::parse + product + findings + every field decoded to JSON
//   parse_view/<case>       Report::parse + findings only (no JSON)
//   verify_cached/<case>    Verifier::verify with the chain already in the VerifiedLinks memo
//                           and the VCEK already parsed (the fleet steady state), then
//                           verify::appraise against a realistic policy when rats is built
//   verify_cold/<case>      from files: read + decode the report, load VCEK and chain files,
//                           verify everything with no memo
//   verify_cold_mem/<case>  the same from bytes already in memory (what the npm peers time)
//   pair_cached/<case>      raw and verify_cached interleaved, on the thread CPU clock: the
//                           verify_cached_over_raw ratio (counter "ratio")
//   nettle_raw/<case>       the report signature on GNU Nettle alone (SHA-384 + ECDSA P-384,
//                           key and R, S converted outside the loop): the nettle backend's floor
//   pair_cached_nettle/<case> nettle_raw and verify_cached interleaved, thread CPU clock:
//                           verify_cached_over_nettle_raw (counter "ratio")
//   pair_cold/<case>        chain_raw and verify_cold interleaved: verify_cold_over_chain_raw
//   pair_cold_mem/<case>    chain_raw and verify_cold_mem interleaved (I/O excluded)
//   vcek_parse/<case>       Certificate::load_all of the VCEK file's bytes
//   chain_load/<case>       Certificate::load_all of the ASK+ARK PEM (pinned roots: shared)
//   raw_parallel            raw on every core at once (the machine's real parallel floor)
//   batch                   verify_batch (all cores) over a directory of report files, with a
//                           MemoizedLookup and a fresh VerifiedLinks per run, JSON lines out
//   pair_batch              batch and raw on every core, interleaved on the wall clock:
//                           batch_over_cores_raw (counter "ratio")
//
// Flags before Google Benchmark's own: --veritee-cases=genoa,milan,turin (default all),
// --veritee-batch=N (files in the batch directory, default 192), --veritee-profile=N[:FILTER]
// (no benchmarks: run each single-threaded op N times for callgrind, see run_profile).
#include <benchmark/benchmark.h>
#include <valgrind/callgrind.h>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>

#include <cstdio>
#include <chrono>
#include <ctime>
#include <cstring>
#include <filesystem>
#include <functional>
#include <iostream>
#include <memory>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

#include <nlohmann/json.hpp>

#include "bench_corpus.hpp"
#include "paired.hpp"
#include "profile_ops.hpp"
#include "raw_floor.hpp"
#include "veritee/verify/batch_verifier.hpp"
#include "veritee/snp/evidence.hpp"
#include "veritee/snp/report_format.hpp"
#include "veritee/verify/verifier.hpp"
#ifdef VERITEE_BENCH_HAVE_RATS
#include "veritee/verify/appraisal.hpp"
#include "veritee/rats/policy_file.hpp"
#endif

namespace veritee::bench {
namespace {

namespace fs = std::filesystem;

// Everything a case needs, prepared once.
struct Prepared {
  LoadedCase loaded;
  std::unique_ptr<RawVerify> raw;
  std::unique_ptr<NettleRaw> nettle_raw;
  std::unique_ptr<RawChain> chain;
  VerifyOptions options;
#ifdef VERITEE_BENCH_HAVE_RATS
  verify::AppraisalPolicy policy;  // realistic: pins this guest's values (see realistic_policy)
#endif
};

#ifdef VERITEE_BENCH_HAVE_RATS
// A policy as a deployment would write it for this guest (examples/policy.toml): its
// measurement among three allowed, its HOST_DATA, FAMILY_ID, IMAGE_ID, VMPL, chip, product,
// signing key, GUEST_SVN, firmware build and a TCB minimum equal to its REPORTED_TCB; debug
// and migration agent refused. Parsed from TOML once, outside the loop.
verify::AppraisalPolicy realistic_policy(const snp::Report& r, snp::Product product) {
  const auto tcb = r.reported_tcb().decode(product);
  std::string chip = to_hex(product == snp::Product::kTurin ? r.chip_id().first(8) : r.chip_id());
  std::string toml;
  toml += "id = \"bench\"\nrequire_nonce = false\nallow_debug = false\nallow_migrate_ma = false\n";
  toml += "min_guest_svn = " + std::to_string(r.guest_svn()) + "\n";
  toml += "min_build = " + std::to_string(r.current_version().build) + "\n";
  toml += "vmpl = [" + std::to_string(r.vmpl()) + "]\n";
  toml += "measurements = [\"" + std::string(96, '1') + "\", \"" + to_hex(r.measurement()) +
          "\", \"" + std::string(96, '2') + "\"]\n";
  toml += "host_data = \"" + to_hex(r.host_data()) + "\"\n";
  toml += "family_id = \"" + to_hex(r.family_id()) + "\"\n";
  toml += "image_id = \"" + to_hex(r.image_id()) + "\"\n";
  toml += "chip_ids = [\"" + chip + "\"]\n";
  toml += "products = [\"" + std::string(snp::to_string(product)) + "\"]\n";
  toml += "signing_keys = [\"VCEK\"]\n";
  toml += "[min_tcb]\n";
  if (tcb.fmc) toml += "fmc = " + std::to_string(*tcb.fmc) + "\n";
  toml += "bl = " + std::to_string(tcb.boot_loader) + "\ntee = " + std::to_string(tcb.tee) +
          "\nsnp = " + std::to_string(tcb.snp) + "\nucode = " + std::to_string(tcb.microcode) + "\n";
  auto policy = rats::parse_policy(toml, "bench policy");
  if (!policy) throw std::runtime_error("bench policy: " + policy.error().message);
  return *policy;
}
#endif

// The cached fleet path: authenticity with the memo, then (when the rats module is built)
// appraisal against the realistic policy. Returns whether both passed.
bool verify_and_appraise(const Verifier& verifier, const struct Prepared& p);

std::vector<std::unique_ptr<Prepared>>& cases() {
  static std::vector<std::unique_ptr<Prepared>> all;
  return all;
}

const x509::Certificate& find_cert(const Endorsements& e, bool self_issued) {
  for (const auto& c : e.chain) {
    if (c.is_self_issued() == self_issued) return c;
  }
  throw std::runtime_error(self_issued ? "no ARK in the chain" : "no ASK in the chain");
}

std::unique_ptr<Prepared> prepare(const BenchCase& spec) {
  auto p = std::make_unique<Prepared>();
  p->loaded = load_case(spec);
  const auto& e = p->loaded.endorsements;
  p->raw = std::make_unique<RawVerify>(raw_ecdsa(p->loaded.report, *e.signer));
  p->nettle_raw = std::make_unique<NettleRaw>(p->loaded.report, *e.signer);
  p->chain = std::make_unique<RawChain>(
      raw_chain(p->loaded.report, *e.signer, find_cert(e, false), find_cert(e, true)));
  p->options.now = spec.now();
  // The case must verify, or its numbers would time a failure path.
  auto report = snp::Report::parse(p->loaded.report);
  auto result = Verifier().verify(*report, e, p->options);
  if (!result.verified()) {
    std::string why;
    for (const auto& c : result.checks.checks) {
      if (!c.ok()) why += " " + c.id + ": " + c.detail;
    }
    throw std::runtime_error(spec.name + " does not verify:" + why);
  }
#ifdef VERITEE_BENCH_HAVE_RATS
  p->policy = realistic_policy(*report, *result.product);
  auto appraisal = verify::appraise(*report, result.product, p->policy);
  if (!appraisal.checks.passed()) {
    std::string why;
    for (const auto& c : appraisal.checks.checks) {
      if (!c.ok()) why += " " + c.id + ": " + c.detail;
    }
    throw std::runtime_error(spec.name + " fails the bench appraisal policy:" + why);
  }
#endif
  return p;
}

bool verify_and_appraise(const Verifier& verifier, const Prepared& p) {
  auto report = snp::Report::parse(p.loaded.report);
  auto result = verifier.verify(*report, p.loaded.endorsements, p.options);
  bool ok = result.verified();
#ifdef VERITEE_BENCH_HAVE_RATS
  auto appraisal = verify::appraise(*report, result.product, p.policy);
  ok = ok && appraisal.checks.passed();
  benchmark::DoNotOptimize(appraisal);
#endif
  benchmark::DoNotOptimize(result);
  return ok;
}

void BM_raw(benchmark::State& state, const Prepared* p) {
  for (auto _ : state) {
    bool ok = (*p->raw)();
    benchmark::DoNotOptimize(ok);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_nettle_raw(benchmark::State& state, const Prepared* p) {
  for (auto _ : state) {
    bool ok = (*p->nettle_raw)();
    benchmark::DoNotOptimize(ok);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_raw_digestverify(benchmark::State& state, const Prepared* p) {
  // The DER signature and the key prepared outside; a fresh EVP_MD_CTX + init per report.
  auto report = snp::Report::parse(p->loaded.report);
  EVP_PKEY* key = p->loaded.endorsements.signer->public_key();
  ECDSA_SIG* sig = ECDSA_SIG_new();
  ECDSA_SIG_set0(sig, BN_lebin2bn(report->signature_r().data(), 48, nullptr),
                 BN_lebin2bn(report->signature_s().data(), 48, nullptr));
  unsigned char* der = nullptr;
  int len = i2d_ECDSA_SIG(sig, &der);
  ECDSA_SIG_free(sig);
  auto data = report->signed_bytes();
  for (auto _ : state) {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    EVP_DigestVerifyInit(ctx, nullptr, EVP_sha384(), nullptr, key);
    int rc = EVP_DigestVerify(ctx, der, static_cast<std::size_t>(len), data.data(), data.size());
    EVP_MD_CTX_free(ctx);
    benchmark::DoNotOptimize(rc);
  }
  OPENSSL_free(der);
  state.SetItemsProcessed(state.iterations());
}

void BM_chain_raw(benchmark::State& state, const Prepared* p) {
  for (auto _ : state) {
    bool ok = (*p->chain)();
    benchmark::DoNotOptimize(ok);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_parse(benchmark::State& state, const Prepared* p) {
  for (auto _ : state) {
    auto report = snp::Report::parse(p->loaded.report);
    auto ctx = snp::decide_product(*report, std::nullopt, std::nullopt);
    auto json = snp::report_to_json(*report, ctx);
    benchmark::DoNotOptimize(json);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_parse_view(benchmark::State& state, const Prepared* p) {
  for (auto _ : state) {
    auto report = snp::Report::parse(p->loaded.report);
    auto ctx = snp::decide_product(*report, std::nullopt, std::nullopt);
    auto findings = report->findings(ctx.product);
    benchmark::DoNotOptimize(findings);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_verify_cached(benchmark::State& state, const Prepared* p) {
  VerifiedLinks memo;
  Verifier verifier(snp::TrustStore::amd(), memo);
  {
    auto report = snp::Report::parse(p->loaded.report);
    if (!verifier.verify(*report, p->loaded.endorsements, p->options).verified()) {
      state.SkipWithError("does not verify");
      return;
    }
  }
  for (auto _ : state) {
    bool ok = verify_and_appraise(verifier, *p);
    benchmark::DoNotOptimize(ok);
  }
  state.SetItemsProcessed(state.iterations());
}

// Endorsements from files the way the CLI's `--vcek F --chain F` takes them.
Endorsements endorsements_from(const std::vector<x509::Certificate>& signer,
                               const std::vector<x509::Certificate>& chain) {
  Endorsements e;
  e.signer = signer.front();
  e.chain = chain;
  return e;
}

// One verification with nothing cached, from the case's files (what `veritee verify --vcek F
// --chain F FILE` does) or from their bytes already in memory (what the npm peers time).
// Returns false when an input does not load.
bool verify_cold_from_files(const Prepared& p) {
  const BenchCase& spec = p.loaded.spec;
  x509::Certificate::forget_parsed();  // cold: nothing parsed before
  auto bytes = read_file(spec.report);
  if (!bytes) return false;
  auto evidence = snp::load_evidence(*bytes);
  if (!evidence) return false;
  auto report = evidence->report();
  auto signer = x509::Certificate::load_file(spec.signer);
  auto chain = x509::Certificate::load_file(spec.chain.front());
  if (!report || !signer || !chain) return false;
  auto result = Verifier().verify(*report, endorsements_from(*signer, *chain), p.options);
  benchmark::DoNotOptimize(result);
  return true;
}

bool verify_cold_from_memory(const Prepared& p) {
  const LoadedCase& lc = p.loaded;
  x509::Certificate::forget_parsed();  // cold: nothing parsed before
  auto evidence = snp::load_evidence(lc.file);
  if (!evidence) return false;
  auto report = evidence->report();
  auto signer = x509::Certificate::load_all(lc.signer_bytes);
  auto chain = x509::Certificate::load_all(lc.chain_bytes.front());
  if (!report || !signer || !chain) return false;
  auto result = Verifier().verify(*report, endorsements_from(*signer, *chain), p.options);
  benchmark::DoNotOptimize(result);
  return true;
}

void BM_verify_cold(benchmark::State& state, const Prepared* p) {
  for (auto _ : state) {
    if (!verify_cold_from_files(*p)) {
      state.SkipWithError("cannot load the inputs");
      return;
    }
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_verify_cold_mem(benchmark::State& state, const Prepared* p) {
  for (auto _ : state) {
    if (!verify_cold_from_memory(*p)) {
      state.SkipWithError("cannot load the inputs");
      return;
    }
  }
  state.SetItemsProcessed(state.iterations());
}

// verify_cached (memo warmed by one verification) interleaved with a floor.
template <class Floor>
void pair_cached_with(benchmark::State& state, const Prepared* p, Floor floor) {
  VerifiedLinks memo;
  Verifier verifier(snp::TrustStore::amd(), memo);
  auto warm = snp::Report::parse(p->loaded.report);
  if (!verifier.verify(*warm, p->loaded.endorsements, p->options).verified()) {
    state.SkipWithError("does not verify");
    return;
  }
  paired(state, floor, [&] { benchmark::DoNotOptimize(verify_and_appraise(verifier, *p)); });
}

void BM_pair_cached(benchmark::State& state, const Prepared* p) {
  pair_cached_with(state, p, [p] { benchmark::DoNotOptimize((*p->raw)()); });
}

void BM_pair_cached_nettle(benchmark::State& state, const Prepared* p) {
  pair_cached_with(state, p, [p] { benchmark::DoNotOptimize((*p->nettle_raw)()); });
}

void BM_pair_cold(benchmark::State& state, const Prepared* p) {
  paired(state, [p] { benchmark::DoNotOptimize((*p->chain)()); },
         [p] { benchmark::DoNotOptimize(verify_cold_from_files(*p)); });
}

void BM_pair_cold_mem(benchmark::State& state, const Prepared* p) {
  paired(state, [p] { benchmark::DoNotOptimize((*p->chain)()); },
         [p] { benchmark::DoNotOptimize(verify_cold_from_memory(*p)); });
}

// Parsing the VCEK (the one certificate a cold verification must parse: ASK/ARK bytes equal
// to the pinned roots are shared) from its file's bytes.
void BM_vcek_parse(benchmark::State& state, const Prepared* p) {
  for (auto _ : state) {
    x509::Certificate::forget_parsed();
    auto certs = x509::Certificate::load_all(p->loaded.signer_bytes);
    benchmark::DoNotOptimize(certs);
  }
  state.SetItemsProcessed(state.iterations());
}

// Loading the ASK+ARK file: PEM decoding and the comparison with the pinned roots.
void BM_chain_load(benchmark::State& state, const Prepared* p) {
  for (auto _ : state) {
    auto certs = x509::Certificate::load_all(p->loaded.chain_bytes.front());
    benchmark::DoNotOptimize(certs);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_raw_parallel(benchmark::State& state, const Prepared* p) {
  // RawVerify's EVP_PKEY_CTX is not shared between threads: each thread prepares its own.
  RawVerify raw = raw_ecdsa(p->loaded.report, *p->loaded.endorsements.signer);
  for (auto _ : state) {
    bool ok = raw();
    benchmark::DoNotOptimize(ok);
  }
  state.SetItemsProcessed(state.iterations());
}

// The single-threaded operations again, as plain callables, for the callgrind profile mode:
// instruction counts are repeatable where times on a shared machine are not.
std::vector<Op> profile_ops(std::vector<std::unique_ptr<VerifiedLinks>>& memos) {
  std::vector<Op> ops;
  for (const auto& up : cases()) {
    const Prepared* p = up.get();
    const std::string n = "/" + p->loaded.spec.name;
    ops.push_back({"raw" + n, [p] { benchmark::DoNotOptimize((*p->raw)()); }});
    ops.push_back({"nettle_raw" + n, [p] { benchmark::DoNotOptimize((*p->nettle_raw)()); }});
    ops.push_back({"chain_raw" + n, [p] { benchmark::DoNotOptimize((*p->chain)()); }});
    ops.push_back({"parse" + n, [p] {
                     auto report = snp::Report::parse(p->loaded.report);
                     auto ctx = snp::decide_product(*report, std::nullopt, std::nullopt);
                     auto json = snp::report_to_json(*report, ctx);
                     benchmark::DoNotOptimize(json);
                   }});
    memos.push_back(std::make_unique<VerifiedLinks>());
    VerifiedLinks* memo = memos.back().get();
    ops.push_back({"verify_cached" + n, [p, memo] {
                     Verifier verifier(snp::TrustStore::amd(), *memo);
                     benchmark::DoNotOptimize(verify_and_appraise(verifier, *p));
                   }});
    ops.push_back({"verify_cold" + n, [p] { verify_cold_from_files(*p); }});
  }
  for (ProfileOps::Source more : ProfileOps::sources()) {
    for (Op& op : more()) ops.push_back(std::move(op));
  }
  return ops;
}

// Runs every op `iterations` times with callgrind collecting only the loop, dumping one
// profile per op (valgrind --tool=callgrind --collect-atstart=no); each dump's trigger names
// the op. Outside valgrind the client requests do nothing.
int run_profile(int iterations, const std::string& filter) {
  std::vector<std::unique_ptr<VerifiedLinks>> memos;
  for (const Op& op : profile_ops(memos)) {
    if (!filter.empty() && op.name.find(filter) == std::string::npos) continue;
    op.run();  // warm: first-use initialisation, and the memo of verify_cached
    CALLGRIND_TOGGLE_COLLECT;
    for (int i = 0; i < iterations; ++i) op.run();
    CALLGRIND_TOGGLE_COLLECT;
    const std::string tag = op.name + " x" + std::to_string(iterations);
    CALLGRIND_DUMP_STATS_AT(tag.c_str());
    std::cout << "profiled " << tag << '\n';
  }
  return 0;
}

// A directory of report files, round-robin over the cases, removed at exit.
struct BatchDir {
  fs::path dir;
  std::vector<std::string> files;
  ~BatchDir() {
    std::error_code ec;
    if (!dir.empty()) fs::remove_all(dir, ec);
  }
};

BatchDir& batch_dir(std::size_t count) {
  static BatchDir d;
  if (!d.files.empty()) return d;
  d.dir = fs::temp_directory_path() / ("veritee-bench-batch-" + std::to_string(::getpid()));
  fs::create_directories(d.dir);
  for (std::size_t i = 0; i < count; ++i) {
    const Prepared& p = *cases()[i % cases().size()];
    char name[64];
    std::snprintf(name, sizeof name, "r%05zu-%s.bin", i, p.loaded.spec.name.c_str());
    fs::path path = d.dir / name;
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (!f || std::fwrite(p.loaded.file.data(), 1, p.loaded.file.size(), f) != p.loaded.file.size()) {
      throw std::runtime_error("cannot write " + path.string());
    }
    std::fclose(f);
    d.files.push_back(path.string());
  }
  return d;
}

std::size_t g_batch_files = 192;

// What an endorsement cache on disk answers: the VCEK and chain files for the chip. The
// MemoizedLookup in front of it keeps what it found, as the CLI's batch mode does.
Result<Endorsements> endorsements_from_files(const snp::Report& report) {
  for (const auto& p : cases()) {
    auto mine = snp::Report::parse(p->loaded.report);
    if (!std::equal(mine->chip_id().begin(), mine->chip_id().end(), report.chip_id().begin())) {
      continue;
    }
    auto signer = x509::Certificate::load_file(p->loaded.spec.signer);
    if (!signer) return std::unexpected(signer.error());
    auto chain = x509::Certificate::load_file(p->loaded.spec.chain.front());
    if (!chain) return std::unexpected(chain.error());
    return endorsements_from(*signer, *chain);
  }
  return fail(Errc::kEndorsementMissing, "no endorsements for this chip");
}

// One `veritee verify` over the directory: fresh memo and lookup (a new process would start
// empty), all cores, one JSON line per report built under the emit lock. Returns how many
// reports did not verify.
std::size_t run_batch_once(const std::vector<std::string>& files, std::string& out) {
  // One `now` for all: the corpus cases used here need no historic time.
  const VerifyOptions options = cases().front()->options;
  VerifiedLinks memo;
  Verifier verifier(snp::TrustStore::amd(), memo);
  MemoizedLookup lookup(endorsements_from_files);
  EndorsementLookup by_ref = [&lookup](const snp::Report& r) { return lookup(r); };
  std::size_t failed = 0;
  out.clear();
  verify_batch(files, by_ref, verifier, options, 0, [&](const BatchItem& item) {
    nlohmann::json line{{"input", item.input}, {"verdict", static_cast<int>(item.verdict)}};
    if (item.result) {
      line["verified"] = item.result->verified();
      nlohmann::json checks = nlohmann::json::array();
      for (const auto& c : item.result->checks.checks) {
        checks.push_back({{"id", c.id}, {"status", std::string(to_string(c.status))}});
      }
      line["checks"] = std::move(checks);
    } else {
      line["error"] = item.error;
    }
    if (item.verdict != Verdict::kVerified) ++failed;
    out += line.dump();
    out += '\n';
  });
  return failed;
}

void BM_batch(benchmark::State& state) {
  const BatchDir& dir = batch_dir(g_batch_files);
  std::size_t failed = 0;
  std::string out;
  for (auto _ : state) {
    failed += run_batch_once(dir.files, out);
    benchmark::DoNotOptimize(out);
  }
  if (failed) state.SkipWithError("some batch reports did not verify");
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(dir.files.size()));
  state.counters["files"] = static_cast<double>(dir.files.size());
}

// The same batch, paired with its floor at the same moment: as many raw verifications as there
// are files, spread over every core (each thread with its own prepared contexts), alternating
// which runs first, on the wall clock. ratio = batch throughput / parallel raw throughput,
// i.e. against cores x raw as far as this machine's other users leave the cores to us.
void BM_pair_batch(benchmark::State& state) {
  const BatchDir& dir = batch_dir(g_batch_files);
  const unsigned threads = std::max(1U, std::thread::hardware_concurrency());
  std::vector<std::vector<RawVerify>> per_thread(threads);
  for (auto& v : per_thread) {
    for (const auto& p : cases()) v.push_back(raw_ecdsa(p->loaded.report, *p->loaded.endorsements.signer));
  }
  const std::size_t n = dir.files.size();
  auto parallel_raw = [&] {
    std::vector<std::thread> pool;
    for (unsigned t = 0; t < threads; ++t) {
      pool.emplace_back([&, t] {
        const auto& mine = per_thread[t];
        for (std::size_t i = t; i < n; i += threads) benchmark::DoNotOptimize(mine[i % mine.size()]());
      });
    }
    for (auto& th : pool) th.join();
  };
  using Clock = std::chrono::steady_clock;
  double raw_s = 0;
  double batch_s = 0;
  std::size_t failed = 0;
  std::string out;
  bool raw_first = true;
  for (auto _ : state) {
    auto t0 = Clock::now();
    if (raw_first) parallel_raw(); else failed += run_batch_once(dir.files, out);
    auto t1 = Clock::now();
    if (raw_first) failed += run_batch_once(dir.files, out); else parallel_raw();
    auto t2 = Clock::now();
    const double first = std::chrono::duration<double>(t1 - t0).count();
    const double second = std::chrono::duration<double>(t2 - t1).count();
    raw_s += raw_first ? first : second;
    batch_s += raw_first ? second : first;
    raw_first = !raw_first;
  }
  if (failed) state.SkipWithError("some batch reports did not verify");
  const double total = static_cast<double>(state.iterations() * n);
  state.counters["raw_parallel_per_s"] = total / raw_s;
  state.counters["batch_per_s"] = total / batch_s;
  state.counters["ratio"] = raw_s / batch_s;
  state.counters["files"] = static_cast<double>(n);
}

}  // namespace
}  // namespace veritee::bench

int main(int argc, char** argv) {
  using namespace veritee::bench;
  std::string only;
  int profile_iterations = 0;
  std::string profile_filter;
  std::vector<char*> rest{argv[0]};
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a.rfind("--veritee-cases=", 0) == 0) {
      only = a.substr(std::strlen("--veritee-cases="));
    } else if (a.rfind("--veritee-profile=", 0) == 0) {
      std::string v = a.substr(std::strlen("--veritee-profile="));
      auto colon = v.find(':');
      profile_iterations = std::stoi(v.substr(0, colon));
      if (colon != std::string::npos) profile_filter = v.substr(colon + 1);
    } else if (a.rfind("--veritee-batch=", 0) == 0) {
      g_batch_files = std::stoul(a.substr(std::strlen("--veritee-batch=")));
    } else {
      rest.push_back(argv[i]);
    }
  }
  try {
    for (const auto& spec : bench_cases(only)) cases().push_back(prepare(spec));
  } catch (const std::exception& e) {
    std::cerr << "veritee_bench: " << e.what() << '\n';
    return 2;
  }
  if (profile_iterations > 0) return run_profile(profile_iterations, profile_filter);
  const int threads = static_cast<int>(std::max(1U, std::thread::hardware_concurrency()));
  for (const auto& p : cases()) {
    const std::string n = "/" + p->loaded.spec.name;
    const Prepared* c = p.get();
    benchmark::RegisterBenchmark(("raw" + n).c_str(), BM_raw, c)->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark(("nettle_raw" + n).c_str(), BM_nettle_raw, c)
        ->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark(("raw_digestverify" + n).c_str(), BM_raw_digestverify, c)
        ->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark(("chain_raw" + n).c_str(), BM_chain_raw, c)
        ->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark(("parse" + n).c_str(), BM_parse, c);
    benchmark::RegisterBenchmark(("parse_view" + n).c_str(), BM_parse_view, c);
    benchmark::RegisterBenchmark(("verify_cached" + n).c_str(), BM_verify_cached, c)
        ->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark(("verify_cold" + n).c_str(), BM_verify_cold, c)
        ->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark(("verify_cold_mem" + n).c_str(), BM_verify_cold_mem, c)
        ->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark(("vcek_parse" + n).c_str(), BM_vcek_parse, c)
        ->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark(("chain_load" + n).c_str(), BM_chain_load, c)
        ->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark(("pair_cached" + n).c_str(), BM_pair_cached, c)
        ->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark(("pair_cached_nettle" + n).c_str(), BM_pair_cached_nettle, c)
        ->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark(("pair_cold" + n).c_str(), BM_pair_cold, c)
        ->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark(("pair_cold_mem" + n).c_str(), BM_pair_cold_mem, c)
        ->Unit(benchmark::kMicrosecond);
  }
  benchmark::RegisterBenchmark("raw_parallel", BM_raw_parallel, cases().front().get())
      ->Threads(threads)
      ->UseRealTime()
      ->Unit(benchmark::kMicrosecond);
  benchmark::RegisterBenchmark("batch", BM_batch)->UseRealTime()->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("pair_batch", BM_pair_batch)->UseRealTime()->Unit(benchmark::kMillisecond);

  int bargc = static_cast<int>(rest.size());
  benchmark::Initialize(&bargc, rest.data());
  if (benchmark::ReportUnrecognizedArguments(bargc, rest.data())) return 2;
  benchmark::AddCustomContext("veritee_cases", only.empty() ? "genoa,milan,turin" : only);
  benchmark::AddCustomContext("veritee_threads", std::to_string(threads));
#ifdef VERITEE_BENCH_HAVE_RATS
  benchmark::AddCustomContext("veritee_appraisal", "verify_cached includes verify::appraise");
#else
  benchmark::AddCustomContext("veritee_appraisal", "none: the rats module is not built");
#endif
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
