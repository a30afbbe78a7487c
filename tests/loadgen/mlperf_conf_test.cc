#include "mlbench/loadgen/mlperf_conf.h"

#include <gtest/gtest.h>

#include <string>

#include "mlbench/loadgen/conf_apply.h"
#include "mlbench/loadgen/conf_file.h"

namespace mlbench::loadgen {
namespace {

TestSettings mlperf_conf_settings(const std::string& model, Scenario scenario) {
  const ConfFile conf = parse_conf(embedded_mlperf_conf(), std::string(kMlperfConfName));
  TestSettings base;
  base.scenario = scenario;
  AppliedConf applied = apply_conf(base, conf, ConfScope{model, scenario, ConfSource::kMlperfConf});
  EXPECT_TRUE(applied.diagnostics.empty()) << applied.diagnostics.front().describe();
  return applied.settings;
}

TEST(MlperfConf, ParsesWithoutAnyDiagnostic) {
  const ConfFile conf = parse_conf(embedded_mlperf_conf(), std::string(kMlperfConfName));
  EXPECT_FALSE(conf.rejected);
  EXPECT_TRUE(conf.diagnostics.empty());
  EXPECT_EQ(conf.entries.size(), 37u);  // 22 generic lines less 2 never read, + 17 llama lines
}

TEST(MlperfConf, OfficialSeeds) {
  for (const auto model : embedded_mlperf_conf_models()) {
    const TestSettings s = mlperf_conf_settings(std::string(model), Scenario::kServer);
    EXPECT_EQ(s.qsl_rng_seed, 2085463073848966840u);
    EXPECT_EQ(s.sample_index_rng_seed, 2747215439041700203u);
    EXPECT_EQ(s.schedule_rng_seed, 16159082839903944936u);
    EXPECT_EQ(s.test05_qsl_rng_seed, 7975553102935885558u);
    EXPECT_FALSE(s.test05);
  }
}

TEST(MlperfConf, Llama31_8bServer) {
  const TestSettings s = mlperf_conf_settings("llama3_1-8b", Scenario::kServer);
  EXPECT_EQ(s.performance_sample_count_override, 13368u);
  EXPECT_TRUE(s.sample_concatenate_permutation);
  EXPECT_TRUE(s.use_token_latencies);
  EXPECT_EQ(s.server_target_latency_ns, 0u);
  EXPECT_EQ(s.server_ttft_latency, 2'000'000'000u);
  EXPECT_EQ(s.server_tpot_latency, 100'000'000u);
  EXPECT_DOUBLE_EQ(s.server_target_latency_percentile, 0.99);
  EXPECT_EQ(s.min_duration_ms, 600'000u);
  EXPECT_EQ(s.min_query_count, 100u);  // not set: early stopping governs
  EXPECT_DOUBLE_EQ(s.server_target_qps, 1.0);
}

TEST(MlperfConf, Llama31_8bOffline) {
  const TestSettings s = mlperf_conf_settings("llama3_1-8b", Scenario::kOffline);
  EXPECT_EQ(s.min_query_count, 13368u);
  EXPECT_EQ(s.min_duration_ms, 600'000u);
  EXPECT_DOUBLE_EQ(s.offline_expected_qps, 1.0);
}

TEST(MlperfConf, Llama31_8bInteractive) {
  const TestSettings s = mlperf_conf_settings("llama3_1-8b-interactive", Scenario::kServer);
  EXPECT_EQ(s.performance_sample_count_override, 13368u);
  EXPECT_EQ(s.server_target_latency_ns, 0u);
  EXPECT_EQ(s.server_ttft_latency, 500'000'000u);
  EXPECT_EQ(s.server_tpot_latency, 30'000'000u);
  EXPECT_EQ(mlperf_conf_settings("llama3_1-8b-interactive", Scenario::kOffline).min_query_count,
            100u);
}

TEST(MlperfConf, Llama31_8bEdge) {
  const TestSettings single = mlperf_conf_settings("llama3_1-8b-edge", Scenario::kSingleStream);
  EXPECT_EQ(single.performance_sample_count_override, 5000u);
  EXPECT_TRUE(single.sample_concatenate_permutation);
  EXPECT_TRUE(single.use_token_latencies);
  EXPECT_DOUBLE_EQ(single.single_stream_expected_latency_ns, 10'000'000.0);
  EXPECT_DOUBLE_EQ(single.single_stream_target_latency_percentile, 0.9);
  EXPECT_EQ(single.min_query_count, 100u);
  EXPECT_EQ(mlperf_conf_settings("llama3_1-8b-edge", Scenario::kOffline).min_query_count, 5000u);
  // No edge Server lines: the generic Server latency applies.
  EXPECT_EQ(mlperf_conf_settings("llama3_1-8b-edge", Scenario::kServer).server_target_latency_ns,
            10'000'000u);
}

TEST(MlperfConf, KnowsItsModels) {
  EXPECT_TRUE(is_embedded_mlperf_conf_model("llama3_1-8b"));
  EXPECT_TRUE(is_embedded_mlperf_conf_model("llama3_1-8b-edge"));
  EXPECT_FALSE(is_embedded_mlperf_conf_model("llama3.1-8b"));
  EXPECT_FALSE(is_embedded_mlperf_conf_model("resnet50"));
}

}  // namespace
}  // namespace mlbench::loadgen
