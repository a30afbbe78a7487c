#pragma once

#include <optional>
#include <string_view>

namespace mlbench::loadgen {

// LoadGen's TestScenario. MultiStream is kept although llama3.1-8b never runs it, because conf
// files name it and LoadGen reads MultiStream keys whatever the running scenario.
enum class Scenario { kSingleStream, kMultiStream, kServer, kOffline };

// LoadGen's TestMode; the numbers are what a conf file's `mode` key holds.
enum class TestMode { kSubmissionRun = 0, kAccuracyOnly = 1, kPerformanceOnly = 2, kFindPeak = 3 };

// The spellings LoadGen uses in conf keys and in its logs ("SingleStream", "PerformanceOnly").
std::string_view to_string(Scenario scenario);
std::string_view to_string(TestMode mode);

// Exact, case-sensitive match of LoadGen's spelling, since conf-file keys are matched that way.
std::optional<Scenario> scenario_from_string(std::string_view name);
std::optional<TestMode> test_mode_from_string(std::string_view name);

}  // namespace mlbench::loadgen
