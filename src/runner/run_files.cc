#include "runner/run_files.h"

#include <filesystem>

#include "mlbench/loadgen/accuracy_log.h"
#include "mlbench/loadgen/detail_log.h"
#include "mlbench/loadgen/log_file.h"
#include "mlbench/loadgen/performance_result.h"
#include "mlbench/loadgen/summary_log.h"

namespace mlbench::runner {

Result<WrittenRun> write_run_files(const loadgen::RunRecord& record, const std::string& out_dir) {
  const loadgen::PerformanceResult result = loadgen::compute_performance_result(record);
  const std::vector<std::pair<std::string, std::string>> files = {
      {"mlperf_log_summary.txt", loadgen::render_summary_log(record, result)},
      {"mlperf_log_detail.txt",
       loadgen::render_detail_log(record, result, loadgen::mlbench_log_identity())},
      {"mlperf_log_accuracy.json", loadgen::render_accuracy_log(record)},
  };
  WrittenRun written;
  for (const auto& [name, text] : files) {
    auto saved = loadgen::write_file_atomically(std::filesystem::path(out_dir) / name, text);
    if (!saved) return saved.failure();
    written.files.push_back(name);
  }
  written.valid = record.phase == loadgen::QueryPhase::kPerformance && result.validity.valid();
  written.completed = result.sample_count;
  written.tokens = static_cast<uint64_t>(std::max<int64_t>(result.token_count, 0));
  return written;
}

}  // namespace mlbench::runner
