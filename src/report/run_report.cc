#include "mlbench/report/run_report.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>

#include "report/text.h"

namespace mlbench::report {
namespace {

namespace fs = std::filesystem;

std::string now_utc() {
  const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  return fmt::format("{:%Y-%m-%dT%H:%M:%SZ}", now);
}

// Reads an optional member of the expected type; a member of another type is a problem.
template <typename T>
void optional_member(const nlohmann::json& json, const char* key, T& out, const std::string& file,
                     std::vector<std::string>& warnings) {
  const auto found = json.find(key);
  if (found == json.end() || found->is_null()) return;
  bool typed = false;
  if constexpr (std::is_same_v<T, bool>)
    typed = found->is_boolean();
  else
    typed = found->is_string();
  if (!typed) {
    warnings.push_back(
        fmt::format("{}: '{}' has the wrong type ({}); ignored", file, key, found->type_name()));
    return;
  }
  out = found->get<T>();
}

Result<RunInfo> read_run_info(const fs::path& run_dir, std::vector<std::string>& warnings) {
  RunInfo info;
  info.id = run_dir.filename().string();
  if (info.id.empty()) info.id = run_dir.parent_path().filename().string();
  auto content = text::read_file(run_dir / kRunFile);
  if (!content) {
    if (content.error().code == ErrorCode::kNotFound) return info;
    return content.failure();
  }
  const std::string file(kRunFile);
  const auto json = nlohmann::json::parse(*content, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded() || !json.is_object()) {
    warnings.push_back(fmt::format(
        "{}: not a JSON object (damaged); the report is built from nodes/ alone", file));
    return info;
  }
  info.from_run_json = true;
  optional_member(json, "run_id", info.id, file, warnings);
  optional_member(json, "scenario", info.scenario, file, warnings);
  optional_member(json, "mode", info.mode, file, warnings);
  optional_member(json, "started_utc", info.started_utc, file, warnings);
  optional_member(json, "ended_utc", info.ended_utc, file, warnings);
  optional_member(json, "smoke", info.smoke, file, warnings);
  optional_member(json, "baseline", info.baseline, file, warnings);
  optional_member(json, "mlbench_version", info.mlbench_version, file, warnings);
  // What `mlbench run` writes: {"versions": {"mlbench": "0.1.0", "commit": "abc1234"}}.
  if (const auto versions = json.find("versions");
      info.mlbench_version.empty() && versions != json.end() && versions->is_object()) {
    const auto text = [&](const char* key) {
      const auto found = versions->find(key);
      return found != versions->end() && found->is_string() ? found->get<std::string>() : "";
    };
    info.mlbench_version = text("mlbench");
    if (!info.mlbench_version.empty() && !text("commit").empty()) {
      info.mlbench_version += " @ " + text("commit");
    }
  }
  if (const auto config = json.find("config"); config != json.end() && config->is_object()) {
    info.config = *config;
  }
  return info;
}

void keep_worst(std::vector<std::pair<std::string, WorstFigure>>& worst, const std::string& name,
                std::optional<int64_t> value, const std::string& node) {
  if (!value) return;
  for (auto& [key, figure] : worst) {
    if (key != name) continue;
    if (static_cast<double>(*value) > figure.value) figure = {static_cast<double>(*value), node};
    return;
  }
  worst.emplace_back(name, WorstFigure{static_cast<double>(*value), node});
}

void keep_worst_latencies(std::vector<std::pair<std::string, WorstFigure>>& worst,
                          const std::optional<LatencyFigures>& figures, const std::string& node) {
  if (!figures) return;
  keep_worst(worst, "max", figures->max_ns, node);
  keep_worst(worst, "mean", figures->mean_ns, node);
  for (size_t i = 0; i < kPercentileNames.size(); ++i) {
    keep_worst(worst, std::string(kPercentileNames[i]), figures->percentiles_ns[i], node);
  }
}

Aggregate aggregate_nodes(const std::vector<NodeReport>& nodes) {
  Aggregate aggregate;
  aggregate.nodes = nodes.size();
  aggregate.all_valid = !nodes.empty();
  for (const NodeReport& node : nodes) {
    const NodeResult& result = node.result;
    if (node.status == NodeStatus::kOk) ++aggregate.nodes_ok;
    if (node.status != NodeStatus::kOk || result.valid != true) aggregate.all_valid = false;
    if (result.samples) {
      if (!aggregate.samples) aggregate.samples = SampleCounts{0, 0, "nodes"};
      aggregate.samples->issued += result.samples->issued;
      aggregate.samples->completed += result.samples->completed;
      ++aggregate.samples_nodes;
    }
    if (!result.has_performance()) continue;
    ++aggregate.nodes_with_results;
    if (result.valid == true) ++aggregate.nodes_valid;
    if (result.valid == false) ++aggregate.nodes_invalid;
    if (result.samples_per_second) {
      aggregate.samples_per_second =
          aggregate.samples_per_second.value_or(0) + result.samples_per_second->value;
      ++aggregate.samples_per_second_nodes;
    }
    if (result.tokens_per_second) {
      aggregate.tokens_per_second =
          aggregate.tokens_per_second.value_or(0) + result.tokens_per_second->value;
      ++aggregate.tokens_per_second_nodes;
    }
    keep_worst_latencies(aggregate.worst_latency_ns, result.latency, node.name);
    keep_worst_latencies(aggregate.worst_ttft_ns, result.ttft, node.name);
    keep_worst_latencies(aggregate.worst_tpot_ns, result.tpot, node.name);
  }
  return aggregate;
}

std::string setting_text(const nlohmann::json& value) {
  return value.is_string() ? value.get<std::string>() : value.dump();
}

const NodeResult* first_result(const RunReport& report) {
  for (const NodeReport& node : report.nodes) {
    if (node.result.has_performance()) return &node.result;
  }
  return nullptr;
}

// The first comparable setting on which two results differ, as a sentence; empty if none.
std::string settings_difference(const NodeResult& a, const NodeResult& b, std::string_view a_name,
                                std::string_view b_name) {
  for (const auto& [key, value] : a.settings) {
    for (const auto& [other_key, other_value] : b.settings) {
      if (key == other_key && value != other_value) {
        return fmt::format("{} differs: {} {}, {} {}", key, a_name, setting_text(value), b_name,
                           setting_text(other_value));
      }
    }
  }
  return {};
}

void warn_about_nodes(RunReport& report) {
  for (const NodeReport& node : report.nodes) {
    if (node.status != NodeStatus::kOk) {
      report.warnings.push_back(fmt::format("node {} ({}): {}", node.name, to_string(node.status),
                                            node.error.empty() ? "no reason given" : node.error));
    }
    for (const Error& problem : node.problems) {
      if (!node.error.empty() && node.error == problem.describe()) continue;
      report.warnings.push_back(fmt::format("node {}: {}", node.name, problem.describe()));
    }
    const NodeResult& result = node.result;
    if (result.valid == false) {
      report.warnings.push_back(
          fmt::format("node {}: LoadGen result INVALID{}", node.name,
                      result.invalid_reason.empty() ? "" : " (" + result.invalid_reason + ")"));
    }
    if (!result.loadgen_errors.empty()) {
      report.warnings.push_back(fmt::format(
          "node {}: {} LoadGen error line(s) in {} (first, line {}: {}: {}); the submission "
          "checker rejects such a run",
          node.name, result.loadgen_errors.size(), kDetailFile, result.loadgen_errors[0].line,
          result.loadgen_errors[0].key, result.loadgen_errors[0].text));
    }
    if (result.is_accuracy_run() && !result.accuracy) {
      report.warnings.push_back(
          fmt::format("node {}: accuracy run without {} (score it with mlbench-runner accuracy)",
                      node.name, kAccuracyResultFile));
    }
    if (result.accuracy && result.accuracy->passed == false) {
      report.warnings.push_back(fmt::format("node {}: accuracy misses its target ({})", node.name,
                                            result.accuracy->verdict));
    }
  }
  const NodeResult* reference = first_result(report);
  for (const NodeReport& node : report.nodes) {
    if (reference == nullptr || &node.result == reference || !node.result.has_performance()) {
      continue;
    }
    const std::string difference =
        settings_difference(*reference, node.result, "first node", "node " + node.name);
    if (!difference.empty()) {
      report.warnings.push_back(fmt::format(
          "the nodes ran with different settings ({}): the sum mixes unlike runs", difference));
      break;
    }
  }
  if (report.run.smoke) {
    report.warnings.push_back(
        "smoke run: counts and durations were cut; the figures are not a valid MLPerf result");
  }
}

std::vector<std::string> over_100_causes(const RunReport& report, const RunReport& baseline) {
  std::vector<std::string> causes = {
      "the baseline run was slowed (a shared or throttled GPU, other load on its node)",
      "this run's nodes differ from the baseline's node (GPU model, clocks, driver, CPU)",
  };
  const Aggregate& a = report.aggregate;
  const Aggregate& b = baseline.aggregate;
  if (a.samples && b.samples && a.samples_nodes > 0 && b.samples_nodes > 0) {
    const double here = static_cast<double>(a.samples->completed) / a.samples_nodes;
    const double there = static_cast<double>(b.samples->completed) / b.samples_nodes;
    if (here != there) {
      causes.push_back(fmt::format(
          "the runs did different amounts of work per node ({:.0f} samples here, {:.0f} in the "
          "baseline)",
          here, there));
    }
  }
  if (b.nodes_invalid > 0) causes.push_back("the baseline's own result is INVALID");
  if (report.run.smoke || baseline.run.smoke) {
    causes.push_back("a smoke run is involved: short runs give noisy throughput");
  }
  causes.push_back("run-to-run variation, larger in short runs");
  return causes;
}

// Scaling efficiency against a baseline run, or the reason it cannot be shown.
void add_scaling(RunReport& report, const std::string& baseline_dir) {
  auto baseline = build_run_report(baseline_dir);
  auto refuse = [&](std::string why) {
    report.scaling_refused = fmt::format("no scaling efficiency against {}: {}", baseline_dir, why);
    report.warnings.push_back(report.scaling_refused);
  };
  if (!baseline) return refuse(baseline.error().describe());
  const NodeResult* base = first_result(*baseline);
  const NodeResult* here = first_result(report);
  if (base == nullptr) return refuse("the baseline has no node with results");
  if (here == nullptr) return refuse("this run has no node with results");
  if (base->scenario != here->scenario) {
    return refuse(fmt::format("the baseline ran {}, this run {}", base->scenario, here->scenario));
  }
  const std::string difference = settings_difference(*base, *here, "baseline", "this run");
  if (!difference.empty()) return refuse(difference);

  Scaling scaling;
  scaling.baseline_id = baseline->run.id;
  scaling.baseline_dir = baseline_dir;
  const Aggregate& a = report.aggregate;
  const Aggregate& b = baseline->aggregate;
  const bool tokens = a.tokens_per_second && b.tokens_per_second;
  if (!tokens && !(a.samples_per_second && b.samples_per_second)) {
    return refuse("neither tokens/s nor samples/s is known for both runs");
  }
  scaling.metric = tokens ? "tokens_per_second" : "samples_per_second";
  scaling.baseline_nodes = tokens ? b.tokens_per_second_nodes : b.samples_per_second_nodes;
  scaling.nodes = tokens ? a.tokens_per_second_nodes : a.samples_per_second_nodes;
  scaling.baseline_per_node =
      (tokens ? *b.tokens_per_second : *b.samples_per_second) / scaling.baseline_nodes;
  scaling.measured = tokens ? *a.tokens_per_second : *a.samples_per_second;
  if (scaling.baseline_per_node <= 0) return refuse("the baseline's throughput is 0");
  scaling.efficiency_pct =
      100.0 * scaling.measured / (static_cast<double>(scaling.nodes) * scaling.baseline_per_node);
  for (const NodeReport& node : report.nodes) {
    const auto& figure = tokens ? node.result.tokens_per_second : node.result.samples_per_second;
    if (!figure) continue;
    scaling.per_node.push_back(
        {node.name, figure->value, 100.0 * figure->value / scaling.baseline_per_node});
  }
  std::vector<std::string> over;
  if (scaling.efficiency_pct > 100.0) {
    over.push_back(fmt::format("cluster efficiency {:.1f} %", scaling.efficiency_pct));
  }
  for (const NodeScaling& node : scaling.per_node) {
    if (node.ratio_pct > 100.0) {
      over.push_back(
          fmt::format("node {} at {:.1f} % of the baseline node", node.node, node.ratio_pct));
    }
  }
  if (!over.empty()) {
    scaling.flags.push_back(fmt::format(
        "above 100 % ({}); a node cannot beat an equal baseline node for long, so suspect: {}",
        fmt::join(over, "; "), fmt::join(over_100_causes(report, *baseline), "; ")));
    report.warnings.push_back(fmt::format("scaling: {}", scaling.flags.back()));
  }
  if (a.nodes_with_results < a.nodes) {
    scaling.flags.push_back(fmt::format("only {} of {} nodes have results and are counted",
                                        a.nodes_with_results, a.nodes));
  }
  report.scaling = std::move(scaling);
}

}  // namespace

Result<RunReport> build_run_report(const fs::path& run_dir, const ReportOptions& options) {
  const fs::path nodes_dir = run_dir / kNodesDir;
  std::error_code error;
  if (!fs::is_directory(nodes_dir, error)) {
    return fail(ErrorCode::kNotFound,
                fmt::format("no {}/ directory: not a run directory (a report is built from "
                            "RUN_DIR/{}/<node>/mlperf_log_*.txt)",
                            kNodesDir, kNodesDir),
                run_dir.string());
  }
  RunReport report;
  report.run_dir = run_dir.string();
  report.generated_utc = now_utc();
  auto info = read_run_info(run_dir, report.warnings);
  if (!info) return info.failure();
  report.run = std::move(*info);

  std::vector<fs::path> node_dirs;
  for (const auto& entry : fs::directory_iterator(nodes_dir, error)) {
    if (entry.is_directory(error)) node_dirs.push_back(entry.path());
  }
  if (error) return fail(ErrorCode::kIo, error.message(), nodes_dir.string());
  std::sort(node_dirs.begin(), node_dirs.end());
  for (const fs::path& dir : node_dirs)
    report.nodes.push_back(read_node(dir));
  if (report.nodes.empty()) report.warnings.push_back("nodes/ holds no node directories");

  // Without run.json, the logs say what ran.
  if (const NodeResult* first = first_result(report); first != nullptr) {
    if (report.run.scenario.empty()) report.run.scenario = first->scenario;
  }
  for (const NodeReport& node : report.nodes) {
    if (report.run.scenario.empty()) report.run.scenario = node.result.scenario;
    if (report.run.mode.empty()) report.run.mode = node.result.mode;
  }
  report.aggregate = aggregate_nodes(report.nodes);
  warn_about_nodes(report);
  std::string baseline = options.baseline;
  if (baseline.empty() && !report.run.baseline.empty()) {
    // run.json may name the baseline by its directory beside this run (runs/<id>).
    baseline = report.run.baseline;
    if (fs::path(baseline).is_relative() && !fs::exists(baseline, error)) {
      baseline = (run_dir.parent_path() / baseline).string();
    }
  }
  if (!baseline.empty()) add_scaling(report, baseline);
  return report;
}

RunVerdict run_verdict(const RunReport& report) {
  bool invalid = false;
  for (const NodeReport& node : report.nodes) {
    if (node.status != NodeStatus::kOk) return RunVerdict::kNodesFailed;
    if (node.result.valid == false) invalid = true;
    if (node.result.accuracy && node.result.accuracy->passed == false) invalid = true;
  }
  if (report.nodes.empty()) return RunVerdict::kNodesFailed;
  return invalid ? RunVerdict::kInvalid : RunVerdict::kOk;
}

}  // namespace mlbench::report
