// veritee certificates: the host-provided certificate table (VCEK/VLEK, ASK, ARK) as separate
// files named by role; unknown GUIDs are kept and listed.
#include <iostream>
#include <memory>

#include "command_registry.hpp"
#include "guest_options.hpp"
#include "output.hpp"
#include "veritee/common/check.hpp"
#include "veritee/guest/cert_files.hpp"

namespace veritee::cli {
namespace {

struct CertificatesFlags {
  GuestFlags guest;
  std::string out_dir = "certs";
  std::string in;
};

int run_certificates(const CertificatesFlags& f) {
  Bytes table;
  if (!f.in.empty()) {
    auto read = read_file(f.in);
    if (!read) {
      print_error(read.error());
      return kExitUsage;
    }
    table = std::move(*read);
  } else {
    auto provider = f.guest.open();
    if (!provider) return provider_failure(provider.error());
    if ((*provider)->kind() == guest::ProviderKind::kAzure) {
      print_error(
          "the Azure vTPM gives no certificate table: the VCEK comes from AMD KDS "
          "(`veritee verify` fetches it)");
      return kExitEndorsement;
    }
    auto evidence = (*provider)->collect(guest::EvidenceRequest{});
    if (!evidence) return provider_failure(evidence.error());
    if (!evidence->cert_table) {
      print_error("the host provided no certificate table (" + std::string(guest::to_string(evidence->provider)) +
                  " provider); the VCEK can come from AMD KDS instead");
      return kExitEndorsement;
    }
    table = std::move(*evidence->cert_table);
  }
  auto written = guest::write_cert_table(table, f.out_dir);
  if (!written) {
    print_error(written.error());
    return f.in.empty() ? kExitCheckFailed : kExitUsage;
  }
  if (output().json) {
    nlohmann::json certificates = nlohmann::json::array();
    for (const auto& w : *written) {
      nlohmann::json paths = nlohmann::json::array();
      for (const auto& file : w.files) paths.push_back(file.string());
      certificates.push_back({{"role", w.role}, {"guid", w.guid}, {"size", w.size},
                              {"note", w.note}, {"files", paths}});
    }
    emit_json({{"certificates", certificates}, {"exit_code", 0}, {"out_dir", f.out_dir}});
    return kExitVerified;
  }
  for (const auto& w : *written) {
    std::cout << w.role;
    if (!w.guid.empty()) std::cout << "  " << w.guid;
    std::cout << "  " << w.size << " bytes";
    if (!w.note.empty()) std::cout << "  " << w.note;
    std::cout << '\n';
    for (const auto& file : w.files) std::cout << "    " << file.string() << '\n';
  }
  return kExitVerified;
}

const Registration kCertificates{
    {"certificates", "Save the host-provided certificate table (VCEK/VLEK, ASK, ARK) as files", 41,
     [](CLI::App& cmd) -> Runner {
       auto f = std::make_shared<CertificatesFlags>();
       cmd.add_option("--out-dir", f->out_dir, "directory for <role>.der/.pem, chain.pem")
           ->capture_default_str();
       cmd.add_option("--in", f->in,
                      "split a saved certificate table (e.g. report.bin.certs) instead of "
                      "asking the guest");
       f->guest.add_provider_flag(cmd, "auto|ioctl|tsm");
       f->guest.add_location_flags(cmd);
       cmd.footer(
           "Exit codes: 0 certificates written; 1 the host's certificate table is malformed; 2 "
           "usage error, or the --in file unreadable or malformed; 3 no certificate table from "
           "the host (Azure gives none); 4 the device, configfs-tsm or firmware failed or is "
           "unavailable.");
       return [f] { return run_certificates(*f); };
     }}};

}  // namespace
}  // namespace veritee::cli
