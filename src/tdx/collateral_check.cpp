// The checks fetched collateral passes before it is stored, and the split of a PCS response
// into the exact signed text and its signature.
#include "veritee/tdx/collateral_check.hpp"

#include <cstddef>
#include <iterator>

#include <nlohmann/json.hpp>

#include "tdx/anchored_chain.hpp"
#include "tdx/ecdsa.hpp"
#include "veritee/tdx/pck.hpp"

namespace veritee::tdx {
namespace {

using nlohmann::json;
using detail::cn;

// A char iterator that records how many characters the parser has taken, so a SAX handler can
// tell where in the text an object starts and ends (nlohmann-json reads its input one character
// at a time through the iterator, without look-ahead past a structural character).
class CountingIterator {
 public:
  using iterator_category = std::input_iterator_tag;
  using value_type = char;
  using difference_type = std::ptrdiff_t;
  using pointer = const char*;
  using reference = const char&;

  CountingIterator() = default;
  CountingIterator(const char* p, const char* base, std::size_t* taken)
      : p_(p), base_(base), taken_(taken) {}
  reference operator*() const { return *p_; }
  CountingIterator& operator++() {
    ++p_;
    if (taken_) *taken_ = static_cast<std::size_t>(p_ - base_);
    return *this;
  }
  CountingIterator operator++(int) {
    CountingIterator old = *this;
    ++*this;
    return old;
  }
  bool operator==(const CountingIterator& o) const { return p_ == o.p_; }

 private:
  const char* p_ = nullptr;
  const char* base_ = nullptr;
  std::size_t* taken_ = nullptr;
};

// Finds [begin, end) of the object value of `member` at the top level.
class MemberSpan : public nlohmann::json_sax<json> {
 public:
  MemberSpan(const std::size_t* taken, std::string member) : taken_(taken), member_(std::move(member)) {}

  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t) override { return true; }
  bool number_unsigned(number_unsigned_t) override { return true; }
  bool number_float(number_float_t, const string_t&) override { return true; }
  bool string(string_t&) override { return true; }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override {
    ++depth_;
    if (depth_ == 2 && in_member_ && !begin_) begin_ = *taken_ - 1;
    return true;
  }
  bool key(string_t& k) override {
    if (depth_ == 1) in_member_ = k == member_;
    return true;
  }
  bool end_object() override {
    if (depth_ == 2 && in_member_ && begin_ && !end_) end_ = *taken_;
    --depth_;
    return true;
  }
  bool start_array(std::size_t) override {
    ++depth_;
    return true;
  }
  bool end_array() override {
    --depth_;
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
    return false;
  }

  std::optional<std::size_t> begin_, end_;

 private:
  const std::size_t* taken_;
  std::string member_;
  int depth_ = 0;
  bool in_member_ = false;
};

// The pinned chain of a TCB Signing certificate: exactly 2 certificates.
Result<x509::Certificate> signing_cert(std::string_view chain, const x509::Certificate& root,
                                       const char* what) {
  auto certs = detail::anchored_chain(chain, root, what);
  if (!certs) return std::unexpected(certs.error());
  if (certs->size() != 2) {
    return fail(Errc::kEndorsementInvalid, std::string(what) + " has " +
                                               std::to_string(certs->size()) +
                                               " certificates, not 2 (signer, root)");
  }
  return certs->front();
}

Result<void> signed_by(const x509::Certificate& signer, std::string_view text, ByteView signature,
                       const char* what) {
  if (auto ok = detail::verify_p256(signer.public_key(), as_bytes(text), signature); !ok) {
    return fail(Errc::kEndorsementInvalid, std::string("the ") + what +
                                               " signature does not verify with the key of " +
                                               cn(signer));
  }
  return {};
}

const char* ca_cn(PckCa ca) {
  return ca == PckCa::kProcessor ? "Intel SGX PCK Processor CA" : "Intel SGX PCK Platform CA";
}

}  // namespace

std::string_view to_string(PckCa ca) { return ca == PckCa::kProcessor ? "processor" : "platform"; }

std::string CollateralRequest::describe() const {
  return std::string(to_string(tee)) + ", FMSPC " + fmspc_hex() + ", PCK " +
         (ca == PckCa::kProcessor ? "Processor" : "Platform") + " CA";
}

Result<CollateralRequest> collateral_request(const Quote& quote) {
  auto certs = x509::Certificate::load_all(as_bytes(quote.pck_chain_pem()));
  if (!certs || certs->size() < 2) {
    return fail(Errc::kInvalidInput,
                "the quote's PCK certificate chain does not hold a PCK certificate and its CA" +
                    (certs ? std::string() : ": " + certs.error().message));
  }
  auto ext = pck_extensions(certs->front());
  if (!ext) return std::unexpected(ext.error());
  CollateralRequest r;
  r.tee = quote.tee();
  r.fmspc = ext->fmspc;
  const std::string issuer = (*certs)[1].subject_cn();
  if (issuer == ca_cn(PckCa::kProcessor)) {
    r.ca = PckCa::kProcessor;
  } else if (issuer == ca_cn(PckCa::kPlatform)) {
    r.ca = PckCa::kPlatform;
  } else {
    return fail(Errc::kInvalidInput, "the quote's PCK certificate is issued by '" + issuer +
                                         "', neither Intel's PCK Processor CA nor Platform CA");
  }
  return r;
}

