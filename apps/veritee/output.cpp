#include "output.hpp"

#include <iostream>
#include <streambuf>

namespace veritee::cli {
namespace {

OutputMode& mode() {
  static OutputMode m;
  return m;
}

// --quiet: what std::cout and std::cerr get (everything, dropped).
class NullBuffer : public std::streambuf {
 protected:
  int_type overflow(int_type c) override { return traits_type::not_eof(c); }
  std::streamsize xsputn(const char*, std::streamsize n) override { return n; }
};

// --json: std::cout's buffer, passing everything on and counting it.
class CountingBuffer : public std::streambuf {
 public:
  explicit CountingBuffer(std::streambuf* target) : target_(target) {}
  std::size_t count() const { return count_; }
  std::streambuf* target() const { return target_; }

 protected:
  int_type overflow(int_type c) override {
    if (traits_type::eq_int_type(c, traits_type::eof())) return traits_type::not_eof(c);
    ++count_;
    return target_->sputc(traits_type::to_char_type(c));
  }
  std::streamsize xsputn(const char* s, std::streamsize n) override {
    count_ += static_cast<std::size_t>(n);
    return target_->sputn(s, n);
  }
  int sync() override { return target_->pubsync(); }

 private:
  std::streambuf* target_;
  std::size_t count_ = 0;
};

// The real stdout and stderr while std::cout/std::cerr are redirected. Never destroyed: the
// standard streams may still be flushed at exit.
struct Streams {
  std::ostream out{std::cout.rdbuf()};
  std::ostream err{std::cerr.rdbuf()};
  NullBuffer null;
  CountingBuffer* counting = nullptr;
};
Streams& streams() {
  static Streams* s = new Streams;
  return *s;
}

bool given(const CLI::App& cmd, const char* flag) {
  const CLI::Option* opt = cmd.get_option_no_throw(flag);
  return opt != nullptr && opt->count() > 0;
}

}  // namespace

const OutputMode& output() { return mode(); }

void add_output_flags(CLI::App& cmd) {
  CLI::Option* json = cmd.get_option_no_throw("--json");
  if (json == nullptr) {
    json = cmd.add_flag("--json")->description(
        "print one JSON document on stdout, errors as JSON objects (docs/json.md)");
  }
  if (cmd.get_option_no_throw("--quiet") == nullptr) {
    cmd.add_flag("--quiet")
        ->description("print nothing but errors (on stderr) and what was asked for: the exit "
                      "code says the outcome")
        ->excludes(json);
  }
  for (CLI::App* sub : cmd.get_subcommands([](CLI::App*) { return true; })) add_output_flags(*sub);
}

void settle_output(const CLI::App& app) {
  OutputMode& m = mode();
  const CLI::App* cur = &app;
  while (!cur->get_subcommands().empty()) {
    cur = cur->get_subcommands().front();
    m.command += (m.command.empty() ? "" : " ") + cur->get_name();
    m.json |= given(*cur, "--json");
    m.quiet |= given(*cur, "--quiet");
  }
  Streams& s = streams();
  if (m.quiet) {
    std::cout.rdbuf(&s.null);
    std::cerr.rdbuf(&s.null);
  } else if (m.json) {
    s.counting = new CountingBuffer(std::cout.rdbuf());
    std::cout.rdbuf(s.counting);
  }
}

bool text_output() { return !mode().json && !mode().quiet; }

std::ostream& payload() { return mode().quiet ? streams().out : std::cout; }

std::ostream& error_stream() { return mode().quiet ? streams().err : std::cerr; }

void record_error(const std::string& message) { mode().errors.push_back(message); }

void emit_json(const nlohmann::json& document) {
  if (!mode().quiet) std::cout << document.dump(2) << '\n';
}

nlohmann::json error_object(int exit_code, const std::string& message, const nlohmann::json& extra) {
  nlohmann::json j = extra;
  j["command"] = mode().command;
  j["exit_code"] = exit_code;
  j["error"] = message;
  return j;
}

int finish_output(int exit_code) {
  OutputMode& m = mode();
  Streams& s = streams();
  if (m.json && s.counting != nullptr && s.counting->count() == 0) {
    if (exit_code == 0) {
      std::cout << nlohmann::json{{"command", m.command}, {"exit_code", 0}}.dump(2) << '\n';
    } else {
      std::string message;
      for (const std::string& e : m.errors) message += (message.empty() ? "" : "; ") + e;
      if (message.empty()) message = "failed (exit code " + std::to_string(exit_code) + ")";
      std::cout << error_object(exit_code, message).dump(2) << '\n';
    }
  }
  std::cout.flush();
  if (s.counting != nullptr) std::cout.rdbuf(s.counting->target());
  if (m.quiet) {
    std::cout.rdbuf(s.out.rdbuf());
    std::cerr.rdbuf(s.err.rdbuf());
  }
  return exit_code;
}

void usage_error_json(int argc, const char* const* argv, const std::string& message, int exit_code) {
  bool json = false;
  for (int i = 1; i < argc; ++i) json |= std::string_view(argv[i]) == "--json";
  if (!json) return;
  if (argc > 1 && argv[1][0] != '-') mode().command = argv[1];
  std::cout << error_object(exit_code, message).dump(2) << '\n';
}

}  // namespace veritee::cli
