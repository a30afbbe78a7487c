#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "mlbench/core/error.h"

namespace mlbench::report {

// One `:::MLLOG {...}` line of mlperf_log_detail.txt (specs/loadgen.md §4.2).
struct DetailEntry {
  nlohmann::json value;
  double time_ms = 0;
  size_t line = 0;
};

// A line LoadGen flagged `is_error` or `is_warning`, in file order.
struct DetailMessage {
  std::string key;   // error_runtime, error_invalid_config, warning_generic_message, ...
  std::string text;  // the value, as text
  size_t line = 0;
};

// mlperf_log_detail.txt read back the way the submission checker reads it: every line must be
// `:::MLLOG ` + one JSON object, and the first occurrence of a key wins. LoadGen's known quirks
// are accepted (an empty list or map printed as `]` / `}`).
struct DetailLog {
  std::unordered_map<std::string, DetailEntry> first;
  std::vector<DetailMessage> errors;
  std::vector<DetailMessage> warnings;
  size_t line_count = 0;
  std::vector<Error> problems;  // damage, each naming file:line

  const DetailEntry* find(std::string_view key) const;
};

DetailLog parse_detail_log(std::string_view text, const std::string& file);

// Typed reads of the first occurrence of a key. A key that is absent gives nullopt; a key that
// is present with another type also gives nullopt and appends a problem naming file:line:key.
std::optional<int64_t> detail_int(const DetailLog& log, std::string_view key,
                                  const std::string& file, std::vector<Error>& problems);
std::optional<double> detail_number(const DetailLog& log, std::string_view key,
                                    const std::string& file, std::vector<Error>& problems);
std::optional<bool> detail_bool(const DetailLog& log, std::string_view key, const std::string& file,
                                std::vector<Error>& problems);
std::optional<std::string> detail_string(const DetailLog& log, std::string_view key,
                                         const std::string& file, std::vector<Error>& problems);

}  // namespace mlbench::report
