// OvmfImage::parse (footer table, SEV metadata) and measure() over what parses. The input is
// the END of an image: it is zero-padded at the front to whole 4 KiB pages, so the fuzzer works
// on the footer and metadata that the parser reads backwards from the end.
#include <cstddef>
#include <cstdint>

#include "veritee/snp/measure/measure.hpp"

namespace m = veritee::snp::measure;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 64 * 1024) return 0;  // the parser only looks near the end; keep runs fast
  const std::size_t padded = (size + m::kPageSize - 1) / m::kPageSize * m::kPageSize;
  veritee::Bytes image(padded == 0 ? m::kPageSize : padded, 0);
  std::copy(data, data + size, image.end() - static_cast<std::ptrdiff_t>(size));
  auto ovmf = m::OvmfImage::parse(image);
  if (!ovmf) return 0;
  for (auto e : ovmf->footer()) (void)e.guid.to_string();
  for (auto s : ovmf->sections()) (void)m::to_string(s.type);
  auto kernel = m::KernelHashes::compute({}, {}, "");
  for (auto vmm : {m::VmmType::kQemu, m::VmmType::kEc2, m::VmmType::kGce}) {
    m::LaunchParams p;
    p.vcpus = 2;
    p.vmm = vmm;
    p.vcpu_signature = 0xa00f11;
    // Skip the (slow) OVMF page hashing: start from a given OVMF hash.
    p.ovmf_hash = m::Digest{};
    (void)m::measure(*ovmf, p);
    if (kernel) {
      p.kernel = *kernel;
      (void)m::measure(*ovmf, p);
    }
  }
  return 0;
}
