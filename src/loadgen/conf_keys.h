#pragma once

// Which key names LoadGen's FromConfig reads, and for which scenario component. Used only to
// explain lines LoadGen would skip without a word (a typo in a key name, a key under a
// scenario LoadGen never looks it up with, a seed in user.conf).

#include <optional>
#include <string_view>

namespace mlbench::loadgen::detail {

struct ConfKeyRule {
  std::string_view name;
  // The scenarios LoadGen looks the key up with. Keys read with the running scenario list
  // all four; keys such as Server.target_qps are looked up with a fixed scenario whatever runs.
  bool read_for_single_stream = true;
  bool read_for_multi_stream = true;
  bool read_for_server = true;
  bool read_for_offline = true;
  bool mlperf_conf_only = false;
};

std::optional<ConfKeyRule> find_conf_key_rule(std::string_view name);

// A key split as model.scenario.name; the model part may itself contain dots.
struct ConfKeyParts {
  std::string_view model;
  std::string_view scenario;
  std::string_view name;
};
std::optional<ConfKeyParts> split_conf_key(std::string_view key);

}  // namespace mlbench::loadgen::detail
