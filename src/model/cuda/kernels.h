#pragma once

// Launchers for the CUDA backend's kernels, one per concern. Plain C++ types only (bf16 is
// passed as its bits, std::uint16_t), so the host code that drives them is ordinary C++. Each
// launcher only enqueues on `stream`; the caller checks cudaGetLastError afterwards.

#include <cuda_runtime_api.h>

#include <cstdint>

namespace mlbench::model::cuda {

// Where one layer's keys and values live: blocks of `block_tokens` positions, each position
// kv_dim elements, a block table per sequence mapping position / block_tokens to a pool block.
// Elements are fp32, or bf16 (rounded to nearest once, when stored) when `bf16`.
struct PagedKv {
  void* keys = nullptr;  // this layer's [num_blocks, block_tokens, kv_dim]
  void* values = nullptr;
  const std::int32_t* block_tables = nullptr;  // [steps, max_blocks_per_sequence]
  std::int64_t max_blocks_per_sequence = 0;
  std::int64_t block_tokens = 0;
  bool bf16 = false;
};

// Per-row facts of one step: its token, its position in its sequence, and which step it is in.
struct RowMeta {
  const std::int32_t* tokens = nullptr;
  const std::int32_t* positions = nullptr;
  const std::int32_t* steps = nullptr;
};

// x[r] = widen(embedding[tokens[r]]), rows × hidden.
void embed(cudaStream_t stream, const std::uint16_t* embedding, const std::int32_t* tokens,
           std::int64_t rows, std::int64_t hidden, float* x);

// out[r] = x[src(r)] / sqrt(mean(x²) + eps) · weight, the sum of squares in double as the CPU
// backend forms it, src(r) = rows_from ? rows_from[r] : r; stored straight into the next GEMM's
// input as split_bf16 would store it (rows × n), since nothing else reads it.
void rms_norm(cudaStream_t stream, const float* x, const std::int32_t* rows_from,
              const float* weight, std::int64_t rows, std::int64_t n, double eps, bool two_parts,
              std::uint16_t* parts);

// Splits fp32 activations for a bf16 GEMM: hi = bf16(x) into parts[0 .. count), and when
// `two_parts`, lo = bf16(x - hi) into parts[count .. 2·count).
void split_bf16(cudaStream_t stream, const float* x, std::int64_t count, bool two_parts,
                std::uint16_t* parts);

// y = parts[0] + parts[1] over `count` elements, a split-bf16 GEMM's two products: stores when
// !accumulate, adds when accumulate (the residual stream). One-part products need no combining:
// cuBLAS writes them where they go.
void combine_parts(cudaStream_t stream, const float* parts, std::int64_t count, bool accumulate,
                   float* y);

// The fused q, k, v projection's output (`parts`: rows × (q_dim + 2·kv_dim), one or two parts as
// combine_parts sums them) taken apart: q and k rotated (rotate-half RoPE, angle =
// float(position) · inv_freq[j]), q stored to `q` (rows × q_dim), k and v stored at each row's
// position in its sequence's blocks. One kernel where combining, rotating and storing took five.
void qkv_rope_store(cudaStream_t stream, const float* parts, bool two_parts, RowMeta meta,
                    PagedKv kv, const float* inv_freq, std::int64_t rows, std::int64_t heads,
                    std::int64_t kv_heads, std::int64_t head_dim, float* q);

// Causal GQA attention for every (row, query head) over its sequence's cache up to and
// including its own position: softmax(q·kᵀ/√d)·v with an online (running max) softmax.
void attention(cudaStream_t stream, const float* q, RowMeta meta, PagedKv kv, std::int64_t rows,
               std::int64_t heads, std::int64_t kv_heads, std::int64_t head_dim, float* out);

// The same over up to kAttentionHeadsPerBlock query heads of a GQA group per block, reading
// each key and value once for all of them, with a decode step's positions split across blocks
// (attention_split.h); `partial` holds attention_partial_floats(rows, heads, kv_heads,
// head_dim) floats. Launches one kernel, or two when the positions are split.
void grouped_attention(cudaStream_t stream, const float* q, RowMeta meta, PagedKv kv,
                       std::int64_t rows, std::int64_t heads, std::int64_t kv_heads,
                       std::int64_t head_dim, float* partial, float* out);

// silu(gate) · up for rows × intermediate elements, read from the fused gate and up
// projection's output (`parts`: rows × 2·intermediate, gate then up, one or two parts), stored
// into the down projection's input as split_bf16 would store it.
void swiglu(cudaStream_t stream, const float* parts, std::int64_t rows, std::int64_t intermediate,
            bool two_parts, std::uint16_t* out);

// out[r] = the index of row r's largest logit, ties to the lowest index.
void argmax(cudaStream_t stream, const float* logits, std::int64_t rows, std::int64_t vocab,
            std::int32_t* out);

}  // namespace mlbench::model::cuda
