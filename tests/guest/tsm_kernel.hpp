// The kernel side of configfs-tsm, emulated on a temporary directory by a helper thread.
// Every attribute is a FIFO, so reads and writes behave as configfs's do: a write to `inblob`
// or `privlevel` is committed when the writer closes it and bumps `generation`; a read of
// `outblob`, `auxblob`, `provider` or `generation` blocks until the "kernel" answers with the
// value for the current generation. mkdir/rmdir of an entry go through TsmOptions hooks
// (configfs populates and removes items itself; a plain directory cannot).
#pragma once

#include <atomic>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "veritee/common/bytes.hpp"
#include "veritee/guest/tsm_provider.hpp"

namespace veritee::test {

class TsmKernel {
 public:
  struct Config {
    Bytes report;                  // the firmware's answer (a corpus report)
    std::optional<Bytes> auxblob;  // the host's certificate table
    std::string provider = "sev_guest";
    bool patch_request = false;      // put the inblob and privlevel into the report copy
    bool concurrent_writer = false;  // another process writes inblob before outblob is read
    bool fail_outblob = false;       // the provider's report_new fails: outblob reads empty
  };

  TsmKernel(std::filesystem::path root, Config config);
  ~TsmKernel();
  TsmKernel(const TsmKernel&) = delete;
  TsmKernel& operator=(const TsmKernel&) = delete;

  // Options pointing at the root, with the mkdir/rmdir hooks bound to this kernel.
  guest::TsmOptions options();

  std::vector<std::string> created() const;
  std::vector<std::string> removed() const;
  std::optional<Bytes> last_inblob() const;
  std::optional<std::string> last_privlevel() const;

 private:
  struct Input {
    int fd = -1;
    Bytes pending;
  };
  struct Entry {
    std::filesystem::path dir;
    Input inblob, privlevel;
    std::uint64_t generation = 0;
    Bytes inblob_value;
    std::string privlevel_value = "0";
  };

  void run();
  void drain(Entry& e);
  bool serve(Entry& e, const char* name);
  Bytes produce(Entry& e, const std::string& name);

  std::filesystem::path root_;
  Config config_;
  mutable std::mutex mutex_;
  std::map<std::string, Entry> entries_;
  std::vector<std::string> created_, removed_;
  std::optional<Bytes> last_inblob_;
  std::optional<std::string> last_privlevel_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace veritee::test
