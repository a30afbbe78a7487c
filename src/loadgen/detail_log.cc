#include "mlbench/loadgen/detail_log.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <source_location>
#include <string_view>
#include <vector>

#include "mlbench/core/version.h"

#include "log_format.h"

namespace mlbench::loadgen {
namespace {

using log_format::json_string;
using log_format::ostream_double;

// The LoadGen version whose files and arithmetic we reproduce.
constexpr std::string_view kLoadGenVersion = "6.0.17";

// A value already in its log encoding; the overloads mirror LoadGen's ArgValueTransform.
struct LogValue {
  std::string text;
};
LogValue encode(std::string_view text) {
  return {json_string(text)};
}
LogValue encode(const char* text) {
  return {json_string(text)};
}
LogValue encode(const std::string& text) {
  return {json_string(text)};
}
LogValue encode(bool flag) {
  return {flag ? "true" : "false"};
}
LogValue encode(double value) {
  return {ostream_double(value)};
}
template <typename Integer>
requires std::is_integral_v<Integer> LogValue encode(Integer value) {
  return {fmt::format("{}", value)};
}
// LoadGen prints an empty list as "]" and an empty map as "}" (invalid JSON); we print [] / {}.
LogValue encode(const std::vector<uint64_t>& values) {
  return {fmt::format("[{}]", fmt::join(values, ","))};
}
LogValue encode(const std::map<std::string, std::string>& entries) {
  std::string text = "{";
  for (const auto& [name, hash] : entries) {
    if (text.size() > 1) text += ',';
    text += json_string(name) + ':' + json_string(hash);
  }
  return {text + "}"};
}

// Our own source file, trimmed to the repository-relative path, for `metadata.file` (LoadGen
// writes its __FILE__ there).
std::string_view source_file(const std::source_location& where) {
  std::string_view path = where.file_name();
  const size_t src = path.rfind("src/loadgen/");
  return src == std::string_view::npos ? path : path.substr(src);
}

enum class Flag { kNone, kError, kWarning };

class DetailLog {
 public:
  explicit DetailLog(const DetailLogIdentity& identity) : identity_(identity) {}

  void at(std::chrono::nanoseconds time) { time_ = std::max(time, std::chrono::nanoseconds{0}); }

  template <typename T>
  void log(std::string_view key, const T& value,
           std::source_location where = std::source_location::current()) {
    write(key, encode(value), Flag::kNone, where);
  }
  template <typename T>
  void error(std::string_view key, const T& value,
             std::source_location where = std::source_location::current()) {
    write(key, encode(value), Flag::kError, where);
    ++errors_;
  }
  template <typename T>
  void warning(std::string_view key, const T& value,
               std::source_location where = std::source_location::current()) {
    write(key, encode(value), Flag::kWarning, where);
  }

  uint64_t errors() const { return errors_; }
  std::string take() { return std::move(text_); }

 private:
  void write(std::string_view key, const LogValue& value, Flag flag,
             const std::source_location& where) {
    const auto ns = static_cast<uint64_t>(time_.count());
    fmt::format_to(std::back_inserter(text_),
                   ":::MLLOG {{\"key\": {}, \"value\": {}, \"time_ms\": {}.{:06}, "
                   "\"namespace\": \"mlperf::logging\", \"event_type\": \"POINT_IN_TIME\", "
                   "\"metadata\": {{\"is_error\": {}, \"is_warning\": {}, \"file\": {}, "
                   "\"line_no\": {}, \"pid\": {}, \"tid\": {}}}}}\n",
                   json_string(key), value.text, ns / 1'000'000, ns % 1'000'000,
                   flag == Flag::kError, flag == Flag::kWarning, json_string(source_file(where)),
                   where.line(), identity_.pid, identity_.tid);
  }

