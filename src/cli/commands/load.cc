#include "cli/commands/load.h"

#include <fmt/format.h>
#include <unistd.h>

#include <filesystem>

#include "mlbench/config/load.h"
#include "mlbench/core/executable.h"

namespace mlbench::cli {

std::optional<config::Config> load_config_or_report(const std::string& path) {
  config::LoadOutcome outcome =
      config::load_config_file(path, config::LoadEnvironment::from_process());
  if (outcome.config) return std::move(outcome.config);
  // Plain lines in the compiler's format, so editors and CI annotators can jump to them.
  for (const config::Diagnostic& diagnostic : outcome.diagnostics) {
    fmt::print(stderr, "{}\n", diagnostic.format());
  }
  fmt::print(stderr, "{}: {} error{}\n", path, outcome.diagnostics.size(),
             outcome.diagnostics.size() == 1 ? "" : "s");
  return std::nullopt;
}

namespace fs = std::filesystem;

std::optional<config::Config> load_runner_config_or_report(const std::string& path) {
  std::optional<config::Config> config = load_config_or_report(path);
  if (!config || config->cluster.launcher != config::LauncherKind::kLocal ||
      config->runner.path.find('/') != std::string::npos) {
    return config;
  }
  const fs::path dir = executable_dir();
  if (dir.empty()) return config;
  const fs::path sibling = dir / config->runner.path;
  if (access(sibling.c_str(), X_OK) == 0) config->runner.path = sibling.string();
  return config;
}

}  // namespace mlbench::cli
