// MSG_KEY_REQ encoding and the local guards (ABI 1.58 Table 19; see derived_key.hpp).
#include "veritee/guest/derived_key.hpp"

#include <array>
#include <sstream>
#include <utility>

#include "veritee/common/byte_writer.hpp"
#include "veritee/guest/sev_guest_abi.hpp"

namespace veritee::guest {
namespace {

constexpr std::size_t kRootKeySelect = 0x00;
constexpr std::size_t kGuestFieldSelect = 0x08;
constexpr std::size_t kVmpl = 0x10;
constexpr std::size_t kGuestSvn = 0x14;
constexpr std::size_t kTcbVersion = 0x18;
constexpr std::size_t kLaunchMitVector = 0x20;
constexpr std::size_t kMsgKeyReqSize = 0x28;
static_assert(kLaunchMitVector == kDerivedKeyReqSize, "uapi stops where 1.58 added a field");

constexpr std::array<std::pair<const char*, std::uint64_t>, 7> kFieldNames{{
    {"policy", field::kGuestPolicy},
    {"image", field::kImageId},
    {"family", field::kFamilyId},
    {"measurement", field::kMeasurement},
    {"svn", field::kGuestSvn},
    {"tcb", field::kTcbVersion},
    {"launch-mit", field::kLaunchMitVector},
}};

std::string hex(std::uint64_t v) {
  std::ostringstream s;
  s << "0x" << std::hex << v;
  return s.str();
}

}  // namespace

Result<std::uint64_t> parse_field_names(std::string_view list) {
  std::uint64_t out = 0;
  while (!list.empty()) {
    auto comma = list.find(',');
    std::string_view name = list.substr(0, comma);
    list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 1);
    if (name.empty()) continue;
    bool found = false;
    for (const auto& [text, bit] : kFieldNames) {
      if (name == text) {
        out |= bit;
        found = true;
      }
    }
    if (!found) {
      return fail(Errc::kInvalidInput,
                  "unknown key field \"" + std::string(name) +
                      "\" (known: policy, image, family, measurement, svn, tcb, launch-mit)");
    }
  }
  return out;
}

std::string field_names(std::uint64_t select) {
  std::string out;
  for (const auto& [text, bit] : kFieldNames) {
    if (select & bit) out += (out.empty() ? "" : ",") + std::string(text);
  }
  if (select & ~field::kKnownMask)
    out += (out.empty() ? "" : ",") + hex(select & ~field::kKnownMask);
  return out.empty() ? "none" : out;
}

Bytes encode_msg_key_req(const DerivedKeyRequest& r) {
  Bytes out(kMsgKeyReqSize, 0);
  put_le(out, kRootKeySelect, static_cast<std::uint32_t>(r.root));  // KEY_SEL 0
  put_le(out, kGuestFieldSelect, r.guest_field_select);
  put_le(out, kVmpl, r.vmpl);
  put_le(out, kGuestSvn, r.guest_svn);
  put_le(out, kTcbVersion, r.tcb_version);
  put_le(out, kLaunchMitVector, r.launch_mit_vector);
  return out;
}

Bytes encode_derived_key_req(const DerivedKeyRequest& r) {
  Bytes out = encode_msg_key_req(r);
  out.resize(kDerivedKeyReqSize);
  return out;
}

Result<void> check_derived_key_request(const DerivedKeyRequest& r, const snp::Report& fresh) {
  if (r.guest_field_select & ~field::kKnownMask) {
    return fail(Errc::kUnsupported, "GUEST_FIELD_SELECT bits " +
                                        hex(r.guest_field_select & ~field::kKnownMask) +
                                        " are reserved (ABI 1.58 Table 19: 63:7 must be zero)");
  }
  if (r.vmpl > 3) {
    return fail(Errc::kUnsupported, "VMPL " + std::to_string(r.vmpl) + " is above 3");
  }
  const snp::FirmwareVersion fw = fresh.current_version();
  const bool abi_158 = fw.major > 1 || (fw.major == 1 && fw.minor >= 58);
  if ((r.guest_field_select & field::kLaunchMitVector || r.launch_mit_vector != 0) && !abi_158) {
    return fail(Errc::kUnsupported,
                "the launch mitigation vector (GUEST_FIELD_SELECT bit 6, MSG_KEY_REQ 0x20) "
                "exists from firmware ABI 1.58; this firmware is ABI " +
                    std::to_string(fw.major) + "." + std::to_string(fw.minor) +
                    " (CURRENT_MAJOR/CURRENT_MINOR of a fresh report)");
  }
  if (r.guest_svn > fresh.guest_svn()) {
    return fail(Errc::kUnsupported,
                "GUEST_SVN " + std::to_string(r.guest_svn) + " is above the guest's SVN " +
                    std::to_string(fresh.guest_svn()) +
                    " (GUEST_SVN of a fresh report, set at launch by the ID block)");
  }
  const snp::TcbVersion committed = fresh.committed_tcb();
  const snp::TcbVersion wanted(r.tcb_version);
  for (unsigned i = 0; i < 8; ++i) {
    if (wanted.byte(i) > committed.byte(i)) {
      return fail(Errc::kUnsupported,
                  "TCB_VERSION " + hex(r.tcb_version) + " is above the committed TCB " +
                      hex(committed.raw()) + " at byte " + std::to_string(i) + " (" +
                      std::to_string(wanted.byte(i)) + " > " + std::to_string(committed.byte(i)) +
                      "; COMMITTED_TCB of a fresh report, the limit ABI Table 19 sets)");
    }
  }
  return {};
}

Result<void> check_uapi_can_carry(const DerivedKeyRequest& r) {
  if (r.guest_field_select & field::kLaunchMitVector || r.launch_mit_vector != 0) {
    return fail(Errc::kUnsupported,
                "the launch mitigation vector cannot be sent through /dev/sev-guest: Linux's "
                "struct snp_derived_key_req is 32 bytes and the kernel sends exactly that, so "
                "MSG_KEY_REQ LAUNCH_MIT_VECTOR (offset 0x20) would never reach the firmware");
  }
  return {};
}

}  // namespace veritee::guest
