#include "mlbench/core/version.h"

#include <fmt/format.h>

#include "mlbench/version_info.h"

namespace mlbench {

std::string version() {
  return MLBENCH_VERSION;
}
std::string git_commit() {
  return MLBENCH_GIT_COMMIT;
}

std::string version_line(std::string_view program) {
  return fmt::format("{} {} (commit {})", program, version(), git_commit());
}

}  // namespace mlbench
