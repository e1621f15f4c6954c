#include "veritee/x509/certificate.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <map>
#include <deque>
#include <ctime>
#include <mutex>
#include <optional>

#include <openssl/asn1.h>
#include <openssl/core_names.h>
#include <openssl/objects.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "x509/amd_roots.inc"
#include "x509/certificate_asn1.hpp"
#include "x509/der_text.hpp"
#include "x509/openssl_util.hpp"

namespace veritee::x509 {
namespace {

// AMD doc 57230, Table 8 "VCEK Certificate Extensions": OID arc 1.3.6.1.4.1.3704.1.
constexpr const char* kOidStructVersion = "1.3.6.1.4.1.3704.1.1";
constexpr const char* kOidProductName = "1.3.6.1.4.1.3704.1.2";
constexpr const char* kOidSplPrefix = "1.3.6.1.4.1.3704.1.3.";  // .1 bl .. .8 ucode, .9 fmc
constexpr const char* kOidHwId = "1.3.6.1.4.1.3704.1.4";
constexpr const char* kOidCspId = "1.3.6.1.4.1.3704.1.5";

std::string name_cn(const X509_NAME* name) {
  int idx = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
  if (idx < 0) return {};
  const ASN1_STRING* s = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, idx));
  return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                     static_cast<std::size_t>(ASN1_STRING_length(s)));
}

TimePoint asn1_time(const ASN1_TIME* t) {
  std::tm tm{};
  if (!t || ASN1_TIME_to_tm(t, &tm) != 1) return TimePoint{};
  return from_utc(tm);
}

// The AMD extension OIDs as objects, built once (OBJ_txt2obj parses the dotted text and
// allocates: 13 times per verification before).
struct AmdOids {
  ASN1_OBJECT* struct_version = nullptr;
  ASN1_OBJECT* product_name = nullptr;
  std::array<ASN1_OBJECT*, 10> spl{};  // [1] blSPL .. [9] fmcSPL; [0] unused
  std::array<std::string, 10> spl_text;
  ASN1_OBJECT* hw_id = nullptr;
  ASN1_OBJECT* csp_id = nullptr;
};

const AmdOids& amd_oids() {
  static const AmdOids oids = [] {
    AmdOids o;
    o.struct_version = OBJ_txt2obj(kOidStructVersion, 1);
    o.product_name = OBJ_txt2obj(kOidProductName, 1);
    for (std::size_t i = 1; i < o.spl.size(); ++i) {
      o.spl_text[i] = kOidSplPrefix + std::to_string(i);
      o.spl[i] = OBJ_txt2obj(o.spl_text[i].c_str(), 1);
    }
    o.hw_id = OBJ_txt2obj(kOidHwId, 1);
    o.csp_id = OBJ_txt2obj(kOidCspId, 1);
    return o;  // kept for the life of the process
  }();
  return oids;
}

// The DER contents of the extension with this OID, or nullptr when absent.
const ASN1_OCTET_STRING* extension_data(const STACK_OF(X509_EXTENSION) * exts,
                                        const ASN1_OBJECT* oid) {
  if (!oid || !exts) return nullptr;
  int idx = X509v3_get_ext_by_OBJ(exts, oid, -1);
  if (idx < 0) return nullptr;
  return X509_EXTENSION_get_data(X509v3_get_ext(exts, idx));
}

// SEC 1 2.3.3: an uncompressed P-384 point is 0x04 || X || Y, 48 bytes each.
constexpr std::size_t kP384PointBytes = 97;

