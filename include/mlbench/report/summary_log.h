#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mlbench/core/error.h"

namespace mlbench::report {

// mlperf_log_summary.txt as LoadGen writes it (specs/loadgen.md §4.1), read back. Every
// `key : value` line is kept under its trimmed key, the first occurrence winning; numbers are
// checked where LoadGen prints numbers. An accuracy run's summary is only the footer.
struct SummaryLog {
  std::string sut_name;
  std::string scenario;  // "Offline", "Server", "SingleStream", "MultiStream"
  std::string mode;      // "PerformanceOnly", ...; empty for an accuracy run's footer-only file
  std::optional<bool> valid;  // "Result is : VALID|INVALID"

  // "Min duration satisfied" -> true, in the file's order.
  std::vector<std::pair<std::string, bool>> conditions;
  std::vector<std::string> recommendations;  // the " * " items under "Recommendations:"
  // Block name ("TTFT", "TPOT", "" for non-token mode) -> the text, lines joined with '\n'.
  std::map<std::string, std::string> early_stopping;

  // Numbers of the results block, "Additional Stats" and "Test Parameters Used", by the key as
  // printed ("Samples per second", "99.90 percentile latency (ns)", "min_duration (ms)").
  std::map<std::string, double, std::less<>> numbers;
  std::map<std::string, size_t, std::less<>> number_lines;  // where each came from

  std::optional<uint64_t> warning_count;  // from the footer
  std::optional<uint64_t> error_count;
  bool complete = false;  // the closing errors line was read

  // Damage, each naming file:line. Empty for a sound file.
  std::vector<Error> problems;

  std::optional<double> number(std::string_view key) const;
};

// `file` is the name used in errors (the path, or the file name for a run directory's node).
SummaryLog parse_summary_log(std::string_view text, const std::string& file);

}  // namespace mlbench::report
