#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include "tsm_kernel.hpp"

namespace veritee::test {
namespace fs = std::filesystem;

namespace {

constexpr const char* kInputs[] = {"inblob", "privlevel"};
constexpr const char* kOutputs[] = {"provider", "generation", "outblob", "auxblob"};

void make_fifo(const fs::path& path) {
  if (::mkfifo(path.c_str(), 0600) < 0) {
    throw std::runtime_error("mkfifo " + path.string() + ": " + std::strerror(errno));
  }
}

}  // namespace

TsmKernel::TsmKernel(fs::path root, Config config)
    : root_(std::move(root)), config_(std::move(config)), thread_([this] { run(); }) {}

TsmKernel::~TsmKernel() {
  stop_ = true;
  thread_.join();
  for (auto& [name, e] : entries_) {
    ::close(e.inblob.fd);
    ::close(e.privlevel.fd);
  }
}

guest::TsmOptions TsmKernel::options() {
  guest::TsmOptions o;
  o.root = root_;
  o.make_entry = [this](const fs::path& dir) -> Result<void> {
    if (::mkdir(dir.c_str(), 0700) < 0) {
      return fail(Errc::kIo, "mkdir " + dir.string() + ": " + std::strerror(errno));
    }
    for (const char* name : kInputs) make_fifo(dir / name);
    for (const char* name : kOutputs) make_fifo(dir / name);
    Entry e;
    e.dir = dir;
    e.inblob.fd = ::open((dir / "inblob").c_str(), O_RDONLY | O_NONBLOCK);
    e.privlevel.fd = ::open((dir / "privlevel").c_str(), O_RDONLY | O_NONBLOCK);
    std::lock_guard lock(mutex_);
    created_.push_back(dir.filename());
    entries_.emplace(dir.filename(), std::move(e));
    return {};
  };
  o.remove_entry = [this](const fs::path& dir) -> Result<void> {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(dir.filename());
    if (it == entries_.end()) return fail(Errc::kIo, "rmdir " + dir.string() + ": no such entry");
    ::close(it->second.inblob.fd);
    ::close(it->second.privlevel.fd);
    entries_.erase(it);
    fs::remove_all(dir);
    removed_.push_back(dir.filename());
    return {};
  };
  return o;
}

std::vector<std::string> TsmKernel::created() const {
  std::lock_guard lock(mutex_);
  return created_;
}
std::vector<std::string> TsmKernel::removed() const {
  std::lock_guard lock(mutex_);
  return removed_;
}
std::optional<Bytes> TsmKernel::last_inblob() const {
  std::lock_guard lock(mutex_);
  return last_inblob_;
}
std::optional<std::string> TsmKernel::last_privlevel() const {
  std::lock_guard lock(mutex_);
  return last_privlevel_;
}

void TsmKernel::run() {
  while (!stop_) {
    {
      std::lock_guard lock(mutex_);
      for (auto& [name, e] : entries_) {
        drain(e);
        for (const char* output : kOutputs) serve(e, output);
      }
    }
    std::this_thread::sleep_for(std::chrono::microseconds(500));
  }
}

// Reads what writers left in inblob/privlevel; a writer's close (EOF after data) commits the
// value and bumps generation, as configfs does on release.
void TsmKernel::drain(Entry& e) {
  for (Input* in : {&e.inblob, &e.privlevel}) {
    std::uint8_t buf[256];
    for (;;) {
      ssize_t n = ::read(in->fd, buf, sizeof buf);
      if (n > 0) {
        in->pending.insert(in->pending.end(), buf, buf + n);
        continue;
      }
      if (n == 0 && !in->pending.empty()) {
        ++e.generation;
        if (in == &e.inblob) {
          e.inblob_value = in->pending;
          last_inblob_ = in->pending;
        } else {
          e.privlevel_value.assign(in->pending.begin(), in->pending.end());
          while (!e.privlevel_value.empty() && e.privlevel_value.back() == '\n') {
            e.privlevel_value.pop_back();
          }
          last_privlevel_ = e.privlevel_value;
        }
        in->pending.clear();
      }
      break;  // EOF with nothing pending, or EAGAIN: the writer is still busy
    }
  }
}

Bytes TsmKernel::produce(Entry& e, const std::string& name) {
  if (name == "provider") return Bytes(config_.provider.begin(), config_.provider.end());
  if (name == "generation") {
    std::string text = std::to_string(e.generation) + "\n";
    return Bytes(text.begin(), text.end());
  }
  if (name == "auxblob") return config_.auxblob.value_or(Bytes{});
  // outblob: the report for the current inblob (reading it runs the request).
  if (config_.concurrent_writer) {
    e.inblob_value.assign(64, 0xEE);
    ++e.generation;
  }
  if (config_.fail_outblob) return {};
  Bytes report = config_.report;
  if (config_.patch_request && e.inblob_value.size() == 64 && report.size() >= 0x90) {
    std::copy(e.inblob_value.begin(), e.inblob_value.end(), report.begin() + 0x50);
    report[0x30] = static_cast<std::uint8_t>(std::stoi(e.privlevel_value));
  }
  return report;
}

// Answers a reader blocked on an output FIFO, then swaps in a fresh FIFO (rename is atomic)
// so the next read is a new request, and closes: the reader sees the value, then EOF.
bool TsmKernel::serve(Entry& e, const char* name) {
  const fs::path path = e.dir / name;
  int fd = ::open(path.c_str(), O_WRONLY | O_NONBLOCK);
  if (fd < 0) return false;  // ENXIO: nobody is reading
  drain(e);                  // writes that finished before this read are committed first
  Bytes value = produce(e, name);
  std::size_t done = 0;
  while (done < value.size()) {
    ssize_t n = ::write(fd, value.data() + done, value.size() - done);
    if (n < 0 && errno == EAGAIN) {
      std::this_thread::sleep_for(std::chrono::microseconds(100));
      continue;
    }
    if (n < 0) break;
    done += static_cast<std::size_t>(n);
  }
  const fs::path next = e.dir / (std::string(".") + name + ".next");
  make_fifo(next);
  fs::rename(next, path);
  ::close(fd);
  return true;
}

}  // namespace veritee::test
