#include "model/kernels.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <vector>

namespace mlbench::model {

float dot(const float* a, const float* b, std::int64_t n) {
  constexpr std::int64_t kLanes = 16;
  float partial[kLanes] = {};
  std::int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes) {
    for (std::int64_t l = 0; l < kLanes; ++l)
      partial[l] += a[i + l] * b[i + l];
  }
  float sum = 0.0f;
  for (std::int64_t l = 0; l < kLanes; ++l)
    sum += partial[l];
  for (; i < n; ++i)
    sum += a[i] * b[i];
  return sum;
}

void widen_row(const Matrix& w, std::int64_t row, float* out) {
  const std::byte* src = w.data + static_cast<std::size_t>(row * w.cols) * dtype_size(w.dtype);
  const auto n = static_cast<std::size_t>(w.cols);
  switch (w.dtype) {
    case DType::kF32: std::memcpy(out, src, n * 4); break;
    case DType::kBF16:
      for (std::size_t i = 0; i < n; ++i) {
        std::uint16_t bits;
        std::memcpy(&bits, src + 2 * i, 2);
        out[i] = std::bit_cast<float>(static_cast<std::uint32_t>(bits) << 16);
      }
      break;
    case DType::kF16:
      for (std::size_t i = 0; i < n; ++i)
        out[i] = load_element(DType::kF16, src, i);
      break;
  }
}

namespace {

// The matmul inner loops are compiled twice on x86-64: once for the baseline (SSE2) and once for
// x86-64-v3 (AVX2, FMA), picked at load time by the CPU, so one binary runs everywhere and is
// fast where it can be.
#if defined(__x86_64__) && defined(__has_attribute)
#if __has_attribute(target_clones)
#define MLBENCH_SIMD_CLONES __attribute__((target_clones("arch=x86-64-v3", "default")))
#endif
#endif
#ifndef MLBENCH_SIMD_CLONES
#define MLBENCH_SIMD_CLONES
#endif

// Eight floats as one value: GCC and Clang lower arithmetic on it to whatever SIMD the clone
// targets (two SSE registers or one AVX register). Never passed by value: such a signature's
// ABI would depend on the target.
using Float8 = float __attribute__((vector_size(32)));

// The eight lanes of a partial sum added in lane order: dot4 and dot4_bf16 both end this way,
// which is what keeps their results equal.
inline float lane_sum(const Float8& partial) {
  float sum = 0.0f;
  for (int l = 0; l < 8; ++l)
    sum += partial[l];
  return sum;
}

// sums[b] = x · w[b] for four consecutive rows w[0..3] of length n.
MLBENCH_SIMD_CLONES void dot4(const float* x, const float* w, std::int64_t n, float* sums) {
  const float* rows[4] = {w, w + n, w + 2 * n, w + 3 * n};
  Float8 partial[4] = {};
  std::int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    Float8 xv;
    std::memcpy(&xv, x + i, sizeof xv);
    for (int b = 0; b < 4; ++b) {
      Float8 wv;
      std::memcpy(&wv, rows[b] + i, sizeof wv);
      partial[b] += wv * xv;
    }
  }
  for (int b = 0; b < 4; ++b) {
    float sum = lane_sum(partial[b]);
    for (std::int64_t j = i; j < n; ++j)
      sum += rows[b][j] * x[j];
    sums[b] = sum;
  }
}

// dot4 for bf16 rows read in place: decode multiplies a single input row, so widening the
// weights into a buffer first would cost a write and a re-read per weight. Each row's sum is
// formed in exactly dot4's order (widening bf16 is exact), so a sequence gets the same logits
// alone as in a batch.
MLBENCH_SIMD_CLONES void dot4_bf16(const float* x, const std::byte* const* rows, std::int64_t n,
                                   float* sums) {
  using Bits8 = std::uint16_t __attribute__((vector_size(16)));
  using Wide8 = std::uint32_t __attribute__((vector_size(32)));
  Float8 partial[4] = {};
  std::int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    Float8 xv;
    std::memcpy(&xv, x + i, sizeof xv);
    for (int b = 0; b < 4; ++b) {
      Bits8 bits;
      std::memcpy(&bits, rows[b] + 2 * i, sizeof bits);
      const Wide8 wide = __builtin_convertvector(bits, Wide8) << 16;
      Float8 wv;
      std::memcpy(&wv, &wide, sizeof wv);
      partial[b] += wv * xv;
    }
  }
  for (int b = 0; b < 4; ++b) {
    float sum = lane_sum(partial[b]);
    for (std::int64_t j = i; j < n; ++j)
      sum += load_element(DType::kBF16, rows[b], static_cast<std::size_t>(j)) * x[j];
    sums[b] = sum;
  }
}

MLBENCH_SIMD_CLONES void matmul_rows(const float* x, std::int64_t rows, const Matrix& w, float* y,
                                     std::int64_t begin, std::int64_t end) {
  const std::int64_t in = w.cols;
  const std::int64_t out = w.rows;
  if (rows == 1 && w.dtype == DType::kBF16) {
    for (std::int64_t o = begin; o < end; o += 4) {
      // A short last block repeats its first row in the missing slots (their sums are dropped).
      const std::int64_t block = std::min<std::int64_t>(4, end - o);
      const std::byte* rows4[4];
      for (std::int64_t b = 0; b < 4; ++b) {
        rows4[b] = w.data + static_cast<std::size_t>((o + (b < block ? b : 0)) * in) * 2;
      }
      float sums[4];
      dot4_bf16(x, rows4, in, sums);
      for (std::int64_t b = 0; b < block; ++b)
        y[o + b] = sums[b];
    }
    return;
  }
  // Several rows (a prefill, a batch of decodes): widen kBlock weight rows once, then take each
  // input row against all of them together, so every load of x feeds kBlock multiply-adds. A short
  // last block is padded with zero rows rather than handled by other code, so each output is summed
  // in the same order however the rows were split between threads.
  constexpr std::int64_t kBlock = 4;
  std::vector<float> weights(static_cast<std::size_t>(kBlock * in));
  for (std::int64_t o = begin; o < end; o += kBlock) {
    const std::int64_t block = std::min(kBlock, end - o);
    for (std::int64_t b = 0; b < block; ++b) {
      widen_row(w, o + b, &weights[static_cast<std::size_t>(b * in)]);
    }
    std::fill(weights.begin() + block * in, weights.end(), 0.0f);
    for (std::int64_t r = 0; r < rows; ++r) {
      float sums[kBlock];
      dot4(x + r * in, weights.data(), in, sums);
      for (std::int64_t b = 0; b < block; ++b)
        y[r * out + o + b] = sums[b];
    }
  }
}

}  // namespace

void matmul(ThreadPool& pool, const float* x, std::int64_t rows, const Matrix& w, float* y) {
  pool.parallel_for(w.rows, [&](std::int64_t begin, std::int64_t end) {
    matmul_rows(x, rows, w, y, begin, end);
  });
}

void rms_norm(const float* x, const float* weight, std::int64_t n, double eps, float* out) {
  double sum_squares = 0.0;
  for (std::int64_t i = 0; i < n; ++i)
    sum_squares += static_cast<double>(x[i]) * x[i];
  const auto scale =
      static_cast<float>(1.0 / std::sqrt(sum_squares / static_cast<double>(n) + eps));
  for (std::int64_t i = 0; i < n; ++i)
    out[i] = x[i] * scale * weight[i];
}

}  // namespace mlbench::model
