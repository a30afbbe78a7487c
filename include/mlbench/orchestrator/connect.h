#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>

#include "mlbench/core/result.h"
#include "mlbench/transport/launcher.h"

namespace mlbench::orchestrator {

struct RetryPolicy {
  int retries = 2;                                // attempts after the first
  std::chrono::milliseconds backoff{1000};        // before the first retry; doubled each time
  std::chrono::milliseconds max_backoff{30'000};  // the doubling stops here
};

// Connects, trying again after connection failures (kConnection: unreachable, refused, no
// banner, timed out), never after a refused host key or user key (kAuthentication) or a bad
// option: those give the same answer every time. Waits between attempts can be cut short by
// `cancel`. `on_attempt(n)` is told each attempt (from 1); `attempts` gets how many were made.
Result<std::unique_ptr<transport::NodeSession>> connect_with_retries(
    transport::Launcher& launcher, const transport::Endpoint& endpoint, const RetryPolicy& policy,
    const std::atomic<bool>* cancel, const std::function<void(int)>& on_attempt = {},
    int* attempts = nullptr);

}  // namespace mlbench::orchestrator
