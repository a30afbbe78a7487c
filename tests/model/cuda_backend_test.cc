#include "mlbench/model/cuda_backend.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string_view>
#include <utility>

#include "mlbench/model/cpu_backend.h"
#include "mlbench/model/cuda_devices.h"
#include "mlbench/model/generate.h"
#include "mlbench/model/logit_compare.h"
#include "mlbench/model/make_model.h"

#include "support/temp_dir.h"

namespace mlbench::model {
namespace {

// Tolerances relative to a row's largest |logit|. Split-bf16 GEMMs carry ~16 significant bits
// into fp32 accumulation, so the logits differ from the CPU's only by summation order and the
// second half-word; plain bf16 activations differ by bf16 rounding at every projection.
constexpr double kSplitTolerance = 2e-3;
constexpr double kBf16Tolerance = 3e-2;

// The reason to skip, or empty when a GPU is here.
std::string no_gpu_reason() {
  auto info = query_cuda_devices();
  if (!info) return "the CUDA runtime failed: " + info.error().describe();
  if (info->devices.empty()) {
    return "no CUDA device on this machine (driver version " +
           std::to_string(info->driver_version) + "): the CUDA backend cannot run here";
  }
  return {};
}

// MLBENCH_CUDA_SYNC=1 (the debug mode that synchronises after every kernel) turns graphs off.
bool sync_mode() {
  const char* sync = std::getenv("MLBENCH_CUDA_SYNC");
  return sync != nullptr && std::string_view(sync) == "1";
}

// That decode steps did replay graphs, so a test that passes with graphs on has tested them.
void expect_graphs_used(const CudaBackend& gpu) {
  const CudaStepCounts counts = gpu.step_counts();
  EXPECT_FALSE(counts.graphs_failed) << "a capture failed; see the warning in the log";
  if (sync_mode()) {
    EXPECT_EQ(counts.graph_steps, 0) << "MLBENCH_CUDA_SYNC=1 must turn graphs off";
  } else {
    EXPECT_GT(counts.graph_steps, 0) << counts.eager_steps << " eager steps, no graph steps";
  }
}

std::vector<std::vector<std::int32_t>> prompts() {
  return {
      {496, 10, 20, 30, 40}, {496, 7, 7}, {496, 1,  2,  3,  4,  5,  6,  7,   8,   9,   10,  11, 12,
                                           13,  14, 15, 16, 17, 18, 19, 100, 200, 300, 400, 450}};
}

class CudaBackendTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (const std::string reason = no_gpu_reason(); !reason.empty()) GTEST_SKIP() << reason;
    ASSERT_TRUE(write_random_model(dir_.path(), *preset_config("tiny"), {.seed = 3}).ok());
    auto cpu = CpuModel::load(dir_.path(), {.threads = 2});
    ASSERT_TRUE(cpu.ok()) << cpu.error().describe();
    cpu_model_ = std::make_unique<CpuModel>(std::move(*cpu));
    cpu_ = std::make_unique<CpuBackend>(*cpu_model_);
  }

  std::unique_ptr<CudaBackend> open(CudaBackendOptions options = {}) {
    // A small pool: the tiny model needs little, and the test should not take the whole GPU.
    if (options.max_kv_blocks == 0) options.max_kv_blocks = 256;
    options.max_sequence_tokens = 512;
    auto backend = open_cuda_backend(dir_.path().string(), options);
    EXPECT_TRUE(backend.ok()) << backend.error().describe();
    return backend.ok() ? std::move(*backend) : nullptr;
  }

  mlbench::testing::TempDir dir_;
  std::unique_ptr<CpuModel> cpu_model_;
  std::unique_ptr<CpuBackend> cpu_;
};

