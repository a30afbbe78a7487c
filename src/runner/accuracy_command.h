#pragma once

#include "cli/command.h"

namespace mlbench::runner {

// `mlbench-runner accuracy --log mlperf_log_accuracy.json --dataset FILE --model DIR`.
cli::CommandSpec accuracy_command();

}  // namespace mlbench::runner
