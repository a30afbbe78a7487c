#include "mlbench/orchestrator/runner_events.h"

#include <gtest/gtest.h>

#include "mlbench/report/events_log.h"

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

const TelemetryEvent kEveryReading{{.t_ns = 0,
                                    .gpu = 0,
                                    .utilization_pct = 97.5,
                                    .memory_used_mib = 81234.5,
                                    .power_w = 612.25,
                                    .sm_clock_mhz = 1980,
                                    .temperature_c = 61}};

TEST(RunnerEvents, EveryKindSurvivesTheRoundTrip) {
  const std::vector<RunnerEvent> events = {
      ProgressEvent{1, 2, 3, 4},
      ProgressEvent{1, 2, 3, 4, 300, true},
      ProgressEvent{1, 2, 3, 4, 300, false},
      LogEvent{"warning", "user.conf:3: ignored \"line\"\n"},
      ResultEvent{true, 5, 5, 640, "all queries issued", {"mlperf_log_summary.txt"}},
      ErrorEvent{"model directory not found"},
      TelemetryEvent{{.t_ns = 500'000'000, .gpu = 1, .power_w = 612.25}},
      kEveryReading,
      TelemetryEvent{{.t_ns = 7, .gpu = 0, .power_w = 0}},  // zero is a reading, not absence
  };
  for (const RunnerEvent& event : events) {
    const auto parsed = parse_runner_event(to_json_line(event));
    ASSERT_TRUE(parsed.has_value()) << to_json_line(event);
    EXPECT_EQ(*parsed, event);
  }
}

TEST(RunnerEvents, TelemetryLineUsesTheCsvColumnsAndLeavesOutWhatWasNotMeasured) {
  const std::string line =
      to_json_line(TelemetryEvent{{.t_ns = 5, .gpu = 1, .power_w = 310.5, .temperature_c = 60}});
  EXPECT_EQ(line, R"({"event":"telemetry","gpu":1,"power_w":310.5,"t_ns":5,"temperature_c":60.0})");
}

TEST(RunnerEvents, TelemetryWithMistypedFieldsIsRefused) {
  for (const std::string bad : {
           R"({"event":"telemetry","gpu":0})",
           R"({"event":"telemetry","t_ns":"5","gpu":0})",
           R"({"event":"telemetry","t_ns":5,"gpu":1.5})",
           R"({"event":"telemetry","t_ns":5,"gpu":0,"power_w":"hot"})",
           R"({"event":"telemetry","t_ns":5,"gpu":0,"utilization_pct":true})",
       }) {
    EXPECT_FALSE(parse_runner_event(bad).has_value()) << bad;
  }
  // A null reading is one not measured, as in the report's reader.
  const auto parsed =
      parse_runner_event(R"({"event":"telemetry","t_ns":5,"gpu":0,"power_w":null})");
  ASSERT_TRUE(parsed.has_value());
  EXPECT_FALSE(std::get<TelemetryEvent>(*parsed).power_w.has_value());
}

// The report reads events.jsonl with a parser of its own; what the runner writes, it must read.
TEST(RunnerEvents, TelemetryLinesReadBackThroughTheReportsEventsLog) {
  const std::vector<TelemetryEvent> written = {
      kEveryReading,
      TelemetryEvent{{.t_ns = 500'000'000, .gpu = 1, .temperature_c = 40}},
  };
  std::string jsonl;
  for (const TelemetryEvent& event : written)
    jsonl += to_json_line(event) + "\n";
  const report::EventsLog log = report::parse_events_log(jsonl, "events.jsonl");
  ASSERT_TRUE(log.problems.empty()) << log.problems.front().describe();
  ASSERT_EQ(log.telemetry.size(), written.size());
  for (std::size_t i = 0; i < written.size(); ++i) {
    EXPECT_EQ(TelemetryEvent{log.telemetry[i]}, written[i]) << jsonl;
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
