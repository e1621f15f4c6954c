// dcap_verify_cached_over_raw (issue 14): a DCAP quote of the corpus (the TDX v4 sample of
// dcap-qvl, its collateral current at 2025-07-04) verified by tdx::verify_quote with the quote
// and the collateral already parsed and the verified chains, CRLs and signed documents in a
// tdx::DcapMemo (as the service keeps them), against the floor of its own crypto, built here directly
// on OpenSSL's EVP API with everything prepared outside the timed loop: SHA-256(attestation key
// || QE authentication data) (the QE report binding), ECDSA P-256 of the QE report by the PCK
// key, ECDSA P-256 of header+body by the attestation key (the chain memoized: no certificate
// work). Interleaved on the thread CPU clock (paired.hpp): counter "ratio" of pair_dcap_cached.
//   dcap_raw            the floor
//   dcap_nettle_raw     the same crypto on GNU Nettle alone (sha256_*, ecdsa_verify on
//                       secp256r1, keys and r, s converted outside the loop): shown to say which
//                       library's P-256 the verifier should use (OpenSSL's is faster, so
//                       veritee's DCAP path stays on OpenSSL and dcap_raw is its floor)
//   dcap_verify_cached  verify_quote(parsed quote, parsed collateral)
//   dcap_verify_mem     load_quote + parse_collateral + verify_quote from bytes in memory: what
//                       the npm peer's verify(quote, collateral, now) does per call
// Without the DCAP corpus (../shared/corpus-dcap, or $VERITEE_CORPUS_DCAP) each reports an error.
#include <benchmark/benchmark.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include <gmp.h>
#include <nettle/dsa.h>
#include <nettle/ecc-curve.h>
#include <nettle/ecc.h>
#include <nettle/ecdsa.h>
#include <nettle/sha2.h>

#include <array>
#include <cstdlib>
#include <filesystem>
#include <memory>

#include "paired.hpp"
#include "profile_ops.hpp"
#include "veritee/tdx/collateral.hpp"
#include "veritee/tdx/quote.hpp"
#include "veritee/tdx/verify.hpp"

namespace veritee::bench {
namespace {

constexpr const char* kQuote = "dcap-qvl/sample/tdx_quote";
constexpr const char* kCollateral = "dcap-qvl/sample/tdx_quote_collateral.json";
constexpr const char* kAt = "2025-07-04T10:00:00Z";

std::filesystem::path dcap_corpus() {
  if (const char* env = std::getenv("VERITEE_CORPUS_DCAP"); env && *env) return env;
  std::filesystem::path snp = VERITEE_CORPUS_DIR;
  if (const char* env = std::getenv("VERITEE_CORPUS"); env && *env) snp = env;
  return snp.parent_path() / "corpus-dcap";
}

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct CtxFree {
  void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;
using Ctx = std::unique_ptr<EVP_PKEY_CTX, CtxFree>;

// r || s (32 + 32, big-endian) as the DER ECDSA-Sig-Value OpenSSL verifies.
Bytes der_signature(ByteView rs) {
  ECDSA_SIG* sig = ECDSA_SIG_new();
  ECDSA_SIG_set0(sig, BN_bin2bn(rs.data(), 32, nullptr), BN_bin2bn(rs.data() + 32, 32, nullptr));
  unsigned char* der = nullptr;
  const int len = i2d_ECDSA_SIG(sig, &der);
  Bytes out(der, der + std::max(len, 0));
  OPENSSL_free(der);
  ECDSA_SIG_free(sig);
  return out;
}

// The P-256 key of a raw x || y point.
Pkey p256_key(ByteView xy) {
  std::array<unsigned char, 65> point{0x04};
  std::copy(xy.begin(), xy.end(), point.begin() + 1);
  OSSL_PARAM_BLD* bld = OSSL_PARAM_BLD_new();
  OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0);
  OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size());
  OSSL_PARAM* params = OSSL_PARAM_BLD_to_param(bld);
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr);
  EVP_PKEY* key = nullptr;
  EVP_PKEY_fromdata_init(ctx);
  EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params);
  EVP_PKEY_CTX_free(ctx);
  OSSL_PARAM_free(params);
  OSSL_PARAM_BLD_free(bld);
  return Pkey(key);
}

// One prepared ECDSA P-256 SHA-256 check: the key's context initialised once, the signature
// DER-encoded once; per call one SHA-256 over `message` and one verification.
struct P256Check {
  Ctx ctx;
  ByteView message;
  Bytes sig;
  bool operator()() const {
    std::array<unsigned char, 32> digest{};
    unsigned int len = 0;
    EVP_Digest(message.data(), message.size(), digest.data(), &len, EVP_sha256(), nullptr);
    return EVP_PKEY_verify(ctx.get(), sig.data(), sig.size(), digest.data(), digest.size()) == 1;
  }
};

