// veritee fetch vcek REPORT | chain --product P [--vlek] | crl --product P [--vlek] [--out FILE]:
// one endorsement from the cache or AMD KDS, checked against the pinned AMD roots before it is
// stored or written (AMD doc 57230, section 4 "KDS Interface").
#include <iostream>
#include <memory>

#include "cli_common.hpp"
#include "command_registry.hpp"
#include "endorsement_options.hpp"
#include "veritee/common/check.hpp"
#include "veritee/snp/report_format.hpp"

namespace veritee::cli {
namespace {

struct FetchFlags {
  EndorsementFlags sources;
  std::string report;
  std::string product;
  bool vlek = false;
  std::string out;
};

std::string pem_block(std::string_view label, ByteView der) {
  const std::string b64 = to_base64(der);
  std::string pem = "-----BEGIN " + std::string(label) + "-----\n";
  for (std::size_t i = 0; i < b64.size(); i += 64) pem += b64.substr(i, 64) + "\n";
  return pem + "-----END " + std::string(label) + "-----\n";
}

// --out FILE gets the bytes as KDS serves them (DER VCEK, PEM chain, DER CRL); stdout gets PEM.
template <class T>
int emit(const Result<endorse::Fetched<T>>& fetched, const std::string& what, const FetchFlags& f,
         const std::string& pem) {
  if (!fetched) {
    print_error(fetched.error());
    return endorsement_exit_code(fetched.error());
  }
  std::cerr << "veritee: " << what << " from " << fetched->source << '\n';
  if (f.out.empty()) {
    std::cout << pem;
    return kExitVerified;
  }
  if (auto ok = write_output(f.out, fetched->bytes); !ok) {
    print_error(ok.error());
    return kExitUsage;
  }
  std::cerr << "veritee: wrote " << f.out << '\n';
  return kExitVerified;
}

Result<snp::Product> required_product(const FetchFlags& f) {
  auto product = product_flag(f.product);
  if (!product) return std::unexpected(product.error());
  if (!*product) return fail(Errc::kInvalidInput, "--product is required (milan, genoa, turin)");
  return **product;
}

int run_fetch_vcek(const FetchFlags& f) {
  auto input = read_report_input(f.report, f.product);
  if (!input) return kExitUsage;
  const auto& product = input->product;
  const snp::Report report = input->report();
  auto context = snp::decide_product(report, product, std::nullopt);
  if (!context.product) {
    print_error("cannot tell the product line: " + context.problem + "; pass --product");
    return kExitUsage;
  }
  auto request = endorse::VcekRequest::from_report(report, *context.product);
  if (!request) {
    print_error(request.error());
    return kExitEndorsement;
  }
  auto sources = EndorsementSources::open(f.sources, snp::TrustStore::amd(), true, true);
  if (!sources) {
    print_error(sources.error());
    return kExitEndorsement;
  }
  auto vcek = (*sources)->fetcher().vcek(*request);
  (*sources)->say_where_cached();
  return emit(vcek, "VCEK for " + request->describe(), f,
              vcek ? vcek->value.pem() : std::string());
}

int run_fetch_chain(const FetchFlags& f, bool crl) {
  auto product = required_product(f);
  if (!product) {
    print_error(product.error());
    return kExitUsage;
  }
  auto sources = EndorsementSources::open(f.sources, snp::TrustStore::amd(), true, true);
  if (!sources) {
    print_error(sources.error());
    return kExitEndorsement;
  }
  const endorse::Line line = f.vlek ? endorse::Line::kVlek : endorse::Line::kVcek;
  const std::string what = std::string(snp::kds_name(*product)) + " " +
                           std::string(endorse::to_string(line)) + (crl ? " CRL" : " cert_chain");
  auto fetcher = (*sources)->fetcher();
  if (crl) {
    auto got = fetcher.crl(*product, line);
    (*sources)->say_where_cached();
    return emit(got, what, f, got ? pem_block("X509 CRL", got->value.der()) : std::string());
  }
  auto got = fetcher.chain(*product, line);
  (*sources)->say_where_cached();
  std::string pem;
  if (got) {
    for (const auto& cert : got->value) pem += cert.pem();
  }
  return emit(got, what, f, pem);
}

void add_common(CLI::App& cmd, FetchFlags& f) {
  add_endorsement_flags(cmd, f.sources, kNetworkFlags);
  cmd.add_option("--out", f.out, "write the bytes as KDS serves them here (default: PEM on stdout)");
}

const Registration kFetch{
    {"fetch", "Fetch a VCEK, certificate chain or CRL from AMD KDS (through the cache)", 30,
     [](CLI::App& cmd) -> Runner {
       auto f = std::make_shared<FetchFlags>();
       cmd.require_subcommand(1);
       CLI::App* vcek = cmd.add_subcommand("vcek", "the VCEK a VCEK-signed report needs");
       vcek->add_option("REPORT", f->report, "report (any encoding/container `show` reads)")
           ->required();
       vcek->add_option("--product", f->product, "milan, genoa or turin (v2 reports)");
       add_common(*vcek, *f);
       CLI::App* chain = cmd.add_subcommand("chain", "the ASK+ARK (or ASVK+ARK with --vlek)");
       CLI::App* crl = cmd.add_subcommand("crl", "the ARK-signed CRL of a product line");
       for (CLI::App* sub : {chain, crl}) {
         sub->add_option("--product", f->product, "milan, genoa or turin")->required();
         sub->add_flag("--vlek", f->vlek, "the VLEK line (ASVK) instead of the VCEK line (ASK)");
         add_common(*sub, *f);
       }
       cmd.footer("Exit codes: 0 fetched and checked; 2 usage error; 3 not available or failed "
                  "its check (nothing is stored then).");
       return [f, vcek, chain] {
         if (vcek->parsed()) return run_fetch_vcek(*f);
         return run_fetch_chain(*f, !chain->parsed());
       };
     }}};

}  // namespace
}  // namespace veritee::cli
