#pragma once

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "mlbench/orchestrator/progress.h"

namespace mlbench::orchestrator {

// One line per node: name, phase or final status, completed/issued samples "of" the run's
// total when the runner announces one ("of ~N" for an estimate), tokens/s and an ETA: the
// time to answer the total (else the samples issued so far) at the completion rate seen so
// far, and while it runs the GPUs' utilisation and power from the latest telemetry events
// ("GPU 97% 612 W"; several GPUs: mean utilisation, total power). Runners announce an exact total
// for Offline, Server (without max_duration) and accuracy runs, an estimate for SingleStream;
// without a total (older runners) the ETA is a lower bound for Server and SingleStream.
std::string format_node_line(const NodeView& node, size_t name_width);

// Draws the board (ninja's LinePrinter idea). On a terminal the lines are redrawn in place,
// at most every 100 ms; elsewhere (a pipe, a CI log) it prints a plain line whenever a node
// changes phase, and each running node's progress every 10 s.
class ProgressDisplay {
 public:
  using Clock = std::chrono::steady_clock;

  ProgressDisplay(std::FILE* out, bool smart_terminal);
  // A terminal that understands cursor movement (not TERM=dumb).
  static bool is_smart_terminal(std::FILE* out);

  void update(const std::vector<NodeView>& nodes, Clock::time_point now = Clock::now());
  // Draws the final state once more, whatever the time since the last draw.
  void finish(const std::vector<NodeView>& nodes);

 private:
  void redraw(const std::vector<NodeView>& nodes);
  void print_changes(const std::vector<NodeView>& nodes, Clock::time_point now, bool all);

  std::FILE* out_;
  bool smart_;
  size_t lines_drawn_ = 0;
  Clock::time_point last_draw_{};
  std::vector<NodePhase> last_phase_;
  std::vector<Clock::time_point> last_plain_;
};

}  // namespace mlbench::orchestrator
