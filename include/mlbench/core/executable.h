#pragma once

#include <filesystem>

namespace mlbench {

// The directory of the running executable (from /proc/self/exe), or an empty path when it
// cannot be read. mlbench and mlbench-runner are installed side by side, so this is where the
// controller finds the runner it ships with.
std::filesystem::path executable_dir();

}  // namespace mlbench
