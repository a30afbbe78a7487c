#include "mlbench/accuracy/rouge_summary.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "mlbench/accuracy/rouge.h"

#include "accuracy/rouge_testdata.h"

namespace mlbench::accuracy {
namespace {

TEST(RougeSummary, MatchesTheMlperfStyleAggregateOfTheTestPairs) {
  MLBENCH_REQUIRE_ROUGE_TESTDATA(dir);
  const auto rows = testing::read_json_lines(dir / "pairs.jsonl");
  std::vector<std::string> targets;
  std::vector<std::string> predictions;
  for (const auto& row : rows) {
    targets.push_back(row.at("reference").get<std::string>());
    predictions.push_back(row.at("prediction").get<std::string>());
  }
  const auto scores = score_rouge_pairs(targets, predictions);
  ASSERT_TRUE(scores.ok());
  const auto summary = summarize_for_mlperf(*scores);
  ASSERT_TRUE(summary.ok());

  const auto expected = testing::read_json(dir / "aggregate.json");
  const auto& means = expected.at("mlperf_style_mean_f_x100");
  EXPECT_EQ(summary->count, expected.at("pairs").get<std::size_t>());
  EXPECT_EQ(summary->rouge1, means.at("rouge1").get<double>());
  EXPECT_EQ(summary->rouge2, means.at("rouge2").get<double>());
  EXPECT_EQ(summary->rouge_l, means.at("rougeL").get<double>());
  EXPECT_EQ(summary->rouge_lsum, means.at("rougeLsum").get<double>());
}

TEST(RougeSummary, RoundsTheMeanFTimesHundredToFourDecimals) {
  std::vector<RougeScores> scores(3);
  scores[0].rouge1.fmeasure = 0.5;
  scores[1].rouge1.fmeasure = 0.25;
  scores[2].rouge1.fmeasure = 1.0 / 3.0;
  const auto summary = summarize_for_mlperf(scores);
  ASSERT_TRUE(summary.ok());
  EXPECT_EQ(summary->rouge1, 36.1111);
  EXPECT_EQ(summary->rouge2, 0.0);
  EXPECT_EQ(summary->count, 3u);
}

TEST(RougeSummary, FailsWithoutScores) {
  const auto summary = summarize_for_mlperf({});
  ASSERT_FALSE(summary.ok());
  EXPECT_EQ(summary.error().code, ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace mlbench::accuracy
