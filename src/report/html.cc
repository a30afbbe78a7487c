#include "mlbench/report/html.h"

#include <fmt/format.h>

#include <map>

#include "report/figures_text.h"
#include "report/svg_chart.h"

namespace mlbench::report {
namespace {

namespace ft = figures_text;
using svg::escape;

constexpr std::string_view kStyle = R"(
body { font-family: sans-serif; margin: 2em; color: #222; max-width: 1100px; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; }
th, td { border: 1px solid #ccc; padding: 4px 8px; text-align: right; }
th:first-child, td:first-child { text-align: left; }
.note { color: #555; font-size: 0.9em; }
svg.chart { display: block; margin: 0.5em 0 1.5em; background: #fff; }
svg .title { font-size: 14px; font-weight: bold; }
svg .tick { font-size: 11px; fill: #333; }
svg .label { font-size: 12px; fill: #333; }
svg .grid { stroke: #e5e5e5; }
svg .axis { stroke: #333; }
svg .reference { stroke: #d62728; stroke-dasharray: 6 4; stroke-width: 2; }
)";

void table(std::string& out, const std::vector<std::string>& head,
           const std::vector<std::vector<std::string>>& rows) {
  out += "<table><tr>";
  for (const std::string& h : head)
    out += "<th>" + escape(h) + "</th>";
  out += "</tr>\n";
  for (const auto& cells : rows) {
    out += "<tr>";
    for (const std::string& c : cells)
      out += "<td>" + escape(c) + "</td>";
    out += "</tr>\n";
  }
  out += "</table>\n";
}

void note(std::string& out, std::string_view text) {
  out += fmt::format("<p class=\"note\">{}</p>\n", escape(text));
}

void headline(std::string& out, const RunReport& report) {
  const Aggregate& a = report.aggregate;
  std::vector<std::vector<std::string>> rows = {
      {"Scenario", report.run.scenario.empty() ? "-" : report.run.scenario},
      {"Mode", report.run.mode.empty() ? "-" : report.run.mode},
      {"Nodes ok", fmt::format("{} of {}", a.nodes_ok, a.nodes)},
      {"Result", ft::run_verdict_text(report)},
      {"Tokens/s (sum)", a.tokens_per_second
                             ? fmt::format("{} over {} node(s)", ft::rate(a.tokens_per_second),
                                           a.tokens_per_second_nodes)
                             : "-"},
      {"Samples/s (sum)", a.samples_per_second
                              ? fmt::format("{} over {} node(s)", ft::rate(a.samples_per_second),
                                            a.samples_per_second_nodes)
                              : "-"},
      {"Samples completed / issued", ft::samples(a.samples)},
  };
  if (!report.run.started_utc.empty()) rows.push_back({"Started (UTC)", report.run.started_utc});
  if (report.scaling) {
    rows.push_back(
        {"Scaling efficiency", fmt::format("{:.1f} % against {}", report.scaling->efficiency_pct,
                                           report.scaling->baseline_id)});
  }
  if (report.run.smoke) rows.push_back({"Smoke run", "yes: not a valid MLPerf result"});
  table(out, {"", ""}, rows);
}

void nodes(std::string& out, const RunReport& report) {
  std::vector<std::vector<std::string>> rows;
  for (const NodeReport& node : report.nodes) {
    const NodeResult& r = node.result;
    auto p99 = [](const std::optional<LatencyFigures>& f) {
      return f ? ft::ms(f->percentiles_ns[4]) : std::string("-");
    };
    rows.push_back({node.name, std::string(to_string(node.status)), ft::verdict(r),
                    ft::samples(r.samples), ft::rate(r.samples_per_second),
                    ft::rate(r.tokens_per_second), p99(r.latency), p99(r.ttft), p99(r.tpot),
                    node.error.empty() ? "-" : node.error});
  }
  table(out,
        {"Node", "Status", "Result", "Samples completed / issued", "Samples/s", "Tokens/s",
         "p99 latency (ms)", "p99 TTFT (ms)", "p99 TPOT (ms)", "Error"},
        rows);
}

std::vector<std::string> percentile_categories() {
  std::vector<std::string> names;
  for (std::string_view name : kPercentileNames)
    names.emplace_back(name == "p99_9" ? "p99.9" : std::string(name));
  return names;
}

// LoadGen's logs carry percentiles, not per-sample latencies, so the distribution is drawn
// through min, the reported percentiles and max.
void latency_curve(std::string& out, const RunReport& report) {
  svg::LineChart chart{.title = "Sample latency: percentile curve (from reported percentiles)",
                       .x_label = "latency (ms)",
                       .y_label = "percentile"};
  for (const NodeReport& node : report.nodes) {
    const auto& f = node.result.latency;
    if (!f) continue;
    svg::Series series{node.name, {}};
    if (f->min_ns) series.points.emplace_back(*f->min_ns / 1e6, 0);
    for (size_t i = 0; i < kPercentileFractions.size(); ++i) {
      if (f->percentiles_ns[i]) {
        series.points.emplace_back(*f->percentiles_ns[i] / 1e6, kPercentileFractions[i] * 100);
      }
    }
    if (f->max_ns) series.points.emplace_back(*f->max_ns / 1e6, 100);
    chart.series.push_back(std::move(series));
  }
  if (chart.series.empty()) return note(out, "No node has latency figures.");
  out += svg::render(chart);
  note(out,
       "The MLPerf logs hold LoadGen's percentiles, not per-sample latencies: each line joins "
       "min (0), p50, p90, p95, p97, p99, p99.9 and max (100); it is not a measured CDF between "
       "those points.");
}

void percentile_chart(std::string& out, const RunReport& report, const std::string& title,
                      std::optional<LatencyFigures> NodeResult::*kind, std::string_view absent) {
  svg::LineChart chart{.title = title,
                       .x_label = "percentile",
                       .y_label = "ms",
                       .x_categories = percentile_categories()};
  for (const NodeReport& node : report.nodes) {
    const auto& f = node.result.*kind;
    if (!f) continue;
    svg::Series series{node.name, {}};
    for (size_t i = 0; i < f->percentiles_ns.size(); ++i) {
      if (f->percentiles_ns[i]) {
        series.points.emplace_back(static_cast<double>(i), *f->percentiles_ns[i] / 1e6);
      }
    }
    chart.series.push_back(std::move(series));
  }
  if (chart.series.empty()) return note(out, absent);
  out += svg::render(chart);
}

void tokens_over_time(std::string& out, const RunReport& report) {
  svg::LineChart chart{.title = "Completed output tokens over time (events.jsonl progress)",
                       .x_label = "seconds since issuing started",
                       .y_label = "tokens"};
  for (const NodeReport& node : report.nodes) {
    if (node.progress.empty()) continue;
    svg::Series series{node.name, {}};
    // A long run has thousands of progress events; a few hundred points draw the same line.
    const size_t step = std::max<size_t>(1, node.progress.size() / 400);
    for (size_t i = 0; i < node.progress.size(); i += step) {
      const ProgressPoint& p = node.progress[i];
      series.points.emplace_back(p.t_ns / 1e9, static_cast<double>(p.tokens));
    }
    const ProgressPoint& last = node.progress.back();
    series.points.emplace_back(last.t_ns / 1e9, static_cast<double>(last.tokens));
    chart.series.push_back(std::move(series));
  }
  if (chart.series.empty()) {
    return note(out, "No progress events (events.jsonl) for any node: no tokens-over-time chart.");
  }
  out += svg::render(chart);
}

void throughput(std::string& out, const RunReport& report) {
  const bool tokens = !report.scaling || report.scaling->metric == "tokens_per_second";
  svg::BarChart chart{.title = tokens ? "Tokens/s per node" : "Samples/s per node",
                      .y_label = tokens ? "tokens/s" : "samples/s"};
  for (const NodeReport& node : report.nodes) {
    const auto& figure = tokens ? node.result.tokens_per_second : node.result.samples_per_second;
    if (figure) chart.bars.push_back({node.name, figure->value});
  }
  if (report.scaling) {
    chart.reference = report.scaling->baseline_per_node;
    chart.reference_label = "baseline " + report.scaling->baseline_id;
  }
  if (chart.bars.empty()) return note(out, "No node has a throughput figure.");
  out += svg::render(chart);
  if (!report.scaling) {
    note(out, report.scaling_refused.empty()
                  ? "No baseline run given (mlbench report --baseline RUN): no baseline line."
                  : report.scaling_refused);
  }
}

void telemetry(std::string& out, const RunReport& report) {
  bool any = false;
  for (const TelemetryMetric& metric : kTelemetryMetrics) {
    svg::LineChart chart{.title = std::string(metric.label),
                         .x_label = "seconds since issuing started",
                         .y_label = std::string(metric.column)};
    for (const NodeReport& node : report.nodes) {
      std::map<int64_t, svg::Series> by_gpu;
      for (const TelemetrySample& sample : node.telemetry) {
        const auto& value = sample.*(metric.field);
        if (!value) continue;
        auto& series = by_gpu[sample.gpu];
        series.name = fmt::format("{} gpu {}", node.name, sample.gpu);
        series.points.emplace_back(sample.t_ns / 1e9, *value);
      }
      for (auto& [gpu, series] : by_gpu)
        chart.series.push_back(std::move(series));
    }
    if (chart.series.empty()) continue;
    any = true;
    out += svg::render(chart);
  }
  if (!any) note(out, "No GPU telemetry (telemetry.csv) for any node.");
}

void validity(std::string& out, const RunReport& report) {
  std::vector<std::vector<std::string>> rows;
  for (const NodeReport& node : report.nodes) {
    const NodeResult& r = node.result;
    for (const ValidityCondition& c : r.conditions) {
      rows.push_back({node.name, ft::condition_label(c.name), c.met ? "met" : "NOT met",
                      c.source + ": " + c.key});
    }
    if (!r.invalid_reason.empty()) {
      rows.push_back({node.name, "Reason", r.invalid_reason, std::string(kDetailFile)});
    }
    for (const std::string& recommendation : r.recommendations)
      rows.push_back({node.name, "LoadGen recommends", recommendation, std::string(kSummaryFile)});
  }
  if (rows.empty()) return note(out, "No validity conditions in the logs (accuracy run?).");
  table(out, {"Node", "Condition", "Value", "From"}, rows);
}

void accuracy(std::string& out, const RunReport& report) {
  std::vector<std::vector<std::string>> rows;
  for (const NodeReport& node : report.nodes) {
    const NodeResult& r = node.result;
    if (r.accuracy_log) {
      rows.push_back({node.name, "responses logged", std::to_string(r.accuracy_log->entries),
                      std::string(kAccuracyLogFile)});
    }
    if (!r.accuracy) continue;
    if (!r.accuracy->verdict.empty()) {
      rows.push_back({node.name, "verdict", r.accuracy->verdict, std::string(kAccuracyResultFile)});
    }
    for (const auto& [name, value] : r.accuracy->metrics)
      rows.push_back(
          {node.name, name, fmt::format("{:g}", value), std::string(kAccuracyResultFile)});
  }
  if (rows.empty()) return note(out, "No accuracy files.");
  table(out, {"Node", "Metric", "Value", "From"}, rows);
}

}  // namespace

std::string render_html(const RunReport& report) {
  std::string out;
  out += fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<link rel=\"icon\" href=\"data:,\">"
      "<title>mlbench report {}</title><style>{}</style></head><body>\n"
      "<h1>mlbench report: {}</h1>\n",
      escape(report.run.id), kStyle, escape(report.run.id));
  headline(out, report);
  out += "<h2>Nodes</h2>\n";
  nodes(out, report);
  out += "<h2>Latency</h2>\n";
  latency_curve(out, report);
  percentile_chart(out, report, "Time to first token by percentile", &NodeResult::ttft,
                   "No TTFT figures (LoadGen records no first tokens in Offline).");
  percentile_chart(out, report, "Time per output token by percentile", &NodeResult::tpot,
                   "No TPOT figures (LoadGen records no first tokens in Offline).");
  out += "<h2>Progress</h2>\n";
  tokens_over_time(out, report);
  out += "<h2>Throughput</h2>\n";
  throughput(out, report);
  out += "<h2>GPU telemetry</h2>\n";
  telemetry(out, report);
  out += "<h2>Validity</h2>\n";
  validity(out, report);
  out += "<h2>Accuracy</h2>\n";
  accuracy(out, report);
  out += "<h2>Warnings</h2>\n";
  if (report.warnings.empty()) note(out, "None.");
  out += "<ul>\n";
  for (const std::string& warning : report.warnings)
    out += "<li>" + escape(warning) + "</li>\n";
  out += fmt::format(
      "</ul>\n<p class=\"note\">Generated {} by mlbench (report schema {}). "
      "Every figure is in report.json with the file it came from.</p>\n"
      "</body></html>\n",
      escape(report.generated_utc), report.schema_version);
  return out;
}

}  // namespace mlbench::report
