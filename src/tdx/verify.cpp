// The DCAP checks, in order; each adds one Check. Collateral problems (chains, signatures,
// dates, the wrong TEE) are endorsement failures (exit 3); the TCB judgements that need the
// collateral (QE identity, platform and module TCB levels, debug, status) are skipped when it
// is unusable, so an expired collateral set is never read as a verdict on the evidence.
#include "veritee/tdx/verify.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <map>
#include <mutex>

#include <openssl/evp.h>

#include "tdx/anchored_chain.hpp"
#include "tdx/ecdsa.hpp"
#include "tdx/intel_roots.inc"
#include "veritee/x509/crl.hpp"
#include "veritee/tdx/pck.hpp"

namespace veritee::tdx {

struct DcapMemo::Impl {
  std::size_t capacity;
  std::mutex mutex;
  std::map<std::string, std::vector<x509::Certificate>, std::less<>> chains;
  std::map<std::string, x509::Crl, std::less<>> crls;
  std::map<std::string, TcbInfo, std::less<>> tcb_infos;
  std::map<std::string, EnclaveIdentity, std::less<>> identities;
  // The SGX extensions of PCK certificates, by SHA-256 of the certificate's DER: decoded once
  // per certificate (OpenSSL's ASN.1 parse of about 20 nested entries is ~0.35 M instructions,
  // a fifth of the quote's two signature verifications).
  std::map<std::array<unsigned char, 32>, PckExtensions, std::less<>> pck_extensions;

  template <class K, class T>
  std::optional<T> find(const std::map<K, T, std::less<>>& in, const K& key) {
    std::lock_guard lock(mutex);
    auto it = in.find(key);
    if (it == in.end()) return std::nullopt;
    return it->second;
  }
  template <class K, class T>
  void keep(std::map<K, T, std::less<>>& in, K key, const T& value) {
    std::lock_guard lock(mutex);
    if (chains.size() + crls.size() + tcb_infos.size() + identities.size() +
            pck_extensions.size() >= capacity) {
      chains.clear();
      crls.clear();
      tcb_infos.clear();
      identities.clear();
      pck_extensions.clear();
    }
    in.emplace(std::move(key), value);
  }
};

DcapMemo::DcapMemo(std::size_t capacity) : impl_(std::make_unique<Impl>()) { impl_->capacity = capacity; }
DcapMemo::~DcapMemo() = default;

namespace {

// A memo key: the signer's (or root's) fingerprint, then the exact bytes.
std::string memo_key(const x509::Certificate& signer, std::initializer_list<ByteView> parts) {
  std::string key = signer.sha256_hex();
  for (ByteView p : parts) {
    key += '\0';
    key.append(reinterpret_cast<const char*>(p.data()), p.size());
  }
  return key;
}

using x509::Certificate;
using x509::Crl;
using detail::anchored_chain;

constexpr auto kEvidence = CheckSubject::kEvidence;
constexpr auto kEndorsement = CheckSubject::kEndorsement;
constexpr std::string_view kIntelQeVendorId = "939a7233f79c4ca9940a0db3957f0607";

std::string name(const Certificate& c) { return "'" + c.subject_cn() + "'"; }
std::string when(veritee::TimePoint t) { return veritee::format_time(t); }

// The first certificate of `chain` not valid at `now`, or nullptr.
const Certificate* invalid_at(const std::vector<Certificate>& chain, veritee::TimePoint now) {
  for (const auto& c : chain) {
    if (!c.valid_at(now)) return &c;
  }
  return nullptr;
}

std::string validity(const Certificate& c) {
  return when(c.not_before()) + " to " + when(c.not_after());
}

bool masked_equal(ByteView value, ByteView expected, ByteView mask) {
  for (std::size_t i = 0; i < value.size(); ++i) {
    if ((value[i] & mask[i]) != (expected[i] & mask[i])) return false;
  }
  return true;
}

void add_advisories(std::vector<std::string>& out, const std::vector<std::string>& more) {
  for (const auto& a : more) {
    if (std::find(out.begin(), out.end(), a) == out.end()) out.push_back(a);
  }
}

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
  return s;
}

struct Context {
  Context(const Quote& q, const Collateral& col, const DcapVerifyOptions& opt,
          const Certificate& r, DcapResult& res)
      : quote(q), collateral(col), options(opt), root(r), result(res) {}

  const Quote& quote;
  const Collateral& collateral;
  const DcapVerifyOptions& options;
  const Certificate& root;
  DcapResult& result;

