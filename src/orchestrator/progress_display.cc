#include "mlbench/orchestrator/progress_display.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <string_view>

namespace mlbench::orchestrator {
namespace {

using std::chrono::milliseconds;

constexpr milliseconds kRedrawEvery{100};
constexpr std::chrono::seconds kPlainEvery{10};

std::string format_duration(double seconds) {
  const auto total = static_cast<long long>(seconds + 0.5);
  if (total >= 3600)
    return fmt::format("{}:{:02}:{:02}", total / 3600, total / 60 % 60, total % 60);
  return fmt::format("{}:{:02}", total / 60, total % 60);
}

size_t name_width(const std::vector<NodeView>& nodes) {
  size_t width = 4;
  for (const NodeView& node : nodes)
    width = std::max(width, node.name.size());
  return width;
}

// "GPU 97% 612 W", or for several GPUs "4 GPUs 97% 2448 W": mean utilisation, total power,
// of the readings there are.
std::string format_gpus(const std::vector<TelemetryEvent>& gpus) {
  double utilization = 0;
  int utilizations = 0;
  double power = 0;
  bool any_power = false;
  for (const TelemetryEvent& gpu : gpus) {
    if (gpu.utilization_pct) {
      utilization += *gpu.utilization_pct;
      ++utilizations;
    }
    if (gpu.power_w) {
      power += *gpu.power_w;
      any_power = true;
    }
  }
  if (utilizations == 0 && !any_power) return "";
  std::string text = gpus.size() == 1 ? "  GPU" : fmt::format("  {} GPUs", gpus.size());
  if (utilizations > 0) text += fmt::format(" {:.0f}%", utilization / utilizations);
  if (any_power) text += fmt::format(" {:.0f} W", power);
  return text;
}

}  // namespace

std::string format_node_line(const NodeView& node, size_t width) {
  const std::string state = node.status ? std::string(report::to_string(*node.status))
                                        : std::string(to_string(node.phase));
  std::string line = fmt::format("{:<{}}  {:<10}", node.name, width, state);
  if (node.phase == NodePhase::kConnecting && node.attempt > 1) {
    line += fmt::format("  attempt {}", node.attempt);
  }
  // The runner has had SIGTERM and its kill grace is running: say how not to wait it out.
  if (node.phase == NodePhase::kStopping && !node.status) line += "  (Ctrl-C again: kill now)";
  if (node.has_progress) {
    const ProgressEvent& p = node.progress;
    // "~" marks an estimated total, and the ETA that follows from it. Once the node is done
    // its counts are final, and an estimate of them says nothing more.
    const std::string_view about = p.total && !p.total_exact ? "~" : "";
    line += fmt::format("  {}/{}", p.completed, p.issued);
    if (p.total && (p.total_exact || !node.status)) {
      line += fmt::format(" of {}{}", about, *p.total);
    }
    line += " samples";
    const double seconds = static_cast<double>(p.t_ns) / 1e9;
    if (seconds > 0) {
      line += fmt::format("  {:.0f} tok/s", static_cast<double>(p.tokens) / seconds);
    }
    // The GPUs now, while the run lasts; once it is over their last reading is stale.
    if (!node.status) line += format_gpus(node.gpus);
    // Without a total, the samples issued so far are all that is known to remain.
    const uint64_t expected = p.total ? std::max(*p.total, p.issued) : p.issued;
    if (!node.status && p.completed > 0 && seconds > 0 && expected > p.completed) {
      const double rate = static_cast<double>(p.completed) / seconds;
      line += fmt::format("  ETA {}{}", about,
                          format_duration(static_cast<double>(expected - p.completed) / rate));
    }
  }
  if (!node.note.empty()) line += "  " + node.note;
  return line;
}

ProgressDisplay::ProgressDisplay(std::FILE* out, bool smart_terminal)
    : out_(out), smart_(smart_terminal) {}

bool ProgressDisplay::is_smart_terminal(std::FILE* out) {
  if (isatty(fileno(out)) == 0) return false;
  const char* term = std::getenv("TERM");
  return term != nullptr && std::string_view(term) != "dumb";
}

void ProgressDisplay::update(const std::vector<NodeView>& nodes, Clock::time_point now) {
  if (smart_) {
    if (lines_drawn_ > 0 && now - last_draw_ < kRedrawEvery) return;
    last_draw_ = now;
    redraw(nodes);
  } else {
    print_changes(nodes, now, /*all=*/false);
  }
}

void ProgressDisplay::finish(const std::vector<NodeView>& nodes) {
  if (smart_) {
    redraw(nodes);
  } else {
    print_changes(nodes, Clock::now(), /*all=*/false);
  }
}

void ProgressDisplay::redraw(const std::vector<NodeView>& nodes) {
  // Back to the first line drawn last time, then each line rewritten and cleared to its end,
  // so that a shorter line leaves nothing of the longer one behind.
  std::string text;
  if (lines_drawn_ > 0) text += fmt::format("\x1b[{}A", lines_drawn_);
  const size_t width = name_width(nodes);
  for (const NodeView& node : nodes) {
    text += "\r" + format_node_line(node, width) + "\x1b[K\n";
  }
  std::fputs(text.c_str(), out_);
  std::fflush(out_);
  lines_drawn_ = nodes.size();
}

void ProgressDisplay::print_changes(const std::vector<NodeView>& nodes, Clock::time_point now,
                                    bool all) {
  last_phase_.resize(nodes.size(), NodePhase::kQueued);
  last_plain_.resize(nodes.size(), now);
  const size_t width = name_width(nodes);
  for (size_t i = 0; i < nodes.size(); ++i) {
    const bool changed = nodes[i].phase != last_phase_[i];
    const bool due = nodes[i].phase == NodePhase::kRunning && now - last_plain_[i] >= kPlainEvery;
    if (!all && !changed && !due) continue;
    last_phase_[i] = nodes[i].phase;
    last_plain_[i] = now;
    fmt::print(out_, "{}\n", format_node_line(nodes[i], width));
  }
  std::fflush(out_);
}

}  // namespace mlbench::orchestrator
