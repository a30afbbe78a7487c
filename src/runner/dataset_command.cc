#include "runner/dataset_command.h"

namespace mlbench::runner {

// Not built yet: unknown options are let through so scripts written for the final interface get
// the plain "not built yet" answer rather than a parse error.
cli::CommandSpec make_dataset_command() {
  return {"make-dataset", "Build a cnn_eval.json from articles and summaries",
          [](CLI::App& sub, const cli::GlobalOptions&) -> cli::CommandHandler {
            sub.allow_extras();
            return cli::not_built("mlbench-runner", "make-dataset");
          }};
}

}  // namespace mlbench::runner
