#include "mlbench/config/config.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <utility>

namespace mlbench::config {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) ==
           std::tolower(static_cast<unsigned char>(y));
  });
}

template <typename Enum, size_t N>
std::optional<Enum> lookup(const std::array<std::pair<std::string_view, Enum>, N>& names,
                           std::string_view text) {
  for (const auto& [name, value] : names) {
    if (iequals(name, text)) return value;
  }
  return std::nullopt;
}

template <typename Enum, size_t N>
std::string_view name_of(const std::array<std::pair<std::string_view, Enum>, N>& names,
                         Enum value) {
  for (const auto& [name, candidate] : names) {
    if (candidate == value) return name;
  }
  return "?";
}

constexpr std::array<std::pair<std::string_view, LauncherKind>, 4> kLaunchers{{
    {"local", LauncherKind::kLocal},
    {"ssh", LauncherKind::kSsh},
    {"kubernetes", LauncherKind::kKubernetes},
    {"slurm", LauncherKind::kSlurm},
}};
constexpr std::array<std::pair<std::string_view, Backend>, 3> kBackends{{
    {"cpu", Backend::kCpu},
    {"cuda", Backend::kCuda},
    {"sim", Backend::kSim},
}};
constexpr std::array<std::pair<std::string_view, Scenario>, 3> kScenarios{{
    {"server", Scenario::kServer},
    {"offline", Scenario::kOffline},
    {"singlestream", Scenario::kSingleStream},
}};
constexpr std::array<std::pair<std::string_view, Mode>, 2> kModes{{
    {"performance", Mode::kPerformance},
    {"accuracy", Mode::kAccuracy},
}};
constexpr std::array<std::pair<std::string_view, HostKeyPolicy>, 2> kHostKeyPolicies{{
    {"strict", HostKeyPolicy::kStrict},
    {"accept-new", HostKeyPolicy::kAcceptNew},
}};
constexpr std::array<std::pair<std::string_view, RunnerUpload>, 2> kRunnerUploads{{
    {"never", RunnerUpload::kNever},
    {"if_needed", RunnerUpload::kIfNeeded},
}};

}  // namespace

std::string_view to_string(LauncherKind kind) {
  return name_of(kLaunchers, kind);
}
std::string_view to_string(Backend backend) {
  return name_of(kBackends, backend);
}
std::string_view to_string(Scenario scenario) {
  return name_of(kScenarios, scenario);
}
std::string_view to_string(Mode mode) {
  return name_of(kModes, mode);
}
std::string_view to_string(HostKeyPolicy policy) {
  return name_of(kHostKeyPolicies, policy);
}
std::string_view to_string(RunnerUpload upload) {
  return name_of(kRunnerUploads, upload);
}

std::optional<LauncherKind> parse_launcher(std::string_view text) {
  return lookup(kLaunchers, text);
}
std::optional<Backend> parse_backend(std::string_view text) {
  return lookup(kBackends, text);
}
std::optional<Scenario> parse_scenario(std::string_view text) {
  return lookup(kScenarios, text);
}
std::optional<Mode> parse_mode(std::string_view text) {
  return lookup(kModes, text);
}
std::optional<HostKeyPolicy> parse_host_key_policy(std::string_view text) {
  return lookup(kHostKeyPolicies, text);
}
std::optional<RunnerUpload> parse_runner_upload(std::string_view text) {
  return lookup(kRunnerUploads, text);
}

std::string_view runner_flag_key(std::string_view flag) {
  // Every flag orchestrator/plan.cc's runner_argv passes, with the key that sets it. A second
  // copy in runner.args would make the runner refuse the run (each may be given once).
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 11> kSetByController =
      {{{"--backend", "runner.backend"},
        {"--model-name", "model.name"},
        {"--scenario", "benchmark.scenario (or mlbench run --scenario)"},
        {"--mode", "benchmark.mode (or mlbench run --mode)"},
        {"--max-output-tokens", "benchmark.max_output_tokens"},
        {"--out", "report.out_dir"},
        {"--model", "model.path"},
        {"--dataset", "dataset.path"},
        {"--max-samples", "dataset.max_samples"},
        {"--user-conf", "benchmark.user_conf"},
        {"--gpus", "nodes[].gpus"}}};
  const std::string_view name = flag.substr(0, flag.find('='));
  for (const auto& [controller_flag, key] : kSetByController) {
    if (name == controller_flag) return key;
  }
  return {};
}

std::vector<std::string> node_names(const Config& config) {
  std::vector<std::string> names;
  names.reserve(config.nodes.size());
  for (const auto& node : config.nodes)
    names.push_back(node.name);
  return names;
}

std::string configured_address(const Node& node) {
  if (node.port == 0) return node.host;
  // IPv6 literals are bracketed so the port stays readable.
  if (node.host.find(':') != std::string::npos) return fmt::format("[{}]:{}", node.host, node.port);
  return fmt::format("{}:{}", node.host, node.port);
}

}  // namespace mlbench::config
