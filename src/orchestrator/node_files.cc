#include "orchestrator/node_files.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace mlbench::orchestrator::detail {

LineFile::~LineFile() {
  close();
}

Result<void> LineFile::open(const std::filesystem::path& path) {
  file_ = std::fopen(path.c_str(), "ae");
  if (file_ == nullptr) {
    return fail(ErrorCode::kIo, fmt::format("cannot write: {}", std::strerror(errno)),
                path.string());
  }
  return {};
}

void LineFile::write(std::string_view line) {
  if (file_ == nullptr) return;
  std::fwrite(line.data(), 1, line.size(), file_);
  std::fputc('\n', file_);
  std::fflush(file_);
}

void LineFile::close() {
  if (file_ == nullptr) return;
  std::fflush(file_);
  fsync(fileno(file_));
  std::fclose(file_);
  file_ = nullptr;
}

}  // namespace mlbench::orchestrator::detail
