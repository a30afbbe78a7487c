#pragma once

#include "cli/command.h"

namespace mlbench::runner {

// `mlbench-runner run`: runs one scenario against a backend with the loadgen engine, streams
// JSON-lines events on stdout and writes the MLPerf log files into --out.
cli::CommandSpec run_command();

}  // namespace mlbench::runner
