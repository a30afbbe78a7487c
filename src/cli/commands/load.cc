#include "cli/commands/load.h"

#include <fmt/format.h>
#include <unistd.h>

#include <filesystem>

#include "mlbench/config/load.h"

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

void prefer_sibling_runner(config::Config& config) {
  if (config.cluster.launcher != config::LauncherKind::kLocal) return;
  if (config.runner.path.find('/') != std::string::npos) return;
  std::error_code error;
  const fs::path self = fs::read_symlink("/proc/self/exe", error);
  if (error) return;
  const fs::path sibling = self.parent_path() / config.runner.path;
  if (access(sibling.c_str(), X_OK) == 0) config.runner.path = sibling.string();
}

}  // namespace mlbench::cli
