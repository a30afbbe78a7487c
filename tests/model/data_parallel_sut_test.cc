// Several engines behind one SUT, each on a CPU backend of its own over the tiny generated model:
// the answers, the split, cancel, and a replica that fails.
#include "mlbench/model/data_parallel_sut.h"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

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
using ::testing::HasSubstr;
using testing::RecordingSink;
using ::testing::StartsWith;
using testing::wait_until;

constexpr int kMaxNew = 8;
constexpr std::size_t kMaxReplicas = 3;
// The context of the short model: every short prompt and its answer fit, no long prompt does.
constexpr std::int64_t kShortContext = 32;

// A third of the prompts, placed so that dealing them in turn to two or three replicas would
// give all of them to the first.
bool is_long(std::size_t index) {
  return index % 6 == 0 || index % 6 == 2;
}

// Prompts of 5 to 13 tokens, and the long ones of 40 to 56, below the special tokens.
std::vector<std::int32_t> make_prompt(std::size_t index) {
  std::vector<std::int32_t> prompt = {496};
  const std::size_t length = is_long(index) ? 39 + index % 17 : 4 + index % 9;
  for (std::size_t t = 0; t < length; ++t)
    prompt.push_back(static_cast<std::int32_t>((index * 37 + t * 11) % 496));
  return prompt;
}

// The tiny model written once for the file, loaded kMaxReplicas times (a CpuModel's thread
// pool serves one forward pass at a time, so every replica has a model of its own), and a copy
// whose config allows only kShortContext positions: same weights, so the same greedy tokens for
// whatever fits, but it refuses the long prompts, as a GPU with too little memory for them would.
class DataParallel : public ::testing::Test {
 protected:
  static constexpr std::size_t kSamples = 24;

  static void SetUpTestSuite() {
    dir_ = new mlbench::testing::TempDir();
    const auto config = preset_config("tiny");
    const std::filesystem::path full = dir_->path() / "full";
    const std::filesystem::path short_context = dir_->path() / "short";
    ASSERT_TRUE(write_random_model(full, *config, {.seed = 11}).ok());
    std::filesystem::copy(full, short_context);
    nlohmann::json json = nlohmann::json::parse(std::ifstream(short_context / "config.json"));
    json["max_position_embeddings"] = kShortContext;
    std::ofstream(short_context / "config.json") << json.dump(2);

    models_ = new std::vector<CpuModel>();
    for (std::size_t i = 0; i <= kMaxReplicas; ++i) {
      auto model = CpuModel::load(i < kMaxReplicas ? full : short_context, {.threads = 1});
      ASSERT_TRUE(model.ok()) << model.error().describe();
      models_->push_back(std::move(*model));
    }
    ASSERT_EQ(models_->back().config().max_position_embeddings, kShortContext);
    prompts_ = new std::vector<std::vector<std::int32_t>>();
    expected_ = new std::vector<std::vector<std::int32_t>>();
    for (std::size_t i = 0; i < kSamples; ++i) {
      prompts_->push_back(make_prompt(i));
      // One model decoding alone: what a single ModelSut answers (model_sut_test holds it to that).
      auto alone = generate_greedy(models_->front(), prompts_->back(), {kMaxNew, eos()});
      ASSERT_TRUE(alone.ok()) << alone.error().describe();
      expected_->push_back(alone->tokens);
      if (!is_long(i)) {
        auto short_model = generate_greedy(models_->back(), prompts_->back(), {kMaxNew, eos()});
        ASSERT_TRUE(short_model.ok()) << short_model.error().describe();
        ASSERT_EQ(short_model->tokens, alone->tokens) << "sample " << i;
      }
    }
  }
  static void TearDownTestSuite() {
    delete expected_;
    delete prompts_;
    delete models_;
    delete dir_;
  }

  static std::vector<std::int64_t> eos() { return models_->front().config().eos_token_ids; }

  // A SUT over `count` replicas named "GPU 0", "GPU 1", ...; with `short_last` the last one
  // runs the short-context model.
  std::unique_ptr<DataParallelSut> make_sut(std::size_t count, bool first_token,
                                            bool short_last = false) {
    backends_.clear();
    std::vector<EngineReplica> replicas;
    for (std::size_t i = 0; i < count; ++i) {
      CpuModel& model = short_last && i + 1 == count ? models_->back() : (*models_)[i];
      backends_.push_back(std::make_unique<CpuBackend>(model));
      auto engine = BatchingEngine::create(*backends_.back(), {.max_batch_size = 4,
                                                               .max_step_tokens = 64,
                                                               .max_new_tokens = kMaxNew,
                                                               .eos_token_ids = eos()});
      EXPECT_TRUE(engine.ok());
      replicas.push_back({fmt::format("GPU {}", i), std::move(*engine)});
    }
    const auto* prompts = prompts_;
    auto sut = DataParallelSut::create(
        std::move(replicas),
        [prompts](std::uint64_t index) -> std::span<const std::int32_t> {
          if (index >= prompts->size()) return {};
          return (*prompts)[index];
        },
        ModelSutOptions{.name = "test", .report_first_token = first_token});
    EXPECT_TRUE(sut.ok());
    return std::move(*sut);
  }

