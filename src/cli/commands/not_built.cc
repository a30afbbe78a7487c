// Commands whose options are settled by design.md §2 but whose implementation lands with a later
// change. They declare their options (so `--help` is already right) without binding them to
// storage, and then refuse plainly.
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

CommandSpec report_command() {
  return {"report", "Rebuild report.json, report.md and report.html from a run directory",
          [](CLI::App& sub, const GlobalOptions&) -> CommandHandler {
            sub.add_option("run_dir", "The run directory (runs/<id>)");
            sub.add_option("--format", "json, md, html (comma-separated)");
            return not_built("mlbench", "report");
          }};
}

CommandSpec compare_command() {
  return {"compare", "Compare two runs; non-zero exit on a regression beyond the threshold",
          [](CLI::App& sub, const GlobalOptions&) -> CommandHandler {
            sub.add_option("base_run", "The baseline run directory")->required();
            sub.add_option("new_run", "The run to judge")->required();
            sub.add_option("--max-regression", "Largest allowed regression (default: 5%)");
            return not_built("mlbench", "compare");
          }};
}

CommandSpec runs_command() {
  return {"runs", "List runs with their headline figures",
          [](CLI::App&, const GlobalOptions&) -> CommandHandler {
            return not_built("mlbench", "runs");
          }};
}

}  // namespace mlbench::cli
