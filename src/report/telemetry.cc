#include "mlbench/report/telemetry.h"

#include <fmt/format.h>

#include "report/text.h"

namespace mlbench::report {
namespace {

std::vector<std::string_view> split_commas(std::string_view line) {
  std::vector<std::string_view> cells;
  size_t begin = 0;
  while (true) {
    const size_t comma = line.find(',', begin);
    cells.push_back(text::trim(line.substr(begin, comma - begin)));
    if (comma == std::string_view::npos) break;
    begin = comma + 1;
  }
  return cells;
}

}  // namespace

Telemetry parse_telemetry_csv(std::string_view content, const std::string& file) {
  Telemetry telemetry;
  auto problem = [&](size_t line, std::string message) {
    telemetry.problems.push_back(
        Error{ErrorCode::kParse, std::move(message), text::where(file, line)});
  };
  const std::vector<std::string_view> lines = text::lines(content);
  if (lines.empty()) {
    problem(1, "empty: the first line must name the columns (t_ns,gpu,...)");
    return telemetry;
  }
  const std::vector<std::string_view> header = split_commas(lines[0]);
  std::optional<size_t> t_column;
  std::optional<size_t> gpu_column;
  std::vector<std::pair<size_t, const TelemetryMetric*>> readings;
  for (size_t i = 0; i < header.size(); ++i) {
    if (header[i] == "t_ns") t_column = i;
    if (header[i] == "gpu") gpu_column = i;
    for (const TelemetryMetric& metric : kTelemetryMetrics) {
      if (header[i] == metric.column) readings.emplace_back(i, &metric);
    }
  }
  if (!t_column || !gpu_column) {
    problem(1, "the header must name the columns 't_ns' and 'gpu' (see docs/report-schema.md)");
    return telemetry;
  }
  for (size_t n = 1; n < lines.size(); ++n) {
    if (text::trim(lines[n]).empty()) continue;
    const std::vector<std::string_view> cells = split_commas(lines[n]);
    if (cells.size() != header.size()) {
      problem(n + 1, fmt::format("{} cells where the header names {} columns (truncated line?)",
                                 cells.size(), header.size()));
      continue;
    }
    TelemetrySample sample;
    const auto t = text::parse_int(cells[*t_column]);
    const auto gpu = text::parse_int(cells[*gpu_column]);
    if (!t || !gpu) {
      problem(n + 1, fmt::format("'t_ns' and 'gpu' must be integers, not '{}' and '{}'",
                                 cells[*t_column], cells[*gpu_column]));
      continue;
    }
    sample.t_ns = *t;
    sample.gpu = *gpu;
    bool sound = true;
    for (const auto& [column, metric] : readings) {
      if (cells[column].empty()) continue;
      const auto value = text::parse_double(cells[column]);
      if (!value) {
        problem(n + 1, fmt::format("'{}' is '{}', not a number", metric->column, cells[column]));
        sound = false;
        break;
      }
      sample.*(metric->field) = *value;
    }
    if (sound) telemetry.samples.push_back(sample);
  }
  return telemetry;
}

}  // namespace mlbench::report
