#include "rats/rats_fixture.hpp"
#include "rats/http_result.hpp"

#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <openssl/evp.h>

#include <algorithm>
#include <thread>

#include "veritee/rats/attest_client.hpp"
#include "veritee/rats/nonce.hpp"
#include "veritee/tdx/verify.hpp"

namespace veritee::test {

TestClock::TestClock()
    : seconds_(std::chrono::duration_cast<std::chrono::seconds>(
                   std::chrono::system_clock::now().time_since_epoch())
                   .count()) {}

void TestClock::set(veritee::TimePoint t) {
  seconds_ = std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

veritee::TimePoint TestClock::now() const { return veritee::TimePoint(std::chrono::seconds(seconds_.load())); }

namespace {

httplib::Client client(int port) {
  httplib::Client c("127.0.0.1", port);
  c.set_connection_timeout(std::chrono::seconds(10));
  c.set_read_timeout(std::chrono::seconds(30));
  return c;
}

}  // namespace

HttpResult http_post(int port, const std::string& path, const std::string& body) {
  auto c = client(port);
  return to_http_result(c.Post(path, body, "application/json"));
}

int connect_loopback(int port, int timeout_seconds) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  timeval tv{timeout_seconds, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  return fd;
}

HttpResult http_get(int port, const std::string& path) {
  auto c = client(port);
  return to_http_result(c.Get(path));
}

std::string inspector_text(const Bytes& file) {
  for (std::uint8_t c : file) {
    if (!(c == '\n' || c == '\r' || c == '\t' || (c >= 0x20 && c < 0x7f))) return to_base64(file);
  }
  return std::string(file.begin(), file.end());
}

TestServer::TestServer(ServerOptions o) {
  auto key = rats::SigningKey::generate(o.alg);
  if (!key) throw std::runtime_error(key.error().message);
  key_ = *key;
  rats::ServiceConfig config;
  config.host = "127.0.0.1";
  config.port = 0;
  config.key = *key_;
  config.nonces = o.nonces;
  config.nonce_ttl = o.nonce_ttl;
  config.replay_capacity = o.replay_capacity;
  config.threads = o.threads;
  config.max_body = o.max_body;
  config.read_timeout = o.read_timeout;
  config.request_deadline = o.request_deadline;
  config.max_connections = o.max_connections;
  config.client_rate = o.client_rate;
  config.client_burst = o.client_burst;
  config.appraiser.policy = o.policy;
  config.appraiser.roots = o.roots;
  config.appraiser.crl = rats::CrlMode::kIfAvailable;
  config.appraiser.clock = clock_.clock();
  const snp::TrustStore* roots = o.roots;
  if (o.cache_dir) cache_ = std::make_unique<endorse::EndorsementCache>(*o.cache_dir);
  // Offline: endorsements from the request or the cache (tests never reach the network).
  config.appraiser.endorsements = [roots, cache = cache_.get()](const snp::Report& report,
                                                                const endorse::ResolveRequest& req) {
    return endorse::EndorsementResolver(*roots, nullptr, cache, nullptr).resolve(report, req);
  };
  // DCAP collateral not in the request: from the cache only (none: 422).
  config.appraiser.collateral = [cache = cache_.get()](const tdx::CollateralRequest& request,
                                                       veritee::TimePoint at) {
    return endorse::PcsFetcher(tdx::intel_sgx_root_ca(), nullptr, cache, nullptr, "", at).collateral(request);
  };
  config.log = [this](std::string_view line) {
    std::lock_guard lock(log_mutex_);
    logs_.emplace_back(line);
  };
  auto created = rats::VerifierService::create(std::move(config));
  if (!created) throw std::runtime_error(created.error().message);
  service_ = std::move(*created);
  if (auto ok = service_->start(); !ok) throw std::runtime_error(ok.error().message);
}

TestServer::~TestServer() { service_.reset(); }

std::vector<std::string> TestServer::logs() const {
  std::lock_guard lock(log_mutex_);
  return logs_;
}

std::string TestServer::metrics_containing(std::string_view needle) {
  std::string m;
  for (int i = 0; i < 200; ++i) {
    m = get("/metrics").body;
    if (m.find(needle) != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return m;
}

HttpResult TestServer::attest(const rats::Submission& s) {
  return post("/v1/attest", rats::submission_json(s).dump());
}

Bytes TestServer::challenge() {
  auto r = post("/v1/challenge", "{}");
  auto j = r.json();
  if (r.status != 200 || !j.is_object() || !j.contains("nonce")) {
    ADD_FAILURE() << "challenge failed: " << r.status << " " << r.body << r.error;
    return {};
  }
  auto nonce = from_base64(j["nonce"].get<std::string>());
  return nonce ? *nonce : Bytes{};
}

verify::AppraisalPolicy policy_from(std::string_view toml) {
  auto p = rats::parse_policy(toml, "test.toml");
  if (!p) {
    ADD_FAILURE() << p.error().message;
    return verify::AppraisalPolicy{};
  }
  return *p;
}

verify::AppraisalPolicy no_nonce_policy() { return policy_from("require_nonce = false\n"); }

rats::Submission submission_of(const ManifestRow& row) {
  rats::Submission s;
  Bytes input = decoded_input(row);
  if (row.container().starts_with("azure-hcl")) s.hcl = input;
  else s.report = input;
  if (row.has_signer()) {
    auto certs = x509::Certificate::load_file(corpus_path(row.signer));
    if (certs && !certs->empty()) s.vcek = certs->front().der();
    else ADD_FAILURE() << "cannot load " << row.signer;
  }
  return s;
}

std::vector<ManifestRow> signed_rows() {
  return manifest_rows([](const ManifestRow& r) { return r.has_signer(); });
}

std::optional<ManifestRow> corpus_row(const std::function<bool(const ManifestRow&)>& pred) {
  return find_row([&](const ManifestRow& r) { return r.has_signer() && pred(r); });
}

Resigner::Resigner(const ManifestRow& row)
    : row_(row), report_(report_bytes_of(row)), pki_(make_test_pki(*row.product_value(), report_)) {}

Bytes Resigner::report_with(const Bytes& report_data) const {
  Bytes report = report_;
  std::copy(report_data.begin(), report_data.end(), report.begin() + 0x50);
  return sign_report(report, pki_.vcek_key.get());
}

Bytes Resigner::hcl_with_user_data(const Bytes& user_data) const {
  Bytes blob = decoded_input(row_);
  // IGVM request data at 0x4C0: u32 data_size, version, report_type, hash_type,
  // variable_data_size, then the runtime claims JSON (DESIGN.md 3.8).
  const std::size_t base = 0x4C0;
  const std::uint32_t claims_size = le32(blob, base + 16);
  std::string text(blob.begin() + base + 20, blob.begin() + base + 20 + claims_size);
  auto claims = nlohmann::json::parse(text);
  claims["user-data"] = to_hex(user_data);
  const std::string fresh = claims.dump();
  Bytes out(blob.begin(), blob.begin() + base);
  auto put32 = [&](std::uint32_t v) {
    for (int i = 0; i < 4; ++i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
  };
  put32(static_cast<std::uint32_t>(20 + fresh.size()));
  put32(le32(blob, base + 4));
  put32(le32(blob, base + 8));
  put32(1);  // hash_type: SHA-256
  put32(static_cast<std::uint32_t>(fresh.size()));
  out.insert(out.end(), fresh.begin(), fresh.end());
  // REPORT_DATA[0:32] = SHA-256(claims), computed here with OpenSSL directly.
  unsigned char digest[32];
  unsigned int len = 0;
  EVP_Digest(fresh.data(), fresh.size(), digest, &len, EVP_sha256(), nullptr);
  Bytes report(out.begin() + 0x20, out.begin() + 0x20 + 0x4A0);
  std::fill(report.begin() + 0x50, report.begin() + 0x90, 0);
  std::copy(digest, digest + 32, report.begin() + 0x50);
  Bytes signed_report = sign_report(report, pki_.vcek_key.get());
  std::copy(signed_report.begin(), signed_report.end(), out.begin() + 0x20);
  return out;
}

}  // namespace veritee::test
