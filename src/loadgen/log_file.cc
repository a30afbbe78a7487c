#include "mlbench/loadgen/log_file.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace mlbench::loadgen {
namespace {

Failure io_failure(const std::filesystem::path& path, std::string_view what, int error_number) {
  return fail(ErrorCode::kIo, fmt::format("{}: {}", what, std::strerror(error_number)),
              path.string());
}

// Writes everything, retrying short writes and EINTR.
bool write_all(int fd, std::string_view text) {
  while (!text.empty()) {
    const ssize_t written = ::write(fd, text.data(), text.size());
    if (written < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    text.remove_prefix(static_cast<size_t>(written));
  }
  return true;
}

}  // namespace

Result<void> write_file_atomically(const std::filesystem::path& path, std::string_view text) {
  // The temporary lives in the target's directory so the rename stays on one file system; the
  // pid keeps two writers of the same file from sharing it.
  std::filesystem::path temporary = path;
  temporary += fmt::format(".tmp.{}", ::getpid());
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return io_failure(temporary, "cannot create", errno);
  const bool written = write_all(fd, text) && ::fsync(fd) == 0;
  const int write_error = errno;
  const bool closed = ::close(fd) == 0;
  if (!written || !closed) {
    const int error_number = written ? errno : write_error;
    std::remove(temporary.c_str());
    return io_failure(temporary, "cannot write", error_number);
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0) {
    const int error_number = errno;
    std::remove(temporary.c_str());
    return io_failure(path, "cannot rename into place", error_number);
  }
  return {};
}

}  // namespace mlbench::loadgen
