#include "veritee/snp/report.hpp"

#include <cstdio>

namespace veritee::snp {
namespace {

std::string hex_offset(std::size_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%03zX", v);
  return buf;
}

std::string hex64(std::uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%016llX", static_cast<unsigned long long>(v));
  return buf;
}

Finding error(std::string id, std::string message) {
  return Finding{Finding::Severity::kError, std::move(id), std::move(message)};
}

}  // namespace

Result<Report> Report::parse(ByteView bytes) {
  if (bytes.size() < kReportSize) {
    return fail(Errc::kTruncated, "truncated report: " + std::to_string(bytes.size()) +
                                      " bytes, an ATTESTATION_REPORT is " +
                                      std::to_string(kReportSize) + " (0x4A0)");
  }
  if (bytes.size() > kReportSize) {
    return fail(Errc::kInvalidInput, "oversized report: " + std::to_string(bytes.size()) +
                                         " bytes, an ATTESTATION_REPORT is exactly " +
                                         std::to_string(kReportSize) + " (0x4A0)");
  }
  return Report(bytes);
}

bool Report::version_known() const {
  return version() >= kMinKnownVersion && version() <= kMaxKnownVersion;
}

std::optional<Cpuid> Report::cpuid() const {
  if (version() < 3) return std::nullopt;
  return Cpuid{u8(layout::CPUID_FAM_ID), u8(layout::CPUID_MOD_ID), u8(layout::CPUID_STEP)};
}

FirmwareVersion Report::current_version() const {
  return {u8(layout::CURRENT_MAJOR), u8(layout::CURRENT_MINOR), u8(layout::CURRENT_BUILD)};
}

FirmwareVersion Report::committed_version() const {
  return {u8(layout::COMMITTED_MAJOR), u8(layout::COMMITTED_MINOR), u8(layout::COMMITTED_BUILD)};
}

std::optional<std::uint64_t> Report::launch_mit_vector() const {
  if (version() < 5) return std::nullopt;
  return u64(layout::LAUNCH_MIT_VECTOR);
}

std::optional<std::uint64_t> Report::current_mit_vector() const {
  if (version() < 5) return std::nullopt;
  return u64(layout::CURRENT_MIT_VECTOR);
}

std::optional<Result<CpuidProduct>> Report::cpuid_product() const {
  auto id = cpuid();
  if (!id) return std::nullopt;
  return product_from_cpuid(*id);
}

std::string FirmwareVersion::to_string() const {
  return std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(build);
}

std::vector<Finding> Report::findings(std::optional<Product> product) const {
  std::vector<Finding> out;
  const std::uint32_t v = version();
  if (!version_known()) {
    out.push_back(error("report.version.unknown",
                        "VERSION is " + std::to_string(v) + ": this build knows report versions " +
                            std::to_string(kMinKnownVersion) + " to " +
                            std::to_string(kMaxKnownVersion) +
                            "; its fields are shown as ABI 1.58 Table 22 lays them out, untrusted"));
  }
  if (signature_algo() != 1) {
    out.push_back(error("report.signature_algo",
                        "SIGNATURE_ALGO is " + std::to_string(signature_algo()) +
                            ", only 1 (ECDSA P-384 with SHA-384) is defined"));
  }
  if (vmpl() > 3) {
    out.push_back(error("report.vmpl", "VMPL is " + std::to_string(vmpl()) +
                                           ", a guest request comes from VMPL 0 to 3"));
  }
  const GuestPolicy pol = policy();
  if (!pol.reserved_one_set()) {
    out.push_back(error("report.policy.bit17", "POLICY bit 17 is clear; the ABI requires 1"));
  }
  if (pol.mbz_bits() != 0) {
    out.push_back(error("report.policy.mbz",
                        "POLICY bits 63:26 must be zero, found " + hex64(pol.mbz_bits())));
  }
  if (platform_info().reserved_bits() != 0) {
    out.push_back(error("report.platform_info.reserved",
                        "PLATFORM_INFO bits 63:8 are reserved, found " +
                            hex64(platform_info().reserved_bits())));
  }
  if (platform_info().has(PlatformInfo::kUnverifiedBit6)) {
    out.push_back(Finding{Finding::Severity::kNote, "report.platform_info.bit6",
                          "PLATFORM_INFO bit 6 is set: reserved in the ABI 1.58 tables but set "
                          "by real Turin firmware; shown, not verified"});
  }
  const KeyInfo key = key_info();
  if (!key.signing_key()) {
    out.push_back(error("report.key_info.signing_key",
                        "KEY_INFO.SIGNING_KEY is " + std::to_string(key.signing_key_field()) +
                            ", a reserved value (0 VCEK, 1 VLEK, 7 none)"));
  }
  if (key.mbz_bits() != 0) {
    out.push_back(error("report.key_info.mbz", "KEY_INFO bits 31:5 must be zero, found " +
                                                   hex64(key.mbz_bits())));
  }

  auto reserved = [&](layout::Field f, std::string_view what) {
    auto bytes = field(f);
    for (std::size_t i = 0; i < bytes.size(); ++i) {
      if (bytes[i] != 0) {
        out.push_back(error("report.reserved." + hex_offset(f.offset),
                            std::string(what) + " at " + hex_offset(f.offset) + ".." +
                                hex_offset(f.end()) + " must be zero; byte " +
                                hex_offset(f.offset + i) + " is " + std::to_string(bytes[i])));
        return;
      }
    }
  };
  reserved(layout::RESERVED_04C, "reserved field");
  if (v >= 3) {
    reserved(layout::RESERVED_18B, "reserved field");
  } else {
    reserved(layout::RESERVED_188_V2, "reserved field (no CPUID before v3)");
  }
  reserved(layout::RESERVED_1EB, "reserved field");
  reserved(layout::RESERVED_1EF, "reserved field");
  if (v < 5) reserved(layout::RESERVED_1F8_PRE_V5, "reserved field (mitigation vectors are v5)");
  reserved(layout::RESERVED_208, "reserved field");
  // Outside the signed region: the signature's unused high bytes and the reserved tail. They
  // are not covered by the signature, so anything there was not put there by the firmware.
  {
    auto r = signature_r().subspan(48);
    auto s = signature_s().subspan(48);
    if (!all_zero(r) || !all_zero(s)) {
      out.push_back(error("report.signature.high_bytes",
                          "SIGNATURE R and S bytes 48..71 must be zero for P-384"));
    }
  }
  reserved(layout::RESERVED_SIGNATURE, "reserved field after the signature");

  if (auto p = cpuid_product(); p && !p->has_value()) {
    out.push_back(error("report.cpuid.unknown", p->error().message));
  }
  if (product) {
    struct NamedTcb {
      const char* name;
      layout::Field field;
      TcbVersion tcb;
    };
    for (const NamedTcb& t : {NamedTcb{"CURRENT_TCB", layout::CURRENT_TCB, current_tcb()},
                              NamedTcb{"REPORTED_TCB", layout::REPORTED_TCB, reported_tcb()},
                              NamedTcb{"COMMITTED_TCB", layout::COMMITTED_TCB, committed_tcb()},
                              NamedTcb{"LAUNCH_TCB", layout::LAUNCH_TCB, launch_tcb()}}) {
      if (!t.tcb.reserved_clear(*product)) {
        out.push_back(error("report.tcb.reserved." + hex_offset(t.field.offset),
                            std::string(t.name) + " has reserved bytes set under the " +
                                std::string(kds_name(*product)) + " layout: " +
                                hex64(t.tcb.raw())));
      }
    }
  }
  return out;
}

}  // namespace veritee::snp
