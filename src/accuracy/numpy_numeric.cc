#include "accuracy/numpy_numeric.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>

namespace mlbench::accuracy {
namespace {

constexpr std::size_t kUnroll = 8;
constexpr std::size_t kLeafSize = 128;
constexpr std::size_t kReductionChunk = 8192;

double pairwise_sum(std::span<const double> values) {
  const std::size_t n = values.size();
  if (n < kUnroll) {
    double sum = 0.0;
    for (const double value : values)
      sum += value;
    return sum;
  }
  if (n <= kLeafSize) {
    std::array<double, kUnroll> lanes{};
    std::copy_n(values.begin(), kUnroll, lanes.begin());
    std::size_t i = kUnroll;
    for (; i < n - n % kUnroll; i += kUnroll) {
      for (std::size_t lane = 0; lane < kUnroll; ++lane)
        lanes[lane] += values[i + lane];
    }
    double sum = ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3])) +
                 ((lanes[4] + lanes[5]) + (lanes[6] + lanes[7]));
    for (; i < n; ++i)
      sum += values[i];
    return sum;
  }
  // Split near the middle on a multiple of the unroll width, as numpy does.
  std::size_t half = n / 2;
  half -= half % kUnroll;
  return pairwise_sum(values.first(half)) + pairwise_sum(values.subspan(half));
}

}  // namespace

double numpy_sum(std::span<const double> values) {
  double sum = 0.0;  // the reduction starts from add's identity
  for (std::size_t begin = 0; begin < values.size(); begin += kReductionChunk) {
    sum += pairwise_sum(values.subspan(begin, std::min(kReductionChunk, values.size() - begin)));
  }
  return sum;
}

double numpy_round(double value, int digits) {
  double scale = 1.0;
  for (int i = 0; i < digits; ++i)
    scale *= 10.0;  // exact for the few digits anyone asks for
  return std::nearbyint(value * scale) / scale;
}

}  // namespace mlbench::accuracy
