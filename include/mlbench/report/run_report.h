#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "mlbench/core/result.h"
#include "mlbench/report/node_report.h"

namespace mlbench::report {

// report.json's schema version (docs/report-schema.md). Bump it when a field changes meaning
// or disappears; adding a field keeps it.
inline constexpr int kReportSchemaVersion = 1;

// What run.json says, every field optional (docs/report-schema.md, "run.json").
struct RunInfo {
  std::string id;  // run.json "run_id", else the run directory's name
  std::string scenario;
  std::string mode;
  std::string started_utc;
  std::string ended_utc;
  bool smoke = false;
  std::string baseline;   // run.json "baseline": a run directory to compare throughput with
  nlohmann::json config;  // "config": the snapshot the controller saved (secrets redacted)
  std::string mlbench_version;
  bool from_run_json = false;
};

// The highest value of one figure across nodes, and the node that has it.
struct WorstFigure {
  double value = 0;
  std::string node;
};

// Sums over the nodes that have results; each sum says how many nodes it covers.
struct Aggregate {
  size_t nodes = 0;
  size_t nodes_ok = 0;
  size_t nodes_with_results = 0;
  size_t nodes_valid = 0;
  size_t nodes_invalid = 0;
  std::optional<double> samples_per_second;
  size_t samples_per_second_nodes = 0;
  std::optional<double> tokens_per_second;
  size_t tokens_per_second_nodes = 0;
  std::optional<SampleCounts> samples;  // summed over nodes with sample counts
  size_t samples_nodes = 0;
  // Percentiles of different nodes cannot be merged without per-sample data; the report gives
  // the highest node value for each, by percentile name.
  std::vector<std::pair<std::string, WorstFigure>> worst_latency_ns;
  std::vector<std::pair<std::string, WorstFigure>> worst_ttft_ns;
  std::vector<std::pair<std::string, WorstFigure>> worst_tpot_ns;
  bool all_valid = false;  // every node ok, with a VALID result
};

struct NodeScaling {
  std::string node;
  double value = 0;      // the node's figure
  double ratio_pct = 0;  // against the baseline's per-node figure
};

// Throughput against a measured baseline run (`--baseline RUN` or run.json "baseline").
struct Scaling {
  std::string baseline_id;
  std::string baseline_dir;
  std::string metric;  // "tokens_per_second" or "samples_per_second"
  double baseline_per_node = 0;
  size_t baseline_nodes = 0;
  size_t nodes = 0;
  double measured = 0;
  double efficiency_pct = 0;  // measured / (nodes * baseline_per_node)
  std::vector<NodeScaling> per_node;
  std::vector<std::string> flags;  // over 100 % and its likely causes
};

struct RunReport {
  int schema_version = kReportSchemaVersion;
  std::string run_dir;
  std::string generated_utc;
  RunInfo run;
  std::vector<NodeReport> nodes;  // sorted by name
  Aggregate aggregate;
  std::optional<Scaling> scaling;
  std::string scaling_refused;  // why no scaling is shown, when a baseline was asked for
  std::vector<std::string> warnings;
};

struct ReportOptions {
  // A baseline run directory; when empty, run.json's "baseline" is used if it names one.
  std::string baseline;
};

// Reads run_dir/nodes/* (and run.json when present) into a report. Fails only when there is no
// nodes/ directory or run.json is damaged beyond reading.
Result<RunReport> build_run_report(const std::filesystem::path& run_dir,
                                   const ReportOptions& options = {});

// How the run came out, for exit codes: a node that is not ok outranks an INVALID result.
enum class RunVerdict { kOk, kInvalid, kNodesFailed };
RunVerdict run_verdict(const RunReport& report);

}  // namespace mlbench::report
