#include "veritee/tdx/pck.hpp"

#include <cstdlib>
#include <memory>
#include <string>

#include <openssl/asn1.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

namespace veritee::tdx {
namespace {

// PCK profile section 1.3.5, Table "SGX Extensions".
constexpr const char* kOidSgxExtensions = "1.2.840.113741.1.13.1";
constexpr std::string_view kArc = "1.2.840.113741.1.13.1.";

struct SeqDeleter {
  void operator()(ASN1_SEQUENCE_ANY* s) const { sk_ASN1_TYPE_pop_free(s, ASN1_TYPE_free); }
};
using SeqPtr = std::unique_ptr<ASN1_SEQUENCE_ANY, SeqDeleter>;

std::unexpected<Error> bad(const std::string& what) {
  return fail(Errc::kEndorsementInvalid, "PCK certificate SGX extension: " + what);
}

// The elements of a DER SEQUENCE, which must be exactly `der`.
Result<SeqPtr> sequence(const unsigned char* der, long len, const std::string& what) {
  const unsigned char* p = der;
  SeqPtr seq(d2i_ASN1_SEQUENCE_ANY(nullptr, &p, len));
  if (!seq || p != der + len) return bad(what + " is not one DER SEQUENCE");
  return seq;
}

Result<SeqPtr> sequence_of(const ASN1_TYPE* t, const std::string& what) {
  if (ASN1_TYPE_get(t) != V_ASN1_SEQUENCE) return bad(what + " is not a SEQUENCE");
  const ASN1_STRING* s = t->value.sequence;
  return sequence(ASN1_STRING_get0_data(s), ASN1_STRING_length(s), what);
}

std::string oid_text(const ASN1_OBJECT* obj) {
  char buf[128];
  int n = OBJ_obj2txt(buf, sizeof buf, obj, 1);
  return n > 0 && static_cast<std::size_t>(n) < sizeof buf ? std::string(buf) : std::string();
}

// One SEQUENCE { OID, value } entry: the OID relative to the SGX arc ("4", "2.17") and the value.
struct Entry {
  std::string oid;
  const ASN1_TYPE* value = nullptr;
};

Result<Entry> entry(const ASN1_TYPE* t, SeqPtr& holder, const std::string& what) {
  auto seq = sequence_of(t, what);
  if (!seq) return std::unexpected(seq.error());
  holder = std::move(*seq);
  if (sk_ASN1_TYPE_num(holder.get()) != 2) return bad(what + " is not an (OID, value) pair");
  const ASN1_TYPE* oid = sk_ASN1_TYPE_value(holder.get(), 0);
  if (ASN1_TYPE_get(oid) != V_ASN1_OBJECT) return bad(what + " does not start with an OID");
  std::string text = oid_text(oid->value.object);
  if (!text.starts_with(kArc)) return bad(what + " has OID " + text + " outside the SGX arc");
  return Entry{text.substr(kArc.size()), sk_ASN1_TYPE_value(holder.get(), 1)};
}

Result<Bytes> octets(const Entry& e, std::size_t size) {
  if (ASN1_TYPE_get(e.value) != V_ASN1_OCTET_STRING) return bad(e.oid + " is not an OCTET STRING");
  const ASN1_STRING* s = e.value->value.octet_string;
  if (static_cast<std::size_t>(ASN1_STRING_length(s)) != size) {
    return bad(e.oid + " has " + std::to_string(ASN1_STRING_length(s)) + " bytes, not " +
               std::to_string(size));
  }
  const unsigned char* d = ASN1_STRING_get0_data(s);
  return Bytes(d, d + size);
}

Result<std::int64_t> integer(const Entry& e, int type, std::int64_t max) {
  std::int64_t v = -1;
  int got = ASN1_TYPE_get(e.value);
  bool ok = got == type &&
            (type == V_ASN1_INTEGER ? ASN1_INTEGER_get_int64(&v, e.value->value.integer)
                                    : ASN1_ENUMERATED_get_int64(&v, e.value->value.enumerated)) == 1;
  if (!ok || v < 0 || v > max) {
    return bad(e.oid + " is not " + (type == V_ASN1_INTEGER ? "an INTEGER" : "an ENUMERATED") +
               " in 0.." + std::to_string(max));
  }
  return v;
}

}  // namespace

Result<PckExtensions> pck_extensions(const x509::Certificate& pck) {
  static ASN1_OBJECT* const oid = OBJ_txt2obj(kOidSgxExtensions, 1);  // kept for the process
  int idx = X509_get_ext_by_OBJ(pck.native(), oid, -1);
  if (idx < 0) return bad("absent (" + std::string(kOidSgxExtensions) + ")");
  const ASN1_OCTET_STRING* data = X509_EXTENSION_get_data(X509_get_ext(pck.native(), idx));
  auto top = sequence(ASN1_STRING_get0_data(data), ASN1_STRING_length(data), "the extension");
  if (!top) return std::unexpected(top.error());

  PckExtensions out;
  bool have_ppid = false, have_tcb = false, have_pceid = false, have_fmspc = false,
       have_type = false;
  for (int i = 0; i < sk_ASN1_TYPE_num(top->get()); ++i) {
    SeqPtr holder;
    auto e = entry(sk_ASN1_TYPE_value(top->get(), i), holder, "entry " + std::to_string(i));
    if (!e) return std::unexpected(e.error());
    if (e->oid == "1") {
      auto v = octets(*e, 16);
      if (!v) return std::unexpected(v.error());
      out.ppid = std::move(*v);
      have_ppid = true;
    } else if (e->oid == "2") {
      auto tcb = sequence_of(e->value, "TCB (.2)");
      if (!tcb) return std::unexpected(tcb.error());
      unsigned seen = 0;  // bit n: component .2.n
      for (int j = 0; j < sk_ASN1_TYPE_num(tcb->get()); ++j) {
        SeqPtr inner;
        auto c = entry(sk_ASN1_TYPE_value(tcb->get(), j), inner, "TCB entry " + std::to_string(j));
        if (!c) return std::unexpected(c.error());
        if (!c->oid.starts_with("2.")) return bad("TCB entry " + c->oid + " outside .2");
        int n = std::atoi(c->oid.c_str() + 2);
        if (n >= 1 && n <= 16) {
          auto v = integer(*c, V_ASN1_INTEGER, 255);
          if (!v) return std::unexpected(v.error());
          out.cpusvn_components[static_cast<std::size_t>(n - 1)] = static_cast<std::uint8_t>(*v);
        } else if (n == 17) {
          auto v = integer(*c, V_ASN1_INTEGER, 0xFFFF);
          if (!v) return std::unexpected(v.error());
          out.pcesvn = static_cast<std::uint16_t>(*v);
        } else if (n == 18) {
          auto v = octets(*c, 16);
          if (!v) return std::unexpected(v.error());
          out.cpusvn = std::move(*v);
        } else {
          return bad("unknown TCB entry " + c->oid);
        }
        if (seen & (1u << n)) return bad("TCB entry " + c->oid + " appears twice");
        seen |= 1u << n;
      }
      if (seen != 0x7FFFEu) return bad("the TCB (.2) lacks some of its 18 entries");
      have_tcb = true;
    } else if (e->oid == "3") {
      auto v = octets(*e, 2);
      if (!v) return std::unexpected(v.error());
      out.pce_id = std::move(*v);
      have_pceid = true;
    } else if (e->oid == "4") {
      auto v = octets(*e, 6);
      if (!v) return std::unexpected(v.error());
      out.fmspc = std::move(*v);
      have_fmspc = true;
    } else if (e->oid == "5") {
      auto v = integer(*e, V_ASN1_ENUMERATED, 2);
      if (!v) return std::unexpected(v.error());
      out.sgx_type = *v;
      have_type = true;
    } else if (e->oid != "6" && e->oid != "7") {
      return bad("unknown entry " + e->oid);
    }
    // .6 PlatformInstanceID and .7 Configuration (Platform CA certificates) are not used here.
  }
  if (!have_ppid || !have_tcb || !have_pceid || !have_fmspc || !have_type) {
    return bad("one of PPID (.1), TCB (.2), PCE-ID (.3), FMSPC (.4), SGX Type (.5) is missing");
  }
  return out;
}

}  // namespace veritee::tdx
