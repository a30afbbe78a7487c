#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "mlbench/config/load.h"

namespace mlbench::config::testing {

// The outside world a test controls: environment variables, $HOME and which files exist.
struct FakeWorld {
  std::map<std::string, std::string, std::less<>> variables;
  std::set<std::string> files;
  std::string home = "/home/ada";

  LoadEnvironment environment() const {
    LoadEnvironment env;
    env.getenv = [variables = variables](std::string_view name) -> std::optional<std::string> {
      const auto found = variables.find(name);
      if (found == variables.end()) return std::nullopt;
      return found->second;
    };
    env.home = home;
    env.file_exists = [files = files](const std::string& path) { return files.contains(path); };
    return env;
  }
};

// Every test file is called test.yaml and lives in /cfg.
inline LoadOutcome load(std::string_view yaml, const FakeWorld& world = {}) {
  return load_config_text(yaml, "test.yaml", "/cfg", world.environment());
}

inline std::vector<std::string> formatted(const std::vector<Diagnostic>& diagnostics) {
  std::vector<std::string> lines;
  for (const auto& diagnostic : diagnostics)
    lines.push_back(diagnostic.format());
  return lines;
}

inline std::vector<std::string> errors_of(std::string_view yaml, const FakeWorld& world = {}) {
  return formatted(load(yaml, world).diagnostics);
}

}  // namespace mlbench::config::testing