  // The work the SUT's policy gives a sample: its prompt tokens plus max_new_tokens.
  static std::int64_t work(std::size_t index) {
    return static_cast<std::int64_t>((*prompts_)[index].size()) + kMaxNew;
  }

  std::size_t live_sequences() const {
    std::size_t live = 0;
    for (const auto& backend : backends_)
      live += backend->live_sequences();
    return live;
  }

  static mlbench::testing::TempDir* dir_;
  static std::vector<CpuModel>* models_;
  static std::vector<std::vector<std::int32_t>>* prompts_;
  static std::vector<std::vector<std::int32_t>>* expected_;
  std::vector<std::unique_ptr<CpuBackend>> backends_;
};

mlbench::testing::TempDir* DataParallel::dir_ = nullptr;
std::vector<CpuModel>* DataParallel::models_ = nullptr;
std::vector<std::vector<std::int32_t>>* DataParallel::prompts_ = nullptr;
std::vector<std::vector<std::int32_t>>* DataParallel::expected_ = nullptr;

// One query holding every sample, response id = QSL index.
std::vector<loadgen::IssuedSample> all_samples(std::size_t count) {
  std::vector<loadgen::IssuedSample> samples;
  for (std::uint64_t i = 0; i < count; ++i)
    samples.push_back({.response_id = i, .qsl_index = i});
  return samples;
}

std::int64_t sum_tokens(const std::vector<ReplicaCounters>& counters) {
  std::int64_t tokens = 0;
  for (const ReplicaCounters& c : counters)
    tokens += c.tokens;
  return tokens;
}

TEST_F(DataParallel, RefusesNoReplicas) {
  auto sut =
      DataParallelSut::create({}, [](std::uint64_t) { return std::span<const std::int32_t>(); });
  ASSERT_FALSE(sut.ok());
  EXPECT_EQ(sut.error().code, ErrorCode::kInvalidArgument);
}

TEST_F(DataParallel, AnOfflineQueryIsAnsweredOnceWithTheGreedyTokensAndBalancedByWork) {
  for (const std::size_t count : {std::size_t{2}, std::size_t{3}}) {
    SCOPED_TRACE(::testing::Message() << count << " replicas");
    auto sut = make_sut(count, false);
    RecordingSink sink;
    sut->issue(all_samples(kSamples), sink);
    ASSERT_TRUE(wait_until([&] { return sink.completed() == kSamples; }));
    EXPECT_EQ(sink.repeats(), 0);
    for (std::size_t i = 0; i < kSamples; ++i) {
      EXPECT_EQ(sink.tokens(i), (*expected_)[i]) << "sample " << i;
      EXPECT_EQ(sink.n_tokens(i), static_cast<std::int64_t>((*expected_)[i].size()));
    }
    EXPECT_FALSE(sut->error().has_value());

    // The policy's promise for replicas that start idle: their work differs by at most one
    // sample's. Dealt in turn, every long prompt would land on GPU 0 and break it.
    const auto counters = sut->counters();
    ASSERT_EQ(counters.size(), count);
    std::int64_t most_work = 0, least_work = INT64_MAX, largest = 0, all_tokens = 0;
    std::uint64_t issued = 0;
    for (const ReplicaCounters& c : counters) {
      EXPECT_GT(c.issued, 0u) << c.name;
      EXPECT_EQ(c.completed, c.issued) << c.name;
      EXPECT_EQ(c.failed, 0u) << c.name;
      const std::int64_t replica_work =
          c.prompt_tokens + static_cast<std::int64_t>(c.issued) * kMaxNew;
      most_work = std::max(most_work, replica_work);
      least_work = std::min(least_work, replica_work);
      issued += c.issued;
    }
    for (std::size_t i = 0; i < kSamples; ++i) {
      largest = std::max(largest, work(i));
      all_tokens += static_cast<std::int64_t>((*expected_)[i].size());
    }
    EXPECT_EQ(issued, kSamples);
    EXPECT_LE(most_work - least_work, largest);
    EXPECT_EQ(sum_tokens(counters), all_tokens);
    std::vector<std::int64_t> round_robin(count);
    for (std::size_t i = 0; i < kSamples; ++i)
      round_robin[i % count] += work(i);
    ASSERT_GT(*std::max_element(round_robin.begin(), round_robin.end()) -
                  *std::min_element(round_robin.begin(), round_robin.end()),
              largest)
        << "the prompts do not tell the policies apart";
    EXPECT_TRUE(wait_until([&] { return live_sequences() == 0; }));
  }
}

