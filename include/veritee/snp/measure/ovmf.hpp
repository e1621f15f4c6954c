// The OVMF firmware image as the SEV-SNP launch measurement sees it:
// - the GUID-tagged footer table that edk2's reset vector keeps at the end of the image
//   (OvmfPkg/ResetVector/Ia16/ResetVectorVtf0.asm, "guidedStructureEnd"): the table ends 32 bytes
//   before the end of the image with its own 2-byte length and footer GUID, and each entry is
//   [data][u16 length][GUID], read backwards from the end;
// - the SEV metadata block an entry points at (OvmfPkg/ResetVector/X64/OvmfSevMetadata.asm):
//   "ASEV", u32 length, u32 version (1), u32 count, then count descriptors of u32 GPA, u32 size,
//   u32 section type;
// - the SEV-ES AP reset block (u32 reset EIP) and the SEV hash table location (u32 GPA, u32 size).
// Every offset is checked; anything malformed, ambiguous or unknown is an error naming it.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "veritee/common/bytes.hpp"
#include "veritee/common/error.hpp"

namespace veritee::snp::measure {

inline constexpr std::size_t kPageSize = 4096;

// "0x" and lowercase hex digits: GPAs, sizes, signatures and features in messages and JSON.
std::string hex_number(std::uint64_t value);
inline constexpr std::uint64_t kFourGiB = 0x1'0000'0000ULL;

// A GUID in its on-disk byte order (EFI_GUID: the first three fields little-endian).
struct Guid {
  std::array<std::uint8_t, 16> bytes{};

