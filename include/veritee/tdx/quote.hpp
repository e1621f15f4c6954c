// Intel SGX / TDX ECDSA DCAP quotes, versions 3, 4 and 5 (DESIGN.md 6). Layouts from Intel's
// "Intel SGX ECDSA Quote Library API" (quote v3, Appendix A "ECDSA Quote Format", Tables 3-9)
// and "Intel TDX DCAP Quoting Library API" (quote v4 / v5, section A.3 "Version 4 Quote
// Format" and A.4 "Version 5 Quote Format", Tables "TD Quote Header", "TD Quote Body",
// "ECDSA Signature Data Structure", "QE Report Certification Data").
//
// The parsed Quote is a view: every field is a span into the original bytes, which the Quote
// shares ownership of; nothing is re-serialized.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "veritee/common/bytes.hpp"
#include "veritee/common/error.hpp"

namespace veritee::tdx {

inline constexpr std::size_t kHeaderSize = 48;
inline constexpr std::size_t kEnclaveReportSize = 384;  // SGX REPORTBODY (sgx_report_body_t)
inline constexpr std::size_t kTdReport10Size = 584;     // TD Quote Body, TDX 1.0
inline constexpr std::size_t kTdReport15Size = 648;     // TD Quote Body, TDX 1.5
inline constexpr std::uint16_t kAttestationKeyEcdsaP256 = 2;
inline constexpr std::uint32_t kTeeTypeSgx = 0x00000000;
inline constexpr std::uint32_t kTeeTypeTdx = 0x00000081;
inline constexpr std::uint16_t kCertDataPckChain = 5;          // PCK cert chain, PEM
inline constexpr std::uint16_t kCertDataQeReportCertData = 6;  // QE report certification data

enum class Tee { kSgx, kTdx };
std::string_view to_string(Tee tee);  // "SGX", "TDX"

// What the quote body is: SGX enclave REPORTBODY (v3), TD report 1.0 (v4, v5 type 2) or
// TD report 1.5 (v5 type 3).
enum class BodyKind { kSgxEnclave, kTd10, kTd15 };
std::string_view to_string(BodyKind kind);

// Quote header (v3 Table 4 "Quote Header"; v4/v5 "TD Quote Header"), 48 bytes.
struct QuoteHeader {
  std::uint16_t version = 0;               // 0x00
  std::uint16_t attestation_key_type = 0;  // 0x02: 2 = ECDSA-256-with-P-256
  std::uint32_t tee_type = 0;              // 0x04: 0 = SGX, 0x81 = TDX (v3: reserved, 0)
  std::uint16_t qe_svn = 0;                // 0x08 (v4/v5: reserved)
  std::uint16_t pce_svn = 0;               // 0x0A (v4/v5: reserved)
  ByteView qe_vendor_id;                   // 0x0C, 16
  ByteView user_data;                      // 0x1C, 20 (first 16: the QE's platform key id)
};

// SGX REPORTBODY (v3 Table 5 "Enclave Report Body"): the quote body of a v3 quote and the QE
// report of every version. 384 bytes.
struct EnclaveReport {
  ByteView bytes;             // all 384
  ByteView cpu_svn;           // 0x000, 16
  std::uint32_t misc_select;  // 0x010
  ByteView reserved1;         // 0x014, 12
  ByteView isv_ext_prod_id;   // 0x020, 16
  ByteView attributes;        // 0x030, 16 (FLAGS u64 || XFRM u64)
  ByteView mr_enclave;        // 0x040, 32
  ByteView reserved2;         // 0x060, 32
  ByteView mr_signer;         // 0x080, 32
  ByteView reserved3;         // 0x0A0, 32
  ByteView config_id;         // 0x0C0, 64
  std::uint16_t isv_prod_id;  // 0x100
  std::uint16_t isv_svn;      // 0x102
  std::uint16_t config_svn;   // 0x104
  ByteView reserved4;         // 0x106, 42
  ByteView isv_family_id;     // 0x130, 16
  ByteView report_data;       // 0x140, 64

  bool debug() const { return (attributes[0] & 0x02) != 0; }  // ATTRIBUTES.DEBUG (bit 1)
};

// TD Quote Body (TDX DCAP API, "TD Quote Body"; TD 1.5 appends TEE_TCB_SVN2 and MRSERVICETD).
struct TdReport {
  ByteView bytes;
  ByteView tee_tcb_svn;      // 0x000, 16
  ByteView mr_seam;          // 0x010, 48
  ByteView mr_signer_seam;   // 0x040, 48
  ByteView seam_attributes;  // 0x070, 8
  ByteView td_attributes;    // 0x078, 8
  ByteView xfam;             // 0x080, 8
  ByteView mr_td;            // 0x088, 48
  ByteView mr_config_id;     // 0x0B8, 48
  ByteView mr_owner;         // 0x0E8, 48
  ByteView mr_owner_config;  // 0x118, 48
  std::array<ByteView, 4> rtmr;  // 0x148, 0x178, 0x1A8, 0x1D8, 48 each
  ByteView report_data;      // 0x208, 64
  std::optional<ByteView> tee_tcb_svn2;  // 0x248, 16 (TD 1.5)
  std::optional<ByteView> mr_servicetd;  // 0x258, 48 (TD 1.5)

