// ATTESTATION_REPORT: a read-only view over the exact 0x4A0 bytes the firmware produced.
// Layout: SEV-SNP Firmware ABI 1.58 (AMD doc 56860), Table 22 "ATTESTATION_REPORT Structure";
// DESIGN.md 3.1. Fields are named and ordered as in that table. The view never re-serializes:
// every accessor reads the original bytes through ByteReader.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "veritee/common/byte_reader.hpp"
#include "veritee/common/bytes.hpp"
#include "veritee/common/error.hpp"
#include "veritee/snp/guest_policy.hpp"
#include "veritee/snp/key_info.hpp"
#include "veritee/snp/platform_info.hpp"
#include "veritee/snp/product.hpp"
#include "veritee/snp/tcb_version.hpp"

namespace veritee::snp {

inline constexpr std::size_t kReportSize = 0x4A0;
inline constexpr std::size_t kSignedSize = 0x2A0;  // the signature covers [0, 0x2A0)

namespace layout {
struct Field {
  std::size_t offset;
  std::size_t size;
  constexpr std::size_t end() const { return offset + size; }
};
// ABI 1.58 Table 22, in order.
inline constexpr Field VERSION{0x000, 4};
inline constexpr Field GUEST_SVN{0x004, 4};
inline constexpr Field POLICY{0x008, 8};
inline constexpr Field FAMILY_ID{0x010, 16};
inline constexpr Field IMAGE_ID{0x020, 16};
inline constexpr Field VMPL{0x030, 4};
inline constexpr Field SIGNATURE_ALGO{0x034, 4};
inline constexpr Field CURRENT_TCB{0x038, 8};
inline constexpr Field PLATFORM_INFO{0x040, 8};
inline constexpr Field KEY_INFO{0x048, 4};
inline constexpr Field RESERVED_04C{0x04C, 4};
inline constexpr Field REPORT_DATA{0x050, 64};
inline constexpr Field MEASUREMENT{0x090, 48};
inline constexpr Field HOST_DATA{0x0C0, 32};
inline constexpr Field ID_KEY_DIGEST{0x0E0, 48};
inline constexpr Field AUTHOR_KEY_DIGEST{0x110, 48};
inline constexpr Field REPORT_ID{0x140, 32};
inline constexpr Field REPORT_ID_MA{0x160, 32};
inline constexpr Field REPORTED_TCB{0x180, 8};
inline constexpr Field CPUID_FAM_ID{0x188, 1};     // v3+
inline constexpr Field CPUID_MOD_ID{0x189, 1};     // v3+
inline constexpr Field CPUID_STEP{0x18A, 1};       // v3+
inline constexpr Field RESERVED_18B{0x18B, 21};
inline constexpr Field RESERVED_188_V2{0x188, 24};  // v2: all of 0x188..0x1A0 is reserved
inline constexpr Field CHIP_ID{0x1A0, 64};
inline constexpr Field COMMITTED_TCB{0x1E0, 8};
inline constexpr Field CURRENT_BUILD{0x1E8, 1};
inline constexpr Field CURRENT_MINOR{0x1E9, 1};
inline constexpr Field CURRENT_MAJOR{0x1EA, 1};
inline constexpr Field RESERVED_1EB{0x1EB, 1};
inline constexpr Field COMMITTED_BUILD{0x1EC, 1};
inline constexpr Field COMMITTED_MINOR{0x1ED, 1};
inline constexpr Field COMMITTED_MAJOR{0x1EE, 1};
inline constexpr Field RESERVED_1EF{0x1EF, 1};
inline constexpr Field LAUNCH_TCB{0x1F0, 8};
inline constexpr Field LAUNCH_MIT_VECTOR{0x1F8, 8};   // v5 (ABI 1.58)
inline constexpr Field CURRENT_MIT_VECTOR{0x200, 8};  // v5 (ABI 1.58)
inline constexpr Field RESERVED_1F8_PRE_V5{0x1F8, 16};
inline constexpr Field RESERVED_208{0x208, 0x98};
inline constexpr Field SIGNATURE_R{0x2A0, 72};  // ABI 1.58 Table 137: ECDSA signature, LE
inline constexpr Field SIGNATURE_S{0x2E8, 72};
inline constexpr Field RESERVED_SIGNATURE{0x330, 368};

static_assert(RESERVED_04C.end() == REPORT_DATA.offset);
static_assert(REPORTED_TCB.end() == CPUID_FAM_ID.offset);
static_assert(RESERVED_18B.end() == CHIP_ID.offset && RESERVED_188_V2.end() == CHIP_ID.offset);
static_assert(CHIP_ID.end() == COMMITTED_TCB.offset);
static_assert(LAUNCH_TCB.end() == LAUNCH_MIT_VECTOR.offset);
static_assert(RESERVED_208.end() == kSignedSize && SIGNATURE_R.offset == kSignedSize);
static_assert(SIGNATURE_S.end() == RESERVED_SIGNATURE.offset);
static_assert(RESERVED_SIGNATURE.end() == kReportSize);
}  // namespace layout

// Report versions whose layout this build knows. 0 and 1 predate the public ABI tables and
// are rejected as unknown; anything above 5 is unknown until AMD documents it.
inline constexpr std::uint32_t kMinKnownVersion = 2;
inline constexpr std::uint32_t kMaxKnownVersion = 5;

struct FirmwareVersion {
  std::uint8_t major = 0;
  std::uint8_t minor = 0;
  std::uint8_t build = 0;
  std::string to_string() const;  // "1.55.21"
  friend auto operator<=>(const FirmwareVersion&, const FirmwareVersion&) = default;
};

// Something about the report that is not as the ABI says it must be (an error: verification
// fails) or worth pointing out (a note).
struct Finding {
  enum class Severity { kError, kNote };
  Severity severity;
  std::string id;       // stable, e.g. "report.version.unknown", "report.reserved.0x208"
  std::string message;  // names the field, offset and value
};

class Report {
 public:
  // A view over exactly kReportSize bytes. A shorter input is Errc::kTruncated, a longer one
  // Errc::kInvalidInput (containers are unwrapped by load_evidence first). The bytes must
  // outlive the view.
  static Result<Report> parse(ByteView bytes);

