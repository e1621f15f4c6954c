#include "tdx/fake_pcs.hpp"

#include "support/loopback_http.hpp"

#include <cstdio>
#include <stdexcept>

namespace veritee::test {
namespace {

// RFC 3986 percent-encoding of everything but unreserved characters, as PCS encodes its
// issuer-chain headers.
std::string url_encode(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

}  // namespace

FakePcs::FakePcs(tdx::Collateral collateral) : collateral_(std::move(collateral)) {
  http_ = std::make_unique<LoopbackHttp>(
      "fake PCS", [this](const httplib::Request& req, httplib::Response& res) { handle(&req, &res); });
}

FakePcs::~FakePcs() = default;

std::string FakePcs::url() const { return http_->url(); }

void FakePcs::serve(tdx::Collateral collateral) {
  std::lock_guard lock(mutex_);
  collateral_ = std::move(collateral);
}

void FakePcs::inject(const std::string& prefix, PcsFault fault, int times) {
  std::lock_guard lock(mutex_);
  for (int i = 0; i < times; ++i) faults_.emplace_back(prefix, fault);
}

std::size_t FakePcs::requests() const {
  std::lock_guard lock(mutex_);
  return targets_.size();
}

std::vector<std::string> FakePcs::targets() const {
  std::lock_guard lock(mutex_);
  return targets_;
}

void FakePcs::handle(const void* request, void* response) {
  const auto& req = *static_cast<const httplib::Request*>(request);
  auto& res = *static_cast<httplib::Response*>(response);
  std::optional<PcsFault> fault;
  tdx::Collateral c;
  {
    std::lock_guard lock(mutex_);
    std::string target = req.path;
    for (const auto& [k, v] : req.params) target += (target == req.path ? "?" : "&") + k + "=" + v;
    targets_.push_back(target);
    for (auto it = faults_.begin(); it != faults_.end(); ++it) {
      if (req.path.starts_with(it->first)) {
        fault = it->second;
        faults_.erase(it);
        break;
      }
    }
    c = collateral_;
  }
  PcsFault f = fault.value_or(PcsFault{});
  if (f.delay.count() > 0) std::this_thread::sleep_for(f.delay);

  std::string body, header, chain;
  const std::string& p = req.path;
  const bool tdx_path = p.starts_with("/tdx/");
  if (p.ends_with("/certification/v4/tcb") && req.has_param("fmspc")) {
    auto info = tdx::parse_tcb_info(c.tcb_info);
    const bool tee_ok = info && (info->id == "TDX") == tdx_path;
    std::string want = req.get_param_value("fmspc");
    if (!info || !tee_ok || to_hex(info->fmspc) != [&] {
          for (char& ch : want) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
          return want;
        }()) {
      res.status = 404;
      return;
    }
    body = "{\"tcbInfo\":" + c.tcb_info + ",\"signature\":\"" + to_hex(c.tcb_info_signature) + "\"}";
    header = "TCB-Info-Issuer-Chain";
    chain = c.tcb_info_issuer_chain;
  } else if (p.ends_with("/certification/v4/qe/identity")) {
    body = "{\"enclaveIdentity\":" + c.qe_identity + ",\"signature\":\"" +
           to_hex(c.qe_identity_signature) + "\"}";
    header = "SGX-Enclave-Identity-Issuer-Chain";
    chain = c.qe_identity_issuer_chain;
  } else if (p == "/sgx/certification/v4/pckcrl" && req.has_param("ca")) {
    body.assign(c.pck_crl.begin(), c.pck_crl.end());
    header = "SGX-PCK-CRL-Issuer-Chain";
    chain = c.pck_crl_issuer_chain;
  } else if (p == "/sgx/certification/v4/rootcacrl") {
    body = to_hex(c.root_ca_crl);
  } else {
    res.status = 404;
    return;
  }
  if (!f.body.empty()) body = f.body;
  if (!header.empty() && !f.drop_chain) res.set_header(header, url_encode(chain));
  answer_loopback(res, f.status, f.retry_after, std::move(body), f.truncate, "application/json");
}

}  // namespace veritee::test
