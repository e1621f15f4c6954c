#include "veritee/endorse/endorsement_fetcher.hpp"

#include "veritee/endorse/cache_entries.hpp"
#include "veritee/endorse/endorsement_check.hpp"

namespace veritee::endorse {

namespace {

template <class T>
Result<Fetched<T>> typed(Result<Fetched<Bytes>> raw, Result<T> value) {
  if (!value) {
    return fail(value.error().code, value.error().message + " (from " + raw->source + ")");
  }
  return Fetched<T>{std::move(*value), std::move(raw->bytes), std::move(raw->source), raw->origin};
}

}  // namespace

std::string_view to_string(Origin origin) {
  switch (origin) {
    case Origin::kCertTable: return "certificate table";
    case Origin::kFile: return "file";
    case Origin::kBundle: return "bundle";
    case Origin::kCache: return "cache";
    case Origin::kFetched: return "fetched";
    case Origin::kPinned: return "pinned";
    case Origin::kAbsent: return "absent";
    case Origin::kNotUsed: return "not used";
  }
  return "";
}

Result<Fetched<Bytes>> EndorsementFetcher::get(const CacheEntry& entry, const std::string& path) {
  if (cache_) {
    const std::string label = cache_->read_only() ? "bundle " : "cache ";
    const Origin stored = cache_->read_only() ? Origin::kBundle : Origin::kCache;
    if (client_) {
      auto fill = cache_->find_or_fetch(entry, [&] { return client_->get(path); });
      if (!fill) return std::unexpected(fill.error());
      std::string source = fill->fetched ? "KDS " + client_->url_for(path)
                                         : label + fill->file.string();
      return Fetched<Bytes>{fill->bytes, std::move(fill->bytes), std::move(source),
                            fill->fetched ? Origin::kFetched : stored};
    }
    CacheLookup found = cache_->find(entry);
    if (!found.bytes) {
      return fail(Errc::kEndorsementMissing,
                  entry.what + ": not in " + label + cache_->dir().string() +
                      (found.problem.empty() ? "" : " (" + found.problem + ")"));
    }
    return Fetched<Bytes>{*found.bytes, std::move(*found.bytes), label + found.file.string(),
                          stored};
  }
  if (client_) {
    auto bytes = client_->get(path);
    if (!bytes) return std::unexpected(bytes.error());
    return Fetched<Bytes>{*bytes, std::move(*bytes), "KDS " + client_->url_for(path), Origin::kFetched};
  }
  return fail(Errc::kEndorsementMissing, entry.what + ": no cache and no KDS to ask");
}

Result<Fetched<x509::Certificate>> EndorsementFetcher::vcek(const VcekRequest& request) {
  auto raw = get(vcek_entry(request, *roots_), vcek_path(request));
  if (!raw) return std::unexpected(raw.error());
  auto checked = check_vcek(raw->bytes, request, *roots_);
  return typed(std::move(raw), std::move(checked));
}

Result<Fetched<std::vector<x509::Certificate>>> EndorsementFetcher::chain(snp::Product product,
                                                                          Line line) {
  auto raw = get(chain_entry(product, line, *roots_), chain_path(product, line));
  if (!raw) return std::unexpected(raw.error());
  auto checked = check_chain(raw->bytes, product, line, *roots_);
  return typed(std::move(raw), std::move(checked));
}

Result<Fetched<x509::Crl>> EndorsementFetcher::crl(snp::Product product, Line line) {
  auto raw = get(crl_entry(product, line, *roots_), crl_path(product, line));
  if (!raw) return std::unexpected(raw.error());
  auto checked = check_crl(raw->bytes, product, *roots_);
  return typed(std::move(raw), std::move(checked));
}

}  // namespace veritee::endorse
