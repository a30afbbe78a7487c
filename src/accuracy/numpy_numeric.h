#pragma once

#include <span>

namespace mlbench::accuracy {

// numpy.sum over a contiguous float64 array, bit for bit: numpy's pairwise summation (8-way
// unrolled leaves of at most 128 values) within chunks of 8192 values (the reduction's buffer
// size), the chunk sums added in order. The chunking is that of numpy up to 2.2; numpy 2.3
// reorganised buffered iteration and may chunk differently beyond 8192 values. The order of
// additions changes the last bits of a mean, and those can decide a rounding at the 4th decimal.
double numpy_sum(std::span<const double> values);

// round(x, digits) on a numpy.float64, which is what evaluation.py's round(np.mean(v) * 100, 4)
// calls: numpy scales by 10**digits, rounds half to even with rint and divides back. (Python's own
// float round rounds the exact decimal value instead, and can differ near ties.)
double numpy_round(double value, int digits);

}  // namespace mlbench::accuracy
