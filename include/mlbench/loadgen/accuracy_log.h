#pragma once

#include <string>

#include "mlbench/loadgen/run_record.h"

namespace mlbench::loadgen {

// mlperf_log_accuracy.json as LoadGen's AsyncLog::LogAccuracy writes it: the samples marked
// `in_accuracy_log`, in completion order, as
//   { "seq_id" : 22, "qsl_idx" : 55, "data" : "<HEX>" }
// plus `"token_count" : n` in token mode, plus `"token_data" : "<HEX>"` before it for every
// scenario but Offline. Samples without a completion rank (never completed) come last, in
// issue order.
std::string render_accuracy_log(const RunRecord& record);

}  // namespace mlbench::loadgen
