#include "model/kernels.h"

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

void matmul(ThreadPool& pool, const float* x, std::int64_t rows, const Matrix& w, float* y) {
  const std::int64_t in = w.cols;
  const std::int64_t out = w.rows;
  pool.parallel_for(out, [&](std::int64_t begin, std::int64_t end) {
    std::vector<float> weights(static_cast<std::size_t>(in));
    for (std::int64_t o = begin; o < end; ++o) {
      widen_row(w, o, weights.data());
      for (std::int64_t r = 0; r < rows; ++r)
        y[r * out + o] = dot(x + r * in, weights.data(), in);
    }
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
