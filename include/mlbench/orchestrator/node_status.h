#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "mlbench/core/error.h"
#include "mlbench/core/exit_code.h"
#include "mlbench/orchestrator/runner_events.h"
#include "mlbench/report/run_layout.h"
#include "mlbench/transport/launcher.h"

namespace mlbench::orchestrator {

// What happened to one node's session, step by step, as the worker saw it. Only the steps that
// were reached are filled in.
struct NodeFacts {
  std::optional<Error> connect_error;  // after every attempt
  int connect_attempts = 0;
  std::optional<Error> prepare_error;  // directories or uploads on the node
  bool stopped_before_run = false;     // interrupted before the runner started

  std::optional<Error> run_error;  // the session broke while the runner ran
  std::optional<transport::ProcessOutcome> process;
  bool interrupted = false;     // Ctrl-C / SIGTERM reached the controller by the runner's end
  bool heartbeat_lost = false;  // no output for heartbeat_timeout: we stopped it ourselves
  std::chrono::seconds heartbeat_timeout{0};
  std::chrono::seconds run_timeout{0};
  std::optional<ResultEvent> result;  // the runner's final event
  std::string last_error_event;       // the last `error` event's message
  std::string last_stderr_line;       // the last line of runner.log

  std::optional<Error> collect_error;
  std::vector<std::string> missing_files;  // named by the result event, not collected
};

struct NodeVerdict {
  report::NodeStatus status = report::NodeStatus::kFailed;
  std::string error;  // empty when ok
  std::optional<int> runner_exit_code;
};

// The status and one-line reason for a node (the states of report::NodeStatus):
//   ok       the runner exited 0 or 2 after its result event and every file it named came home;
//   timeout  run_timeout_s passed (the runner was stopped);
//   partial  it was interrupted or killed by a signal, or it finished but files are missing —
//            whatever was collected is kept;
//   failed   unreachable, refused, lost, silent past heartbeat_timeout_s, or the runner failed.
NodeVerdict decide_node_status(const NodeFacts& facts);

// design.md §2 from every node's outcome: 130 when interrupted, else 3 when any node is not
// ok, else 2 when any runner exited 2 (a result INVALID), else 0.
ExitCode run_exit_code(const std::vector<report::NodeOutcome>& nodes, bool interrupted);

}  // namespace mlbench::orchestrator
