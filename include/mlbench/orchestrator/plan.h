#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mlbench/config/config.h"
#include "mlbench/core/exit_code.h"
#include "mlbench/core/result.h"

namespace mlbench::orchestrator {

// What the user asked `mlbench run` for, on top of the config.
struct RunRequest {
  std::optional<config::Scenario> scenario;  // overrides benchmark.scenario
  std::optional<config::Mode> mode;          // overrides benchmark.mode
  std::vector<std::string> only_nodes;       // `--nodes a,b`; empty means every node
  bool smoke = false;                        // `--smoke`: cut counts and durations (docs/ci.md)
};

// How far `--smoke` cuts a run: enough queries to exercise the whole path (LoadGen, the SUT,
// the logs, the report) in seconds on the CPU backend, never enough to be a valid result.
struct SmokeLimits {
  int samples = 8;             // QSL size (--max-samples) and every query count
  int max_output_tokens = 16;  // enough for TTFT and TPOT to mean something
  // Server and SingleStream targets that the tiny model on a CPU meets, so that their latency
  // conditions report a real verdict rather than failing on the MLPerf 8B targets.
  double server_target_qps = 4;  // the Server run lasts samples / target_qps at least
  int server_ttft_latency_ms = 30'000;
  int server_tpot_latency_ms = 2'000;
  int single_stream_target_latency_ms = 2'000;
};

// One user.conf line the smoke run appends: `<model>.<Scenario>.<name> = <value>`. The model's
// own name, not `*`, because LoadGen prefers an exact key to a wildcard one, so a wildcard
// would lose to a model-specific line in the user's file.
struct ConfOverride {
  std::string key;
  std::string value;
};

struct SmokePlan {
  std::string base_user_conf;  // the user's user.conf; empty when the config names none
  std::vector<ConfOverride> overrides;
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
  // What every runner is given, after `--smoke` (the config's values otherwise). `user_conf` is
  // the controller-side file: the config's, or <run_dir>/smoke.user.conf for a smoke run.
  std::string user_conf;
  int max_output_tokens = 128;
  std::optional<int> max_samples;
  std::optional<SmokePlan> smoke;
  std::vector<NodePlan> nodes;
};

// "20261123T104500Z-offline-3fa2c1". `short_id` keeps runs started in the same second apart.
std::string make_run_id(std::chrono::system_clock::time_point started, config::Scenario scenario,
                        std::string_view short_id);

// The scenario name LoadGen and the runner use ("Server", "Offline", "SingleStream").
std::string_view loadgen_scenario_name(config::Scenario scenario);

// Fails (kInvalidArgument) when `--nodes` names a node the config does not have.
Result<RunPlan> plan_run(const config::Config& config, const RunRequest& request,
                         std::string_view run_id, const SmokeLimits& smoke_limits = {});

// The smoke user.conf's name inside the run directory.
inline constexpr std::string_view kSmokeUserConfFile = "smoke.user.conf";

// The user's user.conf verbatim, then the smoke overrides: later lines replace earlier ones of
// the same key, so the user's settings stay in force except where a smoke run must cut.
std::string smoke_user_conf_text(const SmokePlan& smoke, std::string_view base_text);

// Reads the user's user.conf and writes plan.user_conf (creating the run directory). Does
// nothing for a plan that is not a smoke run. Fails naming the file that cannot be read or
// written.
Result<void> write_smoke_user_conf(const RunPlan& plan);

// A smoke run is never a valid result, so LoadGen's INVALID (or a missed accuracy target) does
// not fail it; node failures and interrupts still do.
ExitCode smoke_adjusted_exit_code(const RunPlan& plan, ExitCode code);

}  // namespace mlbench::orchestrator
