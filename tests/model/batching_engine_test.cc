#include "mlbench/model/batching_engine.h"

#include <gtest/gtest.h>

#include <map>

#include "mlbench/model/cpu_backend.h"
#include "mlbench/model/generate.h"

#include "model/test_models.h"
#include "support/temp_dir.h"

namespace mlbench::model {
namespace {

using model::testing::small_test_config;
using model::testing::write_test_model;

struct Shape {
  const char* name;
  LlamaConfig config;
};

// Prompts of assorted lengths with ids below `limit` (under the special tokens).
std::vector<std::vector<std::int32_t>> test_prompts(std::int32_t limit, int count) {
  std::vector<std::vector<std::int32_t>> prompts;
  for (int p = 0; p < count; ++p) {
    std::vector<std::int32_t> prompt;
    const int length = 1 + (p * 7) % 13;
    for (int t = 0; t < length; ++t)
      prompt.push_back((p * 31 + t * 17 + 3) % limit);
    prompts.push_back(prompt);
  }
  return prompts;
}

CpuModel load_model(const std::filesystem::path& dir) {
  auto model = CpuModel::load(dir, {.threads = 2});
  if (!model) throw std::runtime_error(model.error().describe());
  return std::move(*model);
}

BatchingEngine make_engine(InferenceBackend& backend, EngineOptions options) {
  auto engine = BatchingEngine::create(backend, std::move(options));
  if (!engine) throw std::runtime_error(engine.error().describe());
  return std::move(*engine);
}

// Steps until idle (bounded) and returns each request's tokens, checking the per-step rules.
std::map<std::uint64_t, FinishedRequest> run_to_idle(BatchingEngine& engine) {
  std::map<std::uint64_t, FinishedRequest> finished;
  std::map<std::uint64_t, std::int32_t> first;
  for (int step = 0; step < 100000 && !engine.idle(); ++step) {
    auto report = engine.step();
    if (!report) throw std::runtime_error(report.error().describe());
    EXPECT_LE(report->prefill_tokens + report->decode_tokens, engine.options().max_step_tokens);
    EXPECT_LE(report->sequences, static_cast<std::size_t>(engine.options().max_batch_size));
    EXPECT_LE(engine.running(), static_cast<std::size_t>(engine.options().max_batch_size));
    EXPECT_GT(report->sequences, 0u) << "a step with work to do ran nothing";
    for (const FirstToken& token : report->first_tokens) {
      EXPECT_TRUE(first.emplace(token.id, token.token).second) << "two first tokens";
    }
    for (FinishedRequest& done : report->finished) {
      if (!first.contains(done.id)) {
        ADD_FAILURE() << "request " << done.id << " finished before its first token";
      } else {
        EXPECT_EQ(first.at(done.id), done.tokens.at(0));
      }
      finished.emplace(done.id, std::move(done));
    }
  }
  EXPECT_TRUE(engine.idle());
  return finished;
}

class EngineMatchesAlone : public ::testing::TestWithParam<Shape> {
 protected:
  void SetUp() override {
    const LlamaConfig& config = GetParam().config;
    if (config.vocab_size > 64) {  // the tiny preset as make-model writes it
      ASSERT_TRUE(write_random_model(dir_.path(), config, {.seed = 3}).ok());
    } else {
      write_test_model(dir_.path(), config);
    }
    model_ = std::make_unique<CpuModel>(load_model(dir_.path()));
    backend_ = std::make_unique<CpuBackend>(*model_);
    // Ids below bos, which sits below the other special tokens in every shape here.
    prompts_ = test_prompts(static_cast<std::int32_t>(*config.bos_token_id), 7);
    for (const auto& prompt : prompts_) {
      auto alone =
          generate_greedy(*model_, prompt, {.max_new_tokens = kMaxNew, .eos_token_ids = eos()});
      ASSERT_TRUE(alone.ok());
      alone_.push_back(alone->tokens);
    }
  }
  std::vector<std::int64_t> eos() const { return GetParam().config.eos_token_ids; }
  EngineOptions options(int batch, std::int64_t budget) const {
    return {.max_batch_size = batch,
            .max_step_tokens = budget,
            .max_new_tokens = kMaxNew,
            .eos_token_ids = eos()};
  }

