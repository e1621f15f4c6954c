// Endorsement sources in their fixed order: certificate table, explicit files, offline bundle,
// cache, KDS (docs/endorsements.md).
#include "veritee/endorse/endorsement_resolver.hpp"

#include "veritee/endorse/cache_entries.hpp"
#include "veritee/endorse/crl_keeper.hpp"
#include "veritee/snp/report_format.hpp"

namespace veritee::endorse {

namespace {

std::string join(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& part : parts) out += (out.empty() ? "" : "; ") + part;
  return out;
}

// Every certificate in the table entries with this role ("vcek", "vlek", "ask", "ark").
Result<std::vector<x509::Certificate>> table_certs(const std::vector<snp::CertTableEntry>& table,
                                                   std::string_view role) {
  std::vector<x509::Certificate> out;
  for (const auto& entry : table) {
    if (entry.role != role) continue;
    auto certs = x509::Certificate::load_all(entry.data);
    if (!certs) {
      return fail(Errc::kEndorsementInvalid, "certificate table entry " + entry.guid + " (" +
                                                 entry.role + "): " + certs.error().message);
    }
    for (auto& cert : *certs) out.push_back(std::move(cert));
  }
  return out;
}

// The product the signing certificate names, when it names one (the verifier reports a bad name).
std::optional<snp::Product> product_of(const x509::Certificate& signer) {
  auto ext = signer.amd_extensions();
  if (!ext) return std::nullopt;
  auto product = snp::product_of_signer(signer, *ext);
  return product ? *product : std::nullopt;
}

}  // namespace

Result<Resolution> EndorsementResolver::resolve(const snp::Report& report,
                                                const ResolveRequest& request) const {
  Resolution out;
  Endorsements& found = out.endorsements;
  const auto signing_key = report.key_info().signing_key();
  if (!signing_key || *signing_key == snp::SigningKey::kNone) {
    out.product = snp::decide_product(report, request.product, std::nullopt).product;
    out.provenance.push_back({"signer", Origin::kAbsent, "none: KEY_INFO.SIGNING_KEY is " +
                                            std::to_string(report.key_info().signing_key_field()) +
                                            ", neither VCEK (0) nor VLEK (1)"});
    return out;
  }
  const Line line = *signing_key == snp::SigningKey::kVlek ? Line::kVlek : Line::kVcek;
  const std::string signer_name = line == Line::kVlek ? "VLEK" : "VCEK";
  std::vector<std::string> tried;

  // 1. The certificate table. 2. Explicit files.
  auto table_signer = table_certs(request.cert_table, to_string(line));
  if (!table_signer) return std::unexpected(table_signer.error());
  if (!table_signer->empty()) {
    found.signer = table_signer->front();
    out.provenance.push_back({signer_name, Origin::kCertTable, "certificate table"});
  } else {
    tried.push_back(request.cert_table.empty()
                        ? "no certificate table"
                        : "the certificate table has no " + signer_name + " entry");
    if (request.files.signer) {
      found.signer = request.files.signer;
      out.provenance.push_back({signer_name, Origin::kFile, "file " + request.files.signer_path});
    } else {
      tried.push_back("no --vcek file");
    }
  }

  const auto context = snp::decide_product(
      report, request.product, found.signer ? product_of(*found.signer) : std::nullopt);
  out.product = context.product;

  // 3. Bundle, 4. cache, 5. KDS: looked up by product line, hwID and TCB.
  if (!found.signer) {
    if (!context.product) {
      tried.push_back("the product line is unknown (" + context.problem +
                      "), so no bundle, cache or KDS lookup; pass --product");
      return fail(Errc::kEndorsementMissing, "no " + signer_name + ": " + join(tried));
    }
    if (line == Line::kVlek) {
      tried.push_back("KDS does not serve VLEKs: the host provides them in the certificate "
                      "table (--cert-table) or pass the VLEK with --vcek");
      return fail(Errc::kEndorsementMissing, "no VLEK: " + join(tried));
    }
    auto vcek_request = VcekRequest::from_report(report, *context.product);
    if (!vcek_request) {
      tried.push_back(vcek_request.error().message);
      return fail(Errc::kEndorsementMissing, "no VCEK: " + join(tried));
    }
    if (bundle_) {
      auto hit = EndorsementFetcher(*roots_, bundle_, nullptr).vcek(*vcek_request);
      if (hit) {
        found.signer = std::move(hit->value);
        out.provenance.push_back({signer_name, hit->origin, hit->source});
      } else {
        tried.push_back(hit.error().message);
      }
    }
    if (!found.signer && (cache_ || client_)) {
      auto hit = EndorsementFetcher(*roots_, cache_, client_).vcek(*vcek_request);
      if (hit) {
        found.signer = std::move(hit->value);
        out.provenance.push_back({signer_name, hit->origin, hit->source});
      } else if (hit.error().code != Errc::kEndorsementMissing || client_) {
        // KDS was asked: its answer (404, bad certificate, network) is the reason.
        return fail(hit.error().code, "no usable VCEK: " + join(tried) + "; " +
                                          hit.error().message);
      } else {
        tried.push_back(hit.error().message);
      }
    }
    if (!found.signer) {
      if (!client_) {
        tried.push_back("KDS not asked (--offline): it would be GET " + vcek_path(*vcek_request));
      }
      return fail(Errc::kEndorsementMissing,
                  "no VCEK for " + vcek_request->describe() + ": " + join(tried));
    }
  }

  // The CA chain: table, files, bundle, cache; otherwise the pinned roots (never fetched).
  std::vector<x509::Certificate> chain;
  for (std::string_view role : {"ask", "ark"}) {
    auto certs = table_certs(request.cert_table, role);
    if (!certs) return std::unexpected(certs.error());
    for (auto& cert : *certs) chain.push_back(std::move(cert));
  }
  if (!chain.empty()) {
    out.provenance.push_back({"chain", Origin::kCertTable, "certificate table"});
  } else if (!request.files.chain.empty()) {
    chain = request.files.chain;
    out.provenance.push_back({"chain", Origin::kFile, "file " + request.files.chain_path});
  } else if (context.product) {
    for (EndorsementCache* source : {bundle_, cache_}) {
      if (!source || !chain.empty()) continue;
      if (auto hit = EndorsementFetcher(*roots_, source, nullptr).chain(*context.product, line)) {
        chain = std::move(hit->value);
        out.provenance.push_back({"chain", hit->origin, hit->source});
      }
    }
  }
  if (chain.empty()) out.provenance.push_back({"chain", Origin::kPinned, "pinned (built in)"});
  found.chain = std::move(chain);

  // The CRL: files, bundle, cache, KDS -- when asked for.
  if (request.crl == CrlPolicy::kOff) {
    out.provenance.push_back({"CRL", Origin::kNotUsed, "not used: --no-crl"});
    return out;
  }
  if (request.files.crl) {
    found.crl = request.files.crl;
    out.provenance.push_back({"CRL", Origin::kFile, "file " + request.files.crl_path});
    return out;
  }
  std::vector<std::string> crl_tried;
  if (!context.product) {
    crl_tried.push_back("the product line is unknown (" + context.problem + ")");
  } else {
    if (bundle_) {
      auto hit = EndorsementFetcher(*roots_, bundle_, nullptr).crl(*context.product, line);
      if (hit) {
        found.crl = std::move(hit->value);
        out.provenance.push_back({"CRL", hit->origin, hit->source});
        return out;
      }
      crl_tried.push_back(hit.error().message);
    }
    KdsClient* kds =
        request.crl == CrlPolicy::kRequired || request.crl == CrlPolicy::kPrefer ? client_ : nullptr;
    if (keeper_) {  // held in memory: never a fetch at request time
      if (auto held = keeper_->current(*context.product, line)) {
        found.crl = std::move(held->crl);
        out.provenance.push_back({"CRL", Origin::kCache, "held in memory, from " + held->source});
        return out;
      }
      crl_tried.push_back("no current CRL held: " + keeper_->why_not_current(*context.product, line));
    } else if (cache_ || kds) {
      auto hit = EndorsementFetcher(*roots_, cache_, kds).crl(*context.product, line);
      if (hit) {
        found.crl = std::move(hit->value);
        out.provenance.push_back({"CRL", hit->origin, hit->source});
        return out;
      }
      crl_tried.push_back(hit.error().message);
    }
  }
  if (request.crl == CrlPolicy::kRequired) {
    return fail(Errc::kEndorsementMissing,
                "no CRL (CRL checking is on when online; --no-crl turns it off): " +
                    join(crl_tried));
  }
  out.provenance.push_back({"CRL", Origin::kAbsent, std::string(client_ && request.crl == CrlPolicy::kPrefer
                                                   ? "none available, not checked"
                                                   : "none available offline, not checked") +
                                       (crl_tried.empty() ? "" : " (" + join(crl_tried) + ")")});
  return out;
}