P256Check prepared(EVP_PKEY* key, ByteView message, ByteView rs) {
  Ctx ctx(EVP_PKEY_CTX_new(key, nullptr));
  EVP_PKEY_verify_init(ctx.get());
  return {std::move(ctx), message, der_signature(rs)};
}

// One ECDSA P-256 SHA-256 check on nettle: the key as an ecc_point, r and s as GMP integers,
// all converted once; per call one SHA-256 (nettle's) and one ecdsa_verify.
struct NettleP256Check {
  ecc_point pub{};
  dsa_signature sig{};
  ByteView message;
  bool usable = false;

  NettleP256Check(ByteView xy, ByteView msg, ByteView rs) : message(msg) {
    ecc_point_init(&pub, nettle_get_secp_256r1());
    dsa_signature_init(&sig);
    mpz_t x, y;
    mpz_init(x);
    mpz_init(y);
    mpz_import(x, 32, 1, 1, 0, 0, xy.data());
    mpz_import(y, 32, 1, 1, 0, 0, xy.data() + 32);
    usable = ecc_point_set(&pub, x, y) == 1;
    mpz_clear(x);
    mpz_clear(y);
    mpz_import(sig.r, 32, 1, 1, 0, 0, rs.data());
    mpz_import(sig.s, 32, 1, 1, 0, 0, rs.data() + 32);
  }
  ~NettleP256Check() {
    ecc_point_clear(&pub);
    dsa_signature_clear(&sig);
  }
  NettleP256Check(const NettleP256Check&) = delete;
  NettleP256Check& operator=(const NettleP256Check&) = delete;

  bool operator()() const {
    sha256_ctx ctx;
    std::uint8_t digest[SHA256_DIGEST_SIZE];
    sha256_init(&ctx);
    sha256_update(&ctx, message.size(), message.data());
    sha256_digest(&ctx, sizeof digest, digest);
    return usable && ecdsa_verify(&pub, sizeof digest, digest, &sig) == 1;
  }
};

// x || y of an EC P-256 EVP_PKEY (the PCK certificate's key).
std::array<unsigned char, 64> p256_point(EVP_PKEY* key) {
  std::array<unsigned char, 64> xy{};
  const char* names[2] = {OSSL_PKEY_PARAM_EC_PUB_X, OSSL_PKEY_PARAM_EC_PUB_Y};
  for (int i = 0; i < 2; ++i) {
    BIGNUM* bn = nullptr;
    if (EVP_PKEY_get_bn_param(key, names[i], &bn) == 1) BN_bn2binpad(bn, xy.data() + 32 * i, 32);
    BN_free(bn);
  }
  return xy;
}

struct DcapCase {
  std::string problem;
  Bytes quote_bytes;
  std::string collateral_text;
  std::optional<tdx::Quote> quote;
  std::optional<tdx::Collateral> collateral;
  veritee::TimePoint at{};
  std::optional<x509::Certificate> pck;
  Pkey attestation_key;
  std::optional<P256Check> qe_report_check;
  std::optional<P256Check> quote_check;
  std::array<unsigned char, 64> pck_point{};
  std::unique_ptr<NettleP256Check> nettle_qe_report_check;
  std::unique_ptr<NettleP256Check> nettle_quote_check;
  mutable tdx::DcapMemo memo;

  DcapCase() {
    const auto dir = dcap_corpus();
    auto q = read_file(dir / kQuote);
    auto c = read_file(dir / kCollateral);
    if (!q || !c) {
      problem = "DCAP corpus absent (looked in " + dir.string() + ")";
      return;
    }
    quote_bytes = std::move(*q);
    collateral_text.assign(c->begin(), c->end());
    auto parsed = tdx::Quote::parse(quote_bytes);
    auto col = tdx::parse_collateral(collateral_text);
    auto certs = parsed ? x509::Certificate::load_all(as_bytes(parsed->pck_chain_pem()))
                        : Result<std::vector<x509::Certificate>>(std::unexpected(parsed.error()));
    if (!parsed || !col || !certs) {
      problem = "the corpus quote or collateral does not parse";
      return;
    }
    quote = std::move(*parsed);
    collateral = std::move(*col);
    at = *veritee::parse_time(kAt);
    pck = certs->front();
    attestation_key = p256_key(quote->attestation_key());
    qe_report_check = prepared(pck->public_key(), quote->qe_report().bytes, quote->qe_report_signature());
    quote_check = prepared(attestation_key.get(), quote->signed_bytes(), quote->signature());
    pck_point = p256_point(pck->public_key());
    nettle_qe_report_check = std::make_unique<NettleP256Check>(
        pck_point, quote->qe_report().bytes, quote->qe_report_signature());
    nettle_quote_check = std::make_unique<NettleP256Check>(
        quote->attestation_key(), quote->signed_bytes(), quote->signature());
    if (!floor()) problem = "the floor does not verify the corpus quote";
    if (!nettle_floor()) problem = "the nettle floor does not verify the corpus quote";
    if (!cached()) problem = "verify_quote does not verify the corpus quote at " + std::string(kAt);
  }

