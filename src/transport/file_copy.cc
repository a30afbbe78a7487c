#include "file_copy.h"

#include <fmt/format.h>
#include <unistd.h>

#include <filesystem>

namespace mlbench::transport::detail {

namespace fs = std::filesystem;

Result<void> copy_file_atomically(const std::string& from, const std::string& to,
                                  std::optional<uint32_t> mode) {
  std::error_code error;
  const auto size = fs::file_size(from, error);
  if (error)
    return fail(ErrorCode::kNotFound, fmt::format("cannot read: {}", error.message()), from);
  const fs::path temporary = fmt::format("{}.partial-{}", to, getpid());
  fs::copy_file(from, temporary, fs::copy_options::overwrite_existing, error);
  if (!error && fs::file_size(temporary, error) != size && !error) {
    error = std::make_error_code(std::errc::io_error);
  }
  if (!error && mode) fs::permissions(temporary, static_cast<fs::perms>(*mode & 07777), error);
  if (!error) fs::rename(temporary, to, error);
  if (error) {
    std::error_code ignored;  // the copy already failed; a leftover temp file is the lesser harm
    fs::remove(temporary, ignored);
    return fail(ErrorCode::kIo, fmt::format("cannot copy {}: {}", from, error.message()), to);
  }
  return {};
}

}  // namespace mlbench::transport::detail
