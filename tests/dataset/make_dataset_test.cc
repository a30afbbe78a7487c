// Runs the real `mlbench-runner make-model` and `make-dataset` on the sample articles, and checks
// the tiny preset's trained tokenizer against Tokenizers.js when the npm cache has it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "mlbench/dataset/articles.h"
#include "mlbench/dataset/cnn_eval.h"
#include "mlbench/dataset/prompt.h"
#include "mlbench/model/tokenizer.h"

#include "support/subprocess.h"
#include "support/temp_dir.h"

namespace mlbench::dataset {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

const std::string kSampleArticles = testing::source_path("data/sample/articles.jsonl");

testing::ProcessResult runner(std::vector<std::string> args) {
  args.insert(args.begin(), testing::binary_path("mlbench-runner"));
  return testing::run_process(args, {.timeout = std::chrono::seconds(60)});
}

class MakeDataset : public ::testing::Test {
 protected:
  // One tiny model for the whole suite: make-model trains its tokenizer.
  static void SetUpTestSuite() {
    model_root_ = new testing::TempDir();
    const auto made = runner({"make-model", "--preset", "tiny", "--out", model_dir()});
    ASSERT_EQ(made.exit_code, 0) << made.err;
  }
  static void TearDownTestSuite() {
    delete model_root_;
    model_root_ = nullptr;
  }
  static std::string model_dir() { return (model_root_->path() / "tiny").string(); }

  testing::TempDir dir_;
  static testing::TempDir* model_root_;
};
testing::TempDir* MakeDataset::model_root_ = nullptr;

TEST_F(MakeDataset, BuildsMlperfsFileFromTheSampleArticles) {
  const std::string out = (dir_.path() / "cnn_eval.json").string();
  const auto result = runner(
      {"make-dataset", "--articles", kSampleArticles, "--tokenizer", model_dir(), "--out", out});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out, HasSubstr("wrote 24 samples to"));
  const auto dataset = load_cnn_eval(out, {.vocab_size = 512});
  ASSERT_TRUE(dataset.ok()) << dataset.error().describe();
  const auto articles = load_articles(kSampleArticles);
  ASSERT_TRUE(articles.ok());
  ASSERT_EQ(dataset->samples.size(), 24u);
  const auto tokenizer = model::Tokenizer::load(model_dir());
  ASSERT_TRUE(tokenizer.ok()) << tokenizer.error().describe();
  for (std::size_t i = 0; i < 24; ++i) {
    const Sample& sample = dataset->samples[i];
    EXPECT_EQ(sample.input, (*articles)[i].article);
    EXPECT_EQ(sample.output, (*articles)[i].summary);
    EXPECT_EQ(sample.instruction, std::string(kCnnDailyMailPrompt));
    ASSERT_FALSE(sample.tok_input.empty());
    EXPECT_EQ(sample.tok_input.front(), 496);  // <|begin_of_text|>
    const auto text = tokenizer->decode(sample.tok_input);
    ASSERT_TRUE(text.ok());
    EXPECT_EQ(*text, "<|begin_of_text|>" + cnn_dailymail_prompt(sample.input));
  }
  // The file is MLPerf's shape: instruction as {"llama": template}.
  const auto json = nlohmann::json::parse(testing::read_file(out));
  EXPECT_EQ(json.at(0).at("instruction").at("llama"), std::string(kCnnDailyMailPrompt));
  EXPECT_FALSE(std::filesystem::exists(out + ".tmp"));
}

