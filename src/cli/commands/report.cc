// `mlbench report`: rebuilds report.json / .md / .html from a run directory's nodes/.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "mlbench/report/report_files.h"
#include "mlbench/report/run_list.h"

#include "cli/commands/commands.h"

namespace mlbench::cli {
namespace {

struct ReportCommandOptions {
  std::string run_dir;
  std::vector<std::string> formats = {"json", "md", "html"};
  std::string baseline;
};

// Without a RUN_DIR, the newest run under ./runs (report.out_dir's default).
Result<std::string> newest_run() {
  auto rows = report::list_runs("runs");
  if (!rows) return rows.failure();
  if (rows->empty()) {
    return fail(ErrorCode::kNotFound, "no run directories; name one: mlbench report RUN_DIR",
                "runs");
  }
  return rows->back().dir;
}

ExitCode exit_code(report::RunVerdict verdict) {
  switch (verdict) {
    case report::RunVerdict::kOk: return ExitCode::kOk;
    case report::RunVerdict::kInvalid: return ExitCode::kInvalidResult;
    case report::RunVerdict::kNodesFailed: return ExitCode::kNodeFailed;
  }
  return ExitCode::kNodeFailed;
}

ExitCode run_report(const ReportCommandOptions& options) {
  std::vector<report::ReportFormat> formats;
  for (const std::string& name : options.formats) {
    const auto format = report::parse_report_format(name);
    if (!format) {
      return report_error(Error{ErrorCode::kInvalidArgument,
                                fmt::format("unknown format '{}'; use json, md or html", name),
                                "--format"});
    }
    formats.push_back(*format);
  }
  std::string run_dir = options.run_dir;
  if (run_dir.empty()) {
    auto newest = newest_run();
    if (!newest) return report_error(newest.error());
    run_dir = *newest;
  }
  auto built = report::write_reports(run_dir, formats, {.baseline = options.baseline});
  if (!built) return report_error(built.error());
  const report::RunReport& result = *built;
  for (const std::string& name : options.formats) {
    fmt::print("wrote {}/report.{}\n", run_dir, name == "markdown" ? "md" : name);
  }
  const report::Aggregate& a = result.aggregate;
  fmt::print("{}: {} of {} node(s) ok, {} VALID, {} INVALID", result.run.id, a.nodes_ok, a.nodes,
             a.nodes_valid, a.nodes_invalid);
  if (a.tokens_per_second) {
    fmt::print(", {:.2f} tokens/s over {} node(s)", *a.tokens_per_second,
               a.tokens_per_second_nodes);
  }
  fmt::print("\n");
  for (const std::string& warning : result.warnings)
    spdlog::warn("{}", warning);
  return exit_code(report::run_verdict(result));
}

}  // namespace

CommandSpec report_command() {
  return {"report", "Rebuild report.json, report.md and report.html from a run directory",
          [](CLI::App& sub, const GlobalOptions&) -> CommandHandler {
            auto options = std::make_shared<ReportCommandOptions>();
            sub.add_option("run_dir", options->run_dir,
                           "The run directory (runs/<id>); default: the newest under ./runs");
            sub.add_option("--format", options->formats, "json, md, html (comma-separated)")
                ->delimiter(',')
                ->capture_default_str();
            sub.add_option("--baseline", options->baseline,
                           "A run directory measured on one node of the same type, scenario and "
                           "settings: adds scaling efficiency");
            return [options] { return run_report(*options); };
          }};
}

}  // namespace mlbench::cli