  static constexpr int kMaxNew = 12;
  mlbench::testing::TempDir dir_;
  std::unique_ptr<CpuModel> model_;
  std::unique_ptr<CpuBackend> backend_;
  std::vector<std::vector<std::int32_t>> prompts_;
  std::vector<std::vector<std::int32_t>> alone_;
};

TEST_P(EngineMatchesAlone, TokenForTokenWhateverTheBatchAndBudget) {
  // All at once; queued behind a small batch; prompts chunked over many steps.
  for (const auto& [batch, budget] :
       std::vector<std::pair<int, std::int64_t>>{{16, 512}, {3, 64}, {2, 5}, {1, 1}}) {
    SCOPED_TRACE(::testing::Message() << "batch " << batch << ", budget " << budget);
    BatchingEngine engine = make_engine(*backend_, options(batch, budget));
    for (std::size_t i = 0; i < prompts_.size(); ++i)
      ASSERT_TRUE(engine.submit({.id = 100 + i, .prompt = prompts_[i]}).ok());
    const auto finished = run_to_idle(engine);
    ASSERT_EQ(finished.size(), prompts_.size());
    for (std::size_t i = 0; i < prompts_.size(); ++i)
      EXPECT_EQ(finished.at(100 + i).tokens, alone_[i]) << "prompt " << i;
    EXPECT_EQ(backend_->live_sequences(), 0u) << "finished sequences keep their caches";
  }
}

TEST_P(EngineMatchesAlone, SequencesJoiningMidDecodeChangeNothing) {
  BatchingEngine engine = make_engine(*backend_, options(4, 9));
  ASSERT_TRUE(engine.submit({.id = 0, .prompt = prompts_[0]}).ok());
  std::map<std::uint64_t, FinishedRequest> finished;
  // Three steps in, the first is decoding; the rest arrive one per step from then on.
  for (std::size_t next = 1, step = 0; !engine.idle() || next < prompts_.size(); ++step) {
    ASSERT_LT(step, 10000u);
    if (step >= 3 && next < prompts_.size()) {
      ASSERT_TRUE(engine.submit({.id = next, .prompt = prompts_[next]}).ok());
      ++next;
    }
    auto report = engine.step();
    ASSERT_TRUE(report.ok());
    for (FinishedRequest& done : report->finished)
      finished.emplace(done.id, std::move(done));
  }
  ASSERT_EQ(finished.size(), prompts_.size());
  for (std::size_t i = 0; i < prompts_.size(); ++i)
    EXPECT_EQ(finished.at(i).tokens, alone_[i]) << "prompt " << i;
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, EngineMatchesAlone,
    ::testing::Values(Shape{"tiny_preset", *preset_config("tiny")},
                      Shape{"gqa4_tied", small_test_config(4, 1, true)},
                      Shape{"mha_untied", small_test_config(4, 4, false)},
                      Shape{"gqa2_plain_rope", small_test_config(8, 4, false, false)}),
    [](const ::testing::TestParamInfo<Shape>& test) { return std::string(test.param.name); });

class Engine : public ::testing::Test {
 protected:
  void SetUp() override {
    write_test_model(dir_.path(), small_test_config());
    model_ = std::make_unique<CpuModel>(load_model(dir_.path()));
    backend_ = std::make_unique<CpuBackend>(*model_);
  }
  std::vector<std::int32_t> alone(std::span<const std::int32_t> prompt, int max_new,
                                  std::vector<std::int64_t> eos = {}) {
    auto generation = generate_greedy(*model_, prompt,
                                      {.max_new_tokens = max_new, .eos_token_ids = std::move(eos)});
    EXPECT_TRUE(generation.ok());
    return generation->tokens;
  }

