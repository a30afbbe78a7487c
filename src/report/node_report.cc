#include "mlbench/report/node_report.h"

#include <fmt/format.h>

#include <algorithm>

#include "mlbench/report/summary_log.h"

#include "report/text.h"

namespace mlbench::report {
namespace {

namespace fs = std::filesystem;

constexpr std::array<std::string_view, 15> kComparableKeys = {
    "effective_scenario",
    "effective_test_mode",
    "effective_target_qps",
    "effective_target_latency_ns",
    "effective_target_latency_percentile",
    "effective_min_duration_ms",
    "effective_max_duration_ms",
    "effective_min_query_count",
    "effective_max_query_count",
    "effective_performance_sample_count",
    "effective_samples_per_query",
    "effective_sample_concatenate_permutation",
    "requested_use_token_latencies",
    "qsl_reported_total_count",
    "sut_name",
};

// Where the scenario's headline throughputs live in each log (specs/loadgen.md §4, §6).
struct ThroughputKeys {
  std::string_view scenario;
  std::string_view samples_detail, samples_summary;
  std::string_view tokens_detail, tokens_summary;
};
constexpr std::array<ThroughputKeys, 4> kThroughputKeys = {{
    {"Offline", "result_samples_per_second", "Samples per second", "result_tokens_per_second",
     "Tokens per second"},
    {"Server", "result_completed_samples_per_sec", "Completed samples per second",
     "result_completed_tokens_per_second", "Completed tokens per second"},
    {"SingleStream", "result_qps_with_loadgen_overhead", "QPS w/ loadgen overhead",
     "result_token_throughput_with_loadgen_overhead", "TPS w/ loadgen overhead"},
    {"MultiStream", "result_qps_with_loadgen_overhead", "QPS w/ loadgen overhead",
     "result_token_throughput_with_loadgen_overhead", "TPS w/ loadgen overhead"},
}};

// A latency kind's keys: detail-log pattern ({} = "min", "50.00", ...) and summary labels.
struct LatencyKeys {
  std::string_view detail_min, detail_mean, detail_max, detail_percentile;
  std::string_view summary_min, summary_mean, summary_max, summary_percentile;
};
constexpr LatencyKeys kLatencyKeys = {"result_min_latency_ns", "result_mean_latency_ns",
                                      "result_max_latency_ns", "result_{}_percentile_latency_ns",
                                      "Min latency (ns)",      "Mean latency (ns)",
                                      "Max latency (ns)",      "{} percentile latency (ns)"};
constexpr LatencyKeys kTtftKeys = {
    "result_first_token_min_latency_ns", "result_first_token_mean_latency_ns",
    "result_first_token_max_latency_ns", "result_first_token_{}_percentile_latency_ns",
    "Min First Token latency (ns)",      "Mean First Token latency (ns)",
    "Max First Token latency (ns)",      "{} percentile first token latency (ns)"};
constexpr LatencyKeys kTpotKeys = {
    "result_time_to_output_token_min", "result_time_to_output_token_mean",
    "result_time_to_output_token_max", "result_time_per_output_token_{}_percentile_ns",
    "Min Time per Output Token (ns)",  "Mean Time per Output Token (ns)",
    "Max Time per Output Token (ns)",  "{} percentile time to output token (ns)"};

struct ValidityKeys {
  std::string_view name, detail, summary;
};
constexpr std::array<ValidityKeys, 4> kValidityKeys = {{
    {"perf_constraints", "result_perf_constraints_met", "Performance constraints satisfied"},
    {"min_duration", "result_min_duration_met", "Min duration satisfied"},
    {"min_queries", "result_min_queries_met", "Min queries satisfied"},
    {"early_stopping", "early_stopping_met", "Early stopping satisfied"},
}};

constexpr std::string_view kIncompleteMessage =
    "Encountered incomplete samples at the end of a series of queries. count: ";

// The parsed logs of one node and the file labels errors use.
struct NodeLogs {
  std::string summary_file, detail_file;
  std::optional<SummaryLog> summary;
  std::optional<DetailLog> detail;
};

class ResultReader {
 public:
  ResultReader(const NodeLogs& logs, std::vector<Error>& problems)
      : logs_(logs), problems_(problems) {}

