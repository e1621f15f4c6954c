// Measured direct boot: the SEV hash table QEMU writes into the firmware's hashes page when it
// is given -kernel (QEMU target/i386/sev.c "SevHashTable", checked by OVMF's
// BlobVerifierLibSevHashes): a header GUID and u16 length, then three entries of GUID, u16
// length 50 and SHA-256 — the command line with its trailing NUL (a lone NUL when empty), the
// initrd (empty when none) and the kernel — padded with zeros to 16 bytes.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "veritee/common/bytes.hpp"
#include "veritee/common/error.hpp"

namespace veritee::snp::measure {

struct KernelHashes {
  using Sha256 = std::array<std::uint8_t, 32>;
  Sha256 cmdline{};
  Sha256 initrd{};
  Sha256 kernel{};

  static constexpr std::size_t kTableLength = 16 + 2 + 3 * (16 + 2 + 32);  // 168
  static constexpr std::size_t kPaddedLength = (kTableLength + 15) & ~std::size_t{15};

  // Hashes of the files' bytes; `append` is the command line without its NUL.
  static Result<KernelHashes> compute(ByteView kernel, ByteView initrd, std::string_view append);

  // The table, padded to 16 bytes.
  Bytes table() const;
  // A 4 KiB page of zeros with the table at `offset` (the table's GPA within its page).
  Result<Bytes> page(std::size_t offset) const;
};

}  // namespace veritee::snp::measure
