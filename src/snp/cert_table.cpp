#include "veritee/snp/cert_table.hpp"

#include <cctype>

#include "veritee/common/byte_reader.hpp"

namespace veritee::snp {
namespace {

constexpr std::size_t kGuidSize = 16;
constexpr std::size_t kEntrySize = kGuidSize + 4 + 4;

std::string role_of(std::string_view guid) {
  if (guid == kGuidVcek) return "vcek";
  if (guid == kGuidVlek) return "vlek";
  if (guid == kGuidAsk) return "ask";
  if (guid == kGuidArk) return "ark";
  return "unknown";
}

void put_u32(Bytes& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

}  // namespace

std::string guid_to_string(ByteView b) {
  std::string hex = to_hex(b.first(kGuidSize));
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
         hex.substr(16, 4) + "-" + hex.substr(20);
}

Result<Bytes> guid_from_string(std::string_view text) {
  if (text.size() != 36 || text[8] != '-' || text[13] != '-' || text[18] != '-' ||
      text[23] != '-') {
    return fail(Errc::kInvalidInput, "not a GUID: '" + std::string(text) + "'");
  }
  std::string hex;
  for (char c : text) {
    if (c != '-') hex.push_back(c);
  }
  return from_hex(hex);
}

Result<std::vector<CertTableEntry>> parse_cert_table(ByteView table) {
  ByteReader r(table);
  std::vector<CertTableEntry> out;
  for (;;) {
    auto guid = r.bytes(kGuidSize);
    auto offset = r.u32();
    auto length = r.u32();
    if (!guid || !offset || !length) {
      return fail(Errc::kTruncated, "truncated certificate table: entry " +
                                        std::to_string(out.size()) +
                                        " is incomplete and no all-zero entry ends the table");
    }
    if (all_zero(*guid) && *offset == 0 && *length == 0) break;
    auto data = r.bytes_at(*offset, *length);
    if (!data) {
      return fail(Errc::kInvalidInput,
                  "certificate table entry " + std::to_string(out.size()) + " points at " +
                      std::to_string(*offset) + "+" + std::to_string(*length) +
                      ", past the end of the " + std::to_string(table.size()) + "-byte table");
    }
    CertTableEntry e;
    e.guid = guid_to_string(*guid);
    e.role = role_of(e.guid);
    e.data.assign(data->begin(), data->end());
    out.push_back(std::move(e));
  }
  return out;
}

Result<Bytes> build_cert_table(const std::vector<CertTableEntry>& entries) {
  Bytes out;
  std::size_t data_offset = (entries.size() + 1) * kEntrySize;
  Bytes payload;
  for (const auto& e : entries) {
    auto guid = guid_from_string(e.guid);
    if (!guid) return std::unexpected(guid.error());
    out.insert(out.end(), guid->begin(), guid->end());
    put_u32(out, static_cast<std::uint32_t>(data_offset + payload.size()));
    put_u32(out, static_cast<std::uint32_t>(e.data.size()));
    payload.insert(payload.end(), e.data.begin(), e.data.end());
  }
  out.resize(out.size() + kEntrySize, 0);
  out.insert(out.end(), payload.begin(), payload.end());
  return out;
}

}  // namespace veritee::snp
