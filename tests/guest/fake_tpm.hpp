// A TpmNv test double holding NV indices in memory, with the Azure paravisor's behaviour as a
// hook: after a write to the user-data index it may replace the HCL report index. It carries
// whole corpus HCL blobs (2600 bytes), which swtpm 0.7 cannot (2048-byte NV limit).
#pragma once

#include <functional>
#include <map>

#include "veritee/guest/azure_vtpm.hpp"

namespace veritee::test {

class FakeTpmNv final : public guest::TpmNv {
 public:
  Result<std::optional<std::uint16_t>> nv_size(std::uint32_t index) override {
    auto it = nv.find(index);
    if (it == nv.end()) return std::optional<std::uint16_t>{};
    return std::optional<std::uint16_t>(static_cast<std::uint16_t>(it->second.size()));
  }
  Result<void> nv_define(std::uint32_t index, std::uint16_t size) override {
    ++defines;
    if (nv.count(index)) return fail(Errc::kIo, "TPM_RC_NV_DEFINED");
    nv[index] = Bytes(size, 0);
    return {};
  }
  Result<void> nv_write(std::uint32_t index, ByteView data) override {
    ++writes;
    auto it = nv.find(index);
    if (it == nv.end()) return fail(Errc::kIo, "TPM_RC_HANDLE");
    if (data.size() > it->second.size()) return fail(Errc::kIo, "TPM_RC_NV_RANGE");
    std::copy(data.begin(), data.end(), it->second.begin());
    if (index == guest::kHclUserDataIndex && paravisor) paravisor(*this, data);
    return {};
  }
  Result<Bytes> nv_read(std::uint32_t index) override {
    ++reads;
    auto it = nv.find(index);
    if (it == nv.end()) return fail(Errc::kIo, "TPM_RC_HANDLE");
    return it->second;
  }

  std::map<std::uint32_t, Bytes> nv;
  std::function<void(FakeTpmNv&, ByteView user_data)> paravisor;
  int defines = 0, writes = 0, reads = 0;
};

}  // namespace veritee::test
