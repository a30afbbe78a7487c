#include "mlbench/orchestrator/connect.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <thread>

namespace mlbench::orchestrator {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// Sleeps for `wait`, in short steps so that Ctrl-C is not held up; false if cancelled.
bool wait_unless_cancelled(milliseconds wait, const std::atomic<bool>* cancel) {
  const Clock::time_point until = Clock::now() + wait;
  while (Clock::now() < until) {
    if (cancel != nullptr && cancel->load()) return false;
    std::this_thread::sleep_for(std::min(milliseconds(50), wait));
  }
  return cancel == nullptr || !cancel->load();
}

}  // namespace

Result<std::unique_ptr<transport::NodeSession>> connect_with_retries(
    transport::Launcher& launcher, const transport::Endpoint& endpoint, const RetryPolicy& policy,
    const std::atomic<bool>* cancel, const std::function<void(int)>& on_attempt, int* attempts) {
  milliseconds backoff = policy.backoff;
  for (int attempt = 1;; ++attempt) {
    if (attempts != nullptr) *attempts = attempt;
    if (on_attempt) on_attempt(attempt);
    Result<std::unique_ptr<transport::NodeSession>> session = launcher.connect(endpoint);
    if (session || session.error().code != ErrorCode::kConnection || attempt > policy.retries) {
      return session;
    }
    spdlog::debug("{}: attempt {} failed ({}); retrying in {} ms", endpoint.name, attempt,
                  session.error().message, backoff.count());
    if (!wait_unless_cancelled(backoff, cancel)) return session;
    backoff = std::min(backoff * 2, policy.max_backoff);
  }
}

}  // namespace mlbench::orchestrator
