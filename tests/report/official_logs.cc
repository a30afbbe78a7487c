#include "report/official_logs.h"

#include <gtest/gtest.h>

#include <fstream>

namespace mlbench::report::testing {

namespace fs = std::filesystem;

std::string replace_once(std::string text, std::string_view from, std::string_view to) {
  const size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << "edit target not found: " << from;
  if (at == std::string::npos) return text;
  EXPECT_EQ(text.find(from, at + 1), std::string::npos) << "edit target not unique: " << from;
  return text.replace(at, from.size(), to);
}

void write_text(const fs::path& path, std::string_view text) {
  fs::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary);
  out << text;
}

fs::path copy_official_node(const fs::path& run_dir, std::string_view node, std::string_view run) {
  const fs::path dir = run_dir / "nodes" / node;
  for (std::string_view file : {"mlperf_log_summary.txt", "mlperf_log_detail.txt"}) {
    write_text(dir / file, official(run, file));
  }
  return dir;
}

fs::path make_invalid_offline_node(const fs::path& run_dir, std::string_view node) {
  const fs::path dir = copy_official_node(run_dir, node, "Offline");
  std::string summary = mlbench::testing::read_file(dir / "mlperf_log_summary.txt");
  summary = replace_once(summary, "Result is : VALID", "Result is : INVALID");
  summary = replace_once(summary,
                         "  Min duration satisfied : Yes\n  Min queries satisfied : Yes\n  Early "
                         "stopping satisfied: Yes\n",
                         "  Min duration satisfied : NO\n  Min queries satisfied : Yes\n  Early "
                         "stopping satisfied: Yes\n"
                         "Recommendations:\n * Increase expected QPS so the loadgen pre-generates "
                         "a larger (coalesced) "
                         "query.\n");
  write_text(dir / "mlperf_log_summary.txt", summary);

  std::string detail = mlbench::testing::read_file(dir / "mlperf_log_detail.txt");
  detail = replace_once(detail, R"("key": "result_validity", "value": "VALID")",
                        R"("key": "result_validity", "value": "INVALID")");
  detail = replace_once(detail, R"("key": "result_min_duration_met", "value": true)",
                        R"("key": "result_min_duration_met", "value": false)");
  // LoadGen logs the reason right after early_stopping_met when the result is INVALID.
  const size_t at = detail.find(R"(:::MLLOG {"key": "early_stopping_ttft_result")");
  EXPECT_NE(at, std::string::npos);
  detail.insert(at,
                ":::MLLOG {\"key\": \"result_invalid_reason\", \"value\": \"Increase expected QPS "
                "so the loadgen pre-generates a larger (coalesced) query. \", \"time_ms\": "
                "14886.967762, \"namespace\": \"mlperf::logging\", \"event_type\": "
                "\"POINT_IN_TIME\", \"metadata\": {\"is_error\": false, \"is_warning\": false, "
                "\"file\": \"/tmp/loadgen-build/loadgen/results.cc\", \"line_no\": 690, \"pid\": "
                "7797, \"tid\": 7797}}\n");
  write_text(dir / "mlperf_log_detail.txt", detail);
  return dir;
}

}  // namespace mlbench::report::testing
