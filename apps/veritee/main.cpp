// veritee: SEV-SNP attestation from the command line. Sub-commands live one per file and
// register themselves (command_registry.hpp); this file only parses and dispatches, gives every
// command --json and --quiet (output.hpp), and answers `help CMD` and `--version`.
#include <algorithm>
#include <exception>
#include <iostream>
#include <string_view>

#include "cli_common.hpp"
#include "command_registry.hpp"
#include "exit_codes.hpp"
#include "output.hpp"
#include "version_info.hpp"

namespace {

using namespace veritee::cli;

// `veritee --version [--json]` (either order): answered before a sub-command is required.
bool version_request(int argc, char** argv, bool& json) {
  bool version = false;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (a == "--version") version = true;
    else if (a == "--json") json = true;
    else return false;
  }
  return version;
}

// `veritee help [CMD [SUB]]`: the text `veritee CMD [SUB] --help` prints (CLI11's formatter on
// the same App), or why there is no such command.
int run_help(CLI::App& app, const std::vector<std::string>& topic) {
  CLI::App* target = &app;
  std::string path = app.get_name();
  for (const std::string& name : topic) {
    CLI::App* next = nullptr;
    for (CLI::App* sub : target->get_subcommands([](CLI::App*) { return true; })) {
      if (sub->get_name() == name) next = sub;
    }
    if (next == nullptr) {
      print_error("help: no command \"" + name + "\" (`veritee --help` lists them)");
      return kExitUsage;
    }
    path += " " + name;
    target = next;
  }
  std::cout << target->get_formatter()->make_help(target, path, CLI::AppFormatMode::Normal);
  return kExitVerified;
}

}  // namespace

int main(int argc, char** argv) {
  if (bool json = false; version_request(argc, argv, json)) {
    std::cout << (json ? veritee::cli::version_json().dump(2) : veritee::cli::version_text()) << '\n';
    return 0;
  }
  CLI::App app{"veritee: get, show and verify AMD SEV-SNP attestation evidence", "veritee"};
  app.set_version_flag("--version", [] { return version_text(); },
                       "print the version, the OpenSSL, nettle and libcurl versions in use and "
                       "the build options (with --json: as JSON)");
  app.require_subcommand(1);
  app.footer(
      "Exit codes: 0 verified / done; 1 the evidence failed a check; 2 usage error or "
      "unreadable/malformed input; 3 an endorsement is missing or unusable; 4 a device or "
      "service needed is unavailable; 5 authentic evidence that fails the appraisal policy.\n"
      "Every command takes --json (one JSON document on stdout, errors as JSON objects; "
      "docs/json.md) and --quiet (only errors, on stderr; the exit code says the outcome).");

  auto specs = command_registry();
  std::sort(specs.begin(), specs.end(),
            [](const CommandSpec& a, const CommandSpec& b) { return a.order < b.order; });
  // Only the command named first is set up when there is one: each command's flags are CLI11
  // objects, and building all fifteen commands' for every run cost the heap and the pages of
  // code a `veritee verify` otherwise never touches (docs/performance.md, "CLI footprint").
  // Anything else (`--help`, `help CMD`, a misspelt command) sees them all.
  const std::string_view first = argc > 1 ? std::string_view(argv[1]) : std::string_view();
  const bool named = std::any_of(specs.begin(), specs.end(),
                                 [&](const CommandSpec& spec) { return spec.name == first; });
  std::vector<std::pair<CLI::App*, Runner>> commands;
  for (const CommandSpec& spec : specs) {
    if (named && spec.name != first) continue;
    CLI::App* sub = app.add_subcommand(spec.name, spec.description);
    commands.emplace_back(sub, spec.setup(*sub));
    add_output_flags(*sub);
  }
  CLI::App* help = app.add_subcommand("help", "Print a command's help: `veritee help CMD` is `veritee CMD --help`");
  std::vector<std::string> topic;
  help->add_option("COMMAND", topic, "the command, and its sub-command (`veritee help fetch vcek`)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    if (rc == 0) return 0;
    usage_error_json(argc, argv, e.what(), kExitUsage);
    return kExitUsage;
  }
  if (help->parsed()) return run_help(app, topic);
  settle_output(app);
  try {
    for (auto& [sub, run] : commands) {
      if (sub->parsed()) return finish_output(run());
    }
  } catch (const std::exception& e) {
    print_error(std::string("internal error: ") + e.what());
    return finish_output(kExitUsage);
  }
  return finish_output(kExitUsage);
}
