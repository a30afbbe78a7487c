#pragma once

#include <atomic>
#include <chrono>
#include <string>
#include <vector>

#include "mlbench/core/result.h"
#include "mlbench/transport/launcher.h"

namespace mlbench::orchestrator::detail {

// A short command's whole output, for the checks the controller runs on a node.
struct Captured {
  transport::ProcessOutcome outcome;
  std::vector<std::string> out;
  std::vector<std::string> err;
  bool succeeded() const { return outcome.exit_code == 0; }
  // The last stderr line, else what ended it.
  std::string why() const;
};

inline constexpr std::chrono::seconds kCheckTimeout{120};  // du over a model, sha256 of a dataset

// Runs argv (each word quoted by the transport) and keeps its lines. Fails only when the
// command could not be started or the session broke.
Result<Captured> capture(transport::NodeSession& session, std::vector<std::string> argv,
                         const std::atomic<bool>* cancel,
                         std::chrono::seconds timeout = kCheckTimeout);

}  // namespace mlbench::orchestrator::detail
