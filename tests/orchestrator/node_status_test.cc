#include "mlbench/orchestrator/node_status.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

namespace mlbench::orchestrator {
namespace {

using report::NodeStatus;
using ::testing::HasSubstr;

NodeFacts finished_with(int exit_code) {
  NodeFacts facts;
  facts.process = transport::ProcessOutcome{.exit_code = exit_code};
  facts.result = ResultEvent{.valid = exit_code == 0, .files = {"mlperf_log_summary.txt"}};
  return facts;
}

TEST(DecideNodeStatus, FinishedRunIsOkWhetherValidOrNot) {
  for (const int code : {0, 2}) {
    const NodeVerdict verdict = decide_node_status(finished_with(code));
    EXPECT_EQ(verdict.status, NodeStatus::kOk) << code;
    EXPECT_EQ(verdict.error, "");
    EXPECT_EQ(verdict.runner_exit_code, code);
  }
}

TEST(DecideNodeStatus, RefusedKeysAreNotCalledUnreachable) {
  NodeFacts facts;
  facts.connect_error = Error{ErrorCode::kAuthentication, "host key mismatch", "jw3"};
  facts.connect_attempts = 1;
  EXPECT_EQ(decide_node_status(facts).error, "refused: host key mismatch");

  facts.connect_error = Error{ErrorCode::kConnection, "connection refused", "jw3"};
  facts.connect_attempts = 3;
  const NodeVerdict verdict = decide_node_status(facts);
  EXPECT_EQ(verdict.status, NodeStatus::kFailed);
  EXPECT_EQ(verdict.error, "unreachable after 3 attempts: connection refused");
  EXPECT_FALSE(verdict.runner_exit_code);
}

TEST(DecideNodeStatus, TimeoutSignalAndInterruptKeepTheirOwnStatus) {
  NodeFacts timed_out;
  timed_out.process = transport::ProcessOutcome{.exit_code = 130, .timed_out = true};
  timed_out.run_timeout = std::chrono::seconds(5);
  EXPECT_EQ(decide_node_status(timed_out).status, NodeStatus::kTimeout);
  EXPECT_THAT(decide_node_status(timed_out).error, HasSubstr("run_timeout_s = 5 s"));

  NodeFacts killed;
  killed.process = transport::ProcessOutcome{.exit_code = -1, .signal = SIGKILL};
  EXPECT_EQ(decide_node_status(killed).status, NodeStatus::kPartial);
  EXPECT_THAT(decide_node_status(killed).error, HasSubstr("killed by SIGKILL"));

  NodeFacts interrupted = finished_with(130);
  interrupted.process->cancelled = true;
  interrupted.interrupted = true;
  EXPECT_EQ(decide_node_status(interrupted).status, NodeStatus::kPartial);
  EXPECT_EQ(decide_node_status(interrupted).runner_exit_code, 130);
}

TEST(DecideNodeStatus, SilenceAndLostLinksAreFailuresThatSayWhy) {
  NodeFacts silent;
  silent.heartbeat_lost = true;
  silent.heartbeat_timeout = std::chrono::seconds(2);
  silent.run_error = Error{ErrorCode::kConnection, "cannot send SIGTERM", "jw3"};
  EXPECT_EQ(decide_node_status(silent).status, NodeStatus::kFailed);
  EXPECT_THAT(decide_node_status(silent).error, HasSubstr("no output from the runner for 2 s"));

  NodeFacts lost;
  lost.run_error = Error{ErrorCode::kConnection, "Socket error: disconnected", "jw3"};
  EXPECT_EQ(decide_node_status(lost).error,
            "lost the node during the run: Socket error: disconnected");
}

TEST(DecideNodeStatus, FailingRunnerQuotesWhatItSaidLast) {
  NodeFacts facts = finished_with(1);
  facts.result.reset();
  facts.last_stderr_line = "error: --model: no such directory";
  EXPECT_EQ(decide_node_status(facts).error,
            "the runner exited with code 1: error: --model: no such directory");
  facts.last_error_event = "cannot write the logs";
  EXPECT_EQ(decide_node_status(facts).error,
            "the runner exited with code 1: cannot write the logs");
}

TEST(DecideNodeStatus, MissingOrUncollectedFilesMakeAGoodRunPartial) {
  NodeFacts missing = finished_with(0);
  missing.missing_files = {"mlperf_log_detail.txt"};
  EXPECT_EQ(decide_node_status(missing).status, NodeStatus::kPartial);
  EXPECT_THAT(decide_node_status(missing).error, HasSubstr("mlperf_log_detail.txt"));

  NodeFacts uncollected = finished_with(0);
  uncollected.collect_error = Error{ErrorCode::kTimeout, "collect_timeout_s passed", "dir"};
  EXPECT_EQ(decide_node_status(uncollected).status, NodeStatus::kPartial);

  NodeFacts no_result = finished_with(0);
  no_result.result.reset();
  EXPECT_EQ(decide_node_status(no_result).status, NodeStatus::kPartial);
}

report::NodeOutcome node(NodeStatus status, std::optional<int> exit_code) {
  report::NodeOutcome outcome;
  outcome.status = status;
  outcome.runner_exit_code = exit_code;
  return outcome;
}

TEST(RunExitCode, FollowsDesignSection2) {
  EXPECT_EQ(run_exit_code({node(NodeStatus::kOk, 0), node(NodeStatus::kOk, 0)}, false),
            ExitCode::kOk);
  EXPECT_EQ(run_exit_code({node(NodeStatus::kOk, 0), node(NodeStatus::kOk, 2)}, false),
            ExitCode::kInvalidResult);
  EXPECT_EQ(run_exit_code({node(NodeStatus::kOk, 2), node(NodeStatus::kTimeout, {})}, false),
            ExitCode::kNodeFailed);
  EXPECT_EQ(run_exit_code({node(NodeStatus::kPartial, 130)}, true), ExitCode::kInterrupted);
  EXPECT_EQ(run_exit_code({}, false), ExitCode::kNodeFailed);
}

}  // namespace
}  // namespace mlbench::orchestrator
