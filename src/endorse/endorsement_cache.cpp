// The content-addressed, verified endorsement cache (DESIGN.md invariant 6).
#include "veritee/endorse/endorsement_cache.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <cstdlib>
#include <system_error>

namespace veritee::endorse {

namespace fs = std::filesystem;

namespace {

std::string sha256_hex(ByteView bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest, &size, EVP_sha256(), nullptr);
  return to_hex(ByteView(digest, size));
}

bool is_digest(std::string_view text) {
  return text.size() == 64 && std::all_of(text.begin(), text.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

std::string trim(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ' || text.back() == '\r')) {
    text.pop_back();
  }
  return text;
}

Result<void> make_dirs(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return fail(Errc::kIo, "cannot create " + dir.string() + ": " + ec.message());
  return {};
}

}  // namespace

Result<fs::path> EndorsementCache::default_dir() {
  auto env = [](const char* name) -> std::string {
    const char* value = std::getenv(name);
    return value ? value : "";
  };
  if (auto dir = env("VERITEE_CACHE_DIR"); !dir.empty()) return fs::path(dir);
  // XDG Base Directory Specification: a relative $XDG_CACHE_HOME is invalid and ignored.
  if (auto xdg = env("XDG_CACHE_HOME"); !xdg.empty() && fs::path(xdg).is_absolute()) {
    return fs::path(xdg) / "veritee";
  }
  if (auto home = env("HOME"); !home.empty()) return fs::path(home) / ".cache" / "veritee";
  return fail(Errc::kIo, "no cache directory: set VERITEE_CACHE_DIR, XDG_CACHE_HOME or HOME, "
                         "or pass --cache-dir");
}

EndorsementCache::EndorsementCache(fs::path dir, CacheOptions options)
    : dir_(std::move(dir)), options_(std::move(options)) {}

fs::path EndorsementCache::ref_path(const std::string& key) const {
  return root() / "refs" / key;
}

fs::path EndorsementCache::object_path(const std::string& digest) const {
  return root() / "objects" / digest;
}

void EndorsementCache::notify(const std::string& message) const {
  if (options_.notify) options_.notify(message);
}

veritee::TimePoint EndorsementCache::now() const {
  return options_.clock ? options_.clock() : std::chrono::system_clock::now();
}

Result<FileLock> EndorsementCache::lock(const CacheEntry& entry, const char* suffix) {
  const fs::path locks = root() / "locks";
  if (auto ok = make_dirs(locks); !ok) return std::unexpected(ok.error());
  const fs::path file = locks / (sha256_hex(as_bytes(entry.key)).substr(0, 32) + suffix);
  const bool lease = std::string_view(suffix) == ".fetch";
  return FileLock::acquire(
      file,
      [&] {
        notify("waiting for another veritee process using " + dir_.string() + " (" + entry.what +
               ")");
      },
      lease ? options_.fetch_wait : options_.lock_timeout);
}

void EndorsementCache::discard(const CacheEntry& entry, const fs::path& object, std::string why,
                               CacheLookup& lookup) {
  const std::string where = (options_.read_only ? "bundle" : "cache") + std::string(" entry ") +
                            entry.key + " (" + entry.what + ")";
  if (options_.read_only) {
    lookup.problem = where + " " + why + "; ignored";
  } else {
    std::error_code ec;
    fs::remove(ref_path(entry.key), ec);
    if (!object.empty()) fs::remove(object, ec);
    lookup.problem = where + " " + why + "; removed, it will be fetched again";
  }
  notify(lookup.problem);
}

CacheLookup EndorsementCache::find_locked(const CacheEntry& entry) {
  CacheLookup lookup;
  const fs::path ref = ref_path(entry.key);
  std::error_code ec;
  if (!fs::exists(ref, ec)) return lookup;
  auto ref_bytes = read_file(ref);
  if (!ref_bytes) {
    discard(entry, {}, "is unreadable: " + ref_bytes.error().message, lookup);
    return lookup;
  }
  const std::string digest = trim(std::string(ref_bytes->begin(), ref_bytes->end()));
  if (!is_digest(digest)) {
    discard(entry, {}, "has a malformed ref " + ref.string(), lookup);
    return lookup;
  }
  const fs::path object = object_path(digest);
  auto bytes = read_file(object);
  if (!bytes) {
    discard(entry, {}, "lost its object " + object.string(), lookup);
    return lookup;
  }
  if (const std::string actual = sha256_hex(*bytes); actual != digest) {
    discard(entry, object,
            "is corrupt: " + object.string() + " has sha256 " + actual + ", expected " + digest,
            lookup);
    return lookup;
  }
  if (auto ok = entry.check(*bytes); !ok) {
    discard(entry, object, "fails its check: " + ok.error().message, lookup);
    return lookup;
  }
  if (options_.expire && entry.stale) {
    if (auto why = entry.stale(*bytes, now())) {
      lookup.problem = "cache entry " + entry.key + " (" + entry.what + ") is stale: " + *why;
      return lookup;
    }
  }
  lookup.bytes = std::move(*bytes);
  lookup.file = object;
  return lookup;
}

Result<fs::path> EndorsementCache::put_locked(const CacheEntry& entry, ByteView bytes) {
  if (options_.read_only) return fail(Errc::kIo, dir_.string() + " is read-only here");
  if (auto ok = entry.check(bytes); !ok) {
    return fail(Errc::kEndorsementInvalid, ok.error().message + "; not stored");
  }
  const std::string digest = sha256_hex(bytes);
  const fs::path object = object_path(digest);
  const fs::path ref = ref_path(entry.key);
  if (auto ok = make_dirs(object.parent_path()); !ok) return std::unexpected(ok.error());
  if (auto ok = make_dirs(ref.parent_path()); !ok) return std::unexpected(ok.error());
  // The object first, then the ref naming it: a crash in between leaves an unused object,
  // never a ref to missing or partial bytes.
  if (auto ok = write_file_atomic(object, bytes); !ok) return std::unexpected(ok.error());
  std::string previous;
  if (auto old = read_file(ref)) previous = trim(std::string(old->begin(), old->end()));
  const std::string text = digest + "\n";
  if (auto ok = write_file_atomic(ref, as_bytes(text)); !ok) return std::unexpected(ok.error());
  if (is_digest(previous) && previous != digest) {
    std::error_code ec;
    fs::remove(object_path(previous), ec);
  }
  return object;
}

CacheLookup EndorsementCache::find(const CacheEntry& entry) {
  if (options_.read_only) return find_locked(entry);
  auto held = lock(entry);
  if (!held) return CacheLookup{{}, {}, held.error().message};
  return find_locked(entry);
}

Result<fs::path> EndorsementCache::put(const CacheEntry& entry, ByteView bytes) {
  if (options_.read_only) return put_locked(entry, bytes);
  auto held = lock(entry);
  if (!held) return std::unexpected(held.error());
  return put_locked(entry, bytes);
}

Result<CacheFill> EndorsementCache::find_or_fetch(const CacheEntry& entry,
                                                  const std::function<Result<Bytes>()>& fetch) {
  // The lock is held around the file operations only, never across the fetch: a KDS that does
  // not answer must not stall other requests or other processes sharing this cache. Two
  // processes missing the same entry at once both fetch it; the second store replaces the first
  // with the same checked bytes.
  bool usable = true;
  {
    std::optional<FileLock> held;
    if (!options_.read_only) {
      auto acquired = lock(entry);
      if (!acquired) {
        // An unusable cache directory must not stop verification: fetch, check, do not store.
        notify(acquired.error().message + "; fetching " + entry.what + " without the cache");
        usable = false;
      } else {
        held.emplace(std::move(*acquired));
      }
    }
    if (usable) {
      CacheLookup found = find_locked(entry);
      if (found.bytes) return CacheFill{std::move(*found.bytes), std::move(found.file), false};
    }
  }
  // The fetch lease: one process fetches, others wanting the same entry wait (at most
  // fetch_wait) and then read what it stored. Readers (find) never take the lease.
  std::optional<FileLock> lease;
  if (usable && !options_.read_only) {
    if (auto acquired = lock(entry, ".fetch")) {
      lease.emplace(std::move(*acquired));
      auto held = lock(entry);
      if (held) {
        CacheLookup found = find_locked(entry);
        if (found.bytes) return CacheFill{std::move(*found.bytes), std::move(found.file), false};
      }
    } else {
      notify(acquired.error().message + "; fetching " + entry.what + " anyway");
    }
  }
  std::optional<Bytes> from_tier = shared_get(entry);
  auto fetched = from_tier ? Result<Bytes>(std::move(*from_tier)) : fetch();
  if (!fetched) return std::unexpected(fetched.error());
  const bool ran = !from_tier;
  if (ran && options_.shared) {
    if (entry.check(*fetched)) options_.shared->put(entry.key, *fetched);
  }
  if (options_.read_only || !usable) {
    if (auto ok = entry.check(*fetched); !ok) return std::unexpected(ok.error());
    return CacheFill{std::move(*fetched), {}, ran};
  }
  auto stored = put(entry, *fetched);
  if (!stored) {
    if (stored.error().code == Errc::kEndorsementInvalid) return std::unexpected(stored.error());
    // Good bytes, but the disk said no: use them and say the cache did not keep them.
    notify("could not store " + entry.what + " in " + dir_.string() + ": " +
           stored.error().message);
    if (auto ok = entry.check(*fetched); !ok) return std::unexpected(ok.error());
    return CacheFill{std::move(*fetched), {}, ran};
  }
  return CacheFill{std::move(*fetched), std::move(*stored), ran};
}

std::optional<Bytes> EndorsementCache::shared_get(const CacheEntry& entry) {
  if (!options_.shared) return std::nullopt;
  auto bytes = options_.shared->get(entry.key);
  if (!bytes) return std::nullopt;
  std::string problem;
  if (auto ok = entry.check(*bytes); !ok) {
    problem = ok.error().message;
  } else if (options_.expire && entry.stale) {
    if (auto why = entry.stale(*bytes, now())) problem = "stale: " + *why;
  }
  if (problem.empty()) return bytes;
  notify("refused " + entry.what + " from the shared tier (" + entry.key + "): " + problem +
         "; removed it, fetching it again");
  options_.shared->remove(entry.key);
  return std::nullopt;
}

std::vector<std::string> EndorsementCache::keys() const {
  std::vector<std::string> out;
  std::error_code ec;
  const fs::path refs = root() / "refs";
  for (fs::recursive_directory_iterator it(refs, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->is_regular_file(ec)) out.push_back(fs::relative(it->path(), refs, ec).generic_string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace veritee::endorse
