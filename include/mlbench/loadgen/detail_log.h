#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "mlbench/loadgen/performance_result.h"
#include "mlbench/loadgen/run_record.h"

namespace mlbench::loadgen {

// Who wrote the log: the values of LoadGen's version keys and the metadata of every line.
struct DetailLogIdentity {
  // LoadGen writes "<VERSION.txt> @ <git revision>"; we keep the version our behaviour matches
  // and name ourselves after the "@" (see mlbench_log_identity).
  std::string loadgen_version;
  std::string build_date_local = "NA";
  std::string build_date_utc = "NA";
  std::string git_commit_date = "NA";
  std::string git_log_message = "NA";
  // LoadGen logs error_uncommitted_loadgen_changes when its own build tree was dirty; that
  // concerns LoadGen's sources, so we never log it, whatever this says.
  std::string git_status_message = "NA";
  std::map<std::string, std::string> file_sha1;  // LoadGen hashes its sources; may stay empty
  uint64_t pid = 0;
  uint64_t tid = 0;
};

// loadgen_version "6.0.17 @ mlbench <version> <commit>", everything else "NA"/empty.
DetailLogIdentity mlbench_log_identity();

// The LoadGen-compatible text of a runtime error we add ourselves: samples the SUT never
// completed (LoadGen's own wording for the case it would reach if it ever stopped waiting).
std::string incomplete_samples_message(uint64_t count);

// How many lines render_detail_log marks is_error / is_warning, for the summary's footer.
struct ProblemCounts {
  uint64_t errors = 0;
  uint64_t warnings = 0;
};
ProblemCounts count_logged_problems(const RunRecord& record, const PerformanceResult& result);

// mlperf_log_detail.txt: one `:::MLLOG {json}` line per entry, keys in LoadGen 6.0.17's order
// (header, requested_* and effective_* settings, generated_*, run messages, results).
// Times are nanosecond offsets from the start of issuing, printed as LoadGen's ms.nnnnnn;
// entries logged before issuing carry time 0.
std::string render_detail_log(const RunRecord& record, const PerformanceResult& result,
                              const DetailLogIdentity& identity);

}  // namespace mlbench::loadgen
