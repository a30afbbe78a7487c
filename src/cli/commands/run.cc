#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <filesystem>
#include <random>

#include "mlbench/core/interrupt.h"
#include "mlbench/orchestrator/execute_run.h"
#include "mlbench/orchestrator/plan.h"
#include "mlbench/orchestrator/progress_display.h"
#include "mlbench/report/run_layout.h"
#include "mlbench/transport/shell_quote.h"

#include "cli/commands/commands.h"
#include "cli/commands/load.h"

namespace mlbench::cli {
namespace {

struct RunOptions {
  std::string config_path = "config.yaml";
  std::string scenario;
  std::string mode;
  std::vector<std::string> nodes;
  bool dry_run = false;
  bool smoke = false;
};

std::string random_short_id() {
  std::random_device device;
  return fmt::format("{:06x}", device() & 0xffffffu);
}

void print_plan(const orchestrator::RunPlan& plan, const config::Config& config) {
  fmt::print("Run plan (dry run: nothing was started)\n");
  fmt::print("  config    {}\n", config.source_path);
  fmt::print("  run id    {}\n", plan.run_id);
  fmt::print("  run dir   {}\n", plan.run_dir);
  fmt::print("  scenario  {}   mode {}   launcher {}   backend {}   model {}\n",
             orchestrator::loadgen_scenario_name(plan.scenario), config::to_string(plan.mode),
             config::to_string(plan.launcher), config::to_string(config.runner.backend),
             config.model.name);
  for (const orchestrator::NodePlan& node : plan.nodes) {
    const std::string where = plan.launcher == config::LauncherKind::kLocal
                                  ? std::string("this machine")
                                  : config::configured_address(node.node);
    fmt::print("  node {} ({})\n", node.node.name, where);
    fmt::print("    command  {}\n", transport::shell_join(node.runner_argv));
    fmt::print("    files    {}\n", node.collect_dir);
  }
  if (!plan.smoke) return;
  const std::string base =
      plan.smoke->base_user_conf.empty() ? "no user.conf" : plan.smoke->base_user_conf;
  fmt::print("  smoke run (never a valid MLPerf result): the runner gets {}:\n", plan.user_conf);
  fmt::print("    {}, then\n", base);
  for (const orchestrator::ConfOverride& override : plan.smoke->overrides)
    fmt::print("    {} = {}\n", override.key, override.value);
  fmt::print("    --max-samples {} (config: {})   --max-output-tokens {} (config: {})\n",
             plan.max_samples.value_or(0),
             config.dataset.max_samples ? std::to_string(*config.dataset.max_samples) : "all",
             plan.max_output_tokens, config.benchmark.max_output_tokens);
}

// After the live lines: one line per node that is not ok, and where everything is. On stdout,
// so that a script can read it whatever stderr shows.
void print_summary(const orchestrator::RunPlan& plan, const orchestrator::RunSummary& summary) {
  size_t ok = 0;
  for (const report::NodeOutcome& node : summary.nodes) {
    if (node.status == report::NodeStatus::kOk) {
      ++ok;
      continue;
    }
    fmt::print("node {}: {}: {}\n", node.name, report::to_string(node.status), node.error);
  }
  fmt::print("{} of {} node{} ok{}; run directory {}\n", ok, summary.nodes.size(),
             summary.nodes.size() == 1 ? "" : "s", summary.interrupted ? " (interrupted)" : "",
             plan.run_dir);
  if (!plan.smoke) return;
  fmt::print(
      "smoke run: counts and durations were cut; the figures are not a valid MLPerf "
      "result{}\n",
      summary.exit_code == ExitCode::kInvalidResult
          ? " (LoadGen's INVALID or a missed accuracy target does not fail a smoke run)"
          : "");
}

ExitCode run(const RunOptions& options) {
  auto loaded = load_runner_config_or_report(options.config_path);
  if (!loaded) return ExitCode::kUsage;
  config::Config& config = *loaded;

  orchestrator::RunRequest request;
  request.only_nodes = options.nodes;
  request.smoke = options.smoke;
  if (!options.scenario.empty()) request.scenario = config::parse_scenario(options.scenario);
  if (!options.mode.empty()) request.mode = config::parse_mode(options.mode);

  const auto scenario = request.scenario.value_or(config.benchmark.scenario);
  const std::string run_id =
      orchestrator::make_run_id(std::chrono::system_clock::now(), scenario, random_short_id());
  auto plan = orchestrator::plan_run(config, request, run_id);
  if (!plan) return report_error(plan.error());

  if (options.dry_run) {
    print_plan(*plan, config);
    return ExitCode::kOk;
  }
  if (auto written = orchestrator::write_smoke_user_conf(*plan); !written) {
    return report_error(written.error());
  }
  // Before any thread starts, so that SIGINT/SIGTERM reach only the watcher.
  InterruptWatcher interrupt;
  const std::unique_ptr<transport::Launcher> launcher =
      orchestrator::make_launcher(config.cluster.launcher);
  const orchestrator::ProgressOutput progress{
      .out = stderr, .smart_terminal = orchestrator::ProgressDisplay::is_smart_terminal(stderr)};
  spdlog::info("run {}: {} node{}, {} {}", plan->run_id, plan->nodes.size(),
               plan->nodes.size() == 1 ? "" : "s",
               orchestrator::loadgen_scenario_name(plan->scenario), config::to_string(plan->mode));
  auto summary = orchestrator::execute_run(config, *plan, *launcher, &interrupt.flag(), progress,
                                           &interrupt.repeated_flag());
  if (!summary) return report_error(summary.error());
  print_summary(*plan, *summary);
  return orchestrator::smoke_adjusted_exit_code(*plan, summary->exit_code);
}

}  // namespace

CommandSpec run_command() {
  return {"run", "Run a benchmark scenario on every node and write the report",
          [](CLI::App& sub, const GlobalOptions&) -> CommandHandler {
            auto options = std::make_shared<RunOptions>();
            sub.add_option("-c,--config", options->config_path, "The config file")
                ->capture_default_str();
            sub.add_option("--scenario", options->scenario,
                           "server, offline or singlestream (default: benchmark.scenario)")
                ->transform(CLI::IsMember({"server", "offline", "singlestream"}, CLI::ignore_case));
            sub.add_option("--mode", options->mode,
                           "performance or accuracy (default: benchmark.mode)")
                ->transform(CLI::IsMember({"performance", "accuracy"}, CLI::ignore_case));
            sub.add_option("--nodes", options->nodes, "Only these nodes (comma-separated)")
                ->delimiter(',');
            sub.add_flag("--dry-run", options->dry_run,
                         "Validate, plan and print what would run; start nothing");
            sub.add_flag("--smoke", options->smoke,
                         "CI smoke run: cut counts and durations to seconds (never a valid "
                         "result; exit 0 unless a node fails)");
            return [options] { return run(*options); };
          }};
}

}  // namespace mlbench::cli
