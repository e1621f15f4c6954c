// Running the built CLI (VERITEE_CLI_PATH) or any other program, and scratch directories.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "veritee/common/bytes.hpp"

namespace veritee::test {

struct CommandResult {
  int exit_code = -1;  // the exit status, or 128 + signal when killed by one
  std::string out;     // stdout
  std::string err;     // stderr
};

// Runs `program` with `args` (no shell), stdin from /dev/null, stdout and stderr captured through
// temporary files. Throws std::runtime_error only when the process cannot be started.
CommandResult run_program(const std::string& program, const std::vector<std::string>& args);

// The veritee CLI built with these tests.
std::string cli_path();
CommandResult run_cli(const std::vector<std::string>& args);

// Starts args[0] (found on PATH) with args[1..] in the background, stdin and stdout on
// /dev/null, stderr too unless `keep_stderr`; the pid, or -1 when it cannot be started.
int spawn_quiet(const std::vector<std::string>& args, bool keep_stderr = false);

// Whether something accepts TCP connections on 127.0.0.1:`port`.
bool loopback_accepts(int port);

// Whether `name` is an executable found on PATH.
bool have_program(const std::string& name);

// A fresh directory under the system temp directory, removed with everything in it on
// destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }
  // Writes `bytes` to a file in the directory and returns its path.
  std::filesystem::path write(const std::string& name, ByteView bytes) const;
  std::filesystem::path write(const std::string& name, const std::string& text) const;

 private:
  std::filesystem::path path_;
};

// The bytes of a file (throws std::runtime_error when unreadable).
Bytes slurp(const std::filesystem::path& path);

}  // namespace veritee::test
