#include "mlbench/orchestrator/progress.h"

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
  nodes_.at(node).progress = progress;
  nodes_.at(node).has_progress = true;
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
