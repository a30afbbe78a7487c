#include "mlbench/loadgen/scenario.h"

#include <array>
#include <utility>

namespace mlbench::loadgen {
namespace {

constexpr std::array<std::pair<std::string_view, Scenario>, 4> kScenarioNames{{
    {"SingleStream", Scenario::kSingleStream},
    {"MultiStream", Scenario::kMultiStream},
    {"Server", Scenario::kServer},
    {"Offline", Scenario::kOffline},
}};

constexpr std::array<std::pair<std::string_view, TestMode>, 4> kModeNames{{
    {"SubmissionRun", TestMode::kSubmissionRun},
    {"AccuracyOnly", TestMode::kAccuracyOnly},
    {"PerformanceOnly", TestMode::kPerformanceOnly},
    {"FindPeakPerformance", TestMode::kFindPeak},
}};

template <typename Enum, size_t N>
std::string_view name_of(const std::array<std::pair<std::string_view, Enum>, N>& names,
                         Enum value) {
  for (const auto& [name, candidate] : names) {
    if (candidate == value) return name;
  }
  return "Invalid";
}

template <typename Enum, size_t N>
std::optional<Enum> value_of(const std::array<std::pair<std::string_view, Enum>, N>& names,
                             std::string_view text) {
  for (const auto& [name, value] : names) {
    if (name == text) return value;
  }
  return std::nullopt;
}

}  // namespace

std::string_view to_string(Scenario scenario) {
  return name_of(kScenarioNames, scenario);
}
std::string_view to_string(TestMode mode) {
  return name_of(kModeNames, mode);
}

std::optional<Scenario> scenario_from_string(std::string_view name) {
  return value_of(kScenarioNames, name);
}
std::optional<TestMode> test_mode_from_string(std::string_view name) {
  return value_of(kModeNames, name);
}

}  // namespace mlbench::loadgen
