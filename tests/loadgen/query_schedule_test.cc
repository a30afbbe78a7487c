#include "mlbench/loadgen/query_schedule.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <numeric>
#include <random>

#include "mlbench/loadgen/query_plan.h"

#include "loadgen/arrival_gaps.h"

namespace mlbench::loadgen {
namespace {

// The seeds loadgen/mlperf.conf gives every model.
TestSettings official_seeds(Scenario scenario, TestMode mode) {
  TestSettings s;
  s.scenario = scenario;
  s.mode = mode;
  s.qsl_rng_seed = 2085463073848966840u;
  s.sample_index_rng_seed = 2747215439041700203u;
  s.schedule_rng_seed = 16159082839903944936u;
  s.min_duration_ms = 2'000;
  s.min_query_count = 50;
  s.server_target_qps = 25;
  s.offline_expected_qps = 40;
  s.single_stream_expected_latency_ns = 2e7;
  return s;
}

EffectiveSettings derive(const TestSettings& s, QslCounts qsl) {
  auto derived = derive_effective_settings(s, qsl);
  EXPECT_TRUE(derived.ok()) << derived.error().describe();
  return derived->settings;
}

std::vector<PlannedSet> plan(const TestSettings& s, QslCounts qsl) {
  auto planned = plan_queries(derive(s, qsl), qsl);
  EXPECT_TRUE(planned.ok()) << planned.error().describe();
  return planned.ok() ? *planned : std::vector<PlannedSet>{};
}

std::vector<uint64_t> all_samples(const std::vector<PlannedSet>& planned) {
  std::vector<uint64_t> samples;
  for (const PlannedSet& set : planned) {
    for (const Query& query : set.generated.queries) {
      samples.insert(samples.end(), query.sample_indices.begin(), query.sample_indices.end());
    }
  }
  return samples;
}

// loadgen.md §1.2/§1.5: libstdc++'s first exponential draws at 25 qps from the official
// schedule seed, truncated to nanoseconds before they are summed.
TEST(QuerySchedule, ServerOffsetsMatchLoadGenAtOfficialSeed) {
  const auto planned = plan(official_seeds(Scenario::kServer, TestMode::kPerformanceOnly),
                            {.total = 200, .performance = 100});
  ASSERT_EQ(planned.size(), 1u);
  const auto& queries = planned[0].generated.queries;
  ASSERT_GE(queries.size(), 4u);
  EXPECT_EQ(queries[0].scheduled_offset.count(), 0);
  EXPECT_EQ(queries[1].scheduled_offset.count(), 73'746'160);
  EXPECT_EQ(queries[2].scheduled_offset.count(), 92'063'107);
  EXPECT_EQ(queries[3].scheduled_offset.count(), 143'497'599);
}

TEST(QuerySchedule, MersenneTwisterKeepsTheLowBitsOfA64BitSeed) {
  // §1.2: the official schedule seed reduces to 2023080168, whose first outputs are these.
  std::mt19937 reduced(2023080168u);
  EXPECT_EQ(reduced(), 3245365415u);
  EXPECT_EQ(reduced(), 3615339558u);
  auto gaps = ArrivalGaps::create(Scenario::kServer, 25);
  ASSERT_TRUE(gaps.ok());
  std::mt19937 full(static_cast<std::mt19937::result_type>(16159082839903944936u));
  auto first = gaps->next(full);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->count(), 73'746'160);
}

TEST(QuerySchedule, ServerOffsetsAreNonDecreasingWholeNanosecondsUpToTheDuration) {
  TestSettings s = official_seeds(Scenario::kServer, TestMode::kPerformanceOnly);
  s.min_query_count = 1;  // so the duration alone decides where generation stops
  const auto planned = plan(s, {.total = 200, .performance = 100});
  const auto& generated = planned.at(0).generated;
  const auto& queries = generated.queries;
  for (size_t i = 1; i < queries.size(); ++i) {
    EXPECT_LE(queries[i - 1].scheduled_offset, queries[i].scheduled_offset) << i;
  }
  // Generation stops at the first query scheduled at or past min_duration (Server: 1x).
  EXPECT_GE(queries.back().scheduled_offset, std::chrono::milliseconds(2'000));
  EXPECT_LT(queries[queries.size() - 2].scheduled_offset, std::chrono::milliseconds(2'000));
  EXPECT_GT(generated.duration, queries.back().scheduled_offset);
}

TEST(QuerySchedule, SingleStreamPeriodIsTheTruncatedExpectedLatency) {
  TestSettings s = official_seeds(Scenario::kSingleStream, TestMode::kPerformanceOnly);
  s.single_stream_expected_latency_ns = 1e9 / 3;  // 3 qps: a period of 333333333.3 ns
  s.min_duration_ms = 1'000;
  s.min_query_count = 1;
  const auto planned = plan(s, {.total = 20, .performance = 10});
  const auto& queries = planned.at(0).generated.queries;
  // Twice min_duration is generated for non-Server scenarios. Unrounded, the seventh query
  // would sit exactly at 2 s and end generation; truncated, it sits 2 ns earlier, so an eighth
  // follows.
  ASSERT_EQ(queries.size(), 8u);
  for (size_t i = 0; i < queries.size(); ++i) {
    EXPECT_EQ(queries[i].scheduled_offset.count(), static_cast<int64_t>(i) * 333'333'333);
  }
}

TEST(QuerySchedule, AccuracyRunIssuesEverySampleExactlyOnce) {
  for (const Scenario scenario : {Scenario::kServer, Scenario::kSingleStream, Scenario::kOffline}) {
    for (const bool equal_issue : {false, true}) {
      SCOPED_TRACE(std::string(to_string(scenario)) + (equal_issue ? " equal issue" : ""));
      TestSettings s = official_seeds(scenario, TestMode::kAccuracyOnly);
      s.sample_concatenate_permutation = equal_issue;
      const QslCounts qsl{.total = 257, .performance = 64};
      const auto planned = plan(s, qsl);
      EXPECT_EQ(planned.size(), 5u);  // 64, 64, 64, 64, 1
      std::vector<uint64_t> samples = all_samples(planned);
      std::sort(samples.begin(), samples.end());
      std::vector<uint64_t> every(qsl.total);
      std::iota(every.begin(), every.end(), uint64_t{0});
      EXPECT_EQ(samples, every);
    }
  }
}

TEST(QuerySchedule, AccuracySampleCountOverrideLimitsTheSamples) {
  TestSettings s = official_seeds(Scenario::kServer, TestMode::kAccuracyOnly);
  s.accuracy_sample_count_override = 30;
  const auto samples = all_samples(plan(s, {.total = 100, .performance = 64}));
  EXPECT_EQ(samples.size(), 30u);
  EXPECT_TRUE(std::all_of(samples.begin(), samples.end(), [](uint64_t i) { return i < 30; }));
}

TEST(QuerySchedule, OfflineIsOneQueryAtTimeZeroHoldingTheWholeSetRepeated) {
  for (const bool equal_issue : {false, true}) {
    SCOPED_TRACE(equal_issue ? "equal issue" : "plain");
    TestSettings s = official_seeds(Scenario::kOffline, TestMode::kPerformanceOnly);
    s.sample_concatenate_permutation = equal_issue;
    const QslCounts qsl{.total = 500, .performance = 64};
    const auto planned = plan(s, qsl);
    ASSERT_EQ(planned.size(), 1u);
    const auto& generated = planned[0].generated;
    ASSERT_EQ(generated.queries.size(), 1u);
    const Query& query = generated.queries[0];
    EXPECT_EQ(query.scheduled_offset.count(), 0);
    // 1.1 · 2 s · 40 qps = 88 samples; equal issue pads that to 2 whole copies of the set.
    EXPECT_EQ(query.sample_indices.size(), equal_issue ? 128u : 88u);
    EXPECT_EQ(generated.samples_per_query, query.sample_indices.size());
    std::map<uint64_t, int> times_issued;
    for (const uint64_t sample : query.sample_indices)
      ++times_issued[sample];
    EXPECT_EQ(times_issued.size(), 64u);  // every sample of the loaded set, nothing else
    for (const uint64_t sample : planned[0].loadable_set.samples) {
      EXPECT_GE(times_issued[sample], 1) << sample;
    }
  }
}

TEST(QuerySchedule, OfflineAccuracyIsOneQueryPerLoadableSet) {
  const auto planned = plan(official_seeds(Scenario::kOffline, TestMode::kAccuracyOnly),
                            {.total = 150, .performance = 64});
  ASSERT_EQ(planned.size(), 3u);
  for (const PlannedSet& set : planned) {
    ASSERT_EQ(set.generated.queries.size(), 1u);
    EXPECT_EQ(set.generated.queries[0].sample_indices, set.loadable_set.samples);
  }
}

TEST(QuerySchedule, EqualIssueServerIssuesWholeCopiesOfTheSet) {
  TestSettings s = official_seeds(Scenario::kServer, TestMode::kPerformanceOnly);
  s.sample_concatenate_permutation = true;
  const auto planned = plan(s, {.total = 200, .performance = 20});
  const auto samples = all_samples(planned);
  ASSERT_EQ(samples.size() % 20, 0u);
  std::map<uint64_t, size_t> times_issued;
  for (const uint64_t sample : samples)
    ++times_issued[sample];
  EXPECT_EQ(times_issued.size(), 20u);
  // The permutations cover the pre-padding min_query_count (50 → 3 copies) and then repeat,
  // so every sample is issued equally often.
  for (const auto& [sample, count] : times_issued) {
    EXPECT_EQ(count, samples.size() / 20) << sample;
  }
}

TEST(QuerySchedule, PerformanceRunDrawsFromTheFirstLoadableSetOnly) {
  const QslCounts qsl{.total = 1000, .performance = 30};
  TestSettings s = official_seeds(Scenario::kSingleStream, TestMode::kPerformanceOnly);
  const auto planned = plan(s, qsl);
  ASSERT_EQ(planned.size(), 1u);
  const auto& loaded = planned[0].loadable_set.samples;
  for (const uint64_t sample : all_samples(planned)) {
    EXPECT_NE(std::find(loaded.begin(), loaded.end(), sample), loaded.end()) << sample;
  }
}

TEST(QuerySchedule, SubmissionRunPlansAccuracyThenPerformance) {
  TestSettings s = official_seeds(Scenario::kServer, TestMode::kSubmissionRun);
  const auto planned = plan(s, {.total = 100, .performance = 64});
  ASSERT_EQ(planned.size(), 3u);
  EXPECT_EQ(planned[0].phase, QueryPhase::kAccuracy);
  EXPECT_EQ(planned[1].phase, QueryPhase::kAccuracy);
  EXPECT_EQ(planned[2].phase, QueryPhase::kPerformance);
}

TEST(QuerySchedule, EachAccuracySetReplaysTheSameSchedule) {
  const auto planned = plan(official_seeds(Scenario::kServer, TestMode::kAccuracyOnly),
                            {.total = 128, .performance = 64});
  ASSERT_EQ(planned.size(), 2u);
  const auto& first = planned[0].generated.queries;
  const auto& second = planned[1].generated.queries;
  ASSERT_EQ(first.size(), second.size());
  for (size_t i = 0; i < first.size(); ++i) {
    EXPECT_EQ(first[i].scheduled_offset, second[i].scheduled_offset);
  }
}

TEST(QuerySchedule, RejectsSettingsLoadGenCouldNotGenerateFrom) {
  const QslCounts qsl{.total = 100, .performance = 50};
  {
    TestSettings s = official_seeds(Scenario::kServer, TestMode::kPerformanceOnly);
    s.server_target_qps = 0;
    auto planned = plan_queries(derive(s, qsl), qsl);
    ASSERT_FALSE(planned.ok());
    EXPECT_EQ(planned.error().code, ErrorCode::kConfig);
  }
  {
    TestSettings s = official_seeds(Scenario::kSingleStream, TestMode::kPerformanceOnly);
    s.performance_issue_same = true;
    s.performance_issue_same_index = 50;
    auto planned = plan_queries(derive(s, qsl), qsl);
    ASSERT_FALSE(planned.ok());
    EXPECT_EQ(planned.error().code, ErrorCode::kConfig);
  }
  {
    TestSettings s = official_seeds(Scenario::kServer, TestMode::kFindPeak);
    auto planned = plan_queries(derive(s, qsl), qsl);
    ASSERT_FALSE(planned.ok());
    EXPECT_EQ(planned.error().code, ErrorCode::kUnsupported);
  }
  {
    // LoadGen throws std::out_of_range: equal issue pads the unique order's 69 queries to 139.
    TestSettings s = official_seeds(Scenario::kMultiStream, TestMode::kPerformanceOnly);
    s.multi_stream_samples_per_query = 2;
    s.performance_issue_unique = true;
    s.sample_concatenate_permutation = true;
    const QslCounts small{.total = 255, .performance = 138};
    auto planned = plan_queries(derive(s, small), small);
    ASSERT_FALSE(planned.ok());
    EXPECT_EQ(planned.error().code, ErrorCode::kConfig);
  }
  {
    // Unique Offline queries hold the whole performance count, more than the QSL has: LoadGen
    // generates no query and crashes.
    TestSettings s = official_seeds(Scenario::kOffline, TestMode::kPerformanceOnly);
    s.performance_issue_unique = true;
    const QslCounts small{.total = 48, .performance = 186};
    auto planned = plan_queries(derive(s, small), small);
    ASSERT_FALSE(planned.ok());
    EXPECT_EQ(planned.error().code, ErrorCode::kConfig);
  }
  {
    const LoadableSet empty;
    auto generated =
        generate_queries(derive(official_seeds(Scenario::kServer, TestMode::kPerformanceOnly), qsl),
                         empty, QueryPhase::kPerformance);
    EXPECT_FALSE(generated.ok());
  }
}

}  // namespace
}  // namespace mlbench::loadgen
