#include "veritee/snp/measure/measure.hpp"

namespace veritee::snp::measure {
namespace {

Result<void> check_params(const OvmfImage& ovmf, const LaunchParams& p) {
  if (p.vcpus == 0 || p.vcpus > kMaxVcpus) {
    return fail(Errc::kInvalidInput, "the number of vCPUs must be 1 to " +
                                         std::to_string(kMaxVcpus) + ", not " +
                                         std::to_string(p.vcpus));
  }
  if (p.vmm == VmmType::kQemu && !p.vcpu_signature) {
    return fail(Errc::kInvalidInput,
                "QEMU puts the vCPU signature in each VMSA's RDX: the vCPU type or signature "
                "is needed");
  }
  if ((p.guest_features & kSnpActive) == 0) {
    return fail(Errc::kInvalidInput, "guest features " + hex_number(p.guest_features) +
                                         " lack bit 0 (SNPActive), which every SEV-SNP VMSA has");
  }
  if (p.kernel) {
    if (!ovmf.has_section(SectionType::kSnpKernelHashes)) {
      return fail(Errc::kUnsupported,
                  "kernel specified but the OVMF metadata doesn't include an SNP_KERNEL_HASHES "
                  "section: this firmware cannot measure a kernel, initrd and command line "
                  "(an OvmfPkg/AmdSev build can)");
    }
    if (!ovmf.sev_hash_table()) {
      return fail(Errc::kInvalidInput,
                  "kernel specified but the OVMF footer table gives no SEV hash table location "
                  "(entry " + guids::kSevHashTable.to_string() + " absent or zero)");
    }
  }
  if (p.vcpus > 1 && ovmf.sev_es_reset_eip().value_or(0) == 0) {
    return fail(Errc::kInvalidInput,
                "the OVMF footer table has no SEV-ES reset block (" +
                    guids::kSevEsResetBlock.to_string() +
                    "), so the EIP of vCPUs other than the first is unknown");
  }
  return {};
}

// The kernel-hashes page: the table at its GPA's offset, which must fall in the section's page.
Result<Bytes> hashes_page(const OvmfImage& ovmf, const MetadataSection& s,
                          const KernelHashes& k) {
  const SevHashTableLocation loc = *ovmf.sev_hash_table();
  const std::uint64_t page = loc.gpa & ~std::uint64_t{kPageSize - 1};
  if (page != s.gpa) {
    return fail(Errc::kInvalidInput, "the SEV hash table at GPA " + hex_number(loc.gpa) +
                                         " is not in the SNP_KERNEL_HASHES page at GPA " +
                                         hex_number(s.gpa));
  }
  if (loc.size < KernelHashes::kPaddedLength) {
    return fail(Errc::kInvalidInput, "the SEV hash table area is " + std::to_string(loc.size) +
                                         " bytes, less than the " +
                                         std::to_string(KernelHashes::kPaddedLength) +
                                         " bytes of the table");
  }
  return k.page(loc.gpa - page);
}

}  // namespace

Result<Digest> ovmf_hash(const OvmfImage& ovmf) {
  LaunchDigest ld;
  ld.add_normal_pages(ovmf.gpa(), ovmf.bytes());
  return ld.value();
}

Result<Measurement> measure(const OvmfImage& ovmf, const LaunchParams& p) {
  if (auto ok = check_params(ovmf, p); !ok) return std::unexpected(ok.error());
  Measurement m;
  LaunchDigest ld;
  if (p.ovmf_hash) {
    ld = LaunchDigest(*p.ovmf_hash);
    m.ovmf_hash = *p.ovmf_hash;
    m.ovmf_hash_given = true;
  } else {
    ld.add_normal_pages(ovmf.gpa(), ovmf.bytes());
    m.steps.push_back({"OVMF", PageType::kNormal, ovmf.gpa(), ovmf.bytes().size()});
    auto after = ld.value();
    if (!after) return std::unexpected(after.error());
    m.ovmf_hash = *after;
  }

  auto step = [&](const MetadataSection& s, PageType type) {
    m.steps.push_back({std::string(to_string(s.type)), type, s.gpa, s.size});
  };
  for (const MetadataSection& s : ovmf.sections()) {
    switch (s.type) {
      case SectionType::kSnpSecMem:
        if (p.vmm == VmmType::kGce) {
          ld.add_unmeasured_pages(s.gpa, s.size);
          step(s, PageType::kUnmeasured);
        } else {
          ld.add_zero_pages(s.gpa, s.size);
          step(s, PageType::kZero);
        }
        break;
      case SectionType::kSnpSecrets:
        ld.add_secrets_page(s.gpa);
        step(s, PageType::kSecrets);
        break;
      case SectionType::kCpuid:
        if (p.vmm != VmmType::kEc2) {
          ld.add_cpuid_page(s.gpa);
          step(s, PageType::kCpuid);
        }
        break;
      case SectionType::kSnpKernelHashes:
        if (p.kernel) {
          auto page = hashes_page(ovmf, s, *p.kernel);
          if (!page) return std::unexpected(page.error());
          ld.add_normal_pages(s.gpa, *page);
          step(s, PageType::kNormal);
        } else {
          ld.add_zero_pages(s.gpa, s.size);
          step(s, PageType::kZero);
        }
        break;
      case SectionType::kSvsmCaa:
        ld.add_zero_pages(s.gpa, s.size);
        step(s, PageType::kZero);
        break;
    }
  }
  if (p.vmm == VmmType::kEc2) {  // EC2 adds the CPUID page after every other section
    for (const MetadataSection& s : ovmf.sections()) {
      if (s.type == SectionType::kCpuid) {
        ld.add_cpuid_page(s.gpa);
        step(s, PageType::kCpuid);
      }
    }
  }

  const std::uint32_t signature = p.vmm == VmmType::kQemu ? *p.vcpu_signature : 0;
  const VmsaPage boot = build_vmsa(kBootEip, p.guest_features, signature, p.vmm);
  ld.add_vmsa_page(boot);
  m.steps.push_back({"VMSA vCPU 0", PageType::kVmsa, kVmsaGpa, kVmsaSize});
  if (p.vcpus > 1) {
    m.ap_eip = *ovmf.sev_es_reset_eip();
    const VmsaPage ap = build_vmsa(m.ap_eip, p.guest_features, signature, p.vmm);
    ld.add_vmsa_pages(ap, p.vcpus - 1);
    m.steps.push_back({p.vcpus == 2 ? "VMSA vCPU 1" : "VMSA vCPUs 1.." + std::to_string(p.vcpus - 1),
                       PageType::kVmsa, kVmsaGpa, std::uint64_t{kVmsaSize} * (p.vcpus - 1)});
  }
  auto digest = ld.value();
  if (!digest) return std::unexpected(digest.error());
  m.measurement = *digest;
  m.pages = ld.pages();
  return m;
}

}  // namespace veritee::snp::measure
