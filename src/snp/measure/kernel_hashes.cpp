#include "veritee/snp/measure/kernel_hashes.hpp"

#include <algorithm>
#include <string>

#include "veritee/common/byte_writer.hpp"
#include "veritee/snp/measure/launch_digest.hpp"
#include "veritee/snp/measure/ovmf.hpp"

namespace veritee::snp::measure {

Result<KernelHashes> KernelHashes::compute(ByteView kernel, ByteView initrd,
                                           std::string_view append) {
  KernelHashes h;
  std::string cmdline(append);
  cmdline.push_back('\0');
  auto c = sha256(as_bytes(cmdline));
  if (!c) return std::unexpected(c.error());
  auto i = sha256(initrd);
  if (!i) return std::unexpected(i.error());
  auto k = sha256(kernel);
  if (!k) return std::unexpected(k.error());
  h.cmdline = *c;
  h.initrd = *i;
  h.kernel = *k;
  return h;
}

Bytes KernelHashes::table() const {
  Bytes t(kPaddedLength, 0);
  std::size_t at = 0;
  auto put_guid = [&](const Guid& g) {
    std::copy(g.bytes.begin(), g.bytes.end(), t.begin() + static_cast<std::ptrdiff_t>(at));
    at += g.bytes.size();
  };
  put_guid(guids::kHashTableHeader);
  put_le<std::uint16_t>(t, at, kTableLength);
  at += 2;
  for (const auto& [guid, hash] : {std::pair{guids::kCmdlineEntry, &cmdline},
                                   std::pair{guids::kInitrdEntry, &initrd},
                                   std::pair{guids::kKernelEntry, &kernel}}) {
    put_guid(guid);
    put_le<std::uint16_t>(t, at, 16 + 2 + 32);
    at += 2;
    std::copy(hash->begin(), hash->end(), t.begin() + static_cast<std::ptrdiff_t>(at));
    at += hash->size();
  }
  return t;
}

Result<Bytes> KernelHashes::page(std::size_t offset) const {
  if (offset > kPageSize - kPaddedLength) {
    return fail(Errc::kInvalidInput,
                "the SEV hash table at offset " + std::to_string(offset) +
                    " in its page would not fit in the page (" + std::to_string(kPaddedLength) +
                    " bytes)");
  }
  Bytes p(kPageSize, 0);
  const Bytes t = table();
  std::copy(t.begin(), t.end(), p.begin() + static_cast<std::ptrdiff_t>(offset));
  return p;
}

}  // namespace veritee::snp::measure
