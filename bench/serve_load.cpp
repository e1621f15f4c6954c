// veritee_serve_load: a closed-loop HTTP load generator for `veritee serve` on loopback.
//
//   veritee_serve_load --host 127.0.0.1 --port P [--port P2 ...] --path /PATH --body FILE
//                      [--content-type T] [--connections C] [--seconds S] [--warmup S]
//                      [--expect-status 200] [--fresh] [--challenge /v1/challenge]
//
// C keep-alive connections (one thread each) POST the body back to back for S seconds after
// a warm-up; prints ONE JSON line: {requests, errors, seconds, rps, p50_ms, p90_ms, p99_ms,
// max_ms, status}. A response with another status than expected counts as an error (its
// latency is not in the percentiles), so a server that rejects everything cannot look fast.
//
// Several --port: thread i posts to the i-th port (round robin), e.g. replicas of a fleet.
// --challenge PATH: each request is a nonce round trip: POST PATH on the next port (another
// replica when there are several), its JSON "nonce" put into the body's JSON, then the POST;
// one request and one latency sample per pair.
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace {

struct Options {
  std::string host = "127.0.0.1";
  std::vector<int> ports;
  std::string challenge;  // empty: no nonce round trip
  std::string path = "/";
  std::string body_file;
  std::string content_type = "application/json";
  int connections = 2;
  double seconds = 5;
  double warmup = 1;
  int expect_status = 200;
  bool fresh = false;
};

[[noreturn]] void usage(const std::string& why) {
  std::cerr << "veritee_serve_load: " << why
            << "\nusage: veritee_serve_load --port P --path /PATH --body FILE [--host H] "
               "[--content-type T] [--connections C] [--seconds S] [--warmup S] "
               "[--expect-status N] [--fresh] [--challenge PATH]\n";
  std::exit(2);
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) usage(a + " needs a value");
      return argv[++i];
    };
    if (a == "--host") o.host = value();
    else if (a == "--port") o.ports.push_back(std::stoi(value()));
    else if (a == "--challenge") o.challenge = value();
    else if (a == "--path") o.path = value();
    else if (a == "--body") o.body_file = value();
    else if (a == "--content-type") o.content_type = value();
    else if (a == "--connections") o.connections = std::stoi(value());
    else if (a == "--seconds") o.seconds = std::stod(value());
    else if (a == "--warmup") o.warmup = std::stod(value());
    else if (a == "--expect-status") o.expect_status = std::stoi(value());
    else if (a == "--fresh") o.fresh = true;
    else usage("unknown argument " + a);
  }
  if (o.ports.empty()) usage("--port is required");
  for (int p : o.ports) {
    if (p <= 0 || p > 65535) usage("--port must be 1 to 65535");
  }
  if (o.body_file.empty()) usage("--body is required");
  if (o.connections < 1) usage("--connections must be at least 1");
  return o;
}

double percentile(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return 0;
  auto idx = static_cast<std::size_t>(q * static_cast<double>(sorted.size() - 1) + 0.5);
  return sorted[std::min(idx, sorted.size() - 1)];
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = parse(argc, argv);
  std::ifstream in(o.body_file, std::ios::binary);
  if (!in) usage("cannot read " + o.body_file);
  const std::string body((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());

  using Clock = std::chrono::steady_clock;
  std::atomic<bool> measuring{false};
  std::atomic<bool> stop{false};
  std::mutex mutex;
  std::vector<double> latencies_ms;
  std::map<int, long> status;
  long errors = 0;

  // A client on a port with the run's settings.
  auto client_on = [&](int port) {
    auto c = std::make_unique<httplib::Client>(o.host, port);
    c->set_keep_alive(!o.fresh);
    c->set_tcp_nodelay(true);  // headers and body go out as separate writes: no Nagle stall
    c->set_connection_timeout(5);
    c->set_read_timeout(30);
    return c;
  };
  nlohmann::json body_json;
  if (!o.challenge.empty()) {
    body_json = nlohmann::json::parse(body, nullptr, false);
    if (!body_json.is_object()) usage("--challenge needs a JSON object in --body");
  }

  auto worker = [&](std::size_t index) {
    auto client = client_on(o.ports[index % o.ports.size()]);
    auto issuer = client_on(o.ports[(index + 1) % o.ports.size()]);
    std::vector<double> mine;
    std::map<int, long> my_status;
    long my_errors = 0;
    while (!stop.load(std::memory_order_relaxed)) {
      const bool counted = measuring.load(std::memory_order_relaxed);
      auto t0 = Clock::now();
      int code = 0;
      if (!o.challenge.empty()) {
        auto nonce = issuer->Post(o.challenge.c_str(), "", o.content_type.c_str());
        auto j = nonce && nonce->status == 200 ? nlohmann::json::parse(nonce->body, nullptr, false) : nlohmann::json();
        if (!j.is_object() || !j.contains("nonce")) {
          code = nonce ? 1000 + nonce->status : -2;  // the challenge failed: 1000 + its status
        } else {
          nlohmann::json with = body_json;
          with["nonce"] = j["nonce"];
          auto res = client->Post(o.path.c_str(), with.dump(), o.content_type.c_str());
          code = res ? res->status : -1;
        }
      } else {
        auto res = client->Post(o.path.c_str(), body, o.content_type.c_str());
        code = res ? res->status : -1;
      }
      auto t1 = Clock::now();
      if (!counted) continue;
      ++my_status[code];
      if (code != o.expect_status) {
        ++my_errors;
        continue;
      }
      mine.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
    }
    std::lock_guard lock(mutex);
    latencies_ms.insert(latencies_ms.end(), mine.begin(), mine.end());
    for (auto [k, v] : my_status) status[k] += v;
    errors += my_errors;
  };

  std::vector<std::thread> pool;
  for (int i = 0; i < o.connections; ++i) pool.emplace_back(worker, static_cast<std::size_t>(i));
  std::this_thread::sleep_for(std::chrono::duration<double>(o.warmup));
  measuring = true;
  auto start = Clock::now();
  std::this_thread::sleep_for(std::chrono::duration<double>(o.seconds));
  measuring = false;
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  stop = true;
  for (auto& t : pool) t.join();

  std::sort(latencies_ms.begin(), latencies_ms.end());
  std::ostringstream status_json;
  status_json << '{';
  bool first = true;
  for (auto [k, v] : status) {
    status_json << (first ? "" : ",") << '"' << k << "\":" << v;
    first = false;
  }
  status_json << '}';
  char line[512];
  std::snprintf(line, sizeof line,
                "{\"requests\":%zu,\"errors\":%ld,\"seconds\":%.3f,\"rps\":%.2f,\"p50_ms\":%.3f,"
                "\"p90_ms\":%.3f,\"p99_ms\":%.3f,\"max_ms\":%.3f,\"connections\":%d,\"fresh\":%s,"
                "\"ports\":%zu,\"challenge\":%s,\"status\":",
                latencies_ms.size(), errors, elapsed,
                static_cast<double>(latencies_ms.size()) / elapsed, percentile(latencies_ms, 0.50),
                percentile(latencies_ms, 0.90), percentile(latencies_ms, 0.99),
                latencies_ms.empty() ? 0.0 : latencies_ms.back(), o.connections,
                o.fresh ? "true" : "false", o.ports.size(), o.challenge.empty() ? "false" : "true");
  std::cout << line << status_json.str() << "}\n";
  return latencies_ms.empty() ? 1 : 0;
}
