#include "mlbench/report/report_files.h"

#include <spdlog/spdlog.h>

#include "mlbench/loadgen/log_file.h"
#include "mlbench/report/html.h"
#include "mlbench/report/markdown.h"
#include "mlbench/report/report_json.h"

namespace mlbench::report {

std::optional<ReportFormat> parse_report_format(std::string_view name) {
  if (name == "json") return ReportFormat::kJson;
  if (name == "md" || name == "markdown") return ReportFormat::kMarkdown;
  if (name == "html") return ReportFormat::kHtml;
  return std::nullopt;
}

Result<void> write_report_files(const std::filesystem::path& run_dir,
                                const std::vector<ReportFormat>& formats) {
  auto report = write_reports(run_dir, formats, {});
  if (!report) return report.failure();
  return {};
}

Result<RunReport> write_reports(const std::filesystem::path& run_dir,
                                const std::vector<ReportFormat>& formats,
                                const ReportOptions& options) {
  auto report = build_run_report(run_dir, options);
  if (!report) return report.failure();
  for (ReportFormat format : formats) {
    std::string_view name;
    std::string text;
    switch (format) {
      case ReportFormat::kJson:
        name = "report.json";
        text = to_json(*report).dump(2) + "\n";
        break;
      case ReportFormat::kMarkdown:
        name = "report.md";
        text = render_markdown(*report);
        break;
      case ReportFormat::kHtml:
        name = "report.html";
        text = render_html(*report);
        break;
    }
    auto written = loadgen::write_file_atomically(run_dir / name, text);
    if (!written) return written.failure();
    spdlog::debug("wrote {}", (run_dir / name).string());
  }
  return report;
}

}  // namespace mlbench::report
