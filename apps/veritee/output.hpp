// --json and --quiet on every command, and the one JSON error object (docs/json.md "Every
// command"). main gives every sub-command both flags (unless it defines them itself), settles
// the mode after parsing and, under --json, prints the error object when a command failed
// without printing a document of its own. Commands ask text_output() before printing prose,
// print their document with emit_json(), and send what the user asked for (a PEM, a policy, an
// EAR) to payload().
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

namespace veritee::cli {

struct OutputMode {
  std::string command;              // "fetch vcek": the parsed command chain
  bool json = false;                // --json: one JSON document on stdout
  bool quiet = false;               // --quiet: nothing on stdout or stderr but errors
  std::vector<std::string> errors;  // what print_error said, for the error object
};
const OutputMode& output();

// Adds --json and --quiet to cmd and its sub-commands where they are not defined already.
void add_output_flags(CLI::App& cmd);

// After parsing: the mode of the parsed command chain. Under --quiet std::cout and std::cerr
// are silenced for the rest of the run (errors and payload() still get through); under --json
// std::cout is watched so that finish_output() knows whether a document was printed.
void settle_output(const CLI::App& app);

// True when prose belongs on stdout: neither --json nor --quiet.
bool text_output();

// Where the output the user asked for goes (fetch's PEM, a written policy, the EAR): stdout,
// even under --quiet. Under --json it belongs in the document instead.
std::ostream& payload();

// The stream print_error writes to: stderr, even under --quiet.
std::ostream& error_stream();

// Records the message for the error object (print_error calls it).
void record_error(const std::string& message);

// Prints the command's document on stdout (indented; nothing under --quiet).
void emit_json(const nlohmann::json& document);

// The error object every command prints under --json when it fails before it has a result:
// {"command", "exit_code", "error"} plus `extra` (verify adds "file" and "verified").
nlohmann::json error_object(int exit_code, const std::string& message,
                            const nlohmann::json& extra = nlohmann::json::object());

// main, after the command ran: under --json, when nothing was printed on stdout, the error
// object (exit code not 0) or {"command", "exit_code": 0}. Returns exit_code unchanged.
int finish_output(int exit_code);

// Under --json, a usage error CLI11 found while parsing (before any command ran): the error
// object on stdout. `argv` decides whether --json was asked for.
void usage_error_json(int argc, const char* const* argv, const std::string& message, int exit_code);

}  // namespace veritee::cli
