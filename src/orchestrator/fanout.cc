#include "mlbench/orchestrator/fanout.h"

#include <algorithm>
#include <deque>
#include <thread>

#include "orchestrator/node_worker.h"

namespace mlbench::orchestrator {
namespace {

using Clock = std::chrono::steady_clock;
constexpr std::chrono::milliseconds kTick{100};

int64_t steady_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
      .count();
}

// The calling thread's part: passes Ctrl-C on to every running node and stops a node whose
// runner has gone silent. Transport sessions poll the stop flag, so this thread never touches
// a session itself (libssh sessions belong to one thread).
void supervise(std::deque<detail::NodeControl>& controls, const FanoutOptions& options,
               ProgressBoard& board) {
  const bool interrupted = options.cancel != nullptr && options.cancel->load();
  const int64_t now = steady_ns();
  const int64_t silence_limit =
      std::chrono::duration_cast<std::chrono::nanoseconds>(options.heartbeat_timeout).count();
  for (size_t i = 0; i < controls.size(); ++i) {
    detail::NodeControl& control = controls[i];
    if (!control.running.load() || control.stop.load()) continue;
    const bool silent = silence_limit > 0 && now - control.last_output_ns.load() > silence_limit;
    if (!interrupted && !silent) continue;
    control.silent = silent && !interrupted;
    control.stop = true;
    board.set_phase(i, NodePhase::kStopping);
  }
}

}  // namespace

std::vector<report::NodeOutcome> run_nodes(transport::Launcher& launcher,
                                           const std::vector<NodeJob>& jobs,
                                           const FanoutOptions& options, ProgressBoard& board,
                                           const std::function<void()>& on_tick) {
  std::vector<report::NodeOutcome> outcomes(jobs.size());
  std::deque<detail::NodeControl> controls(jobs.size());  // atomics: never moved
  std::atomic<size_t> next{0};
  std::atomic<size_t> finished{0};
  const size_t width =
      std::min<size_t>(static_cast<size_t>(std::max(1, options.max_parallel)), jobs.size());
  {
    std::vector<std::jthread> workers;
    for (size_t w = 0; w < width; ++w) {
      workers.emplace_back([&] {
        for (size_t i = next++; i < jobs.size(); i = next++) {
          outcomes[i] = detail::run_node(launcher, jobs[i], options, controls[i], board, i);
          ++finished;
        }
      });
    }
    while (finished.load() < jobs.size()) {
      supervise(controls, options, board);
      if (on_tick) on_tick();
      std::this_thread::sleep_for(kTick);
    }
  }  // joins the workers
  if (on_tick) on_tick();
  return outcomes;
}

}  // namespace mlbench::orchestrator