  mlbench::testing::TempDir dir_;
  std::unique_ptr<CpuModel> model_;
  std::unique_ptr<CpuBackend> backend_;
  const std::vector<std::int32_t> prompt_ = {60, 5, 9, 14};
};

TEST_F(Engine, StopsAtEosOrMaxNewTokensWithAtLeastOneToken) {
  const auto free_run = alone(prompt_, 8);
  ASSERT_EQ(free_run.size(), 8u);
  BatchingEngine engine =
      make_engine(*backend_, {.max_new_tokens = 8, .eos_token_ids = {free_run[0], free_run[3]}});
  ASSERT_TRUE(engine.submit({.id = 1, .prompt = prompt_}).ok());  // eos at once
  ASSERT_TRUE(engine.submit({.id = 2, .prompt = prompt_, .max_new_tokens = 1}).ok());  // limit 1
  const auto finished = run_to_idle(engine);
  ASSERT_EQ(finished.size(), 2u);
  EXPECT_EQ(finished.at(1).tokens, std::vector<std::int32_t>{free_run[0]});
  EXPECT_EQ(finished.at(1).reason, FinishReason::kEos);
  EXPECT_EQ(finished.at(2).tokens, std::vector<std::int32_t>{free_run[0]});

  BatchingEngine later_eos =
      make_engine(*backend_, {.max_new_tokens = 8, .eos_token_ids = {free_run[3]}});
  ASSERT_TRUE(later_eos.submit({.id = 3, .prompt = prompt_}).ok());
  const auto stopped = run_to_idle(later_eos);
  const auto first_stop = std::find(free_run.begin(), free_run.end(), free_run[3]);
  EXPECT_EQ(stopped.at(3).tokens, std::vector<std::int32_t>(free_run.begin(), first_stop + 1));
  EXPECT_EQ(stopped.at(3).reason, FinishReason::kEos);

  BatchingEngine no_eos = make_engine(*backend_, {.max_new_tokens = 8});
  ASSERT_TRUE(no_eos.submit({.id = 4, .prompt = prompt_}).ok());
  const auto full = run_to_idle(no_eos);
  EXPECT_EQ(full.at(4).tokens, free_run);
  EXPECT_EQ(full.at(4).reason, FinishReason::kMaxNewTokens);
}

TEST_F(Engine, StopsWhenTheContextIsFull) {
  const std::int64_t context = model_->config().max_position_embeddings;
  std::vector<std::int32_t> long_prompt;
  for (std::int64_t i = 0; i + 4 < context; ++i)
    long_prompt.push_back(static_cast<std::int32_t>(i % 50));
  BatchingEngine engine = make_engine(*backend_, {.max_step_tokens = 100, .max_new_tokens = 50});
  ASSERT_TRUE(engine.submit({.id = 7, .prompt = long_prompt}).ok());
  const auto finished = run_to_idle(engine);
  // Positions prompt..context-1 take the fed-back tokens, and the last one fed yields one more.
  EXPECT_EQ(finished.at(7).tokens.size(), 5u);
  EXPECT_EQ(finished.at(7).reason, FinishReason::kContextFull);
  EXPECT_EQ(finished.at(7).tokens, alone(long_prompt, 50));
}

TEST_F(Engine, RefusesBadPromptsAndOptions) {
  BatchingEngine engine = make_engine(*backend_, {});
  EXPECT_FALSE(engine.submit({.id = 1, .prompt = {}}).ok());
  const auto outside = engine.submit({.id = 1, .prompt = {1, 64}});
  ASSERT_FALSE(outside.ok());
  EXPECT_NE(outside.error().message.find("outside the vocabulary"), std::string::npos);
  EXPECT_FALSE(engine.submit({.id = 1, .prompt = std::vector<std::int32_t>(257, 1)}).ok());
  EXPECT_FALSE(engine.submit({.id = 1, .prompt = {1}, .max_new_tokens = -1}).ok());
  EXPECT_TRUE(engine.idle());

  EXPECT_FALSE(BatchingEngine::create(*backend_, {.max_batch_size = 0}).ok());
  EXPECT_FALSE(BatchingEngine::create(*backend_, {.max_batch_size = 8, .max_step_tokens = 7}).ok());
  EXPECT_FALSE(BatchingEngine::create(*backend_, {.max_new_tokens = 0}).ok());
}

TEST_F(Engine, CancelAllDropsEverythingAndFreesTheCaches) {
  BatchingEngine engine = make_engine(*backend_, {.max_batch_size = 2, .max_step_tokens = 8});
  for (std::uint64_t id = 0; id < 5; ++id)
    ASSERT_TRUE(engine.submit({.id = id, .prompt = prompt_}).ok());
  ASSERT_TRUE(engine.step().ok());
  ASSERT_TRUE(engine.step().ok());
  EXPECT_EQ(engine.running(), 2u);
  EXPECT_EQ(engine.waiting(), 3u);
  EXPECT_EQ(backend_->live_sequences(), 2u);
  engine.cancel_all();
  EXPECT_TRUE(engine.idle());
  EXPECT_EQ(backend_->live_sequences(), 0u);
  const auto report = engine.step();
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->sequences, 0u);
}

TEST_F(Engine, DecodesRunBeforeNewPromptsInAStep) {
  BatchingEngine engine = make_engine(*backend_, {.max_batch_size = 4, .max_step_tokens = 6});
  ASSERT_TRUE(engine.submit({.id = 0, .prompt = prompt_}).ok());
  auto first = engine.step();  // 4 prompt tokens
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->prefill_tokens, 4);
  ASSERT_EQ(first->first_tokens.size(), 1u);
  const std::vector<std::int32_t> long_prompt(20, 7);
  ASSERT_TRUE(engine.submit({.id = 1, .prompt = long_prompt}).ok());
  auto second = engine.step();  // 1 decode + 5 of the new prompt
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->decode_tokens, 1);
  EXPECT_EQ(second->prefill_tokens, 5);
  EXPECT_TRUE(second->first_tokens.empty());
}

