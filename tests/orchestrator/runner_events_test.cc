#include "mlbench/orchestrator/runner_events.h"

#include <gtest/gtest.h>

namespace mlbench::orchestrator {
namespace {

TEST(RunnerEvents, ProgressLineHasTheDocumentedShape) {
  EXPECT_EQ(to_json_line(ProgressEvent{.issued = 10, .completed = 7, .tokens = 900, .t_ns = 5}),
            R"({"completed":7,"event":"progress","issued":10,"t_ns":5,"tokens":900})");
}

TEST(RunnerEvents, EveryKindSurvivesTheRoundTrip) {
  const std::vector<RunnerEvent> events = {
      ProgressEvent{1, 2, 3, 4},
      LogEvent{"warning", "user.conf:3: ignored \"line\"\n"},
      ResultEvent{true, 5, 5, 640, "all queries issued", {"mlperf_log_summary.txt"}},
      ErrorEvent{"model directory not found"},
  };
  for (const RunnerEvent& event : events) {
    const auto parsed = parse_runner_event(to_json_line(event));
    ASSERT_TRUE(parsed.has_value()) << to_json_line(event);
    EXPECT_EQ(*parsed, event);
  }
}

TEST(RunnerEvents, IgnoresWhatItDoesNotUnderstand) {
  EXPECT_FALSE(parse_runner_event(""));
  EXPECT_FALSE(parse_runner_event("Loading model..."));
  EXPECT_FALSE(parse_runner_event("[1,2]"));
  EXPECT_FALSE(parse_runner_event(R"({"issued":1})"));
  EXPECT_FALSE(parse_runner_event(R"({"event":"telemetry-v9","x":1})"));  // a newer runner
  EXPECT_FALSE(parse_runner_event(R"({"event":"progress","issued":"many"})"));
  EXPECT_FALSE(parse_runner_event(R"({"event":"progress","issued":1,"completed":1)"));
}

TEST(RunnerEvents, InvalidUtf8InAMessageStillGivesAParseableLine) {
  const std::string line = to_json_line(LogEvent{"error", "bad byte \xff here"});
  EXPECT_TRUE(parse_runner_event(line).has_value()) << line;
}

}  // namespace
}  // namespace mlbench::orchestrator
