#pragma once

#include <string>
#include <string_view>

namespace mlbench::loadgen {

enum class DiagnosticSeverity {
  // LoadGen accepts this silently; we behave the same but say so.
  kWarning,
  // LoadGen logs this as an error in mlperf_log_detail.txt (which makes the submission checker
  // reject the run) and then carries on; so do we, and the log writer should record it.
  kLoadGenError,
};

// Something about the settings that a user should know. Returned, never logged here, so the
// caller decides where it goes.
struct SettingsDiagnostic {
  DiagnosticSeverity severity = DiagnosticSeverity::kWarning;
  std::string file;  // conf file name; empty when the diagnostic is not about a file
  int line = 0;      // 1-based; 0 when not about one line
  // For kLoadGenError: exactly LoadGen's error text, so the log can reproduce it.
  std::string message;
  // For kLoadGenError: LoadGen's detail-log key ("error_invalid_config", ...).
  std::string loadgen_log_key;

  // "file:line: message" (parts that are unset are left out).
  std::string describe() const;

  bool operator==(const SettingsDiagnostic&) const = default;
};

SettingsDiagnostic conf_warning(std::string_view file, int line, std::string message);
SettingsDiagnostic loadgen_error(std::string_view log_key, std::string_view file, int line,
                                 std::string message);

}  // namespace mlbench::loadgen
