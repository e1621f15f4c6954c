// The physical floor, built directly on OpenSSL's EVP API with everything that does not depend
// on the report prepared outside the timed loop (ISSUE 7 "raw"):
//   RawEcdsa: one SHA-384 over the report's bytes [0, 0x2A0) + one ECDSA P-384 verification
//             of its signature (key parsed and EVP_PKEY_CTX initialised once, DER signature
//             encoded once).
//   RawChain: the three RSA-4096 RSASSA-PSS verifications of a cold chain (ARK self-signature,
//             ASK by ARK, VCEK by ASK: SHA-384 over each TBSCertificate + one RSA public-key
//             operation each), plus RawEcdsa.
//   NettleRaw: the same report signature on GNU Nettle alone (sha384_* + ecdsa_verify on
//             secp384r1), the key converted to nettle's ecc_point and R, S to GMP integers
//             outside the loop: the floor of the nettle backend (verify_cached_over_nettle_raw).
// Nothing here uses libveritee's verifier: this is what veritee's numbers are divided by.
#pragma once

#include <memory>
#include <vector>

#include <openssl/evp.h>

#include "veritee/common/bytes.hpp"
#include "veritee/x509/certificate.hpp"

namespace veritee::bench {

struct PkeyCtxFree {
  void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); }
};
struct MdFree {
  void operator()(EVP_MD* p) const { EVP_MD_free(p); }
};
using PkeyCtx = std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree>;

// One prepared signature check: digest `tbs` with SHA-384, verify `sig` over the digest.
class RawVerify {
 public:
  // `key` is kept alive by `holder`; PSS parameters are set when `pss`.
  RawVerify(x509::Certificate holder, Bytes tbs, Bytes sig, bool pss);
  bool operator()() const;  // one digest + one public-key verification

 private:
  x509::Certificate holder_;
  Bytes tbs_;
  Bytes sig_;
  PkeyCtx ctx_;
  std::unique_ptr<EVP_MD, MdFree> md_;
};

// Report signature: SHA-384 over [0, 0x2A0) + ECDSA P-384.
RawVerify raw_ecdsa(ByteView report, const x509::Certificate& vcek);

// Certificate signature: SHA-384 over the TBSCertificate + RSASSA-PSS (or whatever the
// certificate is signed with, as long as it is RSA-PSS SHA-384, which AMD's chain is).
RawVerify raw_cert_signature(const x509::Certificate& subject, const x509::Certificate& issuer);

// Report signature on nettle alone: SHA-384 + ECDSA P-384 (both nettle's), all prepared.
class NettleRaw {
 public:
  NettleRaw(ByteView report, const x509::Certificate& vcek);
  ~NettleRaw();
  NettleRaw(const NettleRaw&) = delete;
  NettleRaw& operator=(const NettleRaw&) = delete;
  bool operator()() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// The cold-chain floor: ARK self, ASK by ARK, VCEK by ASK, then the report signature.
struct RawChain {
  std::vector<RawVerify> steps;
  bool operator()() const;
};
RawChain raw_chain(ByteView report, const x509::Certificate& vcek, const x509::Certificate& ask,
                   const x509::Certificate& ark);

}  // namespace veritee::bench
