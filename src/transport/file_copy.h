#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "mlbench/core/result.h"

namespace mlbench::transport::detail {

// Copies `from` to `to` through a temporary file beside `to`, checks the size, then renames:
// `to` either holds the whole file or is left as it was. `mode`: the copy's permission bits
// (else the source's).
Result<void> copy_file_atomically(const std::string& from, const std::string& to,
                                  std::optional<uint32_t> mode = std::nullopt);

}  // namespace mlbench::transport::detail
