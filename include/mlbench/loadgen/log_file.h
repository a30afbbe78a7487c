#pragma once

#include <filesystem>
#include <string_view>

#include "mlbench/core/result.h"

namespace mlbench::loadgen {

// Writes `text` to a temporary file beside `path`, flushes it to disk and renames it over
// `path`, so a reader (or a crash) never sees a half-written log. Fails with kIo.
Result<void> write_file_atomically(const std::filesystem::path& path, std::string_view text);

}  // namespace mlbench::loadgen
