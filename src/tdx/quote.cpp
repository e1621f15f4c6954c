// The DCAP quote parser: one pass through ByteReader over the original bytes (layouts in
// include/veritee/tdx/quote.hpp, which names Intel's tables).
#include "veritee/tdx/quote.hpp"

#include <cstdio>

#include "tdx/try.hpp"
#include "tdx/text.hpp"
#include "veritee/common/byte_reader.hpp"
#include "veritee/common/encoding.hpp"

namespace veritee::tdx {
namespace {

using detail::hex32;

std::string at(std::size_t offset) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%zX", offset);
  return buf;
}

// Each read names what it was reading, so a short input says which structure it cut.
class Cursor {
 public:
  Cursor(ByteView data, std::size_t base) : r_(data), base_(base) {}
  std::size_t offset() const { return base_ + r_.offset(); }
  std::size_t remaining() const { return r_.remaining(); }

  Result<ByteView> bytes(std::size_t n, const char* what) {
    std::size_t start = offset();
    if (auto b = r_.bytes(n)) return *b;
    return truncated(what, start, n);
  }
  template <class T>
  Result<T> le(const char* what) {
    std::size_t start = offset();
    auto b = r_.bytes(sizeof(T));
    if (!b) return truncated(what, start, sizeof(T));
    return *ByteReader(*b).le_at<T>(0);
  }

 private:
  std::unexpected<Error> truncated(const char* what, std::size_t start, std::size_t n) const {
    return fail(Errc::kTruncated, std::string("truncated quote: ") + what + " (" +
                                      std::to_string(n) + " bytes at " + at(start) + ") ends after " +
                                      std::to_string(r_.remaining()) + " bytes");
  }
  ByteReader r_;
  std::size_t base_;
};

EnclaveReport enclave_report(ByteView b) {
  ByteReader r(b);
  EnclaveReport e{};
  e.bytes = b;
  e.cpu_svn = *r.bytes(16);
  e.misc_select = *r.u32();
  e.reserved1 = *r.bytes(12);
  e.isv_ext_prod_id = *r.bytes(16);
  e.attributes = *r.bytes(16);
  e.mr_enclave = *r.bytes(32);
  e.reserved2 = *r.bytes(32);
  e.mr_signer = *r.bytes(32);
  e.reserved3 = *r.bytes(32);
  e.config_id = *r.bytes(64);
  e.isv_prod_id = *r.u16();
  e.isv_svn = *r.u16();
  e.config_svn = *r.u16();
  e.reserved4 = *r.bytes(42);
  e.isv_family_id = *r.bytes(16);
  e.report_data = *r.bytes(64);
  return e;
}

TdReport td_report(ByteView b) {
  ByteReader r(b);
  TdReport t{};
  t.bytes = b;
  t.tee_tcb_svn = *r.bytes(16);
  t.mr_seam = *r.bytes(48);
  t.mr_signer_seam = *r.bytes(48);
  t.seam_attributes = *r.bytes(8);
  t.td_attributes = *r.bytes(8);
  t.xfam = *r.bytes(8);
  t.mr_td = *r.bytes(48);
  t.mr_config_id = *r.bytes(48);
  t.mr_owner = *r.bytes(48);
  t.mr_owner_config = *r.bytes(48);
  for (auto& rt : t.rtmr) rt = *r.bytes(48);
  t.report_data = *r.bytes(64);
  if (b.size() == kTdReport15Size) {
    t.tee_tcb_svn2 = *r.bytes(16);
    t.mr_servicetd = *r.bytes(48);
  }
  return t;
}

}  // namespace

std::string_view to_string(Tee tee) { return tee == Tee::kSgx ? "SGX" : "TDX"; }

std::string_view to_string(BodyKind kind) {
  switch (kind) {
    case BodyKind::kSgxEnclave: return "SGX enclave report";
    case BodyKind::kTd10: return "TD report (TDX 1.0)";
    case BodyKind::kTd15: return "TD report (TDX 1.5)";
  }
  return "unknown";
}

std::string Quote::trailing_note() const {
  if (trailing() == 0) return "";
  if (trailing_is_zero()) return "followed by " + std::to_string(trailing()) + " bytes of zero padding";
  return "followed by " + std::to_string(trailing()) +
         " bytes that are not zero padding (outside the quote's structures; ignored)";
}

