#include "orchestrator/node_command.h"

#include <fmt/format.h>

namespace mlbench::orchestrator::detail {

std::string Captured::why() const {
  if (!err.empty()) return err.back();
  if (outcome.timed_out) return "timed out";
  return fmt::format("exit code {}", outcome.exit_code);
}

Result<Captured> capture(transport::NodeSession& session, std::vector<std::string> argv,
                         const std::atomic<bool>* cancel, std::chrono::seconds timeout) {
  Captured captured;
  transport::OutputHandlers handlers;
  handlers.on_stdout_line = [&](std::string_view line) { captured.out.emplace_back(line); };
  handlers.on_stderr_line = [&](std::string_view line) { captured.err.emplace_back(line); };
  transport::RunLimits limits;
  limits.timeout = timeout;
  limits.cancel = cancel;
  limits.kill_grace = std::chrono::seconds(2);
  Result<transport::ProcessOutcome> ran = session.run({std::move(argv), {}}, handlers, limits);
  if (!ran) return ran.failure();
  captured.outcome = *ran;
  return captured;
}

}  // namespace mlbench::orchestrator::detail
