#include "mlbench/report/events_log.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "report/text.h"

namespace mlbench::report {
namespace {

using nlohmann::json;

// Reads a required member of one JSON type; false (and a message) when absent or mistyped.
template <typename T>
bool member(const json& object, const char* name, T& out, std::string& why) {
  const auto found = object.find(name);
  bool typed = false;
  if (found != object.end()) {
    if constexpr (std::is_same_v<T, bool>)
      typed = found->is_boolean();
    else if constexpr (std::is_same_v<T, std::string>)
      typed = found->is_string();
    else if constexpr (std::is_unsigned_v<T>)
      typed = found->is_number_unsigned();
    else if constexpr (std::is_integral_v<T>)
      typed = found->is_number_integer();
    else
      typed = found->is_number();
  }
  if (!typed) {
    why = fmt::format("'{}' is missing or has the wrong type", name);
    return false;
  }
  out = found->get<T>();
  return true;
}

bool read_progress(const json& object, EventsLog& log, std::string& why) {
  ProgressPoint point;
  if (!member(object, "issued", point.issued, why) ||
      !member(object, "completed", point.completed, why) ||
      !member(object, "tokens", point.tokens, why) || !member(object, "t_ns", point.t_ns, why)) {
    return false;
  }
  log.progress.push_back(point);
  return true;
}

bool read_result(const json& object, EventsLog& log, std::string& why) {
  FinalEvent result;
  if (!member(object, "valid", result.valid, why) ||
      !member(object, "issued", result.issued, why) ||
      !member(object, "completed", result.completed, why) ||
      !member(object, "tokens", result.tokens, why)) {
    return false;
  }
  member(object, "end_reason", result.end_reason, why);  // optional
  why.clear();
  if (!log.result) log.result = result;
  return true;
}

bool read_telemetry(const json& object, EventsLog& log, std::string& why) {
  std::optional<TelemetrySample> sample = telemetry_event_sample(object, why);
  if (!sample) return false;
  log.telemetry.push_back(*sample);
  return true;
}

bool read_message(const json& object, const char* name, std::vector<std::string>& out,
                  std::string& why) {
  std::string message;
  if (!member(object, name, message, why)) return false;
  out.push_back(std::move(message));
  return true;
}

}  // namespace

std::optional<TelemetrySample> telemetry_event_sample(const json& object, std::string& why) {
  TelemetrySample sample;
  if (!member(object, "t_ns", sample.t_ns, why) || !member(object, "gpu", sample.gpu, why)) {
    return std::nullopt;
  }
  for (const TelemetryMetric& metric : kTelemetryMetrics) {
    const auto found = object.find(std::string(metric.column));
    if (found == object.end() || found->is_null()) continue;
    if (!found->is_number()) {
      why = fmt::format("'{}' must be a number", metric.column);
      return std::nullopt;
    }
    sample.*(metric.field) = found->get<double>();
  }
  return sample;
}

EventsLog parse_events_log(std::string_view content, const std::string& file) {
  EventsLog log;
  const std::vector<std::string_view> lines = text::lines(content);
  for (size_t i = 0; i < lines.size(); ++i) {
    if (text::trim(lines[i]).empty()) continue;
    auto problem = [&](std::string message) {
      log.problems.push_back(
          Error{ErrorCode::kParse, std::move(message), text::where(file, i + 1)});
    };
    const json object = json::parse(lines[i], nullptr, /*allow_exceptions=*/false);
    if (!object.is_object()) {
      problem("not one JSON object (truncated or damaged line)");
      continue;
    }
    const auto kind = object.find("event");
    if (kind == object.end() || !kind->is_string()) {
      problem("no string 'event' member");
      continue;
    }
    const std::string name = kind->get<std::string>();
    std::string why;
    bool read = true;
    if (name == "progress")
      read = read_progress(object, log, why);
    else if (name == "result")
      read = read_result(object, log, why);
    else if (name == "telemetry")
      read = read_telemetry(object, log, why);
    else if (name == "error")
      read = read_message(object, "message", log.errors, why);
    else if (name == "log") {
      std::string level;
      if (member(object, "level", level, why) && (level == "warning" || level == "error")) {
        read = read_message(object, "message", log.warnings, why);
      }
      why.clear();
    }
    if (!read) problem(fmt::format("'{}' event: {}", name, why));
  }
  return log;
}

}  // namespace mlbench::report
