// `mlbench runs`: one line per run directory with its date, scenario, nodes, headline figure
// and validity.
#include <fmt/format.h>

#include "mlbench/report/run_list.h"

#include "cli/commands/commands.h"
#include "cli/commands/load.h"

namespace mlbench::cli {
namespace {

struct RunsOptions {
  std::string dir;
  std::string config_path;
};

ExitCode run_runs(const RunsOptions& options) {
  std::string dir = options.dir.empty() ? "runs" : options.dir;
  if (!options.config_path.empty()) {
    auto loaded = load_config_or_report(options.config_path);
    if (!loaded) return ExitCode::kUsage;
    dir = loaded->report.out_dir;
  }
  auto rows = report::list_runs(dir);
  if (!rows) return report_error(rows.error());
  fmt::print("{}", report::render_run_list(*rows));
  return ExitCode::kOk;
}

}  // namespace

CommandSpec runs_command() {
  return {"runs", "List runs with their headline figures",
          [](CLI::App& sub, const GlobalOptions&) -> CommandHandler {
            auto options = std::make_shared<RunsOptions>();
            auto* dir = sub.add_option("--dir", options->dir,
                                       "The directory holding run directories (default: runs)");
            sub.add_option("-c,--config", options->config_path,
                           "Take the directory from this config's report.out_dir")
                ->excludes(dir);
            return [options] { return run_runs(*options); };
          }};
}

}  // namespace mlbench::cli