  static constexpr Guid make(std::uint32_t a, std::uint16_t b, std::uint16_t c,
                             std::array<std::uint8_t, 8> d) {
    Guid g;
    for (std::size_t i = 0; i < 4; ++i) g.bytes[i] = static_cast<std::uint8_t>(a >> (8 * i));
    for (std::size_t i = 0; i < 2; ++i) g.bytes[4 + i] = static_cast<std::uint8_t>(b >> (8 * i));
    for (std::size_t i = 0; i < 2; ++i) g.bytes[6 + i] = static_cast<std::uint8_t>(c >> (8 * i));
    for (std::size_t i = 0; i < 8; ++i) g.bytes[8 + i] = d[i];
    return g;
  }
  // From 16 bytes in on-disk order; nothing when `raw` is not 16 bytes.
  static std::optional<Guid> from_bytes(ByteView raw);
  // Canonical lowercase text, "96b582de-1fb2-45f7-baea-a366c55a082d".
  std::string to_string() const;
  friend bool operator==(const Guid&, const Guid&) = default;
};

namespace guids {
// The footer table itself (OVMF_TABLE_FOOTER_GUID).
inline constexpr Guid kFooterTable =
    Guid::make(0x96b582de, 0x1fb2, 0x45f7, {0xba, 0xea, 0xa3, 0x66, 0xc5, 0x5a, 0x08, 0x2d});
// SEV-ES AP reset block: u32 reset EIP (SEV_INFO_BLOCK_GUID).
inline constexpr Guid kSevEsResetBlock =
    Guid::make(0x00f771de, 0x1a7e, 0x4fcb, {0x89, 0x0e, 0x68, 0xc7, 0x7e, 0x2f, 0xb4, 0x4e});
// SEV hash table: u32 GPA, u32 size (SEV_HASH_TABLE_RV_GUID).
inline constexpr Guid kSevHashTable =
    Guid::make(0x7255371f, 0x3a3b, 0x4b04, {0x92, 0x7b, 0x1d, 0xa6, 0xef, 0xa8, 0xd4, 0x54});
// SEV metadata: u32 offset of the "ASEV" block from the end of the image.
inline constexpr Guid kSevMetadata =
    Guid::make(0xdc886566, 0x984a, 0x4798, {0xa7, 0x5e, 0x55, 0x85, 0xa7, 0xbf, 0x67, 0xcc});
// Kernel-hashes table and its entries (QEMU target/i386/sev.c, OvmfPkg BlobVerifierSevHashes).
inline constexpr Guid kHashTableHeader =
    Guid::make(0x9438d606, 0x4f22, 0x4cc9, {0xb4, 0x79, 0xa7, 0x93, 0xd4, 0x11, 0xfd, 0x21});
inline constexpr Guid kKernelEntry =
    Guid::make(0x4de79437, 0xabd2, 0x427f, {0xb8, 0x35, 0xd5, 0xb1, 0x72, 0xd2, 0x04, 0x5b});
inline constexpr Guid kInitrdEntry =
    Guid::make(0x44baf731, 0x3a2f, 0x4bd7, {0x9a, 0xf1, 0x41, 0xe2, 0x91, 0x69, 0x78, 0x1d});
inline constexpr Guid kCmdlineEntry =
    Guid::make(0x97d02dd8, 0xbd20, 0x4c94, {0xaa, 0x78, 0xe7, 0x71, 0x4d, 0x36, 0xab, 0x2a});
}  // namespace guids

// SEV metadata section types (OvmfPkg/Include/WorkArea.h / OvmfSevMetadata.asm).
enum class SectionType : std::uint32_t {
  kSnpSecMem = 1,         // pre-validated memory: zero pages (GCE: unmeasured)
  kSnpSecrets = 2,        // the secrets page
  kCpuid = 3,             // the CPUID page
  kSvsmCaa = 4,           // the SVSM calling-area page: zero pages
  kSnpKernelHashes = 0x10,  // the page holding the SEV hash table
};

// "SNP_SEC_MEM", "SNP_SECRETS", "CPUID", "SVSM_CAA", "SNP_KERNEL_HASHES".
std::string_view to_string(SectionType type);

struct MetadataSection {
  std::uint32_t gpa = 0;
  std::uint32_t size = 0;
  SectionType type = SectionType::kSnpSecMem;
};

struct FooterEntry {
  Guid guid;
  std::size_t offset = 0;  // of the entry's data within the image
  ByteView data;           // views into the image
};

struct SevHashTableLocation {
  std::uint32_t gpa = 0;
  std::uint32_t size = 0;
};

class OvmfImage {
 public:
  static constexpr std::uint32_t kMetadataVersion = 1;
  static constexpr std::size_t kMaxSize = kFourGiB;
  // Bound on one metadata section (each page costs a SHA-384): OVMF's are under 1 MiB.
  static constexpr std::uint32_t kMaxSectionSize = 64U << 20;

  // Parses the footer table and the SEV metadata of `image`, which must outlive the result.
  // A non-SEV image (no footer table, or no SEV metadata entry) is an error saying so.
  static Result<OvmfImage> parse(ByteView image);

  ByteView bytes() const { return image_; }
  // Where the image is mapped: it ends at 4 GiB.
  std::uint64_t gpa() const { return kFourGiB - image_.size(); }

  std::span<const FooterEntry> footer() const { return footer_; }
  const FooterEntry* find(const Guid& guid) const;

  // Offset of the "ASEV" block within the image.
  std::size_t metadata_offset() const { return metadata_offset_; }
  std::span<const MetadataSection> sections() const { return sections_; }
  bool has_section(SectionType type) const;

  // The SEV-ES reset block's EIP (where application processors start), if the table has one.
  std::optional<std::uint32_t> sev_es_reset_eip() const { return sev_es_reset_eip_; }
  // The SEV hash table location; nothing when the entry is absent or its GPA is 0 (builds
  // without measured direct boot carry a zero entry).
  std::optional<SevHashTableLocation> sev_hash_table() const { return sev_hash_table_; }

 private:
  ByteView image_;
  std::vector<FooterEntry> footer_;
  std::size_t metadata_offset_ = 0;
  std::vector<MetadataSection> sections_;
  std::optional<std::uint32_t> sev_es_reset_eip_;
  std::optional<SevHashTableLocation> sev_hash_table_;
};

}  // namespace veritee::snp::measure
