#pragma once

#include <cstdint>

#include "mlbench/model/weights.h"

#include "model/thread_pool.h"

namespace mlbench::model {

// fp32 building blocks of the forward pass. Inner loops are plain and branch-free so the
// compiler vectorises them; the outer loops split rows over the pool.

// Dot product with independent partial sums, which the compiler may reorder into SIMD lanes
// (a single running sum would pin it to one lane without -ffast-math).
float dot(const float* a, const float* b, std::int64_t n);

// Widens row `row` of `w` into `out` (w.cols floats).
void widen_row(const Matrix& w, std::int64_t row, float* out);

// y[r, o] = Σ_i x[r, i] · w[o, i] for r < rows: x is [rows, w.cols], y is [rows, w.rows].
// Split by output row, so each weight row is read from memory once however many rows x has.
void matmul(ThreadPool& pool, const float* x, std::int64_t rows, const Matrix& w, float* y);

// out = x / sqrt(mean(x²) + eps) · weight, for one row of n.
void rms_norm(const float* x, const float* weight, std::int64_t n, double eps, float* out);

}  // namespace mlbench::model
