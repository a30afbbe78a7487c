// `mlbench compare BASE NEW`: per-metric deltas between two runs; exit 2 on a regression
// beyond --max-regression (the CI gate).
#include "mlbench/report/compare.h"

#include <fmt/format.h>

#include "cli/commands/commands.h"

namespace mlbench::cli {
namespace {

struct CompareOptions {
  std::string base_run;
  std::string new_run;
  std::string max_regression = "5%";
};

ExitCode run_compare(const CompareOptions& options) {
  auto threshold = report::parse_percentage(options.max_regression);
  if (!threshold) return report_error(threshold.error());
  auto base = report::build_run_report(options.base_run);
  if (!base) return report_error(base.error());
  auto current = report::build_run_report(options.new_run);
  if (!current) return report_error(current.error());
  auto comparison = report::compare_runs(*base, *current, *threshold);
  if (!comparison) return report_error(comparison.error());
  fmt::print("{}", report::render_comparison(*comparison));
  return comparison->regressed() ? ExitCode::kInvalidResult : ExitCode::kOk;
}

}  // namespace

CommandSpec compare_command() {
  return {"compare", "Compare two runs; non-zero exit on a regression beyond the threshold",
          [](CLI::App& sub, const GlobalOptions&) -> CommandHandler {
            auto options = std::make_shared<CompareOptions>();
            sub.add_option("base_run", options->base_run, "The baseline run directory")->required();
            sub.add_option("new_run", options->new_run, "The run to judge")->required();
            sub.add_option("--max-regression", options->max_regression,
                           "Largest allowed regression of any metric, in percent")
                ->capture_default_str();
            return [options] { return run_compare(*options); };
          }};
}

}  // namespace mlbench::cli
