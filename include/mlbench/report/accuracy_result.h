#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "mlbench/core/error.h"

namespace mlbench::report {

// accuracy.json, the scores `mlbench-runner accuracy` writes for an accuracy run, read
// generically so the report needs no change when a metric is added: every number (or numeric
// string, as MLPerf's evaluation prints ROUGE) is a metric, nested objects are flattened with
// dots ("targets.rouge1"), and a member named `verdict` (a string starting with "pass" or
// "fail") or `passed` (a boolean) is the verdict.
struct AccuracyResult {
  std::vector<std::pair<std::string, double>> metrics;  // in the file's order
  std::vector<std::pair<std::string, std::string>> texts;
  std::optional<bool> passed;
  std::string verdict;  // as written
  std::vector<Error> problems;
};

AccuracyResult parse_accuracy_result(std::string_view text, const std::string& file);

}  // namespace mlbench::report
