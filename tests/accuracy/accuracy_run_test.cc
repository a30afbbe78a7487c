#include "mlbench/accuracy/accuracy_run.h"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <regex>
#include <string>
#include <vector>

#include "model/tokenizer/small_tokenizer.h"

namespace mlbench::accuracy {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr std::int32_t kEndOfTurn = 301;  // a special token of the small tokenizer

model::Tokenizer small_tokenizer() {
  auto tokenizer = model::Tokenizer::from_json(model::testing::small_tokenizer_json().dump());
  EXPECT_TRUE(tokenizer.ok());
  return std::move(tokenizer).value();
}

// The small tokenizer's ids 0-255 are the bytes themselves.
std::vector<std::int32_t> byte_ids(std::string_view text) {
  std::vector<std::int32_t> ids;
  for (const char c : text)
    ids.push_back(static_cast<unsigned char>(c));
  return ids;
}

LoggedSample sample(std::size_t entry, std::uint64_t qsl_idx, std::vector<std::int32_t> ids) {
  return {entry, 10 + entry, qsl_idx, std::move(ids)};
}

TEST(AccuracyRun, DecodesPredictionsWithoutSpecialTokens) {
  const auto tokenizer = small_tokenizer();
  std::vector<std::int32_t> ids = byte_ids("The cat sat.");
  ids.push_back(kEndOfTurn);
  const std::vector<LoggedSample> samples = {sample(0, 0, ids), sample(1, 1, {})};
  const auto texts = decode_predictions(samples, tokenizer);
  ASSERT_TRUE(texts.ok()) << texts.error().describe();
  EXPECT_THAT(*texts, ElementsAre("The cat sat.", ""));
}

TEST(AccuracyRun, CleansUpTokenizationSpacesWhenAsked) {
  const auto tokenizer = small_tokenizer();
  const std::vector<LoggedSample> samples = {sample(0, 0, byte_ids("It is done ."))};
  EXPECT_THAT(*decode_predictions(samples, tokenizer), ElementsAre("It is done ."));
  EXPECT_THAT(*decode_predictions(samples, tokenizer, {.clean_up_tokenization_spaces = true}),
              ElementsAre("It is done."));
}

TEST(AccuracyRun, AnIdOutsideTheVocabularyIsRefusedNamingTheEntry) {
  const auto tokenizer = small_tokenizer();
  for (const std::int32_t bad : {303, -1, 1 << 30}) {
    const std::vector<LoggedSample> samples = {sample(0, 0, byte_ids("ok")),
                                               sample(1, 4, {65, 66, bad})};
    const auto texts = decode_predictions(samples, tokenizer);
    ASSERT_FALSE(texts.ok());
    EXPECT_EQ(texts.error().where, "entry 1 (seq_id 11, qsl_idx 4)");
    EXPECT_THAT(texts.error().message,
                HasSubstr(fmt::format("token 2 is id {}, outside the tokenizer's vocabulary of "
                                      "303",
                                      bad)));
  }
}

TEST(AccuracyRun, ScoresPostProcessedTextsAndCountsTheirCharacters) {
  const std::vector<std::string> predictions = {"  The cat sat.  It purred. ", "Café noir."};
  const std::vector<std::string> references = {"The cat sat. It purred.", "Café noir."};
  const auto scores = score_for_mlperf(predictions, references);
  ASSERT_TRUE(scores.ok());
  EXPECT_EQ(scores->rouge.rouge1, 100.0);
  EXPECT_EQ(scores->rouge.rouge_lsum, 100.0);
  // "The cat sat.\nIt purred." is 23 characters, "Café noir." 10 (é is one, not two bytes).
  EXPECT_EQ(scores->gen_len, 33u);
  EXPECT_EQ(scores->gen_num, 2u);
  EXPECT_FALSE(score_for_mlperf(predictions, std::span(references).first(1)).ok());
  EXPECT_FALSE(score_for_mlperf({}, {}).ok());
}

TEST(AccuracyRun, EvaluatesALogAgainstTheReferencesByQslIndex) {
  const auto tokenizer = small_tokenizer();
  const std::vector<std::string> references = {"A dog barked.", "The cat sat. It purred."};
  AccuracyLog log;
  log.entries = 3;
  log.sha256 = "feed";
  log.samples = {sample(0, 1, byte_ids("The cat sat. It purred.")),
                 sample(2, 0, byte_ids("A bird sang."))};
  const auto report = evaluate_accuracy_log(log, references, tokenizer);
  ASSERT_TRUE(report.ok()) << report.error().describe();
  // rouge1: pair 1 is perfect; pair 2 shares "a" of three words each: F = 1/3.
  EXPECT_EQ(report->scores.rouge.rouge1, 66.6667);
  EXPECT_EQ(report->scores.gen_num, 2u);
  EXPECT_EQ(report->scores.gen_len, 23u + 12u);
  EXPECT_EQ(report->log_entries, 3u);
  EXPECT_EQ(report->log_sha256, "feed");
  ASSERT_EQ(report->verdicts.size(), 2u);
  EXPECT_EQ(report->verdicts[0].target, "datacenter");
  EXPECT_EQ(report->verdicts[1].target, "edge");
  EXPECT_FALSE(report->verdicts[0].passed);  // 35 characters are far from 8,167,644
}

TEST(AccuracyRun, AQslIndexBeyondTheDataSetIsRefusedNamingTheEntry) {
  const auto tokenizer = small_tokenizer();
  const std::vector<std::string> references = {"one", "two"};
  AccuracyLog log;
  log.samples = {sample(0, 1, byte_ids("two")), sample(1, 2, byte_ids("three"))};
  const auto report = evaluate_accuracy_log(log, references, tokenizer);
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.error().where, "entry 1 (seq_id 11, qsl_idx 2)");
  EXPECT_THAT(report.error().message,
              HasSubstr("qsl_idx 2 is beyond the data set, which has 2 samples"));
}

