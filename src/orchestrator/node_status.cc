#include "mlbench/orchestrator/node_status.h"

#include <fmt/format.h>
#include <string.h>

#include <algorithm>

namespace mlbench::orchestrator {
namespace {

using report::NodeStatus;

std::string signal_name(int signal) {
  const char* abbreviation = sigabbrev_np(signal);
  return abbreviation != nullptr ? fmt::format("SIG{}", abbreviation) : "an unknown signal";
}

// What the runner said last about why it stopped, for a runner that failed.
std::string runner_said(const NodeFacts& facts) {
  if (!facts.last_error_event.empty()) return ": " + facts.last_error_event;
  if (!facts.last_stderr_line.empty()) return ": " + facts.last_stderr_line;
  return " (see runner.log)";
}

NodeVerdict verdict(NodeStatus status, std::string error, std::optional<int> exit_code = {}) {
  return NodeVerdict{status, std::move(error), exit_code};
}

// The runner ran; how did it end?
NodeVerdict after_run(const NodeFacts& facts) {
  if (facts.heartbeat_lost) {
    std::string why = fmt::format(
        "no output from the runner for {} s (heartbeat_timeout_s): the node or its network is "
        "gone, or the runner hung; it was stopped",
        facts.heartbeat_timeout.count());
    if (facts.run_error) why += fmt::format(" ({})", facts.run_error->message);
    return verdict(NodeStatus::kFailed, std::move(why));
  }
  if (facts.run_error) {
    return verdict(NodeStatus::kFailed,
                   fmt::format("lost the node during the run: {}", facts.run_error->message));
  }
  const transport::ProcessOutcome& process = *facts.process;
  const std::optional<int> code =
      process.exit_code >= 0 ? std::optional<int>(process.exit_code) : std::nullopt;
  if (process.timed_out) {
    return verdict(NodeStatus::kTimeout,
                   fmt::format("the run took longer than run_timeout_s = {} s; the runner was "
                               "stopped and what it wrote is kept",
                               facts.run_timeout.count()),
                   code);
  }
  if (process.cancelled) {
    return verdict(NodeStatus::kPartial,
                   "interrupted (SIGINT/SIGTERM to mlbench); the runner was stopped and what it "
                   "wrote is kept",
                   code);
  }
  if (!code) {
    return verdict(NodeStatus::kPartial,
                   fmt::format("the runner was killed by {} before it finished; what it wrote is "
                               "kept",
                               signal_name(process.signal)));
  }
  if (*code != 0 && *code != 2) {
    return verdict(NodeStatus::kFailed,
                   fmt::format("the runner exited with code {}{}", *code, runner_said(facts)),
                   code);
  }
  if (!facts.result) {
    return verdict(NodeStatus::kPartial,
                   fmt::format("the runner exited with code {} without its result event", *code),
                   code);
  }
  return verdict(NodeStatus::kOk, "", code);
}

}  // namespace

NodeVerdict decide_node_status(const NodeFacts& facts) {
  if (facts.connect_error) {
    const Error& error = *facts.connect_error;
    if (error.code == ErrorCode::kAuthentication) {
      return verdict(NodeStatus::kFailed, fmt::format("refused: {}", error.message));
    }
    if (error.code == ErrorCode::kConnection) {
      return verdict(NodeStatus::kFailed,
                     fmt::format("unreachable after {} attempt{}: {}", facts.connect_attempts,
                                 facts.connect_attempts == 1 ? "" : "s", error.message));
    }
    return verdict(NodeStatus::kFailed, fmt::format("cannot connect: {}", error.message));
  }
  if (facts.prepare_error) {
    return verdict(NodeStatus::kFailed,
                   fmt::format("cannot prepare the node: {}", facts.prepare_error->describe()));
  }
  if (facts.stopped_before_run) {
    return verdict(NodeStatus::kPartial, "interrupted before the runner started");
  }
  NodeVerdict result = after_run(facts);
  if (facts.collect_error) {
    if (result.status == NodeStatus::kOk) result.status = NodeStatus::kPartial;
    const std::string collect =
        fmt::format("collecting files failed: {}", facts.collect_error->describe());
    result.error = result.error.empty() ? collect : result.error + "; " + collect;
  } else if (!facts.missing_files.empty()) {
    if (result.status == NodeStatus::kOk) result.status = NodeStatus::kPartial;
    const std::string missing =
        fmt::format("files the runner wrote are missing: {}", fmt::join(facts.missing_files, ", "));
    result.error = result.error.empty() ? missing : result.error + "; " + missing;
  }
  return result;
}

ExitCode run_exit_code(const std::vector<report::NodeOutcome>& nodes, bool interrupted) {
  if (interrupted) return ExitCode::kInterrupted;
  const auto not_ok = [](const report::NodeOutcome& node) {
    return node.status != NodeStatus::kOk;
  };
  if (nodes.empty() || std::any_of(nodes.begin(), nodes.end(), not_ok)) {
    return ExitCode::kNodeFailed;
  }
  const auto invalid = [](const report::NodeOutcome& node) { return node.runner_exit_code == 2; };
  if (std::any_of(nodes.begin(), nodes.end(), invalid)) return ExitCode::kInvalidResult;
  return ExitCode::kOk;
}

}  // namespace mlbench::orchestrator