// The SubjectPublicKeyInfo's BIT STRING when the key is id-ecPublicKey on the named curve
// secp384r1 (RFC 5480 2.1.1) in uncompressed form; empty otherwise.
ByteView p384_point_of(const detail::SpkiFields& spki) {
  const ASN1_OBJECT* alg = nullptr;
  int param_type = 0;
  const void* param = nullptr;
  X509_ALGOR_get0(&alg, &param_type, &param, spki.algorithm);
  if (OBJ_obj2nid(alg) != NID_X9_62_id_ecPublicKey || param_type != V_ASN1_OBJECT ||
      OBJ_obj2nid(static_cast<const ASN1_OBJECT*>(param)) != NID_secp384r1) {
    return {};
  }
  const ASN1_BIT_STRING* bits = spki.public_key;
  // A key is whole octets: no unused bits in the last one.
  if ((bits->flags & ASN1_STRING_FLAG_BITS_LEFT) != 0 && (bits->flags & 0x07) != 0) return {};
  if (ASN1_STRING_length(bits) != static_cast<int>(kP384PointBytes)) return {};
  const unsigned char* data = ASN1_STRING_get0_data(bits);
  if (data[0] != 0x04) return {};
  return ByteView(data, kP384PointBytes);
}

// An EVP_PKEY for a P-384 point, through the EC key manager (no decoder). EVP_PKEY_fromdata
// refuses a point that is not on the curve.
ossl::PkeyPtr p384_pkey(ByteView point) {
  ossl::PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
  char group[] = "secp384r1";
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, group, 0),
      OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY,
                                        const_cast<unsigned char*>(point.data()), point.size()),
      OSSL_PARAM_construct_end()};
  EVP_PKEY* key = nullptr;
  if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &key, EVP_PKEY_PUBLIC_KEY, params) != 1) {
    ERR_clear_error();
    return nullptr;
  }
  return ossl::PkeyPtr(key);
}

// The AMD roots this library pins (amd_roots.inc), as DER. A certificate whose DER is exactly
// one of them is parsed once per process and shared, so loading the usual ASK/ARK files
// costs a byte comparison rather than two OpenSSL 3.0 parses (d2i_X509 decodes the public key
// through OSSL_DECODER: about as many instructions as one RSA-4096 verification). Sharing is
// safe: a Certificate never modifies its X509 or key.
struct PinnedDer {
  Bytes der;
  std::once_flag once;
  std::optional<Certificate> cert;
};

Bytes pem_to_der(const char* pem) {
  auto bio = ossl::mem_bio(pem, std::strlen(pem));
  char* name = nullptr;
  char* header = nullptr;
  unsigned char* data = nullptr;
  long len = 0;
  Bytes out;
  if (PEM_read_bio(bio.get(), &name, &header, &data, &len) == 1) out.assign(data, data + len);
  OPENSSL_free(name);
  OPENSSL_free(header);
  OPENSSL_free(data);
  return out;
}

std::array<PinnedDer, 9>& pinned_der() {
  static std::array<PinnedDer, 9> table;
  static const bool filled = [] {
    using namespace amd_roots;
    const char* pems[] = {kMilanArk, kMilanAsk, kMilanAsvk, kGenoaArk, kGenoaAsk,
                          kGenoaAsvk, kTurinArk, kTurinAsk, kTurinAsvk};
    for (std::size_t i = 0; i < table.size(); ++i) table[i].der = pem_to_der(pems[i]);
    return true;
  }();
  (void)filled;
  return table;
}

// Set while a pinned root itself is being parsed (so from_der does not look itself up).
thread_local bool parsing_pinned = false;

Result<ossl::Asn1TypePtr> decode_any(const ASN1_OCTET_STRING* data, const char* oid) {
  const unsigned char* p = ASN1_STRING_get0_data(data);
  long len = ASN1_STRING_length(data);
  ossl::Asn1TypePtr t(d2i_ASN1_TYPE(nullptr, &p, len));
  if (!t || p != ASN1_STRING_get0_data(data) + len) {
    return fail(Errc::kEndorsementInvalid,
                std::string("certificate extension ") + oid + " is not one DER value");
  }
  return t;
}

