#pragma once

#include <chrono>
#include <cstdint>
#include <vector>

#include "mlbench/core/result.h"
#include "mlbench/loadgen/scenario.h"
#include "mlbench/loadgen/settings_diagnostic.h"
#include "mlbench/loadgen/test_settings.h"

namespace mlbench::loadgen {

// What the query sample library reports (LoadGen's TotalSampleCount / PerformanceSampleCount).
struct QslCounts {
  uint64_t total = 0;
  uint64_t performance = 0;
};

// The settings a run actually uses, derived from TestSettings the way LoadGen's
// TestSettingsInternal constructor derives them; the fields are LoadGen's `effective_*` log
// keys. Built only by derive_effective_settings; treat it as read-only.
struct EffectiveSettings {
  TestSettings requested;  // what it was derived from (LoadGen logs it as `requested_*`)

  Scenario scenario = Scenario::kOffline;
  TestMode mode = TestMode::kPerformanceOnly;
  uint64_t samples_per_query = 1;
  double target_qps = 1;
  std::chrono::nanoseconds target_latency{0};
  double target_latency_percentile = 0;
  uint64_t max_async_queries = 0;  // 0: no limit

  std::chrono::milliseconds target_duration{0};
  std::chrono::milliseconds min_duration{0};
  std::chrono::milliseconds max_duration{0};  // 0: no limit
  uint64_t min_query_count = 0;
  uint64_t max_query_count = 0;  // 0: no limit
  uint64_t min_sample_count = 0;

  uint64_t qsl_rng_seed = 0;
  uint64_t sample_index_rng_seed = 0;
  uint64_t schedule_rng_seed = 0;
  uint64_t accuracy_log_rng_seed = 0;
  double accuracy_log_probability = 0;
  uint64_t accuracy_log_sampling_target = 0;
  bool print_timestamps = false;
  bool performance_issue_unique = false;
  bool performance_issue_same = false;
  uint64_t performance_issue_same_index = 0;
  uint64_t performance_sample_count = 0;
  uint64_t accuracy_sample_count = 0;
  bool sample_concatenate_permutation = false;

  bool use_token_latencies = false;
  std::chrono::nanoseconds server_ttft_latency{0};
  std::chrono::nanoseconds server_tpot_latency{0};
  bool infer_token_latencies = false;
  int64_t token_latency_scaling_factor = 0;

  bool operator==(const EffectiveSettings&) const = default;
};

struct DerivedSettings {
  EffectiveSettings settings;
  // LoadGen's error_invalid_test_settings messages (it logs them and runs anyway).
  std::vector<SettingsDiagnostic> diagnostics;
};

// Fails (kConfig) only where LoadGen's arithmetic would be undefined: a query count that does
// not fit in 64 bits (e.g. an expected latency of 0) or a QSL that reports 0 samples.
Result<DerivedSettings> derive_effective_settings(const TestSettings& requested, QslCounts qsl);

}  // namespace mlbench::loadgen
