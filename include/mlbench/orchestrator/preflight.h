#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "mlbench/config/config.h"
#include "mlbench/transport/launcher.h"

namespace mlbench::orchestrator {

// One line of `mlbench preflight`'s table for one node. `value` is the short cell ("0.1.0",
// "12.0 GiB free"); `detail` says why a check failed, or what to know about one that passed.
struct PreflightCheck {
  std::string name;  // reach, auth, runner, gpus, model, dataset, disk
  bool ok = false;
  bool skipped = false;  // not run, because an earlier check failed
  std::string value;
  std::string detail;
};

struct NodePreflight {
  std::string node;
  std::vector<PreflightCheck> checks;
  bool ok() const;
};

// Below this much free space in runner.workdir, the disk check fails.
inline constexpr uint64_t kMinFreeDiskBytes = uint64_t{1} << 30;

// The names of the checks, in table order.
std::vector<std::string> preflight_check_names();

// Reaches one node and checks it: reachable (connects), authenticated (host key and user key),
// runner present with this controller's version (`mlbench-runner info`; with runner.upload:
// if_needed, a missing or other runner that a run would upload passes as "upload"), GPUs
// (`nvidia-smi` for backend cuda; "none" for cpu and sim), model directory and dataset present
// with their sizes (and dataset.sha256 when set), free disk in runner.workdir (or the nearest
// existing parent). `~/` paths are the node user's $HOME, asked for once. Changes nothing on
// the node. Every command is an argument vector quoted word by word.
NodePreflight preflight_node(transport::Launcher& launcher, const config::Config& config,
                             const config::Node& node, const std::atomic<bool>* cancel);

// Every node, at most cluster.ssh.max_parallel at once; results in the order of `nodes`.
std::vector<NodePreflight> preflight_nodes(transport::Launcher& launcher,
                                           const config::Config& config,
                                           const std::vector<config::Node>& nodes,
                                           const std::atomic<bool>* cancel);

}  // namespace mlbench::orchestrator
