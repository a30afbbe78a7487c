#pragma once

#include <string>
#include <string_view>

namespace mlbench {

// What kind of failure an Error is. The CLI maps each kind to one exit code (exit_code.h), so
// add a kind only when callers need to tell it apart from the others.
enum class ErrorCode {
  kInvalidArgument,  // bad usage or a bad value on the command line
  kConfig,           // config.yaml or user.conf is wrong
  kParse,            // an input file is malformed
  kNotFound,         // a file, node or key that should exist does not
  kIo,               // reading or writing failed
  kConnection,       // a node could not be reached
  kAuthentication,   // a node refused our credentials or host key
  kTimeout,          // something took longer than its limit
  kNodeFailed,       // a node's run failed; others may have succeeded
  kInvalidResult,    // the run finished but its result is INVALID or misses accuracy
  kNotBuilt,         // the feature exists in the CLI but not yet in this build
  kUnsupported,      // the input asks for something we deliberately do not do
  kInterrupted,      // SIGINT/SIGTERM
  kInternal,         // a bug in mlbench
};

std::string_view to_string(ErrorCode code);

// A failure as a value. `where` says which file, line, node or key it concerns, so the message
// itself can stay short; the CLI prints `where: message`.
struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;
  std::string where;

  std::string describe() const;
};

}  // namespace mlbench
