// DCAP collateral from Intel PCS through the verified cache (pcs.hpp). Every piece is checked
// against the pinned Intel SGX Root CA before it is stored or returned.
#include "veritee/endorse/pcs.hpp"


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

std::optional<std::string> crl_stale(const Result<Bytes>& der, veritee::TimePoint now) {
  if (!der) return der.error().message;
  auto crl = x509::Crl::load(*der);
  if (!crl) return crl.error().message;
  auto next = crl->next_update();
  if (!next) return std::string("it has no nextUpdate");
  return past(*next, now);
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
  e.stale = [at](ByteView bytes, veritee::TimePoint now) -> std::optional<std::string> {
    auto j = fragment(bytes, {"tcb_info_issuer_chain", "tcb_info", "tcb_info_signature"});
    if (!j) return j.error().message;
    auto info = tdx::parse_tcb_info(str(*j, "tcb_info"));
    if (!info) return info.error().message;
    return past(info->next_update, at.value_or(now));
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
  e.stale = [at](ByteView bytes, veritee::TimePoint now) -> std::optional<std::string> {
    auto j = fragment(bytes, {"qe_identity_issuer_chain", "qe_identity", "qe_identity_signature"});
    if (!j) return j.error().message;
    auto id = tdx::parse_enclave_identity(str(*j, "qe_identity"));
    if (!id) return id.error().message;
    return past(id->next_update, at.value_or(now));
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
  e.stale = [at](ByteView bytes, veritee::TimePoint now) -> std::optional<std::string> {
    auto j = fragment(bytes, {"pck_crl_issuer_chain", "pck_crl"});
    if (!j) return j.error().message;
    return crl_stale(hex_member(*j, "pck_crl"), at.value_or(now));
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
  e.stale = [at](ByteView bytes, veritee::TimePoint now) -> std::optional<std::string> {
    auto j = fragment(bytes, {"root_ca_crl"});
    if (!j) return j.error().message;
    return crl_stale(hex_member(*j, "root_ca_crl"), at.value_or(now));
  };
  return e;
}

std::vector<PcsFetcher::Piece> PcsFetcher::pieces(const tdx::CollateralRequest& request) const {
  std::vector<Piece> out;
  const std::string base = client_ ? client_->base_url() : std::string();
  out.push_back({tcb_info_entry(request, *root_, at_), base + pcs_tcb_path(request),
                 [](const HttpResponse& r) -> Result<Bytes> {
                   auto chain = chain_header(r, {kTcbInfoIssuerChainHeader, kSgxTcbInfoIssuerChainHeader});
                   if (!chain) return std::unexpected(chain.error());
                   auto doc = tdx::split_signed_response(text_of(r.body), "tcbInfo");
                   if (!doc) return std::unexpected(doc.error());
                   return dump({{"tcb_info_issuer_chain", *chain},
                                {"tcb_info", doc->text},
                                {"tcb_info_signature", to_hex(doc->signature)}});
                 }});
  out.push_back({qe_identity_entry(request.tee, *root_, at_), base + pcs_qe_identity_path(request.tee),
                 [](const HttpResponse& r) -> Result<Bytes> {
                   auto chain = chain_header(r, {kQeIdentityIssuerChainHeader});
                   if (!chain) return std::unexpected(chain.error());
                   auto doc = tdx::split_signed_response(text_of(r.body), "enclaveIdentity");
                   if (!doc) return std::unexpected(doc.error());
                   return dump({{"qe_identity_issuer_chain", *chain},
                                {"qe_identity", doc->text},
                                {"qe_identity_signature", to_hex(doc->signature)}});
                 }});
  out.push_back({pck_crl_entry(request.ca, *root_, at_), base + pcs_pck_crl_path(request.ca),
                 [](const HttpResponse& r) -> Result<Bytes> {
                   auto chain = chain_header(r, {kPckCrlIssuerChainHeader});
                   if (!chain) return std::unexpected(chain.error());
                   auto der = tdx::crl_der(r.body);
                   if (!der) return std::unexpected(der.error());
                   return dump({{"pck_crl_issuer_chain", *chain}, {"pck_crl", to_hex(*der)}});
                 }});
  out.push_back({root_ca_crl_entry(*root_, at_), root_ca_crl_url_,
                 [](const HttpResponse& r) -> Result<Bytes> {
                   auto der = tdx::crl_der(r.body);
                   if (!der) return std::unexpected(der.error());
                   return dump({{"root_ca_crl", to_hex(*der)}});
                 }});
  return out;
}

// One piece: the bundle, then the cache (filled from PCS on a miss), then PCS without a cache.
// Returns the checked bytes and where they came from.
Result<PcsFetcher::Got> PcsFetcher::get(const Piece& piece) {
  std::string notes;
  if (bundle_) {
    CacheLookup found = bundle_->find(piece.entry);
    if (found.bytes) return Got{std::move(*found.bytes), "bundle " + found.file.string(), Origin::kBundle};
    if (!found.problem.empty()) notes = " (bundle: " + found.problem + ")";
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
  static constexpr const char* kPieceNames[] = {"TCB Info", "QE Identity", "PCK CRL", "root CA CRL"};
  json merged = json::object();
  FetchedCollateral out;
  std::size_t i = 0;
  for (const Piece& piece : pieces(request)) {
    auto got = get(piece);
    if (!got) return std::unexpected(got.error());
    json part = json::parse(got->bytes.begin(), got->bytes.end(), nullptr, false);
    if (!part.is_object()) {
      return fail(Errc::kEndorsementInvalid, piece.entry.what + ": not a JSON object");
    }
    merged.update(part);
    out.provenance.push_back({kPieceNames[i++], got->origin, std::move(got->source)});
  }
  out.json = merged.dump(2);
  auto parsed = tdx::parse_collateral(out.json);
  if (!parsed) return std::unexpected(parsed.error());
  out.collateral = std::move(*parsed);
  return out;
}

Result<std::vector<std::string>> PcsFetcher::add_to_bundle(EndorsementCache& bundle,
                                                           const tdx::CollateralRequest& request) {
  std::vector<std::string> keys;
  for (const Piece& piece : pieces(request)) {
    auto got = get(piece);
    if (!got) return std::unexpected(got.error());
    auto stored = bundle.put(piece.entry, got->bytes);
    if (!stored) return std::unexpected(stored.error());
    keys.push_back(piece.entry.key);
  }
  return keys;
}

}  // namespace veritee::endorse