  std::optional<int64_t> detail_int(std::string_view key) {
    if (!logs_.detail) return std::nullopt;
    return report::detail_int(*logs_.detail, key, logs_.detail_file, problems_);
  }
  std::optional<double> detail_number(std::string_view key) {
    if (!logs_.detail) return std::nullopt;
    return report::detail_number(*logs_.detail, key, logs_.detail_file, problems_);
  }
  std::optional<bool> detail_bool(std::string_view key) {
    if (!logs_.detail) return std::nullopt;
    return report::detail_bool(*logs_.detail, key, logs_.detail_file, problems_);
  }
  std::optional<std::string> detail_string(std::string_view key) {
    if (!logs_.detail) return std::nullopt;
    return report::detail_string(*logs_.detail, key, logs_.detail_file, problems_);
  }
  std::optional<double> summary_number(std::string_view key) const {
    if (!logs_.summary) return std::nullopt;
    return logs_.summary->number(key);
  }

  // The detail log first (what the submission checker reads), then the summary.
  std::optional<Figure> figure(std::string_view detail_key, std::string_view summary_key) {
    if (const auto value = detail_number(detail_key)) {
      return Figure{*value, std::string(kDetailFile), std::string(detail_key)};
    }
    if (const auto value = summary_number(summary_key)) {
      return Figure{*value, std::string(kSummaryFile), std::string(summary_key)};
    }
    return std::nullopt;
  }

  std::optional<LatencyFigures> latency(const LatencyKeys& keys) {
    LatencyFigures figures;
    auto from_detail = [&](std::string_view key) { return detail_int(key); };
    auto from_summary = [&](std::string_view key) -> std::optional<int64_t> {
      const auto value = summary_number(key);
      if (!value) return std::nullopt;
      return static_cast<int64_t>(*value);
    };
    if (logs_.detail && logs_.detail->find(keys.detail_min) != nullptr) {
      fill(figures, keys.detail_min, keys.detail_mean, keys.detail_max, keys.detail_percentile,
           from_detail);
      figures.source = kDetailFile;
    } else if (summary_number(keys.summary_min)) {
      fill(figures, keys.summary_min, keys.summary_mean, keys.summary_max, keys.summary_percentile,
           from_summary);
      figures.source = kSummaryFile;
    } else {
      return std::nullopt;
    }
    return figures;
  }

 private:
  template <typename Read>
  static void fill(LatencyFigures& figures, std::string_view min, std::string_view mean,
                   std::string_view max, std::string_view percentile, Read read) {
    figures.min_ns = read(min);
    figures.mean_ns = read(mean);
    figures.max_ns = read(max);
    for (size_t i = 0; i < kPercentileLabels.size(); ++i) {
      figures.percentiles_ns[i] = read(fmt::format(fmt::runtime(percentile), kPercentileLabels[i]));
    }
  }

