#include "runner/plan_command.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <cstdint>
#include <memory>
#include <string>

#include "mlbench/loadgen/load_settings.h"
#include "mlbench/loadgen/query_plan.h"

namespace mlbench::runner {
namespace {

struct PlanOptions {
  std::string model_name;
  std::string scenario;
  std::string mode = "performance";
  std::string user_conf;
  uint64_t total_count = 0;
  uint64_t perf_count = 0;
};

// The scenarios llama3.1-8b runs; LoadGen's spelling, as in conf files.
Result<loadgen::Scenario> parse_scenario(const std::string& text) {
  const auto scenario = loadgen::scenario_from_string(text);
  if (!scenario || *scenario == loadgen::Scenario::kMultiStream) {
    return fail(
        ErrorCode::kInvalidArgument,
        fmt::format("unknown scenario '{}'; expected Server, Offline or SingleStream", text),
        "--scenario");
  }
  return *scenario;
}

Result<loadgen::TestMode> parse_mode(const std::string& text) {
  if (text == "performance") return loadgen::TestMode::kPerformanceOnly;
  if (text == "accuracy") return loadgen::TestMode::kAccuracyOnly;
  return fail(ErrorCode::kInvalidArgument,
              fmt::format("unknown mode '{}'; expected performance or accuracy", text), "--mode");
}

Result<loadgen::SettingsRequest> settings_request(const PlanOptions& options) {
  auto scenario = parse_scenario(options.scenario);
  if (!scenario) return scenario.failure();
  auto mode = parse_mode(options.mode);
  if (!mode) return mode.failure();
  if (options.total_count == 0 || options.perf_count == 0) {
    return fail(ErrorCode::kInvalidArgument, "the QSL must hold at least one sample",
                options.total_count == 0 ? "--total-count" : "--perf-count");
  }
  return loadgen::SettingsRequest{
      .model = options.model_name,
      .scenario = *scenario,
      .mode = *mode,
      .qsl = {.total = options.total_count, .performance = options.perf_count},
  };
}

// LoadGen carries on after these (and records its errors in the detail log); so does the plan,
// but the user should see them.
void report_diagnostics(const std::vector<loadgen::SettingsDiagnostic>& diagnostics) {
  for (const loadgen::SettingsDiagnostic& diagnostic : diagnostics) {
    if (diagnostic.severity == loadgen::DiagnosticSeverity::kLoadGenError) {
      spdlog::warn("{} (LoadGen logs this as {})", diagnostic.describe(),
                   diagnostic.loadgen_log_key);
    } else {
      spdlog::warn("{}", diagnostic.describe());
    }
  }
}

void print_plan(const std::vector<loadgen::PlannedSet>& plan) {
  uint64_t query_number = 0;
  fmt::memory_buffer lines;
  for (const loadgen::PlannedSet& planned : plan) {
    for (const loadgen::Query& query : planned.generated.queries) {
      for (const uint64_t sample : query.sample_indices) {
        fmt::format_to(std::back_inserter(lines),
                       "{{\"query\":{},\"sample\":{},\"scheduled_ns\":{}}}\n", query_number, sample,
                       query.scheduled_offset.count());
      }
      ++query_number;
      // Flush in chunks: an Offline plan can hold tens of thousands of lines.
      if (lines.size() > (1u << 16)) {
        fmt::print("{}", fmt::to_string(lines));
        lines.clear();
      }
    }
  }
  fmt::print("{}", fmt::to_string(lines));
}

ExitCode run_plan(const PlanOptions& options) {
  auto request = settings_request(options);
  if (!request) return cli::report_error(request.error());
  auto loaded = loadgen::load_settings_from_file(*request, options.user_conf);
  if (!loaded) return cli::report_error(loaded.error());
  report_diagnostics(loaded->diagnostics);
  auto plan = loadgen::plan_queries(loaded->effective, request->qsl);
  if (!plan) return cli::report_error(plan.error());
  print_plan(*plan);
  return ExitCode::kOk;
}

}  // namespace

cli::CommandSpec plan_command() {
  return {
      "plan", "Print the queries LoadGen would generate, one JSON line per sample; run nothing",
      [](CLI::App& sub, const cli::GlobalOptions&) -> cli::CommandHandler {
        auto options = std::make_shared<PlanOptions>();
        sub.add_option("--model-name", options->model_name,
                       "LoadGen model name (llama3_1-8b, llama3_1-8b-interactive, ...)")
            ->required();
        sub.add_option("--scenario", options->scenario, "Server, Offline or SingleStream")
            ->required();
        sub.add_option("--mode", options->mode, "performance or accuracy")->capture_default_str();
        sub.add_option("--user-conf", options->user_conf, "The user.conf to apply")->required();
        sub.add_option("--total-count", options->total_count,
                       "Samples in the QSL (LoadGen's TotalSampleCount)")
            ->required();
        sub.add_option("--perf-count", options->perf_count, "The QSL's PerformanceSampleCount")
            ->required();
        sub.footer(
            "Each line is {\"query\":q,\"sample\":i,\"scheduled_ns\":t}: the query's number "
            "in issue order, the sample's QSL index and the query's scheduled offset. "
            "SingleStream performance runs stop once min_query_count and min_duration are "
            "met, so they issue a prefix of this list.");
        return [options] { return run_plan(*options); };
      }};
}

}  // namespace mlbench::runner
