// The initial VMSA page of each vCPU (the SEV-ES save area, AMD64 APM Vol. 2, Table B-4 "VMSA
// Layout, State Save Area for SEV-ES"), as each VMM fills it at launch, and the vCPU
// signatures (CPUID Fn0000_0001_EAX) that QEMU puts in RDX.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>

#include "veritee/common/error.hpp"

namespace veritee::snp::measure {

enum class VmmType { kQemu, kEc2, kGce };

std::string_view to_string(VmmType vmm);  // "qemu", "ec2", "gce"
// "qemu", "ec2" or "gce" in any case.
Result<VmmType> parse_vmm_type(std::string_view name);

// A QEMU CPU model and its CPUID(1).EAX signature.
struct VcpuType {
  std::string_view name;
  std::uint32_t signature;
};

// The EPYC models of QEMU's builtin_x86_defs that can run SEV-SNP guests.
std::span<const VcpuType> vcpu_types();
// The signature of a model named exactly as QEMU names it (case-insensitive).
Result<std::uint32_t> vcpu_type_signature(std::string_view name);
// The signature from family, model and stepping (AMD CPUID Specification #25481, "CPUID
// Fn0000_0001_EAX Family, Model, Stepping Identifiers"). Values that cannot be encoded are an
// error.
Result<std::uint32_t> cpuid_signature(unsigned family, unsigned model, unsigned stepping);

inline constexpr std::uint32_t kBootEip = 0xFFFFFFF0;  // the x86 reset vector
inline constexpr std::size_t kVmsaSize = 4096;
using VmsaPage = std::array<std::uint8_t, kVmsaSize>;

// One vCPU's VMSA: started at `eip` (the boot vCPU at kBootEip, the others at the SEV-ES reset
// block's EIP), with SEV_FEATURES `sev_features`. QEMU puts `vcpu_signature` in RDX; EC2 and
// GCE put 0x600 there whatever the CPU.
VmsaPage build_vmsa(std::uint32_t eip, std::uint64_t sev_features, std::uint32_t vcpu_signature,
                    VmmType vmm);

}  // namespace veritee::snp::measure