  const NodeLogs& logs_;
  std::vector<Error>& problems_;
};

void read_identity(NodeResult& result, ResultReader& reader, const NodeLogs& logs) {
  result.scenario = reader.detail_string("effective_scenario").value_or("");
  result.mode = reader.detail_string("effective_test_mode").value_or("");
  result.sut_name = reader.detail_string("sut_name").value_or("");
  if (logs.summary) {
    if (result.scenario.empty()) result.scenario = logs.summary->scenario;
    if (result.mode.empty()) result.mode = logs.summary->mode;
    if (result.sut_name.empty()) result.sut_name = logs.summary->sut_name;
  }
}

void read_validity(NodeResult& result, ResultReader& reader, const NodeLogs& logs) {
  if (const auto verdict = reader.detail_string("result_validity")) {
    result.valid = *verdict == "VALID";
    result.valid_source = kDetailFile;
  } else if (logs.summary && logs.summary->valid) {
    result.valid = logs.summary->valid;
    result.valid_source = kSummaryFile;
  }
  for (const ValidityKeys& keys : kValidityKeys) {
    if (const auto met = reader.detail_bool(keys.detail)) {
      result.conditions.push_back(
          {std::string(keys.name), *met, std::string(kDetailFile), std::string(keys.detail)});
      continue;
    }
    if (!logs.summary) continue;
    for (const auto& [label, met] : logs.summary->conditions) {
      if (label == keys.summary) {
        result.conditions.push_back(
            {std::string(keys.name), met, std::string(kSummaryFile), label});
      }
    }
  }
  result.invalid_reason = reader.detail_string("result_invalid_reason").value_or("");
  if (logs.summary) {
    result.recommendations = logs.summary->recommendations;
    for (const auto& [block, text] : logs.summary->early_stopping) {
      if (!text.empty())
        result.early_stopping.emplace_back(block.empty() ? "latency" : block, text);
    }
  }
  if (result.early_stopping.empty()) {
    for (const auto& [block, key] : {std::pair{"TTFT", "early_stopping_ttft_result"},
                                     std::pair{"TPOT", "early_stopping_tpot_result"},
                                     std::pair{"latency", "early_stopping_result"}}) {
      const auto text = reader.detail_string(key);
      if (text && !text->empty()) result.early_stopping.emplace_back(block, *text);
    }
  }
}

// Samples issued and completed, from the most direct witness available.
std::optional<SampleCounts> sample_counts(const NodeResult& result, ResultReader& reader,
                                          const NodeLogs& logs, const EventsLog* events) {
  if (events && events->result) {
    return SampleCounts{events->result->issued, events->result->completed,
                        std::string(kEventsFile)};
  }
  if (result.is_accuracy_run() && result.accuracy_log) {
    // LoadGen issues every accuracy sample and waits for each; the log holds one per response.
    return SampleCounts{result.accuracy_log->entries, result.accuracy_log->entries,
                        std::string(kAccuracyLogFile)};
  }
  const auto queries = reader.detail_int("result_query_count");
  const auto per_query = reader.detail_int("generated_samples_per_query");
  if (queries && per_query && *queries >= 0 && *per_query >= 0) {
    const auto issued = static_cast<uint64_t>(*queries * *per_query);
    uint64_t incomplete = 0;
    for (const DetailMessage& error : logs.detail->errors) {
      if (!error.text.starts_with(kIncompleteMessage)) continue;
      if (const auto count = text::parse_int(error.text.substr(kIncompleteMessage.size()))) {
        incomplete += static_cast<uint64_t>(std::max<int64_t>(0, *count));
      }
    }
    return SampleCounts{issued, issued - std::min(issued, incomplete), std::string(kDetailFile)};
  }
  if (events && !events->progress.empty()) {
    return SampleCounts{events->progress.back().issued, events->progress.back().completed,
                        std::string(kEventsFile)};
  }
  return std::nullopt;
}

void read_performance(NodeResult& result, ResultReader& reader) {
  for (const ThroughputKeys& keys : kThroughputKeys) {
    if (keys.scenario != result.scenario) continue;
    result.samples_per_second = reader.figure(keys.samples_detail, keys.samples_summary);
    result.tokens_per_second = reader.figure(keys.tokens_detail, keys.tokens_summary);
  }
  result.latency = reader.latency(kLatencyKeys);
  result.ttft = reader.latency(kTtftKeys);
  result.tpot = reader.latency(kTpotKeys);
}

void read_settings(NodeResult& result, const NodeLogs& logs) {
  if (!logs.detail) return;
  for (std::string_view key : kComparableKeys) {
    if (const DetailEntry* entry = logs.detail->find(key)) {
      result.settings.emplace_back(std::string(key), entry->value);
    }
  }
}

template <typename Parsed, typename Parse>
std::optional<Parsed> read_optional_file(const fs::path& path, const std::string& label,
                                         NodeReport& node, Parse parse, bool required) {
  auto content = text::read_file(path);
  if (!content) {
    if (content.error().code != ErrorCode::kNotFound || required) {
      node.problems.push_back(Error{content.error().code, content.error().message, label});
    }
    return std::nullopt;
  }
  Parsed parsed = parse(*content, label);
  node.problems.insert(node.problems.end(), parsed.problems.begin(), parsed.problems.end());
  return parsed;
}

void read_status(NodeReport& node, const fs::path& node_dir, const std::string& prefix,
                 bool logs_sound) {
  auto outcome = read_node_outcome(node_dir);
  std::string first_problem =
      node.problems.empty() ? std::string() : node.problems.front().describe();
  if (outcome) {
    node.status_source = kNodeOutcomeFile;
    node.status = outcome->status;
    node.error = outcome->error;
    node.host = outcome->host;
    node.started_utc = outcome->started_utc;
    node.ended_utc = outcome->ended_utc;
    node.runner_exit_code = outcome->runner_exit_code;
    if (node.status == NodeStatus::kOk && !logs_sound) {
      node.status = NodeStatus::kPartial;
      node.error = first_problem;
    }
    return;
  }
  if (outcome.error().code != ErrorCode::kNotFound) {
    node.problems.push_back(Error{outcome.error().code, outcome.error().message,
                                  prefix + std::string(kNodeOutcomeFile)});
    if (first_problem.empty()) first_problem = node.problems.back().describe();
  }
  node.status_source = "logs";
  node.status = logs_sound ? NodeStatus::kOk : NodeStatus::kPartial;
  node.error = logs_sound ? std::string() : first_problem;
}

}  // namespace

double SampleCounts::completed_pct() const {
  if (issued == 0) return 0;
  return 100.0 * static_cast<double>(completed) / static_cast<double>(issued);
}

bool NodeResult::has_performance() const {
  return valid.has_value() || samples_per_second || tokens_per_second || latency;
}

std::span<const std::string_view> comparable_settings_keys() {
  return kComparableKeys;
}

NodeReport read_node(const fs::path& node_dir) {
  NodeReport node;
  node.name = node_dir.filename().string();
  const std::string prefix = fmt::format("{}/{}/", kNodesDir, node.name);
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(node_dir, error)) {
    if (entry.is_regular_file(error)) node.files.push_back(entry.path().filename().string());
  }
  std::sort(node.files.begin(), node.files.end());