  // SHA-256 of the QE report binding + the two ECDSA P-256 verifications.
  bool floor() const {
    std::array<unsigned char, 32> digest{};
    EVP_MD_CTX* md = EVP_MD_CTX_new();
    unsigned int len = 0;
    EVP_DigestInit_ex(md, EVP_sha256(), nullptr);
    EVP_DigestUpdate(md, quote->attestation_key().data(), quote->attestation_key().size());
    EVP_DigestUpdate(md, quote->qe_auth_data().data(), quote->qe_auth_data().size());
    EVP_DigestFinal_ex(md, digest.data(), &len);
    EVP_MD_CTX_free(md);
    const bool bound = std::equal(digest.begin(), digest.end(), quote->qe_report().report_data.begin());
    return bound && (*qe_report_check)() && (*quote_check)();
  }
  bool nettle_floor() const {
    sha256_ctx ctx;
    std::uint8_t digest[SHA256_DIGEST_SIZE];
    sha256_init(&ctx);
    sha256_update(&ctx, quote->attestation_key().size(), quote->attestation_key().data());
    sha256_update(&ctx, quote->qe_auth_data().size(), quote->qe_auth_data().data());
    sha256_digest(&ctx, sizeof digest, digest);
    const bool bound = std::equal(digest, digest + sizeof digest, quote->qe_report().report_data.begin());
    return bound && (*nettle_qe_report_check)() && (*nettle_quote_check)();
  }
  // The chain, CRLs and signed collateral remembered from the first call (tdx::DcapMemo).
  bool cached() const { return tdx::verify_quote(*quote, *collateral, {at, nullptr, &memo}).verified(); }
  bool from_memory() const {
    auto q = tdx::load_quote(quote_bytes);
    auto c = tdx::parse_collateral(collateral_text);
    return q && c && tdx::verify_quote(q->quote, *c, {at}).verified();
  }
};

const DcapCase& dcap_case() {
  static const DcapCase c;
  return c;
}

bool usable(benchmark::State& state) {
  if (dcap_case().problem.empty()) return true;
  state.SkipWithError(dcap_case().problem.c_str());
  return false;
}

void BM_dcap_raw(benchmark::State& state) {
  if (!usable(state)) return;
  for (auto _ : state) benchmark::DoNotOptimize(dcap_case().floor());
}

void BM_dcap_nettle_raw(benchmark::State& state) {
  if (!usable(state)) return;
  for (auto _ : state) benchmark::DoNotOptimize(dcap_case().nettle_floor());
}

void BM_dcap_verify_cached(benchmark::State& state) {
  if (!usable(state)) return;
  for (auto _ : state) benchmark::DoNotOptimize(dcap_case().cached());
}

void BM_dcap_verify_mem(benchmark::State& state) {
  if (!usable(state)) return;
  for (auto _ : state) benchmark::DoNotOptimize(dcap_case().from_memory());
}

void BM_pair_dcap_cached(benchmark::State& state) {
  if (!usable(state)) return;
  const DcapCase& c = dcap_case();
  paired(state, [&] { benchmark::DoNotOptimize(c.floor()); },
         [&] { benchmark::DoNotOptimize(c.cached()); });
}

// The same operations for the callgrind profile mode (none without the DCAP corpus).
std::vector<Op> dcap_profile_ops() {
  if (!dcap_case().problem.empty()) return {};
  const DcapCase* c = &dcap_case();
  return {{"dcap_raw", [c] { benchmark::DoNotOptimize(c->floor()); }},
          {"dcap_nettle_raw", [c] { benchmark::DoNotOptimize(c->nettle_floor()); }},
          {"dcap_verify_cached", [c] { benchmark::DoNotOptimize(c->cached()); }},
          {"dcap_verify_mem", [c] { benchmark::DoNotOptimize(c->from_memory()); }}};
}
const ProfileOps::Add kDcapProfile(dcap_profile_ops);

BENCHMARK(BM_dcap_raw)->Name("dcap_raw")->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_dcap_nettle_raw)->Name("dcap_nettle_raw")->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_dcap_verify_cached)->Name("dcap_verify_cached")->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_dcap_verify_mem)->Name("dcap_verify_mem")->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_pair_dcap_cached)->Name("pair_dcap_cached")->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace veritee::bench
