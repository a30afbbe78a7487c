#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "mlbench/loadgen/run_record.h"
#include "mlbench/loadgen/scenario.h"

namespace mlbench::loadgen {

// The percentiles LoadGen reports for every latency kind, in its order.
inline constexpr std::array<double, 6> kReportedPercentiles = {0.50, 0.90, 0.95, 0.97, 0.99, 0.999};

// One latency kind (sample latency, TTFT or TPOT) reduced the way LoadGen reduces it:
// percentile = sorted[floor(N * p)], mean = integer division of the int64 sum.
struct LatencyStats {
  int64_t min_ns = 0;
  int64_t max_ns = 0;
  int64_t mean_ns = 0;
  int64_t at_target_percentile_ns = 0;  // at the settings' target_latency_percentile
  std::array<int64_t, kReportedPercentiles.size()> percentiles_ns{};
};

// The four conditions of "Result is : VALID" plus ours, each with LoadGen's wording.
struct Validity {
  bool min_duration_met = false;
  bool min_queries_met = false;      // queries and samples
  bool perf_constraints_met = true;  // only Server has constraints
  bool early_stopping_met = true;
  // Our addition: LoadGen waits forever for a sample the SUT never completes; we stop waiting,
  // report what completed, and call the result INVALID.
  bool all_samples_completed = true;

  std::string perf_constraints_recommendation;  // "TTFT constrain not met: ..." (LoadGen's typo)
  std::string min_duration_recommendation;
  // Non-token mode fills `early_stopping_text`; token mode fills the TTFT and TPOT texts. Empty
  // where LoadGen did not evaluate (Offline; TTFT after TPOT already failed).
  std::string early_stopping_text;
  std::string early_stopping_ttft_text;
  std::string early_stopping_tpot_text;

  bool valid() const {
    return min_duration_met && min_queries_met && perf_constraints_met && early_stopping_met &&
           all_samples_completed;
  }
};

// Everything mlperf_log_summary.txt and the results section of mlperf_log_detail.txt report,
// computed once from a RunRecord with LoadGen's formulas (results.cc). Throughput figures are
// kept as LoadGen computes them, quirks included, so the writers only format.
struct PerformanceResult {
  Scenario scenario = Scenario::kOffline;
  bool token_latencies = false;

  uint64_t queries_issued = 0;
  uint64_t samples_issued = 0;
  uint64_t sample_count = 0;             // completed samples: LoadGen's sample_count
  uint64_t incomplete_samples = 0;       // issued but never completed
  int64_t token_count = 0;               // sum of n_tokens (values < 2 count as 0, as in LoadGen)
  uint64_t overlatency_query_count = 0;  // Server: latency > target_latency

  // Seconds from the start of issuing (LoadGen's PerformanceResult).
  double max_latency_s = 0;
  double final_query_scheduled_s = 0;
  double final_query_issued_s = 0;
  double final_query_all_samples_done_s = 0;

  LatencyStats latency;
  // Token mode, every scenario but Offline (LoadGen records no first tokens for Offline).
  std::optional<LatencyStats> first_token;
  std::optional<LatencyStats> time_per_output_token;

  // Server.
  double completed_samples_per_second = 0;  // (N - 1) / final query done
  double scheduled_samples_per_second = 0;  // (N - 1) / final query scheduled
  double completed_tokens_per_second = 0;   // tokens / final query done (all but Offline)
  // Offline.
  double samples_per_second = 0;  // N / max latency
  double tokens_per_second = 0;   // tokens / max latency
  // SingleStream.
  double qps_with_loadgen_overhead = 0;     // (N - 1) / final query issued
  double qps_without_loadgen_overhead = 0;  // 1 / mean latency
  double tps_with_loadgen_overhead = 0;     // tokens / final query issued (all but Offline)
  double tps_without_loadgen_overhead = 0;  // tokens / (mean latency in s * N)
  // LoadGen's detail-log `result_token_throughput` divides by nanoseconds (about 5e-7 tokens
  // per ns); kept because the key must carry the same value.
  double token_throughput_per_ns = 0;

  int64_t early_stopping_latency_ss_ns = 0;  // SingleStream estimate (TTFT in token mode)
  int64_t early_stopping_latency_ms_ns = 0;  // its 99th-percentile estimate

  Validity validity;
};

// Per-sample figures LoadGen derives at completion (AsyncLog::RecordSampleCompletion).
struct SampleTiming {
  int64_t latency_ns = 0;          // completed - scheduled
  std::optional<int64_t> ttft_ns;  // first_token - scheduled
  std::optional<int64_t> tpot_ns;  // (latency - ttft) / (n_tokens - 1), integer ns
  int64_t counted_tokens = 0;      // n_tokens, or 0 where LoadGen zeroes it
};
// nullopt for a sample that never completed.
std::optional<SampleTiming> sample_timing(const SampleRecord& sample);

// Performance-mode results. (Accuracy runs report no results; their summary is the footer.)
PerformanceResult compute_performance_result(const RunRecord& record);

}  // namespace mlbench::loadgen
