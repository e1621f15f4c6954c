#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>
#include <vector>

#include "swtpm.hpp"

extern char** environ;

namespace veritee::test {
namespace {

// A port the kernel just handed out (bind to 0), with the next one free too.
int free_port_pair() {
  for (int attempt = 0; attempt < 20; ++attempt) {
    int s = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a) < 0 ||
        ::getsockname(s, reinterpret_cast<sockaddr*>(&a), &len) < 0) {
      ::close(s);
      continue;
    }
    int port = ntohs(a.sin_port);
    ::close(s);
    if (port >= 65535) continue;
    int s2 = ::socket(AF_INET, SOCK_STREAM, 0);
    a.sin_port = htons(static_cast<std::uint16_t>(port + 1));
    bool ok = ::bind(s2, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    ::close(s2);
    if (ok) return port;
  }
  return 0;
}


}  // namespace

std::unique_ptr<Swtpm> Swtpm::start(std::string& why) {
  if (!have_program("swtpm")) {
    why =
        "swtpm is not installed (Debian: apt-get install swtpm swtpm-tools); skipping the "
        "software-TPM test";
    return nullptr;
  }
  std::unique_ptr<Swtpm> tpm(new Swtpm());
  tpm->port_ = free_port_pair();
  if (tpm->port_ == 0) {
    why = "no free loopback port pair for swtpm";
    return nullptr;
  }
  const std::string server = "type=tcp,port=" + std::to_string(tpm->port_) + ",bindaddr=127.0.0.1";
  const std::string ctrl =
      "type=tcp,port=" + std::to_string(tpm->port_ + 1) + ",bindaddr=127.0.0.1";
  const std::string state = "dir=" + tpm->state_.path().string();
  std::vector<std::string> args{"swtpm",      "socket",  "--tpm2",
                                "--server",   server,    "--ctrl",
                                ctrl,         "--flags", "not-need-init,startup-clear",
                                "--tpmstate", state};
  tpm->pid_ = spawn_quiet(args);
  if (tpm->pid_ < 0) {
    tpm->pid_ = -1;
    why = "cannot start swtpm";
    return nullptr;
  }
  for (int i = 0; i < 100; ++i) {  // up to 5 s
    if (loopback_accepts(tpm->port_)) return tpm;
    int status = 0;
    if (::waitpid(tpm->pid_, &status, WNOHANG) == tpm->pid_) {
      tpm->pid_ = -1;
      why = "swtpm exited at start";
      return nullptr;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  why = "swtpm did not listen on port " + std::to_string(tpm->port_);
  return nullptr;  // the destructor kills it
}

Swtpm::~Swtpm() {
  if (pid_ > 0) {
    ::kill(pid_, SIGTERM);
    int status = 0;
    for (int i = 0; i < 100 && ::waitpid(pid_, &status, WNOHANG) == 0; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (::waitpid(pid_, &status, WNOHANG) == 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
    }
  }
}

std::string Swtpm::tcti() const { return "swtpm:host=127.0.0.1,port=" + std::to_string(port_); }

}  // namespace veritee::test
