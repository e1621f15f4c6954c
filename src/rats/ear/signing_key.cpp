// The EAR signing key: ES256 (P-256, SHA-256) or ES384 (P-384, SHA-384), RFC 7518 section 3.4.
#include "veritee/rats/signing_key.hpp"

#include <sys/stat.h>

#include <array>
#include <filesystem>

#include <openssl/core_names.h>
#include <openssl/pem.h>

#include "veritee/x509/ecdsa.hpp"
#include "x509/openssl_util.hpp"
#include "veritee/common/file_lock.hpp"

namespace veritee::rats {

using namespace ossl;

std::string_view to_string(JwsAlg alg) { return alg == JwsAlg::kES256 ? "ES256" : "ES384"; }

Result<JwsAlg> parse_jws_alg(std::string_view name) {
  if (name == "ES256") return JwsAlg::kES256;
  if (name == "ES384") return JwsAlg::kES384;
  return fail(Errc::kInvalidInput, "JWS algorithm '" + std::string(name) +
                                       "' is not accepted (ES256 or ES384 only)");
}

std::size_t signature_size(JwsAlg alg) { return alg == JwsAlg::kES256 ? 64 : 96; }

namespace {

const EVP_MD* digest_of(JwsAlg alg) {
  return alg == JwsAlg::kES256 ? ossl::sha256_md() : ossl::sha384_md();
}

// The algorithm of an EC key by its curve; anything but P-256/P-384 is refused.
Result<JwsAlg> alg_of(EVP_PKEY* key) {
  if (EVP_PKEY_get_base_id(key) != EVP_PKEY_EC) {
    return fail(Errc::kInvalidInput, "the signing key is not an EC key (ES256 needs P-256, ES384 P-384)");
  }
  char group[64] = {};
  std::size_t len = 0;
  if (EVP_PKEY_get_group_name(key, group, sizeof group, &len) != 1) {
    return fail(Errc::kCrypto, error_with("cannot read the key's curve"));
  }
  std::string_view name(group, len);
  if (name == "prime256v1" || name == "P-256") return JwsAlg::kES256;
  if (name == "secp384r1" || name == "P-384") return JwsAlg::kES384;
  return fail(Errc::kInvalidInput, "the signing key is on curve " + std::string(name) +
                                       "; ES256 needs P-256 and ES384 P-384");
}

std::string pem_of(EVP_PKEY* key, bool is_private) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  int ok = is_private ? PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr)
                      : PEM_write_bio_PUBKEY(bio.get(), key);
  if (ok != 1) return {};
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(len));
}

}  // namespace

Result<SigningKey> SigningKey::generate(JwsAlg alg) {
  EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC",
                                    alg == JwsAlg::kES256 ? "P-256" : "P-384");
  if (!key) return fail(Errc::kCrypto, error_with("EC key generation failed"));
  return SigningKey(share(key), alg);
}

Result<SigningKey> SigningKey::from_pem(std::string_view pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  EVP_PKEY* raw = PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr);
  if (!raw) return fail(Errc::kInvalidInput, error_with("not a PEM private key"));
  auto key = share(raw);
  auto alg = alg_of(key.get());
  if (!alg) return std::unexpected(alg.error());
  return SigningKey(std::move(key), *alg);
}

Result<SigningKey> SigningKey::load_file(const std::filesystem::path& path) {
  // A private key anyone else may read is not private: the same rule wherever the key lives.
  auto bytes = read_private_file(path, 64 << 10);
  if (!bytes) return std::unexpected(bytes.error());
  auto key = from_pem(std::string_view(reinterpret_cast<const char*>(bytes->data()), bytes->size()));
  if (!key) return fail_within(key, path.string());
  return key;
}

Result<SigningKey> SigningKey::load_or_create(const std::filesystem::path& state_dir, JwsAlg alg) {
  std::error_code ec;
  const bool created = std::filesystem::create_directories(state_dir, ec);
  if (ec) return fail(Errc::kIo, state_dir.string() + ": " + ec.message());
  // Only a directory made here is narrowed to 0700; an existing one (say a shared 1777
  // directory) is the operator's and keeps its mode. The key file itself is always 0600.
  if (created) std::filesystem::permissions(state_dir, std::filesystem::perms::owner_all, ec);
  // One process creates the key; others starting at the same moment wait and load it.
  auto lock = FileLock::acquire(state_dir / "signing-key.lock");
  if (!lock) return std::unexpected(lock.error());
  const auto path = state_dir / "signing-key.pem";
  if (std::filesystem::exists(path)) return load_file(path);
  auto key = generate(alg);
  if (!key) return key;
  const std::string pem = key->private_pem();
  if (auto ok = write_file_atomic(path, as_bytes(pem), 0600); !ok) return std::unexpected(ok.error());
  return key;
}

std::string SigningKey::private_pem() const { return pem_of(key_.get(), true); }
std::string SigningKey::public_pem() const { return pem_of(key_.get(), false); }

namespace {

// The signing context of the last key this thread signed with, initialised once
// (EVP_PKEY_sign_init fetches the provider's ECDSA and exports the key: more than the
// signature itself costs for a P-256 key). Holds a reference so the address stays this key's.
struct PreparedSign {
  PkeyPtr key;
  PkeyCtxPtr ctx;

  EVP_PKEY_CTX* for_key(EVP_PKEY* k) {
    if (key.get() == k && ctx) return ctx.get();
    ctx.reset();
    key.reset();
    PkeyCtxPtr fresh(EVP_PKEY_CTX_new_from_pkey(nullptr, k, nullptr));
    if (!fresh || EVP_PKEY_sign_init(fresh.get()) != 1 || EVP_PKEY_up_ref(k) != 1) return nullptr;
    key.reset(k);
    ctx = std::move(fresh);
    return ctx.get();
  }
};

}  // namespace

Result<Bytes> SigningKey::sign(ByteView signing_input) const {
  // The digest, then one ECDSA signature on a context prepared once per key and thread.
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int digest_len = 0;
  if (EVP_Digest(signing_input.data(), signing_input.size(), digest.data(), &digest_len,
                 digest_of(alg_), nullptr) != 1) {
    return fail(Errc::kCrypto, error_with("digest for ECDSA signing failed"));
  }
  thread_local PreparedSign prepared;
  EVP_PKEY_CTX* ctx = prepared.for_key(key_.get());
  std::size_t len = 0;
  if (!ctx || EVP_PKEY_sign(ctx, nullptr, &len, digest.data(), digest_len) != 1) {
    return fail(Errc::kCrypto, error_with("ECDSA signing failed"));
  }
  Bytes der(len);
  if (EVP_PKEY_sign(ctx, der.data(), &len, digest.data(), digest_len) != 1) {
    return fail(Errc::kCrypto, error_with("ECDSA signing failed"));
  }
  der.resize(len);
  return x509::ecdsa_der_to_raw(der, signature_size(alg_));
}

}  // namespace veritee::rats
