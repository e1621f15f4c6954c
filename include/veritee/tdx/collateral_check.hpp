// What a piece of DCAP collateral fetched from Intel PCS (or a PCCS, a cache, a bundle) must
// pass before veritee stores or uses it (DESIGN.md invariant 6, as for AMD endorsements): it is
// signed under the pinned Intel SGX Root CA and is the piece that was asked for (TEE, FMSPC,
// PCK CA). Dates are not judged here: whether collateral is current at the verification time
// (`--at`) is the verifier's check (verify.hpp).
#pragma once

#include <string>
#include <string_view>

#include "veritee/common/bytes.hpp"
#include "veritee/common/error.hpp"
#include "veritee/tdx/collateral.hpp"
#include "veritee/tdx/quote.hpp"
#include "veritee/x509/certificate.hpp"
#include "veritee/x509/crl.hpp"

namespace veritee::tdx {

// The two CAs that issue PCK certificates (Intel "SGX PCK Certificate and CRL Profile",
// section 1.2): the PCS `ca` parameter.
enum class PckCa { kProcessor, kPlatform };
std::string_view to_string(PckCa ca);  // "processor", "platform"

// What collateral a quote needs: its TEE, the FMSPC of its PCK certificate and the CA that
// issued it. Read from the quote's PCK chain without trusting it (the verifier does that).
struct CollateralRequest {
  Tee tee = Tee::kSgx;
  Bytes fmspc;  // 6
  PckCa ca = PckCa::kProcessor;
  std::string fmspc_hex() const { return to_hex(fmspc); }  // lowercase
  // "TDX, FMSPC b0c06f000000, PCK Platform CA".
  std::string describe() const;
};
Result<CollateralRequest> collateral_request(const Quote& quote);

// A signed document as Intel PCS serves it: {"tcbInfo": {...}, "signature": "<hex>"} (or
// "enclaveIdentity"): the exact text of the member, cut from the body (never re-serialized),
// and the signature.
struct SignedDocument {
  std::string text;
  Bytes signature;  // 64: r || s
};
// `member` is "tcbInfo" or "enclaveIdentity". The cut is checked: the text parses to the same
// JSON value as the member.
Result<SignedDocument> split_signed_response(std::string_view body, const char* member);

// TCB Info: the chain (TCB Signing, root) anchored at `root`, the signature over the exact
// text by the TCB Signing key, version 3, the request's TEE ("SGX"/"TDX") and FMSPC.
Result<TcbInfo> check_tcb_info(std::string_view issuer_chain, std::string_view text,
                               ByteView signature, const CollateralRequest& request,
                               const x509::Certificate& root);
// QE Identity: anchored chain, signature, version 2, id "QE" (SGX) or "TD_QE" (TDX).
Result<EnclaveIdentity> check_qe_identity(std::string_view issuer_chain, std::string_view text,
                                          ByteView signature, Tee tee,
                                          const x509::Certificate& root);
// PCK CRL (DER or PEM): its issuer chain (PCK CA, root) anchored, the CA the requested one
// (by its CN), the CRL signed by it.
Result<x509::Crl> check_pck_crl(std::string_view issuer_chain, ByteView crl, PckCa ca,
                                const x509::Certificate& root);
// Root CA CRL (DER, PEM, or DER as hex text, as PCCS serves it): signed by `root`.
Result<x509::Crl> check_root_ca_crl(ByteView crl, const x509::Certificate& root);
// DER of a CRL given as DER, PEM or hex text.
Result<Bytes> crl_der(ByteView crl);

}  // namespace veritee::tdx