TEST(AccuracyRun, AnEmptyLogIsRefused) {
  const auto tokenizer = small_tokenizer();
  const std::vector<std::string> references = {"one"};
  const auto report = evaluate_accuracy_log(AccuracyLog{}, references, tokenizer);
  ASSERT_FALSE(report.ok());
  EXPECT_THAT(report.error().message, HasSubstr("the accuracy log has no entries"));
}

AccuracyScores scores_at(double share, std::uint64_t gen_len) {
  AccuracyScores scores;
  scores.rouge.rouge1 = kLlama31_8bDatacenter.rouge1 * share;
  scores.rouge.rouge2 = kLlama31_8bDatacenter.rouge2 * share;
  scores.rouge.rouge_l = kLlama31_8bDatacenter.rouge_l * share;
  scores.rouge.rouge_lsum = kLlama31_8bDatacenter.rouge_lsum * share;
  scores.gen_len = gen_len;
  scores.gen_num = 13368;
  return scores;
}

TEST(AccuracyRun, JudgesNinetyNinePercentOfEachRougeAndGenLenWithinTenPercent) {
  EXPECT_TRUE(judge(scores_at(1.0, 8167644), kLlama31_8bDatacenter).passed);
  EXPECT_TRUE(judge(scores_at(0.99, 8167644), kLlama31_8bDatacenter).passed);
  EXPECT_FALSE(judge(scores_at(0.9899, 8167644), kLlama31_8bDatacenter).passed);
  // 90% and 110% of 8,167,644 are 7,350,879.6 and 8,984,408.4.
  EXPECT_TRUE(judge(scores_at(1.0, 7350880), kLlama31_8bDatacenter).passed);
  EXPECT_FALSE(judge(scores_at(1.0, 7350879), kLlama31_8bDatacenter).passed);
  EXPECT_TRUE(judge(scores_at(1.0, 8984408), kLlama31_8bDatacenter).passed);
  EXPECT_FALSE(judge(scores_at(1.0, 8984409), kLlama31_8bDatacenter).passed);

  const TargetVerdict verdict = judge(scores_at(1.0, 8167644), kLlama31_8bDatacenter);
  EXPECT_TRUE(verdict.gen_num_matches);
  ASSERT_EQ(verdict.checks.size(), 5u);
  EXPECT_EQ(verdict.checks[0].metric, "rouge1");
  EXPECT_DOUBLE_EQ(verdict.checks[0].low, 38.391408);
  EXPECT_EQ(verdict.checks[4].metric, "gen_len");
  EXPECT_DOUBLE_EQ(*verdict.checks[4].high, 8984408.4);
  // The edge target: 5000 samples, its own figures.
  const TargetVerdict edge = judge(scores_at(1.0, 3051113), kLlama31_8bEdge);
  EXPECT_FALSE(edge.passed);  // datacenter's rouge2, 15.9075, is below 99% of edge's 16.1147
  EXPECT_TRUE(edge.checks[0].passed);
  EXPECT_FALSE(edge.checks[1].passed);
  EXPECT_TRUE(edge.checks[4].passed);
  EXPECT_FALSE(edge.gen_num_matches);
  EXPECT_DOUBLE_EQ(edge.checks[3].low, 35.76276);
}

