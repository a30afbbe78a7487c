#include "conf_keys.h"

#include <array>

namespace mlbench::loadgen::detail {
namespace {

constexpr ConfKeyRule any_scenario(std::string_view name) {
  return ConfKeyRule{name};
}

constexpr ConfKeyRule mlperf_conf_only(std::string_view name) {
  return ConfKeyRule{name, true, true, true, true, true};
}

constexpr ConfKeyRule only_for(std::string_view name, bool single_stream, bool multi_stream,
                               bool server, bool offline) {
  return ConfKeyRule{name, single_stream, multi_stream, server, offline, false};
}

constexpr std::array kRules{
    any_scenario("mode"),
    mlperf_conf_only("qsl_rng_seed"),
    mlperf_conf_only("sample_index_rng_seed"),
    mlperf_conf_only("schedule_rng_seed"),
    mlperf_conf_only("accuracy_log_probability"),
    mlperf_conf_only("test05"),
    mlperf_conf_only("test05_qsl_rng_seed"),
    mlperf_conf_only("test05_sample_index_rng_seed"),
    mlperf_conf_only("test05_schedule_rng_seed"),
    any_scenario("use_token_latencies"),
    only_for("ttft_latency", false, false, true, false),
    only_for("tpot_latency", false, false, true, false),
    any_scenario("infer_token_latencies"),
    any_scenario("token_latency_scaling_factor"),
    only_for("target_latency_percentile", true, true, true, false),
    only_for("samples_per_query", false, true, false, false),
    only_for("target_latency", true, true, true, false),
    any_scenario("performance_issue_unique"),
    any_scenario("performance_issue_same"),
    any_scenario("performance_issue_same_index"),
    any_scenario("sample_concatenate_permutation"),
    only_for("coalesce_queries", false, false, true, false),
    only_for("max_async_queries", false, false, true, false),
    any_scenario("min_duration"),
    any_scenario("max_duration"),
    any_scenario("min_query_count"),
    any_scenario("max_query_count"),
    any_scenario("performance_sample_count_override"),
    any_scenario("accuracy_sample_count_override"),
    only_for("target_qps", false, false, true, true),
    any_scenario("print_timestamps"),
    any_scenario("accuracy_log_rng_seed"),
    any_scenario("accuracy_log_sampling_target"),
};

}  // namespace

std::optional<ConfKeyRule> find_conf_key_rule(std::string_view name) {
  for (const ConfKeyRule& rule : kRules) {
    if (rule.name == name) return rule;
  }
  return std::nullopt;
}

std::optional<ConfKeyParts> split_conf_key(std::string_view key) {
  const size_t last_dot = key.rfind('.');
  if (last_dot == std::string_view::npos || last_dot == 0) return std::nullopt;
  const size_t scenario_dot = key.rfind('.', last_dot - 1);
  if (scenario_dot == std::string_view::npos) return std::nullopt;
  return ConfKeyParts{key.substr(0, scenario_dot),
                      key.substr(scenario_dot + 1, last_dot - scenario_dot - 1),
                      key.substr(last_dot + 1)};
}

}  // namespace mlbench::loadgen::detail
