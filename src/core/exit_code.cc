#include "mlbench/core/exit_code.h"

namespace mlbench {

ExitCode exit_code_for(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidResult: return ExitCode::kInvalidResult;
    case ErrorCode::kNodeFailed:
    case ErrorCode::kConnection:
    case ErrorCode::kAuthentication:
    case ErrorCode::kTimeout: return ExitCode::kNodeFailed;
    case ErrorCode::kInterrupted: return ExitCode::kInterrupted;
    case ErrorCode::kInvalidArgument:
    case ErrorCode::kConfig:
    case ErrorCode::kParse:
    case ErrorCode::kNotFound:
    case ErrorCode::kIo:
    case ErrorCode::kNotBuilt:
    case ErrorCode::kUnsupported:
    case ErrorCode::kInternal: return ExitCode::kUsage;
  }
  return ExitCode::kUsage;
}

}  // namespace mlbench
