#include "config/source_map.h"

#include <fmt/format.h>

namespace mlbench::config {

std::string child_path(std::string_view parent, std::string_view key) {
  if (parent.empty()) return std::string(key);
  return fmt::format("{}.{}", parent, key);
}

std::string item_path(std::string_view list, size_t index) {
  return fmt::format("{}[{}]", list, index);
}

Position SourceMap::value_or_parent(std::string_view path, std::string_view parent) const {
  if (const auto found = values.find(path); found != values.end()) return found->second;
  if (const auto found = mappings.find(parent); found != mappings.end()) return found->second;
  return kDocumentStart;
}

Position SourceMap::value(std::string_view path) const {
  const auto found = values.find(path);
  return found == values.end() ? Position{} : found->second;
}

}  // namespace mlbench::config
