#include "command_registry.hpp"

namespace veritee::cli {

std::vector<CommandSpec>& command_registry() {
  static std::vector<CommandSpec> registry;
  return registry;
}

}  // namespace veritee::cli
