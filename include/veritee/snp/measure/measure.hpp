// The expected SEV-SNP launch MEASUREMENT of a guest: OVMF's pages (NORMAL, from 4 GiB - its
// size), then its SEV metadata sections in table order (SNP_SEC_MEM zero pages, the secrets
// page, the CPUID page, the kernel-hashes page, SVSM_CAA zero pages), then one VMSA page per
// vCPU. Each VMM adds the pages slightly differently:
// - QEMU: as above; the VMSA's RDX holds the vCPU signature.
// - EC2: the CPUID page is added after all other metadata sections; RDX is 0x600.
// - GCE: SNP_SEC_MEM pages are added as UNMEASURED; RDX is 0x600; PAT 0x70106.
// Reference: virtee/sev-snp-measure (its tests and vectors), QEMU target/i386/sev.c.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "veritee/common/error.hpp"
#include "veritee/snp/measure/kernel_hashes.hpp"
#include "veritee/snp/measure/launch_digest.hpp"
#include "veritee/snp/measure/ovmf.hpp"
#include "veritee/snp/measure/vmsa.hpp"

namespace veritee::snp::measure {

inline constexpr std::uint32_t kMaxVcpus = 4096;
inline constexpr std::uint64_t kSnpActive = 0x1;  // SEV_FEATURES bit 0

struct LaunchParams {
  std::uint32_t vcpus = 0;  // 1..kMaxVcpus
  VmmType vmm = VmmType::kQemu;
  // CPUID(1).EAX of the vCPUs: required for QEMU, unused by EC2 and GCE (RDX is 0x600 there).
  std::optional<std::uint32_t> vcpu_signature;
  std::uint64_t guest_features = kSnpActive;  // SEV_FEATURES of every VMSA
  std::optional<KernelHashes> kernel;         // measured direct boot (-kernel/-initrd/-append)
  // The digest after the OVMF pages, when the relying party has it instead of the image (the
  // image is then read only for its metadata).
  std::optional<Digest> ovmf_hash;
};

// One group of pages added, in order (for reports and --json).
struct MeasuredStep {
  std::string what;  // "OVMF", "SNP_SEC_MEM", ..., "VMSA vCPU 0"
  PageType type = PageType::kNormal;
  std::uint64_t gpa = 0;
  std::uint64_t size = 0;  // bytes
};

struct Measurement {
  Digest measurement{};
  Digest ovmf_hash{};  // the digest after the OVMF pages (given or computed)
  bool ovmf_hash_given = false;
  std::uint32_t ap_eip = 0;  // where the other vCPUs start (0 with one vCPU)
  std::vector<MeasuredStep> steps;
  std::size_t pages = 0;
};

// The launch digest after only the OVMF pages (what LaunchParams::ovmf_hash takes).
Result<Digest> ovmf_hash(const OvmfImage& ovmf);

// The MEASUREMENT a guest launched from `ovmf` with `params` reports. Parameters the image
// cannot honour (a kernel without a kernel-hashes section, several vCPUs without a SEV-ES reset
// block, ...) are errors, never a digest.
Result<Measurement> measure(const OvmfImage& ovmf, const LaunchParams& params);

}  // namespace veritee::snp::measure
