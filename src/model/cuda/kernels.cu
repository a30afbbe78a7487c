// The CUDA backend's kernels. Each mirrors a step of the CPU forward pass (src/model/
// forward_cpu.cc, kernels.cc) in its fp32 arithmetic, so the two backends' logits differ only by
// summation order. No kernel reads anything of another row; the grouped attention splits a
// row's positions into as many parts as the launch's row count calls for, so a row's attention
// output may differ in its last bits between batch sizes (as cuBLAS's results may).

#include <cuda_bf16.h>
#include <cuda_runtime.h>

#include <cmath>
#include <utility>

#include "model/cuda/attention_split.h"
#include "model/cuda/kernels.h"

namespace mlbench::model::cuda {
namespace {

constexpr int kThreads = 256;
// Decode runs one block per (sequence, head), so each block needs many loads in flight.
constexpr int kAttentionWarps = 16;
constexpr int kMaxHeadDim = 256;  // the backend refuses larger heads at load
constexpr int kDimsPerLane = kMaxHeadDim / 32;
// The grouped kernel: fewer warps per block, since its work is split across blocks instead.
constexpr int kGroupedWarps = 8;
constexpr int kTile = static_cast<int>(kAttentionHeadsPerBlock);

unsigned blocks_for(std::int64_t count, int threads) {
  return static_cast<unsigned>((count + threads - 1) / threads);
}

// Every launch goes through cudaLaunchKernelEx, the runtime's typed launch API, rather than
// <<<>>>: the same launch written in plain C++, so the tests' host emulation of the runtime
// (tests/support/cuda_emulation) can run these kernels' own code where there is no GPU. A
// failed launch is also what cudaGetLastError returns next, which every caller checks.
template <typename... Params, typename... Args>
void launch(void (*kernel)(Params...), dim3 grid, dim3 block, cudaStream_t stream, Args&&... args) {
  cudaLaunchConfig_t config{};
  config.gridDim = grid;
  config.blockDim = block;
  config.dynamicSmemBytes = 0;
  config.stream = stream;
  static_cast<void>(cudaLaunchKernelEx(&config, kernel, std::forward<Args>(args)...));
}

__device__ float widen_bf16(std::uint16_t bits) {
  return __uint_as_float(static_cast<unsigned>(bits) << 16);
}

__global__ void embed_kernel(const std::uint16_t* embedding, const std::int32_t* tokens,
                             std::int64_t hidden, float* x) {
  const std::int64_t r = blockIdx.x;
  const std::uint16_t* row = embedding + static_cast<std::int64_t>(tokens[r]) * hidden;
  for (std::int64_t i = threadIdx.x; i < hidden; i += blockDim.x)
    x[r * hidden + i] = widen_bf16(row[i]);
}

// Stores x[i] as the GEMM input: hi = bf16(x) at parts[i] and, with two parts, lo = bf16(x -
// hi) at parts[count + i]. Callers form x with __fmul_rn where a product feeds it, so that the
// compiler cannot fuse that product into the subtraction and the parts are what rounding the
// stored fp32 value would give.
__device__ void store_parts(float x, std::int64_t i, std::int64_t count, bool two_parts,
                            __nv_bfloat16* parts) {
  const __nv_bfloat16 hi = __float2bfloat16_rn(x);
  parts[i] = hi;
  if (two_parts) parts[count + i] = __float2bfloat16_rn(x - __bfloat162float(hi));
}

__global__ void rms_norm_kernel(const float* x, const std::int32_t* rows_from, const float* weight,
                                std::int64_t n, double eps, bool two_parts, __nv_bfloat16* parts) {
  __shared__ double partial[kThreads];
  const std::int64_t r = blockIdx.x;
  const float* row = x + (rows_from != nullptr ? rows_from[r] : r) * n;
  double sum = 0.0;
  for (std::int64_t i = threadIdx.x; i < n; i += blockDim.x)
    sum += static_cast<double>(row[i]) * row[i];
  partial[threadIdx.x] = sum;
  __syncthreads();
  for (int stride = kThreads / 2; stride > 0; stride /= 2) {
    if (static_cast<int>(threadIdx.x) < stride)
      partial[threadIdx.x] += partial[threadIdx.x + stride];
    __syncthreads();
  }
  const auto scale = static_cast<float>(1.0 / sqrt(partial[0] / static_cast<double>(n) + eps));
  const std::int64_t count = static_cast<std::int64_t>(gridDim.x) * n;
  for (std::int64_t i = threadIdx.x; i < n; i += blockDim.x)
    store_parts(__fmul_rn(__fmul_rn(row[i], scale), weight[i]), r * n + i, count, two_parts, parts);
}

__global__ void split_bf16_kernel(const float* x, std::int64_t count, bool two_parts,
                                  __nv_bfloat16* parts) {
  const std::int64_t i = blockIdx.x * static_cast<std::int64_t>(blockDim.x) + threadIdx.x;
  if (i >= count) return;
  store_parts(x[i], i, count, two_parts, parts);
}

__global__ void combine_parts_kernel(const float* parts, std::int64_t count, bool accumulate,
                                     float* y) {
  const std::int64_t i = blockIdx.x * static_cast<std::int64_t>(blockDim.x) + threadIdx.x;
  if (i >= count) return;
  const float value = parts[i] + parts[count + i];
  y[i] = accumulate ? y[i] + value : value;
}

// A cache element as fp32, and an fp32 value as a cache element (bf16: rounded to nearest).
__device__ float widen(float value) {
  return value;
}
__device__ float widen(__nv_bfloat16 value) {
  return __bfloat162float(value);
}
__device__ void narrow(float value, float* element) {
  *element = value;
}
__device__ void narrow(float value, __nv_bfloat16* element) {
  *element = __float2bfloat16_rn(value);
}

// Offset of (sequence of step `step`, position) in a layer's pool, in elements.
__device__ std::int64_t kv_offset(const PagedKv& kv, std::int32_t step, std::int32_t position,
                                  std::int64_t kv_dim) {
  const std::int32_t block =
      kv.block_tables[step * kv.max_blocks_per_sequence + position / kv.block_tokens];
  return (static_cast<std::int64_t>(block) * kv.block_tokens + position % kv.block_tokens) * kv_dim;
}

// One block per row. q heads then k heads in rotated pairs (j, j + head_dim/2), then v's
// elements; each value is its parts' sum, as combine_parts forms it. Kv: the cache's element.
template <typename Kv>
__global__ void qkv_rope_store_kernel(const float* parts, bool two_parts, RowMeta meta, PagedKv kv,
                                      const float* inv_freq, std::int64_t heads,
                                      std::int64_t kv_heads, std::int64_t head_dim, float* q) {
  Kv* keys = static_cast<Kv*>(kv.keys);
  Kv* values = static_cast<Kv*>(kv.values);
  const std::int64_t r = blockIdx.x;
  const std::int64_t half = head_dim / 2;
  const std::int64_t q_dim = heads * head_dim;
  const std::int64_t kv_dim = kv_heads * head_dim;
  const std::int64_t width = q_dim + 2 * kv_dim;
  const std::int64_t lo = static_cast<std::int64_t>(gridDim.x) * width;  // where lo parts start
  const float* row = parts + r * width;
  const std::int64_t base = kv_offset(kv, meta.steps[r], meta.positions[r], kv_dim);
  const auto position = static_cast<float>(meta.positions[r]);
  const std::int64_t pairs = (heads + kv_heads) * half;
  for (std::int64_t item = threadIdx.x; item < pairs + kv_dim; item += blockDim.x) {
    if (item < pairs) {
      // Head h's columns start at h · head_dim for q's heads and k's alike.
      const std::int64_t h = item / half;
      const std::int64_t j = item % half;
      const std::int64_t col = h * head_dim + j;
      const float x1 = two_parts ? row[col] + row[lo + col] : row[col];
      const float x2 = two_parts ? row[col + half] + row[lo + col + half] : row[col + half];
      const float angle = position * inv_freq[j];
      const float c = cosf(angle);
      const float s = sinf(angle);
      const float y1 = x1 * c - x2 * s;
      const float y2 = x2 * c + x1 * s;
      if (h < heads) {
        q[r * q_dim + col] = y1;
        q[r * q_dim + col + half] = y2;
      } else {
        narrow(y1, keys + base + col - q_dim);
        narrow(y2, keys + base + col - q_dim + half);
      }
    } else {
      const std::int64_t col = q_dim + kv_dim + (item - pairs);
      narrow(two_parts ? row[col] + row[lo + col] : row[col], values + base + item - pairs);
    }
  }
}

__device__ float warp_sum(float value) {
  // A butterfly: every lane ends with the same bits.
  for (int mask = 16; mask > 0; mask /= 2)
    value += __shfl_xor_sync(0xffffffffU, value, mask);
  return value;
}

// One block per (row, query head); each warp walks every kAttentionWarps-th visible position
// with its lanes across head_dim, keeping a running max, sum and weighted value; the warps'
// partial results are merged at the end.
// Launched with kAttentionWarps × 32 = 512 threads: the bound keeps the register count where
// such a block can launch (at most 128 a thread).
template <typename Kv>
__global__ void __launch_bounds__(kAttentionWarps * 32)
    attention_kernel(const float* q, RowMeta meta, PagedKv kv, std::int64_t heads,
                     std::int64_t kv_heads, std::int64_t head_dim, float scale, float* out) {
  const Kv* keys = static_cast<const Kv*>(kv.keys);
  const Kv* values = static_cast<const Kv*>(kv.values);
  __shared__ float warp_max[kAttentionWarps];
  __shared__ float warp_total[kAttentionWarps];
  __shared__ float warp_acc[kAttentionWarps][kMaxHeadDim];
  const std::int64_t r = blockIdx.x;
  const std::int64_t h = blockIdx.y;
  const int warp = static_cast<int>(threadIdx.x) / 32;
  const int lane = static_cast<int>(threadIdx.x) % 32;
  const std::int32_t position = meta.positions[r];
  const std::int32_t step = meta.steps[r];
  const std::int64_t kv_dim = kv_heads * head_dim;
  const std::int64_t head_offset = (h / (heads / kv_heads)) * head_dim;
  const float* query = q + (r * heads + h) * head_dim;

  float qv[kDimsPerLane];
  float acc[kDimsPerLane];
#pragma unroll
  for (int i = 0; i < kDimsPerLane; ++i) {
    const std::int64_t d = lane + 32 * i;
    qv[i] = d < head_dim ? query[d] : 0.0f;
    acc[i] = 0.0f;
  }
  float running_max = -INFINITY;
  float total = 0.0f;
  for (std::int32_t t = warp; t <= position; t += kAttentionWarps) {
    const std::int64_t base = kv_offset(kv, step, t, kv_dim) + head_offset;
    float partial = 0.0f;
#pragma unroll
    for (int i = 0; i < kDimsPerLane; ++i) {
      const std::int64_t d = lane + 32 * i;
      if (d < head_dim) partial += qv[i] * widen(keys[base + d]);
    }
    const float score = warp_sum(partial) * scale;
    const float new_max = fmaxf(running_max, score);
    const float correction = expf(running_max - new_max);  // 0 for the first position
    const float weight = expf(score - new_max);
    total = total * correction + weight;
#pragma unroll
    for (int i = 0; i < kDimsPerLane; ++i) {
      const std::int64_t d = lane + 32 * i;
      if (d < head_dim) acc[i] = acc[i] * correction + weight * widen(values[base + d]);
    }
    running_max = new_max;
  }
  if (lane == 0) {
    warp_max[warp] = running_max;
    warp_total[warp] = total;
  }
#pragma unroll
  for (int i = 0; i < kDimsPerLane; ++i) {
    const std::int64_t d = lane + 32 * i;
    if (d < head_dim) warp_acc[warp][d] = acc[i];
  }
  __syncthreads();
  float max_all = -INFINITY;
  for (int w = 0; w < kAttentionWarps; ++w)
    max_all = fmaxf(max_all, warp_max[w]);
  float sum_all = 0.0f;
  for (int w = 0; w < kAttentionWarps; ++w) {
    if (warp_max[w] != -INFINITY) sum_all += warp_total[w] * expf(warp_max[w] - max_all);
  }
  for (std::int64_t d = threadIdx.x; d < head_dim; d += blockDim.x) {
    float o = 0.0f;
    for (int w = 0; w < kAttentionWarps; ++w) {
      if (warp_max[w] != -INFINITY) o += warp_acc[w][d] * expf(warp_max[w] - max_all);
    }
    out[(r * heads + h) * head_dim + d] = o / sum_all;
  }
}

// One block per (row, tile of up to kTile query heads of one kv head, split of the row's
// positions). Each warp walks every kGroupedWarps-th position of the split, loads its key and
// value once and updates every head of the tile with them (running max, sum and weighted value
// per head); the warps are merged at the end, into the output when there is one split and into
// `partial` (unnormalised, with the max and sum) for combine_splits_kernel otherwise.
template <typename Kv>
__global__ void __launch_bounds__(kGroupedWarps * 32)
    grouped_attention_kernel(const float* q, RowMeta meta, PagedKv kv, std::int64_t heads,
                             std::int64_t kv_heads, std::int64_t head_dim, float scale,
                             float* partial, float* out) {
  const Kv* keys = static_cast<const Kv*>(kv.keys);
  const Kv* values = static_cast<const Kv*>(kv.values);
  __shared__ float warp_max[kGroupedWarps][kTile];
  __shared__ float warp_total[kGroupedWarps][kTile];
  __shared__ float warp_acc[kGroupedWarps][kTile][kMaxHeadDim];
  const std::int64_t r = blockIdx.x;
  const auto splits = static_cast<std::int32_t>(gridDim.z);
  const auto split = static_cast<std::int32_t>(blockIdx.z);
  const int warp = static_cast<int>(threadIdx.x) / 32;
  const int lane = static_cast<int>(threadIdx.x) % 32;
  const AttentionTile tile = attention_tile(blockIdx.y, heads, kv_heads);
  const std::int64_t first_head = tile.first_head;
  // Uniform across the block, so every warp takes the same branches around its shuffles.
  const auto count = static_cast<int>(tile.count);
  const std::int32_t position = meta.positions[r];
  const std::int32_t step = meta.steps[r];
  const std::int64_t kv_dim = kv_heads * head_dim;
  const std::int64_t head_offset = tile.kv_head * head_dim;
  const PositionRange range = split_positions(position + 1, splits, split);

  float qv[kTile][kDimsPerLane];
  float acc[kTile][kDimsPerLane];
  float running_max[kTile];
  float total[kTile];
#pragma unroll
  for (int g = 0; g < kTile; ++g) {
    const float* query = q + (r * heads + first_head + g) * head_dim;
#pragma unroll
    for (int i = 0; i < kDimsPerLane; ++i) {
      const std::int64_t d = lane + 32 * i;
      qv[g][i] = g < count && d < head_dim ? query[d] : 0.0f;
      acc[g][i] = 0.0f;
    }
    running_max[g] = -INFINITY;
    total[g] = 0.0f;
  }
  for (std::int32_t t = range.begin + warp; t < range.end; t += kGroupedWarps) {
    const std::int64_t base = kv_offset(kv, step, t, kv_dim) + head_offset;
    float key[kDimsPerLane];
    float value[kDimsPerLane];
#pragma unroll
    for (int i = 0; i < kDimsPerLane; ++i) {
      const std::int64_t d = lane + 32 * i;
      key[i] = d < head_dim ? widen(keys[base + d]) : 0.0f;
      value[i] = d < head_dim ? widen(values[base + d]) : 0.0f;
    }
#pragma unroll
    for (int g = 0; g < kTile; ++g) {
      if (g >= count) break;
      float dot = 0.0f;
#pragma unroll
      for (int i = 0; i < kDimsPerLane; ++i)
        dot += qv[g][i] * key[i];
      const float score = warp_sum(dot) * scale;
      const float new_max = fmaxf(running_max[g], score);
      const float correction = expf(running_max[g] - new_max);  // 0 for the first position
      const float weight = expf(score - new_max);
      total[g] = total[g] * correction + weight;
#pragma unroll
      for (int i = 0; i < kDimsPerLane; ++i)
        acc[g][i] = acc[g][i] * correction + weight * value[i];
      running_max[g] = new_max;
    }
  }
#pragma unroll
  for (int g = 0; g < kTile; ++g) {
    if (lane == 0) {
      warp_max[warp][g] = running_max[g];
      warp_total[warp][g] = total[g];
    }
#pragma unroll
    for (int i = 0; i < kDimsPerLane; ++i) {
      const std::int64_t d = lane + 32 * i;
      if (d < head_dim) warp_acc[warp][g][d] = acc[g][i];
    }
  }
  __syncthreads();
  for (std::int64_t item = threadIdx.x; item < count * head_dim; item += blockDim.x) {
    const auto g = static_cast<int>(item / head_dim);
    const std::int64_t d = item % head_dim;
    float max_all = -INFINITY;
    for (int w = 0; w < kGroupedWarps; ++w)
      max_all = fmaxf(max_all, warp_max[w][g]);
    float sum_all = 0.0f;
    float o = 0.0f;
    for (int w = 0; w < kGroupedWarps; ++w) {
      if (warp_max[w][g] == -INFINITY) continue;  // a warp that saw no position
      const float factor = expf(warp_max[w][g] - max_all);
      sum_all += warp_total[w][g] * factor;
      o += warp_acc[w][g][d] * factor;
    }
    const std::int64_t head = r * heads + first_head + g;
    if (splits == 1) {
      out[head * head_dim + d] = o / sum_all;
    } else {
      // An empty split leaves max -inf and sum 0, which the merge skips.
      float* mine = partial + (head * splits + split) * (head_dim + 2);
      mine[d] = o;
      if (d == 0) {
        mine[head_dim] = max_all;
        mine[head_dim + 1] = sum_all;
      }
    }
  }
}

// One block per (row, query head): merges the splits' partial results.
__global__ void combine_splits_kernel(const float* partial, std::int64_t heads,
                                      std::int64_t head_dim, std::int32_t splits, float* out) {
  const std::int64_t head = blockIdx.x * heads + blockIdx.y;
  const float* parts = partial + head * splits * (head_dim + 2);
  float max_all = -INFINITY;
  for (std::int32_t s = 0; s < splits; ++s)
    max_all = fmaxf(max_all, parts[s * (head_dim + 2) + head_dim]);
  for (std::int64_t d = threadIdx.x; d < head_dim; d += blockDim.x) {
    float sum_all = 0.0f;
    float o = 0.0f;
    for (std::int32_t s = 0; s < splits; ++s) {
      const float* part = parts + s * (head_dim + 2);
      if (part[head_dim] == -INFINITY) continue;
      const float factor = expf(part[head_dim] - max_all);
      sum_all += part[head_dim + 1] * factor;
      o += part[d] * factor;
    }
    out[head * head_dim + d] = o / sum_all;
  }
}

__global__ void swiglu_kernel(const float* parts, std::int64_t rows, std::int64_t intermediate,
                              bool two_parts, __nv_bfloat16* out) {
  const std::int64_t i = blockIdx.x * static_cast<std::int64_t>(blockDim.x) + threadIdx.x;
  const std::int64_t count = rows * intermediate;
  if (i >= count) return;
  const std::int64_t width = 2 * intermediate;
  const std::int64_t lo = rows * width;
  const float* gate = parts + (i / intermediate) * width + i % intermediate;
  const float* up = gate + intermediate;
  const float g = two_parts ? gate[0] + gate[lo] : gate[0];
  const float u = two_parts ? up[0] + up[lo] : up[0];
  store_parts(__fmul_rn(g / (1.0f + expf(-g)), u), i, count, two_parts, out);
}

__global__ void argmax_kernel(const float* logits, std::int64_t vocab, std::int32_t* out) {
  __shared__ float best_value[kThreads];
  __shared__ std::int32_t best_index[kThreads];
  const float* row = logits + blockIdx.x * vocab;
  // As the CPU's argmax: start from index 0, whatever its value (a NaN there wins), and take
  // only a strictly larger logit (a NaN elsewhere never does). Each thread sees its indices in
  // increasing order, so a strict > keeps the lowest of ties.
  float value = threadIdx.x == 0 ? row[0] : -INFINITY;
  std::int32_t index = threadIdx.x == 0 ? 0 : INT32_MAX;
  for (std::int64_t i = threadIdx.x; i < vocab; i += blockDim.x) {
    if (row[i] > value) {
      value = row[i];
      index = static_cast<std::int32_t>(i);
    }
  }
  best_value[threadIdx.x] = value;
  best_index[threadIdx.x] = index;
  __syncthreads();
  for (int stride = kThreads / 2; stride > 0; stride /= 2) {
    if (static_cast<int>(threadIdx.x) < stride) {
      const float other = best_value[threadIdx.x + stride];
      const std::int32_t other_index = best_index[threadIdx.x + stride];
      if (other > best_value[threadIdx.x] ||
          (other == best_value[threadIdx.x] && other_index < best_index[threadIdx.x])) {
        best_value[threadIdx.x] = other;
        best_index[threadIdx.x] = other_index;
      }
    }
    __syncthreads();
  }
  if (threadIdx.x == 0) out[blockIdx.x] = best_index[0];
}

}  // namespace

void embed(cudaStream_t stream, const std::uint16_t* embedding, const std::int32_t* tokens,
           std::int64_t rows, std::int64_t hidden, float* x) {
  launch(embed_kernel, static_cast<unsigned>(rows), kThreads, stream, embedding, tokens, hidden, x);
}

void rms_norm(cudaStream_t stream, const float* x, const std::int32_t* rows_from,
              const float* weight, std::int64_t rows, std::int64_t n, double eps, bool two_parts,
              std::uint16_t* parts) {
  launch(rms_norm_kernel, static_cast<unsigned>(rows), kThreads, stream, x, rows_from, weight, n,
         eps, two_parts, reinterpret_cast<__nv_bfloat16*>(parts));
}

void split_bf16(cudaStream_t stream, const float* x, std::int64_t count, bool two_parts,
                std::uint16_t* parts) {
  launch(split_bf16_kernel, blocks_for(count, kThreads), kThreads, stream, x, count, two_parts,
         reinterpret_cast<__nv_bfloat16*>(parts));
}

void combine_parts(cudaStream_t stream, const float* parts, std::int64_t count, bool accumulate,
                   float* y) {
  launch(combine_parts_kernel, blocks_for(count, kThreads), kThreads, stream, parts, count,
         accumulate, y);
}

void qkv_rope_store(cudaStream_t stream, const float* parts, bool two_parts, RowMeta meta,
                    PagedKv kv, const float* inv_freq, std::int64_t rows, std::int64_t heads,
                    std::int64_t kv_heads, std::int64_t head_dim, float* q) {
  launch(kv.bf16 ? qkv_rope_store_kernel<__nv_bfloat16> : qkv_rope_store_kernel<float>,
         static_cast<unsigned>(rows), kThreads, stream, parts, two_parts, meta, kv, inv_freq, heads,
         kv_heads, head_dim, q);
}

void attention(cudaStream_t stream, const float* q, RowMeta meta, PagedKv kv, std::int64_t rows,
               std::int64_t heads, std::int64_t kv_heads, std::int64_t head_dim, float* out) {
  // The scale exactly as the CPU backend forms it.
  const float scale = 1.0f / std::sqrt(static_cast<float>(head_dim));
  const dim3 grid(static_cast<unsigned>(rows), static_cast<unsigned>(heads));
  launch(kv.bf16 ? attention_kernel<__nv_bfloat16> : attention_kernel<float>, grid,
         kAttentionWarps * 32, stream, q, meta, kv, heads, kv_heads, head_dim, scale, out);
}

void grouped_attention(cudaStream_t stream, const float* q, RowMeta meta, PagedKv kv,
                       std::int64_t rows, std::int64_t heads, std::int64_t kv_heads,
                       std::int64_t head_dim, float* partial, float* out) {
  const float scale = 1.0f / std::sqrt(static_cast<float>(head_dim));
  const std::int64_t splits = attention_splits(rows, heads, kv_heads);
  const dim3 grid(static_cast<unsigned>(rows),
                  static_cast<unsigned>(kv_heads * attention_tiles_per_kv_head(heads, kv_heads)),
                  static_cast<unsigned>(splits));
  launch(kv.bf16 ? grouped_attention_kernel<__nv_bfloat16> : grouped_attention_kernel<float>, grid,
         kGroupedWarps * 32, stream, q, meta, kv, heads, kv_heads, head_dim, scale, partial, out);
  if (splits > 1) {
    launch(combine_splits_kernel, dim3(static_cast<unsigned>(rows), static_cast<unsigned>(heads)),
           128, stream, partial, heads, head_dim, static_cast<std::int32_t>(splits), out);
  }
}

void swiglu(cudaStream_t stream, const float* parts, std::int64_t rows, std::int64_t intermediate,
            bool two_parts, std::uint16_t* out) {
  launch(swiglu_kernel, blocks_for(rows * intermediate, kThreads), kThreads, stream, parts, rows,
         intermediate, two_parts, reinterpret_cast<__nv_bfloat16*>(out));
}

void argmax(cudaStream_t stream, const float* logits, std::int64_t rows, std::int64_t vocab,
            std::int32_t* out) {
  launch(argmax_kernel, static_cast<unsigned>(rows), kThreads, stream, logits, vocab, out);
}

}  // namespace mlbench::model::cuda
