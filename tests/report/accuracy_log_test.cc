#include "mlbench/report/accuracy_log.h"

#include <gtest/gtest.h>

#include "report/official_logs.h"

namespace mlbench::report {
namespace {

TEST(AccuracyLog, OfficialAccuracyRunCountsResponsesAndTokens) {
  if (!testing::official_logs_present()) GTEST_SKIP() << "no shared/testdata/loadgen";
  const AccuracyLogSummary log =
      parse_accuracy_log(testing::official("Offline_accuracy", "mlperf_log_accuracy.json"), "a");
  EXPECT_TRUE(log.problems.empty());
  EXPECT_EQ(log.entries, 256u);  // 258 lines: '[' + 256 entries + ']'
  EXPECT_EQ(log.unique_samples, 256u);
  ASSERT_TRUE(log.token_count);
  EXPECT_GT(*log.token_count, 256u * 16);
}

TEST(AccuracyLog, EmptyPerformanceRunLogIsAnEmptyList) {
  const AccuracyLogSummary log = parse_accuracy_log("[\n]\n", "a");
  EXPECT_TRUE(log.problems.empty());
  EXPECT_EQ(log.entries, 0u);
  EXPECT_FALSE(log.token_count);
}

TEST(AccuracyLog, TruncatedFileNamesTheLine) {
  const AccuracyLogSummary log = parse_accuracy_log(
      "[\n{ \"seq_id\" : 0, \"qsl_idx\" : 5, \"data\" : \"0A0B\" },\n{ \"seq_id\" : 1, \"qs",
      "a.json");
  ASSERT_EQ(log.problems.size(), 1u);
  EXPECT_EQ(log.problems[0].where, "a.json:3");
}

TEST(AccuracyLog, WrongEntryTypesAreNamedByEntry) {
  const AccuracyLogSummary log = parse_accuracy_log(
      "[\n{ \"seq_id\" : 0, \"qsl_idx\" : 5, \"data\" : \"0A0B\", \"token_count\" : 1 },\n"
      "{ \"seq_id\" : 1, \"qsl_idx\" : \"6\", \"data\" : \"0A\" },\n"
      "{ \"seq_id\" : 2, \"qsl_idx\" : 7, \"data\" : \"XYZ\" }\n]\n",
      "a.json");
  EXPECT_EQ(log.entries, 1u);
  ASSERT_EQ(log.problems.size(), 2u);
  EXPECT_EQ(log.problems[0].where, "a.json:3");
  EXPECT_NE(log.problems[0].message.find("entry 1"), std::string::npos);
  EXPECT_NE(log.problems[1].message.find("hex"), std::string::npos);
}

}  // namespace
}  // namespace mlbench::report
