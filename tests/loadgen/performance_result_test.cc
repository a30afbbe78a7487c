#include "mlbench/loadgen/performance_result.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "mlbench/loadgen/detail_log.h"
#include "mlbench/loadgen/summary_log.h"

#include "loadgen/record_builders.h"

namespace mlbench::loadgen {
namespace {

using testing::completed_sample;
using testing::derived;
using testing::milliseconds;
using testing::nanoseconds;

TestSettings server_settings() {
  TestSettings s;
  s.scenario = Scenario::kServer;
  s.server_target_qps = 10;
  s.server_target_latency_ns = 0;
  s.min_duration_ms = 1000;
  s.min_query_count = 100;
  s.use_token_latencies = true;
  s.server_ttft_latency = 2'000'000'000;
  s.server_tpot_latency = 100'000'000;
  return s;
}

// `n` Server queries 10 ms apart, TTFT 20 ms, 11 tokens 5 ms apart.
RunRecord server_run(uint64_t n) {
  RunRecord record;
  record.settings = derived(server_settings());
  record.sut_name = "TestSUT";
  for (uint64_t i = 0; i < n; ++i) {
    record.samples.push_back(
        completed_sample(i, milliseconds(10 * i), milliseconds(20), milliseconds(70), 11));
  }
  record.queries_issued = n;
  return record;
}

TEST(PerformanceResult, SampleTimingUsesLoadGenIntegerFormula) {
  SampleRecord sample =
      completed_sample(0, nanoseconds(100), nanoseconds(1000), nanoseconds(10'000), 4);
  const auto timing = sample_timing(sample);
  ASSERT_TRUE(timing);
  EXPECT_EQ(timing->latency_ns, 10'000);
  EXPECT_EQ(*timing->ttft_ns, 1000);
  EXPECT_EQ(*timing->tpot_ns, 3000);  // (10000 - 1000) / 3
  sample.n_tokens = 1;                // LoadGen zeroes it: divides by -1
  EXPECT_EQ(*sample_timing(sample)->tpot_ns, -9000);
  EXPECT_EQ(sample_timing(sample)->counted_tokens, 0);
  sample.completed.reset();
  EXPECT_FALSE(sample_timing(sample));
}

TEST(PerformanceResult, ServerRunWithEnoughQueriesIsValid) {
  const RunRecord record = server_run(500);
  const PerformanceResult r = compute_performance_result(record);
  EXPECT_TRUE(r.validity.valid());
  EXPECT_EQ(r.sample_count, 500u);
  EXPECT_EQ(r.token_count, 500 * 11);
  EXPECT_EQ(r.latency.min_ns, 70'000'000);
  EXPECT_EQ(r.first_token->at_target_percentile_ns, 20'000'000);
  EXPECT_EQ(r.time_per_output_token->mean_ns, 5'000'000);
  // final query scheduled at 4.99 s, done at 5.06 s.
  EXPECT_DOUBLE_EQ(r.scheduled_samples_per_second, 499 / 4.99);
  EXPECT_DOUBLE_EQ(r.completed_samples_per_second, 499 / 5.06);
  EXPECT_DOUBLE_EQ(r.completed_tokens_per_second, 5500 / 5.06);
  EXPECT_EQ(r.overlatency_query_count, 500u);  // target_latency 0: every query is "over"
  EXPECT_EQ(r.validity.early_stopping_tpot_text, " * Run successful.");
}

// No official Server log is in testdata; this pins the Server-only lines of results.cc.
TEST(PerformanceResult, ServerSummaryHasLoadGenServerLines) {
  const RunRecord record = server_run(500);
  const std::string summary = render_summary_log(record, compute_performance_result(record));
  const std::vector<std::string> in_order = {
      "Scenario : Server\n",
      "Completed samples per second    : 98.62\n",
      "Completed tokens per second: 1086.96\n",
      "Result is : VALID\n  Performance constraints satisfied : Yes\n",
      "TTFT Early Stopping Result:\n * Run successful.\nTPOT Early Stopping Result:\n * Run "
      "successful.\n\n===",
      "Additional Stats\n================================================\nScheduled samples per "
      "second : 100.00\nMin latency (ns)",
      "99.90 percentile latency (ns)   : 70000000\n\nCompleted tokens per second                 "
      ": 1086.96\nMin First Token latency (ns)                : 20000000\n",
      "ttft_latency (ns): 2000000000\ntpot_latency (ns): 100000000\n"};
  size_t at = 0;
  for (const std::string& piece : in_order) {
    const size_t found = summary.find(piece, at);
    ASSERT_NE(found, std::string::npos) << piece << "\n---\n" << summary;
    at = found + piece.size();
  }
}

TEST(PerformanceResult, ServerTooFewQueriesFailsEarlyStopping) {
  const PerformanceResult r = compute_performance_result(server_run(200));
  EXPECT_TRUE(r.validity.min_duration_met);  // last query scheduled at 1.99 s
  EXPECT_TRUE(r.validity.min_queries_met);
  EXPECT_FALSE(r.validity.early_stopping_met);
  EXPECT_FALSE(r.validity.valid());
  // TPOT is evaluated first; its failure leaves TTFT unevaluated, as LoadGen's && does.
  EXPECT_NE(r.validity.early_stopping_tpot_text.find("Run unsuccessful"), std::string::npos);
  EXPECT_EQ(r.validity.early_stopping_ttft_text, "");
}

TEST(PerformanceResult, ServerLatencyConstraintsUseTheTargetPercentile) {
  RunRecord record = server_run(500);
  auto slow_first_token = [&](size_t from, size_t to) {
    for (size_t i = from; i < to; ++i) {
      record.samples[i].first_token = record.samples[i].scheduled + milliseconds(2500);
      record.samples[i].completed = record.samples[i].scheduled + milliseconds(3000);
    }
  };
  // 4 of 500 slow: sorted[floor(500 * 0.99)] = sorted[495] is still fast.
  slow_first_token(0, 4);
  EXPECT_TRUE(compute_performance_result(record).validity.perf_constraints_met);
  slow_first_token(4, 5);  // now sorted[495] is slow
  const PerformanceResult slow = compute_performance_result(record);
  EXPECT_FALSE(slow.validity.perf_constraints_met);
  EXPECT_EQ(slow.validity.perf_constraints_recommendation,
            "TTFT constrain not met: Reduce target QPS to improve latency.");
  EXPECT_FALSE(slow.validity.valid());
  const std::string summary = render_summary_log(record, slow);
  EXPECT_NE(summary.find("  Performance constraints satisfied : NO\n"), std::string::npos);
  EXPECT_NE(summary.find("Recommendations:\n * TTFT constrain not met"), std::string::npos);
}

TEST(PerformanceResult, OfflineMinDurationIsTheLongestLatency) {
  TestSettings s;
  s.scenario = Scenario::kOffline;
  s.offline_expected_qps = 10;
  s.min_duration_ms = 1000;
  s.min_query_count = 1;
  RunRecord record;
  record.settings = derived(s);
  for (uint64_t i = 0; i < record.settings.samples_per_query; ++i) {
    SampleRecord sample =
        completed_sample(i, nanoseconds(0), nanoseconds(0), milliseconds(50 * (i + 1)), 2);
    sample.query_id = 0;
    sample.first_token.reset();
    record.samples.push_back(sample);
  }
  record.queries_issued = 1;
  const PerformanceResult r = compute_performance_result(record);
  const auto n = static_cast<double>(record.samples.size());
  EXPECT_DOUBLE_EQ(r.max_latency_s, 0.05 * n);
  EXPECT_EQ(r.validity.min_duration_met, r.max_latency_s >= 1.0);
  EXPECT_DOUBLE_EQ(r.samples_per_second, n / r.max_latency_s);
  EXPECT_FALSE(r.first_token);  // Offline has no first tokens
  EXPECT_TRUE(r.validity.early_stopping_met);
}

TEST(PerformanceResult, PercentilesIndexFloorOfNTimesP) {
  RunRecord record = server_run(10);
  for (uint64_t i = 0; i < 10; ++i) {
    record.samples[i].completed = record.samples[i].scheduled + nanoseconds(100 * (10 - i));
  }
  const PerformanceResult r = compute_performance_result(record);
  EXPECT_EQ(r.latency.min_ns, 100);
  EXPECT_EQ(r.latency.max_ns, 1000);
  EXPECT_EQ(r.latency.mean_ns, 550);
  EXPECT_EQ(r.latency.percentiles_ns[0], 600);   // sorted[5]
  EXPECT_EQ(r.latency.percentiles_ns[1], 1000);  // sorted[9]
  EXPECT_EQ(r.latency.percentiles_ns[5], 1000);  // sorted[floor(9.99)]
}

// Our addition: a node whose SUT completed 5 of 10 samples. LoadGen would wait forever; we
// report what completed and call it INVALID with a reason, in both files.
TEST(PerformanceResult, IncompleteSamplesMakeTheResultInvalid) {
  RunRecord record = server_run(10);
  for (size_t i = 5; i < 10; ++i) {
    record.samples[i].completed.reset();
    record.samples[i].completion_rank.reset();
  }
  const PerformanceResult r = compute_performance_result(record);
  EXPECT_EQ(r.samples_issued, 10u);
  EXPECT_EQ(r.sample_count, 5u);
  EXPECT_EQ(r.incomplete_samples, 5u);
  EXPECT_FALSE(r.validity.all_samples_completed);
  EXPECT_FALSE(r.validity.valid());

  const std::string summary = render_summary_log(record, r);
  EXPECT_NE(summary.find("Result is : INVALID\n"), std::string::npos);
  EXPECT_NE(summary.find(" * 5 of 10 issued samples never completed; mlbench stopped waiting"),
            std::string::npos);
  EXPECT_NE(summary.find("\n1 ERROR encountered. See detailed log.\n"), std::string::npos);

  const std::string detail = render_detail_log(record, r, mlbench_log_identity());
  EXPECT_NE(
      detail.find("\"key\": \"error_runtime\", \"value\": \"Encountered incomplete samples at "
                  "the end of a series of queries. count: 5\""),
      std::string::npos);
  EXPECT_NE(detail.find("5 of 10 issued samples never completed."), std::string::npos);
  EXPECT_NE(detail.find("\"key\": \"num_errors\", \"value\": 1,"), std::string::npos);
}

TEST(PerformanceResult, SingleStreamShortRunFailsMinDurationWithRecommendation) {
  TestSettings s;
  s.scenario = Scenario::kSingleStream;
  s.single_stream_expected_latency_ns = 1e7;
  s.min_duration_ms = 10'000;
  s.min_query_count = 64;
  RunRecord record;
  record.settings = derived(s);
  for (uint64_t i = 0; i < 64; ++i) {
    record.samples.push_back(
        completed_sample(i, milliseconds(10 * i), milliseconds(1), milliseconds(9), 0));
  }
  record.queries_issued = 64;
  const PerformanceResult r = compute_performance_result(record);
  EXPECT_FALSE(r.validity.min_duration_met);
  EXPECT_EQ(r.validity.min_duration_recommendation,
            "Decrease the expected latency so the loadgen pre-generates more queries.");
  EXPECT_TRUE(r.validity.early_stopping_met);  // 64 queries at p90 is enough
  const std::string summary = render_summary_log(record, r);
  EXPECT_NE(summary.find("Recommendations:\n * Decrease the expected latency"), std::string::npos);
  EXPECT_NE(summary.find("Early Stopping Result:\n * Processed at least 64 queries (64)."),
            std::string::npos);
}

}  // namespace
}  // namespace mlbench::loadgen
