#include "mlbench/model/forward_cpu.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "model/reference_forward.h"
#include "model/test_models.h"
#include "support/temp_dir.h"

namespace mlbench::model {
namespace {

using model::testing::reference_logits;
using model::testing::small_test_config;
using model::testing::write_test_model;

const std::vector<std::int32_t> kPrompt = {60, 3, 17, 42, 8, 8, 33, 1, 59, 20, 11, 5};

CpuModel load(const std::filesystem::path& dir, int threads = 2) {
  auto model = CpuModel::load(dir, {.threads = threads});
  if (!model) throw std::runtime_error(model.error().describe());
  return std::move(*model);
}

std::vector<float> prefill(CpuModel& model, std::span<const std::int32_t> tokens) {
  KvCache cache;
  const SequenceStep step{&cache, tokens};
  auto logits = model.forward({&step, 1});
  if (!logits) throw std::runtime_error(logits.error().describe());
  return std::move(*logits);
}

// Largest difference relative to the reference's largest logit.
double relative_error(std::span<const float> got, const std::vector<double>& want) {
  double scale = 0.0;
  double worst = 0.0;
  for (std::size_t i = 0; i < want.size(); ++i) {
    scale = std::max(scale, std::abs(want[i]));
    worst = std::max(worst, std::abs(static_cast<double>(got[i]) - want[i]));
  }
  return worst / scale;
}

struct Shape {
  std::int64_t heads;
  std::int64_t kv_heads;
  bool tied;
  bool rope_scaling;
  DType dtype;
};

class ForwardMatchesReference : public ::testing::TestWithParam<Shape> {};

TEST_P(ForwardMatchesReference, AtEveryPrefixLength) {
  const Shape shape = GetParam();
  mlbench::testing::TempDir dir;
  write_test_model(dir.path(),
                   small_test_config(shape.heads, shape.kv_heads, shape.tied, shape.rope_scaling),
                   shape.dtype);
  CpuModel model = load(dir.path());
  const auto want = reference_logits(model.weights(), kPrompt);
  for (std::size_t length = 1; length <= kPrompt.size(); ++length) {
    const auto got = prefill(model, std::span(kPrompt).first(length));
    ASSERT_EQ(got.size(), want[length - 1].size());
    EXPECT_LT(relative_error(got, want[length - 1]), 1e-3) << "prefix length " << length;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, ForwardMatchesReference,
    ::testing::Values(Shape{4, 4, false, true, DType::kBF16},  // GQA ratio 1 (plain MHA)
                      Shape{4, 2, false, true, DType::kBF16},  // ratio 2
                      Shape{8, 2, false, true, DType::kBF16},  // ratio 4
                      Shape{4, 1, true, true, DType::kBF16},   // tied, ratio 4
                      Shape{4, 2, true, false, DType::kF32},   // tied, no scaling, f32
                      Shape{8, 2, false, false, DType::kF32},  // untied, no scaling, f32
                      Shape{4, 2, false, true, DType::kF16}),  // f16 weights
    [](const ::testing::TestParamInfo<Shape>& param_info) {
      const Shape& s = param_info.param;
      return "h" + std::to_string(s.heads) + "kv" + std::to_string(s.kv_heads) +
             (s.tied ? "Tied" : "Untied") + (s.rope_scaling ? "Llama3Rope" : "PlainRope") +
             std::string(to_string(s.dtype));
    });

TEST(Forward, RopeScalingChangesTheLogits) {
  // Guards the reference test: with scaling on and off giving the same logits, it would not
  // notice a forward pass that ignores the scaling.
  mlbench::testing::TempDir scaled, plain;
  write_test_model(scaled.path(), small_test_config(4, 2, false, true));
  write_test_model(plain.path(), small_test_config(4, 2, false, false));
  CpuModel a = load(scaled.path());
  CpuModel b = load(plain.path());
  const auto la = prefill(a, kPrompt);
  const auto lb = prefill(b, kPrompt);
  double diff = 0.0;
  for (std::size_t i = 0; i < la.size(); ++i)
    diff = std::max(diff, double{std::abs(la[i] - lb[i])});
  EXPECT_GT(diff, 1e-3);
}

TEST(Forward, DecodingWithTheCacheEqualsRecomputation) {
  mlbench::testing::TempDir dir;
  write_test_model(dir.path(), small_test_config(8, 2));
  CpuModel model = load(dir.path());
  KvCache cache;
  const std::vector<std::int32_t> prompt(kPrompt.begin(), kPrompt.begin() + 4);
  const SequenceStep first{&cache, prompt};
  auto logits = model.forward({&first, 1});
  ASSERT_TRUE(logits.ok());
  std::vector<std::int32_t> sequence = prompt;
  for (int step = 0; step < 10; ++step) {
    // Feed a token that depends on the logits, as greedy decoding would.
    const auto next = static_cast<std::int32_t>(std::max_element(logits->begin(), logits->end()) -
                                                logits->begin());
    sequence.push_back(next);
    const SequenceStep decode{&cache, {&sequence.back(), 1}};
    logits = model.forward({&decode, 1});
    ASSERT_TRUE(logits.ok());
    EXPECT_EQ(cache.length, static_cast<std::int64_t>(sequence.size()));
    const auto full = prefill(model, sequence);
    for (std::size_t i = 0; i < full.size(); ++i) {
      ASSERT_NEAR((*logits)[i], full[i], 1e-5f) << "step " << step << " logit " << i;
    }
  }
}

TEST(Forward, ABatchOfSequencesEqualsEachAlone) {
  mlbench::testing::TempDir dir;
  write_test_model(dir.path(), small_test_config(4, 2));
  CpuModel model = load(dir.path());
  const std::vector<std::int32_t> a = {1, 2, 3, 4, 5};
  const std::vector<std::int32_t> b = {9, 8};
  const std::vector<std::int32_t> a_next = {6};
  const std::vector<std::int32_t> b_next = {7, 6, 5};

  KvCache ca, cb;
  const std::vector<SequenceStep> prefills = {{&ca, a}, {&cb, b}};
  ASSERT_TRUE(model.forward(prefills).ok());
  const std::vector<SequenceStep> steps = {{&ca, a_next}, {&cb, b_next}};
  const auto batched = model.forward(steps);
  ASSERT_TRUE(batched.ok());

  std::vector<std::int32_t> full_a = a, full_b = b;
  full_a.insert(full_a.end(), a_next.begin(), a_next.end());
  full_b.insert(full_b.end(), b_next.begin(), b_next.end());
  const auto alone_a = prefill(model, full_a);
  const auto alone_b = prefill(model, full_b);
  const std::size_t vocab = alone_a.size();
  ASSERT_EQ(batched->size(), 2 * vocab);
  for (std::size_t i = 0; i < vocab; ++i) {
    ASSERT_NEAR((*batched)[i], alone_a[i], 1e-5f);
    ASSERT_NEAR((*batched)[vocab + i], alone_b[i], 1e-5f);
  }
}

TEST(Forward, ThreadCountDoesNotChangeTheResult) {
  mlbench::testing::TempDir dir;
  write_test_model(dir.path(), small_test_config(4, 2));
  CpuModel one = load(dir.path(), 1);
  CpuModel three = load(dir.path(), 3);
  EXPECT_EQ(prefill(one, kPrompt), prefill(three, kPrompt));
}

TEST(Forward, RejectsBadStepsAndLeavesTheCacheAlone) {
  mlbench::testing::TempDir dir;
  write_test_model(dir.path(), small_test_config(4, 2));
  CpuModel model = load(dir.path());
  KvCache cache;
  const std::vector<std::int32_t> out_of_vocab = {1, 64};
  const std::vector<std::int32_t> negative = {-1};
  const std::vector<std::int32_t> none;
  const std::vector<std::int32_t> too_long(257, 1);  // max_position_embeddings is 256
  for (const auto* tokens : {&out_of_vocab, &negative, &none, &too_long}) {
    const SequenceStep step{&cache, *tokens};
    const auto result = model.forward({&step, 1});
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(cache.length, 0);
  }
  const std::vector<std::int32_t> one = {1};
  const std::vector<SequenceStep> same_cache = {{&cache, one}, {&cache, one}};
  EXPECT_FALSE(model.forward(same_cache).ok());
  const SequenceStep no_cache{nullptr, one};
  EXPECT_FALSE(model.forward({&no_cache, 1}).ok());
}

}  // namespace
}  // namespace mlbench::model
