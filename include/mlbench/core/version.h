#pragma once

#include <string>
#include <string_view>

namespace mlbench {

// "0.1.0" and the git commit the binary was built from ("unknown" outside a checkout).
std::string version();
std::string git_commit();
// "mlbench 0.1.0 (commit abc123def456)", prefixed with the program's name.
std::string version_line(std::string_view program);

}  // namespace mlbench
