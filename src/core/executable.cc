#include "mlbench/core/executable.h"

namespace mlbench {

std::filesystem::path executable_dir() {
  std::error_code error;
  const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", error);
  if (error) return {};
  return self.parent_path();
}

}  // namespace mlbench
