#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mlbench/core/error.h"

namespace mlbench::report {

// One GPU reading. telemetry.csv (docs/report-schema.md) has a header line naming its
// columns; `t_ns` (since issuing started) and `gpu` (device index) are required, the readings
// are optional columns and an empty cell means "not measured".
struct TelemetrySample {
  int64_t t_ns = 0;
  int64_t gpu = 0;
  std::optional<double> utilization_pct;
  std::optional<double> memory_used_mib;
  std::optional<double> power_w;
  std::optional<double> sm_clock_mhz;
  std::optional<double> temperature_c;

  bool operator==(const TelemetrySample&) const = default;
};

// The readings a report charts, by column name.
struct TelemetryMetric {
  std::string_view column;
  std::string_view label;
  std::optional<double> TelemetrySample::*field;
};
inline constexpr std::array<TelemetryMetric, 5> kTelemetryMetrics = {{
    {"utilization_pct", "GPU utilization (%)", &TelemetrySample::utilization_pct},
    {"memory_used_mib", "GPU memory used (MiB)", &TelemetrySample::memory_used_mib},
    {"power_w", "GPU power (W)", &TelemetrySample::power_w},
    {"sm_clock_mhz", "SM clock (MHz)", &TelemetrySample::sm_clock_mhz},
    {"temperature_c", "GPU temperature (C)", &TelemetrySample::temperature_c},
}};

struct Telemetry {
  std::vector<TelemetrySample> samples;
  std::vector<Error> problems;  // each naming file:line and the column
};

// Unknown columns are ignored, so newer runners can add readings.
Telemetry parse_telemetry_csv(std::string_view text, const std::string& file);

}  // namespace mlbench::report
