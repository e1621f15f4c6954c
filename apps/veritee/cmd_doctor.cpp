// veritee doctor: what this machine offers for guest attestation, and why a provider is not
// available. Sends no request to the firmware.
#include <iostream>
#include <memory>

#include "command_registry.hpp"
#include "guest_options.hpp"
#include "output.hpp"
#include "veritee/guest/doctor.hpp"

namespace veritee::cli {
namespace {

const char* status_name(guest::Finding::Status status) {
  return status == guest::Finding::Status::kOk        ? "ok"
         : status == guest::Finding::Status::kMissing ? "missing"
                                                      : "info";
}

int run_doctor(const GuestFlags& f) {
  guest::DoctorOptions options;
  options.providers = f.provider_options();
  auto report = guest::run_doctor(options);
  const int rc = report.any_provider() ? kExitVerified : kExitUnavailable;
  if (output().json) {
    nlohmann::json findings = nlohmann::json::array();
    for (const auto& finding : report.findings) {
      findings.push_back({{"id", finding.id}, {"status", status_name(finding.status)},
                          {"detail", finding.detail}});
    }
    emit_json({{"any_provider", report.any_provider()}, {"exit_code", rc}, {"findings", findings}});
    return rc;
  }
  for (const auto& finding : report.findings) {
    std::string mark = status_name(finding.status);
    mark.resize(7, ' ');
    std::cout << "  " << mark << "  " << finding.id;
    for (std::size_t i = finding.id.size(); i < 8; ++i) std::cout << ' ';
    std::cout << finding.detail << '\n';
  }
  if (!report.any_provider()) std::cout << "no evidence provider is available on this machine\n";
  return rc;
}

const Registration kDoctor{
    {"doctor", "Show which guest evidence providers this machine offers, and why not", 43,
     [](CLI::App& cmd) -> Runner {
       auto f = std::make_shared<GuestFlags>();
       f->add_location_flags(cmd);
       cmd.footer(
           "Exit codes: 0 at least one provider (ioctl, tsm, azure) is available; 4 none "
           "is.");
       return [f] { return run_doctor(*f); };
     }}};

}  // namespace
}  // namespace veritee::cli
