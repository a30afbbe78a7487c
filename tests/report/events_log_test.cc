#include "mlbench/report/events_log.h"

#include <gtest/gtest.h>

#include "mlbench/orchestrator/runner_events.h"

namespace mlbench::report {
namespace {

TEST(EventsLog, ReadsTheLinesTheRunnerWrites) {
  // Written with the protocol's own serializer, so the two cannot drift apart.
  using namespace orchestrator;
  const std::string text =
      to_json_line(ProgressEvent{10, 5, 640, 1'500'000'000}) + "\n" +
      to_json_line(LogEvent{"warning", "slow node"}) + "\n" +
      to_json_line(ResultEvent{true, 10, 10, 1280, "all queries issued", {"a"}}) + "\n" +
      to_json_line(ErrorEvent{"boom"}) + "\n";
  const EventsLog log = parse_events_log(text, "e");
  EXPECT_TRUE(log.problems.empty());
  ASSERT_EQ(log.progress.size(), 1u);
  EXPECT_EQ(log.progress[0].completed, 5u);
  EXPECT_EQ(log.progress[0].t_ns, 1'500'000'000);
  ASSERT_TRUE(log.result);
  EXPECT_EQ(log.result->tokens, 1280u);
  EXPECT_EQ(log.result->end_reason, "all queries issued");
  EXPECT_EQ(log.warnings, std::vector<std::string>{"slow node"});
  EXPECT_EQ(log.errors, std::vector<std::string>{"boom"});
}

TEST(EventsLog, IgnoresUnknownEventsButNamesDamagedLines) {
  const EventsLog log = parse_events_log(
      "{\"event\":\"future_thing\",\"x\":1}\n"
      "{\"event\":\"progress\",\"issued\":1,\"completed\":\"1\",\"tokens\":0,\"t_ns\":0}\n"
      "{\"event\":\"progress\",\"issued\":2,\"compl\n",
      "events.jsonl");
  ASSERT_EQ(log.problems.size(), 2u);
  EXPECT_EQ(log.problems[0].where, "events.jsonl:2");
  EXPECT_NE(log.problems[0].message.find("'completed'"), std::string::npos);
  EXPECT_EQ(log.problems[1].where, "events.jsonl:3");
  EXPECT_TRUE(log.progress.empty());
}

TEST(EventsLog, TelemetryEventsUseTheCsvColumnNames) {
  const EventsLog log =
      parse_events_log("{\"event\":\"telemetry\",\"t_ns\":5,\"gpu\":1,\"power_w\":310.5}\n", "e");
  ASSERT_EQ(log.telemetry.size(), 1u);
  EXPECT_EQ(log.telemetry[0].gpu, 1);
  EXPECT_EQ(log.telemetry[0].power_w, 310.5);
  EXPECT_FALSE(log.telemetry[0].utilization_pct);
}

}  // namespace
}  // namespace mlbench::report