  // TD_ATTRIBUTES byte 0 is TUD (TD under debug): any bit set is a debug TD.
  bool debug() const { return td_attributes[0] != 0; }
};

// Certification data (v3 Table 9; TDX "Certification Data"): a type and its bytes.
struct CertificationData {
  std::uint16_t type = 0;
  ByteView data;
};

class Quote {
 public:
  // Parses a quote from its binary bytes. The quote's own sizes say where it ends; bytes after
  // that are kept and reported (trailing(), trailing_is_zero()): zero padding, as quotes
  // arrive in fixed buffers (8000 bytes from the kernel), or anything else a file appended.
  // They belong to no structure and no signature, so they are never read.
  static Result<Quote> parse(ByteView bytes);

  ByteView bytes() const { return *bytes_; }      // everything given, trailing bytes included
  ByteView quote_bytes() const { return ByteView(*bytes_).first(size_); }
  std::size_t size() const { return size_; }       // up to the end of the signature data
  std::size_t trailing() const { return bytes_->size() - size_; }
  bool trailing_is_zero() const { return all_zero(ByteView(*bytes_).subspan(size_)); }
  // "", "followed by 2994 bytes of zero padding" or "followed by 39 bytes that are not zero
  // padding (ignored)".
  std::string trailing_note() const;

  const QuoteHeader& header() const { return header_; }
  Tee tee() const { return tee_; }
  BodyKind body_kind() const { return body_kind_; }
  std::optional<std::uint16_t> body_type() const { return body_type_; }  // v5 only
  // The SGX body (v3) or the TD body (v4, v5): exactly one is set.
  const std::optional<EnclaveReport>& enclave_body() const { return enclave_body_; }
  const std::optional<TdReport>& td_body() const { return td_body_; }
  ByteView report_data() const;

  // Header and body: what the attestation key signs.
  ByteView signed_bytes() const { return signed_; }
  std::uint32_t signature_data_size() const { return signature_data_size_; }
  ByteView signature() const { return signature_; }              // 64: r || s, big-endian
  ByteView attestation_key() const { return attestation_key_; }  // 64: x || y, big-endian
  // v4/v5: the outer certification data (type 6, QE report certification data).
  std::optional<CertificationData> outer_certification() const { return outer_cert_; }
  const EnclaveReport& qe_report() const { return qe_report_; }
  ByteView qe_report_signature() const { return qe_report_signature_; }
  ByteView qe_auth_data() const { return qe_auth_data_; }
  // The PCK certification data (type 5): the PEM chain leaf, PCK CA, root.
  const CertificationData& certification() const { return cert_; }
  std::string_view pck_chain_pem() const {
    return {reinterpret_cast<const char*>(cert_.data.data()), cert_.data.size()};
  }

  // Offsets of the structure boundaries (header end, body end, ...), for tests and show.
  struct Layout {
    std::size_t body = 0, signature_data = 0, qe_report = 0, qe_auth_data = 0,
                certification = 0, end = 0;
  };
  const Layout& layout() const { return layout_; }

 private:
  std::shared_ptr<const Bytes> bytes_;
  std::size_t size_ = 0;
  QuoteHeader header_;
  Tee tee_ = Tee::kSgx;
  BodyKind body_kind_ = BodyKind::kSgxEnclave;
  std::optional<std::uint16_t> body_type_;
  std::optional<EnclaveReport> enclave_body_;
  std::optional<TdReport> td_body_;
  ByteView signed_;
  std::uint32_t signature_data_size_ = 0;
  ByteView signature_;
  ByteView attestation_key_;
  std::optional<CertificationData> outer_cert_;
  EnclaveReport qe_report_{};
  ByteView qe_report_signature_;
  ByteView qe_auth_data_;
  CertificationData cert_;
  Layout layout_;
};

// Whether the bytes start like a quote (version 3..5 with key type 2), as opposed to an SNP
// report: enough to choose a parser, not a validation.
bool looks_like_quote(ByteView bytes);

// Reads a quote given as binary, hex or base64 text (the encodings reports come in).
struct QuoteInput {
  Quote quote;
  std::string encoding;  // "binary", "hex", "base64"
};
Result<QuoteInput> load_quote(ByteView input);

}  // namespace veritee::tdx
