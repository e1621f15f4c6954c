// The verified cache (DESIGN.md invariant 6): only checked bytes are stored, every read re-checks
// them, a corrupt or foreign entry is reported, removed and refetched; CRLs expire by nextUpdate.
#include <gtest/gtest.h>

#include "kds_fixtures.hpp"
#include "support/process.hpp"
#include "veritee/endorse/cache_entries.hpp"
#include "veritee/endorse/endorsement_cache.hpp"
#include "veritee/endorse/endorsement_fetcher.hpp"

namespace veritee::endorse {
namespace {

using namespace std::chrono_literals;

#define REQUIRE(sample)                                                     \
  if (!(sample)) GTEST_SKIP() << "evidence corpus not found: sample needed"

struct Notes {
  std::vector<std::string> lines;
  std::function<void(const std::string&)> sink() {
    return [this](const std::string& m) { lines.push_back(m); };
  }
  bool mention(std::string_view word) const {
    for (const auto& l : lines) {
      if (l.find(word) != std::string::npos) return true;
    }
    return false;
  }
};

KdsOptions fast(const test::MockKds& mock) {
  KdsOptions o;
  o.base_url = mock.url();
  o.min_interval = 0ms;
  o.retry = RetryPolicy{2, 5ms, 10ms, 1000ms};
  return o;
}

TEST(EndorsementCache, StoresOnlyWhatPassesItsCheck) {
  auto s = test::milan_sample();
  REQUIRE(s);
  auto other = test::other_milan_vcek().value();
  test::TempDir dir;
  EndorsementCache cache(dir.path());
  const auto& roots = snp::TrustStore::amd();
  const CacheEntry entry = vcek_entry(s->request(), roots);

  auto garbage = cache.put(entry, as_bytes("not a certificate"));
  ASSERT_FALSE(garbage);
  EXPECT_EQ(garbage.error().code, Errc::kEndorsementInvalid);
  auto foreign = cache.put(entry, other.der());
  ASSERT_FALSE(foreign);
  EXPECT_NE(foreign.error().message.find("another chip"), std::string::npos)
      << foreign.error().message;
  EXPECT_TRUE(test::cache_contents(dir.path()).objects.empty());
  EXPECT_TRUE(test::cache_contents(dir.path()).refs.empty());

  ASSERT_TRUE(cache.put(entry, s->vcek.der()));
  auto found = cache.find(entry);
  ASSERT_TRUE(found.bytes) << found.problem;
  EXPECT_EQ(*found.bytes, s->vcek.der());
  const auto contents = test::cache_contents(dir.path());
  EXPECT_EQ(contents.refs, std::vector<std::string>{entry.key});
  EXPECT_TRUE(contents.misnamed.empty());
}

TEST(EndorsementCache, SecondLookupMakesNoRequest) {
  auto s = test::milan_sample();
  REQUIRE(s);
  test::MockKds mock;
  s->serve(mock);
  test::TempDir dir;
  EndorsementCache cache(dir.path());
  KdsClient client(fast(mock));
  EndorsementFetcher fetcher(snp::TrustStore::amd(), &cache, &client);
  auto first = fetcher.vcek(s->request());
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_TRUE(first->source.starts_with("KDS http://127.0.0.1")) << first->source;
  auto second = fetcher.vcek(s->request());
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_TRUE(second->source.starts_with("cache ")) << second->source;
  EXPECT_EQ(mock.requests(), 1U);
  EXPECT_TRUE(mock.errors().empty()) << mock.errors().front();
}

TEST(EndorsementCache, AFlippedBitIsDetectedRemovedAndRefetched) {
  auto s = test::milan_sample();
  REQUIRE(s);
  test::MockKds mock;
  s->serve(mock);
  test::TempDir dir;
  Notes notes;
  EndorsementCache cache(dir.path(), {.notify = notes.sink()});
  KdsClient client(fast(mock));
  EndorsementFetcher fetcher(snp::TrustStore::amd(), &cache, &client);
  auto first = fetcher.vcek(s->request());
  ASSERT_TRUE(first);
  const auto object = dir.path() / "v1" / "objects" / test::sha256_hex(s->vcek.der());
  ASSERT_TRUE(std::filesystem::exists(object));
  Bytes bytes = test::slurp(object);
  bytes[bytes.size() / 2] ^= 0x01;
  ASSERT_TRUE(write_file_atomic(object, bytes));

  auto again = fetcher.vcek(s->request());
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_TRUE(again->source.starts_with("KDS")) << "refetched, not trusted: " << again->source;
  EXPECT_TRUE(notes.mention("corrupt")) << "the corruption is reported";
  EXPECT_EQ(mock.requests("/vcek/v1/Milan/"), 2U);
  const auto contents = test::cache_contents(dir.path());
  EXPECT_TRUE(contents.misnamed.empty());
  ASSERT_EQ(contents.objects.size(), 1U);
  EXPECT_EQ(contents.objects[0], s->vcek.der());
}

TEST(EndorsementCache, AForeignEntryIsRemovedAndRefetched) {
  auto s = test::milan_sample();
  REQUIRE(s);
  auto other = test::other_milan_vcek().value();
  test::MockKds mock;
  s->serve(mock);
  test::TempDir dir;
  Notes notes;
  EndorsementCache cache(dir.path(), {.notify = notes.sink()});
  const CacheEntry entry = vcek_entry(s->request(), snp::TrustStore::amd());
  // Planted by hand: a genuine AMD VCEK, correctly named by its hash, for another chip.
  const Bytes der = other.der();
  const auto objects = dir.path() / "v1" / "objects";
  std::filesystem::create_directories(objects);
  ASSERT_TRUE(write_file_atomic(objects / test::sha256_hex(der), der));
  const auto ref = dir.path() / "v1" / "refs" / entry.key;
  std::filesystem::create_directories(ref.parent_path());
  ASSERT_TRUE(write_file_atomic(ref, as_bytes(test::sha256_hex(der) + "\n")));

  auto found = cache.find(entry);
  EXPECT_FALSE(found.bytes);
  EXPECT_NE(found.problem.find("another chip"), std::string::npos) << found.problem;
  EXPECT_TRUE(test::cache_contents(dir.path()).objects.empty()) << "removed";

  KdsClient client(fast(mock));
  auto fetched = EndorsementFetcher(snp::TrustStore::amd(), &cache, &client).vcek(s->request());
  ASSERT_TRUE(fetched) << fetched.error().message;
  EXPECT_EQ(fetched->bytes, s->vcek.der());
}

TEST(EndorsementCache, MalformedRefIsRemoved) {
  auto s = test::milan_sample();
  REQUIRE(s);
  test::TempDir dir;
  EndorsementCache cache(dir.path());
  const CacheEntry entry = vcek_entry(s->request(), snp::TrustStore::amd());
  const auto ref = dir.path() / "v1" / "refs" / entry.key;
  std::filesystem::create_directories(ref.parent_path());
  ASSERT_TRUE(write_file_atomic(ref, as_bytes("zz")));
  auto found = cache.find(entry);
  EXPECT_FALSE(found.bytes);
  EXPECT_FALSE(found.problem.empty());
  EXPECT_FALSE(std::filesystem::exists(ref));
}

TEST(EndorsementCache, ABundleIsReadOnly) {
  auto s = test::milan_sample();
  REQUIRE(s);
  test::TempDir dir;
  const CacheEntry entry = vcek_entry(s->request(), snp::TrustStore::amd());
  ASSERT_TRUE(EndorsementCache(dir.path()).put(entry, s->vcek.der()));
  const auto object = dir.path() / "v1" / "objects" / test::sha256_hex(s->vcek.der());
  Bytes bytes = test::slurp(object);
  bytes[10] ^= 0x80;
  ASSERT_TRUE(write_file_atomic(object, bytes));
  EndorsementCache bundle(dir.path(), {.read_only = true, .expire = false});
  auto found = bundle.find(entry);
  EXPECT_FALSE(found.bytes);
  EXPECT_NE(found.problem.find("ignored"), std::string::npos) << found.problem;
  EXPECT_TRUE(std::filesystem::exists(object)) << "a bundle is never modified";
  EXPECT_FALSE(bundle.put(entry, s->vcek.der()));
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "v1" / "locks" / "x"));
}

