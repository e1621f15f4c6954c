// veritee: SEV-SNP attestation from the command line. Sub-commands live one per file and
// register themselves (command_registry.hpp); this file only parses and dispatches.
#include <algorithm>
#include <exception>
#include <iostream>

#include "command_registry.hpp"
#include "exit_codes.hpp"

int main(int argc, char** argv) {
  using namespace veritee::cli;
  CLI::App app{"veritee: get, show and verify AMD SEV-SNP attestation evidence", "veritee"};
  app.set_version_flag("--version", std::string("veritee 0.1.0"));
  app.require_subcommand(1);
  app.footer(
      "Exit codes: 0 verified / done; 1 the evidence failed a check; 2 usage error or "
      "unreadable/malformed input; 3 an endorsement is missing or unusable; 4 a device or "
      "service needed is unavailable; 5 authentic evidence that fails the appraisal policy.");

  auto specs = command_registry();
  std::sort(specs.begin(), specs.end(),
            [](const CommandSpec& a, const CommandSpec& b) { return a.order < b.order; });
  std::vector<std::pair<CLI::App*, Runner>> commands;
  for (const CommandSpec& spec : specs) {
    CLI::App* sub = app.add_subcommand(spec.name, spec.description);
    commands.emplace_back(sub, spec.setup(*sub));
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : veritee::cli::kExitUsage;
  }
  try {
    for (auto& [sub, run] : commands) {
      if (sub->parsed()) return run();
    }
  } catch (const std::exception& e) {
    std::cerr << "veritee: internal error: " << e.what() << '\n';
    return veritee::cli::kExitUsage;
  }
  return veritee::cli::kExitUsage;
}
