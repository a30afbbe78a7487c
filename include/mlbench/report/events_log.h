#pragma once

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mlbench/core/error.h"
#include "mlbench/report/telemetry.h"

namespace mlbench::report {

// events.jsonl: the runner's stdout events (design.md §5) as the controller saved them, one
// JSON object per line. The report reads the same fields orchestrator/runner_events.h writes;
// it parses them itself because it must tell a damaged line (a problem, named by line) from an
// unknown event (ignored, for forward compatibility).
struct ProgressPoint {
  uint64_t issued = 0;
  uint64_t completed = 0;
  uint64_t tokens = 0;
  int64_t t_ns = 0;
};

struct FinalEvent {  // the runner's "result" event
  bool valid = false;
  uint64_t issued = 0;
  uint64_t completed = 0;
  uint64_t tokens = 0;
  std::string end_reason;
};

struct EventsLog {
  std::vector<ProgressPoint> progress;
  std::optional<FinalEvent> result;
  std::vector<std::string> errors;         // "error" events' messages
  std::vector<std::string> warnings;       // "log" events at level warning or error
  std::vector<TelemetrySample> telemetry;  // "telemetry" events, same fields as telemetry.csv
  std::vector<Error> problems;
};

EventsLog parse_events_log(std::string_view text, const std::string& file);

// The reading of one `telemetry` event object: t_ns and gpu integers, each reading a number or
// absent (null too: not measured). nullopt, with `why` said, for anything else. The controller
// reads the events it is sent with this too, so both refuse the same lines.
std::optional<TelemetrySample> telemetry_event_sample(const nlohmann::json& object,
                                                      std::string& why);

}  // namespace mlbench::report
