#include "mlbench/report/compare.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <tuple>

#include "report/text.h"

namespace mlbench::report {
namespace {

void add(Comparison& comparison, const std::string& scope, const std::string& metric,
         bool higher_is_better, std::optional<double> base, std::optional<double> current) {
  if (!base || !current) return;
  MetricDelta delta{scope, metric, higher_is_better, *base, *current, std::nullopt, false};
  if (*base != 0) {
    delta.delta_pct = 100.0 * (*current - *base) / std::fabs(*base);
    const double worse = higher_is_better ? -*delta.delta_pct : *delta.delta_pct;
    delta.regression = worse > comparison.max_regression_pct;
  }
  comparison.deltas.push_back(delta);
}

std::optional<double> value(const std::optional<Figure>& figure) {
  if (!figure) return std::nullopt;
  return figure->value;
}

std::optional<double> percentile(const std::optional<LatencyFigures>& figures, size_t index) {
  if (!figures || !figures->percentiles_ns[index]) return std::nullopt;
  return static_cast<double>(*figures->percentiles_ns[index]);
}

void compare_nodes(Comparison& comparison, const NodeReport& base, const NodeReport& current) {
  const NodeResult& b = base.result;
  const NodeResult& c = current.result;
  const std::string& scope = base.name;
  if (base.status == NodeStatus::kOk && current.status != NodeStatus::kOk) {
    comparison.regressions.push_back(fmt::format("node {}: ok in the base run, {} now ({})", scope,
                                                 to_string(current.status), current.error));
  }
  if (b.valid == true && c.valid == false) {
    comparison.regressions.push_back(
        fmt::format("node {}: VALID in the base run, INVALID now{}", scope,
                    c.invalid_reason.empty() ? "" : " (" + c.invalid_reason + ")"));
  }
  add(comparison, scope, "tokens/s", true, value(b.tokens_per_second), value(c.tokens_per_second));
  add(comparison, scope, "samples/s", true, value(b.samples_per_second),
      value(c.samples_per_second));
  for (const auto& [name, kind] :
       {std::pair{"latency", &NodeResult::latency}, std::pair{"TTFT", &NodeResult::ttft},
        std::pair{"TPOT", &NodeResult::tpot}}) {
    add(comparison, scope, fmt::format("{} p50 (ns)", name), false, percentile(b.*kind, 0),
        percentile(c.*kind, 0));
    add(comparison, scope, fmt::format("{} p99 (ns)", name), false, percentile(b.*kind, 4),
        percentile(c.*kind, 4));
  }
  if (b.accuracy && c.accuracy) {
    for (const auto& [metric, base_value] : b.accuracy->metrics) {
      if (!metric.starts_with("rouge")) continue;  // gen_len and the like have no better side
      for (const auto& [other, current_value] : c.accuracy->metrics) {
        if (other == metric) add(comparison, scope, metric, true, base_value, current_value);
      }
    }
    if (b.accuracy->passed == true && c.accuracy->passed == false) {
      comparison.regressions.push_back(
          fmt::format("node {}: accuracy passed in the base run, fails now", scope));
    }
  }
}

// The scenario and mode the logs name (LoadGen's spelling), else run.json's.
std::pair<std::string, std::string> what_ran(const RunReport& report) {
  for (const NodeReport& node : report.nodes) {
    if (!node.result.scenario.empty() && !node.result.mode.empty()) {
      return {node.result.scenario, node.result.mode};
    }
  }
  return {report.run.scenario, report.run.mode};
}

// Latencies in ns are whole numbers and read best in full; rates as LoadGen prints them.
std::string figure_text(double value) {
  if (value == std::floor(value) && std::fabs(value) < 1e15) return fmt::format("{:.0f}", value);
  return fmt::format("{:.6g}", value);
}

// A smoke run cuts counts, durations and output tokens (docs/ci.md): against a full run its
// figures differ by design; against another smoke run they are comparable but noisy.
void note_smoke_runs(Comparison& comparison, const RunReport& base, const RunReport& current) {
  if (base.run.smoke && current.run.smoke) {
    comparison.notes.push_back(
        "both runs are smoke runs: a few queries each, so their figures are noisy and are not "
        "valid MLPerf results; give --max-regression room for that");
  } else if (base.run.smoke != current.run.smoke) {
    comparison.warnings.push_back(fmt::format(
        "the {} run is a smoke run and the {} run is not: a smoke run cuts counts, durations "
        "and output tokens, so the deltas compare unlike runs; compare smoke with smoke",
        base.run.smoke ? "base" : "new", base.run.smoke ? "new" : "base"));
  }
}

// Why the gate fails, one line per figure beyond the threshold, for a CI log.
std::string regression_reason(const MetricDelta& d, double max_regression_pct) {
  return fmt::format("{} {}: {} -> {} is {:.2f} % {} (limit {:g} %)", d.scope, d.metric,
                     figure_text(d.base), figure_text(d.current), std::fabs(*d.delta_pct),
                     d.higher_is_better ? "lower" : "higher", max_regression_pct);
}

bool same_name(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) ==
           std::tolower(static_cast<unsigned char>(y));
  });
}

}  // namespace