  CheckList& out() { return result.checks; }
  DcapMemo::Impl* memo() const { return options.memo ? &options.memo->impl() : nullptr; }
  veritee::TimePoint now() const { return options.now; }

  std::vector<Certificate> pck_chain;  // leaf, PCK CA, root (when anchored)
  const Certificate* pck() const { return pck_chain.empty() ? nullptr : &pck_chain.front(); }
  const Certificate* pck_ca() const { return pck_chain.size() >= 3 ? &pck_chain[1] : nullptr; }
  std::optional<PckExtensions> ext;
  std::optional<Crl> root_crl;  // when it verified and is current
  std::optional<Certificate> tcb_signer;
  std::optional<Certificate> qe_signer;
  // The documents and levels below point into tcb_info_read and qe_identity_read (no copies).
  const TcbInfo* tcb_info = nullptr;           // when signed, current and for this platform
  const EnclaveIdentity* qe_identity = nullptr;  // when signed, current and for this TEE
  std::optional<TcbInfo> tcb_info_read;          // decoded, whatever else is wrong
  std::optional<EnclaveIdentity> qe_identity_read;
  const TcbLevel* platform_level = nullptr;
  const IsvTcbLevel* qe_level = nullptr;
  const IsvTcbLevel* module_level = nullptr;
  bool module_ok = true;
};

// anchored_chain, remembered when it verified.
Result<std::vector<Certificate>> chain_of(Context& c, std::string_view pem, const char* what) {
  DcapMemo::Impl* memo = c.memo();
  std::string key;
  if (memo) {
    key = memo_key(c.root, {as_bytes(pem)});
    if (auto known = memo->find(memo->chains, key)) return std::move(*known);
  }
  auto chain = anchored_chain(pem, c.root, what);
  if (memo && chain) memo->keep(memo->chains, std::move(key), *chain);
  return chain;
}

// pck_extensions, remembered per certificate (by its DER's SHA-256) when they decoded.
Result<PckExtensions> extensions_of(Context& c, const Certificate& pck) {
  DcapMemo::Impl* memo = c.memo();
  const auto digest = pck.sha256();
  if (memo) {
    if (auto known = memo->find(memo->pck_extensions, digest)) return std::move(*known);
  }
  auto ext = pck_extensions(pck);
  if (memo && ext) memo->keep(memo->pck_extensions, digest, *ext);
  return ext;
}

void check_format(Context& c) {
  const Quote& q = c.quote;
  std::string detail = "version " + std::to_string(q.header().version) + " " +
                       std::string(to_string(q.tee())) + " quote, " +
                       std::string(to_string(q.body_kind())) + ", ECDSA-256-with-P-256 key, " +
                       std::to_string(q.size()) + " bytes";
  if (q.trailing() > 0) detail += ", " + q.trailing_note();
  c.out().add(pass("quote.format", kEvidence, detail));
  const std::string vendor = to_hex(q.header().qe_vendor_id);
  if (vendor != kIntelQeVendorId) {
    c.out().add(failed("quote.qe_vendor", kEvidence,
                       "QE vendor ID " + vendor + " is not Intel's (" +
                           std::string(kIntelQeVendorId) + ")"));
  } else {
    c.out().add(pass("quote.qe_vendor", kEvidence, "QE vendor ID " + vendor + " (Intel)"));
  }
}

void check_pck_chain(Context& c) {
  auto chain = chain_of(c, c.quote.pck_chain_pem(), "the quote's PCK certificate chain");
  if (!chain) {
    c.out().add(failed("pck.chain", kEndorsement, chain.error().message));
    return;
  }
  if (chain->size() != 3) {
    c.out().add(failed("pck.chain", kEndorsement,
                       "the quote's PCK certificate chain has " + std::to_string(chain->size()) +
                           " certificates, not 3 (PCK, PCK CA, root)"));
    return;
  }
  const Certificate& leaf = chain->front();
  if (EVP_PKEY_get_base_id(leaf.public_key()) != EVP_PKEY_EC ||
      EVP_PKEY_get_bits(leaf.public_key()) != 256) {
    c.out().add(failed("pck.chain", kEndorsement, "the PCK certificate's key is not ECDSA P-256"));
    return;
  }
  c.pck_chain = std::move(*chain);
  c.out().add(pass("pck.chain", kEndorsement,
                   name(c.pck_chain[0]) + " is signed by " + name(c.pck_chain[1]) +
                       ", signed by the pinned " + name(c.root) + " (ECDSA P-256 SHA-256)"));
  auto ext = extensions_of(c, leaf);
  if (!ext) {
    c.out().add(failed("pck.extensions", kEndorsement, ext.error().message));
    return;
  }
  c.ext = std::move(*ext);
  c.result.fmspc = to_hex(c.ext->fmspc);
  char pce[8];
  std::snprintf(pce, sizeof pce, "%u", c.ext->pcesvn);
  c.out().add(pass("pck.extensions", kEndorsement,
                   "FMSPC " + c.result.fmspc + ", PCE-ID " + to_hex(c.ext->pce_id) + ", PCESVN " +
                       pce + ", CPUSVN components " + to_hex(c.ext->cpusvn_components)));
}

void check_pck_validity(Context& c) {
  if (c.pck_chain.empty()) return;
  if (const Certificate* bad = invalid_at(c.pck_chain, c.now())) {
    c.out().add(failed("pck.validity", kEndorsement,
                       name(*bad) + " is valid from " + validity(*bad) + ", not at " +
                           when(c.now())));
    return;
  }
  c.out().add(pass("pck.validity", kEndorsement,
                   "the 3 certificates of the PCK chain are valid at " + when(c.now())));
}

// A CRL signed by `issuer` and current at `now`, or why not.
Result<Crl> signed_crl(ByteView der, const Certificate& issuer, const char* what) {
  auto crl = Crl::load(der);
  if (!crl) return fail(Errc::kEndorsementInvalid, std::string(what) + ": " + crl.error().message);
  if (auto ok = crl->verify_signed_by(issuer); !ok) {
    return fail(Errc::kEndorsementInvalid, std::string(what) + ": " + ok.error().message);
  }
  return crl;
}

Result<Crl> current_crl(Context& c, ByteView der, const Certificate& issuer, const char* what) {
  const veritee::TimePoint now = c.now();
  DcapMemo::Impl* memo = c.memo();
  std::string key;
  std::optional<Crl> known;
  if (memo) {
    key = memo_key(issuer, {der});
    known = memo->find(memo->crls, key);
  }
  auto crl = known ? Result<Crl>(std::move(*known)) : signed_crl(der, issuer, what);
  if (!crl) return crl;
  if (memo && !known) memo->keep(memo->crls, std::move(key), *crl);
  if (!crl->current_at(now)) {
    auto next = crl->next_update();
    return fail(Errc::kEndorsementInvalid,
                std::string(what) + " is for " + when(crl->this_update()) + " to " +
                    (next ? when(*next) : std::string("(no nextUpdate)")) + ", not current at " +
                    when(now));
  }
  return crl;
}

void check_root_crl(Context& c) {
  auto crl = current_crl(c, c.collateral.root_ca_crl, c.root, "the root CA CRL");
  if (!crl) {
    c.out().add(failed("crl.root_ca", kEndorsement, crl.error().message));
    return;
  }
  c.root_crl = *crl;
  if (const Certificate* ca = c.pck_ca(); ca && crl->revokes(*ca)) {
    c.out().add(failed("crl.root_ca", kEvidence,
                       name(*ca) + " (serial " + ca->serial_hex() + ") is revoked by the root CA CRL"));
    return;
  }
  c.out().add(pass("crl.root_ca", kEndorsement,
                   "signed by " + name(c.root) + ", current at " + when(c.now()) +
                       (c.pck_ca() ? ", does not revoke " + name(*c.pck_ca()) : std::string())));
}

void check_pck_crl(Context& c) {
  auto issuers = chain_of(c, c.collateral.pck_crl_issuer_chain, "pck_crl_issuer_chain");
  if (!issuers) {
    c.out().add(failed("crl.pck", kEndorsement, issuers.error().message));
    return;
  }
  const Certificate& ca = issuers->front();
  if (const Certificate* quote_ca = c.pck_ca(); quote_ca && !(ca == *quote_ca)) {
    c.out().add(failed("crl.pck", kEndorsement,
                       "the PCK CRL's issuer " + name(ca) +
                           " is not the CA that issued the quote's PCK certificate (" +
                           name(*quote_ca) + ")"));
    return;
  }
  if (const Certificate* bad = invalid_at(*issuers, c.now())) {
    c.out().add(failed("crl.pck", kEndorsement,
                       "pck_crl_issuer_chain: " + name(*bad) + " is valid from " + validity(*bad) +
                           ", not at " + when(c.now())));
    return;
  }
  auto crl = current_crl(c, c.collateral.pck_crl, ca, "the PCK CRL");
  if (!crl) {
    c.out().add(failed("crl.pck", kEndorsement, crl.error().message));
    return;
  }
  if (const Certificate* pck = c.pck(); pck && crl->revokes(*pck)) {
    c.out().add(failed("crl.pck", kEvidence,
                       "the PCK certificate (serial " + pck->serial_hex() + ") is revoked by the CRL of " +
                           name(ca)));
    return;
  }
  c.out().add(pass("crl.pck", kEndorsement,
                   "signed by " + name(ca) + ", current at " + when(c.now()) +
                       (c.pck() ? ", does not revoke the PCK certificate" : std::string())));
}

// The TCB Signing certificate of an issuer chain: anchored, valid, not revoked.
Result<Certificate> tcb_signer(Context& c, std::string_view pem, const char* what) {
  auto chain = chain_of(c, pem, what);
  if (!chain) return std::unexpected(chain.error());
  if (chain->size() != 2) {
    return fail(Errc::kEndorsementInvalid, std::string(what) + " has " +
                                               std::to_string(chain->size()) +
                                               " certificates, not 2 (TCB Signing, root)");
  }
  if (const Certificate* bad = invalid_at(*chain, c.now())) {
    return fail(Errc::kEndorsementInvalid, std::string(what) + ": " + name(*bad) +
                                               " is valid from " + validity(*bad) + ", not at " +
                                               when(c.now()));
  }
  if (c.root_crl && c.root_crl->revokes(chain->front())) {
    return fail(Errc::kEndorsementInvalid,
                std::string(what) + ": " + name(chain->front()) + " is revoked by the root CA CRL");
  }
  return chain->front();
}

void check_signing_chains(Context& c) {
  auto tcb = tcb_signer(c, c.collateral.tcb_info_issuer_chain, "tcb_info_issuer_chain");
  auto qe = tcb_signer(c, c.collateral.qe_identity_issuer_chain, "qe_identity_issuer_chain");
  if (!tcb || !qe) {
    c.out().add(failed("collateral.issuer_chains", kEndorsement,
                       (!tcb ? tcb.error() : qe.error()).message));
    if (tcb) c.tcb_signer = *tcb;
    if (qe) c.qe_signer = *qe;
    return;
  }
  c.tcb_signer = *tcb;
  c.qe_signer = *qe;
  c.out().add(pass("collateral.issuer_chains", kEndorsement,
                   "TCB Info signer " + name(*tcb) + " and QE Identity signer " + name(*qe) +
                       " are signed by the pinned root, valid at " + when(c.now()) +
                       (c.root_crl ? ", not revoked" : "")));
}

// One signed JSON document: its signature, then its dates.
template <class Doc>
bool check_document(Context& c, const std::optional<Certificate>& signer, const std::string& text,
                    ByteView signature, const char* id, const char* what, std::optional<Doc>& read,
                    Result<Doc> (*parse)(std::string_view),
                    std::map<std::string, Doc, std::less<>> DcapMemo::Impl::*memo_slot) {
  const std::string sig_id = std::string(id) + ".signature";
  if (!signer) {
    c.out().add(failed(sig_id, kEndorsement, std::string("no usable signer for the ") + what));
    return false;
  }
  DcapMemo::Impl* memo = c.memo();
  std::string key;
  std::optional<Doc> known;
  if (memo) {
    key = memo_key(*signer, {as_bytes(text), signature});
    known = memo->find(memo->*memo_slot, key);
  }
  if (!known) {
    if (auto ok = detail::verify_p256(signer->public_key(), as_bytes(text), signature); !ok) {
      c.out().add(failed(sig_id, kEndorsement,
                         std::string("the ") + what + " signature (r || s over its " +
                             std::to_string(text.size()) + " bytes) does not verify with the key of " +
                             name(*signer)));
      return false;
    }
  }
  auto doc = known ? Result<Doc>(std::move(*known)) : parse(text);
  if (!doc) {
    c.out().add(failed(sig_id, kEndorsement, doc.error().message));
    return false;
  }
  if (memo && !known) memo->keep(memo->*memo_slot, std::move(key), *doc);
  read = std::move(*doc);
  c.out().add(pass(sig_id, kEndorsement,
                   std::string("ECDSA P-256 SHA-256 over the exact ") +
                       std::to_string(text.size()) + " bytes of the " + what + ", by " +
                       name(*signer)));
  const std::string dates_id = std::string(id) + ".dates";
  if (c.now() < read->issue_date) {
    c.out().add(failed(dates_id, kEndorsement,
                       std::string("the ") + what + " was issued " + when(read->issue_date) +
                           ", after " + when(c.now()) + " (not yet valid)"));
    return false;
  }
  if (c.now() > read->next_update) {
    c.out().add(failed(dates_id, kEndorsement,
                       std::string("the ") + what + " expired at its nextUpdate " +
                           when(read->next_update) + ", before " + when(c.now())));
    return false;
  }
  c.out().add(pass(dates_id, kEndorsement,
                   std::string("issued ") + when(read->issue_date) + ", next update " +
                       when(read->next_update) + ": current at " + when(c.now())));
  return true;
}

void check_tcb_info(Context& c) {
  bool ok = check_document<TcbInfo>(c, c.tcb_signer, c.collateral.tcb_info,
                                    c.collateral.tcb_info_signature, "tcb_info", "TCB Info",
                                    c.tcb_info_read, parse_tcb_info, &DcapMemo::Impl::tcb_infos);
  if (!c.tcb_info_read) {
    return;
  }
  const TcbInfo& t = *c.tcb_info_read;
  const char* want = c.quote.tee() == Tee::kTdx ? "TDX" : "SGX";
  std::string problem;
  if (t.id != want) {
    problem = "the TCB Info is for " + t.id + " (id '" + t.id + "'), the quote is " + want;
  } else if (c.ext && t.fmspc != c.ext->fmspc) {
    problem = "the TCB Info is for FMSPC " + to_hex(t.fmspc) + ", the PCK certificate's is " +
              to_hex(c.ext->fmspc);
  } else if (c.ext && t.pce_id != c.ext->pce_id) {
    problem = "the TCB Info is for PCE-ID " + to_hex(t.pce_id) + ", the PCK certificate's is " +
              to_hex(c.ext->pce_id);
  } else if (!c.ext) {
    problem = "the PCK certificate's FMSPC is unknown";
  }
  if (!problem.empty()) {
    c.out().add(failed("tcb_info.applies", kEndorsement, problem));
    return;
  }
  c.out().add(pass("tcb_info.applies", kEndorsement,
                   std::string(want) + " TCB Info for FMSPC " + to_hex(t.fmspc) + ", PCE-ID " +
                       to_hex(t.pce_id) + ", TCB evaluation data number " +
                       std::to_string(t.tcb_evaluation_data_number)));
  if (ok) c.tcb_info = &t;
}

void check_qe_identity(Context& c) {
  bool ok = check_document<EnclaveIdentity>(c, c.qe_signer, c.collateral.qe_identity,
                                            c.collateral.qe_identity_signature, "qe_identity",
                                            "QE Identity", c.qe_identity_read,
                                            parse_enclave_identity, &DcapMemo::Impl::identities);
  if (!c.qe_identity_read) {
    return;
  }
  const EnclaveIdentity& e = *c.qe_identity_read;
  const char* want = c.quote.tee() == Tee::kTdx ? "TD_QE" : "QE";
  if (e.id != want) {
    c.out().add(failed("qe_identity.applies", kEndorsement,
                       "the QE Identity is '" + e.id + "' version " + std::to_string(e.version) +
                           ": a " + std::string(to_string(c.quote.tee())) +
                           " quote needs '" + want + "' version 2"));
    return;
  }
  c.out().add(pass("qe_identity.applies", kEndorsement,
                   std::string("'") + want + "' version 2 identity, TCB evaluation data number " +
                       std::to_string(e.tcb_evaluation_data_number)));
  if (ok) c.qe_identity = &e;
}

void check_qe_report_signature(Context& c) {
  const Certificate* pck = c.pck();
  if (!pck) {
    c.out().add(failed("qe_report.signature", kEndorsement,
                       "no usable PCK certificate: the QE report signature cannot be checked"));
    return;
  }
  auto ok = detail::verify_p256(pck->public_key(), c.quote.qe_report().bytes,
                                c.quote.qe_report_signature());
  if (!ok) {
    c.out().add(failed("qe_report.signature", kEvidence,
                       "the QE report signature does not verify with the PCK certificate's key"));
    return;
  }
  c.out().add(pass("qe_report.signature", kEvidence,
                   "ECDSA P-256 SHA-256 over the 384-byte QE report verifies with the key of " +
                       name(*pck)));
}

void check_binding(Context& c) {
  const Quote& q = c.quote;
  auto digest = detail::sha256({q.attestation_key(), q.qe_auth_data()});
  if (!digest) {
    c.out().add(failed("qe_report.binding", kEvidence, digest.error().message));
    return;
  }
  ByteView report_data = q.qe_report().report_data;
  const bool ok = std::equal(digest->begin(), digest->end(), report_data.begin()) &&
                  all_zero(report_data.subspan(32));
  if (!ok) {
    c.out().add(failed("qe_report.binding", kEvidence,
                       "QE REPORTDATA " + to_hex(report_data.first(32)) +
                           "… is not SHA-256(attestation key || QE authentication data) = " +
                           to_hex(*digest) + " followed by 32 zero bytes"));
    return;
  }
  c.out().add(pass("qe_report.binding", kEvidence,
                   "QE REPORTDATA = SHA-256(attestation key || " +
                       std::to_string(q.qe_auth_data().size()) +
                       "-byte QE authentication data) || 32 zero bytes"));
}

void check_quote_signature(Context& c) {
  const Quote& q = c.quote;
  auto key = detail::p256_prepared(q.attestation_key());
  if (!key) {
    c.out().add(failed("quote.signature", kEvidence, key.error().message));
    return;
  }
  if (auto ok = detail::verify_p256(*key, q.signed_bytes(), q.signature()); !ok) {
    c.out().add(failed("quote.signature", kEvidence,
                       "the quote signature over header and body (bytes [0, " +
                           std::to_string(q.signed_bytes().size()) +
                           ")) does not verify with the attestation key"));
    return;
  }
  c.out().add(pass("quote.signature", kEvidence,
                   "ECDSA P-256 SHA-256 over header and body (bytes [0, " +
                       std::to_string(q.signed_bytes().size()) +
                       ")) verifies with the attestation key"));
}

const char* kNoCollateral = "not judged: the collateral it needs is not usable (see above)";

void check_qe_match(Context& c) {
  if (!c.qe_identity) {
    c.out().add(skipped("qe_identity.match", kEvidence, kNoCollateral));
    return;
  }
  const EnclaveIdentity& e = *c.qe_identity;
  const EnclaveReport& r = c.quote.qe_report();
  std::string problem;
  if (!std::equal(e.mrsigner.begin(), e.mrsigner.end(), r.mr_signer.begin())) {
    problem = "QE MRSIGNER " + to_hex(r.mr_signer) + " is not the identity's " + to_hex(e.mrsigner);
  } else if (r.isv_prod_id != e.isvprodid) {
    problem = "QE ISVPRODID " + std::to_string(r.isv_prod_id) + " is not the identity's " +
              std::to_string(e.isvprodid);
  } else if ((r.misc_select & e.miscselect_mask) != (e.miscselect & e.miscselect_mask)) {
    char buf[96];
    std::snprintf(buf, sizeof buf, "QE MISCSELECT 0x%08X under mask 0x%08X is not 0x%08X",
                  r.misc_select, e.miscselect_mask, e.miscselect & e.miscselect_mask);
    problem = buf;
  } else if (!masked_equal(r.attributes, e.attributes, e.attributes_mask)) {
    problem = "QE ATTRIBUTES " + to_hex(r.attributes) + " under mask " +
              to_hex(e.attributes_mask) + " are not " + to_hex(e.attributes);
  }
  if (!problem.empty()) {
    c.out().add(failed("qe_identity.match", kEvidence, problem));
    return;
  }
  auto level = std::find_if(e.levels.begin(), e.levels.end(),
                            [&](const IsvTcbLevel& l) { return r.isv_svn >= l.isvsvn; });
  if (level == e.levels.end()) {
    c.out().add(failed("qe_identity.match", kEvidence,
                       "QE ISVSVN " + std::to_string(r.isv_svn) +
                           " is below every TCB level of the QE Identity"));
    return;
  }
  c.qe_level = &*level;
  c.result.qe_status = level->status;
  std::string detail = "MRSIGNER, ISVPRODID " + std::to_string(r.isv_prod_id) +
                       ", masked MISCSELECT and ATTRIBUTES match; ISVSVN " +
                       std::to_string(r.isv_svn) + " meets level isvsvn " +
                       std::to_string(level->isvsvn) + " (" + level->tcb_date + "): " +
                       std::string(to_string(level->status));
  if (level->status == TcbStatus::kRevoked) {
    c.out().add(failed("qe_identity.match", kEvidence, detail));
    return;
  }
  c.out().add(pass("qe_identity.match", kEvidence, detail));
}

bool at_least(ByteView have, const std::array<std::uint8_t, 16>& need, std::size_t from) {
  for (std::size_t i = from; i < 16; ++i) {
    if (have[i] < need[i]) return false;
  }
  return true;
}

void check_platform(Context& c) {
  if (!c.tcb_info || !c.ext) {
    c.out().add(skipped("tcb.platform", kEvidence, kNoCollateral));
    return;
  }
  const TcbInfo& t = *c.tcb_info;
  const bool tdx = c.quote.tee() == Tee::kTdx;
  // TDX: TEE_TCB_SVN against tdxtcbcomponents; with a TDX module of major version > 0
  // (TEE_TCB_SVN[1]) and module identities published, its bytes 0 and 1 are judged by the
  // module identity instead (tcb.tdx_module).
  ByteView tee_svn = tdx ? c.quote.td_body()->tee_tcb_svn : ByteView{};
  const std::size_t tdx_from =
      tdx && tee_svn[1] > 0 && !t.tdx_module_identities.empty() ? 2 : 0;
  for (const TcbLevel& level : t.levels) {
    if (!at_least(c.ext->cpusvn_components, level.sgx_components, 0)) continue;
    if (c.ext->pcesvn < level.pcesvn) continue;
    if (tdx && !at_least(tee_svn, *level.tdx_components, tdx_from)) continue;
    c.platform_level = &level;
    c.result.platform_status = level.status;
    c.result.tcb_date = level.tcb_date;
    std::string detail = "CPUSVN components " + to_hex(c.ext->cpusvn_components) + ", PCESVN " +
                         std::to_string(c.ext->pcesvn) +
                         (tdx ? ", TEE_TCB_SVN " + to_hex(tee_svn) : std::string()) +
                         " meet the level of " + level.tcb_date + ": " +
                         std::string(to_string(level.status));
    if (!level.advisories.empty()) detail += " (" + join(level.advisories) + ")";
    if (level.status == TcbStatus::kRevoked) {
      c.out().add(failed("tcb.platform", kEvidence, detail));
    } else {
      c.out().add(pass("tcb.platform", kEvidence, detail));
    }
    return;
  }
  c.out().add(failed("tcb.platform", kEvidence,
                     "no TCB level of the TCB Info is met by CPUSVN components " +
                         to_hex(c.ext->cpusvn_components) + ", PCESVN " +
                         std::to_string(c.ext->pcesvn) +
                         (tdx ? ", TEE_TCB_SVN " + to_hex(tee_svn) : std::string()) +
                         ": the platform's TCB is not supported"));
}

void check_tdx_module(Context& c) {
  if (c.quote.tee() != Tee::kTdx) return;
  if (!c.tcb_info) {
    c.out().add(skipped("tcb.tdx_module", kEvidence, kNoCollateral));
    return;
  }
  const TdReport& td = *c.quote.td_body();
  const TcbInfo& t = *c.tcb_info;
  const std::uint8_t major = td.tee_tcb_svn[1];
  const std::uint8_t minor = td.tee_tcb_svn[0];
  const TdxModuleIdentity* identity = &*t.tdx_module;
  std::string which = "tdxModule";
  if (major > 0 && !t.tdx_module_identities.empty()) {
    char id[16];
    std::snprintf(id, sizeof id, "TDX_%02X", major);
    auto it = std::find_if(t.tdx_module_identities.begin(), t.tdx_module_identities.end(),
                           [&](const TdxModuleIdentity& m) { return m.id == id; });
    if (it == t.tdx_module_identities.end()) {
      c.module_ok = false;
      c.out().add(failed("tcb.tdx_module", kEvidence,
                         std::string("no TDX module identity '") + id +
                             "' (TEE_TCB_SVN[1] = " + std::to_string(major) + ") in the TCB Info"));
      return;
    }
    identity = &*it;
    which = id;
  }
  if (!std::equal(identity->mrsigner.begin(), identity->mrsigner.end(), td.mr_signer_seam.begin())) {
    c.module_ok = false;
    c.out().add(failed("tcb.tdx_module", kEvidence,
                       "MRSIGNERSEAM " + to_hex(td.mr_signer_seam) + " is not " + which +
                           ".mrsigner " + to_hex(identity->mrsigner)));
    return;
  }
  if (!masked_equal(td.seam_attributes, identity->attributes, identity->attributes_mask)) {
    c.module_ok = false;
    c.out().add(failed("tcb.tdx_module", kEvidence,
                       "SEAM_ATTRIBUTES " + to_hex(td.seam_attributes) + " under mask " +
                           to_hex(identity->attributes_mask) + " are not " + which +
                           ".attributes " + to_hex(identity->attributes)));
    return;
  }
  std::string detail = "MRSIGNERSEAM and SEAM_ATTRIBUTES match " + which;
  if (identity->levels.empty()) {
    c.out().add(pass("tcb.tdx_module", kEvidence, detail + " (no module TCB levels)"));
    return;
  }
  auto level = std::find_if(identity->levels.begin(), identity->levels.end(),
                            [&](const IsvTcbLevel& l) { return minor >= l.isvsvn; });
  if (level == identity->levels.end()) {
    c.module_ok = false;
    c.out().add(failed("tcb.tdx_module", kEvidence,
                       detail + ", but TEE_TCB_SVN[0] " + std::to_string(minor) +
                           " is below every TCB level of " + which));
    return;
  }
  c.module_level = &*level;
  c.result.tdx_module_status = level->status;
  detail += "; TEE_TCB_SVN[0] " + std::to_string(minor) + " meets isvsvn " +
            std::to_string(level->isvsvn) + " (" + level->tcb_date + "): " +
            std::string(to_string(level->status));
  if (level->status == TcbStatus::kRevoked) {
    c.out().add(failed("tcb.tdx_module", kEvidence, detail));
    return;
  }
  c.out().add(pass("tcb.tdx_module", kEvidence, detail));
}

void check_debug(Context& c) {
  const Quote& q = c.quote;
  const bool tdx = q.tee() == Tee::kTdx;
  c.result.debug = tdx ? q.td_body()->debug() : q.enclave_body()->debug();
  const std::string what =
      tdx ? "TD_ATTRIBUTES " + to_hex(q.td_body()->td_attributes) + " (TUD byte 0)"
          : "ATTRIBUTES " + to_hex(q.enclave_body()->attributes) + " (DEBUG bit 1)";
  if (!c.tcb_info || !c.qe_identity) {
    c.out().add(skipped("quote.debug", kEvidence,
                        std::string(c.result.debug ? "a debug " : "not a debug ") +
                            (tdx ? "TD" : "enclave") + " (" + what + "); " + kNoCollateral));
    return;
  }
  if (c.result.debug) {
    c.out().add(failed("quote.debug", kEvidence,
                       std::string("a debug ") + (tdx ? "TD" : "enclave") + ": " + what +
                           ": its memory and state are open to the host"));
    return;
  }
  c.out().add(pass("quote.debug", kEvidence,
                   std::string("not a debug ") + (tdx ? "TD" : "enclave") + ": " + what));
}

void check_status(Context& c) {
  if (!c.platform_level || !c.qe_level || !c.module_ok) {
    c.out().add(skipped("tcb.status", kEvidence,
                        "no TCB status: the platform, QE or TDX module TCB level is not "
                        "established (see above)"));
    return;
  }
  TcbStatus status = merge(c.platform_level->status, c.qe_level->status);
  if (c.module_level) status = merge(status, c.module_level->status);
  c.result.status = status;
  add_advisories(c.result.advisories, c.platform_level->advisories);
  add_advisories(c.result.advisories, c.qe_level->advisories);
  if (c.module_level) add_advisories(c.result.advisories, c.module_level->advisories);
  std::string detail = std::string(to_string(status)) + " (platform " +
                       std::string(to_string(c.platform_level->status)) + ", QE " +
                       std::string(to_string(c.qe_level->status)) +
                       (c.module_level ? ", TDX module " +
                                             std::string(to_string(c.module_level->status))
                                       : std::string()) +
                       ")";
  if (!c.result.advisories.empty()) detail += "; advisories " + join(c.result.advisories);
  if (status == TcbStatus::kRevoked) {
    c.out().add(failed("tcb.status", kEvidence, detail));
    return;
  }
  c.out().add(pass("tcb.status", kEvidence, detail));
}

}  // namespace

const Certificate& intel_sgx_root_ca() {
  static const Certificate root = [] {
    auto certs = Certificate::load_all(as_bytes(intel_roots::kSgxRootCa));
    // Built in and fixed: a failure here is a build defect, caught by the tests.
    return certs.value().front();
  }();
  return root;
}

DcapResult verify_quote(const Quote& quote, const Collateral& collateral,
                        const DcapVerifyOptions& options) {
  DcapResult result;
  const Certificate& root = options.root ? *options.root : intel_sgx_root_ca();
  Context c(quote, collateral, options, root, result);
  check_format(c);
  check_pck_chain(c);
  check_pck_validity(c);
  check_root_crl(c);
  check_pck_crl(c);
  check_signing_chains(c);
  check_tcb_info(c);
  check_qe_identity(c);
  check_qe_report_signature(c);
  check_binding(c);
  check_quote_signature(c);
  check_qe_match(c);
  check_platform(c);
  check_tdx_module(c);
  check_debug(c);
  check_status(c);
  return result;
}

}  // namespace veritee::tdx