  const DetailLogIdentity& identity_;
  std::chrono::nanoseconds time_{0};
  std::string text_;
  uint64_t errors_ = 0;
};

void log_header(DetailLog& log, const RunRecord& record, const DetailLogIdentity& identity) {
  log.log("loadgen_version", identity.loadgen_version);
  log.log("loadgen_build_date_local", identity.build_date_local);
  log.log("loadgen_build_date_utc", identity.build_date_utc);
  log.log("loadgen_git_commit_date", identity.git_commit_date);
  log.log("loadgen_git_log_message", identity.git_log_message);
  log.log("loadgen_git_status_message", identity.git_status_message);
  log.log("loadgen_file_sha1", identity.file_sha1);
  log.log("test_datetime", log_format::iso8601_utc(record.started_wall));
  log.log("sut_name", record.sut_name);
  log.log("get_sut_name_duration_ns", 0);  // we do not time the SUT's name
  log.log("qsl_name", record.qsl_name);
  log.log("qsl_reported_total_count", record.qsl.total);
  log.log("qsl_reported_performance_count", record.qsl.performance);
}

// LoadGen logs these while it builds its settings, between the QSL lines and requested_*.
void log_settings_errors(DetailLog& log, const RunRecord& record) {
  for (const SettingsDiagnostic& diagnostic : record.settings_diagnostics) {
    if (diagnostic.severity != DiagnosticSeverity::kLoadGenError) continue;
    log.error(diagnostic.loadgen_log_key, diagnostic.message);
  }
}

void log_requested(DetailLog& log, const TestSettings& s) {
  log.log("requested_scenario", to_string(s.scenario));
  log.log("requested_test_mode", to_string(s.mode));
  switch (s.scenario) {
    case Scenario::kSingleStream:
      log.log("requested_single_stream_expected_latency_ns", s.single_stream_expected_latency_ns);
      log.log("requested_single_stream_target_latency_percentile",
              s.single_stream_target_latency_percentile);
      break;
    case Scenario::kMultiStream:
      log.log("requested_multi_stream_expected_latency_ns", s.multi_stream_expected_latency_ns);
      log.log("requested_multi_stream_target_latency_percentile",
              s.multi_stream_target_latency_percentile);
      log.log("requested_multi_stream_samples_per_query", s.multi_stream_samples_per_query);
      break;
    case Scenario::kServer:
      log.log("requested_server_target_qps", s.server_target_qps);
      log.log("requested_server_target_latency_ns", s.server_target_latency_ns);
      log.log("requested_server_target_latency_percentile", s.server_target_latency_percentile);
      log.log("requested_server_coalesce_queries", s.server_coalesce_queries);
      log.log("requested_server_find_peak_qps_decimals_of_precision",
              s.server_find_peak_qps_decimals_of_precision);
      log.log("requested_server_find_peak_qps_boundary_step_size",
              s.server_find_peak_qps_boundary_step_size);
      log.log("requested_server_max_async_queries", s.server_max_async_queries);
      log.log("requested_server_num_issue_query_threads", s.server_num_issue_query_threads);
      break;
    case Scenario::kOffline:
      log.log("requested_offline_expected_qps", s.offline_expected_qps);
      break;
  }
  log.log("requested_min_duration_ms", s.min_duration_ms);
  log.log("requested_max_duration_ms", s.max_duration_ms);
  log.log("requested_min_query_count", s.min_query_count);
  log.log("requested_max_query_count", s.max_query_count);
  log.log("requested_qsl_rng_seed", s.qsl_rng_seed);
  log.log("requested_sample_index_rng_seed", s.sample_index_rng_seed);
  log.log("requested_schedule_rng_seed", s.schedule_rng_seed);
  log.log("requested_accuracy_log_rng_seed", s.accuracy_log_rng_seed);
  log.log("requested_accuracy_log_probability", s.accuracy_log_probability);
  log.log("requested_accuracy_log_sampling_target", s.accuracy_log_sampling_target);
  log.log("requested_print_timestamps", s.print_timestamps);
  log.log("requested_performance_issue_unique", s.performance_issue_unique);
  log.log("requested_performance_issue_same", s.performance_issue_same);
  log.log("requested_performance_issue_same_index", s.performance_issue_same_index);
  log.log("requested_performance_sample_count_override", s.performance_sample_count_override);
  log.log("requested_accuracy_sample_count_override", s.accuracy_sample_count_override);
  log.log("requested_sample_concatenate_permutation", s.sample_concatenate_permutation);
  if (s.use_token_latencies) {
    log.log("requested_use_token_latencies", s.use_token_latencies);
    if (s.scenario != Scenario::kOffline) {
      log.log("requested_server_ttft_latency", s.server_ttft_latency);
      log.log("requested_server_tpot_latency", s.server_tpot_latency);
    }
  }
}

void log_effective(DetailLog& log, const EffectiveSettings& s) {
  log.log("effective_scenario", to_string(s.scenario));
  log.log("effective_test_mode", to_string(s.mode));
  log.log("effective_samples_per_query", s.samples_per_query);
  log.log("effective_target_qps", s.target_qps);
  log.log("effective_target_latency_ns", s.target_latency.count());
  log.log("effective_target_latency_percentile", s.target_latency_percentile);
  log.log("effective_max_async_queries", s.max_async_queries);
  log.log("effective_target_duration_ms", s.target_duration.count());
  log.log("effective_min_duration_ms", s.min_duration.count());
  log.log("effective_max_duration_ms", s.max_duration.count());
  log.log("effective_min_query_count", s.min_query_count);
  log.log("effective_max_query_count", s.max_query_count);
  log.log("effective_min_sample_count", s.min_sample_count);
  log.log("effective_qsl_rng_seed", s.qsl_rng_seed);
  log.log("effective_sample_index_rng_seed", s.sample_index_rng_seed);
  log.log("effective_schedule_rng_seed", s.schedule_rng_seed);
  log.log("effective_accuracy_log_rng_seed", s.accuracy_log_rng_seed);
  log.log("effective_accuracy_log_probability", s.accuracy_log_probability);
  log.log("effective_accuracy_log_sampling_target", s.accuracy_log_sampling_target);
  log.log("effective_print_timestamps", s.print_timestamps);
  log.log("effective_performance_issue_unique", s.performance_issue_unique);
  log.log("effective_performance_issue_same", s.performance_issue_same);
  log.log("effective_performance_issue_same_index", s.performance_issue_same_index);
  log.log("effective_performance_sample_count", s.performance_sample_count);
  log.log("effective_accuracy_sample_count", s.accuracy_sample_count);
  log.log("effective_sample_concatenate_permutation", s.sample_concatenate_permutation);
}

// What LoadGen logs for one loadable set before issuing it.
struct LoadableSetBlock {
  std::vector<uint64_t> samples;
  uint64_t query_count = 0;
  uint64_t samples_per_query = 0;
  // The samples issued for this set: a range of RunRecord::samples.
  size_t first_sample = 0;
  size_t end_sample = 0;
};

// A performance run uses one set. An accuracy run walks every set of performance_sample_count
// samples (the last may be smaller) and LoadGen logs each; RunRecord holds them concatenated,
// so we cut them apart again and derive each set's query shape (Offline: one query holding the
// set; others: one query per samples_per_query samples).
std::vector<LoadableSetBlock> loadable_set_blocks(const RunRecord& record) {
  const EffectiveSettings& s = record.settings;
  const uint64_t set_size = s.performance_sample_count;
  if (record.phase == QueryPhase::kPerformance || set_size == 0 ||
      record.loaded_set.size() <= set_size) {
    return {{record.loaded_set, record.generated_query_count, record.generated_samples_per_query, 0,
             record.samples.size()}};
  }
  std::vector<LoadableSetBlock> blocks;
  for (size_t begin = 0; begin < record.loaded_set.size(); begin += set_size) {
    const size_t end = std::min<size_t>(begin + set_size, record.loaded_set.size());
    LoadableSetBlock block;
    block.samples.assign(record.loaded_set.begin() + static_cast<std::ptrdiff_t>(begin),
                         record.loaded_set.begin() + static_cast<std::ptrdiff_t>(end));
    const uint64_t size = block.samples.size();
    if (s.scenario == Scenario::kOffline) {
      block.query_count = 1;
      block.samples_per_query = size;
    } else {
      block.samples_per_query = s.samples_per_query;
      block.query_count = s.samples_per_query == 0 ? 0 : size / s.samples_per_query;
    }
    // Accuracy mode issues every sample of a set exactly once, set after set.
    block.first_sample = std::min(begin, record.samples.size());
    block.end_sample = std::min(end, record.samples.size());
    blocks.push_back(std::move(block));
  }
  blocks.back().end_sample = record.samples.size();
  return blocks;
}

void log_loadable_set(DetailLog& log, const LoadableSetBlock& block,
                      std::chrono::nanoseconds generated_duration) {
  log.log("loaded_qsl_set", block.samples);
  log.log("generated_query_count", block.query_count);
  log.log("generated_samples_per_query", block.samples_per_query);
  log.log("generated_query_duration", generated_duration.count());
}

std::chrono::nanoseconds final_issue_time(const RunRecord& record) {
  std::chrono::nanoseconds last{0};
  for (const SampleRecord& sample : record.samples)
    last = std::max(last, sample.issued);
  return last;
}

// When the samples in [first, end) started and stopped keeping the SUT busy: the first issue and
// the last completion (LoadGen's start and max completion time).
struct ActiveSpan {
  std::chrono::nanoseconds begin{0};
  std::chrono::nanoseconds end{0};
};
ActiveSpan active_span(const RunRecord& record, size_t first, size_t end) {
  ActiveSpan span;
  if (first < end) span.begin = record.samples[first].issued;
  span.end = span.begin;
  for (size_t i = first; i < end; ++i) {
    const SampleRecord& sample = record.samples[i];
    span.begin = std::min(span.begin, sample.issued);
    if (sample.completed) span.end = std::max(span.end, *sample.completed);
  }
  return span;
}

// Errors and warnings as they happened, then how issuing ended.
void log_run_messages(DetailLog& log, const RunRecord& record, const PerformanceResult& result) {
  std::vector<const RuntimeError*> errors;
  for (const RuntimeError& error : record.errors)
    errors.push_back(&error);
  std::stable_sort(errors.begin(), errors.end(),
                   [](const RuntimeError* a, const RuntimeError* b) { return a->at < b->at; });
  const std::chrono::nanoseconds ended = final_issue_time(record);
  bool ending_logged = false;
  auto log_ending = [&] {
    if (ending_logged) return;
    ending_logged = true;
    if (record.end_reason != EndReason::kMinimumsMet) return;
    log.at(ended);
    log.log("generic_message", "Ending naturally: Minimum query count and test duration met.");
  };
  for (const RuntimeError* error : errors) {
    if (error->at > ended) log_ending();
    log.at(error->at);
    log.error("error_runtime", error->message);
  }
  log_ending();
  for (const std::string& warning : record.warnings)
    log.warning("warning_generic_message", warning);
  if (result.incomplete_samples > 0) {
    log.at(active_span(record, 0, record.samples.size()).end);
    log.error("error_runtime", incomplete_samples_message(result.incomplete_samples));
  }
}

// The power window is the wall-clock start of issuing plus the span's offsets (LoadGen: start
// plus the SUT's active duration). One set's span in an accuracy run, the whole run otherwise.
void log_end_of_set(DetailLog& log, const RunRecord& record, ActiveSpan span, bool whole_run) {
  log.at(span.end);
  // LoadGen's logger contention counters; our log has no contention to count.
  log.log("logger_swap_request_slots_retry_count", 0);
  log.log("logger_swap_request_slots_retry_retry_count", 0);
  log.log("logger_swap_request_slots_retry_reencounter_count", 0);
  log.log("logger_start_reading_entries_retry_count", 0);
  log.log("logger_tls_total_log_cas_fail_count", 0);
  log.log("logger_tls_total_swap_buffers_slot_retry_count", 0);
  const auto wall = [&](std::chrono::nanoseconds offset) {
    return record.started_wall +
           std::chrono::duration_cast<std::chrono::system_clock::duration>(offset);
  };
  log.log("power_begin",
          log_format::power_timestamp(whole_run ? record.started_wall : wall(span.begin)));
  log.log("power_end", log_format::power_timestamp(whole_run ? record.ended_wall : wall(span.end)));
}

std::string single_line(std::string text) {
  std::replace(text.begin(), text.end(), '\n', ' ');
  return text;
}

void log_validity(DetailLog& log, const EffectiveSettings& settings, const PerformanceResult& r) {
  const Validity& v = r.validity;
  log.log("result_validity", v.valid() ? "VALID" : "INVALID");
  if (settings.scenario == Scenario::kServer) {
    log.log("result_perf_constraints_met", v.perf_constraints_met);
  }
  log.log("result_min_duration_met", v.min_duration_met);
  log.log("result_min_queries_met", v.min_queries_met);
  log.log("early_stopping_met", v.early_stopping_met);
  if (!v.valid()) {
    std::string reason;
    if (!v.perf_constraints_met) reason += v.perf_constraints_recommendation + " ";
    if (!v.min_duration_met) reason += v.min_duration_recommendation + " ";
    if (!v.min_queries_met) reason += "The test exited early, before enough queries were issued.";
    if (!v.all_samples_completed) {
      if (!reason.empty() && reason.back() != ' ') reason += ' ';
      reason += fmt::format("{} of {} issued samples never completed.", r.incomplete_samples,
                            r.samples_issued);
    }
    log.log("result_invalid_reason", single_line(reason));
  }
  if (!settings.use_token_latencies) {
    log.log("early_stopping_result", single_line(v.early_stopping_text));
  } else {
    log.log("early_stopping_ttft_result", single_line(v.early_stopping_ttft_text));
    log.log("early_stopping_tpot_result", single_line(v.early_stopping_tpot_text));
  }
}

std::string percentile_key_part(double percentile) {
  return log_format::fixed(percentile * 100);
}

void log_scenario_results(DetailLog& log, const EffectiveSettings& settings,
                          const PerformanceResult& r) {
  log.log("result_query_count", r.queries_issued);
  if (settings.scenario == Scenario::kServer) {
    log.log("result_overlatency_query_count", r.overlatency_query_count);
  }
  switch (settings.scenario) {
    case Scenario::kSingleStream:
      log.log("result_qps_with_loadgen_overhead", r.qps_with_loadgen_overhead);
      log.log("result_qps_without_loadgen_overhead", r.qps_without_loadgen_overhead);
      log.log("early_stopping_latency_ss", r.early_stopping_latency_ss_ns);
      log.log("early_stopping_latency_ms", r.early_stopping_latency_ms_ns);
      break;
    case Scenario::kMultiStream:
      log.log("early_stopping_latency_ms", r.early_stopping_latency_ms_ns);
      break;
    case Scenario::kServer:
      log.log("result_scheduled_samples_per_sec", r.scheduled_samples_per_second);
      log.log("result_completed_samples_per_sec", r.completed_samples_per_second);
      break;
    case Scenario::kOffline: log.log("result_samples_per_second", r.samples_per_second); break;
  }
}

void log_latencies(DetailLog& log, const PerformanceResult& r) {
  log.log("result_min_latency_ns", r.latency.min_ns);
  log.log("result_max_latency_ns", r.latency.max_ns);
  log.log("result_mean_latency_ns", r.latency.mean_ns);
  for (size_t i = 0; i < kReportedPercentiles.size(); ++i) {
    log.log(fmt::format("result_{}_percentile_latency_ns",
                        percentile_key_part(kReportedPercentiles[i])),
            r.latency.percentiles_ns[i]);
  }
}

void log_token_results(DetailLog& log, const EffectiveSettings& settings,
                       const PerformanceResult& r) {
  if (!settings.use_token_latencies) return;
  if (settings.scenario == Scenario::kOffline) {
    log.log("result_tokens_per_second", r.tokens_per_second);
    return;
  }
  const LatencyStats none;
  const LatencyStats& ttft = r.first_token ? *r.first_token : none;
  const LatencyStats& tpot = r.time_per_output_token ? *r.time_per_output_token : none;
  log.log("result_first_token_min_latency_ns", ttft.min_ns);
  log.log("result_first_token_max_latency_ns", ttft.max_ns);
  log.log("result_first_token_mean_latency_ns", ttft.mean_ns);
  for (size_t i = 0; i < kReportedPercentiles.size(); ++i) {
    log.log(fmt::format("result_first_token_{}_percentile_latency_ns",
                        percentile_key_part(kReportedPercentiles[i])),
            ttft.percentiles_ns[i]);
  }
  log.log("result_token_throughput_with_loadgen_overhead", r.tps_with_loadgen_overhead);
  log.log("result_token_throughput", r.token_throughput_per_ns);
  for (size_t i = 0; i < kReportedPercentiles.size(); ++i) {
    log.log(fmt::format("result_time_per_output_token_{}_percentile_ns",
                        percentile_key_part(kReportedPercentiles[i])),
            tpot.percentiles_ns[i]);
  }
  log.log("result_time_to_output_token_min", tpot.min_ns);
  log.log("result_time_to_output_token_max", tpot.max_ns);
  log.log("result_time_to_output_token_mean", tpot.mean_ns);
  log.log("result_completed_tokens_per_second", r.completed_tokens_per_second);
}

void log_inferred_tokens(DetailLog& log, const EffectiveSettings& settings,
                         const PerformanceResult& r) {
  if (!settings.infer_token_latencies) return;
  const auto scaling = static_cast<double>(settings.token_latency_scaling_factor);
  const double completed = r.sample_count == 0 ? 0 : static_cast<double>(r.sample_count - 1);
  if (settings.scenario == Scenario::kServer && r.final_query_all_samples_done_s != 0) {
    log.log("result_inferred_completed_tokens_per_second",
            completed * scaling / r.final_query_all_samples_done_s);
  } else if (settings.scenario == Scenario::kOffline && r.max_latency_s != 0) {
    log.log("result_inferred_tokens_per_second",
            static_cast<double>(r.sample_count) * scaling / r.max_latency_s);
  }
}

}  // namespace

DetailLogIdentity mlbench_log_identity() {
  DetailLogIdentity identity;
  identity.loadgen_version =
      fmt::format("{} @ mlbench {} {}", kLoadGenVersion, mlbench::version(), git_commit());
  return identity;
}

std::string incomplete_samples_message(uint64_t count) {
  return fmt::format("Encountered incomplete samples at the end of a series of queries. count: {}",
                     count);
}

ProblemCounts count_logged_problems(const RunRecord& record, const PerformanceResult& result) {
  ProblemCounts counts;
  for (const SettingsDiagnostic& diagnostic : record.settings_diagnostics) {
    if (diagnostic.severity == DiagnosticSeverity::kLoadGenError) ++counts.errors;
  }
  counts.errors += record.errors.size();
  if (result.incomplete_samples > 0) ++counts.errors;
  counts.warnings = record.warnings.size();
  return counts;
}

std::string render_detail_log(const RunRecord& record, const PerformanceResult& result,
                              const DetailLogIdentity& identity) {
  const EffectiveSettings& settings = record.settings;
  DetailLog log(identity);
  log_header(log, record, identity);
  log_settings_errors(log, record);
  log_requested(log, settings.requested);
  log_effective(log, settings);

  const bool accuracy = record.phase == QueryPhase::kAccuracy;
  log.log("generic_message", accuracy ? "Starting accuracy mode" : "Starting performance mode");
  const std::vector<LoadableSetBlock> blocks = loadable_set_blocks(record);
  for (size_t i = 0; i < blocks.size(); ++i) {
    const LoadableSetBlock& block = blocks[i];
    const ActiveSpan span = active_span(record, block.first_sample, block.end_sample);
    log.at(span.begin);
    log_loadable_set(log, block, record.generated_query_duration);
    if (i + 1 == blocks.size()) log_run_messages(log, record, result);
    log_end_of_set(log, record, span, blocks.size() == 1);
  }
  if (accuracy) return log.take();

  log_validity(log, settings, result);
  log_scenario_results(log, settings, result);
  log_latencies(log, result);
  log_token_results(log, settings, result);
  log_inferred_tokens(log, settings, result);
  log.log("num_errors", log.errors());
  return log.take();
}

}  // namespace mlbench::loadgen
