#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mlbench/config/config.h"
#include "mlbench/core/result.h"

namespace mlbench::config {

// One problem found in a config file. `line` and `column` are 1-based; 0 when unknown.
struct Diagnostic {
  std::string file;
  int line = 0;
  int column = 0;
  std::string key_path;  // e.g. "nodes[1].port", "cluster.ssh.connect_timeout_s"; "" for syntax
  std::string problem;   // what is wrong
  std::string fix;       // what would be right

  // "<file>:<line>:<col>: <key.path>: <problem> (<fix>)" — parts that are empty are left out.
  std::string format() const;
};

// Where values come from besides the file. Injected (not read from the process) so that tests
// and callers control them; `from_process()` gives the real environment and $HOME.
struct LoadEnvironment {
  std::function<std::optional<std::string>(std::string_view)> getenv;
  std::string home;
  // Whether a controller-side file exists (benchmark.user_conf). Defaults to the filesystem.
  std::function<bool(const std::string&)> file_exists;

  static LoadEnvironment from_process();
};

// Every problem in the file, not just the first; `config` is set only when there are none.
struct LoadOutcome {
  std::optional<Config> config;
  std::vector<Diagnostic> diagnostics;
};

// Reads and validates a config file. An unreadable file gives one Diagnostic with line 0.
LoadOutcome load_config_file(const std::string& path, const LoadEnvironment& env);

// Same for text already in memory; `source_name` is what diagnostics call the file, and the
// directory relative paths resolve against is `base_dir`.
LoadOutcome load_config_text(std::string_view text, const std::string& source_name,
                             const std::string& base_dir, const LoadEnvironment& env);

// Error for module edges: all diagnostics, one per line.
Error to_error(const std::vector<Diagnostic>& diagnostics);

}  // namespace mlbench::config
