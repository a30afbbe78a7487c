#include "mlbench/accuracy/rouge.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "accuracy/rouge_testdata.h"

namespace mlbench::accuracy {
namespace {

constexpr double kTolerance = 1e-9;

void expect_score(const RougeScore& actual, const nlohmann::json& expected,
                  const std::string& what) {
  EXPECT_NEAR(actual.precision, expected.at("p").get<double>(), kTolerance) << what;
  EXPECT_NEAR(actual.recall, expected.at("r").get<double>(), kTolerance) << what;
  EXPECT_NEAR(actual.fmeasure, expected.at("f").get<double>(), kTolerance) << what;
}

void expect_matches_row(const RougeScores& scores, const nlohmann::json& row, std::size_t line) {
  const std::string where = "pairs.jsonl line " + std::to_string(line) + " ";
  expect_score(scores.rouge1, row.at("rouge1"), where + "rouge1");
  expect_score(scores.rouge2, row.at("rouge2"), where + "rouge2");
  expect_score(scores.rouge_l, row.at("rougeL"), where + "rougeL");
  expect_score(scores.rouge_lsum, row.at("rougeLsum"), where + "rougeLsum");
}

bool all_zero(const RougeScore& s) {
  return s.precision == 0.0 && s.recall == 0.0 && s.fmeasure == 0.0;
}
bool all_zero(const RougeScores& s) {
  return all_zero(s.rouge1) && all_zero(s.rouge2) && all_zero(s.rouge_l) && all_zero(s.rouge_lsum);
}
bool all_one(const RougeScore& s) {
  return s.precision == 1.0 && s.recall == 1.0 && s.fmeasure == 1.0;
}
bool all_one(const RougeScores& s) {
  return all_one(s.rouge1) && all_one(s.rouge2) && all_one(s.rouge_l) && all_one(s.rouge_lsum);
}

TEST(Rouge, MatchesRougeScoreOnEveryTestPair) {
  MLBENCH_REQUIRE_ROUGE_TESTDATA(dir);
  const auto rows = testing::read_json_lines(dir / "pairs.jsonl");
  ASSERT_EQ(rows.size(), 160u);
  RougeScorer scorer;  // one scorer, so the stem cache is exercised across pairs
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const auto target = rows[i].at("reference").get<std::string>();
    const auto prediction = rows[i].at("prediction").get<std::string>();
    expect_matches_row(scorer.score(target, prediction), rows[i], i + 1);
  }
}

TEST(Rouge, FreshScorerGivesTheSameNumbers) {
  MLBENCH_REQUIRE_ROUGE_TESTDATA(dir);
  const auto rows = testing::read_json_lines(dir / "pairs.jsonl");
  for (std::size_t i = rows.size(); i-- > 0;) {  // reverse order: other cache contents
    expect_matches_row(score_rouge(rows[i].at("reference").get<std::string>(),
                                   rows[i].at("prediction").get<std::string>()),
                       rows[i], i + 1);
  }
}

TEST(Rouge, SimpleExample) {
  // Stemming makes "cats"/"cat" and "running"/"runs" meet: tokens "the cat are run" vs "a cat run".
  const RougeScores s = score_rouge("A cat runs.", "The cats are running.");
  EXPECT_DOUBLE_EQ(s.rouge1.precision, 0.5);
  EXPECT_DOUBLE_EQ(s.rouge1.recall, 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(s.rouge2.fmeasure, 0.0);
}

TEST(Rouge, EmptyAndPunctuationOnlyTextsScoreZero) {
  EXPECT_TRUE(all_zero(score_rouge("", "")));
  EXPECT_TRUE(all_zero(score_rouge("", "a prediction")));
  EXPECT_TRUE(all_zero(score_rouge("a reference", "")));
  EXPECT_TRUE(all_zero(score_rouge("...", "!!!\n\n???")));
  EXPECT_TRUE(all_zero(score_rouge("\n\n\n", "\n")));
}

TEST(Rouge, SingleTokenTextsHaveNoBigrams) {
  const RougeScores s = score_rouge("word", "word");
  EXPECT_TRUE(all_one(s.rouge1));
  EXPECT_TRUE(all_zero(s.rouge2));  // 0 / max(0, 1) on both sides
  EXPECT_TRUE(all_one(s.rouge_l));
  EXPECT_TRUE(all_one(s.rouge_lsum));
}

TEST(Rouge, InvalidUtf8NeverBreaksScoring) {
  const RougeScores s = score_rouge("bad\xFF\xFEtext\xC3", "bad text\xE2\x82");
  EXPECT_TRUE(all_one(s));
}

TEST(Rouge, LsumCountsEachTokenOnlyAsOftenAsBothTextsHoldIt) {
  // "a" appears once in the prediction, so the two target sentences cannot both score it.
  const RougeScores s = score_rouge("a b\na c", "a b c");
  EXPECT_DOUBLE_EQ(s.rouge_lsum.precision, 1.0);  // a, b, c all hit
  EXPECT_DOUBLE_EQ(s.rouge_lsum.recall, 3.0 / 4.0);
}

TEST(Rouge, VeryLongInputs) {
  std::string text;
  for (int i = 0; i < 20000; ++i) {
    text += "word" + std::to_string(i % 997) + (i % 25 == 24 ? ".\n" : " ");
  }
  EXPECT_TRUE(all_one(score_rouge(text, text)));

  std::string one_long_sentence;
  for (int i = 0; i < 3000; ++i)
    one_long_sentence += "token" + std::to_string(i % 50) + " ";
  const RougeScores s = score_rouge(one_long_sentence, "token1 token2 token3");
  EXPECT_DOUBLE_EQ(s.rouge1.precision, 1.0);
  EXPECT_DOUBLE_EQ(s.rouge_lsum.recall, 3.0 / 3000.0);
}

TEST(Rouge, ScoreRougePairsChecksLengths) {
  const std::vector<std::string> targets = {"a b", "c"};
  const std::vector<std::string> predictions = {"a b"};
  const auto mismatched = score_rouge_pairs(targets, predictions);
  ASSERT_FALSE(mismatched.ok());
  EXPECT_EQ(mismatched.error().code, ErrorCode::kInvalidArgument);

  const auto scored = score_rouge_pairs(targets, std::vector<std::string>{"a b", "d"});
  ASSERT_TRUE(scored.ok());
  ASSERT_EQ(scored->size(), 2u);
  EXPECT_TRUE(all_one((*scored)[0]));
  EXPECT_TRUE(all_zero((*scored)[1]));
}

TEST(Rouge, ScorerCanBeMoved) {
  RougeScorer first;
  (void)first.score("warm the cache", "warm cache");
  RougeScorer second = std::move(first);
  EXPECT_TRUE(all_one(second.score("warm the cache", "warm the cache")));
}

}  // namespace
}  // namespace mlbench::accuracy
