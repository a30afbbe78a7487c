#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "mlbench/orchestrator/plan.h"
#include "mlbench/orchestrator/progress.h"
#include "mlbench/report/run_layout.h"
#include "mlbench/transport/launcher.h"

namespace mlbench::orchestrator {

// runner.* that decides what happens to a remote node whose runner is missing or of another
// version (runner.upload): uploaded from local_path, or the node fails naming the key.
struct RunnerSetup {
  config::RunnerUpload upload = config::RunnerUpload::kIfNeeded;
  std::string local_path;  // the runner to upload; empty: the one beside this `mlbench`
  config::Backend backend = config::Backend::kCpu;
};

// One node's part of a run, ready to start.
struct NodeJob {
  NodePlan plan;
  transport::Endpoint endpoint;
  std::string host_label;  // node.json's "host": "local", or host:port
  // Remote nodes get their inputs uploaded before the run, into remote_run_dir, and their
  // files collected from plan.out_dir after it. A local runner reads and writes in place.
  bool remote = false;
  std::string remote_run_dir;
  std::vector<std::pair<std::string, std::string>> uploads;  // local path -> node path
  // Set for remote nodes: their runner is checked (and uploaded if allowed) before the run.
  std::optional<RunnerSetup> runner_setup;
};

// Limits of the fan-out (from config.yaml's cluster section).
struct FanoutOptions {
  int max_parallel = 32;  // nodes in flight at once; the others wait for a free slot
  int connect_retries = 2;
  std::chrono::milliseconds retry_backoff{1000};  // doubled after each retry, at most 30 s
  std::chrono::milliseconds run_timeout{std::chrono::hours(4)};
  std::chrono::milliseconds collect_timeout{std::chrono::minutes(10)};
  std::chrono::milliseconds heartbeat_timeout{std::chrono::minutes(5)};  // 0: none
  std::chrono::milliseconds kill_grace{std::chrono::seconds(10)};
  // Set by SIGINT/SIGTERM: every runner's process group is stopped (SIGTERM, SIGKILL after
  // kill_grace), what it wrote is still collected, and every node still gets its node.json.
  const std::atomic<bool>* cancel = nullptr;
  // Set by a second Ctrl-C: runners still inside kill_grace get SIGKILL at once. Collection and
  // node.json go on as after the first.
  const std::atomic<bool>* kill_now = nullptr;
};

// Runs every job, at most max_parallel at once, one thread per node in flight; a node that
// fails does not stop the others. Each node's events.jsonl and runner.log are written into its
// collect_dir as lines arrive, its files are collected, and its node.json is written there
// before this returns. `on_tick` is called about every 100 ms from the calling thread (for
// the progress display). Outcomes are in the order of `jobs`.
std::vector<report::NodeOutcome> run_nodes(transport::Launcher& launcher,
                                           const std::vector<NodeJob>& jobs,
                                           const FanoutOptions& options, ProgressBoard& board,
                                           const std::function<void()>& on_tick = {});

}  // namespace mlbench::orchestrator
