// veritee report: get a report (and the host's certificate table, or the Azure HCL blob) from
// inside the guest, save the exact bytes, and check it carries what was asked.
#include <iostream>
#include <memory>

#include "command_registry.hpp"
#include "guest_options.hpp"
#include "output.hpp"
#include "veritee/guest/cert_files.hpp"
#include "veritee/guest/evidence_checks.hpp"
#include "veritee/verify/result_json.hpp"

namespace veritee::cli {
namespace {

struct ReportFlags {
  GuestFlags guest;
  std::string data, data_file, out = "report.bin", certs_dir;
  std::optional<std::uint32_t> vmpl;
  bool no_certs = false;
};

// Writes one output file; names it on stdout, or in --json's "files".
Result<void> save(const std::string& path, ByteView bytes, const char* what, nlohmann::json& files) {
  if (auto ok = write_output(path, bytes); !ok) return ok;
  if (text_output()) std::cout << what << ": " << path << " (" << bytes.size() << " bytes)\n";
  files.push_back({{"what", what}, {"path", path}, {"size", bytes.size()}});
  return {};
}

int run_report(const ReportFlags& f) {
  auto data = report_data_flag(f.data, f.data_file);
  if (!data) {
    print_error(data.error());
    return kExitUsage;
  }
  auto provider = f.guest.open();
  if (!provider) return provider_failure(provider.error());
  guest::EvidenceRequest request{*data, f.vmpl, !f.no_certs};
  auto evidence = (*provider)->collect(request);
  if (!evidence) return provider_failure(evidence.error());

  if (text_output()) {
    std::cout << "provider: " << guest::to_string(evidence->provider) << '\n';
    for (const auto& note : evidence->notes) std::cout << "  " << note << '\n';
  }
  nlohmann::json files = nlohmann::json::array();
  auto saved = save(f.out, evidence->report, "report", files);
  if (saved && evidence->hcl_blob) saved = save(f.out + ".hcl", *evidence->hcl_blob, "HCL blob", files);
  if (saved && evidence->cert_table) {
    saved = save(f.out + ".certs", *evidence->cert_table, "certificate table", files);
  }
  if (!saved) {
    print_error(saved.error());
    return kExitUsage;
  }
  nlohmann::json certificates = nlohmann::json::array();
  if (!f.certs_dir.empty() && evidence->cert_table) {
    auto written = guest::write_cert_table(*evidence->cert_table, f.certs_dir);
    if (!written) {
      print_error(written.error());
      return kExitCheckFailed;
    }
    for (const auto& w : *written) {
      for (const auto& file : w.files) {
        if (text_output()) std::cout << "  " << w.role << ": " << file.string() << '\n';
        certificates.push_back({{"role", w.role}, {"path", file.string()}});
      }
    }
  }
  CheckList checks = guest::check_evidence(*evidence, request);
  const std::string next = "veritee verify " +
                           (evidence->cert_table ? "--cert-table " + f.out + ".certs " : std::string()) +
                           (evidence->hcl_blob ? f.out + ".hcl" : f.out);
  const int rc = checks.passed() ? kExitVerified : kExitCheckFailed;
  if (output().json) {
    emit_json({{"provider", std::string(guest::to_string(evidence->provider))}, {"notes", evidence->notes}, {"files", files},
               {"certificates", certificates}, {"checks", checks_to_json(checks)},
               {"passed", checks.passed()}, {"exit_code", rc}, {"next", next}});
    return rc;
  }
  print_checks(checks);
  if (!checks.passed()) {
    std::cout << "the evidence does not carry what was asked\n";
    return rc;
  }
  std::cout << "next: " << next << '\n';
  return rc;
}

const Registration kReport{
    {"report", "Get an attestation report from inside an SEV-SNP guest", 40,
     [](CLI::App& cmd) -> Runner {
       auto f = std::make_shared<ReportFlags>();
       auto* data =
           cmd.add_option("--data", f->data, "REPORT_DATA as hex, at most 64 bytes (zero-padded)");
       cmd.add_option("--data-file", f->data_file,
                      "REPORT_DATA from a file of at most 64 bytes (zero-padded)")
           ->excludes(data);
       cmd.add_option("--vmpl", f->vmpl, "the VMPL to put in the report (ioctl, tsm); default 0")
           ->check(CLI::Range(0, 3));
       f->guest.add_provider_flag(cmd);
       cmd.add_option("--out", f->out,
                      "where the exact report bytes go; FILE.certs gets the certificate table, "
                      "FILE.hcl the Azure HCL blob")
           ->capture_default_str();
       cmd.add_option("--certs-dir", f->certs_dir,
                      "also write the certificate table as files named by role");
       cmd.add_flag("--no-certs", f->no_certs,
                    "ioctl: SNP_GET_REPORT instead of SNP_GET_EXT_REPORT");
       f->guest.add_location_flags(cmd);
       cmd.footer(kGuestExitCodes);
       return [f] { return run_report(*f); };
     }}};

}  // namespace
}  // namespace veritee::cli
