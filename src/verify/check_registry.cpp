// The check registry (include/veritee/verify/check_registry.hpp): one row per check id of the
// Verifier's trace, in the order the checks run.
#include "veritee/verify/check_registry.hpp"

#include <algorithm>

namespace veritee::verify {
namespace {

using enum Stage;
using enum Component;
using enum Family;
constexpr int kCrypto = claim::kCryptoFailed;
constexpr int kContra = claim::kContraindicated;
constexpr int kUnrecognized = claim::kUnrecognized;

constexpr CheckInfo kRegistry[] = {
    // SEV-SNP authenticity (src/verify/verifier.cpp, README "verify checks").
    {"product", kSnp, kAuthenticity, kBlameEither, kHardware, kCrypto,
     "CPUID, the certificate's productName, the chain's names and the stated product agree"},
    {"report.well_formed", kSnp, kAuthenticity, kBlameEvidence, kHardware, kCrypto,
     "every reserved/MBZ field and enumerated value is as ABI 1.58 Table 22 requires"},
    // Each finding that breaks report.well_formed, under its own id (src/snp/report.cpp).
    {"report.version.unknown", kSnp, kAuthenticity, kBlameEvidence, kHardware, kCrypto,
     "VERSION is one this build knows"},
    {"report.signature_algo", kSnp, kAuthenticity, kBlameEvidence, kHardware, kCrypto,
     "SIGNATURE_ALGO is 1 (ECDSA P-384 with SHA-384)"},
    {"report.vmpl", kSnp, kAuthenticity, kBlameEvidence, kHardware, kCrypto,
     "VMPL is 0 to 3"},
    {"report.policy.bit17", kSnp, kAuthenticity, kBlameEvidence, kHardware, kCrypto,
     "POLICY bit 17 is set, as the ABI requires"},
    {"report.policy.mbz", kSnp, kAuthenticity, kBlameEvidence, kHardware, kCrypto,
     "POLICY bits 63:26 are zero"},
    {"report.platform_info.reserved", kSnp, kAuthenticity, kBlameEvidence, kHardware, kCrypto,
     "PLATFORM_INFO bits 63:8 are zero"},
    {"report.key_info.signing_key", kSnp, kAuthenticity, kBlameEvidence, kHardware, kCrypto,
     "KEY_INFO.SIGNING_KEY is 0 (VCEK), 1 (VLEK) or 7 (none)"},
    {"report.key_info.mbz", kSnp, kAuthenticity, kBlameEvidence, kHardware, kCrypto,
     "KEY_INFO bits 31:5 are zero"},
    {"report.reserved.*", kSnp, kAuthenticity, kBlameEvidence, kHardware, kCrypto,
     "the reserved field at the offset named after the dot is zero"},
    {"report.signature.high_bytes", kSnp, kAuthenticity, kBlameEvidence, kHardware, kCrypto,
     "SIGNATURE R and S bytes 48..71 are zero"},
    {"report.cpuid.unknown", kSnp, kAuthenticity, kBlameEvidence, kHardware, kCrypto,
     "CPUID names a known product"},
    {"report.tcb.reserved.*", kSnp, kAuthenticity, kBlameEvidence, kHardware, kCrypto,
     "the TCB at the offset named after the dot has no reserved bytes set for the product"},
    {"chain.ark", kSnp, kAuthenticity, kBlameEndorsement, kHardware, kCrypto,
     "the ARK is AMD's pinned root for the product, self-signed"},
    {"chain.ask", kSnp, kAuthenticity, kBlameEndorsement, kHardware, kCrypto,
     "the ASK (VCEK line) is signed by the ARK"},
    {"chain.asvk", kSnp, kAuthenticity, kBlameEndorsement, kHardware, kCrypto,
     "the ASVK (VLEK line) is signed by the ARK"},
    {"chain.signer", kSnp, kAuthenticity, kBlameEither, kHardware, kCrypto,
     "the VCEK/VLEK is signed by the ASK/ASVK (RSA-PSS SHA-384)"},
    {"signer.extensions", kSnp, kAuthenticity, kBlameEndorsement, kHardware, kCrypto,
     "the VCEK/VLEK carries the AMD extensions its checks need"},
    {"signer.key_kind", kSnp, kAuthenticity, kBlameEither, kHardware, kCrypto,
     "KEY_INFO's signing key (VCEK/VLEK) matches the certificate"},
    {"chain.validity", kSnp, kAuthenticity, kBlameEndorsement, kHardware, kCrypto,
     "every certificate in use is valid at the verification time"},
    {"chain.crl", kSnp, kAuthenticity, kBlameEither, kHardware, kCrypto,
     "the CRL is signed by the ARK, current, and revokes neither CA nor signer"},
    {"report.signature", kSnp, kAuthenticity, kBlameEither, kHardware, kCrypto,
     "ECDSA P-384 over report bytes [0, 0x2A0) verifies with the VCEK/VLEK"},
    {"report.tcb", kSnp, kAuthenticity, kBlameEvidence, kHardware, kCrypto,
     "the certificate's SPLs equal REPORTED_TCB (Turin: FMC too)"},
    {"report.chip_id", kSnp, kAuthenticity, kBlameEither, kInstanceIdentity, kCrypto,
     "the VCEK's hwID equals CHIP_ID; skipped for VLEK or MASK_CHIP_KEY"},
    // The service's evidence containers and freshness (src/rats/service/appraiser.cpp).
    {"hcl.runtime_claims", kSnp, kAuthenticity, kBlameEvidence, kRuntimeOpaque, kCrypto,
     "the Azure HCL runtime claims hash into REPORT_DATA"},
    {"nonce", kAny, kFreshness, kBlameEvidence, kInstanceIdentity, kCrypto,
     "no nonce was given and the policy does not require one (skipped)"},
    {"nonce.valid", kAny, kFreshness, kBlameEvidence, kInstanceIdentity, kCrypto,
     "the nonce was issued by this verifier, is unexpired and not yet used"},
    {"nonce.bound", kAny, kFreshness, kBlameEvidence, kInstanceIdentity, kCrypto,
     "REPORT_DATA (or the HCL runtime claims) binds the nonce"},
    // Appraisal rules (src/verify/appraisal.cpp, docs/policy.md).
    {"policy.debug", kSnp, kAppraisal, kBlameEvidence, kConfiguration, kContra,
     "POLICY.DEBUG is clear unless allow_debug"},
    {"policy.migrate_ma", kSnp, kAppraisal, kBlameEvidence, kConfiguration, kContra,
     "POLICY.MIGRATE_MA is clear unless allow_migrate_ma"},
    {"policy.smt", kSnp, kAppraisal, kBlameEvidence, kConfiguration, kContra,
     "SMT is allowed by the policy, or neither allowed by the guest nor enabled"},
    {"policy.single_socket", kSnp, kAppraisal, kBlameEvidence, kConfiguration, kContra,
     "POLICY.SINGLE_SOCKET is set when require_single_socket"},
    {"policy.abi", kSnp, kAppraisal, kBlameEvidence, kConfiguration, kContra,
     "POLICY.ABI_MAJOR.ABI_MINOR is at least min_abi"},
    {"policy.vmpl", kSnp, kAppraisal, kBlameEvidence, kConfiguration, kContra,
     "VMPL is one of the allowed"},
    {"policy.host_data", kSnp, kAppraisal, kBlameEvidence, kConfiguration, kContra,
     "HOST_DATA equals host_data"},
    {"policy.report_data", kSnp, kAppraisal, kBlameEvidence, kConfiguration, kContra,
     "REPORT_DATA equals report_data"},
    {"policy.policy_bits", kSnp, kAppraisal, kBlameEvidence, kConfiguration, kContra,
     "every required POLICY bit is set"},
    {"policy.platform_bits", kSnp, kAppraisal, kBlameEvidence, kConfiguration, kContra,
     "every required PLATFORM_INFO bit is set"},
    {"policy.min_tcb", kSnp, kAppraisal, kBlameEvidence, kHardware, kContra,
     "REPORTED_TCB, COMMITTED_TCB and CURRENT_TCB meet min_tcb"},
    {"policy.min_launch_tcb", kSnp, kAppraisal, kBlameEvidence, kHardware, kContra,
     "LAUNCH_TCB meets min_launch_tcb"},
    {"policy.build", kSnp, kAppraisal, kBlameEvidence, kHardware, kContra,
     "CURRENT_BUILD is at least min_build"},
    {"policy.version", kSnp, kAppraisal, kBlameEvidence, kHardware, kContra,
     "the firmware version is at least min_version"},
    {"policy.product", kSnp, kAppraisal, kBlameEvidence, kHardware, kContra,
     "the product line is one of products"},
    {"policy.signing_key", kSnp, kAppraisal, kBlameEvidence, kHardware, kContra,
     "the signing key kind is one of signing_keys"},
    {"policy.launch_mit_vector", kSnp, kAppraisal, kBlameEvidence, kHardware, kContra,
     "LAUNCH_MIT_VECTOR has every bit of min_launch_mit_vector"},
    {"policy.current_mit_vector", kSnp, kAppraisal, kBlameEvidence, kHardware, kContra,
     "CURRENT_MIT_VECTOR has every bit of min_current_mit_vector"},
    {"policy.measurement", kSnp, kAppraisal, kBlameEvidence, kExecutables, kContra,
     "MEASUREMENT is one of measurements"},
    {"policy.family_id", kSnp, kAppraisal, kBlameEvidence, kExecutables, kContra,
     "FAMILY_ID equals family_id"},
    {"policy.image_id", kSnp, kAppraisal, kBlameEvidence, kExecutables, kContra,
     "IMAGE_ID equals image_id"},
    {"policy.id_key_digest", kSnp, kAppraisal, kBlameEvidence, kExecutables, kContra,
     "ID_KEY_DIGEST is one of id_key_digests"},
    {"policy.author_key_digest", kSnp, kAppraisal, kBlameEvidence, kExecutables, kContra,
     "AUTHOR_KEY_DIGEST is one of author_key_digests"},
    {"policy.guest_svn", kSnp, kAppraisal, kBlameEvidence, kExecutables, kContra,
     "GUEST_SVN is at least min_guest_svn"},
    {"policy.chip_id", kSnp, kAppraisal, kBlameEvidence, kInstanceIdentity, kUnrecognized,
     "CHIP_ID is one of chip_ids"},
    {"policy.report_id", kSnp, kAppraisal, kBlameEvidence, kInstanceIdentity, kUnrecognized,
     "REPORT_ID equals report_id"},
    {"policy.report_id_ma", kSnp, kAppraisal, kBlameEvidence, kInstanceIdentity, kUnrecognized,
     "REPORT_ID_MA equals report_id_ma"},
    // Intel DCAP quotes (src/tdx/verify.cpp, docs/dcap.md).
    {"quote.format", kDcap, kAuthenticity, kBlameEvidence, kHardware, kCrypto,
     "the quote parses: version, key type, TEE type, certification data"},
    {"quote.qe_vendor", kDcap, kAuthenticity, kBlameEvidence, kHardware, kCrypto,
     "the QE vendor id is Intel's"},
    {"pck.chain", kDcap, kAuthenticity, kBlameEndorsement, kHardware, kCrypto,
     "the PCK chain in the quote ends at the pinned Intel SGX Root CA"},
    {"pck.extensions", kDcap, kAuthenticity, kBlameEndorsement, kHardware, kCrypto,
     "the PCK certificate's SGX extensions (FMSPC, PCESVN, CPUSVN) parse"},
    {"pck.validity", kDcap, kAuthenticity, kBlameEndorsement, kHardware, kCrypto,
     "the PCK chain is valid at the verification time"},
    {"crl.root_ca", kDcap, kAuthenticity, kBlameEither, kHardware, kCrypto,
     "the root CA CRL is signed by the root, current, and does not revoke the PCK CA"},
    {"crl.pck", kDcap, kAuthenticity, kBlameEither, kHardware, kCrypto,
     "the PCK CRL is signed by the PCK CA, current, and does not revoke the PCK certificate"},
    {"collateral.issuer_chains", kDcap, kAuthenticity, kBlameEndorsement, kHardware, kCrypto,
     "the collateral's issuer chains end at the pinned root"},
    {"tcb_info.signature", kDcap, kAuthenticity, kBlameEndorsement, kHardware, kCrypto,
     "TCB Info's ECDSA P-256 signature over its exact JSON bytes verifies"},
    {"tcb_info.dates", kDcap, kAuthenticity, kBlameEndorsement, kHardware, kCrypto,
     "TCB Info is issued and not past nextUpdate at the verification time"},
    {"tcb_info.applies", kDcap, kAuthenticity, kBlameEndorsement, kHardware, kCrypto,
     "TCB Info is for this TEE type and the PCK certificate's FMSPC"},
    {"qe_identity.signature", kDcap, kAuthenticity, kBlameEndorsement, kHardware, kCrypto,
     "QE Identity's ECDSA P-256 signature over its exact JSON bytes verifies"},
    {"qe_identity.dates", kDcap, kAuthenticity, kBlameEndorsement, kHardware, kCrypto,
     "QE Identity is issued and not past nextUpdate at the verification time"},
    {"qe_identity.applies", kDcap, kAuthenticity, kBlameEndorsement, kHardware, kCrypto,
     "QE Identity is for this quote's enclave (QE or TD-QE)"},
    {"qe_report.signature", kDcap, kAuthenticity, kBlameEither, kHardware, kCrypto,
     "the QE report is signed by the PCK key"},
    {"qe_report.binding", kDcap, kAuthenticity, kBlameEvidence, kHardware, kCrypto,
     "the QE report's REPORTDATA binds the attestation key and QE authentication data"},
    {"quote.signature", kDcap, kAuthenticity, kBlameEvidence, kHardware, kCrypto,
     "the quote is signed by the attestation key over header and body"},
    {"qe_identity.match", kDcap, kAuthenticity, kBlameEvidence, kHardware, kCrypto,
     "the QE's MRSIGNER, ISVPRODID, MISCSELECT and ATTRIBUTES match QE Identity"},
    {"tcb.platform", kDcap, kAuthenticity, kBlameEvidence, kHardware, kCrypto,
     "the platform's SVNs meet a TCB level of TCB Info"},
    {"tcb.tdx_module", kDcap, kAuthenticity, kBlameEvidence, kHardware, kCrypto,
     "the TDX module's identity and TCB level are in TCB Info"},
    {"quote.debug", kDcap, kAuthenticity, kBlameEvidence, kRuntimeOpaque, kCrypto,
     "the enclave or TD is not in debug mode"},
    {"tcb.status", kDcap, kAuthenticity, kBlameEvidence, kHardware, kCrypto,
     "the merged TCB status is not Revoked"},
    // DCAP appraisal (src/verify/dcap_appraisal.cpp, docs/dcap.md "Appraisal").
    {"policy.dcap.tcb_status", kDcap, kAppraisal, kBlameEvidence, kHardware, kContra,
     "the merged TCB status is one of accept_tcb_status (default UpToDate)"},
    {"policy.dcap.advisories", kDcap, kAppraisal, kBlameEvidence, kHardware, kContra,
     "every advisory ID of the result is in allow_advisories"},
    {"policy.tdx.mr_td", kDcap, kAppraisal, kBlameEvidence, kExecutables, kContra, "MRTD is one of tdx.mr_td"},
    {"policy.tdx.rtmr0", kDcap, kAppraisal, kBlameEvidence, kExecutables, kContra, "RTMR0 is one of tdx.rtmr0"},
    {"policy.tdx.rtmr1", kDcap, kAppraisal, kBlameEvidence, kExecutables, kContra, "RTMR1 is one of tdx.rtmr1"},
    {"policy.tdx.rtmr2", kDcap, kAppraisal, kBlameEvidence, kExecutables, kContra, "RTMR2 is one of tdx.rtmr2"},
    {"policy.tdx.rtmr3", kDcap, kAppraisal, kBlameEvidence, kExecutables, kContra, "RTMR3 is one of tdx.rtmr3"},
    {"policy.tdx.mr_seam", kDcap, kAppraisal, kBlameEvidence, kHardware, kContra,
     "MRSEAM (the TDX module) is one of tdx.mr_seam"},
    {"policy.tdx.td_attributes", kDcap, kAppraisal, kBlameEvidence, kConfiguration, kContra,
     "TDATTRIBUTES equal tdx.td_attributes"},
    {"policy.tdx.xfam", kDcap, kAppraisal, kBlameEvidence, kConfiguration, kContra, "XFAM equals tdx.xfam"},
    {"policy.sgx.mr_enclave", kDcap, kAppraisal, kBlameEvidence, kExecutables, kContra,
     "MRENCLAVE is one of sgx.mr_enclave"},
    {"policy.sgx.mr_signer", kDcap, kAppraisal, kBlameEvidence, kExecutables, kContra,
     "MRSIGNER is one of sgx.mr_signer"},
    {"policy.sgx.isv_prod_id", kDcap, kAppraisal, kBlameEvidence, kExecutables, kContra,
     "ISVPRODID equals sgx.isv_prod_id"},
    {"policy.sgx.isv_svn", kDcap, kAppraisal, kBlameEvidence, kExecutables, kContra,
     "ISVSVN is at least sgx.min_isv_svn"},
};

}  // namespace

std::string_view to_string(Component c) {
  static constexpr std::string_view kNames[kComponents] = {
      "instance-identity", "configuration", "executables",    "file-system",
      "hardware",          "runtime-opaque", "storage-opaque", "sourced-data"};
  return kNames[static_cast<std::size_t>(c)];
}

std::string_view to_string(Stage s) {
  switch (s) {
    case Stage::kAuthenticity: return "authenticity";
    case Stage::kFreshness: return "freshness";
    case Stage::kAppraisal: return "appraisal";
  }
  return "unknown";
}

std::span<const CheckInfo> check_registry() { return kRegistry; }

const CheckInfo* find_check(std::string_view id) {
  // A row ending in ".*" is a family: its prefix followed by one more non-empty part.
  auto matches = [&](const CheckInfo& c) {
    if (!c.id.ends_with(".*")) return c.id == id;
    const std::string_view prefix = c.id.substr(0, c.id.size() - 1);
    return id.size() > prefix.size() && id.starts_with(prefix) &&
           id.substr(prefix.size()).find('.') == std::string_view::npos;
  };
  auto it = std::find_if(std::begin(kRegistry), std::end(kRegistry), matches);
  return it == std::end(kRegistry) ? nullptr : &*it;
}

bool registered(const Check& check) {
  const CheckInfo* info = find_check(check.id);
  if (info == nullptr) return false;
  const unsigned bit = check.subject == CheckSubject::kEvidence ? kBlameEvidence : kBlameEndorsement;
  return (info->blames & bit) != 0;
}

}  // namespace veritee::verify
