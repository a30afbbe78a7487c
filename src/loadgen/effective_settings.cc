#include "mlbench/loadgen/effective_settings.h"

#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <string>

namespace mlbench::loadgen {
namespace {

constexpr std::string_view kSettingsErrorKey = "error_invalid_test_settings";
constexpr double kNanosPerSecond = 1e9;
// Offline asks for 10% more samples than min_duration·target_qps so that the SUT runs for at
// least min_duration; SingleStream equal issue asks for twice as many queries (LoadGen's kSlack).
constexpr double kOfflineSlack = 1.1;
constexpr double kSingleStreamEqualIssueSlack = 2.0;

double to_seconds(std::chrono::milliseconds duration) {
  return static_cast<double>(duration.count()) / 1000.0;
}

// LoadGen assigns such products straight to uint64_t; that truncates, and is undefined when the
// value does not fit, which we refuse instead.
std::optional<uint64_t> truncate_to_uint64(double value) {
  constexpr double kTwoTo64 = 18446744073709551616.0;
  if (!(value > -1.0 && value < kTwoTo64)) return std::nullopt;
  return static_cast<uint64_t>(value);
}

Failure unrepresentable(std::string_view what, double value) {
  return fail(
      ErrorCode::kConfig,
      fmt::format("{} would be {}, which is not a query count LoadGen can use", what, value),
      "LoadGen test settings");
}

EffectiveSettings copy_plain_fields(const TestSettings& requested) {
  EffectiveSettings s;
  s.requested = requested;
  s.scenario = requested.scenario;
  s.mode = requested.mode;
  s.samples_per_query = 1;
  s.target_qps = 1;
  s.max_async_queries = 0;
  s.target_duration = std::chrono::milliseconds(static_cast<int64_t>(requested.min_duration_ms));
  s.min_duration = s.target_duration;
  s.max_duration = std::chrono::milliseconds(static_cast<int64_t>(requested.max_duration_ms));
  s.min_query_count = requested.min_query_count;
  s.max_query_count = requested.max_query_count;
  s.qsl_rng_seed = requested.qsl_rng_seed;
  s.sample_index_rng_seed = requested.sample_index_rng_seed;
  s.schedule_rng_seed = requested.schedule_rng_seed;
  s.accuracy_log_rng_seed = requested.accuracy_log_rng_seed;
  s.accuracy_log_probability = requested.accuracy_log_probability;
  s.accuracy_log_sampling_target = requested.accuracy_log_sampling_target;
  s.print_timestamps = requested.print_timestamps;
  s.performance_issue_unique = requested.performance_issue_unique;
  s.performance_issue_same = requested.performance_issue_same;
  s.performance_issue_same_index = requested.performance_issue_same_index;
  s.sample_concatenate_permutation = requested.sample_concatenate_permutation;
  s.use_token_latencies = requested.use_token_latencies;
  s.server_ttft_latency =
      std::chrono::nanoseconds(static_cast<int64_t>(requested.server_ttft_latency));
  s.server_tpot_latency =
      std::chrono::nanoseconds(static_cast<int64_t>(requested.server_tpot_latency));
  s.infer_token_latencies = requested.infer_token_latencies;
  s.token_latency_scaling_factor = static_cast<int64_t>(requested.token_latency_scaling_factor);
  return s;
}

// A negative QPS is refused by LoadGen with a logged error, and the default of 1 is kept.
void take_target_qps(double requested_qps, std::string_view setting_name, EffectiveSettings& s,
                     std::vector<SettingsDiagnostic>& diagnostics) {
  if (requested_qps >= 0.0) {
    s.target_qps = requested_qps;
    return;
  }
  diagnostics.push_back(
      loadgen_error(kSettingsErrorKey, {}, 0,
                    fmt::format("Invalid value for {} requested. requested: {:g} using: {:g}",
                                setting_name, requested_qps, s.target_qps)));
}

// Target QPS, target latency and how many queries may be in flight, per scenario.
void apply_scenario_targets(const TestSettings& r, EffectiveSettings& s,
                            std::vector<SettingsDiagnostic>& diagnostics) {
  switch (r.scenario) {
    case Scenario::kSingleStream:
      s.target_qps = kNanosPerSecond / r.single_stream_expected_latency_ns;
      s.max_async_queries = 1;
      s.target_latency_percentile = r.single_stream_target_latency_percentile;
      break;
    case Scenario::kMultiStream:
      s.target_qps = kNanosPerSecond / r.multi_stream_expected_latency_ns;
      s.max_async_queries = 1;
      s.target_latency_percentile = r.multi_stream_target_latency_percentile;
      s.samples_per_query = r.multi_stream_samples_per_query;
      break;
    case Scenario::kServer:
      take_target_qps(r.server_target_qps, "server_target_qps", s, diagnostics);
      s.target_latency = std::chrono::nanoseconds(static_cast<int64_t>(r.server_target_latency_ns));
      s.target_latency_percentile = r.server_target_latency_percentile;
      s.max_async_queries = r.server_max_async_queries;
      break;
    case Scenario::kOffline:
      // Not used by Offline; LoadGen fixes it so that the log shows a defined value.
      s.target_latency_percentile = 0.99;
      take_target_qps(r.offline_expected_qps, "offline_expected_qps", s, diagnostics);
      s.max_async_queries = 1;
      break;
  }
}

// Offline issues one query holding every sample: enough of them to last min_duration.
Result<void> coalesce_offline_query(const TestSettings& r, EffectiveSettings& s) {
  // Same operation order as LoadGen, so truncation lands on the same integer.
  const double wanted = kOfflineSlack * to_seconds(s.target_duration) * s.target_qps;
  const auto target_sample_count = truncate_to_uint64(wanted);
  if (!target_sample_count) return unrepresentable("Offline samples_per_query", wanted);
  s.samples_per_query = r.performance_issue_unique
                            ? s.performance_sample_count
                            : std::max(s.min_query_count, *target_sample_count);
  s.min_query_count = 1;
  s.target_duration = std::chrono::milliseconds(0);
  return {};
}

// Equal issue in SingleStream: run whole permutations of the loaded set. LoadGen rounds up with
// the QSL-reported count (not the override) and adds a full set even when already a multiple.
Result<void> round_single_stream_queries(QslCounts qsl, EffectiveSettings& s) {
  const double wanted = kSingleStreamEqualIssueSlack * to_seconds(s.target_duration) * s.target_qps;
  const auto expected_queries = truncate_to_uint64(wanted);
  if (!expected_queries) return unrepresentable("SingleStream min_query_count", wanted);
  s.min_query_count = std::max(s.min_query_count, *expected_queries);
  s.min_query_count += qsl.performance - (s.min_query_count % qsl.performance);
  return {};
}

void check_issue_same(const TestSettings& r, const EffectiveSettings& s,
                      std::vector<SettingsDiagnostic>& diagnostics) {
  if (r.performance_issue_same && r.performance_issue_same_index >= s.performance_sample_count) {
    diagnostics.push_back(loadgen_error(
        kSettingsErrorKey, {}, 0,
        fmt::format("Sample Idx to be repeated in performance_issue_same mode cannot be greater "
                    "than loaded performance_sample_count. performance_issue_same_index: {} "
                    "performance_sample_count: {}",
                    r.performance_issue_same_index, s.performance_sample_count)));
  }
  if (r.performance_issue_unique && r.performance_issue_same) {
    diagnostics.push_back(loadgen_error(
        kSettingsErrorKey, {}, 0,
        "Performance_issue_unique and performance_issue_same, both cannot be true at the same "
        "time. performance_issue_unique: 1 performance_issue_same: 1"));
  }
}

}  // namespace

Result<DerivedSettings> derive_effective_settings(const TestSettings& requested, QslCounts qsl) {
  if (qsl.total == 0 || qsl.performance == 0) {
    return fail(ErrorCode::kConfig,
                fmt::format("the QSL reports {} samples of which {} for performance; LoadGen "
                            "needs at least one of each",
                            qsl.total, qsl.performance),
                "LoadGen test settings");
  }
  DerivedSettings derived{copy_plain_fields(requested), {}};
  EffectiveSettings& s = derived.settings;

  apply_scenario_targets(requested, s, derived.diagnostics);
  s.performance_sample_count = requested.performance_sample_count_override == 0
                                   ? qsl.performance
                                   : requested.performance_sample_count_override;
  s.accuracy_sample_count = requested.accuracy_sample_count_override == 0
                                ? qsl.total
                                : requested.accuracy_sample_count_override;

  if (requested.scenario == Scenario::kOffline) {
    if (auto done = coalesce_offline_query(requested, s); !done) return done.failure();
  }
  if (s.sample_concatenate_permutation && requested.scenario == Scenario::kSingleStream) {
    if (auto done = round_single_stream_queries(qsl, s); !done) return done.failure();
  }
  s.min_sample_count = s.min_query_count * s.samples_per_query;

  check_issue_same(requested, s, derived.diagnostics);
  return derived;
}

}  // namespace mlbench::loadgen
