#pragma once

#include <string>
#include <utility>

#include "mlbench/config/load.h"

#include "config/diagnostics.h"
#include "config/source_map.h"

namespace mlbench::config {

// What every step of loading one file shares: the outside world it may consult and the places
// it writes what it found.
struct LoadContext {
  const LoadEnvironment& env;
  std::string base_dir;  // relative paths resolve against this
  DiagnosticList& diagnostics;
  SourceMap& source_map;

  // Reports a wrong value and remembers it, so later rules leave it alone.
  void reject(Position at, const std::string& path, Problem problem) {
    source_map.rejected.insert(path);
    diagnostics.add(at, path, std::move(problem));
  }
};

}  // namespace mlbench::config
