// configfs-tsm evidence (Linux Documentation/ABI/testing/configfs-tsm; tsm_provider.hpp).
#include "veritee/guest/tsm_provider.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <charconv>
#include <cstring>

#include "posix_io.hpp"
#include "veritee/snp/report.hpp"

namespace veritee::guest {
namespace {

namespace fs = std::filesystem;

Result<void> posix_mkdir(const fs::path& path) {
  if (::mkdir(path.c_str(), 0700) < 0) {
    return fail(Errc::kIo, "cannot create configfs-tsm entry " + path.string() + ": " +
                               std::strerror(errno) +
                               (errno == ENOENT ? " (configfs-tsm not available)" : ""));
  }
  return {};
}

Result<void> posix_rmdir(const fs::path& path) {
  if (::rmdir(path.c_str()) < 0) {
    return fail(Errc::kIo,
                "cannot remove configfs-tsm entry " + path.string() + ": " + std::strerror(errno));
  }
  return {};
}

std::string trimmed_text(const Bytes& bytes) {
  std::string s(bytes.begin(), bytes.end());
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '\0')) s.pop_back();
  return s;
}

Result<std::uint64_t> read_generation(const fs::path& entry) {
  auto bytes = detail::read_all(entry / "generation");
  if (!bytes) return std::unexpected(bytes.error());
  std::string text = trimmed_text(*bytes);
  std::uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) {
    return fail(Errc::kIo, "configfs-tsm generation is not a number: \"" + text + "\"");
  }
  return value;
}

std::string default_entry_name() {
  static std::atomic<unsigned> counter{0};
  return "veritee-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
}

// Runs `body` inside a fresh entry and always removes the entry afterwards.
template <class Body>
auto with_entry(const TsmOptions& options, Body body) -> decltype(body(fs::path{})) {
  const fs::path entry =
      options.root / (options.entry_name.empty() ? default_entry_name() : options.entry_name);
  auto made = options.make_entry ? options.make_entry(entry) : posix_mkdir(entry);
  if (!made) return std::unexpected(made.error());
  auto result = body(entry);
  auto removed = options.remove_entry ? options.remove_entry(entry) : posix_rmdir(entry);
  if (result && !removed) return std::unexpected(removed.error());
  return result;
}

Result<std::string> read_provider(const fs::path& entry) {
  auto bytes = detail::read_all(entry / "provider");
  if (!bytes) return std::unexpected(bytes.error());
  return trimmed_text(*bytes);
}

}  // namespace

TsmProvider::TsmProvider(TsmOptions options) : options_(std::move(options)) {}

Result<GuestEvidence> TsmProvider::collect(const EvidenceRequest& request) {
  return with_entry(options_, [&](const fs::path& entry) -> Result<GuestEvidence> {
    auto provider = read_provider(entry);
    if (!provider) return std::unexpected(provider.error());
    if (*provider != "sev_guest") {
      return fail(Errc::kIo, "configfs-tsm provider is \"" + *provider +
                                 "\", not sev_guest (not an SEV-SNP guest?)");
    }
    auto before = read_generation(entry);
    if (!before) return std::unexpected(before.error());
    std::uint64_t writes = 0;
    if (request.vmpl) {
      std::string level = std::to_string(*request.vmpl) + "\n";
      if (auto ok = detail::write_all(entry / "privlevel", as_bytes(level)); !ok) {
        return std::unexpected(ok.error());
      }
      ++writes;
    }
    if (auto ok = detail::write_all(entry / "inblob", request.report_data); !ok) {
      return std::unexpected(ok.error());
    }
    ++writes;
    auto outblob = detail::read_all(entry / "outblob");
    if (!outblob) {
      return fail(Errc::kIo, outblob.error().message +
                                 " (the kernel or firmware refused the request; see dmesg)");
    }
    auto auxblob = detail::read_all(entry / "auxblob");
    if (!auxblob) return std::unexpected(auxblob.error());
    auto after = read_generation(entry);
    if (!after) return std::unexpected(after.error());
    if (*after != *before + writes) {
      return fail(Errc::kIo, "another writer used configfs-tsm entry " + entry.string() +
                                 ": generation went from " + std::to_string(*before) + " to " +
                                 std::to_string(*after) + " while this request wrote " +
                                 std::to_string(writes) + " time(s); the outblob may not be ours");
    }
    if (outblob->size() != snp::kReportSize) {
      return fail(Errc::kIo, "configfs-tsm outblob is " + std::to_string(outblob->size()) +
                                 " bytes, expected one 0x4A0-byte report");
    }
    GuestEvidence out;
    out.provider = ProviderKind::kTsm;
    out.report = std::move(*outblob);
    if (!auxblob->empty()) out.cert_table = std::move(*auxblob);
    out.notes.push_back("configfs-tsm entry " + entry.string() +
                        ", provider sev_guest, generation " + std::to_string(*after));
    if (!out.cert_table)
      out.notes.push_back("auxblob empty: the host provided no certificate table");
    return out;
  });
}

Result<std::string> probe_tsm_provider(const TsmOptions& options) {
  return with_entry(options, [](const fs::path& entry) { return read_provider(entry); });
}

}  // namespace veritee::guest
