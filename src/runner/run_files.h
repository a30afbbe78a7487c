#pragma once

#include <string>
#include <vector>

#include "mlbench/core/result.h"
#include "mlbench/loadgen/run_record.h"

namespace mlbench::runner {

struct WrittenRun {
  bool valid = false;              // LoadGen's verdict (performance runs; false for accuracy runs)
  uint64_t completed = 0;          // samples answered
  uint64_t tokens = 0;             // output tokens in the answered samples
  std::vector<std::string> files;  // names written under the output directory
};

// Computes the result of a run and writes mlperf_log_summary.txt, mlperf_log_detail.txt and
// mlperf_log_accuracy.json into `out_dir`, each atomically.
Result<WrittenRun> write_run_files(const loadgen::RunRecord& record, const std::string& out_dir);

}  // namespace mlbench::runner
