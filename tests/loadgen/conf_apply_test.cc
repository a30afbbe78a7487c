#include "mlbench/loadgen/conf_apply.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "mlbench/loadgen/conf_file.h"

namespace mlbench::loadgen {
namespace {

constexpr std::string_view kModel = "llama3_1-8b";

AppliedConf apply_text(std::string_view text, Scenario scenario,
                       ConfSource source = ConfSource::kUserConf, TestSettings base = {}) {
  return apply_conf(base, parse_conf(text, "user.conf"),
                    ConfScope{std::string(kModel), scenario, source});
}

bool warns(const AppliedConf& applied, int line, const std::string& text) {
  return std::any_of(applied.diagnostics.begin(), applied.diagnostics.end(), [&](auto& d) {
    return d.severity == DiagnosticSeverity::kWarning && d.file == "user.conf" && d.line == line &&
           d.message.find(text) != std::string::npos;
  });
}

TEST(ConfApply, NothingMatchingLeavesTheBaseUnchanged) {
  const AppliedConf applied =
      apply_text("other-model.Offline.min_query_count = 5\n", Scenario::kOffline);
  EXPECT_EQ(applied.settings, TestSettings{});
  EXPECT_TRUE(applied.diagnostics.empty());
}

TEST(ConfApply, LookupOrderWithinOneFile) {
  const std::string all_four =
      "*.*.min_query_count = 4\n"
      "llama3_1-8b.*.min_query_count = 3\n"
      "*.Offline.min_query_count = 2\n"
      "llama3_1-8b.Offline.min_query_count = 1\n";
  EXPECT_EQ(apply_text(all_four, Scenario::kOffline).settings.min_query_count, 1u);
  // A scenario wildcard beats a model wildcard.
  EXPECT_EQ(apply_text(all_four, Scenario::kServer).settings.min_query_count, 3u);
  EXPECT_EQ(apply_text("*.*.min_query_count = 4\nllama3_1-8b.*.min_query_count = 3\n"
                       "*.Offline.min_query_count = 2\n",
                       Scenario::kOffline)
                .settings.min_query_count,
            2u);
  EXPECT_EQ(apply_text("*.*.min_query_count = 4\n", Scenario::kOffline).settings.min_query_count,
            4u);
}

TEST(ConfApply, ALaterFileOverridesWhateverWildcardMatchedEarlier) {
  TestSettings base;
  base = apply_text("llama3_1-8b.Offline.min_duration = 600000\n", Scenario::kOffline,
                    ConfSource::kMlperfConf)
             .settings;
  const AppliedConf applied =
      apply_text("*.*.min_duration = 10000\n", Scenario::kOffline, ConfSource::kUserConf, base);
  EXPECT_EQ(applied.settings.min_duration_ms, 10000u);
}

TEST(ConfApply, SeedsAreReadOnlyFromMlperfConf) {
  const std::string seeds =
      "*.*.qsl_rng_seed = 11\n*.*.sample_index_rng_seed = 12\n*.*.schedule_rng_seed = 13\n"
      "*.*.accuracy_log_probability = 50\n";
  const AppliedConf from_mlperf = apply_text(seeds, Scenario::kServer, ConfSource::kMlperfConf);
  EXPECT_EQ(from_mlperf.settings.qsl_rng_seed, 11u);
  EXPECT_EQ(from_mlperf.settings.sample_index_rng_seed, 12u);
  EXPECT_EQ(from_mlperf.settings.schedule_rng_seed, 13u);
  EXPECT_DOUBLE_EQ(from_mlperf.settings.accuracy_log_probability, 0.5);
  EXPECT_TRUE(from_mlperf.diagnostics.empty());

  const AppliedConf from_user = apply_text(seeds, Scenario::kServer, ConfSource::kUserConf);
  EXPECT_EQ(from_user.settings, TestSettings{});
  for (int line = 1; line <= 4; ++line) {
    EXPECT_TRUE(warns(from_user, line, "only from its built-in mlperf.conf")) << line;
  }
}

TEST(ConfApply, AccuracyLogSeedIsReadFromAnyFile) {
  const AppliedConf applied = apply_text(
      "*.*.accuracy_log_rng_seed = 720381539243781796\n"
      "*.*.accuracy_log_sampling_target = 100\n",
      Scenario::kOffline, ConfSource::kAuditConfig);
  EXPECT_EQ(applied.settings.accuracy_log_rng_seed, 720381539243781796u);
  EXPECT_EQ(applied.settings.accuracy_log_sampling_target, 100u);
}

TEST(ConfApply, UnitsFollowLoadGen) {
  const AppliedConf applied = apply_text(
      "*.Server.target_latency = 20\n"
      "*.Server.ttft_latency = 2000\n"
      "*.Server.tpot_latency = 100\n"
      "*.*.use_token_latencies = 1\n"
      "*.SingleStream.target_latency = 0.5\n"
      "*.MultiStream.target_latency = 80\n"
      "*.SingleStream.target_latency_percentile = 90\n"
      "*.Server.target_latency_percentile = 99.9\n"
      "*.*.min_duration = 600000\n"
      "*.Server.target_qps = 0.5\n",
      Scenario::kServer);
  const TestSettings& s = applied.settings;
  EXPECT_EQ(s.server_target_latency_ns, 20'000'000u);
  EXPECT_EQ(s.server_ttft_latency, 2'000'000'000u);
  EXPECT_EQ(s.server_tpot_latency, 100'000'000u);
  EXPECT_DOUBLE_EQ(s.single_stream_expected_latency_ns, 500'000.0);  // a double: no truncation
  EXPECT_DOUBLE_EQ(s.multi_stream_expected_latency_ns, 80'000'000.0);
  EXPECT_DOUBLE_EQ(s.single_stream_target_latency_percentile, 0.9);
  EXPECT_DOUBLE_EQ(s.server_target_latency_percentile, 0.999);
  EXPECT_EQ(s.min_duration_ms, 600'000u);  // milliseconds, unconverted
  EXPECT_DOUBLE_EQ(s.server_target_qps, 0.5);
  EXPECT_TRUE(applied.diagnostics.empty());
}

TEST(ConfApply, IntegerKeysTakeOnlyTheLeadingIntegerAndWarn) {
  const AppliedConf applied = apply_text(
      "*.*.min_duration = 6e5\n"
      "*.*.use_token_latencies = 1\n"
      "*.Server.ttft_latency = 2.5\n"
      "*.*.min_query_count = 010\n"
      "*.*.max_query_count = 0x10\n"
      "*.*.performance_sample_count_override = 0.9\n",
      Scenario::kServer);
  const TestSettings& s = applied.settings;
  EXPECT_EQ(s.min_duration_ms, 6u);
  EXPECT_TRUE(warns(applied, 1, "reads only its leading integer here, giving 6"));
  EXPECT_EQ(s.server_ttft_latency, 2'000'000u);
  EXPECT_TRUE(warns(applied, 3, "giving 2000000"));
  EXPECT_EQ(s.min_query_count, 8u);
  EXPECT_TRUE(warns(applied, 4, "as octal, giving 8"));
  EXPECT_EQ(s.max_query_count, 16u);  // hex is what the author meant: no warning
  EXPECT_FALSE(warns(applied, 5, ""));
  EXPECT_EQ(s.performance_sample_count_override, 0u);
  EXPECT_TRUE(warns(applied, 6, "giving 0"));
}

TEST(ConfApply, NegativeIntegersWrapLikeStrtoull) {
  const AppliedConf applied = apply_text("*.*.min_query_count = -1\n", Scenario::kOffline);
  EXPECT_EQ(applied.settings.min_query_count, UINT64_MAX);
  EXPECT_TRUE(warns(applied, 1, "is negative"));
}

TEST(ConfApply, TokenLimitsAreReadUnderServerOnlyWhileTokenLatenciesAreOn) {
  const std::string limits = "llama3_1-8b.Server.ttft_latency = 500\n";
  const AppliedConf off = apply_text(limits, Scenario::kServer);
  EXPECT_EQ(off.settings.server_ttft_latency, 100'000'000u);
  EXPECT_TRUE(warns(off, 1, "use_token_latencies is not 1"));

  TestSettings tokens_on;
  tokens_on.use_token_latencies = true;  // e.g. from mlperf.conf
  EXPECT_EQ(apply_text(limits, Scenario::kServer, ConfSource::kUserConf, tokens_on)
                .settings.server_ttft_latency,
            500'000'000u);
  // Looked up with scenario Server whatever the running scenario is.
  EXPECT_EQ(apply_text(limits, Scenario::kSingleStream, ConfSource::kUserConf, tokens_on)
                .settings.server_ttft_latency,
            500'000'000u);
}

TEST(ConfApply, FixedScenarioKeysAreReadWhateverRuns) {
  const AppliedConf applied = apply_text(
      "llama3_1-8b.Offline.target_qps = 40\nllama3_1-8b.Server.target_qps = 25\n"
      "llama3_1-8b.SingleStream.target_latency = 200\n",
      Scenario::kSingleStream);
  EXPECT_DOUBLE_EQ(applied.settings.offline_expected_qps, 40);
  EXPECT_DOUBLE_EQ(applied.settings.server_target_qps, 25);
  EXPECT_DOUBLE_EQ(applied.settings.single_stream_expected_latency_ns, 2e8);
}

TEST(ConfApply, FlagsFollowLoadGensComparisons) {
  const AppliedConf applied =
      apply_text("*.*.sample_concatenate_permutation = 2\n*.*.performance_issue_unique = 2\n",
                 Scenario::kOffline);
  EXPECT_FALSE(applied.settings.sample_concatenate_permutation);  // only 1 turns it on
  EXPECT_TRUE(applied.settings.performance_issue_unique);         // anything but 0 does
  EXPECT_TRUE(warns(applied, 1, "should be 0 or 1"));
  EXPECT_TRUE(warns(applied, 2, "should be 0 or 1"));
}

TEST(ConfApply, ModeKey) {
  EXPECT_EQ(apply_text("*.*.mode = 1\n", Scenario::kOffline).settings.mode,
            TestMode::kAccuracyOnly);
  const AppliedConf bad = apply_text("*.*.mode = 7\n", Scenario::kOffline);
  EXPECT_EQ(bad.settings.mode, TestMode::kPerformanceOnly);
  ASSERT_EQ(bad.diagnostics.size(), 1u);
  EXPECT_EQ(bad.diagnostics[0].severity, DiagnosticSeverity::kLoadGenError);
  EXPECT_EQ(bad.diagnostics[0].message, "Invalid value passed to Mode key in config.");
}

TEST(ConfApply, ServerMaxAsyncQueriesPassesThroughAnInt) {
  EXPECT_EQ(apply_text("*.Server.max_async_queries = 4\n", Scenario::kServer)
                .settings.server_max_async_queries,
            4u);
  const AppliedConf big =
      apply_text("*.Server.max_async_queries = 4294967297\n", Scenario::kServer);
  EXPECT_EQ(big.settings.server_max_async_queries, 1u);
  EXPECT_TRUE(warns(big, 1, "does not fit in an int"));
}

TEST(ConfApply, LinesLoadGenNeverReadsAreReported) {
  const AppliedConf applied = apply_text(
      "llama3_1-8b.Offline.min_querry_count = 5\n"
      "llama3_1-8b.Offline.target_latency = 5\n"
      "llama3_1-8b.Ofline.min_query_count = 5\n"
      "min_query_count = 5\n"
      "*.Server.target_duration = 0\n",
      Scenario::kOffline);
  EXPECT_EQ(applied.settings, TestSettings{});
  EXPECT_TRUE(warns(applied, 1, "'min_querry_count' is not a key it knows"));
  EXPECT_TRUE(warns(applied, 2, "'target_latency' is not looked up under Offline"));
  EXPECT_TRUE(warns(applied, 3, "'Ofline' is not SingleStream"));
  EXPECT_TRUE(warns(applied, 4, "keys have the form model.scenario.name"));
  EXPECT_TRUE(warns(applied, 5, "'target_duration' is not a key it knows"));
}

TEST(ConfApply, RejectedFileChangesNothing) {
  const AppliedConf applied =
      apply_text("*.*.min_query_count = 5\n*.*.max_query_count = 5 # x\n", Scenario::kOffline);
  EXPECT_EQ(applied.settings, TestSettings{});
}

TEST(ConfApply, AuditConfigUsesModelWildcard) {
  const ConfFile audit = parse_conf(
      "*.*.mode = 2\n*.*.min_query_count = 100\n"
      "llama3_1-8b.*.min_duration = 1\n",
      "audit.config");
  TestSettings base;
  base.mode = TestMode::kAccuracyOnly;
  const AppliedConf applied =
      apply_conf(base, audit, ConfScope{"*", Scenario::kServer, ConfSource::kAuditConfig});
  EXPECT_EQ(applied.settings.mode, TestMode::kPerformanceOnly);
  EXPECT_EQ(applied.settings.min_query_count, 100u);
  EXPECT_EQ(applied.settings.min_duration_ms, 10000u);  // model-specific lines never match "*"
}

}  // namespace
}  // namespace mlbench::loadgen
