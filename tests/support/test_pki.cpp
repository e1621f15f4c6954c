#include "support/test_pki.hpp"

#include <ctime>
#include <filesystem>
#include <map>
#include <mutex>
#include <stdexcept>

#include <openssl/asn1.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "x509/openssl_util.hpp"

namespace veritee::test {
namespace {

[[noreturn]] void die(const std::string& what) {
  unsigned long e = ERR_get_error();
  char buf[256] = {};
  ERR_error_string_n(e, buf, sizeof buf);
  throw std::runtime_error("test PKI: " + what + ": " + buf);
}

// The library's RAII deleter (src/x509/openssl_util.hpp), for the types only the tests build.
template <class T, void (*F)(T*)>
using Free = ossl::Deleter<T, F>;
using ossl::X509Ptr;
using CrlPtr = std::unique_ptr<X509_CRL, Free<X509_CRL, X509_CRL_free>>;
using NamePtr = std::unique_ptr<X509_NAME, Free<X509_NAME, X509_NAME_free>>;
using ossl::MdCtxPtr;
using ObjPtr = std::unique_ptr<ASN1_OBJECT, Free<ASN1_OBJECT, ASN1_OBJECT_free>>;
using OctetPtr = std::unique_ptr<ASN1_OCTET_STRING, Free<ASN1_OCTET_STRING, ASN1_OCTET_STRING_free>>;
using IntPtr = std::unique_ptr<ASN1_INTEGER, Free<ASN1_INTEGER, ASN1_INTEGER_free>>;
using TimePtr = std::unique_ptr<ASN1_TIME, Free<ASN1_TIME, ASN1_TIME_free>>;
using ExtPtr = std::unique_ptr<X509_EXTENSION, Free<X509_EXTENSION, X509_EXTENSION_free>>;
using SigPtr = std::unique_ptr<ECDSA_SIG, Free<ECDSA_SIG, ECDSA_SIG_free>>;
using BioPtr = std::unique_ptr<BIO, Free<BIO, BIO_free_all>>;
using RevokedPtr = std::unique_ptr<X509_REVOKED, Free<X509_REVOKED, X509_REVOKED_free>>;

// AMD's distinguished name shape, e.g. "OU=Engineering, C=US, L=Santa Clara, ST=CA,
// O=Advanced Micro Devices, CN=SEV-Milan".
NamePtr amd_name(const std::string& cn) {
  NamePtr name(X509_NAME_new());
  auto add = [&](const char* field, const std::string& value) {
    if (X509_NAME_add_entry_by_txt(name.get(), field, MBSTRING_ASC,
                                   reinterpret_cast<const unsigned char*>(value.c_str()), -1, -1,
                                   0) != 1) {
      die("X509_NAME_add_entry_by_txt");
    }
  };
  add("OU", "Engineering");
  add("C", "US");
  add("L", "Santa Clara");
  add("ST", "CA");
  add("O", "Advanced Micro Devices");
  add("CN", cn);
  return name;
}

TimePtr asn1_time(veritee::TimePoint t) {
  TimePtr out(ASN1_TIME_set(nullptr, std::chrono::system_clock::to_time_t(t)));
  if (!out) die("ASN1_TIME_set");
  return out;
}

// A digest-sign context for `key`: RSA keys sign with PSS (SHA-384, MGF1-SHA-384, salt 48),
// EC keys with ECDSA SHA-384.
MdCtxPtr sign_ctx(EVP_PKEY* key) {
  MdCtxPtr ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;
  if (EVP_DigestSignInit(ctx.get(), &pctx, EVP_sha384(), nullptr, key) != 1) {
    die("EVP_DigestSignInit");
  }
  if (EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA) {
    if (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
        EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, 48) != 1 ||
        EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha384()) != 1) {
      die("PSS parameters");
    }
  }
  return ctx;
}

}  // namespace

Bytes der_integer(std::int64_t v) {
  IntPtr i(ASN1_INTEGER_new());
  ASN1_INTEGER_set_int64(i.get(), v);
  int n = i2d_ASN1_INTEGER(i.get(), nullptr);
  Bytes out(static_cast<std::size_t>(n));
  unsigned char* p = out.data();
  i2d_ASN1_INTEGER(i.get(), &p);
  return out;
}

Bytes der_ia5(const std::string& s) {
  ASN1_IA5STRING* str = ASN1_IA5STRING_new();
  ASN1_STRING_set(str, s.data(), static_cast<int>(s.size()));
  int n = i2d_ASN1_IA5STRING(str, nullptr);
  Bytes out(static_cast<std::size_t>(n));
  unsigned char* p = out.data();
  i2d_ASN1_IA5STRING(str, &p);
  ASN1_IA5STRING_free(str);
  return out;
}

