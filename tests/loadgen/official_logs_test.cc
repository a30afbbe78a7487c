// Oracle test: the official LoadGen 6.0.17 printed its requested_* and effective_* settings in
// mlperf_log_detail.txt for each run in shared/testdata/loadgen; settings.txt next to it says
// which model, scenario, mode and user.conf produced it. We load the same settings and must
// print-equal every one of those keys.

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "mlbench/loadgen/load_settings.h"

namespace mlbench::loadgen {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const fs::path kTestdata = fs::path(MLBENCH_SOURCE_DIR "/../shared/testdata/loadgen");

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<std::string> run_directories() {
  std::vector<std::string> names;
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(kTestdata, error)) {
    if (fs::exists(entry.path() / "settings.txt")) names.push_back(entry.path().filename());
  }
  std::sort(names.begin(), names.end());
  return names;
}

// What settings.txt says about the run.
struct RunDescription {
  std::string model;
  std::string scenario;
  std::string mode;
  std::string user_conf;
};

std::string field_after(const std::string& line, const std::string& label) {
  const size_t start = line.find(label);
  if (start == std::string::npos) return {};
  const size_t value = start + label.size();
  return line.substr(value, line.find(';', value) - value);
}

std::optional<RunDescription> describe_run(const std::string& settings_txt) {
  RunDescription run;
  std::istringstream lines(settings_txt);
  for (std::string line; std::getline(lines, line);) {
    if (line.starts_with("model name: ")) {
      run.model = field_after(line, "model name: ");
      run.scenario = field_after(line, "scenario: ");
      run.mode = field_after(line, "mode: ");
    }
  }
  const std::string marker = "user.conf used (verbatim):\n";
  const std::string rule = "--------------------------\n";
  size_t start = settings_txt.find(marker);
  if (start == std::string::npos) return std::nullopt;
  start = settings_txt.find(rule, start);
  if (start == std::string::npos) return std::nullopt;
  start += rule.size();
  const size_t end = settings_txt.find(rule, start);
  if (end == std::string::npos || run.model.empty()) return std::nullopt;
  run.user_conf = settings_txt.substr(start, end - start);
  return run;
}

// First occurrence of each key, as the submission checker reads it.
std::map<std::string, json> detail_log_values(const std::string& detail) {
  std::map<std::string, json> values;
  std::istringstream lines(detail);
  const std::string prefix = ":::MLLOG ";
  for (std::string line; std::getline(lines, line);) {
    if (!line.starts_with(prefix)) continue;
    const json entry = json::parse(line.substr(prefix.size()));
    values.emplace(entry.at("key").get<std::string>(), entry.at("value"));
  }
  return values;
}

// A double as LoadGen's ostream prints it (6 significant digits), read back.
double as_printed(double value) {
  return std::stod(fmt::format("{:g}", value));
}

struct Expected {
  json value;
  bool is_double = false;
};

