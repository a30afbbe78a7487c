#include "mlbench/report/detail_log.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "report/official_logs.h"

namespace mlbench::report {
namespace {

using testing::official;

std::string line(std::string_view key, std::string_view value, bool error = false) {
  return fmt::format(
      ":::MLLOG {{\"key\": \"{}\", \"value\": {}, \"time_ms\": 1.000000, \"namespace\": "
      "\"mlperf::logging\", \"event_type\": \"POINT_IN_TIME\", \"metadata\": {{\"is_error\": {}, "
      "\"is_warning\": false, \"file\": \"f.cc\", \"line_no\": 1, \"pid\": 1, \"tid\": 1}}}}\n",
      key, value, error);
}

TEST(DetailLog, OfficialLogsParseCleanly) {
  if (!testing::official_logs_present()) GTEST_SKIP() << "no shared/testdata/loadgen";
  for (const char* run : {"Offline", "SingleStream", "Offline_accuracy"}) {
    const DetailLog log = parse_detail_log(official(run, "mlperf_log_detail.txt"), run);
    EXPECT_TRUE(log.problems.empty()) << run << ": " << log.problems.front().describe();
    EXPECT_TRUE(log.errors.empty()) << run;
  }
  const DetailLog log = parse_detail_log(official("Offline", "mlperf_log_detail.txt"), "d");
  std::vector<Error> problems;
  EXPECT_EQ(detail_number(log, "result_tokens_per_second", "d", problems), 2188.96);
  EXPECT_EQ(detail_int(log, "result_max_latency_ns", "d", problems), 14876483672);
  EXPECT_EQ(detail_string(log, "result_validity", "d", problems), "VALID");
  EXPECT_EQ(detail_bool(log, "result_min_duration_met", "d", problems), true);
  EXPECT_TRUE(problems.empty());
}

TEST(DetailLog, FirstOccurrenceOfAKeyWins) {
  // An accuracy run logs one loaded_qsl_set per loadable set; the checker keeps the first.
  const DetailLog log = parse_detail_log(
      line("generated_query_count", "4") + line("generated_query_count", "9"), "d");
  std::vector<Error> problems;
  EXPECT_EQ(detail_int(log, "generated_query_count", "d", problems), 4);
  EXPECT_EQ(log.find("generated_query_count")->line, 1u);
}

TEST(DetailLog, AcceptsLoadGensEmptyListQuirk) {
  std::string text = line("loaded_qsl_set", "[]");
  text.replace(text.find("[]"), 2, "]");  // LoadGen writes an empty vector as "]"
  const DetailLog log = parse_detail_log(text, "d");
  EXPECT_TRUE(log.problems.empty());
  EXPECT_TRUE(log.find("loaded_qsl_set")->value.is_array());
}

TEST(DetailLog, TruncatedLineIsNamedAndTheRestIsKept) {
  const std::string good = line("result_validity", "\"VALID\"");
  const std::string cut = line("result_tokens_per_second", "2188.96").substr(0, 60) + "\n";
  const DetailLog log = parse_detail_log(good + cut + line("num_errors", "0"), "d.txt");
  ASSERT_EQ(log.problems.size(), 1u);
  EXPECT_EQ(log.problems[0].where, "d.txt:2");
  EXPECT_NE(log.problems[0].message.find("truncated"), std::string::npos);
  EXPECT_NE(log.find("num_errors"), nullptr);
}

TEST(DetailLog, FileCutMidLineWithoutNewlineIsDamage) {
  const std::string text = line("a", "1") + line("b", "2");
  const DetailLog log = parse_detail_log(text.substr(0, text.size() - 1), "d");
  ASSERT_EQ(log.problems.size(), 1u);
  EXPECT_EQ(log.problems[0].where, "d:2");
}

TEST(DetailLog, LineWithoutThePrefixIsRejectedAsTheCheckerDoes) {
  const DetailLog log = parse_detail_log("hello\n" + line("a", "1"), "d");
  ASSERT_EQ(log.problems.size(), 1u);
  EXPECT_EQ(log.problems[0].where, "d:1");
}

TEST(DetailLog, WrongTypeIsAProblemNamingKeyAndLine) {
  const DetailLog log =
      parse_detail_log(line("x", "1") + line("result_min_latency_ns", "\"abc\""), "d.txt");
  std::vector<Error> problems;
  EXPECT_FALSE(detail_int(log, "result_min_latency_ns", "d.txt", problems));
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].where, "d.txt:2");
  EXPECT_NE(problems[0].message.find("result_min_latency_ns"), std::string::npos);
}

TEST(DetailLog, CollectsErrorLines) {
  const DetailLog log = parse_detail_log(
      line("error_runtime", "\"Number of tokens need to be greater than 1\"", true), "d");
  ASSERT_EQ(log.errors.size(), 1u);
  EXPECT_EQ(log.errors[0].key, "error_runtime");
  EXPECT_EQ(log.errors[0].line, 1u);
}

TEST(DetailLog, EmptyFileIsDamage) {
  EXPECT_EQ(parse_detail_log("", "d").problems.size(), 1u);
}

}  // namespace
}  // namespace mlbench::report
