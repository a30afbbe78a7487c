#include "arrival_gaps.h"

#include <fmt/format.h>

#include <cmath>

namespace mlbench::loadgen {
namespace {

// The largest number of seconds whose nanosecond count fits in int64_t (with room to spare
// for the double's rounding).
constexpr double kMaxGapSeconds = 9.2e9;

bool fits_in_nanoseconds(double seconds) {
  return std::isfinite(seconds) && seconds >= 0 && seconds < kMaxGapSeconds;
}

// LoadGen converts with duration_cast from double seconds, i.e. truncation toward zero; using
// the same conversion keeps the rounding of the multiplication identical.
std::chrono::nanoseconds truncate_to_nanoseconds(double seconds) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
      std::chrono::duration<double>(seconds));
}

}  // namespace

Result<ArrivalGaps> ArrivalGaps::create(Scenario scenario, double target_qps) {
  if (!(target_qps > 0) || !std::isfinite(target_qps)) {
    return fail(ErrorCode::kConfig,
                fmt::format("target_qps is {}; queries can only be scheduled at a positive, "
                            "finite rate",
                            target_qps),
                "LoadGen test settings");
  }
  const bool poisson = scenario == Scenario::kServer;
  std::chrono::nanoseconds period{0};
  if (!poisson) {
    const double period_seconds = 1.0 / target_qps;
    if (!fits_in_nanoseconds(period_seconds)) {
      return fail(
          ErrorCode::kConfig,
          fmt::format("target_qps {} gives a query period too long to schedule", target_qps),
          "LoadGen test settings");
    }
    period = truncate_to_nanoseconds(period_seconds);
  }
  return ArrivalGaps(poisson, target_qps, period);
}

Result<std::chrono::nanoseconds> ArrivalGaps::next(std::mt19937& schedule_rng) {
  if (!poisson_) return period_;
  const double seconds = exponential_(schedule_rng);
  if (!fits_in_nanoseconds(seconds)) {
    return fail(ErrorCode::kConfig,
                fmt::format("a Server inter-arrival time of {} s does not fit in nanoseconds; "
                            "target_qps {} is too low",
                            seconds, exponential_.lambda()),
                "LoadGen test settings");
  }
  return truncate_to_nanoseconds(seconds);
}

}  // namespace mlbench::loadgen
