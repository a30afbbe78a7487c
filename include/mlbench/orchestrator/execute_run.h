#pragma once

#include <atomic>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "mlbench/config/config.h"
#include "mlbench/core/exit_code.h"
#include "mlbench/core/result.h"
#include "mlbench/orchestrator/fanout.h"
#include "mlbench/orchestrator/plan.h"
#include "mlbench/report/run_layout.h"
#include "mlbench/transport/launcher.h"

namespace mlbench::orchestrator {

// How to reach a node, from config.yaml: the node's own user over cluster.ssh.user, the
// cluster's key, known_hosts, ssh config file, host-key policy and timeouts. What config.yaml
// leaves out (port, user, key, known_hosts) the ssh config's Host block for node.host gives.
transport::Endpoint endpoint_for(const config::Config& config, const config::Node& node);

// The fan-out limits of cluster.* (and cluster.ssh.*), with `cancel` for Ctrl-C and `kill_now`
// for a second one.
FanoutOptions fanout_options(const config::Config& config, const std::atomic<bool>* cancel,
                             const std::atomic<bool>* kill_now = nullptr);

// The launcher cluster.launcher names (local or ssh).
std::unique_ptr<transport::Launcher> make_launcher(config::LauncherKind kind);

// The jobs of a plan: for remote nodes, the uploads (user.conf and run.json into
// <workdir>/<run id>/ on the node) and where to collect from.
std::vector<NodeJob> make_jobs(const config::Config& config, const RunPlan& plan);

struct ProgressOutput {
  std::FILE* out = nullptr;     // nullptr: no live progress
  bool smart_terminal = false;  // redraw in place
};

struct RunSummary {
  std::vector<report::NodeOutcome> nodes;  // in plan order
  bool interrupted = false;
  ExitCode exit_code = ExitCode::kOk;
  bool report_written = false;
};

// `mlbench run` after planning: creates the run directory, writes run.json, runs every node
// (fanout.h), writes run.json again with the end, then the report files. Fails only when the
// run directory cannot be created; node failures are in the summary, and its exit_code
// follows design.md §2.
Result<RunSummary> execute_run(const config::Config& config, const RunPlan& plan,
                               transport::Launcher& launcher, const std::atomic<bool>* cancel,
                               const ProgressOutput& progress,
                               const std::atomic<bool>* kill_now = nullptr);

}  // namespace mlbench::orchestrator