Result<std::int64_t> ext_integer(const ASN1_OCTET_STRING* data, const char* oid) {
  auto t = decode_any(data, oid);
  if (!t) return std::unexpected(t.error());
  std::int64_t v = 0;
  if (ASN1_TYPE_get(t->get()) != V_ASN1_INTEGER ||
      ASN1_INTEGER_get_int64(&v, t->get()->value.integer) != 1) {
    return fail(Errc::kEndorsementInvalid,
                std::string("certificate extension ") + oid + " is not an INTEGER");
  }
  return v;
}

Result<std::string> ext_string(const ASN1_OCTET_STRING* data, const char* oid) {
  auto t = decode_any(data, oid);
  if (!t) return std::unexpected(t.error());
  int type = ASN1_TYPE_get(t->get());
  if (type != V_ASN1_IA5STRING && type != V_ASN1_UTF8STRING && type != V_ASN1_PRINTABLESTRING) {
    return fail(Errc::kEndorsementInvalid,
                std::string("certificate extension ") + oid + " is not a string");
  }
  const ASN1_STRING* s = t->get()->value.asn1_string;
  return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                     static_cast<std::size_t>(ASN1_STRING_length(s)));
}

}  // namespace

// Outside the anonymous namespace: a member of Certificate::State has this type.
struct FieldsFree {
  void operator()(detail::CertFields* f) const { detail::free_cert_fields(f); }
};

// One parsed certificate, shared by every copy of its Certificate. The OpenSSL X509 and a
// P-384 key's EVP_PKEY are built on first use.
struct Certificate::State {
  Bytes der;
  std::optional<std::array<unsigned char, 32>> sha256;  // of der, from from_der's memo lookup
  std::unique_ptr<detail::CertFields, FieldsFree> fields;
  ByteView point;      // into fields: the P-384 point, or empty
  ossl::PkeyPtr key;   // any other key, decoded by from_der
  mutable std::once_flag x509_once;
  mutable ossl::X509Ptr x509;
  mutable std::once_flag key_once;
  mutable ossl::PkeyPtr p384_key;
  // What verification reads from the certificate on every report, decoded once per certificate
  // (a memoized VCEK is verified against again and again): the AMD extensions (d2i of each
  // extension's value, about 20,000 instructions) and the validity period.
  mutable std::once_flag amd_once;
  mutable std::optional<Result<AmdExtensions>> amd;
  mutable std::once_flag validity_once;
  mutable TimePoint not_before;
  mutable TimePoint not_after;
  // The subject's and issuer's CN: the chain checks look them up and name them in their
  // sentences several times per verification.
  mutable std::once_flag names_once;
  mutable std::string subject_cn;
  mutable std::string issuer_cn;

  void decode_names() const {
    std::call_once(names_once, [this] {
      subject_cn = name_cn(tbs().subject);
      issuer_cn = name_cn(tbs().issuer);
    });
  }

  void decode_validity() const {
    std::call_once(validity_once, [this] {
      not_before = asn1_time(tbs().validity->notBefore);
      not_after = asn1_time(tbs().validity->notAfter);
    });
  }

  const detail::TbsFields& tbs() const { return *fields->tbs; }
};

// Certificate::from_der's memo (declared here: it holds Certificates).
struct ParsedCertificates {
  static constexpr std::size_t kCapacity = 256;
  std::mutex mutex;
  std::map<std::array<unsigned char, 32>, Certificate> by_digest;
  std::deque<std::array<unsigned char, 32>> order;
};

static ParsedCertificates& parsed_certificates() {
  static ParsedCertificates parsed;
  return parsed;
}

