// The model SUT under the real loadgen engine, and its cancel and failure paths.
#include "mlbench/model/model_sut.h"

#include <gtest/gtest.h>

#include <functional>
#include <thread>

#include "mlbench/loadgen/issue_engine.h"
#include "mlbench/loadgen/query_plan.h"
#include "mlbench/model/cpu_backend.h"
#include "mlbench/model/generate.h"
#include "mlbench/model/make_model.h"

#include "model/recording_sink.h"
#include "support/temp_dir.h"

namespace mlbench::model {
namespace {

using namespace std::chrono_literals;
using loadgen::Scenario;
using loadgen::TestMode;
using testing::RecordingSink;
using testing::wait_until;

constexpr int kMaxNew = 8;
constexpr std::uint64_t kSamples = 12;

// One tiny model and its QSL, shared by the tests of this file (writing it is the slow part).
class TinyQsl : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new mlbench::testing::TempDir();
    const auto config = preset_config("tiny");
    ASSERT_TRUE(write_random_model(dir_->path(), *config, {.seed = 11}).ok());
    auto model = CpuModel::load(dir_->path(), {.threads = 2});
    ASSERT_TRUE(model.ok());
    model_ = new CpuModel(std::move(*model));
    prompts_ = new std::vector<std::vector<std::int32_t>>();
    expected_ = new std::vector<std::vector<std::int32_t>>();
    for (std::uint64_t i = 0; i < kSamples; ++i) {
      std::vector<std::int32_t> prompt = {496};
      for (std::uint64_t t = 0; t < 4 + i % 9; ++t)
        prompt.push_back(static_cast<std::int32_t>((i * 37 + t * 11) % 496));
      auto alone = generate_greedy(*model_, prompt, {kMaxNew, config->eos_token_ids});
      ASSERT_TRUE(alone.ok());
      prompts_->push_back(prompt);
      expected_->push_back(alone->tokens);
    }
  }
  static void TearDownTestSuite() {
    delete expected_;
    delete prompts_;
    delete model_;
    delete dir_;
  }

  void SetUp() override { backend_ = std::make_unique<CpuBackend>(*model_); }

  std::unique_ptr<ModelSut> make_sut(bool first_token, int batch = 4) {
    auto engine =
        BatchingEngine::create(*backend_, {.max_batch_size = batch,
                                           .max_step_tokens = 64,
                                           .max_new_tokens = kMaxNew,
                                           .eos_token_ids = model_->config().eos_token_ids});
    EXPECT_TRUE(engine.ok());
    const auto* prompts = prompts_;
    return std::make_unique<ModelSut>(
        std::move(*engine),
        [prompts](std::uint64_t index) -> std::span<const std::int32_t> {
          if (index >= prompts->size()) return {};
          return (*prompts)[index];
        },
        ModelSutOptions{.name = "test", .report_first_token = first_token});
  }

  static mlbench::testing::TempDir* dir_;
  static CpuModel* model_;
  static std::vector<std::vector<std::int32_t>>* prompts_;
  static std::vector<std::vector<std::int32_t>>* expected_;
  std::unique_ptr<CpuBackend> backend_;
};

mlbench::testing::TempDir* TinyQsl::dir_ = nullptr;
CpuModel* TinyQsl::model_ = nullptr;
std::vector<std::vector<std::int32_t>>* TinyQsl::prompts_ = nullptr;
std::vector<std::vector<std::int32_t>>* TinyQsl::expected_ = nullptr;

loadgen::TestSettings fast_settings(Scenario scenario, TestMode mode) {
  loadgen::TestSettings s;
  s.scenario = scenario;
  s.mode = mode;
  s.min_duration_ms = 300;
  s.min_query_count = 16;
  s.server_target_qps = 60;
  s.offline_expected_qps = 16;
  s.single_stream_expected_latency_ns = 5'000'000;
  s.use_token_latencies = true;
  return s;
}

struct ScenarioCase {
  Scenario scenario;
  TestMode mode;
};

class ModelSutUnderLoadgen : public TinyQsl, public ::testing::WithParamInterface<ScenarioCase> {};