// The `--cuda-check` comparison: every prompt's prefill logits and a few decode steps' logits,
// the GPU's against the CPU's, step by step, each failure naming the first mismatch.
void expect_logits_match(CpuModel& cpu_model, CudaBackend& gpu, double tolerance) {
  const std::int64_t vocab = cpu_model.config().vocab_size;
  for (const auto& prompt : prompts()) {
    KvCache cache;
    std::vector<std::int32_t> feed = prompt;
    for (int step = 0; step < 4; ++step) {
      const SequenceStep cpu_step{&cache, feed};
      auto reference = cpu_model.forward({&cpu_step, 1});
      ASSERT_TRUE(reference.ok()) << reference.error().describe();
      const BackendStep gpu_step{.sequence = 1000, .tokens = feed};
      auto got = gpu.forward_logits({&gpu_step, 1});
      ASSERT_TRUE(got.ok()) << got.error().describe();
      const LogitComparison comparison = compare_logits(*reference, *got, vocab, tolerance);
      EXPECT_TRUE(comparison.ok()) << "prompt of " << prompt.size() << " tokens, step " << step
                                   << ": " << comparison.describe();
      feed = {argmax(*reference)};
    }
    gpu.release(1000);
  }
}

TEST_F(CudaBackendTest, LogitsMatchTheCpuBackendOnTheTinyPreset) {
  auto gpu = open();
  ASSERT_NE(gpu, nullptr);
  expect_logits_match(*cpu_model_, *gpu, kSplitTolerance);
  expect_graphs_used(*gpu);
}

TEST_F(CudaBackendTest, Bf16ActivationsStayWithinBf16Tolerance) {
  auto gpu = open({.precision = CudaPrecision::kBf16});
  ASSERT_NE(gpu, nullptr);
  const std::int64_t vocab = cpu_model_->config().vocab_size;
  for (const auto& prompt : prompts()) {
    KvCache cache;
    const SequenceStep cpu_step{&cache, prompt};
    auto reference = cpu_model_->forward({&cpu_step, 1});
    ASSERT_TRUE(reference.ok());
    const BackendStep gpu_step{.sequence = 1, .tokens = prompt};
    auto got = gpu->forward_logits({&gpu_step, 1});
    ASSERT_TRUE(got.ok()) << got.error().describe();
    const LogitComparison comparison = compare_logits(*reference, *got, vocab, kBf16Tolerance);
    EXPECT_EQ(comparison.mismatches, 0) << comparison.describe();
    gpu->release(1);
  }
}

// A bf16 KV cache rounds each key and value once: prefill and decode logits stay within bf16
// tolerance of the CPU's, in half the cache memory of fp32.
TEST_F(CudaBackendTest, Bf16KvCacheStaysWithinBf16ToleranceInHalfTheMemory) {
  auto fp32 = open();
  auto bf16 = open({.kv_dtype = CudaKvDtype::kBf16});
  ASSERT_NE(fp32, nullptr);
  ASSERT_NE(bf16, nullptr);
  EXPECT_EQ(bf16->memory_plan().block_bytes * 2, fp32->memory_plan().block_bytes);
  expect_logits_match(*cpu_model_, *bf16, kBf16Tolerance);
  expect_graphs_used(*bf16);
}

TEST_F(CudaBackendTest, GreedyTokensEqualTheCpuBackendOver16Steps) {
  auto gpu = open();
  ASSERT_NE(gpu, nullptr);
  SequenceId id = 1;
  for (const auto& prompt : prompts()) {
    auto expected = generate_greedy(*cpu_model_, prompt, {.max_new_tokens = 16});
    ASSERT_TRUE(expected.ok());
    std::vector<std::int32_t> got;
    std::vector<std::int32_t> feed = prompt;
    for (int step = 0; step < 16; ++step) {
      const BackendStep s{.sequence = id, .tokens = feed};
      auto next = gpu->forward({&s, 1});
      ASSERT_TRUE(next.ok()) << next.error().describe();
      got.push_back(next->at(0));
      feed = {next->at(0)};
    }
    EXPECT_EQ(got, expected->tokens) << "prompt of " << prompt.size() << " tokens";
    gpu->release(id++);
  }
  expect_graphs_used(*gpu);
}