Bytes der_octet_string(const Bytes& b) {
  OctetPtr str(ASN1_OCTET_STRING_new());
  ASN1_OCTET_STRING_set(str.get(), b.data(), static_cast<int>(b.size()));
  int n = i2d_ASN1_OCTET_STRING(str.get(), nullptr);
  Bytes out(static_cast<std::size_t>(n));
  unsigned char* p = out.data();
  i2d_ASN1_OCTET_STRING(str.get(), &p);
  return out;
}

namespace {

void add_raw_extension(X509* cert, const std::string& oid, const Bytes& value) {
  ObjPtr obj(OBJ_txt2obj(oid.c_str(), 1));
  if (!obj) die("OBJ_txt2obj " + oid);
  OctetPtr data(ASN1_OCTET_STRING_new());
  ASN1_OCTET_STRING_set(data.get(), value.data(), static_cast<int>(value.size()));
  ExtPtr ext(X509_EXTENSION_create_by_OBJ(nullptr, obj.get(), 0, data.get()));
  if (!ext || X509_add_ext(cert, ext.get(), -1) != 1) die("add extension " + oid);
}

void add_conf_extension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  ExtPtr ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value));
  if (!ext || X509_add_ext(cert, ext.get(), -1) != 1) die("add extension");
}

void add_amd_extensions(X509* cert, const x509::AmdExtensions& amd) {
  const std::string arc = "1.3.6.1.4.1.3704.1.";
  if (amd.struct_version) add_raw_extension(cert, arc + "1", der_integer(*amd.struct_version));
  if (amd.product_name) add_raw_extension(cert, arc + "2", der_ia5(*amd.product_name));
  if (amd.bl_spl) add_raw_extension(cert, arc + "3.1", der_integer(*amd.bl_spl));
  if (amd.tee_spl) add_raw_extension(cert, arc + "3.2", der_integer(*amd.tee_spl));
  if (amd.snp_spl) add_raw_extension(cert, arc + "3.3", der_integer(*amd.snp_spl));
  for (std::size_t i = 0; i < amd.spl4_7.size(); ++i) {
    if (amd.spl4_7[i]) {
      add_raw_extension(cert, arc + "3." + std::to_string(4 + i), der_integer(*amd.spl4_7[i]));
    }
  }
  if (amd.ucode_spl) add_raw_extension(cert, arc + "3.8", der_integer(*amd.ucode_spl));
  if (amd.fmc_spl) add_raw_extension(cert, arc + "3.9", der_integer(*amd.fmc_spl));
  if (amd.hw_id) add_raw_extension(cert, arc + "4", *amd.hw_id);
  if (amd.csp_id) add_raw_extension(cert, arc + "5", der_ia5(*amd.csp_id));
}

}  // namespace

SharedPkey make_rsa_key(int bits) {
  EVP_PKEY* k = EVP_RSA_gen(static_cast<unsigned>(bits));
  if (k == nullptr) die("EVP_RSA_gen");
  return SharedPkey(k, EVP_PKEY_free);
}

SharedPkey cached_rsa_key(const std::string& name, int bits) {
  // ctest runs every test in its own process; generating RSA-4096 keys in each cost seconds.
  // The first process generates them with OpenSSL and keeps them in the build tree; later
  // processes read them back. Concurrent first runs may each write: rename keeps it whole.
  const std::filesystem::path dir = VERITEE_TEST_KEY_DIR;
  const auto path = dir / ("rsa" + std::to_string(bits) + "-" + name + ".pem");
  if (auto pem = read_file(path)) {
    BioPtr bio(BIO_new_mem_buf(pem->data(), static_cast<int>(pem->size())));
    if (EVP_PKEY* k = PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr)) {
      return SharedPkey(k, EVP_PKEY_free);
    }
  }
  SharedPkey key = make_rsa_key(bits);
  BioPtr out(BIO_new(BIO_s_mem()));
  PEM_write_bio_PrivateKey(out.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  long len = BIO_get_mem_data(out.get(), &data);
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  (void)write_file_atomic(path, ByteView(reinterpret_cast<const std::uint8_t*>(data),
                                         static_cast<std::size_t>(len)), 0600);
  return key;
}

SharedPkey make_p384_key() {
  EVP_PKEY* k = EVP_EC_gen("P-384");
  if (k == nullptr) die("EVP_EC_gen");
  return SharedPkey(k, EVP_PKEY_free);
}

