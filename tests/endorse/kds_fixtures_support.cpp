#include "kds_fixtures.hpp"

#include <openssl/evp.h>

#include <algorithm>

#include "support/corpus.hpp"
#include "veritee/endorse/endorsement_cache.hpp"

namespace veritee::test {

namespace {

std::optional<Sample> load_sample(const char* report, const char* vcek, const char* chain,
                                  snp::Product product) {
  if (!corpus_dir()) return std::nullopt;
  auto row = find_row([&](const ManifestRow& r) { return r.report == report; });
  if (!row) return std::nullopt;
  auto certs = x509::Certificate::load_file(corpus_path(vcek));
  auto chain_bytes = read_file(corpus_path(chain));
  if (!certs || certs->size() != 1 || !chain_bytes) return std::nullopt;
  return Sample{corpus_path(report), report_bytes_of(*row), product, certs->front(),
                *chain_bytes};
}

}  // namespace

void Sample::serve(MockKds& kds) const {
  kds.add_vcek(product, vcek);
  kds.add(endorse::chain_path(product, endorse::Line::kVcek), chain_pem);
}

std::optional<Sample> milan_sample() {
  return load_sample("ms-tee-attestation-verification/milan_attestation_report.bin",
                     "ms-tee-attestation-verification/milan_vcek.pem",
                     "go-sev-guest/ask_ark_milan.pem", snp::Product::kMilan);
}

std::optional<Sample> turin_sample() {
  return load_sample("ms-tee-attestation-verification/turin_attestation_report.bin",
                     "ms-tee-attestation-verification/turin_vcek.pem",
                     "go-sev-guest/ask_ark_turin_vcek.pem", snp::Product::kTurin);
}

std::optional<Sample> milan_v2_sample() {
  return load_sample("go-sev-guest/attestation.bin", "go-sev-guest/vcek.testcer",
                     "go-sev-guest/ask_ark_milan.pem", snp::Product::kMilan);
}

std::optional<x509::Certificate> other_milan_vcek() {
  auto s = milan_v2_sample();
  if (!s) return std::nullopt;
  return s->vcek;
}

std::optional<PkiSample> pki_sample() {
  auto s = milan_sample();
  if (!s) return std::nullopt;
  // As make_test_pki, with RSA-2048 keys: each test runs in its own process and RSA-4096 key
  // generation costs seconds there (more under sanitizers); the checks are the same.
  const std::string name = "Milan";
  SharedPkey ark_key = make_rsa_key(2048), ask_key = make_rsa_key(2048);
  SharedPkey vcek_key = make_p384_key();
  auto spec = [](std::string subject, std::string issuer, std::int64_t serial, bool ca) {
    CertSpec out;
    out.subject_cn = std::move(subject);
    out.issuer_cn = std::move(issuer);
    out.serial = serial;
    out.not_before = default_not_before();
    out.not_after = default_not_after();
    out.ca = ca;
    return out;
  };
  CertSpec ark_spec = spec("ARK-" + name, "ARK-" + name, 0x1001, true);
  CertSpec ask_spec = spec("SEV-" + name, "ARK-" + name, 0x1002, true);
  CertSpec vcek_spec = spec("SEV-VCEK", "SEV-" + name, 0x1003, false);
  vcek_spec.amd = extensions_for_report(s->bytes, snp::Product::kMilan);
  auto ark = to_certificate(make_certificate_der(ark_spec, ark_key.get(), ark_key.get()));
  auto ask = to_certificate(make_certificate_der(ask_spec, ask_key.get(), ark_key.get()));
  auto vcek = to_certificate(make_certificate_der(vcek_spec, vcek_key.get(), ask_key.get()));
  snp::TrustStore store;
  store.pin(snp::Product::kMilan, snp::ProductRoots{ark, ask, std::nullopt});
  TestPki pki{snp::Product::kMilan, ark_key, ask_key, vcek_key, ark, ask, vcek, store};
  Bytes signed_report = sign_report(s->bytes, pki.vcek_key.get());
  return PkiSample{std::move(signed_report), std::move(pki)};
}

Bytes pki_crl(const PkiSample& s, veritee::TimePoint this_update, veritee::TimePoint next_update,
              const std::vector<std::int64_t>& serials) {
  return make_crl_der(s.pki.ark.subject_cn(), s.pki.ark_key.get(), this_update, next_update,
                      serials);
}

std::string sha256_hex(ByteView bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest, &size, EVP_sha256(), nullptr);
  return to_hex(ByteView(digest, size));
}

CacheContents cache_contents(const std::filesystem::path& dir) {
  CacheContents out;
  out.refs = endorse::EndorsementCache(dir, {.read_only = true}).keys();
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir / "v1" / "objects", ec)) {
    Bytes bytes = read_file(entry.path()).value();
    if (sha256_hex(bytes) != entry.path().filename().string()) {
      out.misnamed.push_back(entry.path().string());
    }
    out.objects.push_back(std::move(bytes));
  }
  return out;
}

}  // namespace veritee::test
