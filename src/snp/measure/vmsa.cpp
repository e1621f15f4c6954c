#include "veritee/snp/measure/vmsa.hpp"

#include <algorithm>
#include <cctype>
#include <string>

#include "veritee/common/byte_writer.hpp"
#include "veritee/common/bytes.hpp"

namespace veritee::snp::measure {
namespace {

// Offsets in the SEV-ES save area (APM Vol. 2 Table B-4; Linux struct sev_es_save_area).
namespace off {
constexpr std::size_t kEs = 0x000, kCs = 0x010, kSs = 0x020, kDs = 0x030, kFs = 0x040,
                      kGs = 0x050, kGdtr = 0x060, kLdtr = 0x070, kIdtr = 0x080, kTr = 0x090;
constexpr std::size_t kEfer = 0x0D0, kCr4 = 0x148, kCr0 = 0x158, kDr7 = 0x160, kDr6 = 0x168,
                      kRflags = 0x170, kRip = 0x178, kGPat = 0x268, kRdx = 0x310,
                      kSevFeatures = 0x3B0, kXcr0 = 0x3E8, kMxcsr = 0x408, kX87Fcw = 0x410;
}  // namespace off

// struct vmcb_seg: u16 selector, u16 attrib, u32 limit, u64 base.
void put_segment(Bytes& page, std::size_t at, std::uint16_t selector, std::uint16_t attrib,
                 std::uint32_t limit, std::uint64_t base) {
  put_le(page, at, selector);
  put_le(page, at + 2, attrib);
  put_le(page, at + 4, limit);
  put_le(page, at + 8, base);
}

constexpr std::uint32_t sig(unsigned family, unsigned model, unsigned stepping) {
  const unsigned family_low = family > 0xF ? 0xF : family;
  const unsigned family_high = family > 0xF ? family - 0xF : 0;
  return (family_high << 20) | ((model >> 4) << 16) | (family_low << 8) | ((model & 0xF) << 4) |
         stepping;
}

// QEMU target/i386/cpu.c builtin_x86_defs: family, model, stepping of each EPYC model (and its
// versioned aliases, which keep them).
constexpr VcpuType kTypes[] = {
    {"EPYC", sig(23, 1, 2)},          {"EPYC-v1", sig(23, 1, 2)},
    {"EPYC-v2", sig(23, 1, 2)},       {"EPYC-IBPB", sig(23, 1, 2)},
    {"EPYC-v3", sig(23, 1, 2)},       {"EPYC-v4", sig(23, 1, 2)},
    {"EPYC-Rome", sig(23, 49, 0)},    {"EPYC-Rome-v1", sig(23, 49, 0)},
    {"EPYC-Rome-v2", sig(23, 49, 0)}, {"EPYC-Rome-v3", sig(23, 49, 0)},
    {"EPYC-Milan", sig(25, 1, 1)},    {"EPYC-Milan-v1", sig(25, 1, 1)},
    {"EPYC-Milan-v2", sig(25, 1, 1)}, {"EPYC-Genoa", sig(25, 17, 0)},
    {"EPYC-Genoa-v1", sig(25, 17, 0)}, {"EPYC-Turin", sig(26, 0, 0)},
};

bool iequal(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

}  // namespace

std::string_view to_string(VmmType vmm) {
  switch (vmm) {
    case VmmType::kQemu: return "qemu";
    case VmmType::kEc2: return "ec2";
    case VmmType::kGce: return "gce";
  }
  return "unknown";
}

Result<VmmType> parse_vmm_type(std::string_view name) {
  for (VmmType v : {VmmType::kQemu, VmmType::kEc2, VmmType::kGce}) {
    if (iequal(name, to_string(v))) return v;
  }
  return fail(Errc::kInvalidInput,
              "unknown VMM type '" + std::string(name) + "' (known: qemu, ec2, gce)");
}

std::span<const VcpuType> vcpu_types() { return kTypes; }

Result<std::uint32_t> vcpu_type_signature(std::string_view name) {
  for (const auto& t : kTypes) {
    if (iequal(name, t.name)) return t.signature;
  }
  std::string known;
  for (const auto& t : kTypes) known += (known.empty() ? "" : ", ") + std::string(t.name);
  return fail(Errc::kInvalidInput, "unknown vCPU type '" + std::string(name) + "' (known: " +
                                       known + "; give the signature for any other)");
}

Result<std::uint32_t> cpuid_signature(unsigned family, unsigned model, unsigned stepping) {
  if (family > 0xF + 0xFF) {
    return fail(Errc::kInvalidInput, "CPU family " + std::to_string(family) +
                                         " cannot be encoded (at most 270: 0xF + 0xFF)");
  }
  if (model > 0xFF) {
    return fail(Errc::kInvalidInput,
                "CPU model " + std::to_string(model) + " cannot be encoded (at most 255)");
  }
  if (stepping > 0xF) {
    return fail(Errc::kInvalidInput,
                "CPU stepping " + std::to_string(stepping) + " cannot be encoded (at most 15)");
  }
  return sig(family, model, stepping);
}

VmsaPage build_vmsa(std::uint32_t eip, std::uint64_t sev_features, std::uint32_t vcpu_signature,
                    VmmType vmm) {
  // Register values: KVM's reset state as QEMU leaves it (sev-snp-measure vmsa.py), with EC2's
  // and GCE's documented differences (segment attributes, RDX, PAT, no x87/SSE reset values).
  std::uint16_t cs_flags = 0x9B, ss_flags = 0x93, tr_flags = 0x8B;
  std::uint64_t rdx = vcpu_signature;
  std::uint64_t g_pat = 0x0007040600070406ULL;  // PAT reset value, APM Vol. 2 section A.3
  std::uint32_t mxcsr = 0x1F80;
  std::uint16_t fcw = 0x37F;
  switch (vmm) {
    case VmmType::kQemu:
      break;
    case VmmType::kEc2:
      cs_flags = eip == kBootEip ? 0x9A : 0x9B;
      ss_flags = 0x92;
      tr_flags = 0x83;
      rdx = 0x600;
      mxcsr = 0;
      fcw = 0;
      break;
    case VmmType::kGce:
      g_pat = 0x00070106;  // GCE's hypervisor overwrites the reset PAT
      rdx = 0x600;
      mxcsr = 0;
      fcw = 0;
      break;
  }
  Bytes page(kVmsaSize, 0);
  put_segment(page, off::kEs, 0, 0x93, 0xFFFF, 0);
  put_segment(page, off::kCs, 0xF000, cs_flags, 0xFFFF, eip & 0xFFFF0000U);
  put_segment(page, off::kSs, 0, ss_flags, 0xFFFF, 0);
  put_segment(page, off::kDs, 0, 0x93, 0xFFFF, 0);
  put_segment(page, off::kFs, 0, 0x93, 0xFFFF, 0);
  put_segment(page, off::kGs, 0, 0x93, 0xFFFF, 0);
  put_segment(page, off::kGdtr, 0, 0, 0xFFFF, 0);
  put_segment(page, off::kIdtr, 0, 0, 0xFFFF, 0);
  put_segment(page, off::kLdtr, 0, 0x82, 0xFFFF, 0);
  put_segment(page, off::kTr, 0, tr_flags, 0xFFFF, 0);
  put_le<std::uint64_t>(page, off::kEfer, 0x1000);  // KVM sets EFER.SVME
  put_le<std::uint64_t>(page, off::kCr4, 0x40);     // KVM sets CR4.MCE
  put_le<std::uint64_t>(page, off::kCr0, 0x10);
  put_le<std::uint64_t>(page, off::kDr7, 0x400);
  put_le<std::uint64_t>(page, off::kDr6, 0xFFFF0FF0);
  put_le<std::uint64_t>(page, off::kRflags, 0x2);
  put_le<std::uint64_t>(page, off::kRip, eip & 0xFFFFU);
  put_le(page, off::kGPat, g_pat);
  put_le(page, off::kRdx, rdx);
  put_le(page, off::kSevFeatures, sev_features);
  put_le<std::uint64_t>(page, off::kXcr0, 0x1);
  put_le(page, off::kMxcsr, mxcsr);
  put_le(page, off::kX87Fcw, fcw);
  VmsaPage out{};
  std::copy(page.begin(), page.end(), out.begin());
  return out;
}

}  // namespace veritee::snp::measure
