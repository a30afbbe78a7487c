#include "mlbench/loadgen/settings_diagnostic.h"

#include <fmt/format.h>

#include <utility>

namespace mlbench::loadgen {

std::string SettingsDiagnostic::describe() const {
  std::string text;
  if (!file.empty()) text = line > 0 ? fmt::format("{}:{}: ", file, line) : file + ": ";
  if (severity == DiagnosticSeverity::kLoadGenError) text += "LoadGen error: ";
  return text + message;
}

SettingsDiagnostic conf_warning(std::string_view file, int line, std::string message) {
  return SettingsDiagnostic{
      DiagnosticSeverity::kWarning, std::string(file), line, std::move(message), {}};
}

SettingsDiagnostic loadgen_error(std::string_view log_key, std::string_view file, int line,
                                 std::string message) {
  return SettingsDiagnostic{DiagnosticSeverity::kLoadGenError, std::string(file), line,
                            std::move(message), std::string(log_key)};
}

}  // namespace mlbench::loadgen