Result<SignedDocument> split_signed_response(std::string_view body, const char* member) {
  const std::string what = std::string("the ") + member + " response";
  json whole = json::parse(body.begin(), body.end(), nullptr, false);
  if (whole.is_discarded() || !whole.is_object()) {
    return fail(Errc::kEndorsementInvalid, what + " is not a JSON object");
  }
  auto m = whole.find(member);
  if (m == whole.end() || !m->is_object()) {
    return fail(Errc::kEndorsementInvalid, what + " has no '" + member + "' object");
  }
  auto sig = whole.find("signature");
  if (sig == whole.end() || !sig->is_string()) {
    return fail(Errc::kEndorsementInvalid, what + " has no 'signature' string");
  }
  auto signature = from_hex(sig->get<std::string>());
  if (!signature || signature->size() != 64) {
    return fail(Errc::kEndorsementInvalid, what + ": 'signature' is not 64 bytes of hex (r || s)");
  }
  std::size_t taken = 0;
  MemberSpan span(&taken, member);
  CountingIterator first(body.data(), body.data(), &taken);
  CountingIterator last(body.data() + body.size(), body.data(), nullptr);
  json::sax_parse(first, last, &span);
  if (!span.begin_ || !span.end_ || *span.end_ <= *span.begin_ || *span.end_ > body.size()) {
    return fail(Errc::kEndorsementInvalid, what + ": cannot find the exact text of '" + member + "'");
  }
  std::string text(body.substr(*span.begin_, *span.end_ - *span.begin_));
  json again = json::parse(text, nullptr, false);
  if (again.is_discarded() || again != *m) {
    return fail(Errc::kEndorsementInvalid,
                what + ": the text cut out for '" + member + "' is not its value");
  }
  return SignedDocument{std::move(text), std::move(*signature)};
}

Result<TcbInfo> check_tcb_info(std::string_view issuer_chain, std::string_view text,
                               ByteView signature, const CollateralRequest& request,
                               const x509::Certificate& root) {
  auto signer = signing_cert(issuer_chain, root, "the TCB Info issuer chain");
  if (!signer) return std::unexpected(signer.error());
  if (auto ok = signed_by(*signer, text, signature, "TCB Info"); !ok) return std::unexpected(ok.error());
  auto info = parse_tcb_info(text);
  if (!info) return std::unexpected(info.error());
  if (info->id != to_string(request.tee)) {
    return fail(Errc::kEndorsementInvalid, "TCB Info for " + info->id + ", not the " +
                                               std::string(to_string(request.tee)) + " asked for");
  }
  if (info->fmspc != request.fmspc) {
    return fail(Errc::kEndorsementInvalid, "TCB Info for FMSPC " + to_hex(info->fmspc) +
                                               ", not the " + request.fmspc_hex() + " asked for");
  }
  return info;
}

Result<EnclaveIdentity> check_qe_identity(std::string_view issuer_chain, std::string_view text,
                                          ByteView signature, Tee tee,
                                          const x509::Certificate& root) {
  auto signer = signing_cert(issuer_chain, root, "the QE Identity issuer chain");
  if (!signer) return std::unexpected(signer.error());
  if (auto ok = signed_by(*signer, text, signature, "QE Identity"); !ok) {
    return std::unexpected(ok.error());
  }
  auto identity = parse_enclave_identity(text);
  if (!identity) return std::unexpected(identity.error());
  const char* want = tee == Tee::kTdx ? "TD_QE" : "QE";
  if (identity->id != want) {
    return fail(Errc::kEndorsementInvalid, "QE Identity '" + identity->id + "', not the '" + want +
                                               "' of " + std::string(to_string(tee)));
  }
  return identity;
}

Result<Bytes> crl_der(ByteView crl) {
  std::string_view text(reinterpret_cast<const char*>(crl.data()), crl.size());
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) {
    text.remove_suffix(1);
  }
  if (!text.empty() && text.find_first_not_of("0123456789abcdefABCDEF") == std::string_view::npos) {
    auto der = from_hex(text);
    if (!der) return fail(Errc::kEndorsementInvalid, "the CRL is not valid hex: " + der.error().message);
    return der;
  }
  auto loaded = x509::Crl::load(crl);
  if (!loaded) return fail(Errc::kEndorsementInvalid, "not a CRL: " + loaded.error().message);
  return loaded->der();
}

Result<x509::Crl> check_pck_crl(std::string_view issuer_chain, ByteView crl, PckCa ca,
                                const x509::Certificate& root) {
  auto issuer = signing_cert(issuer_chain, root, "the PCK CRL issuer chain");
  if (!issuer) return std::unexpected(issuer.error());
  if (issuer->subject_cn() != ca_cn(ca)) {
    return fail(Errc::kEndorsementInvalid, "the PCK CRL issuer chain is for " + cn(*issuer) +
                                               ", not the '" + ca_cn(ca) + "' asked for");
  }
  auto der = crl_der(crl);
  if (!der) return std::unexpected(der.error());
  auto loaded = x509::Crl::load(*der);
  if (!loaded) return fail(Errc::kEndorsementInvalid, "the PCK CRL: " + loaded.error().message);
  if (auto ok = loaded->verify_signed_by(*issuer); !ok) {
    return fail(Errc::kEndorsementInvalid,
                "the PCK CRL is not signed by " + cn(*issuer) + ": " + ok.error().message);
  }
  return loaded;
}

Result<x509::Crl> check_root_ca_crl(ByteView crl, const x509::Certificate& root) {
  auto der = crl_der(crl);
  if (!der) return std::unexpected(der.error());
  auto loaded = x509::Crl::load(*der);
  if (!loaded) return fail(Errc::kEndorsementInvalid, "the root CA CRL: " + loaded.error().message);
  if (auto ok = loaded->verify_signed_by(root); !ok) {
    return fail(Errc::kEndorsementInvalid,
                "the root CA CRL is not signed by the pinned " + cn(root) + ": " + ok.error().message);
  }
  return loaded;
}

}  // namespace veritee::tdx
