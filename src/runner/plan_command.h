#pragma once

#include "cli/command.h"

namespace mlbench::runner {

// `mlbench-runner plan`: the queries LoadGen would generate for a model, scenario, mode and
// user.conf, as one JSON object per sample on stdout; nothing is run.
cli::CommandSpec plan_command();

}  // namespace mlbench::runner