TEST(EndorsementCache, CrlIsKeptUntilNextUpdate) {
  auto s = test::pki_sample();
  REQUIRE(s);
  const auto t0 = test::utc(2030, 1, 1);
  veritee::TimePoint now = t0;
  test::MockKds mock;
  mock.add(crl_path(snp::Product::kMilan, Line::kVcek), test::pki_crl(*s, t0, t0 + 24h));
  test::TempDir dir;
  Notes notes;
  EndorsementCache cache(dir.path(), {.clock = [&] { return now; }, .notify = notes.sink()});
  KdsClient client(fast(mock));
  EndorsementFetcher fetcher(s->pki.store, &cache, &client);

  ASSERT_TRUE(fetcher.crl(snp::Product::kMilan, Line::kVcek));
  now = t0 + 23h;
  auto cached = fetcher.crl(snp::Product::kMilan, Line::kVcek);
  ASSERT_TRUE(cached);
  EXPECT_TRUE(cached->source.starts_with("cache")) << cached->source;
  EXPECT_EQ(mock.requests(), 1U);

  now = t0 + 25h;  // past nextUpdate: fetched again, and the new CRL replaces the old
  mock.add(crl_path(snp::Product::kMilan, Line::kVcek),
           test::pki_crl(*s, t0 + 24h, t0 + 48h));
  auto fresh = fetcher.crl(snp::Product::kMilan, Line::kVcek);
  ASSERT_TRUE(fresh) << fresh.error().message;
  EXPECT_TRUE(fresh->source.starts_with("KDS")) << fresh->source;
  EXPECT_EQ(mock.requests(), 2U);
  EXPECT_EQ(test::cache_contents(dir.path()).objects.size(), 1U) << "the stale CRL is gone";
}

