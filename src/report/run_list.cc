#include "mlbench/report/run_list.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <optional>

#include "mlbench/report/report_json.h"
#include "mlbench/report/run_layout.h"
#include "mlbench/report/run_report.h"

#include "report/text.h"

namespace mlbench::report {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

std::string modified_utc(const fs::path& path) {
  std::error_code error;
  const auto time = fs::last_write_time(path, error);
  if (error) return "-";
  const auto system = std::chrono::file_clock::to_sys(time);
  return fmt::format("{:%Y-%m-%dT%H:%M:%SZ}", std::chrono::floor<std::chrono::seconds>(system));
}

std::string text_at(const json& object, const json::json_pointer& pointer) {
  if (!object.contains(pointer)) return {};
  const json& value = object.at(pointer);
  return value.is_string() ? value.get<std::string>() : std::string();
}

size_t count_at(const json& object, const json::json_pointer& pointer) {
  if (!object.contains(pointer) || !object.at(pointer).is_number_unsigned()) return 0;
  return object.at(pointer).get<size_t>();
}

// An accuracy run has no throughput worth a headline: its figure is the lowest ROUGE-L over
// the nodes that were scored, and its verdict how many of them met the target.
void fill_accuracy(RunRow& row, const json& report) {
  std::optional<double> lowest_rouge_l;
  size_t scored = 0;
  size_t passed = 0;
  const json nodes = report.value("nodes", json::array());
  for (const json& node : nodes) {
    const json::json_pointer metric("/result/accuracy/metrics/rougeL");
    if (node.contains(metric) && node.at(metric).is_number()) {
      const double value = node.at(metric).get<double>();
      lowest_rouge_l = lowest_rouge_l ? std::min(*lowest_rouge_l, value) : value;
    }
    const json::json_pointer verdict("/result/accuracy/passed");
    if (node.contains(verdict) && node.at(verdict).is_boolean()) {
      ++scored;
      if (node.at(verdict).get<bool>()) ++passed;
    }
  }
  row.headline = lowest_rouge_l ? fmt::format("rougeL {:.4g}", *lowest_rouge_l) : "-";
  row.validity = scored == 0 ? "accuracy not scored"
                             : fmt::format("accuracy {} {}/{}", passed == scored ? "PASS" : "FAIL",
                                           passed, row.nodes);
}

// Fills a row from report.json's members (docs/report-schema.md).
void fill_row(RunRow& row, const json& report) {
  row.id = text_at(report, json::json_pointer("/run/id"));
  row.date = text_at(report, json::json_pointer("/run/started_utc"));
  row.scenario = text_at(report, json::json_pointer("/run/scenario"));
  row.mode = text_at(report, json::json_pointer("/run/mode"));
  row.nodes = count_at(report, json::json_pointer("/aggregate/nodes"));
  row.nodes_ok = count_at(report, json::json_pointer("/aggregate/nodes_ok"));
  const size_t with_results = count_at(report, json::json_pointer("/aggregate/nodes_with_results"));
  const size_t valid = count_at(report, json::json_pointer("/aggregate/nodes_valid"));
  for (const auto& [member, unit] :
       {std::pair{"/aggregate/tokens_per_second/value", "tokens/s"},
        std::pair{"/aggregate/samples_per_second/value", "samples/s"}}) {
    const json::json_pointer pointer(member);
    if (report.contains(pointer) && report.at(pointer).is_number()) {
      row.headline = fmt::format("{:.2f} {}", report.at(pointer).get<double>(), unit);
      break;
    }
  }
  if (row.headline.empty()) row.headline = "-";
  // run.json says "accuracy" (mlbench run); a report rebuilt without it has LoadGen's name.
  if (row.mode == "accuracy" || row.mode == "AccuracyOnly") {
    fill_accuracy(row, report);
  } else if (with_results == 0) {
    row.validity = "no results";
  } else {
    row.validity =
        fmt::format("{} {}/{}", valid == with_results ? "VALID" : "INVALID", valid, row.nodes);
  }
}

RunRow read_row(const fs::path& dir) {
  RunRow row;
  row.dir = dir.string();
  json report;
  if (auto content = text::read_file(dir / "report.json")) {
    report = json::parse(*content, nullptr, /*allow_exceptions=*/false);
    if (!report.is_object() || report.value("schema_version", 0) != kReportSchemaVersion) {
      report = json();
    }
  }
  if (report.is_null()) {
    auto built = build_run_report(dir);
    if (!built) {
      row.id = dir.filename().string();
      row.problem = built.error().describe();
      return row;
    }
    report = json::parse(to_json(*built).dump());
  }
  fill_row(row, report);
  if (row.id.empty()) row.id = dir.filename().string();
  if (row.date.empty()) row.date = modified_utc(dir);
  return row;
}

}  // namespace

Result<std::vector<RunRow>> list_runs(const fs::path& runs_dir) {
  std::error_code error;
  if (!fs::is_directory(runs_dir, error)) {
    return fail(ErrorCode::kNotFound,
                "no such directory (runs live in report.out_dir of config.yaml, 'runs' by "
                "default; pass --dir DIR or -c config.yaml)",
                runs_dir.string());
  }
  std::vector<RunRow> rows;
  for (const auto& entry : fs::directory_iterator(runs_dir, error)) {
    if (!entry.is_directory(error) || !fs::is_directory(entry.path() / kNodesDir, error)) continue;
    rows.push_back(read_row(entry.path()));
  }
  std::sort(rows.begin(), rows.end(), [](const RunRow& a, const RunRow& b) {
    return a.date != b.date ? a.date < b.date : a.id < b.id;
  });
  return rows;
}

std::string render_run_list(const std::vector<RunRow>& rows) {
  std::string out = fmt::format("{:<21} {:<40} {:<13} {:>8} {:>22}  {}\n", "date", "run",
                                "scenario", "nodes ok", "headline", "validity");
  for (const RunRow& row : rows) {
    if (!row.problem.empty()) {
      out += fmt::format("{:<21} {:<40} unreadable: {}\n", "-", row.id, row.problem);
      continue;
    }
    out += fmt::format("{:<21} {:<40} {:<13} {:>8} {:>22}  {}\n", row.date, row.id,
                       row.scenario.empty() ? "-" : row.scenario,
                       fmt::format("{}/{}", row.nodes_ok, row.nodes), row.headline, row.validity);
  }
  if (rows.empty()) out += "(no runs)\n";
  return out;
}

}  // namespace mlbench::report