ByteView Quote::report_data() const {
  return enclave_body_ ? enclave_body_->report_data : td_body_->report_data;
}

Result<Quote> Quote::parse(ByteView input) {
  Quote q;
  q.bytes_ = std::make_shared<const Bytes>(input.begin(), input.end());
  ByteView all(*q.bytes_);
  Cursor c(all, 0);

  // Header.
  QuoteHeader& h = q.header_;
  VERITEE_TRY(version, c.le<std::uint16_t>("header version"));
  h.version = version;
  if (h.version < 3 || h.version > 5) {
    return fail(Errc::kUnknownVersion, "quote version " + std::to_string(h.version) +
                                           " is not known (3: SGX, 4: TDX 1.0, 5: TDX 1.5)");
  }
  VERITEE_TRY(key_type, c.le<std::uint16_t>("header attestation key type"));
  h.attestation_key_type = key_type;
  if (h.attestation_key_type != kAttestationKeyEcdsaP256) {
    return fail(Errc::kUnsupported, "attestation key type " + std::to_string(key_type) +
                                        " is not supported (only 2: ECDSA-256-with-P-256)");
  }
  VERITEE_TRY(tee_type, c.le<std::uint32_t>("header TEE type"));
  h.tee_type = tee_type;
  if (tee_type == kTeeTypeSgx) {
    q.tee_ = Tee::kSgx;
  } else if (tee_type == kTeeTypeTdx) {
    q.tee_ = Tee::kTdx;
  } else {
    return fail(Errc::kUnsupported,
                "TEE type " + hex32(tee_type) + " is not known (0x00000000 SGX, 0x00000081 TDX)");
  }
  if (h.version == 3 && q.tee_ != Tee::kSgx) {
    return fail(Errc::kUnsupported, "version 3 quote with TEE type " + hex32(tee_type) +
                                        ": version 3 quotes are SGX (0x00000000)");
  }
  if (h.version >= 4 && q.tee_ != Tee::kTdx) {
    return fail(Errc::kUnsupported, "version " + std::to_string(h.version) +
                                        " quote with TEE type SGX: only TDX (0x00000081) "
                                        "version 4/5 quotes are supported");
  }
  VERITEE_TRY(qe_svn, c.le<std::uint16_t>("header QE SVN"));
  VERITEE_TRY(pce_svn, c.le<std::uint16_t>("header PCE SVN"));
  h.qe_svn = qe_svn;
  h.pce_svn = pce_svn;
  VERITEE_TRY(vendor, c.bytes(16, "header QE vendor ID"));
  VERITEE_TRY(user, c.bytes(20, "header user data"));
  h.qe_vendor_id = vendor;
  h.user_data = user;

  // Body.
  std::size_t body_size = 0;
  if (h.version == 3) {
    q.body_kind_ = BodyKind::kSgxEnclave;
    body_size = kEnclaveReportSize;
  } else if (h.version == 4) {
    q.body_kind_ = BodyKind::kTd10;
    body_size = kTdReport10Size;
  } else {
    // v5: body descriptor (type u16, size u32) before the body.
    VERITEE_TRY(type, c.le<std::uint16_t>("v5 body type"));
    VERITEE_TRY(size, c.le<std::uint32_t>("v5 body size"));
    q.body_type_ = type;
    if (type == 2) {
      q.body_kind_ = BodyKind::kTd10;
      body_size = kTdReport10Size;
    } else if (type == 3) {
      q.body_kind_ = BodyKind::kTd15;
      body_size = kTdReport15Size;
    } else if (type == 1) {
      return fail(Errc::kUnsupported,
                  "v5 quote body type 1 (SGX enclave report) is not supported (2: TD 1.0, "
                  "3: TD 1.5)");
    } else {
      return fail(Errc::kUnsupported, "v5 quote body type " + std::to_string(type) +
                                          " is not known (2: TD 1.0, 3: TD 1.5)");
    }
    if (size != body_size) {
      return fail(Errc::kInvalidInput, "v5 body type " + std::to_string(type) + " declares " +
                                           std::to_string(size) + " bytes; its layout is " +
                                           std::to_string(body_size));
    }
  }
  q.layout_.body = c.offset();
  VERITEE_TRY(body, c.bytes(body_size, "quote body"));
  if (q.body_kind_ == BodyKind::kSgxEnclave) {
    q.enclave_body_ = enclave_report(body);
  } else {
    q.td_body_ = td_report(body);
  }
  q.signed_ = all.first(c.offset());

  // Signature data: its length, then exactly that many bytes.
  q.layout_.signature_data = c.offset();
  VERITEE_TRY(sig_len, c.le<std::uint32_t>("signature data length"));
  q.signature_data_size_ = sig_len;
  VERITEE_TRY(sig_data, c.bytes(sig_len, "signature data"));
  const std::size_t sig_base = c.offset() - sig_len;
  Cursor s(sig_data, sig_base);
  VERITEE_TRY(signature, s.bytes(64, "quote signature"));
  VERITEE_TRY(key, s.bytes(64, "attestation key"));
  q.signature_ = signature;
  q.attestation_key_ = key;

  // v4/v5 wrap the QE report in certification data type 6; v3 has it inline.
  std::optional<Cursor> inner;
  if (h.version >= 4) {
    VERITEE_TRY(type, s.le<std::uint16_t>("certification data type"));
    VERITEE_TRY(size, s.le<std::uint32_t>("certification data size"));
    if (type != kCertDataQeReportCertData) {
      return fail(Errc::kUnsupported,
                  "certification data type " + std::to_string(type) +
                      " in the signature data is not supported (version 4/5 quotes carry 6: "
                      "QE report certification data)");
    }
    std::size_t base = s.offset();
    VERITEE_TRY(data, s.bytes(size, "QE report certification data"));
    q.outer_cert_ = CertificationData{type, data};
    inner.emplace(data, base);
  }
  Cursor& qc = inner ? *inner : s;
  q.layout_.qe_report = qc.offset();
  VERITEE_TRY(qe_report, qc.bytes(kEnclaveReportSize, "QE report"));
  q.qe_report_ = enclave_report(qe_report);
  VERITEE_TRY(qe_sig, qc.bytes(64, "QE report signature"));
  q.qe_report_signature_ = qe_sig;
  q.layout_.qe_auth_data = qc.offset();
  VERITEE_TRY(auth_size, qc.le<std::uint16_t>("QE authentication data size"));
  VERITEE_TRY(auth, qc.bytes(auth_size, "QE authentication data"));
  q.qe_auth_data_ = auth;
  q.layout_.certification = qc.offset();
  VERITEE_TRY(cert_type, qc.le<std::uint16_t>("PCK certification data type"));
  VERITEE_TRY(cert_size, qc.le<std::uint32_t>("PCK certification data size"));
  if (cert_type != kCertDataPckChain) {
    return fail(Errc::kUnsupported, "certification data type " + std::to_string(cert_type) +
                                        " is not supported (5: PCK certificate chain)");
  }
  VERITEE_TRY(cert, qc.bytes(cert_size, "PCK certificate chain"));
  q.cert_ = CertificationData{cert_type, cert};
  if (inner && inner->remaining() != 0) {
    return fail(Errc::kInvalidInput, "QE report certification data has " +
                                         std::to_string(inner->remaining()) +
                                         " bytes after the PCK certification data");
  }
  if (s.remaining() != 0) {
    return fail(Errc::kInvalidInput, "signature data has " + std::to_string(s.remaining()) +
                                         " bytes after its certification data");
  }
  q.size_ = c.offset();
  q.layout_.end = q.size_;
  return q;
}

bool looks_like_quote(ByteView b) {
  ByteReader r(b);
  auto version = r.le_at<std::uint16_t>(0);
  auto key_type = r.le_at<std::uint16_t>(2);
  return version && key_type && *version >= 3 && *version <= 5 &&
         *key_type == kAttestationKeyEcdsaP256;
}

Result<QuoteInput> load_quote(ByteView input) {
  auto decoded = decode_input(input);
  if (!decoded) return std::unexpected(decoded.error());
  auto quote = Quote::parse(decoded->data);
  if (!quote) {
    auto e = quote.error();
    if (decoded->encoding != Encoding::kBinary) {
      e.message = std::string(veritee::to_string(decoded->encoding)) + " text decoded to a " +
                  e.message;
    }
    return std::unexpected(e);
  }
  return QuoteInput{std::move(*quote), std::string(veritee::to_string(decoded->encoding))};
}

}  // namespace veritee::tdx
