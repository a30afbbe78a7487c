#include "mlbench/orchestrator/plan.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>

#include "mlbench/core/spelling.h"

namespace mlbench::orchestrator {
namespace {

namespace fs = std::filesystem;
using config::Backend;
using config::LauncherKind;

std::string join_ints(const std::vector<int>& values) {
  return fmt::format("{}", fmt::join(values, ","));
}

Result<std::vector<config::Node>> select_nodes(const config::Config& config,
                                               const std::vector<std::string>& wanted) {
  if (wanted.empty()) return config.nodes;
  std::vector<config::Node> selected;
  for (const std::string& name : wanted) {
    const auto found = std::find_if(config.nodes.begin(), config.nodes.end(),
                                    [&](const config::Node& node) { return node.name == name; });
    if (found == config.nodes.end()) {
      const auto names = config::node_names(config);
      const auto hint = closest_match(name, names);
      return fail(ErrorCode::kInvalidArgument,
                  hint ? fmt::format("no node named '{}' in {} (did you mean '{}'?)", name,
                                     config.source_path, *hint)
                       : fmt::format("no node named '{}' in {} (nodes: {})", name,
                                     config.source_path, fmt::join(names, ", ")),
                  "--nodes");
    }
    if (std::none_of(selected.begin(), selected.end(),
                     [&](const config::Node& node) { return node.name == name; })) {
      selected.push_back(*found);
    }
  }
  return selected;
}

// On a local node the runner writes straight into the run directory; on a remote node it
// writes under the runner's workdir and the controller collects the files afterwards.
std::string node_out_dir(const config::Config& config, const RunPlan& plan,
                         const config::Node& node) {
  if (config.cluster.launcher == LauncherKind::kLocal) {
    return (fs::path(plan.run_dir) / "nodes" / node.name).string();
  }
  return (fs::path(config.runner.workdir) / plan.run_id / node.name).string();
}

std::string node_user_conf(const config::Config& config, const RunPlan& plan) {
  if (config.benchmark.user_conf.empty()) return {};
  if (config.cluster.launcher == LauncherKind::kLocal) return config.benchmark.user_conf;
  return (fs::path(config.runner.workdir) / plan.run_id / "user.conf").string();
}

std::vector<std::string> runner_argv(const config::Config& config, const RunPlan& plan,
                                     const config::Node& node, const std::string& out_dir) {
  std::vector<std::string> argv = {
      config.runner.path,
      "run",
      "--backend",
      std::string(config::to_string(config.runner.backend)),
      "--model-name",
      config.model.name,
      "--scenario",
      std::string(loadgen_scenario_name(plan.scenario)),
      "--mode",
      std::string(config::to_string(plan.mode)),
      "--max-output-tokens",
      std::to_string(config.benchmark.max_output_tokens),
      "--out",
      out_dir,
  };
  if (config.runner.backend != Backend::kSim) {
    argv.insert(argv.end(), {"--model", config.model.path, "--dataset", config.dataset.path});
  }
  if (config.dataset.max_samples) {
    argv.insert(argv.end(), {"--max-samples", std::to_string(*config.dataset.max_samples)});
  }
  if (const std::string user_conf = node_user_conf(config, plan); !user_conf.empty()) {
    argv.insert(argv.end(), {"--user-conf", user_conf});
  }
  if (!node.gpus.empty()) argv.insert(argv.end(), {"--gpus", join_ints(node.gpus)});
  return argv;
}

}  // namespace

std::string make_run_id(std::chrono::system_clock::time_point started, config::Scenario scenario,
                        std::string_view short_id) {
  const auto seconds = std::chrono::floor<std::chrono::seconds>(started);
  return fmt::format("{:%Y%m%dT%H%M%SZ}-{}-{}", seconds, config::to_string(scenario), short_id);
}

std::string_view loadgen_scenario_name(config::Scenario scenario) {
  switch (scenario) {
    case config::Scenario::kServer: return "Server";
    case config::Scenario::kOffline: return "Offline";
    case config::Scenario::kSingleStream: return "SingleStream";
  }
  return "Offline";
}

Result<RunPlan> plan_run(const config::Config& config, const RunRequest& request,
                         std::string_view run_id) {
  auto nodes = select_nodes(config, request.only_nodes);
  if (!nodes) return nodes.failure();

  RunPlan plan;
  plan.run_id = std::string(run_id);
  plan.run_dir = (fs::path(config.report.out_dir) / plan.run_id).string();
  plan.scenario = request.scenario.value_or(config.benchmark.scenario);
  plan.mode = request.mode.value_or(config.benchmark.mode);
  plan.launcher = config.cluster.launcher;
  for (const config::Node& node : *nodes) {
    NodePlan node_plan;
    node_plan.node = node;
    node_plan.out_dir = node_out_dir(config, plan, node);
    node_plan.collect_dir = (fs::path(plan.run_dir) / "nodes" / node.name).string();
    node_plan.runner_argv = runner_argv(config, plan, node, node_plan.out_dir);
    plan.nodes.push_back(std::move(node_plan));
  }
  return plan;
}

}  // namespace mlbench::orchestrator
