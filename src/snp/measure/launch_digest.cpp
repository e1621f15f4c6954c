#include "veritee/snp/measure/launch_digest.hpp"

#include <openssl/evp.h>

#include "veritee/common/byte_writer.hpp"
#include "x509/openssl_util.hpp"

namespace veritee::snp::measure {
namespace {

constexpr std::size_t kPage = 4096;

template <std::size_t N>
Result<std::array<std::uint8_t, N>> digest(EVP_MD_CTX* ctx, const EVP_MD* md, ByteView data) {
  std::array<std::uint8_t, N> out{};
  unsigned int len = 0;
  if (md == nullptr || EVP_DigestInit_ex2(ctx, md, nullptr) != 1 ||
      EVP_DigestUpdate(ctx, data.data(), data.size()) != 1 ||
      EVP_DigestFinal_ex(ctx, out.data(), &len) != 1 || len != N) {
    return fail(Errc::kCrypto, "cannot compute a digest: " + ossl::last_error());
  }
  return out;
}

template <std::size_t N>
Result<std::array<std::uint8_t, N>> one_shot(const EVP_MD* md, ByteView data) {
  ossl::MdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx) return fail(Errc::kCrypto, "cannot allocate a digest context");
  return digest<N>(ctx.get(), md, data);
}

}  // namespace

Result<Digest> sha384(ByteView data) { return one_shot<kDigestSize>(ossl::sha384_md(), data); }
Result<std::array<std::uint8_t, 32>> sha256(ByteView data) {
  return one_shot<32>(ossl::sha256_md(), data);
}

// One digest context reused for every page (no allocation per page).
struct LaunchDigest::Hasher {
  ossl::MdCtxPtr ctx{EVP_MD_CTX_new()};
  Bytes info = Bytes(LaunchDigest::kPageInfoSize, 0);  // the PAGE_INFO being hashed
};

LaunchDigest::LaunchDigest() : hasher_(std::make_unique<Hasher>()) {}
LaunchDigest::LaunchDigest(const Digest& seed) : LaunchDigest() { ld_ = seed; }
LaunchDigest::~LaunchDigest() = default;
LaunchDigest::LaunchDigest(LaunchDigest&&) noexcept = default;
LaunchDigest& LaunchDigest::operator=(LaunchDigest&&) noexcept = default;

void LaunchDigest::fail_with(Error e) {
  if (!error_) error_ = std::move(e);
}

void LaunchDigest::update(PageType type, std::uint64_t gpa, const Digest& contents) {
  if (error_) return;
  // PAGE_INFO (ABI, SNP_LAUNCH_UPDATE): IMI_PAGE 0, VMPL permissions 0.
  Bytes& info = hasher_->info;
  std::copy(ld_.begin(), ld_.end(), info.begin());
  std::copy(contents.begin(), contents.end(), info.begin() + kDigestSize);
  put_le<std::uint16_t>(info, 0x60, kPageInfoSize);
  put_le<std::uint8_t>(info, 0x62, static_cast<std::uint8_t>(type));
  put_le<std::uint64_t>(info, 0x68, gpa);
  if (!hasher_->ctx) return fail_with({Errc::kCrypto, "cannot allocate a digest context"});
  auto next = digest<kDigestSize>(hasher_->ctx.get(), ossl::sha384_md(), info);
  if (!next) return fail_with(next.error());
  ld_ = *next;
  ++pages_;
}

void LaunchDigest::add_normal_pages(std::uint64_t gpa, ByteView contents) {
  if (contents.size() % kPage != 0) {
    return fail_with({Errc::kInvalidInput, "normal pages of " + std::to_string(contents.size()) +
                                               " bytes are not whole 4 KiB pages"});
  }
  for (std::size_t off = 0; off < contents.size() && !error_; off += kPage) {
    if (!hasher_->ctx) return fail_with({Errc::kCrypto, "cannot allocate a digest context"});
    auto page = digest<kDigestSize>(hasher_->ctx.get(), ossl::sha384_md(), contents.subspan(off, kPage));
    if (!page) return fail_with(page.error());
    update(PageType::kNormal, gpa + off, *page);
  }
}

void LaunchDigest::add_vmsa_pages(ByteView page, std::size_t count) {
  if (page.size() != kPage) {
    return fail_with({Errc::kInvalidInput, "a VMSA page of " + std::to_string(page.size()) +
                                               " bytes is not 4 KiB"});
  }
  if (!hasher_->ctx) return fail_with({Errc::kCrypto, "cannot allocate a digest context"});
  auto contents = digest<kDigestSize>(hasher_->ctx.get(), ossl::sha384_md(), page);
  if (!contents) return fail_with(contents.error());
  for (std::size_t i = 0; i < count; ++i) update(PageType::kVmsa, kVmsaGpa, *contents);
}

void LaunchDigest::add_zero_pages(std::uint64_t gpa, std::uint64_t size) {
  if (size % kPage != 0) {
    return fail_with({Errc::kInvalidInput,
                      "zero pages of " + std::to_string(size) + " bytes are not whole 4 KiB pages"});
  }
  for (std::uint64_t off = 0; off < size; off += kPage) update(PageType::kZero, gpa + off, {});
}

void LaunchDigest::add_unmeasured_pages(std::uint64_t gpa, std::uint64_t size) {
  if (size % kPage != 0) {
    return fail_with({Errc::kInvalidInput, "unmeasured pages of " + std::to_string(size) +
                                               " bytes are not whole 4 KiB pages"});
  }
  for (std::uint64_t off = 0; off < size; off += kPage) {
    update(PageType::kUnmeasured, gpa + off, {});
  }
}

void LaunchDigest::add_secrets_page(std::uint64_t gpa) { update(PageType::kSecrets, gpa, {}); }
void LaunchDigest::add_cpuid_page(std::uint64_t gpa) { update(PageType::kCpuid, gpa, {}); }

Result<Digest> LaunchDigest::value() const {
  if (error_) return std::unexpected(*error_);
  return ld_;
}

}  // namespace veritee::snp::measure
