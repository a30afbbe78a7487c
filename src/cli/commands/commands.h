#pragma once

#include "cli/command.h"

namespace mlbench::cli {

// The `mlbench` command table, one entry per subcommand of design.md §2.
CommandSpec init_command();
CommandSpec validate_command();
CommandSpec preflight_command();
CommandSpec run_command();
CommandSpec report_command();
CommandSpec compare_command();
CommandSpec runs_command();

}  // namespace mlbench::cli