// One step on two backends: both steps' logits, or nothing (the failure recorded).
std::optional<std::pair<std::vector<float>, std::vector<float>>> logits_on_both(
    CudaBackend& first, CudaBackend& second, std::span<const BackendStep> steps,
    const std::string& what) {
  auto a = first.forward_logits(steps);
  auto b = second.forward_logits(steps);
  EXPECT_TRUE(a.ok()) << what << ": " << a.error().describe();
  EXPECT_TRUE(b.ok()) << what << ": " << b.error().describe();
  if (!a.ok() || !b.ok()) return std::nullopt;
  return std::pair{std::move(*a), std::move(*b)};
}

// Each step's sequence's next input: the argmax of its row of `logits`.
void feed_argmax(std::span<const float> logits, std::span<const BackendStep> steps,
                 std::int64_t vocab, std::vector<std::int32_t>& next) {
  for (std::size_t i = 0; i < steps.size(); ++i) {
    next[steps[i].sequence] = argmax(
        logits.subspan(i * static_cast<std::size_t>(vocab), static_cast<std::size_t>(vocab)));
  }
}

// A decode step replayed from a CUDA graph runs the kernels the eager step runs on the same
// inputs, so its tokens and logits are the same bits. Two backends on the same model, one with
// graphs and one without, are driven through the same steps: decode at batch 3, then 2 and 1 as
// sequences drop out, a prefill in between, then batch 4 (a batch size first seen mid-run, so
// its graph is captured late), each batch long enough to be warmed up, captured and replayed.
TEST_F(CudaBackendTest, GraphAndEagerDecodeGiveTheSameBits) {
  auto graphs = open();
  auto eager = open({.cuda_graphs = false});
  ASSERT_NE(graphs, nullptr);
  ASSERT_NE(eager, nullptr);
  const std::int64_t vocab = cpu_model_->config().vocab_size;
  const auto all = prompts();
  std::vector<std::int32_t> next(all.size() + 1);  // each sequence's next input token
  int compared_steps = 0;
  // One step on both backends; the sequences given feed next[] and are fed from it.
  const auto step_both = [&](const std::vector<BackendStep>& steps, const std::string& what) {
    const auto both = logits_on_both(*graphs, *eager, steps, what);
    ASSERT_TRUE(both.has_value());
    const auto& [a, b] = *both;
    ASSERT_EQ(a.size(), steps.size() * static_cast<std::size_t>(vocab)) << what;
    ASSERT_EQ(a.size(), b.size()) << what;
    const auto first_difference = std::mismatch(a.begin(), a.end(), b.begin());
    EXPECT_TRUE(first_difference.first == a.end())
        << what << ": logit " << (first_difference.first - a.begin()) << " is "
        << *first_difference.first << " with graphs and " << *first_difference.second << " without";
    feed_argmax(a, steps, vocab, next);
    ++compared_steps;
  };
  const auto decode = [&](std::vector<SequenceId> ids, int times) {
    for (int t = 0; t < times; ++t) {
      std::vector<BackendStep> steps;
      for (SequenceId id : ids)
        steps.push_back({.sequence = id, .tokens = {&next[id], 1}});
      step_both(steps,
                "decode at batch " + std::to_string(ids.size()) + ", step " + std::to_string(t));
    }
  };
  std::vector<BackendStep> prefills;
  for (std::size_t p = 0; p < all.size(); ++p)
    prefills.push_back({.sequence = p, .tokens = all[p]});
  step_both(prefills, "prefill of three prompts");
  decode({0, 1, 2}, 4);  // eager warm-up, capture, replays
  decode({2, 0}, 3);     // another order at batch 2
  decode({1}, 3);
  const std::vector<std::int32_t> late_prompt = {496, 33, 44, 55, 66, 77};
  step_both({{.sequence = 3, .tokens = late_prompt}}, "prefill of a late prompt");
  decode({0, 1, 2, 3}, 5);  // batch 4 first seen here
  decode({0, 1, 2}, 3);     // batch 3's graph again, at longer sequences
  EXPECT_EQ(compared_steps, 2 + 4 + 3 + 3 + 5 + 3);

  const CudaStepCounts with = graphs->step_counts();
  const CudaStepCounts without = eager->step_counts();
  EXPECT_EQ(without.graph_steps, 0);
  EXPECT_EQ(without.eager_steps, compared_steps);
  EXPECT_EQ(with.graph_steps + with.eager_steps, compared_steps);
  EXPECT_FALSE(with.graphs_failed);
  if (!sync_mode()) {
    // Batches 3, 2, 1 and 4 are each warmed up once, then captured: 4 graphs, and every decode
    // step but the four warm-ups replayed one.
    EXPECT_EQ(with.graphs_captured, 4);
    EXPECT_EQ(with.graph_steps, 4 + 3 + 3 + 5 + 3 - 4);
  }
}

