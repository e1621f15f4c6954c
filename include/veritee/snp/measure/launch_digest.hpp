// The SEV-SNP launch digest: a chained SHA-384 over one PAGE_INFO structure per page the host
// adds with SNP_LAUNCH_UPDATE (SEV-SNP Firmware ABI, section "SNP_LAUNCH_UPDATE", table
// "PAGE_INFO"): DIGEST_CUR (48, the digest so far), CONTENTS (48: SHA-384 of the 4 KiB page for
// NORMAL and VMSA pages, zero for the others), u16 LENGTH 0x70, u8 PAGE_TYPE, u8 IMI_PAGE,
// u8 VMPL3/VMPL2/VMPL1 permissions, u8 reserved, u64 GPA. The new digest is SHA-384 of it.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>

#include "veritee/common/bytes.hpp"
#include "veritee/common/error.hpp"

namespace veritee::snp::measure {

inline constexpr std::size_t kDigestSize = 48;
using Digest = std::array<std::uint8_t, kDigestSize>;

// PAGE_TYPE values (ABI, "Page types").
enum class PageType : std::uint8_t {
  kNormal = 1,
  kVmsa = 2,
  kZero = 3,
  kUnmeasured = 4,
  kSecrets = 5,
  kCpuid = 6,
};

// The GPA a VMSA page is recorded at: (u64)-1, page-aligned, bits above 51 cleared.
inline constexpr std::uint64_t kVmsaGpa = 0xFFFFFFFFF000ULL;

class LaunchDigest {
 public:
  static constexpr std::size_t kPageInfoSize = 0x70;

  LaunchDigest();  // starts from 48 zero bytes
  explicit LaunchDigest(const Digest& seed);  // continues from a digest (e.g. the OVMF hash)
  ~LaunchDigest();
  LaunchDigest(LaunchDigest&&) noexcept;
  LaunchDigest& operator=(LaunchDigest&&) noexcept;

  // `contents` must be whole 4 KiB pages; each is one NORMAL page from `gpa` up.
  void add_normal_pages(std::uint64_t gpa, ByteView contents);
  void add_vmsa_page(ByteView page) { add_vmsa_pages(page, 1); }  // exactly 4 KiB
  // `count` VMSA pages with the same contents (hashed once).
  void add_vmsa_pages(ByteView page, std::size_t count);
  void add_zero_pages(std::uint64_t gpa, std::uint64_t size);
  void add_unmeasured_pages(std::uint64_t gpa, std::uint64_t size);
  void add_secrets_page(std::uint64_t gpa);
  void add_cpuid_page(std::uint64_t gpa);

  std::size_t pages() const { return pages_; }
  // The digest so far, or the first error (a size that is not whole pages, an OpenSSL failure).
  Result<Digest> value() const;

 private:
  struct Hasher;
  void update(PageType type, std::uint64_t gpa, const Digest& contents);
  void fail_with(Error e);

  Digest ld_{};
  std::size_t pages_ = 0;
  std::optional<Error> error_;
  std::unique_ptr<Hasher> hasher_;
};

// SHA-384 and SHA-256 through OpenSSL EVP.
Result<Digest> sha384(ByteView data);
Result<std::array<std::uint8_t, 32>> sha256(ByteView data);

}  // namespace veritee::snp::measure
