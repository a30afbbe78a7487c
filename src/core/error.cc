#include "mlbench/core/error.h"

#include <fmt/format.h>

namespace mlbench {

std::string_view to_string(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument: return "invalid argument";
    case ErrorCode::kConfig: return "config error";
    case ErrorCode::kParse: return "parse error";
    case ErrorCode::kNotFound: return "not found";
    case ErrorCode::kIo: return "I/O error";
    case ErrorCode::kConnection: return "connection error";
    case ErrorCode::kAuthentication: return "authentication error";
    case ErrorCode::kTimeout: return "timeout";
    case ErrorCode::kNodeFailed: return "node failed";
    case ErrorCode::kInvalidResult: return "invalid result";
    case ErrorCode::kNotBuilt: return "not built yet";
    case ErrorCode::kUnsupported: return "unsupported";
    case ErrorCode::kInterrupted: return "interrupted";
    case ErrorCode::kInternal: return "internal error";
  }
  return "unknown error";
}

std::string Error::describe() const {
  if (where.empty()) return message;
  return fmt::format("{}: {}", where, message);
}

}  // namespace mlbench
