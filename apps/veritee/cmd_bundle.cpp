// veritee bundle REPORT... --out DIR: everything needed to verify those reports offline (VCEK,
// chain, CRL; a DCAP quote's collateral: dcap_bundle.cpp), checked against the pinned roots and written in the cache's own layout, so
// that `veritee verify --endorsements DIR --offline` works on an air-gapped machine.
#include <iostream>
#include <memory>

#include "cli_common.hpp"
#include "command_registry.hpp"
#include "dcap_cli.hpp"
#include "dcap_sources.hpp"
#include "endorsement_options.hpp"
#include "output.hpp"
#include "veritee/common/check.hpp"

namespace veritee::cli {
namespace {

struct BundleFlags {
  EndorsementFlags sources;
  std::vector<std::string> reports;
  std::string product;
  std::string out;
  std::string at;  // DCAP quotes: judge the collateral's staleness at this time
};

int run_bundle(const BundleFlags& f) {
  auto product = product_flag(f.product);
  if (!product) {
    print_error(product.error());
    return kExitUsage;
  }
  const auto& roots = snp::TrustStore::amd();
  auto sources = EndorsementSources::open(f.sources, roots, true, true);
  if (!sources) {
    print_error(sources.error());
    return kExitEndorsement;
  }
  endorse::EndorsementCache bundle(f.out, endorse::CacheOptions{false, false, {}, [](const auto& m) {
                                                          std::cerr << "veritee: " << m << '\n';
                                                        }});
  auto fetcher = (*sources)->fetcher();
  std::unique_ptr<DcapSources> dcap;  // opened for the first quote
  std::optional<veritee::TimePoint> at;
  if (!f.at.empty()) {
    auto t = time_flag(f.at);
    if (!t) {
      print_error(t.error());
      return kExitUsage;
    }
    at = *t;
  }
  int rc = kExitVerified;
  nlohmann::json reports = nlohmann::json::array();  // --json: one entry per REPORT
  auto failed = [&](const std::string& path, int code, const std::string& message) {
    print_error(message);
    rc = code == kExitEndorsement ? code : std::max(rc, code);
    reports.push_back({{"file", path}, {"exit_code", code}, {"error", message}});
  };
  for (const std::string& path : f.reports) {
    if (is_dcap_quote_file(path)) {
      if (!dcap) {
        auto opened = DcapSources::open(f.sources, true);
        if (!opened) {
          print_error(opened.error());
          return kExitEndorsement;
        }
        dcap = std::move(*opened);
      }
      BundledQuote q = bundle_quote(path, bundle, *dcap, at);
      if (q.exit_code != kExitVerified) {
        failed(path, q.exit_code, q.error);
        continue;
      }
      if (text_output()) {
        std::cout << path << ":";
        for (const auto& key : q.keys) std::cout << ' ' << key;
        std::cout << '\n';
      }
      reports.push_back({{"file", path}, {"exit_code", 0}, {"keys", q.keys}});
      continue;
    }
    auto evidence = load_evidence_file(path);
    if (!evidence) {
      failed(path, kExitUsage, evidence.error().message);
      continue;
    }
    auto report = evidence->report();
    if (!report) {
      failed(path, kExitUsage, path + ": " + report.error().message);
      continue;
    }
    auto added = endorse::add_to_bundle(bundle, fetcher, *report, *product, !f.sources.no_crl, roots);
    if (!added) {
      failed(path, kExitEndorsement, path + ": " + added.error().message);
      continue;
    }
    if (text_output()) {
      std::cout << path << ":";
      for (const auto& key : *added) std::cout << ' ' << key;
      std::cout << '\n';
    }
    reports.push_back({{"file", path}, {"exit_code", 0}, {"keys", *added}});
  }
  (*sources)->say_where_cached();
  if (dcap) dcap->say_where_cached();
  const auto keys = bundle.keys();
  if (output().json) {
    emit_json({{"bundle", f.out}, {"entries", keys.size()}, {"exit_code", rc}, {"reports", reports}});
  } else {
    std::cout << "bundle " << f.out << ": " << keys.size() << " entries\n";
  }
  return rc;
}

const Registration kBundle{
    {"bundle", "Write the endorsements reports need into a directory, for offline verification",
     40, [](CLI::App& cmd) -> Runner {
       auto f = std::make_shared<BundleFlags>();
       cmd.add_option("REPORT", f->reports,
                      "reports (any encoding/container `show` reads), or DCAP quotes (their collateral)")
           ->required();
       cmd.add_option("--out", f->out, "the bundle directory (created; may already hold one)")
           ->required();
       cmd.add_option("--product", f->product, "milan, genoa or turin (v2 reports)");
       cmd.add_option("--at", f->at, "DCAP quotes: collateral current at this time (RFC 3339) is "
                                     "not fetched again; default now");
       add_endorsement_flags(cmd, f->sources, kNetworkFlags | kCrlFlag);
       cmd.footer("Exit codes: 0 everything written; 2 unreadable report; 3 an endorsement could "
                  "not be fetched or failed its check (VLEK-signed reports: KDS has no VLEKs).");
       return [f] { return run_bundle(*f); };
     }}};

}  // namespace
}  // namespace veritee::cli
