#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "support/temp_dir.h"

// The official LoadGen 6.0.17 logs in the team's shared notes (shared/testdata/loadgen), and
// run directories built from copies of them.
namespace mlbench::report::testing {

inline const std::filesystem::path kOfficialLogs =
    std::filesystem::path(MLBENCH_SOURCE_DIR "/../shared/testdata/loadgen");

inline bool official_logs_present() {
  return std::filesystem::exists(kOfficialLogs / "Offline" / "mlperf_log_detail.txt");
}

inline std::string official(std::string_view run, std::string_view file) {
  return mlbench::testing::read_file(kOfficialLogs / run / file);
}

// Replaces the one occurrence of `from` in `text`; the test fails loudly (returns the text
// unchanged with a marker) when it is not there, so an edit never silently does nothing.
std::string replace_once(std::string text, std::string_view from, std::string_view to);

// Copies an official run's summary and detail logs into run_dir/nodes/<node>/.
std::filesystem::path copy_official_node(const std::filesystem::path& run_dir,
                                         std::string_view node, std::string_view run);

// The official Offline run, edited minimally into the INVALID result LoadGen writes when the
// minimum duration is not met: "Result is" and "Min duration satisfied" in the summary (plus
// LoadGen's recommendation for that case), result_validity, result_min_duration_met and
// result_invalid_reason in the detail log. Every figure stays the official one.
std::filesystem::path make_invalid_offline_node(const std::filesystem::path& run_dir,
                                                std::string_view node);

void write_text(const std::filesystem::path& path, std::string_view text);

}  // namespace mlbench::report::testing
