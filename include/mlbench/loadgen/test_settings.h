#pragma once

#include <cstdint>

#include "mlbench/loadgen/scenario.h"

namespace mlbench::loadgen {

// What a harness asks LoadGen for: the fields of LoadGen's `TestSettings` (test_settings.h)
// that matter to SingleStream, Server and Offline, with LoadGen's defaults. Units and types
// follow LoadGen, including its quirks (an expected latency that is a double, a max-async count
// stored as uint64), so values print the way LoadGen's `requested_*` log keys print them.
struct TestSettings {
  Scenario scenario = Scenario::kSingleStream;
  TestMode mode = TestMode::kPerformanceOnly;

  double single_stream_expected_latency_ns = 1'000'000;
  double single_stream_target_latency_percentile = 0.90;

  double multi_stream_expected_latency_ns = 8'000'000;
  double multi_stream_target_latency_percentile = 0.99;
  uint64_t multi_stream_samples_per_query = 8;

  double server_target_qps = 1;
  uint64_t server_target_latency_ns = 100'000'000;
  double server_target_latency_percentile = 0.99;
  bool server_coalesce_queries = false;
  int server_find_peak_qps_decimals_of_precision = 1;
  double server_find_peak_qps_boundary_step_size = 1;
  uint64_t server_max_async_queries = 0;  // 0: no limit
  uint64_t server_num_issue_query_threads = 0;

  double offline_expected_qps = 1;

  // "Equal issue": sample from concatenated permutations of the loaded set.
  bool sample_concatenate_permutation = false;

  uint64_t min_duration_ms = 10'000;
  uint64_t max_duration_ms = 0;  // 0: no limit
  uint64_t min_query_count = 100;
  uint64_t max_query_count = 0;  // 0: no limit

  uint64_t qsl_rng_seed = 0;
  uint64_t sample_index_rng_seed = 0;
  uint64_t schedule_rng_seed = 0;
  uint64_t accuracy_log_rng_seed = 0;
  double accuracy_log_probability = 0.0;
  uint64_t accuracy_log_sampling_target = 0;

  // Compliance TEST05 seeds; LoadGen still reads them from mlperf.conf, nothing in 6.0 uses them.
  bool test05 = false;
  uint64_t test05_qsl_rng_seed = 0;
  uint64_t test05_sample_index_rng_seed = 0;
  uint64_t test05_schedule_rng_seed = 0;

  bool print_timestamps = false;
  bool performance_issue_unique = false;
  bool performance_issue_same = false;
  uint64_t performance_issue_same_index = 0;
  uint64_t performance_sample_count_override = 0;  // 0: use the QSL's count
  uint64_t accuracy_sample_count_override = 0;     // 0: use the QSL's total count

  bool use_token_latencies = false;
  uint64_t server_ttft_latency = 100'000'000;  // ns
  uint64_t server_tpot_latency = 100'000'000;  // ns

  bool infer_token_latencies = false;
  // LoadGen leaves this uninitialised; we start it at 0 so runs are reproducible.
  uint64_t token_latency_scaling_factor = 0;

  bool operator==(const TestSettings&) const = default;
};

}  // namespace mlbench::loadgen
