#include "mock_kds.hpp"

#include "support/loopback_http.hpp"

#include <stdexcept>

namespace veritee::test {

namespace {

std::string spl_param(const httplib::Request& req, const char* name) {
  return req.has_param(name) ? req.get_param_value(name) : std::string("(absent)");
}

std::string spl_text(std::optional<std::uint8_t> spl) {
  return spl ? std::to_string(*spl) : std::string("(absent)");
}

}  // namespace

MockKds::MockKds() {
  http_ = std::make_unique<LoopbackHttp>(
      "mock KDS", [this](const httplib::Request& req, httplib::Response& res) { handle(&req, &res); });
}

MockKds::~MockKds() = default;

std::string MockKds::url() const { return http_->url(); }

void MockKds::add_vcek(snp::Product product, const x509::Certificate& vcek) {
  auto ext = vcek.amd_extensions().value();
  Bytes hw_id = ext.hw_id.value();
  if (product == snp::Product::kTurin && hw_id.size() > 8) hw_id.resize(8);
  const std::string path =
      "/vcek/v1/" + std::string(snp::kds_name(product)) + "/" + to_hex(hw_id);
  std::lock_guard lock(mutex_);
  vceks_[path] = Vcek{product, vcek.der(), ext};
}

void MockKds::add(const std::string& path, Bytes body) {
  std::lock_guard lock(mutex_);
  objects_[path] = std::move(body);
}

void MockKds::inject(const std::string& prefix, MockResponse response, int times) {
  std::lock_guard lock(mutex_);
  for (int i = 0; i < times; ++i) faults_.emplace_back(prefix, response);
}

void MockKds::set_delay(std::chrono::milliseconds delay) {
  std::lock_guard lock(mutex_);
  delay_ = delay;
}

std::size_t MockKds::requests() const {
  std::lock_guard lock(mutex_);
  return paths_.size();
}

std::size_t MockKds::requests(const std::string& prefix) const {
  std::lock_guard lock(mutex_);
  std::size_t n = 0;
  for (const auto& p : paths_) n += p.starts_with(prefix) ? 1 : 0;
  return n;
}

std::vector<std::string> MockKds::errors() const {
  std::lock_guard lock(mutex_);
  return errors_;
}

std::vector<std::string> MockKds::user_agents() const {
  std::lock_guard lock(mutex_);
  return agents_;
}

void MockKds::handle(const void* request, void* response) {
  const auto& req = *static_cast<const httplib::Request*>(request);
  auto& res = *static_cast<httplib::Response*>(response);
  std::optional<MockResponse> fault;
  std::optional<Bytes> body;
  std::chrono::milliseconds delay;
  {
    std::lock_guard lock(mutex_);
    paths_.push_back(req.path);
    agents_.push_back(req.get_header_value("User-Agent"));
    delay = delay_;
    for (auto it = faults_.begin(); it != faults_.end(); ++it) {
      if (req.path.starts_with(it->first)) {
        fault = it->second;
        faults_.erase(it);
        break;
      }
    }
    if (auto it = objects_.find(req.path); it != objects_.end()) body = it->second;
    if (auto it = vceks_.find(req.path); it != vceks_.end()) {
      // AMD doc 57230, section 4.1: the SPLs as query parameters; fmcSPL for Turin only.
      const auto& ext = it->second.ext;
      std::string mismatch;
      auto expect = [&](const char* name, std::optional<std::uint8_t> want) {
        const std::string got = spl_param(req, name);
        if (got != spl_text(want)) {
          mismatch += std::string(" ") + name + "=" + got + " (VCEK has " + spl_text(want) + ")";
        }
      };
      expect("blSPL", ext.bl_spl);
      expect("teeSPL", ext.tee_spl);
      expect("snpSPL", ext.snp_spl);
      expect("ucodeSPL", ext.ucode_spl);
      expect("fmcSPL", it->second.product == snp::Product::kTurin ? ext.fmc_spl : std::nullopt);
      if (req.params.size() != (it->second.product == snp::Product::kTurin ? 5U : 4U)) {
        mismatch += " " + std::to_string(req.params.size()) + " query parameters";
      }
      if (mismatch.empty()) {
        body = it->second.der;
      } else {
        errors_.push_back(req.path + ":" + mismatch);
      }
    }
  }
  if (fault) delay += fault->delay;
  if (delay.count() > 0) std::this_thread::sleep_for(delay);

  MockResponse answer = fault.value_or(MockResponse{});
  if (answer.status == 200 && answer.use_registered && answer.body.empty()) {
    if (!body) {
      res.status = 404;
      res.set_content("Not Found", "text/plain");
      return;
    }
    answer.body = *body;
  }
  answer_loopback(res, answer.status, answer.retry_after, std::string(answer.body.begin(), answer.body.end()),
                  answer.truncate, "application/octet-stream");
}

}  // namespace veritee::test
