#include "mlbench/model/generate.h"

#include <gtest/gtest.h>

#include "model/test_models.h"
#include "support/temp_dir.h"

namespace mlbench::model {
namespace {

TEST(Argmax, TiesGoToTheLowestId) {
  const std::vector<float> logits = {0.5f, 2.0f, -1.0f, 2.0f, 2.0f};
  EXPECT_EQ(argmax(logits), 1);
  const std::vector<float> single = {-3.0f};
  EXPECT_EQ(argmax(single), 0);
  const std::vector<float> last = {0.0f, 0.0f, 1.0f};
  EXPECT_EQ(argmax(last), 2);
}

GenerateOptions options(int max_new_tokens, std::vector<std::int64_t> eos = {}) {
  GenerateOptions out;
  out.max_new_tokens = max_new_tokens;
  out.eos_token_ids = std::move(eos);
  return out;
}

class Generate : public ::testing::Test {
 protected:
  void SetUp() override {
    model::testing::write_test_model(dir_.path(), model::testing::small_test_config());
    auto loaded = CpuModel::load(dir_.path(), {.threads = 2});
    ASSERT_TRUE(loaded.ok());
    model_ = std::make_unique<CpuModel>(std::move(*loaded));
  }

  mlbench::testing::TempDir dir_;
  std::unique_ptr<CpuModel> model_;
  const std::vector<std::int32_t> prompt_ = {60, 5, 9, 14};
};

TEST_F(Generate, IsGreedyAndMatchesStepwiseArgmax) {
  const auto generation = generate_greedy(*model_, prompt_, options(8));
  ASSERT_TRUE(generation.ok());
  ASSERT_EQ(generation->tokens.size(), 8U);  // no eos given: runs to the limit
  std::vector<std::int32_t> sequence = prompt_;
  for (std::int32_t token : generation->tokens) {
    KvCache cache;
    const SequenceStep step{&cache, sequence};
    const auto logits = model_->forward({&step, 1});
    ASSERT_TRUE(logits.ok());
    if (sequence.size() == prompt_.size()) {
      EXPECT_EQ(*logits, generation->prompt_logits);
    }
    EXPECT_EQ(token, argmax(*logits));
    sequence.push_back(token);
  }
}

TEST_F(Generate, StopsAtAnyEosAndIncludesIt) {
  const auto free_run = generate_greedy(*model_, prompt_, options(6));
  ASSERT_TRUE(free_run.ok());
  // Declare the third generated token an eos id (alongside one never produced).
  const std::int32_t stop = free_run->tokens[2];
  const auto stopped = generate_greedy(*model_, prompt_, options(6, {63, stop}));
  ASSERT_TRUE(stopped.ok());
  const auto first_stop =
      std::find(free_run->tokens.begin(), free_run->tokens.end(), stop) - free_run->tokens.begin();
  EXPECT_EQ(stopped->tokens, std::vector<std::int32_t>(free_run->tokens.begin(),
                                                       free_run->tokens.begin() + first_stop + 1));
}

TEST_F(Generate, AlwaysAtLeastOneToken) {
  const auto first = generate_greedy(*model_, prompt_, options(1));
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->tokens.size(), 1U);
  // Even when that token is an eos id.
  const auto eos = generate_greedy(*model_, prompt_, options(5, {first->tokens[0]}));
  ASSERT_TRUE(eos.ok());
  EXPECT_EQ(eos->tokens, first->tokens);
  EXPECT_FALSE(generate_greedy(*model_, prompt_, options(0)).ok());
  EXPECT_FALSE(generate_greedy(*model_, {}, options(1)).ok());
}

}  // namespace
}  // namespace mlbench::model
