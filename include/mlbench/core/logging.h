#pragma once

#include <string_view>

#include "mlbench/core/result.h"

namespace mlbench {

enum class LogFormat { kText, kJson };

struct LogOptions {
  LogFormat format = LogFormat::kText;
  bool verbose = false;  // debug messages too
  bool color = true;     // only honoured when stderr is a terminal
};

Result<LogFormat> parse_log_format(std::string_view text);

// Installs the process-wide spdlog logger (the one global the project allows). Logs go to
// stderr so that stdout stays free for machine-readable output (JSON lines, reports).
void setup_logging(const LogOptions& options);

}  // namespace mlbench
