#include "mlbench/dataset/articles.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>

#include "mlbench/dataset/prompt.h"

#include "support/subprocess.h"
#include "support/temp_dir.h"

namespace mlbench::dataset {
namespace {

using ::testing::HasSubstr;

std::size_t words(const std::string& text) {
  std::istringstream in(text);
  std::size_t count = 0;
  for (std::string word; in >> word;)
    ++count;
  return count;
}

TEST(Articles, TheSampleSetIsCompiledInAndMatchesTheFile) {
  EXPECT_EQ(sample_articles_jsonl(),
            testing::read_file(testing::source_path("data/sample/articles.jsonl")));
  const auto articles = sample_articles();
  ASSERT_EQ(articles.size(), 24u);
  for (const Article& article : articles) {
    EXPECT_GE(words(article.article), 150u) << article.article.substr(0, 60);
    EXPECT_LE(words(article.article), 350u) << article.article.substr(0, 60);
    // Two to four sentences, one a line, as CNN/DailyMail's highlights.
    const auto sentences = std::count(article.summary.begin(), article.summary.end(), '\n') + 1;
    EXPECT_GE(sentences, 2) << article.summary;
    EXPECT_LE(sentences, 4) << article.summary;
  }
}

TEST(Articles, ParsesLinesSkippingBlankOnesAndKeepingOtherKeys) {
  const auto articles = parse_articles(
      "{\"article\": \"A\", \"summary\": \"a\", \"id\": 7}\n\n  \r\n{\"summary\": \"b\", "
      "\"article\": \"B \\u00e9\"}",
      "x.jsonl");
  ASSERT_TRUE(articles.ok()) << articles.error().describe();
  ASSERT_EQ(articles->size(), 2u);
  EXPECT_EQ((*articles)[1].article, "B \xC3\xA9");
  EXPECT_EQ((*articles)[1].summary, "b");
}

TEST(Articles, MaxArticlesStopsReading) {
  const auto articles = parse_articles(
      "{\"article\": \"A\", \"summary\": \"a\"}\n{\"article\": \"B\", \"summary\": \"b\"}\nbad",
      "x.jsonl", 2);
  ASSERT_TRUE(articles.ok()) << articles.error().describe();
  EXPECT_EQ(articles->size(), 2u);
  EXPECT_EQ(parse_articles("{}", "x.jsonl", 0).error().code, ErrorCode::kInvalidArgument);
}

TEST(Articles, ErrorsNameTheLine) {
  const auto error = [](std::string_view text) {
    const auto result = parse_articles(text, "x.jsonl");
    return result.ok() ? std::string("(loaded)") : result.error().describe();
  };
  EXPECT_THAT(error("{\"article\": \"A\", \"summary\": \"a\"}\n[1]"),
              HasSubstr("x.jsonl:2: is a JSON array"));
  EXPECT_THAT(error("\n\n{\"article\": \"A\"}"), HasSubstr("x.jsonl:3: no \"summary\""));
  EXPECT_THAT(error("{\"article\": \"A\", \"summary\": [\"a\"]}"),
              HasSubstr("x.jsonl:1: \"summary\" is array, expected a string"));
  EXPECT_THAT(error("{\"article\": \"A\", \"summary\": \"\"}"), HasSubstr("\"summary\" is empty"));
  EXPECT_THAT(error("{\"article\": \"A\""), HasSubstr("x.jsonl:1: not valid JSON"));
  EXPECT_THAT(error(""), HasSubstr("x.jsonl: holds no articles"));
}

TEST(Articles, LoadNamesAMissingFile) {
  testing::TempDir dir;
  const auto result = load_articles(dir.path() / "absent.jsonl");
  EXPECT_EQ(result.error().code, ErrorCode::kNotFound);
  EXPECT_THAT(result.error().describe(), HasSubstr("absent.jsonl"));
}

// A stand-in for a tokenizer that is real code: one id per byte of the prompt.
Result<std::vector<std::int32_t>> byte_ids(std::string_view prompt) {
  std::vector<std::int32_t> ids;
  for (const char c : prompt)
    ids.push_back(static_cast<unsigned char>(c));
  return ids;
}

TEST(Articles, BuildAndWriteRoundTripThroughTheLoader) {
  const std::vector<Article> articles = {{"First \xE2\x80\x94 story.", "One.\nTwo."},
                                         {"Second.", "Three."}};
  auto built = build_cnn_eval(articles, byte_ids);
  ASSERT_TRUE(built.ok()) << built.error().describe();
  ASSERT_EQ(built->samples.size(), 2u);
  EXPECT_EQ(built->samples[0].tok_input.size(), cnn_dailymail_prompt(articles[0].article).size());

  testing::TempDir dir;
  const std::string text = cnn_eval_to_json(*built);
  EXPECT_THAT(text, HasSubstr("\xE2\x80\x94"));  // UTF-8 kept, as ensure_ascii=False writes it
  const auto loaded = load_cnn_eval(dir.write("cnn_eval.json", text), {.vocab_size = 256});
  ASSERT_TRUE(loaded.ok()) << loaded.error().describe();
  ASSERT_EQ(loaded->samples.size(), 2u);
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(loaded->samples[i].input, built->samples[i].input);
    EXPECT_EQ(loaded->samples[i].tok_input, built->samples[i].tok_input);
    EXPECT_EQ(loaded->samples[i].output, built->samples[i].output);
    EXPECT_EQ(loaded->samples[i].instruction, std::string(kCnnDailyMailPrompt));
  }
}

TEST(Articles, BuildNamesTheArticleTheEncoderRefused) {
  const std::vector<Article> articles = {{"fine", "s"}, {"refused", "s"}};
  const auto result =
      build_cnn_eval(articles, [](std::string_view prompt) -> Result<std::vector<std::int32_t>> {
        if (prompt.find("refused") != std::string_view::npos) {
          return fail(ErrorCode::kInvalidArgument, "no");
        }
        return std::vector<std::int32_t>{1};
      });
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().where, "article 1");
  EXPECT_THAT(result.error().message, HasSubstr("tokenising the prompt: no"));
}

}  // namespace
}  // namespace mlbench::dataset