Bytes make_certificate_der(const CertSpec& spec, EVP_PKEY* subject_key, EVP_PKEY* issuer_key) {
  X509Ptr cert(X509_new());
  X509_set_version(cert.get(), X509_VERSION_3);
  IntPtr serial(ASN1_INTEGER_new());
  ASN1_INTEGER_set_int64(serial.get(), spec.serial);
  X509_set_serialNumber(cert.get(), serial.get());
  auto subject = amd_name(spec.subject_cn);
  auto issuer = amd_name(spec.issuer_cn);
  X509_set_subject_name(cert.get(), subject.get());
  X509_set_issuer_name(cert.get(), issuer.get());
  auto nb = asn1_time(spec.not_before);
  auto na = asn1_time(spec.not_after);
  X509_set1_notBefore(cert.get(), nb.get());
  X509_set1_notAfter(cert.get(), na.get());
  if (X509_set_pubkey(cert.get(), subject_key) != 1) die("X509_set_pubkey");
  if (spec.ca) {
    add_conf_extension(cert.get(), cert.get(), NID_basic_constraints, "critical,CA:TRUE");
    add_conf_extension(cert.get(), cert.get(), NID_key_usage,
                       "critical,digitalSignature,keyCertSign,cRLSign");
  }
  if (spec.amd) add_amd_extensions(cert.get(), *spec.amd);
  for (const auto& [oid, value] : spec.raw_extensions) add_raw_extension(cert.get(), oid, value);
  auto ctx = sign_ctx(issuer_key);
  if (X509_sign_ctx(cert.get(), ctx.get()) <= 0) die("X509_sign_ctx");
  int n = i2d_X509(cert.get(), nullptr);
  Bytes out(static_cast<std::size_t>(n));
  unsigned char* p = out.data();
  i2d_X509(cert.get(), &p);
  return out;
}

Bytes make_crl_der(const std::string& issuer_cn, EVP_PKEY* issuer_key, veritee::TimePoint this_update,
                   std::optional<veritee::TimePoint> next_update,
                   const std::vector<std::int64_t>& revoked_serials) {
  CrlPtr crl(X509_CRL_new());
  X509_CRL_set_version(crl.get(), 1);  // v2
  auto issuer = amd_name(issuer_cn);
  X509_CRL_set_issuer_name(crl.get(), issuer.get());
  auto tu = asn1_time(this_update);
  X509_CRL_set1_lastUpdate(crl.get(), tu.get());
  if (next_update) {
    auto nu = asn1_time(*next_update);
    X509_CRL_set1_nextUpdate(crl.get(), nu.get());
  }
  for (auto s : revoked_serials) {
    RevokedPtr rev(X509_REVOKED_new());
    IntPtr serial(ASN1_INTEGER_new());
    ASN1_INTEGER_set_int64(serial.get(), s);
    X509_REVOKED_set_serialNumber(rev.get(), serial.get());
    X509_REVOKED_set_revocationDate(rev.get(), tu.get());
    if (X509_CRL_add0_revoked(crl.get(), rev.get()) != 1) die("X509_CRL_add0_revoked");
    rev.release();
  }
  X509_CRL_sort(crl.get());
  auto ctx = sign_ctx(issuer_key);
  if (X509_CRL_sign_ctx(crl.get(), ctx.get()) <= 0) die("X509_CRL_sign_ctx");
  int n = i2d_X509_CRL(crl.get(), nullptr);
  Bytes out(static_cast<std::size_t>(n));
  unsigned char* p = out.data();
  i2d_X509_CRL(crl.get(), &p);
  return out;
}

Bytes sign_report(const Bytes& report, EVP_PKEY* key) {
  if (report.size() != 0x4A0) throw std::runtime_error("sign_report: not 0x4A0 bytes");
  Bytes out = report;
  MdCtxPtr ctx(EVP_MD_CTX_new());
  if (EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha384(), nullptr, key) != 1) {
    die("EVP_DigestSignInit (report)");
  }
  std::size_t len = 0;
  if (EVP_DigestSign(ctx.get(), nullptr, &len, out.data(), 0x2A0) != 1) die("EVP_DigestSign");
  Bytes der(len);
  if (EVP_DigestSign(ctx.get(), der.data(), &len, out.data(), 0x2A0) != 1) die("EVP_DigestSign");
  const unsigned char* p = der.data();
  SigPtr sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(len)));
  if (!sig) die("d2i_ECDSA_SIG");
  const BIGNUM* r = nullptr;
  const BIGNUM* s = nullptr;
  ECDSA_SIG_get0(sig.get(), &r, &s);
  if (BN_bn2lebinpad(r, out.data() + 0x2A0, 72) != 72 ||
      BN_bn2lebinpad(s, out.data() + 0x2E8, 72) != 72) {
    die("BN_bn2lebinpad");
  }
  return out;
}

