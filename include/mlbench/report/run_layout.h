#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "mlbench/core/result.h"

namespace mlbench::report {

// The layout of a run directory (design.md §4), shared by the controller that writes it and the
// report that reads it back:
//
//   runs/<id>/run.json                 the plan (optional for `mlbench report`)
//   runs/<id>/nodes/<node>/node.json   how the node's session ended (optional: logs copied by
//                                      hand from an official LoadGen run have none)
//   runs/<id>/nodes/<node>/...         mlperf_log_*.{txt,json}, events.jsonl, runner.log, ...
//   runs/<id>/report.{json,md,html}
inline constexpr std::string_view kRunFile = "run.json";
inline constexpr std::string_view kNodesDir = "nodes";
inline constexpr std::string_view kNodeOutcomeFile = "node.json";
inline constexpr std::string_view kEventsFile = "events.jsonl";
inline constexpr std::string_view kRunnerLogFile = "runner.log";
inline constexpr std::string_view kTelemetryFile = "telemetry.csv";
inline constexpr std::string_view kAccuracyResultFile = "accuracy.json";

// How one node's part of a run ended, as the controller saw it.
enum class NodeStatus {
  kOk,       // the runner exited 0 or 2 (a finished run, VALID or INVALID) and its files came home
  kFailed,   // it could not be reached, the runner failed, or its files could not be collected
  kTimeout,  // a connect, run or collect deadline passed
  kPartial,  // it stopped early (interrupted, killed) or its files are incomplete; what exists is
             // kept
};
std::string_view to_string(NodeStatus status);
std::optional<NodeStatus> parse_node_status(std::string_view text);

struct NodeOutcome {
  std::string name;
  NodeStatus status = NodeStatus::kFailed;
  std::string error;                    // why, for a node that is not ok; empty when ok
  std::optional<int> runner_exit_code;  // absent when the runner never ran or its exit is unknown
  std::string host;                     // as configured ("local" for the local launcher)
  std::string started_utc;              // ISO 8601, e.g. 2026-12-01T19:30:00Z
  std::string ended_utc;
};

nlohmann::json to_json(const NodeOutcome& outcome);
// `where` names the file the JSON came from, for the error message.
Result<NodeOutcome> node_outcome_from_json(const nlohmann::json& json, const std::string& where);

// Writes nodes/<name>/node.json atomically (temp file + rename).
Result<void> write_node_outcome(const std::filesystem::path& node_dir, const NodeOutcome& outcome);
Result<NodeOutcome> read_node_outcome(const std::filesystem::path& node_dir);

}  // namespace mlbench::report