// The kernels sum each row in one order whatever else is in the step, so a sequence's logits
// are bit for bit the same alone and batched: the engine's output cannot depend on load.
TEST(CpuModelBatch, LogitsAreBitwiseTheSameAloneAndInABatch) {
  mlbench::testing::TempDir dir;
  ASSERT_TRUE(write_random_model(dir.path(), *preset_config("tiny"), {.seed = 5}).ok());
  CpuModel model = load_model(dir.path());
  const std::vector<std::int32_t> a = {496, 10, 20, 30, 40}, b = {496, 7, 7};
  const std::int32_t a_next = 11, b_next = 12;

  KvCache alone;
  const SequenceStep prefill{&alone, a};
  ASSERT_TRUE(model.forward({&prefill, 1}).ok());
  const SequenceStep decode{&alone, {&a_next, 1}};
  const auto alone_logits = model.forward({&decode, 1});
  ASSERT_TRUE(alone_logits.ok());

  KvCache ca, cb;
  const std::vector<SequenceStep> prefills = {{&cb, b}, {&ca, a}};
  ASSERT_TRUE(model.forward(prefills).ok());
  const std::vector<SequenceStep> decodes = {{&cb, {&b_next, 1}}, {&ca, {&a_next, 1}}};
  const auto batched = model.forward(decodes);
  ASSERT_TRUE(batched.ok());
  const auto vocab = static_cast<std::size_t>(model.config().vocab_size);
  const std::vector<float> batched_a(batched->begin() + static_cast<std::ptrdiff_t>(vocab),
                                     batched->end());
  EXPECT_EQ(batched_a, *alone_logits);
}

}  // namespace
}  // namespace mlbench::model
