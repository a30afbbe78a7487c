#include "mlbench/loadgen/conf_apply.h"

#include <fmt/format.h>

#include <climits>
#include <optional>
#include <string_view>
#include <utility>

#include "conf_keys.h"
#include "conf_value.h"

namespace mlbench::loadgen {
namespace {

using Entry = std::pair<const std::string, ConfEntry>;

constexpr uint64_t kNanosPerMilli = 1'000'000;
constexpr double kPercent = 0.01;

// LoadGen's `lookupkv`: find one key for one model and scenario, and convert its value the
// way LoadGen does. Conversion surprises become warnings naming the line that supplied it.
class Lookup {
 public:
  Lookup(const ConfFile& conf, std::string_view model, std::vector<SettingsDiagnostic>& diagnostics)
      : conf_(conf), model_(model), diagnostics_(diagnostics) {}

  // model.scenario.name, then *.scenario.name, then model.*.name, then *.*.name.
  const Entry* find(std::string_view scenario, std::string_view name) const {
    for (const std::string& key :
         {fmt::format("{}.{}.{}", model_, scenario, name), fmt::format("*.{}.{}", scenario, name),
          fmt::format("{}.*.{}", model_, name), fmt::format("*.*.{}", name)}) {
      if (auto it = conf_.entries.find(key); it != conf_.entries.end()) return &*it;
    }
    return nullptr;
  }

  std::optional<uint64_t> unsigned_value(std::string_view scenario, std::string_view name,
                                         uint64_t multiplier = 1) {
    const Entry* entry = find(scenario, name);
    if (!entry) return std::nullopt;
    auto reading = detail::read_unsigned_like_loadgen(entry->second.value, multiplier);
    if (reading.surprise) warn(*entry, std::move(*reading.surprise));
    return reading.value;
  }

  std::optional<double> double_value(std::string_view scenario, std::string_view name,
                                     double multiplier = 1.0) {
    const Entry* entry = find(scenario, name);
    if (!entry) return std::nullopt;
    auto reading = detail::read_double_like_loadgen(entry->second.value, multiplier);
    if (reading.surprise) warn(*entry, std::move(*reading.surprise));
    return reading.value;
  }

  void read_unsigned(std::string_view scenario, std::string_view name, uint64_t& field,
                     uint64_t multiplier = 1) {
    if (auto value = unsigned_value(scenario, name, multiplier)) field = *value;
  }

  void read_double(std::string_view scenario, std::string_view name, double& field,
                   double multiplier = 1.0) {
    if (auto value = double_value(scenario, name, multiplier)) field = *value;
  }

  // LoadGen turns some 0/1 keys on only for exactly 1 and others for anything but 0; both
  // agree on 0 and 1, so other numbers get a warning.
  enum class FlagRule { kOnlyOneIsTrue, kNonZeroIsTrue };
  void read_flag(std::string_view scenario, std::string_view name, bool& field, FlagRule rule) {
    auto value = unsigned_value(scenario, name);
    if (!value) return;
    field = rule == FlagRule::kOnlyOneIsTrue ? *value == 1 : *value != 0;
    if (*value > 1) {
      warn(*find(scenario, name),
           fmt::format("'{}' should be 0 or 1; LoadGen takes {} as {}", name, *value, field));
    }
  }

  void warn(const Entry& entry, std::string message) {
    diagnostics_.push_back(
        conf_warning(conf_.name, entry.second.line, fmt::format("{}: {}", entry.first, message)));
  }

  void loadgen_error(const Entry& entry, std::string message) {
    diagnostics_.push_back(mlbench::loadgen::loadgen_error("error_invalid_config", conf_.name,
                                                           entry.second.line, std::move(message)));
  }

