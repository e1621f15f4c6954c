// The on-disk endorsement cache (DESIGN.md invariant 6). Content-addressed: every stored file is
// objects/<sha256 of its bytes>, and a named entry ("vcek/milan/<hwid>/3-0-8-115",
// "chain/genoa/vcek", "crl/turin/vlek") is a small ref file holding that digest:
//
//   DIR/v1/objects/<sha256>        the bytes as KDS served them
//   DIR/v1/refs/<entry key>        "<sha256>\n"
//   DIR/v1/locks/<sha256 of key>   flock(2) target, one per entry
//
// Only bytes that pass the entry's check (chains to the pinned AMD roots, is what was asked
// for) are stored; writes are temp file + fsync + rename, object before ref. Every read hashes
// the object and re-runs the check: a corrupt or foreign entry is reported, removed and treated
// as absent, so the caller fetches it again. Each entry is looked up and stored under its lock
// (held around the file operations only, with a timeout); a fetch runs under a separate fetch
// lease, so processes sharing a cache fetch an entry once while readers are never held up by a
// slow network. An offline bundle is the same layout opened read-only and without expiry.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "veritee/common/bytes.hpp"
#include "veritee/x509/certificate.hpp"
#include "veritee/common/error.hpp"
#include "veritee/common/file_lock.hpp"

namespace veritee::endorse {

// What a cache entry is and how to tell good bytes for it.
struct CacheEntry {
  std::string key;       // relative path under refs/, e.g. "chain/milan/vcek"
  std::string what;      // for messages, e.g. "Milan VCEK cert_chain"
  // Chains to the pinned roots and is what `key` names (endorsement_check.hpp).
  std::function<Result<void>(ByteView)> check;
  // Why good bytes are no longer current at `now` (CRL past nextUpdate, chain out of its
  // validity), or nothing. Empty: never stale (VCEKs are immutable per hwID and TCB).
  std::function<std::optional<std::string>(ByteView, veritee::TimePoint now)> stale;
};

// A tier other processes share (fleet mode: Redis, endorse/fleet.hpp). Never trusted: whatever
// it returns goes through the entry's check and expiry like fetched bytes, and bad bytes are
// reported, removed from it and fetched again. Unreachable is the same as absent.
class SharedTier {
 public:
  virtual ~SharedTier() = default;
  virtual std::optional<Bytes> get(const std::string& key) = 0;
  virtual void put(const std::string& key, ByteView bytes) = 0;
  virtual void remove(const std::string& key) = 0;
};

struct CacheOptions {
  bool read_only = false;  // never create, replace or remove anything (offline bundles)
  bool expire = true;      // apply CacheEntry::stale (off for bundles: the verifier judges --at)
  std::function<veritee::TimePoint()> clock{};          // for expiry; the system clock when empty
  std::function<void(const std::string&)> notify{};  // "removed corrupt entry ..." and the like
  // How long a lookup or store waits for the entry's lock (held only around file operations).
  std::chrono::milliseconds lock_timeout{10'000};
  // How long a miss waits for another process already fetching the same entry before fetching
  // it itself.
  std::chrono::milliseconds fetch_wait{20'000};
  // Consulted on a local miss before `fetch`; filled with what was fetched.
  std::shared_ptr<SharedTier> shared{};
};

struct CacheLookup {
  std::optional<Bytes> bytes;       // checked bytes, when the entry is present and usable
  std::filesystem::path file;       // the object file it came from
  std::string problem;              // why a present entry was not used (corrupt, stale, ...)
};

struct CacheFill {
  Bytes bytes;
  std::filesystem::path file;
  bool fetched = false;  // true: `fetch` ran and its bytes were checked and stored
};

class EndorsementCache {
 public:
  // $VERITEE_CACHE_DIR, else $XDG_CACHE_HOME/veritee, else $HOME/.cache/veritee.
  static Result<std::filesystem::path> default_dir();

  explicit EndorsementCache(std::filesystem::path dir, CacheOptions options = {});

  const std::filesystem::path& dir() const { return dir_; }
  bool read_only() const { return options_.read_only; }

  CacheLookup find(const CacheEntry& entry);
  // Checks, then stores. Bytes that fail the check are Errc::kEndorsementInvalid, not stored.
  Result<std::filesystem::path> put(const CacheEntry& entry, ByteView bytes);
  // find(); on a miss, `fetch` (under the entry's fetch lease, not its lock) and put().
  Result<CacheFill> find_or_fetch(const CacheEntry& entry,
                                  const std::function<Result<Bytes>()>& fetch);

  // Every entry key present, sorted (for `veritee bundle` listings and tests).
  std::vector<std::string> keys() const;

 private:
  std::filesystem::path root() const { return dir_ / "v1"; }
  std::filesystem::path ref_path(const std::string& key) const;
  std::filesystem::path object_path(const std::string& digest) const;
  Result<FileLock> lock(const CacheEntry& entry, const char* suffix = ".lock");
  CacheLookup find_locked(const CacheEntry& entry);
  Result<std::filesystem::path> put_locked(const CacheEntry& entry, ByteView bytes);
  void discard(const CacheEntry& entry, const std::filesystem::path& object, std::string why,
               CacheLookup& lookup);
  void notify(const std::string& message) const;
  std::optional<Bytes> shared_get(const CacheEntry& entry);  // checked bytes from options_.shared
  veritee::TimePoint now() const;

  std::filesystem::path dir_;
  CacheOptions options_;
};

}  // namespace veritee::endorse