// The grouped attention kernel (a GQA group per block, decode positions split across blocks)
// against the per-head kernel it replaced, on prefills that split too (few rows), a prompt
// long enough for many KV blocks per split, and decode at batches 4 and 1 (32 splits).
TEST_F(CudaBackendTest, GroupedAttentionMatchesThePerHeadKernel) {
  auto grouped = open();
  auto per_head = open({.grouped_attention = false});
  ASSERT_NE(grouped, nullptr);
  ASSERT_NE(per_head, nullptr);
  const std::int64_t vocab = cpu_model_->config().vocab_size;
  auto all = prompts();
  std::vector<std::int32_t> long_prompt;
  for (std::int32_t t = 0; t < 300; ++t)
    long_prompt.push_back((t * 37 + 11) % 400);
  all.push_back(long_prompt);
  std::vector<std::int32_t> next(all.size());
  const auto step_both = [&](const std::vector<BackendStep>& steps, const std::string& what) {
    const auto both = logits_on_both(*grouped, *per_head, steps, what);
    ASSERT_TRUE(both.has_value());
    const auto& [a, b] = *both;
    // Summation order differs; an indexing mistake would be off by far more.
    const LogitComparison comparison = compare_logits(b, a, vocab, 1e-4);
    EXPECT_TRUE(comparison.ok()) << what << ": " << comparison.describe();
    feed_argmax(b, steps, vocab, next);
  };
  std::vector<BackendStep> prefills;
  for (std::size_t p = 0; p < all.size(); ++p)
    prefills.push_back({.sequence = p, .tokens = all[p]});
  step_both({prefills.begin(), prefills.begin() + 3}, "prefill of three short prompts");
  step_both({prefills[3]}, "prefill of 300 tokens");
  for (int t = 0; t < 4; ++t) {
    std::vector<BackendStep> decodes;
    for (SequenceId id = 0; id < all.size(); ++id)
      decodes.push_back({.sequence = id, .tokens = {&next[id], 1}});
    step_both(decodes, "decode at batch 4, step " + std::to_string(t));
  }
  for (int t = 0; t < 4; ++t) {
    step_both({{.sequence = 3, .tokens = {&next[3], 1}}},
              "decode at batch 1, step " + std::to_string(t));
  }
}

// Graphs switched off and on mid-run keep the sequence's tokens on the CPU backend's path.
TEST_F(CudaBackendTest, GraphsSwitchedOffAndOnMidRunKeepTheGreedyTokens) {
  auto gpu = open();
  ASSERT_NE(gpu, nullptr);
  const auto prompt = prompts()[0];
  auto expected = generate_greedy(*cpu_model_, prompt, {.max_new_tokens = 12});
  ASSERT_TRUE(expected.ok());
  std::vector<std::int32_t> got;
  std::vector<std::int32_t> feed = prompt;
  for (int step = 0; step < 12; ++step) {
    gpu->set_cuda_graphs(step < 4 || step >= 8);
    const BackendStep s{.sequence = 9, .tokens = feed};
    auto next = gpu->forward({&s, 1});
    ASSERT_TRUE(next.ok()) << next.error().describe();
    got.push_back(next->at(0));
    feed = {next->at(0)};
  }
  EXPECT_EQ(got, expected->tokens);
  if (!sync_mode()) {
    // Prefill and the warm-up eager, 2 graph steps, 4 eager, then 4 graph steps again.
    EXPECT_EQ(gpu->step_counts().graph_steps, 2 + 4);
    EXPECT_EQ(gpu->step_counts().eager_steps, 2 + 4);
  }
}

