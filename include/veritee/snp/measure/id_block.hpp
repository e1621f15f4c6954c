// The identity a host passes to SNP_LAUNCH_FINISH (SEV-SNP Firmware ABI, section
// "SNP_LAUNCH_FINISH", tables "ID_BLOCK" and "ID_AUTH_INFO"), and the key digests the guest's
// report then carries (ID_KEY_DIGEST, AUTHOR_KEY_DIGEST: SHA-384 of the key in the ABI's
// public-key format, table "ECDSA Public Key Format"). Signatures are ECDSA P-384 with SHA-384
// through OpenSSL EVP, stored as R and S little-endian in 72-byte fields (table "ECDSA
// Signature Format").
#pragma once

#include <array>
#include <cstdint>
#include <optional>

#include "veritee/common/bytes.hpp"
#include "veritee/common/error.hpp"
#include "veritee/snp/measure/launch_digest.hpp"

namespace veritee::snp::measure {

// ID_BLOCK (0x60 bytes): LD 48, FAMILY_ID 16, IMAGE_ID 16, u32 VERSION (1), u32 GUEST_SVN,
// u64 POLICY.
struct IdBlock {
  static constexpr std::size_t kSize = 0x60;
  static constexpr std::uint32_t kVersion = 1;

  Digest launch_digest{};
  std::array<std::uint8_t, 16> family_id{};
  std::array<std::uint8_t, 16> image_id{};
  std::uint32_t version = kVersion;
  std::uint32_t guest_svn = 0;
  std::uint64_t policy = 0;

  Bytes serialize() const;
  // Exactly kSize bytes, VERSION 1.
  static Result<IdBlock> parse(ByteView bytes);
};

// ID_AUTH_INFO (0x1000 bytes): u32 ID_KEY_ALGO, u32 AUTH_KEY_ALGO, reserved to 0x40,
// ID_BLOCK_SIG (0x200) at 0x40, ID_KEY (0x404) at 0x240, reserved to 0x680, ID_KEY_SIG (0x200)
// at 0x680, AUTHOR_KEY (0x404) at 0x880, reserved to 0x1000.
struct IdAuthInfo {
  static constexpr std::size_t kSize = 0x1000;
  static constexpr std::size_t kSignatureSize = 0x200;
  static constexpr std::size_t kPublicKeySize = 0x404;
  static constexpr std::uint32_t kAlgoEcdsaP384Sha384 = 1;

  std::uint32_t id_key_algo = kAlgoEcdsaP384Sha384;
  std::uint32_t auth_key_algo = 0;  // 0: no author key
  Bytes id_block_sig = Bytes(kSignatureSize, 0);
  Bytes id_key = Bytes(kPublicKeySize, 0);
  Bytes id_key_sig = Bytes(kSignatureSize, 0);
  Bytes author_key = Bytes(kPublicKeySize, 0);

  Bytes serialize() const;
  // Exactly kSize bytes; known algorithms; reserved bytes zero; without an author key its
  // fields are zero.
  static Result<IdAuthInfo> parse(ByteView bytes);
};

struct IdentityOutput {
  IdBlock block;
  IdAuthInfo auth;
  Bytes id_block;  // serialized
  Bytes id_auth;   // serialized
  Digest id_key_digest{};
  std::optional<Digest> author_key_digest;
};

// The ABI public-key format (u32 CURVE 2 = P-384, QX and QY little-endian in 72-byte fields,
// zero to 0x404 bytes) of the EC P-384 key in `pem` (a private or public key).
Result<Bytes> abi_public_key(ByteView pem);
// SHA-384 of an ABI public key: what ID_KEY_DIGEST / AUTHOR_KEY_DIGEST hold.
Result<Digest> key_digest(ByteView abi_key);

// Signs `block` with the ID key (and the ID key with the author key, when given): the ID_BLOCK
// and ID_AUTH_INFO as QEMU's sev-snp-guest id-block / id-auth take them (base64 of these bytes).
// The keys are PEM EC P-384 private keys; POLICY must be a valid guest policy (bit 17 set,
// bits 63:26 zero).
Result<IdentityOutput> make_identity(const IdBlock& block, ByteView id_key_pem,
                                     std::optional<ByteView> author_key_pem);

// Verifies an ABI-format signature over `message` with an ABI-format public key.
Result<void> verify_abi_signature(ByteView abi_key, ByteView message, ByteView signature);

}  // namespace veritee::snp::measure
