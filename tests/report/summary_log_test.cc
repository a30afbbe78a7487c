#include "mlbench/report/summary_log.h"

#include <gtest/gtest.h>

#include "report/official_logs.h"

namespace mlbench::report {
namespace {

using testing::official;
using testing::official_logs_present;

class OfficialSummary : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!official_logs_present()) GTEST_SKIP() << "no shared/testdata/loadgen beside the tree";
  }
};

TEST_F(OfficialSummary, OfflineGivesEveryFigureAndCondition) {
  const SummaryLog log = parse_summary_log(official("Offline", "mlperf_log_summary.txt"), "s");
  EXPECT_TRUE(log.problems.empty()) << log.problems.front().describe();
  EXPECT_EQ(log.sut_name, "SimLlama31_8B_SUT");
  EXPECT_EQ(log.scenario, "Offline");
  EXPECT_EQ(log.mode, "PerformanceOnly");
  EXPECT_EQ(log.valid, true);
  EXPECT_EQ(log.number("Samples per second"), 30.1146);
  EXPECT_EQ(log.number("Tokens per second"), 2188.96);
  EXPECT_EQ(log.number("99.90 percentile latency (ns)"), 14876483672.0);
  EXPECT_EQ(log.number("min_duration (ms)"), 10000);
  ASSERT_EQ(log.conditions.size(), 3u);
  EXPECT_EQ(log.conditions[0].first, "Min duration satisfied");
  EXPECT_TRUE(log.conditions[0].second);
  EXPECT_EQ(log.warning_count, 0u);
  EXPECT_EQ(log.error_count, 0u);
  EXPECT_TRUE(log.complete);
}

TEST_F(OfficialSummary, SingleStreamKeepsEarlyStoppingBlocksAndTokenStats) {
  const SummaryLog log = parse_summary_log(official("SingleStream", "mlperf_log_summary.txt"), "s");
  EXPECT_TRUE(log.problems.empty());
  EXPECT_EQ(log.number("90.0th percentile latency (ns)"), 204298680);
  EXPECT_EQ(log.number("QPS w/ loadgen overhead"), 7.56);
  EXPECT_EQ(log.number("TPS w/ loadgen overhead"), 554.18);
  EXPECT_EQ(log.number("99.00 percentile first token latency (ns)"), 35327968);
  EXPECT_EQ(log.number("50.00 percentile time to output token (ns)"), 1499997);
  ASSERT_TRUE(log.early_stopping.contains("TTFT"));
  EXPECT_NE(
      log.early_stopping.at("TTFT").find("Early stopping 90.0th percentile estimate: 35313230"),
      std::string::npos);
  EXPECT_NE(log.early_stopping.at("TPOT").find("1501626"), std::string::npos);
}

TEST_F(OfficialSummary, AccuracyRunIsOnlyTheFooter) {
  const SummaryLog log =
      parse_summary_log(official("Offline_accuracy", "mlperf_log_summary.txt"), "s");
  EXPECT_TRUE(log.problems.empty());
  EXPECT_TRUE(log.complete);
  EXPECT_FALSE(log.valid);
  EXPECT_TRUE(log.scenario.empty());
}

TEST_F(OfficialSummary, TruncatedFileIsDamageNamingTheLastLine) {
  const std::string text = official("Offline", "mlperf_log_summary.txt");
  const SummaryLog log = parse_summary_log(text.substr(0, text.find("Additional Stats")), "x.txt");
  ASSERT_EQ(log.problems.size(), 1u);
  EXPECT_EQ(log.problems[0].where, "x.txt:14");
  EXPECT_NE(log.problems[0].message.find("truncated"), std::string::npos);
  EXPECT_EQ(log.valid, true);  // what was read is kept
}

TEST(SummaryLog, WrongNumberNamesKeyAndLine) {
  const SummaryLog log = parse_summary_log(
      "================================================\nMLPerf Results Summary\n"
      "================================================\nScenario : Offline\n"
      "Samples per second: 30.1x\nResult is : VALID\n\nNo warnings encountered during test.\n\n"
      "No errors encountered during test.\n",
      "s.txt");
  ASSERT_EQ(log.problems.size(), 1u);
  EXPECT_EQ(log.problems[0].where, "s.txt:5");
  EXPECT_NE(log.problems[0].message.find("'Samples per second' is '30.1x'"), std::string::npos);
  EXPECT_FALSE(log.number("Samples per second"));
}

TEST(SummaryLog, CountsWarningsAndErrorsFromTheFooter) {
  const SummaryLog log = parse_summary_log(
      "\n2 warnings encountered. See detailed log.\n\n1 ERROR encountered. See detailed log.\n",
      "s");
  EXPECT_EQ(log.warning_count, 2u);
  EXPECT_EQ(log.error_count, 1u);
  EXPECT_TRUE(log.complete);
}

TEST(SummaryLog, BadVerdictAndConditionAreProblems) {
  const SummaryLog log = parse_summary_log(
      "MLPerf Results Summary\nResult is : MAYBE\n  Min duration satisfied : yes\n"
      "No errors encountered during test.\n",
      "s");
  ASSERT_EQ(log.problems.size(), 3u);  // verdict, condition, then "no Result is line"
  EXPECT_EQ(log.problems[0].where, "s:2");
  EXPECT_EQ(log.problems[1].where, "s:3");
}

}  // namespace
}  // namespace mlbench::report