 private:
  const ConfFile& conf_;
  std::string_view model_;
  std::vector<SettingsDiagnostic>& diagnostics_;
};

using FlagRule = Lookup::FlagRule;

void apply_mode(Lookup& lookup, std::string_view scenario, TestSettings& settings) {
  auto value = lookup.unsigned_value(scenario, "mode");
  if (!value) return;
  if (*value <= 3) {
    settings.mode = static_cast<TestMode>(*value);
  } else {
    lookup.loadgen_error(*lookup.find(scenario, "mode"),
                         "Invalid value passed to Mode key in config.");
  }
}

void apply_mlperf_conf_only_keys(Lookup& lookup, std::string_view scenario,
                                 TestSettings& settings) {
  lookup.read_unsigned(scenario, "qsl_rng_seed", settings.qsl_rng_seed);
  lookup.read_unsigned(scenario, "sample_index_rng_seed", settings.sample_index_rng_seed);
  lookup.read_unsigned(scenario, "schedule_rng_seed", settings.schedule_rng_seed);
  lookup.read_double(scenario, "accuracy_log_probability", settings.accuracy_log_probability,
                     kPercent);
  lookup.read_flag(scenario, "test05", settings.test05, FlagRule::kOnlyOneIsTrue);
  lookup.read_unsigned(scenario, "test05_qsl_rng_seed", settings.test05_qsl_rng_seed);
  lookup.read_unsigned(scenario, "test05_sample_index_rng_seed",
                       settings.test05_sample_index_rng_seed);
  lookup.read_unsigned(scenario, "test05_schedule_rng_seed", settings.test05_schedule_rng_seed);
}

// The token limits are read only while token latencies are on (as set by this file or an
// earlier one), and always under the Server scenario.
void apply_token_keys(Lookup& lookup, std::string_view scenario, TestSettings& settings) {
  lookup.read_flag(scenario, "use_token_latencies", settings.use_token_latencies,
                   FlagRule::kOnlyOneIsTrue);
  for (auto [name, field] : {std::pair{"ttft_latency", &settings.server_ttft_latency},
                             std::pair{"tpot_latency", &settings.server_tpot_latency}}) {
    if (settings.use_token_latencies) {
      lookup.read_unsigned("Server", name, *field, kNanosPerMilli);
    } else if (const Entry* unused = lookup.find("Server", name)) {
      lookup.warn(*unused, "ignored because use_token_latencies is not 1");
    }
  }

  lookup.read_flag(scenario, "infer_token_latencies", settings.infer_token_latencies,
                   FlagRule::kOnlyOneIsTrue);
  if (settings.infer_token_latencies) {
    lookup.read_unsigned(scenario, "token_latency_scaling_factor",
                         settings.token_latency_scaling_factor);
  } else if (const Entry* unused = lookup.find(scenario, "token_latency_scaling_factor")) {
    lookup.warn(*unused, "ignored because infer_token_latencies is not 1");
  }
}

void apply_latency_targets(Lookup& lookup, TestSettings& settings) {
  lookup.read_double("SingleStream", "target_latency_percentile",
                     settings.single_stream_target_latency_percentile, kPercent);
  lookup.read_double("MultiStream", "target_latency_percentile",
                     settings.multi_stream_target_latency_percentile, kPercent);
  lookup.read_unsigned("MultiStream", "samples_per_query", settings.multi_stream_samples_per_query);
  lookup.read_double("Server", "target_latency_percentile",
                     settings.server_target_latency_percentile, kPercent);
  lookup.read_unsigned("Server", "target_latency", settings.server_target_latency_ns,
                       kNanosPerMilli);
}

void apply_issue_keys(Lookup& lookup, std::string_view scenario, TestSettings& settings) {
  lookup.read_flag(scenario, "performance_issue_unique", settings.performance_issue_unique,
                   FlagRule::kNonZeroIsTrue);
  lookup.read_flag(scenario, "performance_issue_same", settings.performance_issue_same,
                   FlagRule::kNonZeroIsTrue);
  lookup.read_unsigned(scenario, "performance_issue_same_index",
                       settings.performance_issue_same_index);
  lookup.read_flag(scenario, "sample_concatenate_permutation",
                   settings.sample_concatenate_permutation, FlagRule::kOnlyOneIsTrue);
  lookup.read_flag("Server", "coalesce_queries", settings.server_coalesce_queries,
                   FlagRule::kNonZeroIsTrue);
  if (auto value = lookup.unsigned_value("Server", "max_async_queries")) {
    // LoadGen passes the value through an int on its way into the uint64 field.
    settings.server_max_async_queries = static_cast<uint64_t>(static_cast<int>(*value));
    if (*value > static_cast<uint64_t>(INT_MAX)) {
      lookup.warn(*lookup.find("Server", "max_async_queries"),
                  fmt::format("does not fit in an int; LoadGen uses {}",
                              settings.server_max_async_queries));
    }
  }
}

void apply_duration_and_count_keys(Lookup& lookup, std::string_view scenario,
                                   TestSettings& settings) {
  lookup.read_unsigned(scenario, "min_duration", settings.min_duration_ms);
  lookup.read_unsigned(scenario, "max_duration", settings.max_duration_ms);
  lookup.read_unsigned(scenario, "min_query_count", settings.min_query_count);
  lookup.read_unsigned(scenario, "max_query_count", settings.max_query_count);
  lookup.read_unsigned(scenario, "performance_sample_count_override",
                       settings.performance_sample_count_override);
  lookup.read_unsigned(scenario, "accuracy_sample_count_override",
                       settings.accuracy_sample_count_override);
  // Expected latencies are doubles in LoadGen, so "0.5" ms means 500000 ns here.
  lookup.read_double("SingleStream", "target_latency", settings.single_stream_expected_latency_ns,
                     kNanosPerMilli);
  lookup.read_double("MultiStream", "target_latency", settings.multi_stream_expected_latency_ns,
                     kNanosPerMilli);
  lookup.read_double("Server", "target_qps", settings.server_target_qps);
  lookup.read_double("Offline", "target_qps", settings.offline_expected_qps);
  lookup.read_flag(scenario, "print_timestamps", settings.print_timestamps,
                   FlagRule::kNonZeroIsTrue);
  lookup.read_unsigned(scenario, "accuracy_log_rng_seed", settings.accuracy_log_rng_seed);
  lookup.read_unsigned(scenario, "accuracy_log_sampling_target",
                       settings.accuracy_log_sampling_target);
}

bool rule_reads_scenario(const detail::ConfKeyRule& rule, Scenario scenario) {
  switch (scenario) {
    case Scenario::kSingleStream: return rule.read_for_single_stream;
    case Scenario::kMultiStream: return rule.read_for_multi_stream;
    case Scenario::kServer: return rule.read_for_server;
    case Scenario::kOffline: return rule.read_for_offline;
  }
  return false;
}

// Why LoadGen would never read this line, whatever model or scenario runs; empty if it might.
std::optional<std::string> never_read_reason(std::string_view key, ConfSource source) {
  const auto parts = detail::split_conf_key(key);
  if (!parts) return "LoadGen never reads it: keys have the form model.scenario.name";
  std::optional<Scenario> scenario;
  if (parts->scenario != "*") {
    scenario = scenario_from_string(parts->scenario);
    if (!scenario) {
      return fmt::format(
          "LoadGen never reads it: '{}' is not SingleStream, MultiStream, Server, Offline or *",
          parts->scenario);
    }
  }
  const auto rule = detail::find_conf_key_rule(parts->name);
  if (!rule) return fmt::format("LoadGen never reads it: '{}' is not a key it knows", parts->name);
  if (rule->mlperf_conf_only && source != ConfSource::kMlperfConf) {
    return fmt::format("ignored: LoadGen reads '{}' only from its built-in mlperf.conf",
                       parts->name);
  }
  if (scenario && !rule_reads_scenario(*rule, *scenario)) {
    return fmt::format("LoadGen never reads it: '{}' is not looked up under {}", parts->name,
                       parts->scenario);
  }
  return std::nullopt;
}

}  // namespace

AppliedConf apply_conf(const TestSettings& base, const ConfFile& conf, const ConfScope& scope) {
  AppliedConf applied{base, {}};
  TestSettings& settings = applied.settings;
  Lookup lookup(conf, scope.model, applied.diagnostics);
  const std::string_view scenario = to_string(scope.scenario);

  for (const auto& [key, entry] : conf.entries) {
    if (auto reason = never_read_reason(key, scope.source)) {
      applied.diagnostics.push_back(
          conf_warning(conf.name, entry.line, fmt::format("{}: {}", key, *reason)));
    }
  }

  // The order matters only where LoadGen's does: use_token_latencies gates the token limits.
  apply_mode(lookup, scenario, settings);
  if (scope.source == ConfSource::kMlperfConf) {
    apply_mlperf_conf_only_keys(lookup, scenario, settings);
  }
  apply_token_keys(lookup, scenario, settings);
  apply_latency_targets(lookup, settings);
  apply_issue_keys(lookup, scenario, settings);
  apply_duration_and_count_keys(lookup, scenario, settings);
  return applied;
}

}  // namespace mlbench::loadgen
