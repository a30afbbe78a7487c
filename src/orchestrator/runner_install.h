#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <string>

#include "mlbench/config/config.h"
#include "mlbench/core/result.h"
#include "mlbench/orchestrator/fanout.h"
#include "mlbench/transport/launcher.h"

namespace mlbench::orchestrator::detail {

// What `<runner> info` says about the runner at a path on a node.
struct RunnerFound {
  bool present = false;  // it ran and printed its version
  std::string version;
  std::string commit;
  bool cuda_built = false;
  std::string problem;  // why not present: "not found", "`... info` failed: ..."

  bool matches_controller() const;
  // "missing", "version 0.0.9", or the problem: what the node has, for messages.
  std::string describe() const;
};

// Fails only when the session broke; a missing or foreign program is a RunnerFound.
Result<RunnerFound> find_runner(transport::NodeSession& session, const std::string& path,
                                const std::atomic<bool>* cancel);

// runner.upload, runner.local_path and runner.backend of the config.
RunnerSetup runner_setup(const config::Config& config);

// Why this controller's runner cannot be put at `path` on the node (bare name, no local
// runner, another CPU architecture, no CUDA in it), or the local file to upload. Error where:
// the config key to change.
Result<std::string> upload_source(transport::NodeSession& session, const std::string& path,
                                  const RunnerSetup& setup, const std::atomic<bool>* cancel);

// Makes the runner at `path` (absolute on the node, or a bare name) answer with this
// controller's version: nothing to do when it does; else uploaded (runner.upload: if_needed)
// or refused (never). Returns what was done, e.g. "runner uploaded: was missing", or "".
Result<std::string> ensure_runner(transport::NodeSession& session, const std::string& path,
                                  const RunnerSetup& setup, const std::atomic<bool>* cancel);

}  // namespace mlbench::orchestrator::detail
