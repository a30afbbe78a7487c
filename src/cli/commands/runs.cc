// `mlbench runs`. Its options are settled by design.md §2; the implementation lands with a
// later change, so it declares them and refuses plainly.
#include "cli/commands/commands.h"

namespace mlbench::cli {

CommandSpec runs_command() {
  return {"runs", "List runs with their headline figures",
          [](CLI::App&, const GlobalOptions&) -> CommandHandler {
            return not_built("mlbench", "runs");
          }};
}

}  // namespace mlbench::cli