// A sequence's tokens and logits must not depend on what else is in the step. Our kernels never
// mix rows; cuBLAS may pick another algorithm for another row count, so the logits are compared
// within a tight tolerance and the bitwise outcome is printed for the record.
TEST_F(CudaBackendTest, BatchedStepsGiveWhatEachSequenceGetsAlone) {
  auto gpu = open();
  ASSERT_NE(gpu, nullptr);
  const auto all = prompts();
  const std::int64_t vocab = cpu_model_->config().vocab_size;
  std::vector<std::vector<float>> alone;
  std::vector<std::int32_t> alone_next;
  for (std::size_t p = 0; p < all.size(); ++p) {
    const BackendStep prefill{.sequence = 100 + p, .tokens = all[p]};
    auto first = gpu->forward({&prefill, 1});
    ASSERT_TRUE(first.ok()) << first.error().describe();
    const BackendStep decode{.sequence = 100 + p, .tokens = {&first->at(0), 1}};
    auto logits = gpu->forward_logits({&decode, 1});
    ASSERT_TRUE(logits.ok());
    alone.push_back(*logits);
    alone_next.push_back(argmax(*logits));
    gpu->release(100 + p);
  }
  std::vector<BackendStep> prefills;
  for (std::size_t p = all.size(); p-- > 0;)
    prefills.push_back({.sequence = 200 + p, .tokens = all[p]});
  auto firsts = gpu->forward(prefills);
  ASSERT_TRUE(firsts.ok()) << firsts.error().describe();
  std::vector<BackendStep> decodes;
  for (std::size_t i = 0; i < prefills.size(); ++i)
    decodes.push_back({.sequence = prefills[i].sequence, .tokens = {&firsts->at(i), 1}});
  auto batched = gpu->forward_logits(decodes);
  ASSERT_TRUE(batched.ok()) << batched.error().describe();
  bool bitwise = true;
  for (std::size_t i = 0; i < decodes.size(); ++i) {
    const std::size_t p = decodes[i].sequence - 200;
    const std::span<const float> row(batched->data() + i * static_cast<std::size_t>(vocab),
                                     static_cast<std::size_t>(vocab));
    EXPECT_EQ(argmax(row), alone_next[p]) << "prompt " << p;
    const LogitComparison comparison = compare_logits(alone[p], row, vocab, 1e-5);
    EXPECT_TRUE(comparison.ok()) << "prompt " << p << ": " << comparison.describe();
    bitwise = bitwise && std::equal(row.begin(), row.end(), alone[p].begin());
  }
  std::printf("batched logits bitwise equal to unbatched: %s\n", bitwise ? "yes" : "no");
}

TEST_F(CudaBackendTest, ReleaseReturnsTheSequencesBlocks) {
  auto gpu = open({.kv_block_tokens = 16});
  ASSERT_NE(gpu, nullptr);
  const std::int64_t free_at_start = gpu->free_kv_blocks();
  EXPECT_EQ(free_at_start, 256);
  std::vector<std::int32_t> prompt(40, 5);
  const BackendStep step{.sequence = 7, .tokens = prompt};
  ASSERT_TRUE(gpu->forward({&step, 1}).ok());
  EXPECT_EQ(gpu->live_sequences(), 1u);
  EXPECT_EQ(gpu->free_kv_blocks(), free_at_start - 3);  // 40 tokens in blocks of 16
  const std::int32_t next = 6;
  for (int i = 0; i < 9; ++i) {  // to 49 tokens: a fourth block
    const BackendStep decode{.sequence = 7, .tokens = {&next, 1}};
    ASSERT_TRUE(gpu->forward({&decode, 1}).ok());
  }
  EXPECT_EQ(gpu->free_kv_blocks(), free_at_start - 4);
  gpu->release(7);
  gpu->release(7);  // twice is harmless
  EXPECT_EQ(gpu->live_sequences(), 0u);
  EXPECT_EQ(gpu->free_kv_blocks(), free_at_start);
}

