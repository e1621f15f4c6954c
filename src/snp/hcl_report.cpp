#include "veritee/snp/hcl_report.hpp"

#include <openssl/evp.h>

#include "veritee/common/byte_reader.hpp"

namespace veritee::snp {

Result<HclReport> parse_hcl_report(ByteView blob) {
  ByteReader r(blob);
  auto magic = r.u32();
  if (!magic) return fail(Errc::kTruncated, "truncated HCL report: no header");
  if (*magic != kHclMagic) {
    return fail(Errc::kInvalidInput, "not an HCL report: the blob does not start with \"HCLA\"");
  }
  HclReport out;
  auto version = r.u32();
  r.skip(4);  // report_size
  auto request_type = r.u32();
  if (!version || !request_type || !r.seek(kHclReportOffset)) {
    return fail(Errc::kTruncated, "truncated HCL report: header shorter than 32 bytes");
  }
  out.header_version = *version;
  out.request_type = *request_type;
  auto report = r.bytes(kReportSize);
  if (!report) {
    return fail(Errc::kTruncated, "truncated HCL report: " + std::to_string(blob.size()) +
                                      " bytes, the SNP report needs 0x20..0x4C0");
  }
  out.report = *report;
  auto data_size = r.u32();
  auto data_version = r.u32();
  auto report_type = r.u32();
  auto hash_type = r.u32();
  auto var_size = r.u32();
  if (!data_size || !data_version || !report_type || !hash_type || !var_size) {
    return fail(Errc::kTruncated,
                "truncated HCL report: the runtime data header at 0x4C0 is incomplete (" +
                    std::to_string(blob.size()) + " bytes)");
  }
  out.runtime_data_version = *data_version;
  out.report_type = *report_type;
  out.hash_type = *hash_type;
  if (out.hash_type < 1 || out.hash_type > 3) {
    return fail(Errc::kInvalidInput, "HCL runtime data has unknown hash_type " +
                                         std::to_string(out.hash_type) +
                                         " (1 SHA-256, 2 SHA-384, 3 SHA-512)");
  }
  auto claims = r.bytes(*var_size);
  if (!claims) {
    return fail(Errc::kTruncated, "truncated HCL report: runtime claims of " +
                                      std::to_string(*var_size) + " bytes at 0x4D4 run past the " +
                                      std::to_string(blob.size()) + "-byte blob");
  }
  out.runtime_claims = *claims;
  return out;
}

Result<bool> HclReport::runtime_claims_bound() const {
  const EVP_MD* md = hash_type == 1   ? EVP_sha256()
                     : hash_type == 2 ? EVP_sha384()
                     : hash_type == 3 ? EVP_sha512()
                                      : nullptr;
  if (!md) return fail(Errc::kInvalidInput, "unknown HCL hash_type");
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(runtime_claims.data(), runtime_claims.size(), digest, &len, md, nullptr) != 1) {
    return fail(Errc::kCrypto, "digest of the HCL runtime claims failed");
  }
  auto parsed = Report::parse(report);
  if (!parsed) return std::unexpected(parsed.error());
  ByteView data = parsed->report_data();
  return std::equal(digest, digest + len, data.begin());
}

}  // namespace veritee::snp
