#pragma once

#include <chrono>
#include <random>

#include "mlbench/core/result.h"
#include "mlbench/loadgen/scenario.h"

namespace mlbench::loadgen {

// The time between one pre-generated query and the next (LoadGen's ScheduleDistribution).
// Server: Poisson arrivals, an exponential draw at target_qps from schedule_rng. Every other
// scenario: the fixed period 1/target_qps, which only sizes the pre-generated list since those
// queries are issued as the SUT completes them. Each gap is truncated to whole nanoseconds
// before it is added, which is why offsets are sums of truncated gaps.
class ArrivalGaps {
 public:
  // Fails (kConfig) for a rate whose gaps are not finite, positive-rate nanosecond counts.
  static Result<ArrivalGaps> create(Scenario scenario, double target_qps);

  // Draws from schedule_rng only in Server. Fails (kConfig) for a gap beyond 292 years, which
  // std::chrono cannot hold in signed nanoseconds.
  Result<std::chrono::nanoseconds> next(std::mt19937& schedule_rng);

 private:
  ArrivalGaps(bool poisson, double target_qps, std::chrono::nanoseconds period)
      : poisson_(poisson), exponential_(target_qps), period_(period) {}

  bool poisson_;
  std::exponential_distribution<double> exponential_;
  std::chrono::nanoseconds period_;
};

}  // namespace mlbench::loadgen
