#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "mlbench/core/error.h"
#include "mlbench/report/accuracy_log.h"
#include "mlbench/report/accuracy_result.h"
#include "mlbench/report/detail_log.h"
#include "mlbench/report/events_log.h"
#include "mlbench/report/run_layout.h"
#include "mlbench/report/telemetry.h"

namespace mlbench::report {

inline constexpr std::string_view kSummaryFile = "mlperf_log_summary.txt";
inline constexpr std::string_view kDetailFile = "mlperf_log_detail.txt";
inline constexpr std::string_view kAccuracyLogFile = "mlperf_log_accuracy.json";

// A figure and where it came from: the file (as named in the node directory) and the key or
// line label it was read under.
struct Figure {
  double value = 0;
  std::string source;
  std::string key;
};

// The percentiles LoadGen reports, with the names report.json gives them.
inline constexpr std::array<std::string_view, 6> kPercentileNames = {"p50", "p90", "p95",
                                                                     "p97", "p99", "p99_9"};
inline constexpr std::array<std::string_view, 6> kPercentileLabels = {"50.00", "90.00", "95.00",
                                                                      "97.00", "99.00", "99.90"};
inline constexpr std::array<double, 6> kPercentileFractions = {0.50, 0.90, 0.95, 0.97, 0.99, 0.999};

// One latency kind (sample latency, TTFT or TPOT), in ns, all from one file.
struct LatencyFigures {
  std::optional<int64_t> min_ns;
  std::optional<int64_t> mean_ns;
  std::optional<int64_t> max_ns;
  std::array<std::optional<int64_t>, 6> percentiles_ns{};
  std::string source;
};

struct ValidityCondition {
  std::string name;  // min_duration, min_queries, perf_constraints, early_stopping, ...
  bool met = false;
  std::string source;
  std::string key;
};

struct SampleCounts {
  uint64_t issued = 0;
  uint64_t completed = 0;
  std::string source;
  // completed / issued in percent; 0 when nothing was issued.
  double completed_pct() const;
};

// What a node's files say about its run.
struct NodeResult {
  std::string scenario;  // LoadGen's name: Offline, Server, SingleStream, MultiStream
  std::string mode;      // PerformanceOnly, AccuracyOnly, ...
  std::string sut_name;
  std::optional<bool> valid;  // absent for an accuracy run (no performance verdict)
  std::string valid_source;
  std::vector<ValidityCondition> conditions;
  std::string invalid_reason;                // LoadGen's result_invalid_reason
  std::vector<std::string> recommendations;  // the summary's "Recommendations:"
  std::vector<std::pair<std::string, std::string>> early_stopping;  // "TTFT" -> text
  std::optional<SampleCounts> samples;
  std::optional<Figure> samples_per_second;
  std::optional<Figure> tokens_per_second;
  std::optional<LatencyFigures> latency;
  std::optional<LatencyFigures> ttft;
  std::optional<LatencyFigures> tpot;
  std::optional<AccuracyLogSummary> accuracy_log;
  std::optional<AccuracyResult> accuracy;
  // The effective settings that make two runs comparable (see comparable_settings_keys).
  std::vector<std::pair<std::string, nlohmann::json>> settings;
  std::vector<DetailMessage> loadgen_errors;  // is_error lines of the detail log
  std::vector<DetailMessage> loadgen_warnings;

  bool is_accuracy_run() const { return mode == "AccuracyOnly"; }
  // Performance figures were read (a verdict, a throughput or latencies).
  bool has_performance() const;
};

struct NodeReport {
  std::string name;
  NodeStatus status = NodeStatus::kPartial;
  std::string error;          // why the node is not ok; empty when ok
  std::string status_source;  // "node.json" or "logs"
  std::string host;
  std::string started_utc;
  std::string ended_utc;
  std::optional<int> runner_exit_code;
  NodeResult result;
  std::vector<ProgressPoint> progress;
  std::vector<TelemetrySample> telemetry;
  std::string telemetry_source;
  std::vector<std::string> files;  // the files found in the node directory, sorted
  std::vector<Error> problems;     // every damaged or missing file, naming file:line
};

// The detail-log keys compared before two runs' throughput may be set against each other.
std::span<const std::string_view> comparable_settings_keys();

// Reads everything in one node directory. Never fails: what cannot be read becomes a problem
// and a `partial` status. Without node.json the status comes from the logs: ok when the summary
// and detail logs parse, partial when one is damaged or missing.
NodeReport read_node(const std::filesystem::path& node_dir);

}  // namespace mlbench::report