std::map<std::string, Expected> our_log_values(const EffectiveSettings& e) {
  const TestSettings& r = e.requested;
  auto d = [](double v) { return Expected{v, true}; };
  auto v = [](json j) { return Expected{std::move(j), false}; };
  return {
      {"requested_scenario", v(to_string(r.scenario))},
      {"requested_test_mode", v(to_string(r.mode))},
      {"requested_single_stream_expected_latency_ns", d(r.single_stream_expected_latency_ns)},
      {"requested_single_stream_target_latency_percentile",
       d(r.single_stream_target_latency_percentile)},
      {"requested_server_target_qps", d(r.server_target_qps)},
      {"requested_server_target_latency_ns", v(r.server_target_latency_ns)},
      {"requested_server_target_latency_percentile", d(r.server_target_latency_percentile)},
      {"requested_server_coalesce_queries", v(r.server_coalesce_queries)},
      {"requested_server_find_peak_qps_decimals_of_precision",
       v(r.server_find_peak_qps_decimals_of_precision)},
      {"requested_server_find_peak_qps_boundary_step_size",
       d(r.server_find_peak_qps_boundary_step_size)},
      {"requested_server_max_async_queries", v(r.server_max_async_queries)},
      {"requested_server_num_issue_query_threads", v(r.server_num_issue_query_threads)},
      {"requested_offline_expected_qps", d(r.offline_expected_qps)},
      {"requested_min_duration_ms", v(r.min_duration_ms)},
      {"requested_max_duration_ms", v(r.max_duration_ms)},
      {"requested_min_query_count", v(r.min_query_count)},
      {"requested_max_query_count", v(r.max_query_count)},
      {"requested_qsl_rng_seed", v(r.qsl_rng_seed)},
      {"requested_sample_index_rng_seed", v(r.sample_index_rng_seed)},
      {"requested_schedule_rng_seed", v(r.schedule_rng_seed)},
      {"requested_accuracy_log_rng_seed", v(r.accuracy_log_rng_seed)},
      {"requested_accuracy_log_probability", d(r.accuracy_log_probability)},
      {"requested_accuracy_log_sampling_target", v(r.accuracy_log_sampling_target)},
      {"requested_print_timestamps", v(r.print_timestamps)},
      {"requested_performance_issue_unique", v(r.performance_issue_unique)},
      {"requested_performance_issue_same", v(r.performance_issue_same)},
      {"requested_performance_issue_same_index", v(r.performance_issue_same_index)},
      {"requested_performance_sample_count_override", v(r.performance_sample_count_override)},
      {"requested_accuracy_sample_count_override", v(r.accuracy_sample_count_override)},
      {"requested_sample_concatenate_permutation", v(r.sample_concatenate_permutation)},
      {"requested_use_token_latencies", v(r.use_token_latencies)},
      {"requested_server_ttft_latency", v(r.server_ttft_latency)},
      {"requested_server_tpot_latency", v(r.server_tpot_latency)},
      {"effective_scenario", v(to_string(e.scenario))},
      {"effective_test_mode", v(to_string(e.mode))},
      {"effective_samples_per_query", v(e.samples_per_query)},
      {"effective_target_qps", d(e.target_qps)},
      {"effective_target_latency_ns", v(e.target_latency.count())},
      {"effective_target_latency_percentile", d(e.target_latency_percentile)},
      {"effective_max_async_queries", v(e.max_async_queries)},
      {"effective_target_duration_ms", v(e.target_duration.count())},
      {"effective_min_duration_ms", v(e.min_duration.count())},
      {"effective_max_duration_ms", v(e.max_duration.count())},
      {"effective_min_query_count", v(e.min_query_count)},
      {"effective_max_query_count", v(e.max_query_count)},
      {"effective_min_sample_count", v(e.min_sample_count)},
      {"effective_qsl_rng_seed", v(e.qsl_rng_seed)},
      {"effective_sample_index_rng_seed", v(e.sample_index_rng_seed)},
      {"effective_schedule_rng_seed", v(e.schedule_rng_seed)},
      {"effective_accuracy_log_rng_seed", v(e.accuracy_log_rng_seed)},
      {"effective_accuracy_log_probability", d(e.accuracy_log_probability)},
      {"effective_accuracy_log_sampling_target", v(e.accuracy_log_sampling_target)},
      {"effective_print_timestamps", v(e.print_timestamps)},
      {"effective_performance_issue_unique", v(e.performance_issue_unique)},
      {"effective_performance_issue_same", v(e.performance_issue_same)},
      {"effective_performance_issue_same_index", v(e.performance_issue_same_index)},
      {"effective_performance_sample_count", v(e.performance_sample_count)},
      {"effective_accuracy_sample_count", v(e.accuracy_sample_count)},
      {"effective_sample_concatenate_permutation", v(e.sample_concatenate_permutation)},
  };
}

TEST(OfficialLogs, TestdataIsPresent) {
  if (!fs::exists(kTestdata)) {
    GTEST_SKIP() << "no official LoadGen logs at " << kTestdata
                 << " (the source tree's parent has no shared/testdata/loadgen)";
  }
  EXPECT_FALSE(run_directories().empty());
}

class OfficialLogs : public ::testing::TestWithParam<std::string> {};

TEST_P(OfficialLogs, EffectiveAndRequestedSettingsMatchLoadGen) {
  const fs::path dir = kTestdata / GetParam();
  const auto run = describe_run(read_text(dir / "settings.txt"));
  ASSERT_TRUE(run) << "cannot read model, scenario and user.conf from " << dir / "settings.txt";
  const auto logged = detail_log_values(read_text(dir / "mlperf_log_detail.txt"));

  const auto scenario = scenario_from_string(run->scenario);
  const auto mode = test_mode_from_string(run->mode);
  ASSERT_TRUE(scenario && mode) << run->scenario << " / " << run->mode;
  const SettingsRequest request{
      run->model, *scenario, *mode,
      QslCounts{logged.at("qsl_reported_total_count").get<uint64_t>(),
                logged.at("qsl_reported_performance_count").get<uint64_t>()}};
  auto loaded = load_settings(request, ConfText{"user.conf", run->user_conf});
  ASSERT_TRUE(loaded.ok()) << loaded.error().describe();
  for (const auto& diagnostic : loaded->diagnostics)
    ADD_FAILURE() << diagnostic.describe();

  const auto ours = our_log_values(loaded->effective);
  int compared = 0;
  for (const auto& [key, value] : logged) {
    if (!key.starts_with("requested_") && !key.starts_with("effective_")) continue;
    const auto it = ours.find(key);
    if (it == ours.end()) {
      ADD_FAILURE() << "LoadGen logs " << key << " but we do not derive it";
      continue;
    }
    ++compared;
    if (it->second.is_double) {
      EXPECT_EQ(as_printed(it->second.value.get<double>()), value.get<double>()) << key;
    } else {
      EXPECT_EQ(it->second.value, value) << key;
    }
  }
  EXPECT_GE(compared, 45);  // Offline logs 47 such keys, SingleStream 53
}

INSTANTIATE_TEST_SUITE_P(Runs, OfficialLogs, ::testing::ValuesIn(run_directories()));
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(OfficialLogs);

}  // namespace
}  // namespace mlbench::loadgen
