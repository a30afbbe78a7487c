#pragma once

#include <cstdio>
#include <filesystem>
#include <string>
#include <string_view>

#include "mlbench/core/result.h"

namespace mlbench::orchestrator::detail {

// A file in the node's collect directory that gets one line per call, flushed at once, so
// that whatever the runner said before a crash (of the node or of mlbench) is on disk.
class LineFile {
 public:
  LineFile() = default;
  ~LineFile();
  LineFile(const LineFile&) = delete;
  LineFile& operator=(const LineFile&) = delete;

  Result<void> open(const std::filesystem::path& path);
  void write(std::string_view line);
  // fsync and close; called before node.json is written.
  void close();

 private:
  std::FILE* file_ = nullptr;
};

}  // namespace mlbench::orchestrator::detail
