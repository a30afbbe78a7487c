#include "mlbench/loadgen/run_record.h"

namespace mlbench::loadgen {

std::string_view to_string(EndReason reason) {
  switch (reason) {
    case EndReason::kAllQueriesIssued: return "all queries issued";
    case EndReason::kMinimumsMet: return "minimum query count and duration met";
    case EndReason::kRanOutOfQueries: return "ran out of generated queries";
    case EndReason::kMaxQueryCountReached: return "max query count reached";
    case EndReason::kMaxDurationReached: return "max duration reached";
    case EndReason::kCompletionTimedOut: return "completion timed out";
    case EndReason::kInterrupted: return "interrupted";
  }
  return "unknown";
}

}  // namespace mlbench::loadgen
