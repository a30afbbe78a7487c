// `mlbench compare`. Its options are settled by design.md §2; the implementation lands with a
// later change, so it declares them and refuses plainly.
#include "cli/commands/commands.h"

namespace mlbench::cli {

CommandSpec compare_command() {
  return {"compare", "Compare two runs; non-zero exit on a regression beyond the threshold",
          [](CLI::App& sub, const GlobalOptions&) -> CommandHandler {
            sub.add_option("base_run", "The baseline run directory")->required();
            sub.add_option("new_run", "The run to judge")->required();
            sub.add_option("--max-regression", "Largest allowed regression (default: 5%)");
            return not_built("mlbench", "compare");
          }};
}

}  // namespace mlbench::cli
