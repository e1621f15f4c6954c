// consumer_cpp REPORT SIGNER CHAIN AT PRODUCT: verifies with the installed C++ core and again
// with the C ABI; exits with the CLI's exit code for the verdict (0, 1, 2, 3), or 9 when the
// two disagree. AT and PRODUCT may be "-".
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>

#include "veritee/snp/evidence.hpp"
#include "veritee/verify/endorsement_bytes.hpp"
#include "veritee/verify/verifier.hpp"
#include "veritee/veritee.h"

namespace {
veritee::Bytes slurp(const char* path) {
  std::ifstream in(path, std::ios::binary);
  return veritee::Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

int cpp_verify(const veritee::Bytes& ev, const veritee::Bytes& signer, const veritee::Bytes& chain,
               const std::string& at, const std::string& product) {
  auto evidence = veritee::snp::load_evidence(ev);
  if (!evidence) return 2;
  auto report = evidence->report();
  if (!report) return 2;
  auto endorsements = veritee::endorsements_from_bytes(signer, chain);
  if (!endorsements) return 3;
  veritee::VerifyOptions options{std::chrono::system_clock::now(), std::nullopt, false};
  if (at != "-") options.now = veritee::parse_time(at).value();
  if (product != "-") options.product = veritee::snp::parse_product(product).value();
  switch (veritee::Verifier().verify(*report, *endorsements, options).checks.verdict()) {
    case veritee::Verdict::kVerified: return 0;
    case veritee::Verdict::kInputMalformed: return 2;
    case veritee::Verdict::kEvidenceFailed: return 1;
    case veritee::Verdict::kEndorsementProblem: return 3;
  }
  return 1;
}
}  // namespace

int main(int argc, char** argv) {
  if (argc != 6) {
    std::cerr << "usage: consumer_cpp REPORT SIGNER CHAIN AT PRODUCT\n";
    return 2;
  }
  const veritee::Bytes ev = slurp(argv[1]), signer = slurp(argv[2]), chain = slurp(argv[3]);
  const std::string at = argv[4], product = argv[5];
  const int from_cpp = cpp_verify(ev, signer, chain, at, product);

  veritee_options* o = veritee_options_new();
  if (at != "-") veritee_options_set_time(o, at.c_str());
  if (product != "-") veritee_options_set_product(o, product.c_str());
  veritee_result* r = nullptr;
  const int from_c = veritee_verify(ev.data(), ev.size(), signer.data(), signer.size(),
                                    chain.data(), chain.size(), o, &r);
  std::cout << "C++ core: " << from_cpp << ", C ABI " << veritee_version() << ": " << from_c
            << ' ' << veritee_result_error(r) << '\n';
  veritee_result_free(r);
  veritee_options_free(o);
  return from_cpp == from_c ? from_c : 9;
}