  NodeLogs logs{prefix + std::string(kSummaryFile), prefix + std::string(kDetailFile), {}, {}};
  logs.summary = read_optional_file<SummaryLog>(node_dir / kSummaryFile, logs.summary_file, node,
                                                parse_summary_log, /*required=*/true);
  logs.detail = read_optional_file<DetailLog>(node_dir / kDetailFile, logs.detail_file, node,
                                              parse_detail_log, /*required=*/true);
  const auto events = read_optional_file<EventsLog>(
      node_dir / kEventsFile, prefix + std::string(kEventsFile), node, parse_events_log, false);

  NodeResult& result = node.result;
  result.accuracy_log = read_optional_file<AccuracyLogSummary>(
      node_dir / kAccuracyLogFile, prefix + std::string(kAccuracyLogFile), node, parse_accuracy_log,
      false);
  result.accuracy = read_optional_file<AccuracyResult>(node_dir / kAccuracyResultFile,
                                                       prefix + std::string(kAccuracyResultFile),
                                                       node, parse_accuracy_result, false);

  ResultReader reader(logs, node.problems);
  read_identity(result, reader, logs);
  if (!result.is_accuracy_run()) {
    read_validity(result, reader, logs);
    read_performance(result, reader);
  }
  read_settings(result, logs);
  if (logs.detail) {
    result.loadgen_errors = logs.detail->errors;
    result.loadgen_warnings = logs.detail->warnings;
  }
  result.samples = sample_counts(result, reader, logs, events ? &*events : nullptr);
  if (result.samples && !result.is_accuracy_run()) {
    result.conditions.push_back({"all_samples_completed",
                                 result.samples->completed == result.samples->issued,
                                 result.samples->source, "samples completed = issued"});
  }
  if (events) {
    node.progress = events->progress;
    node.telemetry = events->telemetry;
    if (!node.telemetry.empty()) node.telemetry_source = kEventsFile;
  }
  if (auto telemetry = read_optional_file<Telemetry>(node_dir / kTelemetryFile,
                                                     prefix + std::string(kTelemetryFile), node,
                                                     parse_telemetry_csv, false);
      telemetry && !telemetry->samples.empty()) {
    node.telemetry = std::move(telemetry->samples);
    node.telemetry_source = kTelemetryFile;
  }
  // A damaged summary or detail log makes the node partial; damage elsewhere is a warning.
  const bool logs_damaged =
      std::any_of(node.problems.begin(), node.problems.end(), [&](const Error& problem) {
        return problem.where.starts_with(logs.summary_file) ||
               problem.where.starts_with(logs.detail_file);
      });
  read_status(node, node_dir, prefix, logs.summary && logs.detail && !logs_damaged);
  return node;
}

}  // namespace mlbench::report
