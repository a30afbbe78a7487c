#include "config/diagnostics.h"

#include <fmt/format.h>

#include <algorithm>
#include <tuple>
#include <utility>

namespace mlbench::config {

std::string Diagnostic::format() const {
  std::string text = file;
  if (line > 0) {
    text += fmt::format(":{}", line);
    if (column > 0) text += fmt::format(":{}", column);
  }
  text += ": ";
  if (!key_path.empty()) text += key_path + ": ";
  text += problem;
  if (!fix.empty()) text += fmt::format(" ({})", fix);
  return text;
}

Error to_error(const std::vector<Diagnostic>& diagnostics) {
  std::string message;
  for (const auto& diagnostic : diagnostics) {
    if (!message.empty()) message += '\n';
    message += diagnostic.format();
  }
  return Error{ErrorCode::kConfig, std::move(message), {}};
}

void DiagnosticList::add(Position at, std::string key_path, std::string problem, std::string fix) {
  items.push_back(Diagnostic{file, at.line, at.column, std::move(key_path), std::move(problem),
                             std::move(fix)});
}

void DiagnosticList::add(Position at, std::string key_path, Problem problem) {
  add(at, std::move(key_path), std::move(problem.problem), std::move(problem.fix));
}

std::vector<Diagnostic> DiagnosticList::in_file_order() const {
  std::vector<Diagnostic> sorted = items;
  std::stable_sort(sorted.begin(), sorted.end(), [](const Diagnostic& a, const Diagnostic& b) {
    return std::tie(a.line, a.column) < std::tie(b.line, b.column);
  });
  return sorted;
}

}  // namespace mlbench::config
