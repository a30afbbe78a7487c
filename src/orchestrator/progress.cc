#include "mlbench/orchestrator/progress.h"

#include <algorithm>

namespace mlbench::orchestrator {

std::string_view to_string(NodePhase phase) {
  switch (phase) {
    case NodePhase::kQueued: return "queued";
    case NodePhase::kConnecting: return "connecting";
    case NodePhase::kPreparing: return "uploading";
    case NodePhase::kRunning: return "running";
    case NodePhase::kStopping: return "stopping";
    case NodePhase::kCollecting: return "collecting";
    case NodePhase::kDone: return "done";
  }
  return "?";
}

ProgressBoard::ProgressBoard(const std::vector<std::string>& node_names) {
  for (const std::string& name : node_names)
    nodes_.push_back(NodeView{.name = name});
}

void ProgressBoard::set_phase(size_t node, NodePhase phase, int attempt) {
  const std::lock_guard lock(mutex_);
  nodes_.at(node).phase = phase;
  if (attempt > 0) nodes_.at(node).attempt = attempt;
}

void ProgressBoard::record(size_t node, const ProgressEvent& progress) {
  const std::lock_guard lock(mutex_);
  NodeView& view = nodes_.at(node);
  // The total belongs to the run, not to one event: counts without one (the result's) keep it.
  const std::optional<uint64_t> total = view.progress.total;
  const bool total_exact = view.progress.total_exact;
  view.progress = progress;
  if (!progress.total && total) {
    view.progress.total = total;
    view.progress.total_exact = total_exact;
  }
  view.has_progress = true;
}

void ProgressBoard::record(size_t node, const TelemetryEvent& telemetry) {
  const std::lock_guard lock(mutex_);
  std::vector<TelemetryEvent>& gpus = nodes_.at(node).gpus;
  const auto same = std::find_if(gpus.begin(), gpus.end(), [&](const TelemetryEvent& gpu) {
    return gpu.gpu == telemetry.gpu;
  });
  if (same != gpus.end()) {
    *same = telemetry;
  } else {
    gpus.push_back(telemetry);
  }
}

void ProgressBoard::finish(size_t node, report::NodeStatus status, std::string note) {
  const std::lock_guard lock(mutex_);
  NodeView& view = nodes_.at(node);
  view.phase = NodePhase::kDone;
  view.status = status;
  view.note = std::move(note);
}

std::vector<NodeView> ProgressBoard::snapshot() const {
  const std::lock_guard lock(mutex_);
  return nodes_;
}

}  // namespace mlbench::orchestrator