TEST_F(DataParallel, OneSampleQueriesGoToTheReplicaWithTheLeastOutstandingWork) {
  auto sut = make_sut(2, true);
  RecordingSink sink(/*open=*/false);  // nothing completes until the routing is checked
  // Sample 0 is long (40 prompt tokens), 1, 3, 4 and 5 short (6 to 10): the long one's work
  // outweighs the first three short ones together, so the next four all go to GPU 1, and
  // then GPU 0 has less.
  const std::vector<std::uint64_t> order = {0, 1, 3, 4, 5};
  ASSERT_TRUE(is_long(0) && !is_long(1) && !is_long(3) && !is_long(4) && !is_long(5));
  ASSERT_GT(work(0), work(1) + work(3) + work(4));
  ASSERT_LT(work(0), work(1) + work(3) + work(4) + work(5));
  for (const std::uint64_t index : order) {
    const loadgen::IssuedSample sample{.response_id = index, .qsl_index = index};
    sut->issue(std::span(&sample, 1), sink);
  }
  auto counters = sut->counters();
  EXPECT_EQ(counters[0].issued, 1u);
  EXPECT_EQ(counters[1].issued, 4u);
  // The sixth short one now finds GPU 1 with more outstanding work.
  const loadgen::IssuedSample sixth{.response_id = 7, .qsl_index = 7};
  sut->issue(std::span(&sixth, 1), sink);
  EXPECT_EQ(sut->counters()[0].issued, 2u);

  sink.open();
  ASSERT_TRUE(wait_until([&] { return sink.completed() == order.size() + 1; }));
  for (const std::uint64_t index : {0, 1, 3, 4, 5, 7})
    EXPECT_EQ(sink.tokens(index), (*expected_)[index]) << "sample " << index;
  EXPECT_EQ(sink.repeats(), 0);

  // Outstanding, not issued, work decides: with both idle again the tie goes to GPU 0, though
  // GPU 1 has done more.
  const loadgen::IssuedSample next{.response_id = 100, .qsl_index = 8};
  sut->issue(std::span(&next, 1), sink);
  ASSERT_TRUE(wait_until([&] { return sink.completed() == order.size() + 2; }));
  counters = sut->counters();
  EXPECT_EQ(counters[0].issued, 3u);
  EXPECT_EQ(counters[1].issued, 4u);
  EXPECT_EQ(sink.tokens(100), (*expected_)[8]);
}

TEST_F(DataParallel, CancelMidRunStopsEverySinkCallAndTheSutServesOnAfterwards) {
  auto sut = make_sut(2, true);
  testing::expect_cancel_mid_run_stops_sink_calls(*sut, kSamples);
  // The cancelled samples' work is forgotten: the next two go one to each replica.
  const auto before = sut->counters();
  RecordingSink next(/*open=*/false);
  const std::vector<loadgen::IssuedSample> again = {{.response_id = 5, .qsl_index = 1},
                                                    {.response_id = 6, .qsl_index = 2}};
  sut->issue(again, next);
  const auto after = sut->counters();
  EXPECT_EQ(after[0].issued, before[0].issued + 1);
  EXPECT_EQ(after[1].issued, before[1].issued + 1);
  next.open();
  ASSERT_TRUE(wait_until([&] { return next.completed() == 2; }));
  EXPECT_EQ(next.tokens(5), (*expected_)[1]);
  EXPECT_EQ(next.tokens(6), (*expected_)[2]);
  EXPECT_TRUE(wait_until([&] { return live_sequences() == 0; }));
  EXPECT_FALSE(sut->error().has_value());
}