veritee::TimePoint utc(int year, int month, int day, int hour, int minute, int second) {
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  return std::chrono::system_clock::from_time_t(timegm(&tm));
}

veritee::TimePoint default_not_before() { return utc(2020, 1, 1); }
veritee::TimePoint default_not_after() { return utc(2040, 1, 1); }

x509::Certificate to_certificate(const Bytes& der) {
  auto cert = x509::Certificate::from_der(der);
  if (!cert) throw std::runtime_error("test PKI: Certificate::from_der: " + cert.error().message);
  return *cert;
}

std::string certificate_pem(const Bytes& der) {
  const unsigned char* p = der.data();
  X509Ptr cert(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  if (!cert) die("d2i_X509");
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(bio, cert.get());
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<std::size_t>(n));
  BIO_free(bio);
  return out;
}

std::string crl_pem(const Bytes& der) {
  const unsigned char* p = der.data();
  CrlPtr crl(d2i_X509_CRL(nullptr, &p, static_cast<long>(der.size())));
  if (!crl) die("d2i_X509_CRL");
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_X509_CRL(bio, crl.get());
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<std::size_t>(n));
  BIO_free(bio);
  return out;
}

x509::AmdExtensions extensions_for_report(const Bytes& report, snp::Product product) {
  // REPORTED_TCB at 0x180, decoded with DESIGN.md 3.2's table.
  const std::uint8_t* tcb = report.data() + 0x180;
  x509::AmdExtensions ext;
  ext.struct_version = 1;
  if (product == snp::Product::kTurin) {
    ext.product_name = "Turin-B0";
    ext.fmc_spl = tcb[0];
    ext.bl_spl = tcb[1];
    ext.tee_spl = tcb[2];
    ext.snp_spl = tcb[3];
    ext.hw_id = Bytes(report.begin() + 0x1A0, report.begin() + 0x1A8);
  } else {
    ext.product_name = product == snp::Product::kMilan ? "Milan-B0" : "Genoa-B1";
    ext.bl_spl = tcb[0];
    ext.tee_spl = tcb[1];
    ext.snp_spl = tcb[6];
    ext.hw_id = Bytes(report.begin() + 0x1A0, report.begin() + 0x1E0);
  }
  ext.spl4_7 = {std::uint8_t{0}, std::uint8_t{0}, std::uint8_t{0}, std::uint8_t{0}};
  ext.ucode_spl = tcb[7];
  return ext;
}

TestPki make_test_pki(snp::Product product, const Bytes& report, veritee::TimePoint vcek_not_before,
                      veritee::TimePoint vcek_not_after) {
  // RSA keys are slow to make: one ARK and one ASK key per process.
  static std::mutex mu;
  static SharedPkey ark_key, ask_key;
  {
    std::lock_guard lock(mu);
    if (!ark_key) ark_key = cached_rsa_key("ark", 4096);
    if (!ask_key) ask_key = cached_rsa_key("ask", 4096);
  }
  auto vcek_key = make_p384_key();
  std::string name(snp::kds_name(product));

  CertSpec ark_spec{"ARK-" + name, "ARK-" + name, 0x1001, default_not_before(),
                    default_not_after(), true, std::nullopt, {}};
  CertSpec ask_spec{"SEV-" + name, "ARK-" + name, 0x1002, default_not_before(),
                    default_not_after(), true, std::nullopt, {}};
  CertSpec vcek_spec{"SEV-VCEK", "SEV-" + name, 0x1003, vcek_not_before, vcek_not_after, false,
                     extensions_for_report(report, product), {}};
  auto ark = to_certificate(make_certificate_der(ark_spec, ark_key.get(), ark_key.get()));
  auto ask = to_certificate(make_certificate_der(ask_spec, ask_key.get(), ark_key.get()));
  auto vcek = to_certificate(make_certificate_der(vcek_spec, vcek_key.get(), ask_key.get()));
  snp::TrustStore store;
  store.pin(product, snp::ProductRoots{ark, ask, std::nullopt});
  return TestPki{product, ark_key, ask_key, vcek_key, ark, ask, vcek, store};
}

}  // namespace veritee::test
