// Corpus samples for the endorsement tests (a report with the VCEK that signed it and its AMD
// chain), a test PKI report and CRLs, and a look inside a cache directory.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "mock_kds.hpp"
#include "support/test_pki.hpp"
#include "veritee/common/bytes.hpp"
#include "veritee/x509/certificate.hpp"
#include "veritee/endorse/kds_url.hpp"
#include "veritee/snp/report.hpp"

namespace veritee::test {

struct Sample {
  std::filesystem::path report_file;  // in the corpus
  Bytes bytes;                        // the 0x4A0 report bytes
  snp::Product product;
  x509::Certificate vcek;
  Bytes chain_pem;  // ASK + ARK as KDS serves it

  snp::Report report() const { return snp::Report::parse(bytes).value(); }
  endorse::VcekRequest request() const {
    return endorse::VcekRequest::from_report(report(), product).value();
  }
  std::string vcek_path() const { return endorse::vcek_path(request()); }
  // Serves the VCEK and the chain of this sample.
  void serve(MockKds& kds) const;
};

// Real AMD-signed samples (nullopt without the corpus).
std::optional<Sample> milan_sample();    // v3 Milan, ms-tee-attestation-verification
std::optional<Sample> turin_sample();    // v5 Turin
std::optional<Sample> milan_v2_sample(); // v2 Milan (no CPUID), go-sev-guest
// A genuine AMD Milan VCEK of another chip than milan_sample()'s.
std::optional<x509::Certificate> other_milan_vcek();

// A v3 Milan report re-signed by the VCEK of a test PKI (test_pki.hpp: ARK, ASK, VCEK, all
// RSA-PSS like AMD's), pinned only in `pki.store`.
struct PkiSample {
  Bytes bytes;
  TestPki pki;
  snp::Report report() const { return snp::Report::parse(bytes).value(); }
};
std::optional<PkiSample> pki_sample();
// A CRL of the test ARK, revoking `serials`.
Bytes pki_crl(const PkiSample& s, veritee::TimePoint this_update, veritee::TimePoint next_update,
              const std::vector<std::int64_t>& serials = {});

// What a cache directory holds: ref keys, and object files whose name must be their sha256.
struct CacheContents {
  std::vector<std::string> refs;
  std::vector<Bytes> objects;
  std::vector<std::string> misnamed;  // objects whose content does not match their name
};
CacheContents cache_contents(const std::filesystem::path& dir);

std::string sha256_hex(ByteView bytes);

}  // namespace veritee::test