TEST_F(DataParallel, AFailingReplicaAnswersItsSamplesEmptyAndTheOthersGoOn) {
  auto sut = make_sut(2, true, /*short_last=*/true);
  RecordingSink sink;
  // Sample 0 (long) goes to GPU 0 and sample 2 (long) to GPU 1, which refuses it.
  std::vector<loadgen::IssuedSample> samples = all_samples(kSamples);
  std::swap(samples[1], samples[2]);
  sut->issue(samples, sink);
  ASSERT_TRUE(wait_until([&] { return sink.completed() == kSamples; }));
  EXPECT_EQ(sink.repeats(), 0);
  std::uint64_t empty = 0;
  for (std::size_t i = 0; i < kSamples; ++i) {
    SCOPED_TRACE(::testing::Message() << "sample " << i);
    const auto tokens = sink.tokens(i);
    if (tokens.empty()) {
      EXPECT_TRUE(is_long(i));
      ++empty;
    } else {
      EXPECT_EQ(tokens, (*expected_)[i]);
    }
  }
  EXPECT_TRUE(sink.tokens(2).empty());
  const auto counters = sut->counters();
  EXPECT_EQ(counters[0].failed, 0u);
  EXPECT_EQ(counters[0].completed, counters[0].issued);
  EXPECT_EQ(counters[1].failed, empty);
  EXPECT_GT(counters[1].completed, counters[1].failed);  // its short prompts were answered
  ASSERT_TRUE(sut->error().has_value());
  EXPECT_THAT(sut->error()->where, StartsWith("GPU 1: QSL sample "));
  EXPECT_THAT(sut->error()->message, HasSubstr("the model's context holds 32"));

  // The failed replica gets no more work: long prompts issued one by one all go to GPU 0,
  // though GPU 1 is idle, and are answered.
  RecordingSink later(/*open=*/false);
  for (const std::uint64_t index : {6, 8, 12, 14}) {
    const loadgen::IssuedSample sample{.response_id = index, .qsl_index = index};
    sut->issue(std::span(&sample, 1), later);
  }
  EXPECT_EQ(sut->counters()[1].issued, counters[1].issued);
  later.open();
  ASSERT_TRUE(wait_until([&] { return later.completed() == 4; }));
  for (const std::uint64_t index : {6, 8, 12, 14})
    EXPECT_EQ(later.tokens(index), (*expected_)[index]) << "sample " << index;
  EXPECT_TRUE(wait_until([&] { return live_sequences() == 0; }));
}

loadgen::TestSettings fast_settings(loadgen::Scenario scenario) {
  loadgen::TestSettings s;
  s.scenario = scenario;
  s.mode = loadgen::TestMode::kAccuracyOnly;
  s.min_duration_ms = 300;
  s.min_query_count = 16;
  s.server_target_qps = 200;
  s.offline_expected_qps = 16;
  s.use_token_latencies = true;
  return s;
}

class DataParallelUnderLoadgen : public DataParallel,
                                 public ::testing::WithParamInterface<loadgen::Scenario> {};

// The real issue engine against two replicas: every QSL sample answered with its greedy tokens.
TEST_P(DataParallelUnderLoadgen, AnswersEverySampleWithItsGreedyTokens) {
  const loadgen::Scenario scenario = GetParam();
  const bool first_token = scenario != loadgen::Scenario::kOffline;
  auto sut = make_sut(2, first_token);
  auto record = testing::run_under_loadgen(fast_settings(scenario),
                                           {.total = kSamples, .performance = kSamples}, *sut);
  ASSERT_TRUE(record.ok()) << record.error().describe();
  EXPECT_TRUE(record->errors.empty()) << record->errors.front().message;
  EXPECT_FALSE(sut->error().has_value());
  ASSERT_EQ(record->samples.size(), kSamples);
  for (const loadgen::SampleRecord& sample : record->samples) {
    SCOPED_TRACE(::testing::Message() << "QSL sample " << sample.qsl_index);
    ASSERT_TRUE(sample.completed.has_value());
    EXPECT_EQ(RecordingSink::ids(sample.data), (*expected_)[sample.qsl_index]);
    if (first_token) {
      ASSERT_TRUE(sample.first_token.has_value());
      EXPECT_EQ(RecordingSink::ids(sample.first_token_data),
                std::vector{(*expected_)[sample.qsl_index].front()});
    }
  }
  const auto counters = sut->counters();
  EXPECT_EQ(counters[0].completed + counters[1].completed, kSamples);
  if (scenario == loadgen::Scenario::kOffline) {
    EXPECT_GT(counters[0].issued, 0u);
    EXPECT_GT(counters[1].issued, 0u);
  }
  EXPECT_EQ(live_sequences(), 0u);
}

INSTANTIATE_TEST_SUITE_P(Scenarios, DataParallelUnderLoadgen,
                         ::testing::Values(loadgen::Scenario::kOffline, loadgen::Scenario::kServer),
                         [](const ::testing::TestParamInfo<loadgen::Scenario>& test) {
                           return std::string(loadgen::to_string(test.param));
                         });

}  // namespace
}  // namespace mlbench::model
