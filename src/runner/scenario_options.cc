#include "runner/scenario_options.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace mlbench::runner {
namespace {

// The scenarios llama3.1-8b runs, in LoadGen's spelling (any case accepted on the command line).
Result<loadgen::Scenario> parse_scenario(const std::string& text) {
  for (const auto scenario : {loadgen::Scenario::kServer, loadgen::Scenario::kOffline,
                              loadgen::Scenario::kSingleStream}) {
    const std::string_view name = loadgen::to_string(scenario);
    if (std::equal(name.begin(), name.end(), text.begin(), text.end(),
                   [](char a, char b) { return std::tolower(a) == std::tolower(b); })) {
      return scenario;
    }
  }
  return fail(ErrorCode::kInvalidArgument,
              fmt::format("unknown scenario '{}'; expected Server, Offline or SingleStream", text),
              "--scenario");
}

Result<loadgen::TestMode> parse_mode(const std::string& text) {
  if (text == "performance") return loadgen::TestMode::kPerformanceOnly;
  if (text == "accuracy") return loadgen::TestMode::kAccuracyOnly;
  return fail(ErrorCode::kInvalidArgument,
              fmt::format("unknown mode '{}'; expected performance or accuracy", text), "--mode");
}

// LoadGen carries on after these (and records its errors in the detail log); so do we, but the
// user should see them.
void log_diagnostics(const std::vector<loadgen::SettingsDiagnostic>& diagnostics) {
  for (const loadgen::SettingsDiagnostic& diagnostic : diagnostics) {
    if (diagnostic.severity == loadgen::DiagnosticSeverity::kLoadGenError) {
      spdlog::warn("{} (LoadGen logs this as {})", diagnostic.describe(),
                   diagnostic.loadgen_log_key);
    } else {
      spdlog::warn("{}", diagnostic.describe());
    }
  }
}

}  // namespace

void add_scenario_options(CLI::App& sub, ScenarioOptions& options) {
  sub.add_option("--model-name", options.model_name,
                 "LoadGen model name (llama3_1-8b, llama3_1-8b-interactive, llama3_1-8b-edge)")
      ->capture_default_str();
  sub.add_option("--scenario", options.scenario, "Server, Offline or SingleStream")->required();
  sub.add_option("--mode", options.mode, "performance or accuracy")->capture_default_str();
  sub.add_option("--user-conf", options.user_conf, "The user.conf to apply after mlperf.conf");
  sub.add_option("--total-count", options.total_count,
                 "Samples in the QSL (LoadGen's TotalSampleCount)");
  sub.add_option("--perf-count", options.perf_count,
                 "The QSL's PerformanceSampleCount (default: the total count)");
}

Result<ScenarioSettings> load_scenario_settings(const ScenarioOptions& options) {
  auto scenario = parse_scenario(options.scenario);
  if (!scenario) return scenario.failure();
  auto mode = parse_mode(options.mode);
  if (!mode) return mode.failure();
  if (options.total_count == 0 || options.perf_count == 0u) {
    return fail(ErrorCode::kInvalidArgument, "the QSL must hold at least one sample",
                options.total_count == 0 ? "--total-count" : "--perf-count");
  }
  ScenarioSettings settings;
  settings.request = loadgen::SettingsRequest{
      .model = options.model_name,
      .scenario = *scenario,
      .mode = *mode,
      .qsl = {.total = options.total_count,
              .performance = options.perf_count.value_or(options.total_count)},
  };
  auto loaded = options.user_conf.empty()
                    ? loadgen::load_settings(settings.request, std::nullopt)
                    : loadgen::load_settings_from_file(settings.request, options.user_conf);
  if (!loaded) return loaded.failure();
  log_diagnostics(loaded->diagnostics);
  settings.loaded = std::move(loaded).value();
  return settings;
}

}  // namespace mlbench::runner
