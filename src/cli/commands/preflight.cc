// `mlbench preflight`: reach every node and check what a run needs, before a run needs it.
#include "mlbench/orchestrator/preflight.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "mlbench/core/interrupt.h"
#include "mlbench/orchestrator/execute_run.h"
#include "mlbench/orchestrator/plan.h"

#include "cli/commands/commands.h"
#include "cli/commands/load.h"

namespace mlbench::cli {
namespace {

struct PreflightOptions {
  std::string config_path = "config.yaml";
  std::vector<std::string> nodes;
};

std::string cell(const orchestrator::PreflightCheck& check) {
  if (check.skipped) return "-";
  return check.ok ? check.value : (check.value == "FAIL" ? "FAIL" : "FAIL: " + check.value);
}

// A table on stdout (node per row, check per column), then one line per failed check saying
// why, and one per note.
void print_table(const std::vector<orchestrator::NodePreflight>& results) {
  const std::vector<std::string> names = orchestrator::preflight_check_names();
  std::vector<std::vector<std::string>> rows = {{"node"}};
  rows[0].insert(rows[0].end(), names.begin(), names.end());
  for (const auto& node : results) {
    std::vector<std::string> row = {node.node};
    for (const auto& check : node.checks)
      row.push_back(cell(check));
    rows.push_back(std::move(row));
  }
  std::vector<size_t> widths(rows[0].size(), 0);
  for (const auto& row : rows) {
    for (size_t c = 0; c < row.size() && c < widths.size(); ++c)
      widths[c] = std::max(widths[c], row[c].size());
  }
  for (const auto& row : rows) {
    std::string line;
    for (size_t c = 0; c < row.size(); ++c)
      line += fmt::format("{:<{}}  ", row[c], widths[c]);
    while (!line.empty() && line.back() == ' ')
      line.pop_back();
    fmt::print("{}\n", line);
  }
  for (const auto& node : results) {
    for (const auto& check : node.checks) {
      if (check.detail.empty()) continue;
      fmt::print("{} {}: {}{}\n", node.node, check.name, check.ok ? "note: " : "", check.detail);
    }
  }
}

ExitCode preflight(const PreflightOptions& options) {
  auto loaded = load_runner_config_or_report(options.config_path);
  if (!loaded) return ExitCode::kUsage;
  config::Config& config = *loaded;
  orchestrator::RunRequest request;
  request.only_nodes = options.nodes;
  // The plan's node selection: the same `--nodes` rules as `mlbench run`.
  auto plan = orchestrator::plan_run(config, request, "preflight");
  if (!plan) return report_error(plan.error());
  std::vector<config::Node> nodes;
  for (const orchestrator::NodePlan& node : plan->nodes)
    nodes.push_back(node.node);

  InterruptWatcher interrupt;  // before the worker threads
  const auto launcher = orchestrator::make_launcher(config.cluster.launcher);
  const auto results = orchestrator::preflight_nodes(*launcher, config, nodes, &interrupt.flag());
  print_table(results);
  if (interrupt.interrupted()) return ExitCode::kInterrupted;
  const size_t failed = static_cast<size_t>(
      std::count_if(results.begin(), results.end(), [](const auto& node) { return !node.ok(); }));
  if (failed == 0) {
    fmt::print("all {} node{} ready\n", results.size(), results.size() == 1 ? "" : "s");
    return ExitCode::kOk;
  }
  fmt::print("{} of {} node{} not ready\n", failed, results.size(), results.size() == 1 ? "" : "s");
  return ExitCode::kNodeFailed;
}

}  // namespace

CommandSpec preflight_command() {
  return {"preflight",
          "Reach every node; check GPUs, driver, runner version, model, dataset and disk",
          [](CLI::App& sub, const GlobalOptions&) -> CommandHandler {
            auto options = std::make_shared<PreflightOptions>();
            sub.add_option("-c,--config", options->config_path, "The config file")
                ->capture_default_str();
            sub.add_option("--nodes", options->nodes, "Only these nodes (comma-separated)")
                ->delimiter(',');
            return [options] { return preflight(*options); };
          }};
}

}  // namespace mlbench::cli
