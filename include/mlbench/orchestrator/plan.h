#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mlbench/config/config.h"
#include "mlbench/core/result.h"

namespace mlbench::orchestrator {

// What the user asked `mlbench run` for, on top of the config.
struct RunRequest {
  std::optional<config::Scenario> scenario;  // overrides benchmark.scenario
  std::optional<config::Mode> mode;          // overrides benchmark.mode
  std::vector<std::string> only_nodes;       // `--nodes a,b`; empty means every node
};

// Everything needed to start one node's runner; built before anything is launched so that
// `--dry-run` shows exactly what a real run would do.
struct NodePlan {
  config::Node node;
  std::string out_dir;                   // where the runner writes, as the node sees it
  std::string collect_dir;               // where the controller keeps the node's files
  std::vector<std::string> runner_argv;  // argv[0] is the runner itself
};

struct RunPlan {
  std::string run_id;   // "<UTC time>-<scenario>-<short id>"
  std::string run_dir;  // <report.out_dir>/<run_id>
  config::Scenario scenario = config::Scenario::kOffline;
  config::Mode mode = config::Mode::kPerformance;
  config::LauncherKind launcher = config::LauncherKind::kLocal;
  std::vector<NodePlan> nodes;
};

// "20261123T104500Z-offline-3fa2c1". `short_id` keeps runs started in the same second apart.
std::string make_run_id(std::chrono::system_clock::time_point started, config::Scenario scenario,
                        std::string_view short_id);

// The scenario name LoadGen and the runner use ("Server", "Offline", "SingleStream").
std::string_view loadgen_scenario_name(config::Scenario scenario);

// Fails (kInvalidArgument) when `--nodes` names a node the config does not have.
Result<RunPlan> plan_run(const config::Config& config, const RunRequest& request,
                         std::string_view run_id);

}  // namespace mlbench::orchestrator
