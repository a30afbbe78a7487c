#include "mlbench/loadgen/effective_settings.h"

#include <gtest/gtest.h>

namespace mlbench::loadgen {
namespace {

// The llama3.1-8b settings of the short official runs in testdata (mlperf.conf + user.conf).
TestSettings short_llama_run(Scenario scenario) {
  TestSettings s;
  s.scenario = scenario;
  s.min_duration_ms = 10'000;
  s.performance_sample_count_override = 64;
  s.sample_concatenate_permutation = true;
  s.use_token_latencies = true;
  s.server_target_latency_ns = 0;
  s.server_ttft_latency = 2'000'000'000;
  s.server_tpot_latency = 100'000'000;
  s.offline_expected_qps = 40;
  s.server_target_qps = 25;
  s.single_stream_expected_latency_ns = 2e8;
  s.min_query_count = scenario == Scenario::kServer ? 512 : 64;
  return s;
}

constexpr QslCounts kQsl{13368, 64};

EffectiveSettings derive(const TestSettings& s, QslCounts qsl = kQsl) {
  auto derived = derive_effective_settings(s, qsl);
  EXPECT_TRUE(derived.ok()) << derived.error().describe();
  EXPECT_TRUE(derived->diagnostics.empty());
  return derived->settings;
}

TEST(EffectiveSettings, OfflineCoalescesEnoughSamplesForMinDuration) {
  const EffectiveSettings e = derive(short_llama_run(Scenario::kOffline));
  EXPECT_EQ(e.samples_per_query, 440u);  // 1.1 · 10 s · 40 qps
  EXPECT_DOUBLE_EQ(e.target_qps, 40);
  EXPECT_EQ(e.target_latency.count(), 0);
  EXPECT_DOUBLE_EQ(e.target_latency_percentile, 0.99);
  EXPECT_EQ(e.max_async_queries, 1u);
  EXPECT_EQ(e.target_duration.count(), 0);
  EXPECT_EQ(e.min_duration.count(), 10'000);
  EXPECT_EQ(e.min_query_count, 1u);
  EXPECT_EQ(e.min_sample_count, 440u);
  EXPECT_EQ(e.performance_sample_count, 64u);
  EXPECT_EQ(e.accuracy_sample_count, 13368u);
}

TEST(EffectiveSettings, OfflineMinQueryCountIsAFloorOnSamples) {
  TestSettings s = short_llama_run(Scenario::kOffline);
  s.min_query_count = 13368;
  EXPECT_EQ(derive(s).samples_per_query, 13368u);
  s.performance_issue_unique = true;
  EXPECT_EQ(derive(s).samples_per_query, 64u);
}

TEST(EffectiveSettings, SingleStreamEqualIssueRoundsQueriesUpToWholeSets) {
  const EffectiveSettings e = derive(short_llama_run(Scenario::kSingleStream));
  EXPECT_DOUBLE_EQ(e.target_qps, 5);
  EXPECT_EQ(e.samples_per_query, 1u);
  EXPECT_EQ(e.min_query_count, 128u);  // max(64, 2·10·5) = 100, then up to 2·64
  EXPECT_EQ(e.min_sample_count, 128u);
  EXPECT_EQ(e.target_duration.count(), 10'000);
  EXPECT_DOUBLE_EQ(e.target_latency_percentile, 0.9);
  EXPECT_EQ(e.target_latency.count(), 0);
}

TEST(EffectiveSettings, SingleStreamEqualIssueAddsAFullSetToAnExactMultiple) {
  TestSettings s = short_llama_run(Scenario::kSingleStream);
  s.min_query_count = 128;
  s.single_stream_expected_latency_ns = 1e9;  // 20 expected queries
  EXPECT_EQ(derive(s).min_query_count, 192u);
}

TEST(EffectiveSettings, SingleStreamRoundsWithTheQslCountNotTheOverride) {
  TestSettings s = short_llama_run(Scenario::kSingleStream);
  s.performance_sample_count_override = 1000;
  const EffectiveSettings e = derive(s, QslCounts{13368, 48});
  EXPECT_EQ(e.min_query_count, 144u);  // 100 + 48 − (100 mod 48)
  EXPECT_EQ(e.performance_sample_count, 1000u);
}

TEST(EffectiveSettings, SingleStreamWithoutEqualIssueKeepsMinQueryCount) {
  TestSettings s = short_llama_run(Scenario::kSingleStream);
  s.sample_concatenate_permutation = false;
  EXPECT_EQ(derive(s).min_query_count, 64u);
}

TEST(EffectiveSettings, Server) {
  TestSettings s = short_llama_run(Scenario::kServer);
  s.server_max_async_queries = 7;
  const EffectiveSettings e = derive(s);
  EXPECT_DOUBLE_EQ(e.target_qps, 25);
  EXPECT_EQ(e.target_latency.count(), 0);
  EXPECT_DOUBLE_EQ(e.target_latency_percentile, 0.99);
  EXPECT_EQ(e.max_async_queries, 7u);
  EXPECT_EQ(e.target_duration.count(), 10'000);
  EXPECT_EQ(e.min_query_count, 512u);  // equal issue does not round Server here
  EXPECT_EQ(e.min_sample_count, 512u);
  EXPECT_EQ(e.server_ttft_latency.count(), 2'000'000'000);
  EXPECT_EQ(e.server_tpot_latency.count(), 100'000'000);
  EXPECT_TRUE(e.use_token_latencies);
  EXPECT_EQ(e.requested, s);
}

TEST(EffectiveSettings, OverridesReplaceQslCounts) {
  TestSettings s = short_llama_run(Scenario::kOffline);
  s.performance_sample_count_override = 0;
  s.accuracy_sample_count_override = 256;
  const EffectiveSettings e = derive(s, QslCounts{13368, 13368});
  EXPECT_EQ(e.performance_sample_count, 13368u);
  EXPECT_EQ(e.accuracy_sample_count, 256u);
}

TEST(EffectiveSettings, NegativeQpsKeepsOneAndReportsLoadGensError) {
  TestSettings s = short_llama_run(Scenario::kServer);
  s.server_target_qps = -2;
  auto derived = derive_effective_settings(s, kQsl);
  ASSERT_TRUE(derived.ok());
  EXPECT_DOUBLE_EQ(derived->settings.target_qps, 1);
  ASSERT_EQ(derived->diagnostics.size(), 1u);
  EXPECT_EQ(derived->diagnostics[0].loadgen_log_key, "error_invalid_test_settings");
  EXPECT_EQ(derived->diagnostics[0].message,
            "Invalid value for server_target_qps requested. requested: -2 using: 1");
}

TEST(EffectiveSettings, IssueSameIndexBeyondTheLoadedSetIsReported) {
  TestSettings s = short_llama_run(Scenario::kOffline);
  s.performance_issue_same = true;
  s.performance_issue_same_index = 64;
  auto derived = derive_effective_settings(s, kQsl);
  ASSERT_TRUE(derived.ok());
  ASSERT_EQ(derived->diagnostics.size(), 1u);
  EXPECT_EQ(derived->diagnostics[0].severity, DiagnosticSeverity::kLoadGenError);
  // Unlike performance_issue_unique, "same" does not change Offline's sample count.
  EXPECT_EQ(derived->settings.samples_per_query, 440u);
}

TEST(EffectiveSettings, RefusesWhatLoadGenCannotComputeDefined) {
  TestSettings s = short_llama_run(Scenario::kSingleStream);
  s.single_stream_expected_latency_ns = 0;  // infinite QPS
  auto infinite = derive_effective_settings(s, kQsl);
  ASSERT_FALSE(infinite.ok());
  EXPECT_EQ(infinite.error().code, ErrorCode::kConfig);

  EXPECT_FALSE(derive_effective_settings(short_llama_run(Scenario::kOffline), {13368, 0}).ok());
  EXPECT_FALSE(derive_effective_settings(short_llama_run(Scenario::kOffline), {0, 64}).ok());
}

}  // namespace
}  // namespace mlbench::loadgen
