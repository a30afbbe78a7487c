// Commands whose options are settled by design.md §2 but whose implementation lands with a later
// change. They parse their options (so `--help` is already right) and then refuse plainly.
#include "cli/commands/commands.h"

namespace mlbench::cli {

CommandSpec preflight_command() {
  return {"preflight",
          "Reach every node; check GPUs, driver, runner version, model, dataset and disk",
          [](CLI::App& sub, const GlobalOptions&) -> CommandHandler {
            auto config_path = std::make_shared<std::string>("config.yaml");
            auto nodes = std::make_shared<std::vector<std::string>>();
            sub.add_option("-c,--config", *config_path, "The config file")->capture_default_str();
            sub.add_option("--nodes", *nodes, "Only these nodes (comma-separated)")->delimiter(',');
            return not_built("mlbench", "preflight");
          }};
}

CommandSpec report_command() {
  return {
      "report", "Rebuild report.json, report.md and report.html from a run directory",
      [](CLI::App& sub, const GlobalOptions&) -> CommandHandler {
        auto run_dir = std::make_shared<std::string>();
        auto formats = std::make_shared<std::vector<std::string>>();
        sub.add_option("run_dir", *run_dir, "The run directory (runs/<id>)");
        sub.add_option("--format", *formats, "json, md, html (comma-separated)")->delimiter(',');
        return not_built("mlbench", "report");
      }};
}

CommandSpec compare_command() {
  return {"compare", "Compare two runs; non-zero exit on a regression beyond the threshold",
          [](CLI::App& sub, const GlobalOptions&) -> CommandHandler {
            auto base = std::make_shared<std::string>();
            auto candidate = std::make_shared<std::string>();
            auto max_regression = std::make_shared<std::string>("5%");
            sub.add_option("base_run", *base, "The baseline run directory")->required();
            sub.add_option("new_run", *candidate, "The run to judge")->required();
            sub.add_option("--max-regression", *max_regression, "Largest allowed regression")
                ->capture_default_str();
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
