#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "mlbench/report/telemetry.h"

namespace mlbench::orchestrator {

// The runner → controller protocol (design.md §5): one JSON object per line on the runner's
// stdout, `{"event": "<kind>", ...}`. The controller never scrapes human text, and ignores
// kinds it does not know, so newer runners can add events.

struct ProgressEvent {
  uint64_t issued = 0;     // samples handed to the SUT so far
  uint64_t completed = 0;  // samples answered so far
  uint64_t tokens = 0;     // output tokens in the answered samples
  int64_t t_ns = 0;        // since issuing started
  // The samples the run will issue ("total"), when the runner knows it up front; absent from
  // older runners' events. `total_exact` ("total_exact") is false for an estimate (and when
  // a runner sends a total without saying), so an estimate is never shown as exact.
  std::optional<uint64_t> total;
  bool total_exact = false;

  bool operator==(const ProgressEvent&) const = default;
};

struct LogEvent {
  std::string level;  // "info", "warning", "error"
  std::string message;

  bool operator==(const LogEvent&) const = default;
};

// The run ended and its files are written.
struct ResultEvent {
  bool valid = false;  // LoadGen's VALID/INVALID; always false for an accuracy run's perf verdict
  uint64_t issued = 0;
  uint64_t completed = 0;
  uint64_t tokens = 0;
  std::string end_reason;          // why issuing stopped
  std::vector<std::string> files;  // names of the files written under --out

  bool operator==(const ResultEvent&) const = default;
};

// The run could not go on; `message` says why.
struct ErrorEvent {
  std::string message;

  bool operator==(const ErrorEvent&) const = default;
};

// One GPU reading (design.md §5 `telemetry`): `t_ns` on the clock of progress events, `gpu`
// the NVML index, and the readings under their telemetry.csv column names
// (report::kTelemetryMetrics); a reading not measured is absent from the line.
struct TelemetryEvent : report::TelemetrySample {
  bool operator==(const TelemetryEvent&) const = default;
};

using RunnerEvent = std::variant<ProgressEvent, LogEvent, ResultEvent, ErrorEvent, TelemetryEvent>;

// One line of JSON, without the trailing newline.
std::string to_json_line(const RunnerEvent& event);

// nullopt for a line that is not JSON, not an object, has no known "event", or whose fields
// have the wrong types — the controller logs such lines and carries on.
std::optional<RunnerEvent> parse_runner_event(std::string_view line);

}  // namespace mlbench::orchestrator
