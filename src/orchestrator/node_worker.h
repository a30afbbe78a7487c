#pragma once

#include <atomic>
#include <cstdint>

#include "mlbench/orchestrator/fanout.h"

namespace mlbench::orchestrator::detail {

// Shared between a node's worker (which runs it) and the supervising thread (which watches the
// clock and Ctrl-C for it).
struct NodeControl {
  std::atomic<bool> stop{false};    // stop the runner now (interrupt or silence)
  std::atomic<bool> silent{false};  // ... because the heartbeat timed out
  std::atomic<bool> running{false};
  std::atomic<int64_t> last_output_ns{0};  // steady clock, of the runner's latest line
};

// One node from connect to node.json; never throws, always returns an outcome.
report::NodeOutcome run_node(transport::Launcher& launcher, const NodeJob& job,
                             const FanoutOptions& options, NodeControl& control,
                             ProgressBoard& board, size_t index);

}  // namespace mlbench::orchestrator::detail
