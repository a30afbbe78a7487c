#include "report/figures_text.h"

#include <fmt/format.h>

namespace mlbench::report::figures_text {

std::string ms(std::optional<int64_t> ns) {
  if (!ns) return "-";
  return ms(static_cast<double>(*ns));
}

std::string ms(double ns) {
  return fmt::format("{:.3f}", ns / 1e6);
}

std::string rate(const std::optional<Figure>& figure) {
  if (!figure) return "-";
  return rate(figure->value);
}

std::string rate(std::optional<double> value) {
  if (!value) return "-";
  return fmt::format("{:.2f}", *value);
}

std::string samples(const std::optional<SampleCounts>& counts) {
  if (!counts) return "-";
  return fmt::format("{} / {} ({:.1f} %)", counts->completed, counts->issued,
                     counts->completed_pct());
}

std::string verdict(const NodeResult& result) {
  if (!result.valid) return "-";
  return *result.valid ? "VALID" : "INVALID";
}

std::string run_verdict_text(const RunReport& report) {
  const Aggregate& a = report.aggregate;
  if (a.nodes_with_results == 0) return "no results";
  const std::string counts = fmt::format("{} VALID, {} INVALID of {} node{}", a.nodes_valid,
                                         a.nodes_invalid, a.nodes, a.nodes == 1 ? "" : "s");
  if (a.all_valid) return "VALID (" + counts + ")";
  return "not all VALID (" + counts + ")";
}

std::string source_label(const std::string& source) {
  if (source == kDetailFile) return "detail log";
  if (source == kSummaryFile) return "summary log";
  if (source == kEventsFile) return "events";
  if (source == kAccuracyLogFile) return "accuracy log";
  return source;
}

std::string condition_label(const std::string& name) {
  if (name == "min_duration") return "Min duration";
  if (name == "min_queries") return "Min queries";
  if (name == "perf_constraints") return "Performance constraints";
  if (name == "early_stopping") return "Early stopping";
  if (name == "all_samples_completed") return "All issued samples completed";
  return name;
}

}  // namespace mlbench::report::figures_text
