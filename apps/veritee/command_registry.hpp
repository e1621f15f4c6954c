// Sub-commands register themselves here, one file each: the file adds its flags to its
// CLI::App and returns the function that runs it and yields the exit code.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace veritee::cli {

using Runner = std::function<int()>;
using Setup = std::function<Runner(CLI::App& command)>;

struct CommandSpec {
  std::string name;
  std::string description;
  int order;  // position in --help
  Setup setup;
};

std::vector<CommandSpec>& command_registry();

struct Registration {
  explicit Registration(CommandSpec spec) { command_registry().push_back(std::move(spec)); }
};

}  // namespace veritee::cli
