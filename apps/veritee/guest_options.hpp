// Flags the guest-side commands share (report, certificates, key, doctor): which provider and
// where its device, configfs-tsm root and TPM are; the 64 bytes of request data; exit code 4.
#pragma once

#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>
#include <string>

#include "cli_common.hpp"
#include "veritee/common/bytes.hpp"
#include "veritee/common/check.hpp"
#include "veritee/guest/provider.hpp"

namespace veritee::cli {

inline constexpr const char* kGuestExitCodes =
    "Exit codes: 0 done; 1 the evidence failed a check; 2 usage error, or a request refused "
    "locally because the firmware could not take it; 3 no certificate table from the host; "
    "4 the device, configfs-tsm, TPM or firmware failed or is unavailable.";

struct GuestFlags {
  std::string provider = "auto";
  std::string device = guest::ProviderOptions{}.device.string();
  std::string tsm_root = guest::kDefaultTsmRoot;
  std::string tcti = guest::kDefaultTcti;

  void add_location_flags(CLI::App& cmd) {
    cmd.add_option("--device", device, "the SEV guest device")->capture_default_str();
    cmd.add_option("--tsm-root", tsm_root, "the configfs-tsm report directory")
        ->capture_default_str();
    cmd.add_option("--tcti", tcti, "tpm2-tss TCTI of the vTPM (e.g. swtpm:host=H,port=P)")
        ->capture_default_str();
  }
  void add_provider_flag(CLI::App& cmd, const std::string& choices = "auto|ioctl|tsm|azure") {
    cmd.add_option("--provider", provider, choices + ": where the evidence comes from")
        ->capture_default_str();
  }
  guest::ProviderOptions provider_options() const {
    guest::ProviderOptions o;
    o.device = device;
    o.tsm_root = tsm_root;
    o.tcti = tcti;
    return o;
  }
  // The provider, or the exit code to return (after printing why).
  Result<std::unique_ptr<guest::EvidenceProvider>> open() const {
    auto kind = guest::parse_provider_kind(provider);
    if (!kind) return std::unexpected(kind.error());
    return guest::open_provider(*kind, provider_options());
  }
};

// Errors of a provider or device call: 2 for a local refusal or bad input, else 4.
inline int provider_failure(const Error& error) {
  print_error(error);
  return error.code == Errc::kUnsupported || error.code == Errc::kInvalidInput ? kExitUsage
                                                                               : kExitUnavailable;
}

// --data HEX (up to 64 bytes) or --data-file F (up to 64 bytes, raw); zero-padded to 64.
inline Result<guest::ReportData> report_data_flag(const std::string& hex, const std::string& file) {
  if (!hex.empty() && !file.empty()) {
    return fail(Errc::kInvalidInput, "give --data or --data-file, not both");
  }
  Bytes bytes;
  if (!hex.empty()) {
    auto decoded = from_hex(hex);
    if (!decoded) return fail(Errc::kInvalidInput, "--data: " + decoded.error().message);
    bytes = std::move(*decoded);
  } else if (!file.empty()) {
    auto read = read_file(file);
    if (!read) return std::unexpected(read.error());
    bytes = std::move(*read);
  }
  if (bytes.size() > 64) {
    return fail(Errc::kInvalidInput, "request data is " + std::to_string(bytes.size()) +
                                         " bytes; REPORT_DATA holds at most 64");
  }
  guest::ReportData out{};
  std::copy(bytes.begin(), bytes.end(), out.begin());
  return out;
}

// "  PASS  guest.report_data   REPORT_DATA equals ..." (the layout of `veritee verify`).
inline void print_checks(const CheckList& list) {
  for (const Check& c : list.checks) print_check(c, 19);
}

}  // namespace veritee::cli
