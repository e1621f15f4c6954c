// configfs-tsm (Linux Documentation/ABI/testing/configfs-tsm; DESIGN.md 3.7): under
// <root>/<entry>/ the kernel exposes `inblob` (64 bytes of REPORT_DATA, written), `privlevel`
// (the VMPL, written as decimal text), `outblob` (the report, read: reading runs the request),
// `auxblob` (the certificate table, read), `provider` ("sev_guest") and `generation` (read:
// counts every write to the entry, so a concurrent writer shows up as extra counts).
#pragma once

#include <filesystem>
#include <functional>
#include <string>

#include "veritee/guest/provider.hpp"

namespace veritee::guest {

struct TsmOptions {
  std::filesystem::path root = kDefaultTsmRoot;
  // Entry directory name; empty: "veritee-<pid>-<n>".
  std::string entry_name;
  // mkdir(2) and rmdir(2) of the entry. configfs creates the attributes inside mkdir and
  // removes a populated item in rmdir, which a plain directory cannot do: tests that emulate
  // the kernel on a temporary directory replace these two, everything else is real file I/O.
  std::function<Result<void>(const std::filesystem::path&)> make_entry;
  std::function<Result<void>(const std::filesystem::path&)> remove_entry;
};

class TsmProvider final : public EvidenceProvider {
 public:
  explicit TsmProvider(TsmOptions options);
  ProviderKind kind() const override { return ProviderKind::kTsm; }
  std::string_view name() const override { return "tsm"; }
  // mkdir the entry, read `generation`, write `privlevel` (when a VMPL is asked) and `inblob`,
  // read `outblob`, `auxblob`, `provider` and `generation` again, and always rmdir the entry.
  // Fails when `provider` is not sev_guest, when `generation` moved by more than our own
  // writes (another writer used the entry), or when outblob is not one 0x4A0-byte report.
  Result<GuestEvidence> collect(const EvidenceRequest& request) override;

 private:
  TsmOptions options_;
};

// The `provider` of a configfs-tsm root, learnt by creating and removing an entry (no request
// is sent: nothing is written). Used by `veritee doctor`.
Result<std::string> probe_tsm_provider(const TsmOptions& options);

}  // namespace veritee::guest