TEST_F(CudaBackendTest, RefusesWhatDoesNotFitAndChangesNothing) {
  auto gpu = open({.max_batch = 2, .max_step_tokens = 64, .max_kv_blocks = 40});
  ASSERT_NE(gpu, nullptr);
  std::vector<std::int32_t> long_prompt(60, 3);
  const BackendStep held{.sequence = 1, .tokens = long_prompt};
  ASSERT_TRUE(gpu->forward({&held, 1}).ok());  // 4 of 40 blocks
  const std::int64_t free_before = gpu->free_kv_blocks();
  const auto expect_refused = [&](std::span<const BackendStep> steps, const char* needle) {
    auto result = gpu->forward(steps);
    ASSERT_FALSE(result.ok()) << needle;
    EXPECT_NE(result.error().message.find(needle), std::string::npos) << result.error().describe();
    EXPECT_EQ(gpu->live_sequences(), 1u) << needle;
    EXPECT_EQ(gpu->free_kv_blocks(), free_before) << needle;
  };
  std::vector<std::int32_t> too_many_tokens(65, 3);
  const BackendStep wide{.sequence = 2, .tokens = too_many_tokens};
  expect_refused({&wide, 1}, "65 tokens in one step");
  const std::vector<BackendStep> three = {{.sequence = 2, .tokens = {long_prompt.data(), 1}},
                                          {.sequence = 3, .tokens = {long_prompt.data(), 1}},
                                          {.sequence = 4, .tokens = {long_prompt.data(), 1}}};
  expect_refused(three, "3 sequences in one step");
  const std::int32_t bad = 512;
  const BackendStep out_of_vocab{.sequence = 2, .tokens = {&bad, 1}};
  expect_refused({&out_of_vocab, 1}, "outside the vocabulary");
  const std::vector<BackendStep> twice = {{.sequence = 1, .tokens = {long_prompt.data(), 1}},
                                          {.sequence = 1, .tokens = {long_prompt.data(), 1}}};
  expect_refused(twice, "named twice");
  // Fill the pool: 36 blocks are free; 9 sequences of 60 tokens take 4 each, the 10th does not fit.
  for (SequenceId id = 10; id < 19; ++id) {
    const BackendStep fill{.sequence = id, .tokens = long_prompt};
    ASSERT_TRUE(gpu->forward({&fill, 1}).ok()) << id;
  }
  EXPECT_EQ(gpu->free_kv_blocks(), 0);
  auto full = gpu->forward({&held, 1});  // sequence 1 grows to 120 tokens: 4 more blocks
  ASSERT_FALSE(full.ok());
  EXPECT_NE(full.error().message.find("KV cache is full"), std::string::npos)
      << full.error().describe();
  EXPECT_EQ(gpu->live_sequences(), 10u);
  gpu->release(10);
  EXPECT_TRUE(gpu->forward({&held, 1}).ok()) << "room again after a release";
}

TEST_F(CudaBackendTest, RefusesAModelThatDoesNotFitInTheBudget) {
  auto backend = open_cuda_backend(dir_.path().string(), {.gpu_memory_fraction = 1e-9});
  ASSERT_FALSE(backend.ok());
  EXPECT_NE(backend.error().message.find("does not fit"), std::string::npos)
      << backend.error().describe();
}

// Runs where there is no GPU (and skips where there is one): the backend must refuse cleanly.
TEST(CudaBackendWithoutGpu, OpeningSaysThereIsNoDevice) {
  if (no_gpu_reason().empty()) GTEST_SKIP() << "a CUDA device is present";
  mlbench::testing::TempDir dir;
  ASSERT_TRUE(write_random_model(dir.path(), *preset_config("tiny"), {.seed = 3}).ok());
  auto backend = make_cuda_backend(dir.path().string(), {});
  ASSERT_FALSE(backend.ok());
  EXPECT_EQ(backend.error().code, ErrorCode::kNotFound) << backend.error().describe();
  EXPECT_NE(backend.error().message.find("CUDA device"), std::string::npos)
      << backend.error().describe();
}

}  // namespace
}  // namespace mlbench::model
