#pragma once

#include "mlbench/core/error.h"

namespace mlbench {

// Exit codes shared by `mlbench` and `mlbench-runner` (design.md §2). Scripts and CI rely on
// these numbers; never renumber them.
enum class ExitCode : int {
  kOk = 0,             // all good
  kUsage = 1,          // bad usage, config or input
  kInvalidResult = 2,  // the run finished, but a result is INVALID or misses its accuracy target
  kNodeFailed = 3,     // one or more nodes failed; a partial report was written
  kInterrupted = 130,  // SIGINT/SIGTERM; a report was written for what was collected
};

ExitCode exit_code_for(ErrorCode code);

inline int to_int(ExitCode code) {
  return static_cast<int>(code);
}

}  // namespace mlbench
