#include "runner/accuracy_command.h"

namespace mlbench::runner {

// Not built yet: unknown options are let through so scripts written for the final interface get
// the plain "not built yet" answer rather than a parse error.
cli::CommandSpec accuracy_command() {
  return {"accuracy", "Score mlperf_log_accuracy.json with ROUGE",
          [](CLI::App& sub, const cli::GlobalOptions&) -> cli::CommandHandler {
            sub.allow_extras();
            return cli::not_built("mlbench-runner", "accuracy");
          }};
}

}  // namespace mlbench::runner