Result<Certificate> Certificate::from_der(ByteView der) {
  if (!parsing_pinned) {
    for (PinnedDer& pinned : pinned_der()) {
      if (pinned.der.size() != der.size() ||
          std::memcmp(pinned.der.data(), der.data(), der.size()) != 0) {
        continue;
      }
      std::call_once(pinned.once, [&] {
        parsing_pinned = true;
        auto parsed = from_der(pinned.der);
        parsing_pinned = false;
        if (parsed) pinned.cert = std::move(*parsed);
      });
      if (pinned.cert) return *pinned.cert;
      break;  // cannot happen (a pinned root that does not parse); parse it as any other
    }
  }
  // Recently parsed certificates, by SHA-256 of their DER: a service that receives the same
  // VCEK with every request parses it once (OpenSSL 3.0's key decoder is most of a parse), and
  // the shared X509 object lets VerifiedLinks recognise links it already checked. Bounded.
  ParsedCertificates& parsed = parsed_certificates();
  std::array<unsigned char, 32> digest{};
  const bool hashed =
      EVP_Digest(der.data(), der.size(), digest.data(), nullptr, ossl::sha256_md(), nullptr) == 1;
  if (hashed) {
    std::lock_guard lock(parsed.mutex);
    if (auto it = parsed.by_digest.find(digest); it != parsed.by_digest.end()) return it->second;
  }
  // OpenSSL's templates with the key kept as bytes (certificate_asn1.hpp), not d2i_X509.
  auto state = std::make_shared<State>();
  state->der.assign(der.begin(), der.end());
  if (hashed) state->sha256 = digest;
  const unsigned char* p = state->der.data();
  state->fields.reset(detail::d2i_cert_fields(&p, static_cast<long>(der.size())));
  if (!state->fields) {
    return fail(Errc::kEndorsementInvalid, "not a DER X.509 certificate: " + ossl::last_error());
  }
  if (p != state->der.data() + der.size()) {
    return fail(Errc::kEndorsementInvalid, "DER certificate followed by " +
                                               std::to_string(state->der.data() + der.size() - p) +
                                               " unexpected bytes");
  }
  // RFC 5280 4.1.2.1: v1 (absent or 0), v2 (1), v3 (2); anything else is unknown.
  if (const ASN1_INTEGER* version = state->tbs().version) {
    std::int64_t v = -1;
    if (ASN1_INTEGER_get_int64(&v, version) != 1 || v < 0 || v > 2) {
      ERR_clear_error();
      return fail(Errc::kEndorsementInvalid, "certificate version is not v1, v2 or v3");
    }
  }
  const detail::SpkiFields& spki = *state->tbs().key;
  state->point = p384_point_of(spki);
  if (state->point.empty()) {
    // Not a P-384 point: the key is decoded now, through OpenSSL's decoder (the pinned AMD
    // roots are parsed once per process; an RSA key is what their signatures need).
    const unsigned char* k = spki.enc.enc;
    state->key.reset(d2i_PUBKEY(nullptr, &k, spki.enc.len));
    if (!state->key) {
      return fail(Errc::kEndorsementInvalid,
                  "certificate public key unreadable: " + ossl::last_error());
    }
  }
  Certificate out(std::move(state));
  if (hashed) {
    std::lock_guard lock(parsed.mutex);
    if (parsed.by_digest.emplace(digest, out).second) {
      parsed.order.push_back(digest);
      if (parsed.order.size() > ParsedCertificates::kCapacity) {
        parsed.by_digest.erase(parsed.order.front());
        parsed.order.pop_front();
      }
    }
  }
  return out;
}

void Certificate::forget_parsed() {
  ParsedCertificates& parsed = parsed_certificates();
  std::lock_guard lock(parsed.mutex);
  parsed.by_digest.clear();
  parsed.order.clear();
}

