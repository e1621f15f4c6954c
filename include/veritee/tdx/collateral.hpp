// DCAP collateral: the PCK CRLs, TCB Info and QE Identity with their issuer chains, in the JSON
// shape PCCS / Intel PCS clients return (members named as dcap-qvl's QuoteCollateralV3), and
// the two signed JSON documents decoded. Layouts: Intel "SGX and TDX PCS API" (v4), "TCB Info"
// (version 3: sgxtcbcomponents / tdxtcbcomponents) and "Enclave Identity" (version 2).
//
// The signed texts are kept as given: their signatures cover those exact bytes, and the
// decoded views are read from them, never re-serialized.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "veritee/common/bytes.hpp"
#include "veritee/x509/certificate.hpp"
#include "veritee/common/error.hpp"

namespace veritee::tdx {

struct Collateral {
  std::string pck_crl_issuer_chain;      // PEM: PCK Platform/Processor CA, Root CA
  Bytes root_ca_crl;                     // DER CRL of the Intel SGX Root CA
  Bytes pck_crl;                         // DER CRL of the PCK CA
  std::string tcb_info_issuer_chain;     // PEM: TCB Signing, Root CA
  std::string tcb_info;                  // the exact signed text of the tcbInfo object
  Bytes tcb_info_signature;              // 64: r || s, ECDSA-P256-SHA256 over tcb_info
  std::string qe_identity_issuer_chain;  // PEM: TCB Signing, Root CA
  std::string qe_identity;               // the exact signed text of the enclaveIdentity object
  Bytes qe_identity_signature;           // 64: r || s over qe_identity
};

// The collateral JSON object (every member a string; CRLs and signatures as hex). A missing or
// mistyped member is an error naming it; unknown members are errors too.
Result<Collateral> parse_collateral(std::string_view json_text);
// Reads a collateral file (a regular file of at most 4 MiB).
Result<Collateral> load_collateral_file(const std::filesystem::path& path);

// TCB statuses of Intel's TCB Info and Enclave Identity, worst last.
enum class TcbStatus {
  kUpToDate,
  kSWHardeningNeeded,
  kConfigurationNeeded,
  kConfigurationAndSWHardeningNeeded,
  kOutOfDate,
  kOutOfDateConfigurationNeeded,
  kRevoked,
};
std::string_view to_string(TcbStatus status);  // Intel's spelling, e.g. "SWHardeningNeeded"
Result<TcbStatus> parse_tcb_status(std::string_view text);
// Two statuses as one: each says which of out-of-date, configuration needed and SW hardening
// needed hold; the merge holds what either holds (Revoked wins; OutOfDate absorbs SW
// hardening, as Intel's status set has no "OutOfDate and SWHardeningNeeded").
TcbStatus merge(TcbStatus a, TcbStatus b);

// One of tcbInfo.tcbLevels.
struct TcbLevel {
  std::array<std::uint8_t, 16> sgx_components{};
  std::uint16_t pcesvn = 0;
  std::optional<std::array<std::uint8_t, 16>> tdx_components;  // TDX TCB Info only
  std::string tcb_date;
  TcbStatus status = TcbStatus::kUpToDate;
  std::vector<std::string> advisories;
};

// One of the tcbLevels of an enclave identity or a TDX module identity (keyed by ISVSVN).
struct IsvTcbLevel {
  std::uint16_t isvsvn = 0;
  std::string tcb_date;
  TcbStatus status = TcbStatus::kUpToDate;
  std::vector<std::string> advisories;
};

struct TdxModuleIdentity {
  std::string id;  // "TDX_01", ... (empty for tcbInfo.tdxModule)
  Bytes mrsigner;  // 48
  Bytes attributes;       // 8
  Bytes attributes_mask;  // 8
  std::vector<IsvTcbLevel> levels;
};

struct TcbInfo {
  std::string id;  // "SGX" or "TDX"
  int version = 0;
  veritee::TimePoint issue_date;
  veritee::TimePoint next_update;
  Bytes fmspc;   // 6
  Bytes pce_id;  // 2
  int tcb_type = 0;
  std::int64_t tcb_evaluation_data_number = 0;
  std::optional<TdxModuleIdentity> tdx_module;
  std::vector<TdxModuleIdentity> tdx_module_identities;
  std::vector<TcbLevel> levels;
};
// tcbInfo version 3 (SGX or TDX); other versions are an error.
Result<TcbInfo> parse_tcb_info(std::string_view signed_text);

struct EnclaveIdentity {
  std::string id;  // "QE" (SGX), "TD_QE" (TDX), "QVE"
  int version = 0;
  veritee::TimePoint issue_date;
  veritee::TimePoint next_update;
  std::int64_t tcb_evaluation_data_number = 0;
  std::uint32_t miscselect = 0;
  std::uint32_t miscselect_mask = 0;
  Bytes attributes;       // 16
  Bytes attributes_mask;  // 16
  Bytes mrsigner;         // 32
  std::uint16_t isvprodid = 0;
  std::vector<IsvTcbLevel> levels;
};
// enclaveIdentity version 2; other versions are an error.
Result<EnclaveIdentity> parse_enclave_identity(std::string_view signed_text);

}  // namespace veritee::tdx
