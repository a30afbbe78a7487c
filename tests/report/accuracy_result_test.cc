#include "mlbench/report/accuracy_result.h"

#include <gtest/gtest.h>

namespace mlbench::report {
namespace {

TEST(AccuracyResult, ReadsMlperfStyleScoresGenerically) {
  const AccuracyResult result = parse_accuracy_result(
      R"({"rouge1": "38.7792", "rouge2": 15.9075, "rougeL": 24.4957, "rougeLsum": 35.793,
          "gen_len": 8167644, "gen_num": 13368, "verdict": "PASS",
          "targets": {"rouge1": 38.391408}, "dataset": "cnn_eval.json"})",
      "accuracy.json");
  EXPECT_TRUE(result.problems.empty());
  ASSERT_GE(result.metrics.size(), 7u);
  EXPECT_EQ(result.metrics[0], (std::pair<std::string, double>{"rouge1", 38.7792}));
  EXPECT_EQ(result.metrics[4].first, "gen_len");
  EXPECT_EQ(result.metrics[6].first, "targets.rouge1");
  EXPECT_EQ(result.passed, true);
  EXPECT_EQ(result.verdict, "PASS");
  EXPECT_EQ(result.texts.at(0).second, "cnn_eval.json");
}

TEST(AccuracyResult, BooleanVerdictAndDamage) {
  EXPECT_EQ(parse_accuracy_result(R"({"passed": false})", "a").passed, false);
  EXPECT_FALSE(parse_accuracy_result(R"({"rouge1": 1})", "a").passed);
  EXPECT_EQ(parse_accuracy_result(R"({"rouge1": )", "a").problems.size(), 1u);
  EXPECT_EQ(parse_accuracy_result(R"({"verdict": 3})", "a").problems.size(), 1u);
}

}  // namespace
}  // namespace mlbench::report
