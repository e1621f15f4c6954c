// The appraisal policy: reference values and rules a verified report must also meet (the
// go-sev-guest "validate" stage, after Verifier's authenticity checks). The model only: the
// TOML form (docs/policy.md) is read by rats/policy_file.hpp.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "veritee/common/bytes.hpp"
#include "veritee/common/error.hpp"
#include "veritee/snp/key_info.hpp"
#include "veritee/snp/product.hpp"
#include "veritee/snp/report.hpp"
#include "veritee/snp/tcb_version.hpp"

namespace veritee::verify {

// Minimum security patch levels; an absent SPL is not compared.
struct TcbMinimum {
  std::optional<std::uint8_t> bl, tee, snp, ucode, fmc;

  bool empty() const { return !bl && !tee && !snp && !ucode && !fmc; }
  // "bl>=3 snp>=8".
  std::string to_string() const;
  // The SPLs of `tcb` that are below the minimum, e.g. "snp 7 < 8"; empty when none.
  std::vector<std::string> shortfalls(const snp::TcbParts& tcb) const;
};

// [min_tcb] applies to every product; [min_tcb.milan] (etc.) replaces it for one product.
struct TcbRule {
  TcbMinimum all;
  std::map<snp::Product, TcbMinimum> per_product;

  bool empty() const { return all.empty() && per_product.empty(); }
  const TcbMinimum& for_product(snp::Product product) const;
};

// A named bit of POLICY or PLATFORM_INFO.
struct RequiredBit {
  std::string name;  // as in GuestPolicy::bits() / PlatformInfo::bits()
  unsigned bit = 0;
};

// What a missing CRL means (policy key `crl`): "require" fails chain.crl (contraindicated),
// "prefer" (default) uses one when held and otherwise, when the verifier is online, makes the
// result a warning naming why; "skip" never uses one.
enum class CrlRule { kRequire, kPrefer, kSkip };

// [tdx] / [sgx]: reference values for Intel DCAP quotes (docs/dcap.md "Appraisal"). A list
// allows any of its values; an absent key is not checked.
struct DcapPolicy {
  // Merged TCB statuses accepted (Intel's spelling); UpToDate only by default.
  std::vector<std::string> accept_tcb_status{"UpToDate"};
  // Advisory IDs tolerated; when set, any other advisory of the result fails.
  std::optional<std::vector<std::string>> allow_advisories;
  // TDX (TD report fields, 48 bytes each unless said)
  std::vector<Bytes> mr_td;
  std::array<std::vector<Bytes>, 4> rtmr;
  std::vector<Bytes> mr_seam;
  std::optional<Bytes> td_attributes;  // 8, exact
  std::optional<Bytes> xfam;           // 8, exact
  // SGX (enclave report fields)
  std::vector<Bytes> mr_enclave;  // 32
  std::vector<Bytes> mr_signer;   // 32
  std::optional<std::uint16_t> isv_prod_id;
  std::optional<std::uint16_t> min_isv_svn;
};

struct AppraisalPolicy {
  std::string id;            // ear.appraisal-policy-id; "sha256:<hex of the file>" by default
  std::string source;        // file name, for messages

  bool require_nonce = true;  // POST /v1/attest must carry a nonce this verifier issued
  // The service-only keys the text sets ("require_nonce (line 3)"): tools that appraise
  // without the service (`verify --policy`) say they ignore them.
  std::vector<std::string> service_keys;
  bool require_crl = false;   // a CRL must be checked (else a missing one is a skipped check)
  CrlRule crl = CrlRule::kPrefer;  // `crl`; `require_crl = true` is crl = "require"
  bool allow_debug = false;
  bool allow_migrate_ma = false;
  bool require_single_socket = false;
  bool allow_smt = true;

  std::optional<std::pair<std::uint8_t, std::uint8_t>> min_abi;  // POLICY.ABI_MAJOR.ABI_MINOR
  TcbRule min_tcb;         // REPORTED_TCB, COMMITTED_TCB and CURRENT_TCB
  TcbRule min_launch_tcb;  // LAUNCH_TCB
  std::optional<std::uint32_t> min_guest_svn;
  std::optional<std::uint8_t> min_build;                 // CURRENT_BUILD
  std::optional<snp::FirmwareVersion> min_version;       // CURRENT_MAJOR.MINOR[.BUILD]
  bool min_version_has_build = false;
  std::vector<std::uint32_t> vmpl;                       // allowed VMPLs; empty: any

  std::vector<Bytes> measurements;        // 48 bytes each
  std::optional<Bytes> host_data;         // 32
  std::optional<Bytes> family_id;         // 16
  std::optional<Bytes> image_id;          // 16
  std::vector<Bytes> id_key_digests;      // 48
  std::vector<Bytes> author_key_digests;  // 48
  std::optional<Bytes> report_id;         // 32
  std::optional<Bytes> report_id_ma;      // 32
  std::vector<Bytes> chip_ids;            // 64 (or 8: Turin's CHIP_ID[0:8], rest zero)
  std::optional<Bytes> report_data;       // 64, exact
  std::vector<snp::Product> products;
  std::vector<snp::SigningKey> signing_keys;

  std::optional<std::uint64_t> min_launch_mit_vector;   // bits that must be set (v5)
  std::optional<std::uint64_t> min_current_mit_vector;  // bits that must be set (v5)
  std::vector<RequiredBit> required_policy_bits;
  std::vector<RequiredBit> required_platform_bits;

  std::optional<DcapPolicy> tdx;  // [tdx]; absent: the defaults (UpToDate only)
  std::optional<DcapPolicy> sgx;  // [sgx]
};

}  // namespace veritee::verify