Result<std::vector<std::string>> add_to_bundle(EndorsementCache& bundle,
                                               EndorsementFetcher& source,
                                               const snp::Report& report,
                                               std::optional<snp::Product> product, bool with_crl,
                                               const snp::TrustStore& roots) {
  const auto context = snp::decide_product(report, product, std::nullopt);
  if (!context.product) {
    return fail(Errc::kEndorsementMissing,
                "product line unknown (" + context.problem + "); pass --product");
  }
  const snp::Product p = *context.product;
  const auto signing_key = report.key_info().signing_key();
  const Line line = signing_key == snp::SigningKey::kVlek ? Line::kVlek : Line::kVcek;
  std::vector<std::string> written;
  auto store = [&](const CacheEntry& entry, ByteView bytes) -> Result<void> {
    auto stored = bundle.put(entry, bytes);
    if (!stored) return std::unexpected(stored.error());
    written.push_back(entry.key);
    return {};
  };
  if (line == Line::kVcek) {
    auto request = VcekRequest::from_report(report, p);
    if (!request) return fail(Errc::kEndorsementMissing, request.error().message);
    auto vcek = source.vcek(*request);
    if (!vcek) return std::unexpected(vcek.error());
    if (auto ok = store(vcek_entry(*request, roots), vcek->bytes); !ok) {
      return std::unexpected(ok.error());
    }
  }
  auto chain = source.chain(p, line);
  if (!chain) return std::unexpected(chain.error());
  if (auto ok = store(chain_entry(p, line, roots), chain->bytes); !ok) {
    return std::unexpected(ok.error());
  }
  if (with_crl) {
    auto crl = source.crl(p, line);
    if (!crl) return std::unexpected(crl.error());
    if (auto ok = store(crl_entry(p, line, roots), crl->bytes); !ok) {
      return std::unexpected(ok.error());
    }
  }
  if (line == Line::kVlek) {
    return fail(Errc::kEndorsementMissing,
                "the report is VLEK-signed and KDS does not serve VLEKs: the bundle holds the "
                "chain" + std::string(with_crl ? " and CRL" : "") +
                    "; pass the VLEK to verify with --vcek");
  }
  return written;
}

}  // namespace veritee::endorse
