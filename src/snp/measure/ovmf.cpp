#include "veritee/snp/measure/ovmf.hpp"

#include <algorithm>
#include <cstdio>

#include "veritee/common/byte_reader.hpp"

namespace veritee::snp::measure {
namespace {

// The footer table (ResetVectorVtf0.asm): [entries][u16 table length][footer GUID], then 32
// bytes of reset vector code up to the end of the image.
constexpr std::size_t kGuidSize = 16;
constexpr std::size_t kEntryTrailer = 2 + kGuidSize;   // u16 length + GUID after each entry
constexpr std::size_t kFooterEnd = 32;                  // footer GUID ends 32 bytes before the end
constexpr std::size_t kFooterSize = kFooterEnd + kEntryTrailer;  // 50

// "ASEV" block header: signature, u32 length, u32 version, u32 count; 12-byte descriptors.
constexpr std::size_t kMetadataHeader = 16;
constexpr std::size_t kDescriptorSize = 12;

std::string describe(const Guid& guid) {
  if (guid == guids::kSevEsResetBlock) return "SEV-ES reset block " + guid.to_string();
  if (guid == guids::kSevHashTable) return "SEV hash table " + guid.to_string();
  if (guid == guids::kSevMetadata) return "SEV metadata " + guid.to_string();
  return guid.to_string();
}

Result<void> parse_footer(ByteView image, std::vector<FooterEntry>& out) {
  const ByteReader r(image);
  const std::size_t size = image.size();
  if (size < kFooterSize) {
    return fail(Errc::kTruncated, "OVMF image is " + std::to_string(size) +
                                      " bytes, too short for the footer table (" +
                                      std::to_string(kFooterSize) + " bytes at the end)");
  }
  auto footer = Guid::from_bytes(*r.bytes_at(size - kFooterEnd - kGuidSize, kGuidSize));
  if (*footer != guids::kFooterTable) {
    return fail(Errc::kInvalidInput,
                "no OVMF footer table: the image does not hold the footer GUID " +
                    guids::kFooterTable.to_string() +
                    " 48 bytes before its end (not an OVMF image, or not one with SEV support)");
  }
  const std::size_t table_length = *r.le_at<std::uint16_t>(size - kFooterSize);
  if (table_length < kEntryTrailer) {
    return fail(Errc::kInvalidInput, "OVMF footer table length " + std::to_string(table_length) +
                                         " is less than its own 18-byte length and GUID");
  }
  const std::size_t table_end = size - kFooterSize;  // entries end here
  const std::size_t entries_size = table_length - kEntryTrailer;
  if (entries_size > table_end) {
    return fail(Errc::kTruncated, "OVMF footer table length " + std::to_string(table_length) +
                                      " reaches before the start of the " +
                                      std::to_string(size) + "-byte image");
  }
  const std::size_t table_start = table_end - entries_size;
  std::size_t end = table_end;
  while (end > table_start) {
    const std::size_t left = end - table_start;
    if (left < kEntryTrailer) {
      return fail(Errc::kInvalidInput,
                  "OVMF footer table has " + std::to_string(left) +
                      " bytes left over before its first entry (fewer than an entry's 18-byte "
                      "length and GUID)");
    }
    auto guid = Guid::from_bytes(*r.bytes_at(end - kGuidSize, kGuidSize));
    const std::size_t entry_length = *r.le_at<std::uint16_t>(end - kEntryTrailer);
    if (entry_length < kEntryTrailer) {
      return fail(Errc::kInvalidInput, "OVMF footer table entry " + guid->to_string() +
                                           " has length " + std::to_string(entry_length) +
                                           ", less than its own 18-byte length and GUID");
    }
    if (entry_length > left) {
      return fail(Errc::kInvalidInput, "OVMF footer table entry " + guid->to_string() +
                                           " has length " + std::to_string(entry_length) +
                                           ", more than the " + std::to_string(left) +
                                           " bytes left in the table");
    }
    const std::size_t data_offset = end - entry_length;
    const std::size_t data_size = entry_length - kEntryTrailer;
    for (const auto& seen : out) {
      if (seen.guid == *guid) {
        return fail(Errc::kInvalidInput,
                    "OVMF footer table holds the entry " + guid->to_string() + " twice");
      }
    }
    out.push_back(FooterEntry{*guid, data_offset, *r.bytes_at(data_offset, data_size)});
    end = data_offset;
  }
  return {};
}

Result<std::uint32_t> entry_u32(const FooterEntry& e, std::size_t at) {
  auto v = ByteReader(e.data).le_at<std::uint32_t>(at);
  if (!v) {
    return fail(Errc::kInvalidInput, "OVMF footer table entry " + describe(e.guid) + " has " +
                                         std::to_string(e.data.size()) + " bytes of data, not " +
                                         std::to_string(at + 4) + " or more");
  }
  return *v;
}

Result<MetadataSection> check_section(std::uint32_t index, std::uint32_t gpa, std::uint32_t size,
                                      std::uint32_t type) {
  const std::string which = "SEV metadata section " + std::to_string(index);
  switch (static_cast<SectionType>(type)) {
    case SectionType::kSnpSecMem:
    case SectionType::kSnpSecrets:
    case SectionType::kCpuid:
    case SectionType::kSvsmCaa:
    case SectionType::kSnpKernelHashes:
      break;
    default:
      return fail(Errc::kInvalidInput, which + " has the unknown type " + hex_number(type) +
                                           " (known: 1 SNP_SEC_MEM, 2 SNP_SECRETS, 3 CPUID, "
                                           "4 SVSM_CAA, 0x10 SNP_KERNEL_HASHES)");
  }
  const auto t = static_cast<SectionType>(type);
  const std::string named = which + " (" + std::string(to_string(t)) + ")";
  if (gpa % kPageSize != 0) {
    return fail(Errc::kInvalidInput, named + " starts at GPA " + hex_number(gpa) +
                                         ", which is not 4 KiB-aligned");
  }
  if (size == 0 || size % kPageSize != 0) {
    return fail(Errc::kInvalidInput, named + " has size " + hex_number(size) +
                                         ", not a non-zero multiple of 4 KiB");
  }
  if (size > OvmfImage::kMaxSectionSize) {
    return fail(Errc::kInvalidInput, named + " has size " + hex_number(size) + ", more than the " +
                                         hex_number(OvmfImage::kMaxSectionSize) +
                                         " bytes accepted (OVMF's sections are far smaller)");
  }
  if (std::uint64_t{gpa} + size > kFourGiB) {
    return fail(Errc::kInvalidInput, named + " at GPA " + hex_number(gpa) + " size " + hex_number(size) +
                                         " ends above 4 GiB");
  }
  // QEMU adds the secrets and CPUID sections whole; a one-page reading of a larger section
  // (sev-snp-measure's) would disagree with it, so only the one-page size is accepted.
  if ((t == SectionType::kSnpSecrets || t == SectionType::kCpuid ||
       t == SectionType::kSnpKernelHashes) &&
      size != kPageSize) {
    return fail(Errc::kInvalidInput, named + " has size " + hex_number(size) +
                                         "; exactly one 4 KiB page is expected");
  }
  return MetadataSection{gpa, size, t};
}

}  // namespace

std::string hex_number(std::uint64_t value) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(value));
  return buf;
}