TEST(EndorsementCache, AForgedCrlIsNotStored) {
  auto s = test::pki_sample();
  REQUIRE(s);
  const auto t0 = test::utc(2030, 1, 1);
  // Signed by the ASK key, not the ARK: the pinned ARK does not verify it.
  Bytes forged = test::make_crl_der(s->pki.ark.subject_cn(), s->pki.ask_key.get(), t0,
                                    t0 + 24h, {});
  test::MockKds mock;
  mock.add(crl_path(snp::Product::kMilan, Line::kVcek), forged);
  test::TempDir dir;
  EndorsementCache cache(dir.path());
  KdsClient client(fast(mock));
  auto got = EndorsementFetcher(s->pki.store, &cache, &client).crl(snp::Product::kMilan,
                                                                   Line::kVcek);
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().code, Errc::kEndorsementInvalid);
  EXPECT_NE(got.error().message.find("not signed by the pinned ARK-Milan"), std::string::npos)
      << got.error().message;
  EXPECT_TRUE(test::cache_contents(dir.path()).objects.empty());
}

TEST(EndorsementCache, ChainIsCheckedAgainstThePinnedArk) {
  auto s = test::milan_sample();
  REQUIRE(s);
  auto turin = test::turin_sample();
  REQUIRE(turin);
  test::TempDir dir;
  EndorsementCache cache(dir.path());
  const auto& roots = snp::TrustStore::amd();
  ASSERT_TRUE(cache.put(chain_entry(snp::Product::kMilan, Line::kVcek, roots), s->chain_pem));
  // Turin's chain is not Milan's.
  auto wrong = cache.put(chain_entry(snp::Product::kMilan, Line::kVcek, roots), turin->chain_pem);
  ASSERT_FALSE(wrong);
  EXPECT_NE(wrong.error().message.find("pinned ARK-Milan"), std::string::npos)
      << wrong.error().message;
  // The VCEK line's chain is not the VLEK line's.
  EXPECT_FALSE(cache.put(chain_entry(snp::Product::kMilan, Line::kVlek, roots), s->chain_pem));
}

TEST(EndorsementCache, AnUnusableDirectoryDoesNotStopAFetch) {
  auto s = test::milan_sample();
  REQUIRE(s);
  test::MockKds mock;
  s->serve(mock);
  test::TempDir dir;
  const auto blocked = dir.path() / "file";  // a file where the cache directory should be
  ASSERT_TRUE(write_file_atomic(blocked, as_bytes("x")));
  Notes notes;
  EndorsementCache cache(blocked / "cache", {.notify = notes.sink()});
  KdsClient client(fast(mock));
  auto got = EndorsementFetcher(snp::TrustStore::amd(), &cache, &client).vcek(s->request());
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_TRUE(notes.mention("without the cache"));
}

TEST(EndorsementCache, DefaultDirFollowsTheEnvironment) {
  setenv("VERITEE_CACHE_DIR", "/tmp/explicit", 1);
  EXPECT_EQ(EndorsementCache::default_dir().value(), "/tmp/explicit");
  unsetenv("VERITEE_CACHE_DIR");
  setenv("XDG_CACHE_HOME", "/tmp/xdg", 1);
  EXPECT_EQ(EndorsementCache::default_dir().value(), "/tmp/xdg/veritee");
  setenv("XDG_CACHE_HOME", "relative", 1);  // ignored, per the XDG spec
  setenv("HOME", "/home/someone", 1);
  EXPECT_EQ(EndorsementCache::default_dir().value(), "/home/someone/.cache/veritee");
}

}  // namespace
}  // namespace veritee::endorse
