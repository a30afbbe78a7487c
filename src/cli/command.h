#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <span>
#include <string_view>

#include "mlbench/core/exit_code.h"
#include "mlbench/core/logging.h"

namespace mlbench::cli {

// Options every command of both binaries takes.
struct GlobalOptions {
  bool verbose = false;
  std::string log_format = "text";
  bool no_color = false;
};

using CommandHandler = std::function<ExitCode()>;

// One row of a binary's command table (ninja's tool table, in CLI11 terms): the subcommand's
// name and help, and a function that declares its options and returns what to run if chosen.
struct CommandSpec {
  std::string_view name;
  std::string_view description;
  std::function<CommandHandler(CLI::App& sub, const GlobalOptions& globals)> attach;
};

// Parses argv against the table, sets up logging and runs the chosen command. Returns the
// process exit code; parse errors and --help are handled here.
int run_cli(std::string_view program, std::string_view description,
            std::span<const CommandSpec> commands, int argc, char** argv);

// For commands that exist in the CLI but whose implementation has not landed yet: says so
// plainly and fails, so nobody mistakes the silence for a result.
CommandHandler not_built(std::string_view program, std::string_view command);

// Prints an Error the way every command does, and returns its exit code.
ExitCode report_error(const Error& error);

}  // namespace mlbench::cli
