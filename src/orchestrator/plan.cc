#include "mlbench/orchestrator/plan.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "mlbench/core/spelling.h"
#include "mlbench/loadgen/log_file.h"

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

// A remote runner reads the copy execute_run uploads beside run.json.
std::string node_user_conf(const config::Config& config, const RunPlan& plan) {
  if (plan.user_conf.empty()) return {};
  if (config.cluster.launcher == LauncherKind::kLocal) return plan.user_conf;
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
      std::to_string(plan.max_output_tokens),
      "--out",
      out_dir,
  };
  if (config.runner.backend != Backend::kSim) {
    argv.insert(argv.end(), {"--model", config.model.path, "--dataset", config.dataset.path});
  }
  if (plan.max_samples) {
    argv.insert(argv.end(), {"--max-samples", std::to_string(*plan.max_samples)});
  }
  if (const std::string user_conf = node_user_conf(config, plan); !user_conf.empty()) {
    argv.insert(argv.end(), {"--user-conf", user_conf});
  }
  if (!node.gpus.empty()) argv.insert(argv.end(), {"--gpus", join_ints(node.gpus)});
  // Last: config validation keeps the controller's own flags out of them.
  argv.insert(argv.end(), config.runner.args.begin(), config.runner.args.end());
  return argv;
}

// The settings a smoke run of `scenario` cuts. min_duration 0 ends the run once its queries are
// answered; the sample count bounds the QSL LoadGen loads and every query count.
std::vector<ConfOverride> smoke_overrides(const std::string& model, config::Scenario scenario,
                                          const SmokeLimits& limits) {
  const std::string prefix = fmt::format("{}.{}.", model, loadgen_scenario_name(scenario));
  std::vector<ConfOverride> overrides;
  const auto set = [&](std::string_view name, std::string value) {
    overrides.push_back({prefix + std::string(name), std::move(value)});
  };
  set("min_duration", "0");
  // SingleStream's equal issue (sample_concatenate_permutation, which llama3.1 sets) rounds the
  // count up past the next whole permutation of the loaded set: one less than the sample count
  // gives exactly one permutation, where the count itself would give two.
  const bool single_stream = scenario == config::Scenario::kSingleStream;
  set("min_query_count",
      std::to_string(single_stream ? std::max(1, limits.samples - 1) : limits.samples));
  set("performance_sample_count_override", std::to_string(limits.samples));
  switch (scenario) {
    case config::Scenario::kServer:
      set("target_qps", fmt::format("{:g}", limits.server_target_qps));
      set("ttft_latency", std::to_string(limits.server_ttft_latency_ms));
      set("tpot_latency", std::to_string(limits.server_tpot_latency_ms));
      break;
    case config::Scenario::kSingleStream:
      set("target_latency", std::to_string(limits.single_stream_target_latency_ms));
      break;
    case config::Scenario::kOffline: break;
  }
  return overrides;
}

// Cuts the plan's runner settings to the smoke limits; a config that already asks for less
// keeps its own value.
void apply_smoke(const config::Config& config, const SmokeLimits& limits, RunPlan& plan) {
  SmokePlan smoke;
  smoke.base_user_conf = config.benchmark.user_conf;
  smoke.overrides = smoke_overrides(config.model.name, plan.scenario, limits);
  plan.user_conf = (fs::path(plan.run_dir) / kSmokeUserConfFile).string();
  plan.max_output_tokens = std::min(plan.max_output_tokens, limits.max_output_tokens);
  plan.max_samples = std::min(plan.max_samples.value_or(limits.samples), limits.samples);
  plan.smoke = std::move(smoke);
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
                         std::string_view run_id, const SmokeLimits& smoke_limits) {
  auto nodes = select_nodes(config, request.only_nodes);
  if (!nodes) return nodes.failure();

  RunPlan plan;
  plan.run_id = std::string(run_id);
  plan.run_dir = (fs::path(config.report.out_dir) / plan.run_id).string();
  plan.scenario = request.scenario.value_or(config.benchmark.scenario);
  plan.mode = request.mode.value_or(config.benchmark.mode);
  plan.launcher = config.cluster.launcher;
  plan.user_conf = config.benchmark.user_conf;
  plan.max_output_tokens = config.benchmark.max_output_tokens;
  plan.max_samples = config.dataset.max_samples;
  if (request.smoke) apply_smoke(config, smoke_limits, plan);
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

std::string smoke_user_conf_text(const SmokePlan& smoke, std::string_view base_text) {
  std::string text(base_text);
  if (!text.empty() && !text.ends_with('\n')) text += '\n';
  text +=
      "\n# mlbench run --smoke: the lines below cut counts and durations so that the scenario "
      "takes\n# seconds. They replace any earlier line of the same key. Not a valid MLPerf "
      "result.\n";
  for (const ConfOverride& override : smoke.overrides)
    text += fmt::format("{} = {}\n", override.key, override.value);
  return text;
}

Result<void> write_smoke_user_conf(const RunPlan& plan) {
  if (!plan.smoke) return {};
  std::string base_text;
  if (!plan.smoke->base_user_conf.empty()) {
    std::ifstream in(plan.smoke->base_user_conf);
    std::ostringstream content;
    content << in.rdbuf();
    if (!in) {
      return fail(ErrorCode::kNotFound,
                  "cannot read the user.conf that benchmark.user_conf names (fix the path, or "
                  "remove the key for LoadGen's defaults)",
                  plan.smoke->base_user_conf);
    }
    base_text = content.str();
  }
  std::error_code error;
  fs::create_directories(plan.run_dir, error);
  if (error) {
    return fail(ErrorCode::kIo, fmt::format("cannot create the run directory: {}", error.message()),
                plan.run_dir);
  }
  return loadgen::write_file_atomically(plan.user_conf,
                                        smoke_user_conf_text(*plan.smoke, base_text));
}

ExitCode smoke_adjusted_exit_code(const RunPlan& plan, ExitCode code) {
  if (plan.smoke && code == ExitCode::kInvalidResult) return ExitCode::kOk;
  return code;
}

}  // namespace mlbench::orchestrator
