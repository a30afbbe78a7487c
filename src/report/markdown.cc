#include "mlbench/report/markdown.h"

#include <fmt/format.h>

#include "report/figures_text.h"

namespace mlbench::report {
namespace {

namespace ft = figures_text;

// Table cells must not break the row.
std::string cell(std::string text) {
  std::string out;
  for (char c : text) {
    if (c == '|')
      out += "\\|";
    else if (c == '\n')
      out += "<br>";
    else
      out += c;
  }
  return out;
}

void row(std::string& out, const std::vector<std::string>& cells) {
  out += "|";
  for (const std::string& c : cells)
    out += " " + cell(c) + " |";
  out += "\n";
}

void header(std::string& out, const std::vector<std::string>& cells) {
  row(out, cells);
  out += "|";
  for (size_t i = 0; i < cells.size(); ++i)
    out += i == 0 ? " --- |" : " ---: |";
  out += "\n";
}

std::string or_dash(const std::string& text) {
  return text.empty() ? "-" : text;
}

void headline(std::string& out, const RunReport& report) {
  const RunInfo& run = report.run;
  const Aggregate& a = report.aggregate;
  out += fmt::format("# mlbench report: {}\n\n", run.id);
  header(out, {"", ""});
  row(out, {"Scenario", or_dash(run.scenario)});
  row(out, {"Mode", or_dash(run.mode)});
  if (!run.started_utc.empty()) row(out, {"Started (UTC)", run.started_utc});
  if (!run.ended_utc.empty()) row(out, {"Ended (UTC)", run.ended_utc});
  row(out, {"Nodes ok", fmt::format("{} of {}", a.nodes_ok, a.nodes)});
  row(out, {"Result", ft::run_verdict_text(report)});
  row(out, {"Tokens/s (sum)", a.tokens_per_second
                                  ? fmt::format("{} over {} node(s)", ft::rate(a.tokens_per_second),
                                                a.tokens_per_second_nodes)
                                  : "-"});
  row(out, {"Samples/s (sum)",
            a.samples_per_second ? fmt::format("{} over {} node(s)", ft::rate(a.samples_per_second),
                                               a.samples_per_second_nodes)
                                 : "-"});
  row(out, {"Samples completed / issued", ft::samples(a.samples)});
  if (report.scaling) {
    row(out,
        {"Scaling efficiency", fmt::format("{:.1f} % against {}", report.scaling->efficiency_pct,
                                           report.scaling->baseline_id)});
  }
  if (run.smoke) row(out, {"Smoke run", "yes: not a valid MLPerf result"});
  out += fmt::format(
      "\nSource: {}; figures from each node's mlperf_log_detail.txt, else "
      "mlperf_log_summary.txt (report.json names the file of every figure).\n",
      run.from_run_json ? "run.json and nodes/" : "nodes/ (no run.json)");
}

void node_table(std::string& out, const RunReport& report) {
  out += "\n## Nodes\n\n";
  header(out, {"Node", "Status", "Result", "Samples completed / issued", "Samples/s", "Tokens/s",
               "p99 latency (ms)", "p99 TTFT (ms)", "p99 TPOT (ms)", "Figures from"});
  for (const NodeReport& node : report.nodes) {
    const NodeResult& r = node.result;
    auto p99 = [](const std::optional<LatencyFigures>& f) {
      return f ? ft::ms(f->percentiles_ns[4]) : std::string("-");
    };
    const std::string source = r.tokens_per_second ? ft::source_label(r.tokens_per_second->source)
                               : r.latency         ? ft::source_label(r.latency->source)
                                                   : std::string("-");
    row(out, {node.name, std::string(to_string(node.status)), ft::verdict(r),
              ft::samples(r.samples), ft::rate(r.samples_per_second), ft::rate(r.tokens_per_second),
              p99(r.latency), p99(r.ttft), p99(r.tpot), source});
  }
  bool any_error = false;
  for (const NodeReport& node : report.nodes) {
    if (node.error.empty()) continue;
    if (!any_error) out += "\n";
    any_error = true;
    out += fmt::format("- {} ({}): {}\n", node.name, to_string(node.status), node.error);
  }
}

void percentile_table(std::string& out, const RunReport& report, std::string_view title,
                      std::optional<LatencyFigures> NodeResult::*kind) {
  bool any = false;
  for (const NodeReport& node : report.nodes)
    any = any || (node.result.*kind).has_value();
  if (!any) return;
  out += fmt::format("\n### {} (ms)\n\n", title);
  std::vector<std::string> columns = {"Node", "min", "mean"};
  for (std::string_view name : kPercentileNames)
    columns.emplace_back(name == "p99_9" ? "p99.9" : std::string(name));
  columns.emplace_back("max");
  columns.emplace_back("from");
  header(out, columns);
  for (const NodeReport& node : report.nodes) {
    const auto& f = node.result.*kind;
    if (!f) continue;
    std::vector<std::string> cells = {node.name, ft::ms(f->min_ns), ft::ms(f->mean_ns)};
    for (const auto& p : f->percentiles_ns)
      cells.push_back(ft::ms(p));
    cells.push_back(ft::ms(f->max_ns));
    cells.push_back(ft::source_label(f->source));
    row(out, cells);
  }
}

void validity(std::string& out, const RunReport& report) {
  out += "\n## Validity\n";
  for (const NodeReport& node : report.nodes) {
    const NodeResult& r = node.result;
    if (r.is_accuracy_run()) {
      out +=
          fmt::format("\n**{}**: accuracy run (LoadGen gives no performance verdict)\n", node.name);
      continue;
    }
    if (!r.valid && r.conditions.empty()) {
      out += fmt::format("\n**{}**: no verdict in its logs\n", node.name);
      continue;
    }
    out += fmt::format("\n**{}**: {}{}\n\n", node.name, ft::verdict(r),
                       r.valid_source.empty() ? "" : fmt::format(" ({})", r.valid_source));
    for (const ValidityCondition& c : r.conditions) {
      out += fmt::format("- {}: {} ({}: {})\n", ft::condition_label(c.name),
                         c.met ? "met" : "NOT met", c.source, c.key);
    }
    if (!r.invalid_reason.empty()) out += fmt::format("- Reason: {}\n", r.invalid_reason);
    for (const std::string& recommendation : r.recommendations)
      out += fmt::format("- LoadGen recommends: {}\n", recommendation);
    for (const auto& [name, text] : r.early_stopping) {
      std::string flat = text;
      for (char& c : flat)
        if (c == '\n') c = ' ';
      out += fmt::format("- Early stopping ({}): {}\n", name, flat);
    }
  }
}

void accuracy(std::string& out, const RunReport& report) {
  bool any = false;
  for (const NodeReport& node : report.nodes) {
    if (node.result.accuracy || node.result.accuracy_log) any = true;
  }
  if (!any) return;
  out += "\n## Accuracy\n";
  for (const NodeReport& node : report.nodes) {
    const NodeResult& r = node.result;
    if (!r.accuracy && !r.accuracy_log) continue;
    out += fmt::format("\n**{}**\n\n", node.name);
    if (r.accuracy_log) {
      out += fmt::format("- {}: {} responses for {} distinct samples{}\n", kAccuracyLogFile,
                         r.accuracy_log->entries, r.accuracy_log->unique_samples,
                         r.accuracy_log->token_count
                             ? fmt::format(", {} tokens", *r.accuracy_log->token_count)
                             : "");
    }
    if (!r.accuracy) {
      out += fmt::format("- no {} (not scored)\n", kAccuracyResultFile);
      continue;
    }
    if (!r.accuracy->verdict.empty()) {
      out += fmt::format("- Verdict ({}): {}\n", kAccuracyResultFile, r.accuracy->verdict);
    }
    if (!r.accuracy->metrics.empty()) {
      out += "\n";
      header(out, {"Metric", "Value"});
      for (const auto& [name, value] : r.accuracy->metrics)
        row(out, {name, fmt::format("{:g}", value)});
    }
  }
}

void scaling(std::string& out, const RunReport& report) {
  if (!report.scaling && report.scaling_refused.empty()) return;
  out += "\n## Scaling\n\n";
  if (!report.scaling) {
    out += report.scaling_refused + "\n";
    return;
  }
  const Scaling& s = *report.scaling;
  out += fmt::format(
      "Baseline: {} ({}), {} per node = {:.2f} (from {} node(s)).\n"
      "This run: {:.2f} over {} node(s); efficiency = {:.2f} / ({} x {:.2f}) = {:.1f} %.\n\n",
      s.baseline_id, s.baseline_dir, s.metric, s.baseline_per_node, s.baseline_nodes, s.measured,
      s.nodes, s.measured, s.nodes, s.baseline_per_node, s.efficiency_pct);
  header(out, {"Node", s.metric, "% of baseline node"});
  for (const NodeScaling& node : s.per_node)
    row(out, {node.node, fmt::format("{:.2f}", node.value), fmt::format("{:.1f}", node.ratio_pct)});
  for (const std::string& flag : s.flags)
    out += fmt::format("\n- {}\n", flag);
}

void warnings(std::string& out, const RunReport& report) {
  out += "\n## Warnings\n\n";
  if (report.warnings.empty()) {
    out += "None.\n";
    return;
  }
  for (const std::string& warning : report.warnings)
    out += fmt::format("- {}\n", warning);
}

}  // namespace

std::string render_markdown(const RunReport& report) {
  std::string out;
  headline(out, report);
  node_table(out, report);
  out += "\n## Percentiles\n";
  percentile_table(out, report, "Latency", &NodeResult::latency);
  percentile_table(out, report, "Time to first token", &NodeResult::ttft);
  percentile_table(out, report, "Time per output token", &NodeResult::tpot);
  validity(out, report);
  accuracy(out, report);
  scaling(out, report);
  warnings(out, report);
  out += fmt::format("\nGenerated {} by mlbench (report schema {}).\n", report.generated_utc,
                     report.schema_version);
  return out;
}

}  // namespace mlbench::report