Result<std::vector<Certificate>> Certificate::load_all(ByteView input) {
  std::string_view text(reinterpret_cast<const char*>(input.data()), input.size());
  std::vector<Certificate> out;
  if (text.find("-----BEGIN") == std::string_view::npos) {
    const std::optional<Bytes> decoded = detail::base64_der(input);
    auto one = from_der(decoded ? ByteView(*decoded) : input);
    if (!one) return std::unexpected(one.error());
    out.push_back(std::move(*one));
    return out;
  }
  auto bio = ossl::mem_bio(input.data(), input.size());
  // Each PEM block is base64-decoded and its DER parsed once (PEM_read_bio_X509 followed by a
  // re-encode and from_der parsed every certificate twice). Blocks of other types are skipped,
  // as PEM_read_bio_X509 skips them.
  for (;;) {
    char* name = nullptr;
    char* header = nullptr;
    unsigned char* data = nullptr;
    long len = 0;
    if (PEM_read_bio(bio.get(), &name, &header, &data, &len) != 1) break;
    const std::string_view type(name);
    const bool is_cert = type == PEM_STRING_X509 || type == PEM_STRING_X509_OLD;
    Result<Certificate> cert = fail(Errc::kEndorsementInvalid, "");
    if (is_cert) cert = from_der(ByteView(data, static_cast<std::size_t>(len)));
    OPENSSL_free(name);
    OPENSSL_free(header);
    OPENSSL_free(data);
    if (!is_cert) continue;
    if (!cert) return std::unexpected(cert.error());
    out.push_back(std::move(*cert));
  }
  unsigned long err = ERR_peek_last_error();
  ERR_clear_error();
  if (out.empty()) {
    return fail(Errc::kEndorsementInvalid, "no certificate in the PEM input");
  }
  if (err != 0 && ERR_GET_REASON(err) != PEM_R_NO_START_LINE) {
    return fail(Errc::kEndorsementInvalid, "a PEM block after certificate " +
                                               std::to_string(out.size()) + " is not readable");
  }
  return out;
}

Result<std::vector<Certificate>> Certificate::load_file(const std::filesystem::path& path) {
  auto bytes = read_file(path);
  if (!bytes) return std::unexpected(bytes.error());
  auto certs = load_all(*bytes);
  if (!certs) {
    return fail_within(certs, path.string());
  }
  return certs;
}

X509* Certificate::native() const {
  std::call_once(state_->x509_once, [this] {
    const unsigned char* p = state_->der.data();
    state_->x509.reset(d2i_X509(nullptr, &p, static_cast<long>(state_->der.size())));
    ERR_clear_error();
  });
  return state_->x509.get();
}

EVP_PKEY* Certificate::public_key() const {
  if (state_->point.empty()) return state_->key.get();
  std::call_once(state_->key_once, [this] { state_->p384_key = p384_pkey(state_->point); });
  return state_->p384_key.get();
}

ByteView Certificate::p384_point() const { return state_->point; }

Bytes Certificate::der() const { return state_->der; }

std::string Certificate::pem() const {
  ossl::BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio(bio.get(), PEM_STRING_X509, "", state_->der.data(),
                static_cast<long>(state_->der.size()));
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(len));
}

std::string Certificate::subject_cn() const {
  state_->decode_names();
  return state_->subject_cn;
}
std::string Certificate::issuer_cn() const {
  state_->decode_names();
  return state_->issuer_cn;
}

std::string Certificate::serial_hex() const {
  BIGNUM* bn = ASN1_INTEGER_to_BN(state_->tbs().serial, nullptr);
  char* hex = BN_bn2hex(bn);
  std::string out = hex ? hex : "";
  OPENSSL_free(hex);
  BN_free(bn);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  // BN_bn2hex pads to whole bytes; the serial is a number, printed without leading zeros.
  auto first = out.find_first_not_of('0');
  return first == std::string::npos ? std::string("0") : out.substr(first);
}

std::array<unsigned char, 32> Certificate::sha256() const {
  if (state_->sha256) return *state_->sha256;
  std::array<unsigned char, 32> md{};
  EVP_Digest(state_->der.data(), state_->der.size(), md.data(), nullptr, ossl::sha256_md(), nullptr);
  return md;
}

std::string Certificate::sha256_hex() const { return to_hex(sha256()); }

TimePoint Certificate::not_before() const {
  state_->decode_validity();
  return state_->not_before;
}
TimePoint Certificate::not_after() const {
  state_->decode_validity();
  return state_->not_after;
}

bool Certificate::valid_at(TimePoint when) const {
  return not_before() <= when && when <= not_after();
}

bool Certificate::is_self_issued() const {
  return X509_NAME_cmp(state_->tbs().subject, state_->tbs().issuer) == 0;
}