  ByteView bytes() const { return bytes_; }
  ByteView signed_bytes() const { return bytes_.first(kSignedSize); }

  std::uint32_t version() const { return u32(layout::VERSION); }
  bool version_known() const;
  std::uint32_t guest_svn() const { return u32(layout::GUEST_SVN); }
  GuestPolicy policy() const { return GuestPolicy(u64(layout::POLICY)); }
  ByteView family_id() const { return field(layout::FAMILY_ID); }
  ByteView image_id() const { return field(layout::IMAGE_ID); }
  std::uint32_t vmpl() const { return u32(layout::VMPL); }
  std::uint32_t signature_algo() const { return u32(layout::SIGNATURE_ALGO); }
  TcbVersion current_tcb() const { return TcbVersion(u64(layout::CURRENT_TCB)); }
  PlatformInfo platform_info() const { return PlatformInfo(u64(layout::PLATFORM_INFO)); }
  KeyInfo key_info() const { return KeyInfo(u32(layout::KEY_INFO)); }
  ByteView report_data() const { return field(layout::REPORT_DATA); }
  ByteView measurement() const { return field(layout::MEASUREMENT); }
  ByteView host_data() const { return field(layout::HOST_DATA); }
  ByteView id_key_digest() const { return field(layout::ID_KEY_DIGEST); }
  ByteView author_key_digest() const { return field(layout::AUTHOR_KEY_DIGEST); }
  ByteView report_id() const { return field(layout::REPORT_ID); }
  ByteView report_id_ma() const { return field(layout::REPORT_ID_MA); }
  TcbVersion reported_tcb() const { return TcbVersion(u64(layout::REPORTED_TCB)); }
  // v3+ only.
  std::optional<Cpuid> cpuid() const;
  ByteView chip_id() const { return field(layout::CHIP_ID); }
  TcbVersion committed_tcb() const { return TcbVersion(u64(layout::COMMITTED_TCB)); }
  FirmwareVersion current_version() const;
  FirmwareVersion committed_version() const;
  TcbVersion launch_tcb() const { return TcbVersion(u64(layout::LAUNCH_TCB)); }
  // v5 only (ABI 1.58).
  std::optional<std::uint64_t> launch_mit_vector() const;
  std::optional<std::uint64_t> current_mit_vector() const;
  ByteView signature_r() const { return field(layout::SIGNATURE_R); }
  ByteView signature_s() const { return field(layout::SIGNATURE_S); }

  // The product named by CPUID (v3+); empty for v2 reports. An unknown CPUID is an error.
  std::optional<Result<CpuidProduct>> cpuid_product() const;

  // Everything in the bytes that breaks the ABI for this version: unknown VERSION,
  // SIGNATURE_ALGO != 1, reserved SIGNING_KEY values, VMPL > 3, POLICY bit 17 clear, MBZ and
  // reserved fields non-zero, unknown CPUID. TCB reserved bytes need the product: pass it when
  // known. Notes (e.g. PLATFORM_INFO bit 6) have Severity::kNote.
  std::vector<Finding> findings(std::optional<Product> product = std::nullopt) const;

 private:
  explicit Report(ByteView bytes) : bytes_(bytes), reader_(bytes) {}
  // Every field lies inside kReportSize (static_asserts above) and parse() checked the size,
  // so these reads cannot fail; value() would throw rather than read out of bounds.
  std::uint32_t u32(layout::Field f) const { return reader_.le_at<std::uint32_t>(f.offset).value(); }
  std::uint64_t u64(layout::Field f) const { return reader_.le_at<std::uint64_t>(f.offset).value(); }
  std::uint8_t u8(layout::Field f) const { return reader_.le_at<std::uint8_t>(f.offset).value(); }
  ByteView field(layout::Field f) const { return reader_.bytes_at(f.offset, f.size).value(); }

  ByteView bytes_;
  ByteReader reader_;
};

}  // namespace veritee::snp
