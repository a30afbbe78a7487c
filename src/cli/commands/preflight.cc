// `mlbench preflight`. Its options are settled by design.md §2; the implementation lands with a
// later change, so it declares them and refuses plainly.
#include "cli/commands/commands.h"

namespace mlbench::cli {

CommandSpec preflight_command() {
  return {"preflight",
          "Reach every node; check GPUs, driver, runner version, model, dataset and disk",
          [](CLI::App& sub, const GlobalOptions&) -> CommandHandler {
            sub.add_option("-c,--config", "The config file (default: config.yaml)");
            sub.add_option("--nodes", "Only these nodes (comma-separated)");
            return not_built("mlbench", "preflight");
          }};
}

}  // namespace mlbench::cli