Result<void> Certificate::verify_signed_by(const Certificate& issuer) const {
  if (X509_NAME_cmp(state_->tbs().issuer, issuer.state_->tbs().subject) != 0) {
    return fail(Errc::kEndorsementInvalid, "'" + subject_cn() + "' names issuer '" + issuer_cn() +
                                               "', not '" + issuer.subject_cn() + "'");
  }
  const detail::CertFields& f = *state_->fields;
  // As X509_verify: the outer signatureAlgorithm must repeat the TBSCertificate's (RFC 5280
  // 4.1.1.2), and the signature is checked over the received TBSCertificate bytes.
  if (X509_ALGOR_cmp(f.signature_algorithm, f.tbs->signature) != 0) {
    return fail(Errc::kEndorsementInvalid,
                "'" + subject_cn() + "': signatureAlgorithm differs from the TBSCertificate's");
  }
  EVP_PKEY* key = issuer.public_key();
  if (!key) {
    return fail(Errc::kEndorsementInvalid,
                "the public key of '" + issuer.subject_cn() + "' is not a point on its curve");
  }
  if (ASN1_item_verify(detail::tbs_item(), f.signature_algorithm, f.signature, f.tbs, key) != 1) {
    return fail(Errc::kEndorsementInvalid, "signature on '" + subject_cn() +
                                               "' does not verify with the key of '" +
                                               issuer.subject_cn() + "': " + ossl::last_error());
  }
  return {};
}

namespace {

Result<AmdExtensions> decode_amd_extensions(const detail::TbsFields& tbs) {
  AmdExtensions out;
  const STACK_OF(X509_EXTENSION)* c = tbs.extensions;
  const AmdOids& oids = amd_oids();
  if (auto d = extension_data(c, oids.struct_version)) {
    auto v = ext_integer(d, kOidStructVersion);
    if (!v) return std::unexpected(v.error());
    out.struct_version = *v;
  }
  if (auto d = extension_data(c, oids.product_name)) {
    auto v = ext_string(d, kOidProductName);
    if (!v) return std::unexpected(v.error());
    out.product_name = *v;
  }
  for (std::size_t i = 1; i <= 9; ++i) {
    auto d = extension_data(c, oids.spl[i]);
    if (!d) continue;
    const std::string& oid = oids.spl_text[i];
    auto v = ext_integer(d, oid.c_str());
    if (!v) return std::unexpected(v.error());
    if (*v < 0 || *v > 255) {
      return fail(Errc::kEndorsementInvalid,
                  "SPL extension " + oid + " is " + std::to_string(*v) + ", not 0..255");
    }
    auto spl = static_cast<std::uint8_t>(*v);
    switch (i) {
      case 1: out.bl_spl = spl; break;
      case 2: out.tee_spl = spl; break;
      case 3: out.snp_spl = spl; break;
      case 8: out.ucode_spl = spl; break;
      case 9: out.fmc_spl = spl; break;
      default: out.spl4_7[i - 4] = spl; break;
    }
  }
  if (auto d = extension_data(c, oids.hw_id)) {
    // The extension value is the raw hwID bytes (doc 57230 Table 8), not a nested DER value.
    const unsigned char* p = ASN1_STRING_get0_data(d);
    out.hw_id = Bytes(p, p + ASN1_STRING_length(d));
  }
  if (auto d = extension_data(c, oids.csp_id)) {
    auto v = ext_string(d, kOidCspId);
    if (!v) return std::unexpected(v.error());
    out.csp_id = *v;
  }
  return out;
}

}  // namespace

Result<AmdExtensions> Certificate::amd_extensions() const {
  std::call_once(state_->amd_once, [this] { state_->amd = decode_amd_extensions(state_->tbs()); });
  return *state_->amd;
}

bool operator==(const Certificate& a, const Certificate& b) {
  return a.state_ == b.state_ || a.state_->der == b.state_->der;
}

}  // namespace veritee::x509
