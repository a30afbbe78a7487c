#include <cstdlib>
#include <filesystem>
#include <system_error>

#include "mlbench/config/load.h"

namespace mlbench::config {

LoadEnvironment LoadEnvironment::from_process() {
  LoadEnvironment env;
  env.getenv = [](std::string_view name) -> std::optional<std::string> {
    const char* value = std::getenv(std::string(name).c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
  env.home = env.getenv("HOME").value_or("");
  env.file_exists = [](const std::string& path) {
    std::error_code error;
    return std::filesystem::exists(path, error);
  };
  return env;
}

}  // namespace mlbench::config