TEST_P(ModelSutUnderLoadgen, AnswersEverySampleWithItsGreedyTokens) {
  const auto [scenario, mode] = GetParam();
  const bool first_token = scenario != Scenario::kOffline;
  auto sut = make_sut(first_token);
  auto record = testing::run_under_loadgen(fast_settings(scenario, mode),
                                           {.total = kSamples, .performance = kSamples}, *sut);
  ASSERT_TRUE(record.ok()) << record.error().describe();
  EXPECT_TRUE(record->errors.empty()) << record->errors.front().message;
  EXPECT_FALSE(sut->error().has_value());
  ASSERT_FALSE(record->samples.empty());
  for (const loadgen::SampleRecord& sample : record->samples) {
    SCOPED_TRACE(::testing::Message() << "QSL sample " << sample.qsl_index);
    ASSERT_TRUE(sample.completed.has_value());
    const auto& want = (*expected_)[sample.qsl_index];
    EXPECT_EQ(sample.n_tokens, want.size() > 1 ? static_cast<std::int64_t>(want.size()) : 0);
    if (first_token) {
      ASSERT_TRUE(sample.first_token.has_value());
      EXPECT_LE(*sample.first_token, *sample.completed);
    }
    if (sample.in_accuracy_log) {
      EXPECT_EQ(RecordingSink::ids(sample.data), want);
      if (first_token) {
        EXPECT_EQ(RecordingSink::ids(sample.first_token_data), std::vector{want.front()});
      }
    }
  }
  EXPECT_EQ(backend_->live_sequences(), 0u);
}

INSTANTIATE_TEST_SUITE_P(
    Scenarios, ModelSutUnderLoadgen,
    ::testing::Values(ScenarioCase{Scenario::kOffline, TestMode::kPerformanceOnly},
                      ScenarioCase{Scenario::kServer, TestMode::kPerformanceOnly},
                      ScenarioCase{Scenario::kSingleStream, TestMode::kPerformanceOnly},
                      ScenarioCase{Scenario::kOffline, TestMode::kAccuracyOnly},
                      ScenarioCase{Scenario::kServer, TestMode::kAccuracyOnly},
                      ScenarioCase{Scenario::kSingleStream, TestMode::kAccuracyOnly}),
    [](const ::testing::TestParamInfo<ScenarioCase>& test) {
      return std::string(loadgen::to_string(test.param.scenario)) +
             (test.param.mode == TestMode::kAccuracyOnly ? "Accuracy" : "Performance");
    });

TEST_F(TinyQsl, CancelMidRunStopsEverySinkCallAndTheSutServesOnAfterwards) {
  auto sut = make_sut(true, 2);
  testing::expect_cancel_mid_run_stops_sink_calls(*sut, kSamples);
  RecordingSink next;
  const std::vector<loadgen::IssuedSample> again = {{.response_id = 5, .qsl_index = 1},
                                                    {.response_id = 6, .qsl_index = 2}};
  sut->issue(again, next);
  ASSERT_TRUE(wait_until([&] { return next.completed() == 2; }));
  EXPECT_EQ(next.n_tokens(5), static_cast<std::int64_t>((*expected_)[1].size()));
  EXPECT_TRUE(wait_until([&] { return backend_->live_sequences() == 0; }));
}

TEST_F(TinyQsl, DestroyingARunningSutIsBounded) {
  RecordingSink sink;
  {
    auto sut = make_sut(true);
    std::vector<loadgen::IssuedSample> samples;
    for (std::uint64_t i = 0; i < 50; ++i)
      samples.push_back({.response_id = i, .qsl_index = i % kSamples});
    sut->issue(samples, sink);
    sut->cancel_outstanding();
  }
  EXPECT_EQ(backend_->live_sequences(), 0u);
}

TEST_F(TinyQsl, ASampleWithoutAPromptIsAnsweredEmptyAndReported) {
  auto sut = make_sut(true);
  RecordingSink sink;
  const std::vector<loadgen::IssuedSample> samples = {{.response_id = 0, .qsl_index = 0},
                                                      {.response_id = 1, .qsl_index = 999}};
  sut->issue(samples, sink);
  ASSERT_TRUE(wait_until([&] { return sink.completed() == 2; }));
  EXPECT_EQ(sink.n_tokens(1), 0);
  EXPECT_EQ(sink.n_tokens(0), static_cast<std::int64_t>((*expected_)[0].size()));
  ASSERT_TRUE(sut->error().has_value());
  EXPECT_EQ(sut->error()->where, "QSL sample 999");
}

}  // namespace
}  // namespace mlbench::model