TEST_F(MakeDataset, MaxSamplesCuts) {
  const std::string out = (dir_.path() / "cnn_eval.json").string();
  const auto result = runner({"make-dataset", "--articles", kSampleArticles, "--tokenizer",
                              model_dir(), "--out", out, "--max-samples", "3"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto dataset = load_cnn_eval(out);
  ASSERT_TRUE(dataset.ok()) << dataset.error().describe();
  EXPECT_EQ(dataset->samples.size(), 3u);
  EXPECT_NE(runner({"make-dataset", "--articles", kSampleArticles, "--tokenizer", model_dir(),
                    "--out", out, "--max-samples", "0"})
                .exit_code,
            0);
}

TEST_F(MakeDataset, BadLinesAreNamedByFileAndLineAndNothingIsWritten) {
  const std::string out = (dir_.path() / "cnn_eval.json").string();
  const auto expect_refused = [&](const std::string& text, const std::string& what) {
    const std::string articles = dir_.write("articles.jsonl", text);
    const auto result =
        runner({"make-dataset", "--articles", articles, "--tokenizer", model_dir(), "--out", out});
    EXPECT_EQ(result.exit_code, 1) << text;
    EXPECT_THAT(result.err, HasSubstr(what)) << text;
    EXPECT_FALSE(std::filesystem::exists(out)) << text;
  };
  const std::string good = R"({"article": "A story.", "summary": "Short."})";
  expect_refused(good + "\n{not json\n", "articles.jsonl:2: not valid JSON");
  expect_refused(good + "\n\n" + R"({"article": "x"})" + "\n", "articles.jsonl:3: no \"summary\"");
  expect_refused(R"({"article": 5, "summary": "s"})", "articles.jsonl:1: \"article\" is number");
  expect_refused(R"(["article", "summary"])", "articles.jsonl:1: is a JSON array");
  expect_refused(R"({"article": "  ", "summary": "s"})", "articles.jsonl:1: \"article\" is empty");
  expect_refused("\n\n", "holds no articles");
}

TEST_F(MakeDataset, MissingInputsAreNamed) {
  const std::string out = (dir_.path() / "cnn_eval.json").string();
  auto result = runner({"make-dataset", "--articles", (dir_.path() / "none.jsonl").string(),
                        "--tokenizer", model_dir(), "--out", out});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.err, AllOf(HasSubstr("none.jsonl"), HasSubstr("cannot open")));
  result = runner({"make-dataset", "--articles", kSampleArticles, "--tokenizer",
                   dir_.path().string(), "--out", out});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.err, HasSubstr("tokenizer.json"));
  EXPECT_FALSE(std::filesystem::exists(out));
}

// The npm cache scripts/tokenizer-vectors.sh fills; the test never installs anything itself.
std::filesystem::path npm_cache() {
  if (const char* set = std::getenv("MLBENCH_NPM_CACHE")) return set;
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"))
    return std::filesystem::path(xdg) / "mlbench/npm";
  const char* home = std::getenv("HOME");
  return std::filesystem::path(home ? home : "/nonexistent") / ".cache/mlbench/npm";
}

std::string find_node() {
  for (const char* dir : {"/usr/bin", "/usr/local/bin", "/opt/homebrew/bin"}) {
    const auto node = std::filesystem::path(dir) / "node";
    if (std::filesystem::exists(node)) return node.string();
  }
  return {};
}

TEST_F(MakeDataset, TinyTokenizerAgreesWithTokenizersJs) {
  const std::string node = find_node();
  if (node.empty()) GTEST_SKIP() << "node is not installed, so Tokenizers.js cannot run";
  const auto cache = npm_cache();
  if (!std::filesystem::exists(cache / "node_modules/@huggingface/tokenizers")) {
    GTEST_SKIP() << "Tokenizers.js is not in the npm cache " << cache
                 << " (run scripts/tokenizer-vectors.sh --fetch where npm can reach its registry)";
  }
  // The sample text, the prompts built from it, and text the training never saw.
  std::vector<std::string> texts;
  for (const Article& article : sample_articles()) {
    texts.push_back(article.article);
    texts.push_back(article.summary);
    texts.push_back(cnn_dailymail_prompt(article.article));
  }
  texts.push_back("Zürich's café, naïve résumé — 1234567 items!\n\n\tdon't WON'T 😀 中文");
  texts.push_back("<|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|> <unused_400>");
  std::string lines;
  for (const std::string& text : texts)
    lines += nlohmann::json(text).dump() + "\n";
  const std::string texts_file = dir_.write("texts.jsonl", lines);
  const auto result = testing::run_process(
      {node, testing::source_path("scripts/tokenizer-vectors.mjs"), "encode",
       model_dir() + "/tokenizer.json", texts_file},
      {.env = {{"MLBENCH_NPM_CACHE", cache.string()}}, .timeout = std::chrono::seconds(60)});
  ASSERT_EQ(result.exit_code, 0) << result.err;

  const auto tokenizer = model::Tokenizer::load(model_dir());
  ASSERT_TRUE(tokenizer.ok()) << tokenizer.error().describe();
  std::istringstream js_lines(result.out);
  std::string line;
  std::size_t compared = 0;
  for (const std::string& text : texts) {
    ASSERT_TRUE(std::getline(js_lines, line)) << "Tokenizers.js answered only " << compared;
    const auto js = nlohmann::json::parse(line);
    const auto ids = tokenizer->encode(text);
    const auto plain = tokenizer->encode(text, {.add_special_tokens = false});
    ASSERT_TRUE(ids.ok() && plain.ok());
    EXPECT_EQ(*ids, js.at("ids").get<std::vector<std::int32_t>>()) << text;
    EXPECT_EQ(*plain, js.at("plain_ids").get<std::vector<std::int32_t>>()) << text;
    EXPECT_EQ(js.at("decoded").get<std::string>(), text);
    ++compared;
  }
  EXPECT_EQ(compared, texts.size());
}

}  // namespace
}  // namespace mlbench::dataset
