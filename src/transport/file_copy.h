#pragma once

#include <string>

#include "mlbench/core/result.h"

namespace mlbench::transport::detail {

// Copies `from` to `to` through a temporary file beside `to`, checks the size, then renames:
// `to` either holds the whole file or is left as it was.
Result<void> copy_file_atomically(const std::string& from, const std::string& to);

}  // namespace mlbench::transport::detail
