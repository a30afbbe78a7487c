#include "mlbench/loadgen/performance_result.h"

#include <algorithm>
#include <numeric>
#include <span>

#include "mlbench/loadgen/early_stopping.h"

namespace mlbench::loadgen {
namespace {

double ns_to_seconds(int64_t ns) {
  return static_cast<double>(ns) / 1e9;
}

// Throughput over an elapsed time. LoadGen divides by zero here (a run with no samples never
// reaches it there); we report 0 so the files stay parseable, and such a run is INVALID anyway.
double per(double amount, double seconds) {
  return seconds == 0 ? 0 : amount / seconds;
}

// LoadGen's percentile index floor(N * p), with N the completed-sample count even where a
// latency array is shorter (a sample without a first token); clamped so that case stays safe.
int64_t at_fraction(const std::vector<int64_t>& sorted, uint64_t sample_count, double fraction) {
  if (sorted.empty()) return 0;
  const auto index = static_cast<size_t>(static_cast<double>(sample_count) * fraction);
  return sorted[std::min(index, sorted.size() - 1)];
}

// Sorts `values` and reduces them; means divide by `sample_count` as LoadGen's do.
LatencyStats reduce(std::vector<int64_t>& values, uint64_t sample_count, double target) {
  LatencyStats stats;
  if (values.empty() || sample_count == 0) return stats;
  const int64_t sum = std::accumulate(values.begin(), values.end(), int64_t{0});
  stats.mean_ns = sum / static_cast<int64_t>(sample_count);
  std::sort(values.begin(), values.end());
  stats.min_ns = values.front();
  stats.max_ns = values.back();
  stats.at_target_percentile_ns = at_fraction(values, sample_count, target);
  for (size_t i = 0; i < kReportedPercentiles.size(); ++i) {
    stats.percentiles_ns[i] = at_fraction(values, sample_count, kReportedPercentiles[i]);
  }
  return stats;
}

struct CollectedLatencies {
  std::vector<int64_t> latency;
  std::vector<int64_t> ttft;
  std::vector<int64_t> tpot;
};

// The final query's times: LoadGen takes them from the last query issued, not the last done.
void record_final_query(const RunRecord& record, PerformanceResult& result) {
  if (record.samples.empty()) return;
  uint64_t final_query = record.samples.back().query_id;
  if (record.queries_issued > 0) final_query = record.queries_issued - 1;
  bool found = false;
  int64_t done = 0;
  for (const SampleRecord& sample : record.samples) {
    if (sample.query_id != final_query) continue;
    if (!found) {
      result.final_query_scheduled_s = ns_to_seconds(sample.scheduled.count());
      result.final_query_issued_s = ns_to_seconds(sample.issued.count());
      found = true;
    }
    if (sample.completed) done = std::max<int64_t>(done, sample.completed->count());
  }
  result.final_query_all_samples_done_s = ns_to_seconds(done);
}

std::string min_duration_recommendation(Scenario scenario) {
  switch (scenario) {
    case Scenario::kSingleStream:
    case Scenario::kMultiStream:
      return "Decrease the expected latency so the loadgen pre-generates more queries.";
    case Scenario::kServer:
      return "Increase the target QPS so the loadgen pre-generates more queries.";
    case Scenario::kOffline:
      return "Increase expected QPS so the loadgen pre-generates a larger (coalesced) query.";
  }
  return {};
}

bool min_duration_met(const PerformanceResult& result, const EffectiveSettings& settings) {
  const double min_duration_s = static_cast<double>(settings.min_duration.count()) / 1000.0;
  switch (result.scenario) {
    case Scenario::kOffline: return result.max_latency_s >= min_duration_s;
    case Scenario::kServer: return result.final_query_scheduled_s >= min_duration_s;
    case Scenario::kSingleStream:
    case Scenario::kMultiStream: return result.final_query_issued_s >= min_duration_s;
  }
  return false;
}

void check_perf_constraints(const PerformanceResult& result, const EffectiveSettings& settings,
                            Validity& validity) {
  if (result.scenario != Scenario::kServer) return;
  const std::string fix = "Reduce target QPS to improve latency.";
  if (!settings.use_token_latencies) {
    if (result.latency.at_target_percentile_ns > settings.target_latency.count()) {
      validity.perf_constraints_met = false;
      validity.perf_constraints_recommendation = fix;
    }
    return;
  }
  const LatencyStats none;
  const LatencyStats& ttft = result.first_token ? *result.first_token : none;
  const LatencyStats& tpot = result.time_per_output_token ? *result.time_per_output_token : none;
  std::string& text = validity.perf_constraints_recommendation;
  if (ttft.at_target_percentile_ns > settings.server_ttft_latency.count()) {
    validity.perf_constraints_met = false;
    text = "TTFT constrain not met: " + fix;
  }
  if (tpot.at_target_percentile_ns > settings.server_tpot_latency.count()) {
    validity.perf_constraints_met = false;
    text += (text.empty() ? "" : "\n * ") + std::string("TPOT constrain not met: ") + fix;
  }
}

// One early-stopping evaluation over one latency array (sorted ascending).
bool evaluate_early_stopping(PerformanceResult& result, const std::vector<int64_t>& sorted,
                             std::chrono::nanoseconds limit, double percentile, std::string& text) {
  const auto queries = static_cast<int64_t>(result.queries_issued);
  switch (result.scenario) {
    case Scenario::kServer: {
      ServerEarlyStopping server =
          server_early_stopping(sorted, queries, limit.count(), percentile);
      text = std::move(server.text);
      return server.met;
    }
    case Scenario::kSingleStream:
    case Scenario::kMultiStream: {  // MultiStream is treated per sample; llama never runs it
      SingleStreamEarlyStopping single = single_stream_early_stopping(sorted, queries, percentile);
      text = std::move(single.text);
      if (!single.met) return false;
      result.early_stopping_latency_ss_ns = single.estimate_ns;
      if (single.estimated_p99) result.early_stopping_latency_ms_ns = single.estimate_p99_ns;
      return true;
    }
    case Scenario::kOffline: return true;
  }
  return true;
}

void check_early_stopping(PerformanceResult& result, const EffectiveSettings& settings,
                          CollectedLatencies& sorted) {
  Validity& validity = result.validity;
  const double p = settings.target_latency_percentile;
  if (!settings.use_token_latencies) {
    validity.early_stopping_met = evaluate_early_stopping(
        result, sorted.latency, settings.target_latency, p, validity.early_stopping_text);
    return;
  }
  // TPOT first; LoadGen's && leaves TTFT unevaluated (and its text empty) when TPOT fails.
  validity.early_stopping_met =
      evaluate_early_stopping(result, sorted.tpot, settings.server_tpot_latency, p,
                              validity.early_stopping_tpot_text) &&
      evaluate_early_stopping(result, sorted.ttft, settings.server_ttft_latency, p,
                              validity.early_stopping_ttft_text);
}

void compute_throughput(PerformanceResult& result) {
  const auto n = static_cast<double>(result.sample_count);
  const double n_minus_one = result.sample_count == 0 ? 0 : n - 1;
  const auto tokens = static_cast<double>(result.token_count);
  const double mean_s = ns_to_seconds(result.latency.mean_ns);

  result.completed_samples_per_second = per(n_minus_one, result.final_query_all_samples_done_s);
  result.scheduled_samples_per_second = per(n_minus_one, result.final_query_scheduled_s);
  result.completed_tokens_per_second = per(tokens, result.final_query_all_samples_done_s);
  result.samples_per_second = per(n, result.max_latency_s);
  result.tokens_per_second = per(tokens, result.max_latency_s);
  result.qps_with_loadgen_overhead = per(n_minus_one, result.final_query_issued_s);
  result.qps_without_loadgen_overhead = per(1, mean_s);
  result.tps_with_loadgen_overhead = per(tokens, result.final_query_issued_s);
  result.tps_without_loadgen_overhead = per(tokens, mean_s * n);
  // LoadGen multiplies the integer mean by the count in integers before dividing.
  const auto mean_times_count = static_cast<uint64_t>(result.latency.mean_ns) * result.sample_count;
  result.token_throughput_per_ns = per(tokens, static_cast<double>(mean_times_count));
}

}  // namespace

std::optional<SampleTiming> sample_timing(const SampleRecord& sample) {
  if (!sample.completed) return std::nullopt;
  SampleTiming timing;
  timing.latency_ns = (*sample.completed - sample.scheduled).count();
  // LoadGen logs an error for n_tokens < 2 and records such a sample with 0 tokens.
  timing.counted_tokens = sample.n_tokens >= 2 ? sample.n_tokens : 0;
  if (sample.first_token) {
    timing.ttft_ns = (*sample.first_token - sample.scheduled).count();
    timing.tpot_ns = (timing.latency_ns - *timing.ttft_ns) / (timing.counted_tokens - 1);
  }
  return timing;
}

PerformanceResult compute_performance_result(const RunRecord& record) {
  const EffectiveSettings& settings = record.settings;
  PerformanceResult result;
  result.scenario = settings.scenario;
  result.token_latencies = settings.use_token_latencies;
  result.queries_issued = record.queries_issued;
  result.samples_issued = record.samples.size();

  CollectedLatencies collected;
  int64_t max_latency = 0;
  for (const SampleRecord& sample : record.samples) {
    const std::optional<SampleTiming> timing = sample_timing(sample);
    if (!timing) {
      ++result.incomplete_samples;
      continue;
    }
    collected.latency.push_back(timing->latency_ns);
    max_latency = std::max(max_latency, timing->latency_ns);
    result.token_count += timing->counted_tokens;
    // Offline never asks for first tokens, so LoadGen has no TTFT or TPOT there.
    if (settings.scenario != Scenario::kOffline && timing->ttft_ns) {
      collected.ttft.push_back(*timing->ttft_ns);
      collected.tpot.push_back(*timing->tpot_ns);
    }
  }
  result.sample_count = collected.latency.size();
  result.max_latency_s = ns_to_seconds(max_latency);
  record_final_query(record, result);

  const double target = settings.target_latency_percentile;
  result.latency = reduce(collected.latency, result.sample_count, target);
  if (settings.scenario == Scenario::kServer) {
    result.overlatency_query_count = static_cast<uint64_t>(
        std::count_if(collected.latency.begin(), collected.latency.end(),
                      [&](int64_t ns) { return ns > settings.target_latency.count(); }));
  }
  if (settings.use_token_latencies && !collected.ttft.empty()) {
    result.first_token = reduce(collected.ttft, result.sample_count, target);
    result.time_per_output_token = reduce(collected.tpot, result.sample_count, target);
  }
  if (!settings.use_token_latencies) result.token_count = 0;
  compute_throughput(result);

  Validity& validity = result.validity;
  validity.min_duration_met = min_duration_met(result, settings);
  if (!validity.min_duration_met) {
    validity.min_duration_recommendation = min_duration_recommendation(result.scenario);
  }
  validity.min_queries_met = result.queries_issued >= settings.min_query_count &&
                             result.sample_count >= settings.min_sample_count;
  check_perf_constraints(result, settings, validity);
  check_early_stopping(result, settings, collected);
  validity.all_samples_completed = result.incomplete_samples == 0;
  return result;
}

}  // namespace mlbench::loadgen
