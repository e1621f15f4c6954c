// A bounded load test on 127.0.0.1: 5,000 appraisals of real corpus evidence from 16
// concurrent keep-alive clients, zero errors allowed. Throughput and latency percentiles are
// printed, not asserted (the machine is shared).
#include <gtest/gtest.h>
#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <thread>

#include "rats/rats_fixture.hpp"
#include "veritee/rats/attest_client.hpp"

namespace veritee::test {
namespace {

constexpr int kRequests = 5000;
constexpr int kClients = 16;

TEST(Load, FiveThousandAppraisalsFromSixteenClients) {
  VERITEE_REQUIRE_CORPUS();
  // Evidence valid now (no `at`), raw reports, default policy passes them (no DEBUG).
  std::vector<std::string> bodies;
  for (const auto& row : signed_rows()) {
    if (row.at != "-" || !row.container().empty() || ((le64(report_bytes_of(row), 8) >> 19) & 1)) continue;
    bodies.push_back(rats::submission_json(submission_of(row)).dump());
  }
  ASSERT_GE(bodies.size(), 5u);

  ServerOptions o;
  o.policy = no_nonce_policy();
  o.threads = kClients;
  TestServer server(o);

  std::atomic<int> next{0}, errors{0};
  std::vector<std::vector<double>> latencies(kClients);
  std::vector<std::string> first_error(kClients);
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&, c] {
      httplib::Client client("127.0.0.1", server.port());
      client.set_keep_alive(true);
      client.set_tcp_nodelay(true);
      client.set_read_timeout(std::chrono::seconds(30));
      for (int i; (i = next++) < kRequests;) {
        const auto t0 = std::chrono::steady_clock::now();
        auto res = client.Post("/v1/attest", bodies[static_cast<std::size_t>(i) % bodies.size()], "application/json");
        latencies[static_cast<std::size_t>(c)].push_back(
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
        const bool ok = res && res->status == 200 && res->body.find("\"status\":\"affirming\"") != std::string::npos;
        if (!ok) {
          if (errors++ == 0) {
            first_error[static_cast<std::size_t>(c)] =
                res ? std::to_string(res->status) + " " + res->body.substr(0, 300) : httplib::to_string(res.error());
          }
        }
      }
    });
  }
  for (auto& t : clients) t.join();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  std::vector<double> all;
  for (auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
  std::sort(all.begin(), all.end());
  ASSERT_EQ(all.size(), static_cast<std::size_t>(kRequests));
  auto pct = [&](double p) { return all[static_cast<std::size_t>(p * static_cast<double>(all.size() - 1))]; };
  std::cout << "[ load     ] " << kRequests << " requests, " << kClients << " clients, " << server.port()
            << ": " << seconds << " s, " << static_cast<double>(kRequests) / seconds << " req/s, p50 "
            << pct(0.50) << " ms, p99 " << pct(0.99) << " ms, max " << all.back() << " ms\n";
  RecordProperty("throughput_rps", std::to_string(static_cast<double>(kRequests) / seconds));
  RecordProperty("p50_ms", std::to_string(pct(0.50)));
  RecordProperty("p99_ms", std::to_string(pct(0.99)));
  std::string why;
  for (auto& e : first_error) why += e;
  EXPECT_EQ(errors.load(), 0) << why;
  const std::string m = server.get("/metrics").body;
  EXPECT_NE(m.find("veritee_results_total{status=\"affirming\"} " + std::to_string(kRequests)), std::string::npos);
}

}  // namespace
}  // namespace veritee::test
