// `mlbench-runner generate` end to end: --tokens, --logits and --prompt.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "mlbench/model/forward_cpu.h"
#include "mlbench/model/generate.h"
#include "mlbench/model/tokenizer.h"

#include "support/subprocess.h"
#include "support/temp_dir.h"

namespace mlbench::model {
namespace {

using ::testing::HasSubstr;

class GenerateCli : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto made = run({"make-model", "--preset", "tiny", "--out", model_dir()});
    ASSERT_EQ(made.exit_code, 0) << made.err;
  }
  std::string model_dir() const { return (dir_.path() / "model").string(); }
  static mlbench::testing::ProcessResult run(std::vector<std::string> args) {
    args.insert(args.begin(), mlbench::testing::binary_path("mlbench-runner"));
    return mlbench::testing::run_process(args);
  }
  std::vector<std::int32_t> greedy(std::span<const std::int32_t> prompt, int max_new) const {
    auto model = CpuModel::load(model_dir(), {.threads = 1});
    EXPECT_TRUE(model.ok());
    auto eos = stop_token_ids(model_dir(), model->config());
    EXPECT_TRUE(eos.ok());
    auto generation = generate_greedy(*model, prompt, {max_new, *eos});
    EXPECT_TRUE(generation.ok());
    return generation->tokens;
  }

  mlbench::testing::TempDir dir_;
};

TEST_F(GenerateCli, TokensGiveTheGreedyIdsAndLogitsTheFirstPosition) {
  const std::string logits_path = (dir_.path() / "logits.json").string();
  const auto result = run({"generate", "--model", model_dir(), "--tokens", "496, 10,20,30",
                           "--max-new-tokens", "5", "--logits", logits_path, "--threads", "2"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const std::vector<std::int32_t> prompt = {496, 10, 20, 30};
  EXPECT_EQ(nlohmann::json::parse(result.out).get<std::vector<std::int32_t>>(), greedy(prompt, 5));
  const auto logits =
      nlohmann::json::parse(mlbench::testing::read_file(logits_path)).get<std::vector<float>>();
  ASSERT_EQ(logits.size(), 512u);
  EXPECT_EQ(argmax(logits), greedy(prompt, 1).at(0));
}

TEST_F(GenerateCli, PromptWithoutTokenizerJsonIsAClearError) {
  std::filesystem::remove(dir_.path() / "model/tokenizer.json");
  const auto result = run({"generate", "--model", model_dir(), "--prompt", "Hello"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.err, HasSubstr("tokenizer.json"));
  EXPECT_THAT(result.err, HasSubstr("--tokens"));
  const auto both = run({"generate", "--model", model_dir(), "--prompt", "a", "--tokens", "1"});
  EXPECT_EQ(both.exit_code, 1);
  EXPECT_THAT(both.err, HasSubstr("exactly one of --tokens and --prompt"));
}

TEST_F(GenerateCli, PromptIsEncodedWithTheModelsTokenizer) {
  const auto path = dir_.path() / "model/tokenizer.json";
  if (!std::filesystem::exists(path)) GTEST_SKIP() << "make-model wrote no tokenizer.json";
  auto tokenizer = Tokenizer::load(path);
  ASSERT_TRUE(tokenizer.ok()) << tokenizer.error().describe();
  const auto ids = tokenizer->encode("The quick brown fox");
  ASSERT_TRUE(ids.ok());
  const auto result = run({"generate", "--model", model_dir(), "--prompt", "The quick brown fox",
                           "--max-new-tokens", "4"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(nlohmann::json::parse(result.out).get<std::vector<std::int32_t>>(), greedy(*ids, 4));
}

}  // namespace
}  // namespace mlbench::model
