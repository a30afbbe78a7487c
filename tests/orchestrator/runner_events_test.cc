#include "mlbench/orchestrator/runner_events.h"

#include <gtest/gtest.h>

namespace mlbench::orchestrator {
namespace {

TEST(RunnerEvents, ProgressLineHasTheDocumentedShape) {
  EXPECT_EQ(to_json_line(ProgressEvent{.issued = 10, .completed = 7, .tokens = 900, .t_ns = 5}),
            R"({"completed":7,"event":"progress","issued":10,"t_ns":5,"tokens":900})");
}

TEST(RunnerEvents, ProgressWithATotalSaysWhetherItIsExact) {
  EXPECT_EQ(to_json_line(
                ProgressEvent{.issued = 10, .completed = 7, .tokens = 900, .t_ns = 5, .total = 40}),
            R"({"completed":7,"event":"progress","issued":10,"t_ns":5,"tokens":900,"total":40,)"
            R"("total_exact":false})");
  EXPECT_EQ(to_json_line(ProgressEvent{.issued = 10,
                                       .completed = 7,
                                       .tokens = 900,
                                       .t_ns = 5,
                                       .total = 10,
                                       .total_exact = true}),
            R"({"completed":7,"event":"progress","issued":10,"t_ns":5,"tokens":900,"total":10,)"
            R"("total_exact":true})");
}

// Older runners send no total: the event parses as before, with none.
TEST(RunnerEvents, ProgressWithoutATotalStillParses) {
  const auto parsed =
      parse_runner_event(R"({"completed":7,"event":"progress","issued":10,"t_ns":5,"tokens":9})");
  ASSERT_TRUE(parsed.has_value());
  const auto& progress = std::get<ProgressEvent>(*parsed);
  EXPECT_EQ(progress, (ProgressEvent{10, 7, 9, 5}));
  EXPECT_FALSE(progress.total.has_value());
  EXPECT_FALSE(progress.total_exact);
}

TEST(RunnerEvents, ATotalIsExactOnlyWhenTheRunnerSaysSo) {
  const auto total = [](std::string_view fields) -> ProgressEvent {
    const auto parsed =
        parse_runner_event(R"({"event":"progress","issued":1,"completed":0,"tokens":0,"t_ns":1,)" +
                           std::string(fields) + "}");
    EXPECT_TRUE(parsed.has_value()) << fields;
    return parsed ? std::get<ProgressEvent>(*parsed) : ProgressEvent{};
  };
  EXPECT_EQ(total(R"("total":50,"total_exact":true)").total_exact, true);
  EXPECT_EQ(total(R"("total":50)").total, 50u);
  EXPECT_FALSE(total(R"("total":50)").total_exact) << "no word on exactness: an estimate";
  EXPECT_FALSE(total(R"("total":50,"total_exact":"yes")").total_exact);
  // A total that is not a count is dropped, the counts are kept.
  for (const char* bad : {R"("total":-3)", R"("total":"many")", R"("total":2.5)",
                          R"("total":null,"total_exact":true)"}) {
    const ProgressEvent progress = total(bad);
    EXPECT_FALSE(progress.total.has_value()) << bad;
    EXPECT_FALSE(progress.total_exact) << bad;
    EXPECT_EQ(progress.issued, 1u) << bad;
  }
  // Unknown fields beside it (a newer runner) change nothing.
  EXPECT_EQ(total(R"("total":8,"total_exact":true,"total_basis":"plan")").total, 8u);
}

TEST(RunnerEvents, EveryKindSurvivesTheRoundTrip) {
  const std::vector<RunnerEvent> events = {
      ProgressEvent{1, 2, 3, 4},
      ProgressEvent{1, 2, 3, 4, 300, true},
      ProgressEvent{1, 2, 3, 4, 300, false},
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
