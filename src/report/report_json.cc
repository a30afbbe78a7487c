#include "mlbench/report/report_json.h"

namespace mlbench::report {
namespace {

using json = nlohmann::ordered_json;

json optional_text(const std::string& text) {
  return text.empty() ? json(nullptr) : json(text);
}

json figure(const std::optional<Figure>& figure) {
  if (!figure) return nullptr;
  return {{"value", figure->value}, {"source", figure->source}, {"key", figure->key}};
}

json optional_int(const std::optional<int64_t>& value) {
  return value ? json(*value) : json(nullptr);
}

json latency(const std::optional<LatencyFigures>& figures) {
  if (!figures) return nullptr;
  json out = {{"min_ns", optional_int(figures->min_ns)},
              {"mean_ns", optional_int(figures->mean_ns)},
              {"max_ns", optional_int(figures->max_ns)}};
  for (size_t i = 0; i < kPercentileNames.size(); ++i) {
    out[std::string(kPercentileNames[i]) + "_ns"] = optional_int(figures->percentiles_ns[i]);
  }
  out["source"] = figures->source;
  return out;
}

json samples(const std::optional<SampleCounts>& counts) {
  if (!counts) return nullptr;
  return {{"issued", counts->issued},
          {"completed", counts->completed},
          {"completed_pct", counts->completed_pct()},
          {"source", counts->source}};
}

json messages(const std::vector<DetailMessage>& list) {
  json out = json::array();
  for (const DetailMessage& message : list) {
    out.push_back({{"key", message.key}, {"text", message.text}, {"line", message.line}});
  }
  return out;
}

json accuracy(const NodeResult& result) {
  if (!result.accuracy && !result.accuracy_log) return nullptr;
  json out = json::object();
  if (result.accuracy) {
    json metrics = json::object();
    for (const auto& [name, value] : result.accuracy->metrics)
      metrics[name] = value;
    json texts = json::object();
    for (const auto& [name, value] : result.accuracy->texts)
      texts[name] = value;
    out["metrics"] = metrics;
    out["texts"] = texts;
    out["passed"] = result.accuracy->passed ? json(*result.accuracy->passed) : json(nullptr);
    out["verdict"] = optional_text(result.accuracy->verdict);
    out["source"] = kAccuracyResultFile;
  } else {
    out["metrics"] = nullptr;
    out["passed"] = nullptr;
    out["verdict"] = nullptr;
    out["source"] = nullptr;
  }
  if (result.accuracy_log) {
    out["log"] = {
        {"entries", result.accuracy_log->entries},
        {"unique_samples", result.accuracy_log->unique_samples},
        {"token_count", result.accuracy_log->token_count ? json(*result.accuracy_log->token_count)
                                                         : json(nullptr)},
        {"source", kAccuracyLogFile}};
  } else {
    out["log"] = nullptr;
  }
  return out;
}

json result(const NodeResult& r) {
  json conditions = json::array();
  for (const ValidityCondition& c : r.conditions) {
    conditions.push_back({{"name", c.name}, {"met", c.met}, {"source", c.source}, {"key", c.key}});
  }
  json early = json::object();
  for (const auto& [name, text] : r.early_stopping)
    early[name] = text;
  json settings = json::object();
  for (const auto& [key, value] : r.settings)
    settings[key] = value;
  return {
      {"scenario", optional_text(r.scenario)},
      {"mode", optional_text(r.mode)},
      {"sut_name", optional_text(r.sut_name)},
      {"valid", r.valid ? json(*r.valid) : json(nullptr)},
      {"valid_source", optional_text(r.valid_source)},
      {"conditions", conditions},
      {"invalid_reason", optional_text(r.invalid_reason)},
      {"recommendations", r.recommendations},
      {"early_stopping", early},
      {"samples", samples(r.samples)},
      {"samples_per_second", figure(r.samples_per_second)},
      {"tokens_per_second", figure(r.tokens_per_second)},
      {"latency", latency(r.latency)},
      {"ttft", latency(r.ttft)},
      {"tpot", latency(r.tpot)},
      {"accuracy", accuracy(r)},
      {"settings", settings},
      {"loadgen_errors", messages(r.loadgen_errors)},
      {"loadgen_warnings", messages(r.loadgen_warnings)},
  };
}

json node(const NodeReport& n) {
  json problems = json::array();
  for (const Error& problem : n.problems) {
    problems.push_back({{"where", problem.where}, {"message", problem.message}});
  }
  json progress = nullptr;
  if (!n.progress.empty()) {
    const ProgressPoint& last = n.progress.back();
    progress = {{"events", n.progress.size()},
                {"last",
                 {{"issued", last.issued},
                  {"completed", last.completed},
                  {"tokens", last.tokens},
                  {"t_ns", last.t_ns}}},
                {"source", kEventsFile}};
  }
  json telemetry = nullptr;
  if (!n.telemetry.empty()) {
    telemetry = {{"samples", n.telemetry.size()}, {"source", n.telemetry_source}};
  }
  return {
      {"name", n.name},
      {"status", to_string(n.status)},
      {"error", optional_text(n.error)},
      {"status_source", n.status_source},
      {"host", optional_text(n.host)},
      {"started_utc", optional_text(n.started_utc)},
      {"ended_utc", optional_text(n.ended_utc)},
      {"runner_exit_code", n.runner_exit_code ? json(*n.runner_exit_code) : json(nullptr)},
      {"result", n.result.has_performance() || n.result.is_accuracy_run() || n.result.samples
                     ? result(n.result)
                     : json(nullptr)},
      {"progress", progress},
      {"telemetry", telemetry},
      {"files", n.files},
      {"problems", problems},
  };
}

json worst(const std::vector<std::pair<std::string, WorstFigure>>& figures) {
  if (figures.empty()) return nullptr;
  json out = json::object();
  for (const auto& [name, figure] : figures) {
    out[name + "_ns"] = {{"value", figure.value}, {"node", figure.node}};
  }
  return out;
}

json sum(const std::optional<double>& value, size_t nodes) {
  if (!value) return nullptr;
  return {{"value", *value}, {"nodes", nodes}, {"source", "sum of nodes[].result"}};
}

json aggregate(const Aggregate& a) {
  json counts = nullptr;
  if (a.samples) {
    counts = {{"issued", a.samples->issued},
              {"completed", a.samples->completed},
              {"completed_pct", a.samples->completed_pct()},
              {"nodes", a.samples_nodes}};
  }
  return {
      {"nodes", a.nodes},
      {"nodes_ok", a.nodes_ok},
      {"nodes_with_results", a.nodes_with_results},
      {"nodes_valid", a.nodes_valid},
      {"nodes_invalid", a.nodes_invalid},
      {"all_valid", a.all_valid},
      {"samples", counts},
      {"samples_per_second", sum(a.samples_per_second, a.samples_per_second_nodes)},
      {"tokens_per_second", sum(a.tokens_per_second, a.tokens_per_second_nodes)},
      {"worst_latency", worst(a.worst_latency_ns)},
      {"worst_ttft", worst(a.worst_ttft_ns)},
      {"worst_tpot", worst(a.worst_tpot_ns)},
  };
}

json scaling(const RunReport& report) {
  if (!report.scaling) {
    return report.scaling_refused.empty() ? json(nullptr)
                                          : json{{"refused", report.scaling_refused}};
  }
  const Scaling& s = *report.scaling;
  json per_node = json::array();
  for (const NodeScaling& node : s.per_node) {
    per_node.push_back({{"node", node.node}, {"value", node.value}, {"ratio_pct", node.ratio_pct}});
  }
  return {{"baseline", {{"run_id", s.baseline_id}, {"dir", s.baseline_dir}}},
          {"metric", s.metric},
          {"baseline_per_node", s.baseline_per_node},
          {"baseline_nodes", s.baseline_nodes},
          {"nodes", s.nodes},
          {"measured", s.measured},
          {"efficiency_pct", s.efficiency_pct},
          {"over_100_pct", s.efficiency_pct > 100.0},
          {"per_node", per_node},
          {"flags", s.flags}};
}

}  // namespace

nlohmann::ordered_json to_json(const RunReport& report) {
  json nodes = json::array();
  for (const NodeReport& n : report.nodes)
    nodes.push_back(node(n));
  const RunInfo& run = report.run;
  return {
      {"schema_version", report.schema_version},
      {"generated_utc", report.generated_utc},
      {"run",
       {{"id", run.id},
        {"dir", report.run_dir},
        {"scenario", optional_text(run.scenario)},
        {"mode", optional_text(run.mode)},
        {"started_utc", optional_text(run.started_utc)},
        {"ended_utc", optional_text(run.ended_utc)},
        {"smoke", run.smoke},
        {"mlbench_version", optional_text(run.mlbench_version)},
        {"config", run.config.is_null() ? json(nullptr) : json(run.config)},
        {"source", run.from_run_json ? json(std::string(kRunFile)) : json("nodes")}}},
      {"nodes", nodes},
      {"aggregate", aggregate(report.aggregate)},
      {"scaling", scaling(report)},
      {"warnings", report.warnings},
  };
}

}  // namespace mlbench::report
