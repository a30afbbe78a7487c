#pragma once

#include <functional>
#include <map>
#include <set>
#include <string>
#include <string_view>

#include "config/diagnostics.h"

namespace mlbench::config {

// "cluster" + "ssh" -> "cluster.ssh"; "" + "nodes" -> "nodes".
std::string child_path(std::string_view parent, std::string_view key);
// "nodes" + 1 -> "nodes[1]".
std::string item_path(std::string_view list, size_t index);

// Where each key of the config was written, by key path ("runner.path", "nodes[1]"). The schema
// walk fills it so that rules spanning several keys, which run on the typed Config, can still
// point at a line.
struct SourceMap {
  std::map<std::string, Position, std::less<>> mappings;  // "model", "nodes[0]": the mapping
  std::map<std::string, Position, std::less<>> keys;      // "runner.path": the key itself
  std::map<std::string, Position, std::less<>> values;    // "runner.path": its value
  // Values already reported as wrong; rules skip them rather than report them twice.
  std::set<std::string, std::less<>> rejected;

  bool written(std::string_view path) const { return values.contains(path); }
  bool usable(std::string_view path) const { return written(path) && !rejected.contains(path); }

  // The value at `path` when it was written, else the mapping that should hold it, else the
  // start of the document.
  Position value_or_parent(std::string_view path, std::string_view parent) const;
  Position value(std::string_view path) const;
};

}  // namespace mlbench::config
