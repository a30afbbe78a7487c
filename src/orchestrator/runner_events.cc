#include "mlbench/orchestrator/runner_events.h"

#include <nlohmann/json.hpp>

#include "mlbench/report/events_log.h"

namespace mlbench::orchestrator {
namespace {

using nlohmann::json;

struct ToJson {
  json operator()(const ProgressEvent& e) const {
    json out = {{"event", "progress"},
                {"issued", e.issued},
                {"completed", e.completed},
                {"tokens", e.tokens},
                {"t_ns", e.t_ns}};
    if (e.total) {
      out["total"] = *e.total;
      out["total_exact"] = e.total_exact;
    }
    return out;
  }
  json operator()(const LogEvent& e) const {
    return {{"event", "log"}, {"level", e.level}, {"message", e.message}};
  }
  json operator()(const ResultEvent& e) const {
    return {{"event", "result"},        {"valid", e.valid},   {"issued", e.issued},
            {"completed", e.completed}, {"tokens", e.tokens}, {"end_reason", e.end_reason},
            {"files", e.files}};
  }
  json operator()(const ErrorEvent& e) const {
    return {{"event", "error"}, {"message", e.message}};
  }
  json operator()(const TelemetryEvent& e) const {
    json out = {{"event", "telemetry"}, {"t_ns", e.t_ns}, {"gpu", e.gpu}};
    for (const report::TelemetryMetric& metric : report::kTelemetryMetrics) {
      if (const std::optional<double>& value = e.*(metric.field)) {
        out[std::string(metric.column)] = *value;
      }
    }
    return out;
  }
};

std::optional<RunnerEvent> from_json(const json& object, std::string_view kind) {
  if (kind == "progress") {
    ProgressEvent progress{object.at("issued").get<uint64_t>(),
                           object.at("completed").get<uint64_t>(),
                           object.at("tokens").get<uint64_t>(), object.at("t_ns").get<int64_t>()};
    // Both optional: events of runners from before `total` have neither. A total that is not
    // a count is dropped rather than the event: the line then shows what it showed before.
    if (const auto total = object.find("total");
        total != object.end() && total->is_number_unsigned()) {
      progress.total = total->get<uint64_t>();
      const auto exact = object.find("total_exact");
      progress.total_exact = exact != object.end() && exact->is_boolean() && exact->get<bool>();
    }
    return progress;
  }
  if (kind == "log") {
    return LogEvent{object.at("level").get<std::string>(), object.at("message").get<std::string>()};
  }
  if (kind == "result") {
    return ResultEvent{object.at("valid").get<bool>(),
                       object.at("issued").get<uint64_t>(),
                       object.at("completed").get<uint64_t>(),
                       object.at("tokens").get<uint64_t>(),
                       object.at("end_reason").get<std::string>(),
                       object.at("files").get<std::vector<std::string>>()};
  }
  if (kind == "telemetry") {
    // The report's reader, so that a line the controller takes is one the report takes.
    std::string why;
    std::optional<report::TelemetrySample> sample = report::telemetry_event_sample(object, why);
    if (!sample) return std::nullopt;
    return TelemetryEvent{*sample};
  }
  return ErrorEvent{object.at("message").get<std::string>()};
}

}  // namespace

std::string to_json_line(const RunnerEvent& event) {
  // Invalid UTF-8 in a message must not make the line unparseable.
  return std::visit(ToJson{}, event).dump(-1, ' ', false, json::error_handler_t::replace);
}

std::optional<RunnerEvent> parse_runner_event(std::string_view line) {
  const json object = json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (!object.is_object()) return std::nullopt;
  const auto kind = object.find("event");
  if (kind == object.end() || !kind->is_string()) return std::nullopt;
  const std::string name = kind->get<std::string>();
  if (name != "progress" && name != "log" && name != "result" && name != "error" &&
      name != "telemetry") {
    return std::nullopt;
  }
  try {
    return from_json(object, name);
  } catch (const json::exception&) {
    return std::nullopt;  // a known event with missing or mistyped fields
  }
}

}  // namespace mlbench::orchestrator
