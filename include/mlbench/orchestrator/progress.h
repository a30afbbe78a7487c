#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "mlbench/orchestrator/runner_events.h"
#include "mlbench/report/run_layout.h"

namespace mlbench::orchestrator {

// Where one node's session is.
enum class NodePhase { kQueued, kConnecting, kPreparing, kRunning, kStopping, kCollecting, kDone };
std::string_view to_string(NodePhase phase);

// What the progress display shows of one node.
struct NodeView {
  std::string name;
  NodePhase phase = NodePhase::kQueued;
  int attempt = 0;         // connection attempt, from 1
  ProgressEvent progress;  // the latest progress event
  bool has_progress = false;
  std::vector<TelemetryEvent> gpus;          // the latest reading of each GPU, by NVML index
  std::optional<report::NodeStatus> status;  // once done
  std::string note;                          // the reason, for a node that is not ok
};

// The shared state between node workers (which write) and the display (which reads). A
// mutex is enough: updates come a few times a second per node.
class ProgressBoard {
 public:
  explicit ProgressBoard(const std::vector<std::string>& node_names);

  void set_phase(size_t node, NodePhase phase, int attempt = 0);
  // The latest counts; an event without a total keeps the total announced before.
  void record(size_t node, const ProgressEvent& progress);
  // The GPU's latest reading, in place of the one before.
  void record(size_t node, const TelemetryEvent& telemetry);
  void finish(size_t node, report::NodeStatus status, std::string note);

  std::vector<NodeView> snapshot() const;

 private:
  mutable std::mutex mutex_;
  std::vector<NodeView> nodes_;
};

}  // namespace mlbench::orchestrator
