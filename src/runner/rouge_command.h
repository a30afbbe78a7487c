#pragma once

#include "cli/command.h"

namespace mlbench::runner {

// `mlbench-runner rouge --pairs FILE.jsonl`: ROUGE as MLPerf scores it, for pairs given directly.
cli::CommandSpec rouge_command();

}  // namespace mlbench::runner