AccuracyReport example_report() {
  AccuracyReport report;
  report.scores.rouge = {38.7792, 15.9075, 24.4957, 40.0, 13368};
  report.scores.gen_len = 8167644;
  report.scores.gen_num = 13368;
  report.log_entries = 13370;
  report.log_sha256 = std::string(64, 'a');
  report.verdicts = {judge(report.scores, kLlama31_8bDatacenter),
                     judge(report.scores, kLlama31_8bEdge)};
  return report;
}

TEST(AccuracyRun, AccuracyTxtHasEvaluationPysResultLineAndTheHash) {
  const std::string txt = render_accuracy_txt(example_report());
  EXPECT_EQ(txt,
            "{'rouge1': '38.7792', 'rouge2': '15.9075', 'rougeL': '24.4957', 'rougeLsum': "
            "'40.0', 'gen_len': 8167644, 'gen_num': 13368}\nhash=" +
                std::string(64, 'a') + "\n");
  // The submission checker's ACC_PATTERN for llama3.1-8b, applied to the first line.
  const std::string line = txt.substr(0, txt.find('\n'));
  const std::pair<const char*, const char*> patterns[] = {
      {R"(.*'rouge1':\s+'?([\d.]+)'?.*)", "38.7792"},
      {R"(.*'rouge2':\s+'?([\d.]+)'?.*)", "15.9075"},
      {R"(.*'rougeL':\s+'?([\d.]+)'?.*)", "24.4957"},
      {R"(.*'rougeLsum':\s+'?([\d.]+)'?.*)", "40.0"},
      {R"(.*'gen_len':\s([\d.]+).*)", "8167644"},
  };
  for (const auto& [pattern, value] : patterns) {
    std::smatch match;
    ASSERT_TRUE(std::regex_match(line, match, std::regex(pattern))) << pattern;
    EXPECT_EQ(match[1].str(), value) << pattern;
  }
}

TEST(AccuracyRun, AccuracyJsonHoldsTheScoresAndBothVerdicts) {
  const auto json = nlohmann::json::parse(render_accuracy_json(example_report()));
  EXPECT_EQ(json.at("rouge1"), 38.7792);
  EXPECT_EQ(json.at("rougeLsum"), 40.0);
  EXPECT_EQ(json.at("gen_len"), 8167644);
  EXPECT_EQ(json.at("gen_num"), 13368);
  EXPECT_EQ(json.at("log_entries"), 13370);
  EXPECT_EQ(json.at("accuracy_log_sha256"), std::string(64, 'a'));
  const auto& datacenter = json.at("targets").at("datacenter");
  EXPECT_TRUE(datacenter.at("passed").get<bool>());
  EXPECT_EQ(datacenter.at("gen_num_expected"), 13368);
  EXPECT_TRUE(datacenter.at("gen_num_matches").get<bool>());
  EXPECT_EQ(datacenter.at("checks").at("rouge2").at("min"), 15.9075 * 0.99);
  EXPECT_EQ(datacenter.at("checks").at("gen_len").at("max"), 8167644 * 1.1);
  const auto& edge = json.at("targets").at("edge");
  EXPECT_FALSE(edge.at("passed").get<bool>());  // gen_len is far above edge's 3,051,113
  EXPECT_FALSE(edge.at("checks").at("gen_len").at("passed").get<bool>());
}

}  // namespace
}  // namespace mlbench::accuracy
