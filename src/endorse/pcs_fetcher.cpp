// DCAP collateral from Intel PCS through the verified cache (pcs.hpp). Every piece is checked
// against the pinned Intel SGX Root CA before it is stored or returned.
#include "veritee/endorse/pcs.hpp"

#include "veritee/endorse/collateral_keeper.hpp"

#include <algorithm>
#include <array>

#include <nlohmann/json.hpp>

namespace veritee::endorse {
namespace {

using nlohmann::json;

std::string upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

std::string tee_segment(tdx::Tee tee) { return tee == tdx::Tee::kTdx ? "tdx" : "sgx"; }

// A stored piece: a JSON object with exactly the members `names`, each a string.
Result<json> fragment(ByteView bytes, std::initializer_list<const char*> names) {
  json j = json::parse(bytes.begin(), bytes.end(), nullptr, false);
  if (j.is_discarded() || !j.is_object() || j.size() != names.size()) {
    return fail(Errc::kEndorsementInvalid, "not a stored collateral piece (JSON object)");
  }
  for (const char* n : names) {
    auto it = j.find(n);
    if (it == j.end() || !it->is_string()) {
      return fail(Errc::kEndorsementInvalid, std::string("stored collateral piece lacks '") + n + "'");
    }
  }
  return j;
}

std::string str(const json& j, const char* name) { return j.at(name).get<std::string>(); }

Result<Bytes> hex_member(const json& j, const char* name) {
  auto b = from_hex(str(j, name));
  if (!b) return fail(Errc::kEndorsementInvalid, std::string("'") + name + "' is not hex");
  return b;
}

template <class T>
Result<void> as_void(const Result<T>& r) {
  if (!r) return std::unexpected(r.error());
  return {};
}

Bytes dump(const json& j) {
  const std::string text = j.dump();
  return Bytes(text.begin(), text.end());
}

std::optional<std::string> past(veritee::TimePoint next, veritee::TimePoint now) {
  if (now > next) return "its nextUpdate " + veritee::format_time(next) + " has passed";
  return std::nullopt;
}

Result<PcsValidity> crl_validity(const Result<Bytes>& der) {
  if (!der) return std::unexpected(der.error());
  auto crl = x509::Crl::load(*der);
  if (!crl) return std::unexpected(crl.error());
  return PcsValidity{crl->this_update(), crl->next_update()};
}

// Why a stored piece is stale at `now`, or nothing.
std::optional<std::string> stale_piece(PcsPiece piece, ByteView bytes, veritee::TimePoint now) {
  auto v = pcs_validity(piece, bytes);
  if (!v) return v.error().message;
  if (!v->next_update) return std::string("it has no nextUpdate");
  return past(*v->next_update, now);
}

// The URL-decoded PEM of an issuer-chain header.
Result<std::string> chain_header(const HttpResponse& response,
                                 std::initializer_list<std::string_view> names) {
  for (std::string_view name : names) {
    auto it = response.headers.find(std::string(name));
    if (it == response.headers.end()) continue;
    auto pem = url_decode(it->second);
    if (!pem) {
      return fail_within(pem, "cannot URL-decode the " + std::string(name) + " header",
                         Errc::kEndorsementInvalid);
    }
    return pem;
  }
  return fail(Errc::kEndorsementInvalid,
              "the response has no " + std::string(*names.begin()) + " header (the issuer chain)");
}

std::string_view text_of(const Bytes& body) {
  return {reinterpret_cast<const char*>(body.data()), body.size()};
}

// A signed document as PCS serves it, stored as {"<name>_issuer_chain", "<name>" (the signed
// text as served), "<name>_signature" (hex)}.
Result<Bytes> signed_document(const HttpResponse& r, std::initializer_list<std::string_view> chain_headers,
                              const char* member, const std::string& name) {
  auto chain = chain_header(r, chain_headers);
  if (!chain) return std::unexpected(chain.error());
  auto doc = tdx::split_signed_response(text_of(r.body), member);
  if (!doc) return std::unexpected(doc.error());
  return dump({{name + "_issuer_chain", *chain}, {name, doc->text}, {name + "_signature", to_hex(doc->signature)}});
}

// issueDate / nextUpdate of a stored signed document ("tcb_info" or "qe_identity").
template <class Parse>
Result<PcsValidity> document_validity(ByteView stored, const std::string& name, Parse parse) {
  const std::string chain = name + "_issuer_chain";
  const std::string signature = name + "_signature";
  auto j = fragment(stored, {chain.c_str(), name.c_str(), signature.c_str()});
  if (!j) return std::unexpected(j.error());
  auto doc = parse(str(*j, name.c_str()));
  if (!doc) return std::unexpected(doc.error());
  return PcsValidity{doc->issue_date, doc->next_update};
}

}  // namespace

std::string pcs_tcb_path(const tdx::CollateralRequest& request) {
  return "/" + tee_segment(request.tee) + "/certification/v4/tcb?fmspc=" + upper(request.fmspc_hex());
}

std::string pcs_qe_identity_path(tdx::Tee tee) {
  return "/" + tee_segment(tee) + "/certification/v4/qe/identity";
}

std::string pcs_pck_crl_path(tdx::PckCa ca) {
  return "/sgx/certification/v4/pckcrl?ca=" + std::string(tdx::to_string(ca)) + "&encoding=der";
}

std::string pcs_root_ca_crl_url(std::string_view base_url) {
  std::string base(base_url);
  while (base.ends_with('/')) base.pop_back();
  if (base == kDefaultPcsUrl) return std::string(kIntelRootCaCrlUrl);
  return base + std::string(kPcsRootCaCrlPath);
}

CacheEntry tcb_info_entry(const tdx::CollateralRequest& request, const x509::Certificate& root,
                          std::optional<veritee::TimePoint> at) {
  CacheEntry e;
  e.key = "dcap/tcb/" + tee_segment(request.tee) + "/" + request.fmspc_hex();
  e.what = "TCB Info for " + std::string(tdx::to_string(request.tee)) + " FMSPC " + request.fmspc_hex();
  e.check = [request, root = &root](ByteView bytes) -> Result<void> {
    auto j = fragment(bytes, {"tcb_info_issuer_chain", "tcb_info", "tcb_info_signature"});
    if (!j) return std::unexpected(j.error());
    auto sig = hex_member(*j, "tcb_info_signature");
    if (!sig) return std::unexpected(sig.error());
    return as_void(tdx::check_tcb_info(str(*j, "tcb_info_issuer_chain"), str(*j, "tcb_info"), *sig,
                                       request, *root));
  };
  e.stale = [at](ByteView bytes, veritee::TimePoint now) {
    return stale_piece(PcsPiece::kTcbInfo, bytes, at.value_or(now));
  };
  return e;
}

CacheEntry qe_identity_entry(tdx::Tee tee, const x509::Certificate& root,
                             std::optional<veritee::TimePoint> at) {
  CacheEntry e;
  e.key = "dcap/qe/" + tee_segment(tee);
  e.what = std::string(tdx::to_string(tee)) + " QE Identity";
  e.check = [tee, root = &root](ByteView bytes) -> Result<void> {
    auto j = fragment(bytes, {"qe_identity_issuer_chain", "qe_identity", "qe_identity_signature"});
    if (!j) return std::unexpected(j.error());
    auto sig = hex_member(*j, "qe_identity_signature");
    if (!sig) return std::unexpected(sig.error());
    return as_void(tdx::check_qe_identity(str(*j, "qe_identity_issuer_chain"), str(*j, "qe_identity"),
                                          *sig, tee, *root));
  };
  e.stale = [at](ByteView bytes, veritee::TimePoint now) {
    return stale_piece(PcsPiece::kQeIdentity, bytes, at.value_or(now));
  };
  return e;
}

CacheEntry pck_crl_entry(tdx::PckCa ca, const x509::Certificate& root,
                         std::optional<veritee::TimePoint> at) {
  CacheEntry e;
  e.key = "dcap/pckcrl/" + std::string(tdx::to_string(ca));
  e.what = "PCK " + std::string(tdx::to_string(ca)) + " CA CRL";
  e.check = [ca, root = &root](ByteView bytes) -> Result<void> {
    auto j = fragment(bytes, {"pck_crl_issuer_chain", "pck_crl"});
    if (!j) return std::unexpected(j.error());
    auto der = hex_member(*j, "pck_crl");
    if (!der) return std::unexpected(der.error());
    return as_void(tdx::check_pck_crl(str(*j, "pck_crl_issuer_chain"), *der, ca, *root));
  };
  e.stale = [at](ByteView bytes, veritee::TimePoint now) {
    return stale_piece(PcsPiece::kPckCrl, bytes, at.value_or(now));
  };
  return e;
}

CacheEntry root_ca_crl_entry(const x509::Certificate& root, std::optional<veritee::TimePoint> at) {
  CacheEntry e;
  e.key = "dcap/rootcacrl";
  e.what = "Intel SGX Root CA CRL";
  e.check = [root = &root](ByteView bytes) -> Result<void> {
    auto j = fragment(bytes, {"root_ca_crl"});
    if (!j) return std::unexpected(j.error());
    auto der = hex_member(*j, "root_ca_crl");
    if (!der) return std::unexpected(der.error());
    return as_void(tdx::check_root_ca_crl(*der, *root));
  };
  e.stale = [at](ByteView bytes, veritee::TimePoint now) {
    return stale_piece(PcsPiece::kRootCaCrl, bytes, at.value_or(now));
  };
  return e;
}

std::string_view to_string(PcsPiece piece) {
  switch (piece) {
    case PcsPiece::kTcbInfo: return "TCB Info";
    case PcsPiece::kQeIdentity: return "QE Identity";
    case PcsPiece::kPckCrl: return "PCK CRL";
    case PcsPiece::kRootCaCrl: return "root CA CRL";
  }
  return "?";
}

Result<PcsValidity> pcs_validity(PcsPiece piece, ByteView stored) {
  switch (piece) {
    case PcsPiece::kTcbInfo: return document_validity(stored, "tcb_info", tdx::parse_tcb_info);
    case PcsPiece::kQeIdentity: return document_validity(stored, "qe_identity", tdx::parse_enclave_identity);
    case PcsPiece::kPckCrl: {
      auto j = fragment(stored, {"pck_crl_issuer_chain", "pck_crl"});
      if (!j) return std::unexpected(j.error());
      return crl_validity(hex_member(*j, "pck_crl"));
    }
    case PcsPiece::kRootCaCrl: {
      auto j = fragment(stored, {"root_ca_crl"});
      if (!j) return std::unexpected(j.error());
      return crl_validity(hex_member(*j, "root_ca_crl"));
    }
  }
  return fail(Errc::kInvalidInput, "unknown collateral piece");
}

PcsSource pcs_source(PcsPiece piece, const tdx::CollateralRequest& request, const x509::Certificate& root,
                     std::string_view base_url, std::string_view root_ca_crl_url,
                     std::optional<veritee::TimePoint> at) {
  const std::string base(base_url);
  switch (piece) {
    case PcsPiece::kTcbInfo:
      return {piece, tcb_info_entry(request, root, at), base + pcs_tcb_path(request),
              [](const HttpResponse& r) {
                return signed_document(r, {kTcbInfoIssuerChainHeader, kSgxTcbInfoIssuerChainHeader}, "tcbInfo",
                                       "tcb_info");
              }};
    case PcsPiece::kQeIdentity:
      return {piece, qe_identity_entry(request.tee, root, at), base + pcs_qe_identity_path(request.tee),
              [](const HttpResponse& r) {
                return signed_document(r, {kQeIdentityIssuerChainHeader}, "enclaveIdentity", "qe_identity");
              }};
    case PcsPiece::kPckCrl:
      return {piece, pck_crl_entry(request.ca, root, at), base + pcs_pck_crl_path(request.ca),
              [](const HttpResponse& r) -> Result<Bytes> {
                auto chain = chain_header(r, {kPckCrlIssuerChainHeader});
                if (!chain) return std::unexpected(chain.error());
                auto der = tdx::crl_der(r.body);
                if (!der) return std::unexpected(der.error());
                return dump({{"pck_crl_issuer_chain", *chain}, {"pck_crl", to_hex(*der)}});
              }};
    case PcsPiece::kRootCaCrl:
      break;
  }
  return {PcsPiece::kRootCaCrl, root_ca_crl_entry(root, at), std::string(root_ca_crl_url),
          [](const HttpResponse& r) -> Result<Bytes> {
            auto der = tdx::crl_der(r.body);
            if (!der) return std::unexpected(der.error());
            return dump({{"root_ca_crl", to_hex(*der)}});
          }};
}

std::vector<PcsSource> PcsFetcher::pieces(const tdx::CollateralRequest& request) const {
  const std::string base = client_ ? client_->base_url() : std::string();
  std::vector<PcsSource> out;
  for (PcsPiece p : {PcsPiece::kTcbInfo, PcsPiece::kQeIdentity, PcsPiece::kPckCrl, PcsPiece::kRootCaCrl}) {
    out.push_back(pcs_source(p, request, *root_, base, root_ca_crl_url_, at_));
  }
  return out;
}

// One piece: the bundle, then the pieces a keeper holds (a service), else the cache (filled from
// PCS on a miss), then PCS without a cache. Returns the checked bytes and where they came from.
Result<PcsFetcher::Got> PcsFetcher::get(const PcsSource& piece, const tdx::CollateralRequest& request) {
  std::string notes;
  if (bundle_) {
    CacheLookup found = bundle_->find(piece.entry);
    if (found.bytes) return Got{std::move(*found.bytes), "bundle " + found.file.string(), Origin::kBundle};
    if (!found.problem.empty()) notes = " (bundle: " + found.problem + ")";
  }
  if (keeper_) {
    auto held = keeper_->lookup(piece.piece, request, at_);
    if (!held) return std::unexpected(held.error());
    return Got{std::move(held->bytes), "held in memory, from " + held->source, held->origin, held->serial};
  }
  auto from_pcs = [&]() -> Result<Bytes> {
    auto response = client_->get_url(piece.url);
    if (!response) return std::unexpected(response.error());
    auto bytes = piece.from_response(*response);
    if (!bytes) {
      return fail(bytes.error().code, piece.entry.what + " from GET " + piece.url + ": " +
                                          bytes.error().message + "; not stored");
    }
    return bytes;
  };
  if (cache_ && client_) {
    auto fill = cache_->find_or_fetch(piece.entry, from_pcs);
    if (!fill) return std::unexpected(fill.error());
    std::string source = fill->fetched ? client_->base_url() == kDefaultPcsUrl
                                             ? "Intel PCS " + piece.url
                                             : "PCS " + piece.url
                                       : "cache " + fill->file.string();
    return Got{std::move(fill->bytes), std::move(source), fill->fetched ? Origin::kFetched : Origin::kCache};
  }
  if (cache_) {
    CacheLookup found = cache_->find(piece.entry);
    if (found.bytes) return Got{std::move(*found.bytes), "cache " + found.file.string(), Origin::kCache};
    return fail(Errc::kEndorsementMissing,
                piece.entry.what + ": not in the cache " + cache_->dir().string() +
                    (found.problem.empty() ? "" : " (" + found.problem + ")") + notes +
                    ", and the network is not used (offline)");
  }
  if (client_) {
    auto bytes = from_pcs();
    if (!bytes) return std::unexpected(bytes.error());
    if (auto ok = piece.entry.check(*bytes); !ok) return std::unexpected(ok.error());
    return Got{std::move(*bytes), "PCS " + piece.url, Origin::kFetched};
  }
  return fail(Errc::kEndorsementMissing, piece.entry.what + ": no bundle entry" + notes +
                                             ", no cache and no PCS to ask");
}

Result<FetchedCollateral> PcsFetcher::collateral(const tdx::CollateralRequest& request) {
  const std::vector<PcsSource> sources = pieces(request);
  std::vector<Got> got;
  std::optional<Error> missing;  // with a keeper: every piece is asked for, so all are fetched at once
  for (const PcsSource& piece : sources) {
    auto one = get(piece, request);
    if (!one && keeper_) {
      if (!missing || (missing->code == Errc::kNetwork && one.error().code != Errc::kNetwork)) missing = one.error();
      continue;
    }
    if (!one) return std::unexpected(one.error());
    got.push_back(std::move(*one));
  }
  if (missing) return std::unexpected(std::move(*missing));
  // Four pieces the keeper holds: assembled once (CollateralKeeper::assembled).
  std::array<std::uint64_t, 4> serials{};
  const bool held = keeper_ && got.size() == serials.size() &&
                    std::all_of(got.begin(), got.end(), [](const Got& g) { return g.serial != 0; });
  if (held) {
    for (std::size_t i = 0; i < serials.size(); ++i) serials[i] = got[i].serial;
    if (auto known = keeper_->assembled(serials)) return std::move(*known);
  }
  json merged = json::object();
  FetchedCollateral out;
  for (std::size_t i = 0; i < got.size(); ++i) {
    json part = json::parse(got[i].bytes.begin(), got[i].bytes.end(), nullptr, false);
    if (!part.is_object()) {
      return fail(Errc::kEndorsementInvalid, sources[i].entry.what + ": not a JSON object");
    }
    merged.update(part);
    out.provenance.push_back({std::string(to_string(sources[i].piece)), got[i].origin, std::move(got[i].source)});
  }
  out.json = merged.dump(2);
  auto parsed = tdx::parse_collateral(out.json);
  if (!parsed) return std::unexpected(parsed.error());
  out.collateral = std::move(*parsed);
  if (held) keeper_->remember(serials, out);
  return out;
}

Result<std::vector<std::string>> PcsFetcher::add_to_bundle(EndorsementCache& bundle,
                                                           const tdx::CollateralRequest& request) {
  std::vector<std::string> keys;
  for (const PcsSource& piece : pieces(request)) {
    auto got = get(piece, request);
    if (!got) return std::unexpected(got.error());
    auto stored = bundle.put(piece.entry, got->bytes);
    if (!stored) return std::unexpected(stored.error());
    keys.push_back(piece.entry.key);
  }
  return keys;
}

}  // namespace veritee::endorse