std::optional<Guid> Guid::from_bytes(ByteView raw) {
  if (raw.size() != 16) return std::nullopt;
  Guid g;
  std::copy(raw.begin(), raw.end(), g.bytes.begin());
  return g;
}

std::string Guid::to_string() const {
  const auto& b = bytes;
  char buf[40];
  std::snprintf(buf, sizeof buf,
                "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[3], b[2],
                b[1], b[0], b[5], b[4], b[7], b[6], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
                b[15]);
  return buf;
}

std::string_view to_string(SectionType type) {
  switch (type) {
    case SectionType::kSnpSecMem: return "SNP_SEC_MEM";
    case SectionType::kSnpSecrets: return "SNP_SECRETS";
    case SectionType::kCpuid: return "CPUID";
    case SectionType::kSvsmCaa: return "SVSM_CAA";
    case SectionType::kSnpKernelHashes: return "SNP_KERNEL_HASHES";
  }
  return "unknown";
}

Result<OvmfImage> OvmfImage::parse(ByteView image) {
  if (image.empty() || image.size() % kPageSize != 0) {
    return fail(Errc::kInvalidInput, "OVMF image is " + std::to_string(image.size()) +
                                         " bytes, not a whole number of 4 KiB pages");
  }
  if (image.size() > kMaxSize) {
    return fail(Errc::kInvalidInput, "OVMF image is " + std::to_string(image.size()) +
                                         " bytes, more than the 4 GiB below which it is mapped");
  }
  OvmfImage out;
  out.image_ = image;
  if (auto f = parse_footer(image, out.footer_); !f) return std::unexpected(f.error());

  if (const FooterEntry* e = out.find(guids::kSevEsResetBlock)) {
    auto eip = entry_u32(*e, 0);
    if (!eip) return std::unexpected(eip.error());
    out.sev_es_reset_eip_ = *eip;
  }
  if (const FooterEntry* e = out.find(guids::kSevHashTable)) {
    auto gpa = entry_u32(*e, 0);
    if (!gpa) return std::unexpected(gpa.error());
    auto size = entry_u32(*e, 4);
    if (!size) return std::unexpected(size.error());
    if (*gpa != 0) out.sev_hash_table_ = SevHashTableLocation{*gpa, *size};
  }

  const FooterEntry* meta = out.find(guids::kSevMetadata);
  if (meta == nullptr) {
    return fail(Errc::kUnsupported,
                "no SEV metadata: this OVMF was not built with AmdSev/SNP support (its footer "
                "table has no SEV metadata entry " +
                    guids::kSevMetadata.to_string() + ")");
  }
  auto from_end = entry_u32(*meta, 0);
  if (!from_end) return std::unexpected(from_end.error());
  if (*from_end < kMetadataHeader || *from_end > image.size()) {
    return fail(Errc::kInvalidInput,
                "SEV metadata offset " + hex_number(*from_end) + " from the end points outside the " +
                    std::to_string(image.size()) + "-byte image");
  }
  const std::size_t start = image.size() - *from_end;
  ByteReader r(image);
  r.seek(start);
  auto signature = r.bytes(4);
  auto length = r.u32();
  auto version = r.u32();
  auto count = r.u32();  // the header fits: from_end >= 16
  if (!std::equal(signature->begin(), signature->end(), "ASEV")) {
    return fail(Errc::kInvalidInput, "SEV metadata at image offset " + hex_number(start) +
                                         " does not start with the signature 'ASEV'");
  }
  if (*version != kMetadataVersion) {
    return fail(Errc::kUnknownVersion, "SEV metadata version " + std::to_string(*version) +
                                           " is not known (only version 1 is)");
  }
  const std::uint64_t expected = kMetadataHeader + std::uint64_t{*count} * kDescriptorSize;
  if (*length != expected) {
    return fail(Errc::kInvalidInput, "SEV metadata length " + std::to_string(*length) +
                                         " does not match its " + std::to_string(*count) +
                                         " sections (" + std::to_string(expected) + " bytes)");
  }
  if (expected > *from_end) {
    return fail(Errc::kTruncated, "SEV metadata (" + std::to_string(expected) +
                                      " bytes at image offset " + hex_number(start) +
                                      ") runs past the end of the image");
  }
  out.metadata_offset_ = start;
  for (std::uint32_t i = 0; i < *count; ++i) {
    auto gpa = r.u32();
    auto size = r.u32();
    auto type = r.u32();
    auto section = check_section(i, *gpa, *size, *type);
    if (!section) return std::unexpected(section.error());
    if (section->type == SectionType::kSnpKernelHashes &&
        out.has_section(SectionType::kSnpKernelHashes)) {
      return fail(Errc::kInvalidInput, "SEV metadata lists more than one SNP_KERNEL_HASHES section");
    }
    out.sections_.push_back(*section);
  }
  return out;
}

const FooterEntry* OvmfImage::find(const Guid& guid) const {
  for (const auto& e : footer_) {
    if (e.guid == guid) return &e;
  }
  return nullptr;
}

bool OvmfImage::has_section(SectionType type) const {
  return std::any_of(sections_.begin(), sections_.end(),
                     [type](const MetadataSection& s) { return s.type == type; });
}

}  // namespace veritee::snp::measure