bool Comparison::regressed() const {
  return !regressions.empty() || std::any_of(deltas.begin(), deltas.end(),
                                             [](const MetricDelta& d) { return d.regression; });
}

Result<double> parse_percentage(std::string_view input) {
  std::string_view value = text::trim(input);
  if (value.ends_with('%')) value = text::trim(value.substr(0, value.size() - 1));
  const auto number = text::parse_double(value);
  if (!number || *number < 0 || !std::isfinite(*number)) {
    return fail(ErrorCode::kInvalidArgument,
                fmt::format("'{}' is not a percentage (write it as 5% or 5)", input),
                "--max-regression");
  }
  return *number;
}

Result<Comparison> compare_runs(const RunReport& base, const RunReport& current,
                                double max_regression_pct) {
  for (const auto& [what, a, b] :
       {std::tuple{"scenario", what_ran(base).first, what_ran(current).first},
        std::tuple{"mode", what_ran(base).second, what_ran(current).second}}) {
    if (!same_name(a, b)) {
      return fail(ErrorCode::kInvalidArgument,
                  fmt::format("the base run's {} is {} and the new run's {}: compare runs of one "
                              "scenario and mode",
                              what, a.empty() ? "unknown" : a, b.empty() ? "unknown" : b),
                  current.run_dir);
    }
  }
  Comparison comparison;
  comparison.base_id = base.run.id;
  comparison.current_id = current.run.id;
  comparison.max_regression_pct = max_regression_pct;
  note_smoke_runs(comparison, base, current);
  add(comparison, "cluster", "tokens/s", true, base.aggregate.tokens_per_second,
      current.aggregate.tokens_per_second);
  add(comparison, "cluster", "samples/s", true, base.aggregate.samples_per_second,
      current.aggregate.samples_per_second);
  for (const NodeReport& node : base.nodes) {
    const auto match = std::find_if(current.nodes.begin(), current.nodes.end(),
                                    [&](const NodeReport& n) { return n.name == node.name; });
    if (match == current.nodes.end()) {
      comparison.regressions.push_back(
          fmt::format("node {} is in the base run but not in the new one", node.name));
      continue;
    }
    compare_nodes(comparison, node, *match);
  }
  for (const NodeReport& node : current.nodes) {
    const bool known = std::any_of(base.nodes.begin(), base.nodes.end(),
                                   [&](const NodeReport& n) { return n.name == node.name; });
    if (!known) comparison.notes.push_back(fmt::format("node {} is new in this run", node.name));
  }
  return comparison;
}

std::string render_comparison(const Comparison& comparison) {
  std::string out =
      fmt::format("compare {} (base) -> {} (new), max regression {:g} %\n\n", comparison.base_id,
                  comparison.current_id, comparison.max_regression_pct);
  out += fmt::format("{:<16} {:<18} {:>16} {:>16} {:>9}  {}\n", "scope", "metric", "base", "new",
                     "delta", "");
  for (const MetricDelta& d : comparison.deltas) {
    const std::string delta = d.delta_pct ? fmt::format("{:+.2f}%", *d.delta_pct) : "-";
    out += fmt::format("{:<16} {:<18} {:>16} {:>16} {:>9}  {}\n", d.scope, d.metric,
                       figure_text(d.base), figure_text(d.current), delta,
                       d.regression ? "REGRESSION" : "");
  }
  if (comparison.regressed() || !comparison.warnings.empty() || !comparison.notes.empty()) {
    out += "\n";
  }
  for (const MetricDelta& d : comparison.deltas) {
    if (d.regression) {
      out += fmt::format("REGRESSION: {}\n", regression_reason(d, comparison.max_regression_pct));
    }
  }
  for (const std::string& regression : comparison.regressions)
    out += fmt::format("REGRESSION: {}\n", regression);
  for (const std::string& warning : comparison.warnings)
    out += fmt::format("warning: {}\n", warning);
  for (const std::string& note : comparison.notes)
    out += fmt::format("note: {}\n", note);
  const size_t flagged =
      static_cast<size_t>(std::count_if(comparison.deltas.begin(), comparison.deltas.end(),
                                        [](const MetricDelta& d) { return d.regression; }));
  out += fmt::format("\n{}: {} metric(s) beyond {:g} %, {} other regression(s)\n",
                     comparison.regressed() ? "REGRESSED" : "no regression", flagged,
                     comparison.max_regression_pct, comparison.regressions.size());
  return out;
}

}  // namespace mlbench::report
