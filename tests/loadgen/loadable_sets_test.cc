#include "mlbench/loadgen/loadable_sets.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>

namespace mlbench::loadgen {
namespace {

EffectiveSettings derive(Scenario scenario, QslCounts qsl, uint64_t samples_per_query = 8) {
  TestSettings s;
  s.scenario = scenario;
  s.qsl_rng_seed = 2085463073848966840u;
  s.multi_stream_samples_per_query = samples_per_query;
  auto derived = derive_effective_settings(s, qsl);
  EXPECT_TRUE(derived.ok()) << derived.error().describe();
  return derived->settings;
}

TEST(LoadableSets, PerformanceSetIsAShuffleOfTheFirstPerformanceCountIndices) {
  const QslCounts qsl{.total = 1000, .performance = 40};
  const auto sets =
      generate_loadable_sets(derive(Scenario::kServer, qsl), qsl, QueryPhase::kPerformance);
  ASSERT_EQ(sets.size(), 1u);
  EXPECT_EQ(sets[0].distribution_end, 40u);
  std::vector<uint64_t> sorted = sets[0].samples;
  std::sort(sorted.begin(), sorted.end());
  std::vector<uint64_t> first(40);
  std::iota(first.begin(), first.end(), uint64_t{0});
  EXPECT_EQ(sorted, first);
  EXPECT_NE(sets[0].samples, first);  // shuffled
}

TEST(LoadableSets, AccuracySetsPartitionTheShuffledQsl) {
  const QslCounts qsl{.total = 130, .performance = 50};
  const auto sets =
      generate_loadable_sets(derive(Scenario::kOffline, qsl), qsl, QueryPhase::kAccuracy);
  ASSERT_EQ(sets.size(), 3u);
  EXPECT_EQ(sets[0].samples.size(), 50u);
  EXPECT_EQ(sets[1].samples.size(), 50u);
  EXPECT_EQ(sets[2].samples.size(), 30u);
  EXPECT_EQ(sets[2].distribution_end, 30u);
  std::vector<uint64_t> all;
  for (const auto& set : sets)
    all.insert(all.end(), set.samples.begin(), set.samples.end());
  std::sort(all.begin(), all.end());
  std::vector<uint64_t> every(130);
  std::iota(every.begin(), every.end(), uint64_t{0});
  EXPECT_EQ(all, every);
}

TEST(LoadableSets, PerformanceCountAboveTheQslIsCappedAtItsTotal) {
  const QslCounts qsl{.total = 10, .performance = 64};
  const auto sets =
      generate_loadable_sets(derive(Scenario::kServer, qsl), qsl, QueryPhase::kPerformance);
  ASSERT_EQ(sets.size(), 1u);
  EXPECT_EQ(sets[0].samples.size(), 10u);
  EXPECT_EQ(sets[0].distribution_end, 10u);
}

TEST(LoadableSets, MultiStreamSetsRepeatTheirFirstSamplesAtTheEnd) {
  const QslCounts qsl{.total = 23, .performance = 20};
  const auto sets =
      generate_loadable_sets(derive(Scenario::kMultiStream, qsl, 8), qsl, QueryPhase::kAccuracy);
  ASSERT_EQ(sets.size(), 2u);
  EXPECT_EQ(sets[0].distribution_end, 20u);
  ASSERT_EQ(sets[0].samples.size(), 27u);
  for (size_t i = 0; i < 7; ++i)
    EXPECT_EQ(sets[0].samples[20 + i], sets[0].samples[i]);
  // A set shorter than the padding repeats itself cyclically.
  EXPECT_EQ(sets[1].distribution_end, 3u);
  ASSERT_EQ(sets[1].samples.size(), 10u);
  for (size_t i = 3; i < 10; ++i)
    EXPECT_EQ(sets[1].samples[i], sets[1].samples[i % 3]);
}

}  // namespace
}  // namespace mlbench::loadgen
