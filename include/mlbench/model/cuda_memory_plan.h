#pragma once

#include <cstdint>
#include <string>

#include "mlbench/core/result.h"
#include "mlbench/model/config.h"

namespace mlbench::model {

// How the CUDA backend lays out one GPU's memory, worked out on the host before anything is
// allocated, so that "does it fit" is plain arithmetic with unit tests and a clear refusal.

// The scratch buffers one forward step needs, in elements, for steps of at most `max_step_tokens`
// tokens over at most `max_batch` sequences. The backend allocates exactly these, so the plan
// counts what is really used.
struct CudaScratchLayout {
  std::int64_t max_step_tokens = 0;
  std::int64_t max_batch = 0;
  std::int64_t max_blocks_per_sequence = 0;
  int gemm_parts = 2;  // activations go to cuBLAS as 1 (bf16) or 2 (bf16 hi + lo) bf16 parts

  std::uint64_t residual_floats = 0;  // x: max_step_tokens × hidden
  std::uint64_t q_floats = 0;         // q and attended: max_step_tokens × heads × head_dim
  std::uint64_t gemm_in_bf16 = 0;     // gemm_parts × the largest [rows, in] activation
  // gemm_parts × the largest [rows, out] product: the fused q/k/v or gate/up projection, or with
  // two parts the LM head's (with one, cuBLAS writes the logits and the residual itself).
  std::uint64_t gemm_out_floats = 0;
  std::uint64_t logits_floats = 0;             // max_batch × vocab
  std::uint64_t attention_partial_floats = 0;  // split attention's partials, the widest launch
  std::uint64_t meta_ints = 0;  // token ids, positions, block tables, lengths, argmax
  std::uint64_t cublas_workspace_bytes = 32ull << 20;

  std::uint64_t bytes() const;
};

CudaScratchLayout cuda_scratch_layout(const LlamaConfig& config, std::int64_t max_step_tokens,
                                      std::int64_t max_batch, std::int64_t max_sequence_tokens,
                                      std::int64_t block_tokens, int gemm_parts);

// Where one step's metadata sits in the backend's int32 metadata buffer, the same offsets on
// the host (pinned) and the device: the rows' token ids, positions and row → step indexes, each
// step's last row, each step's block-table row of `table_stride` entries (the backend's most
// blocks per sequence, so a row's place does not depend on the other sequences' lengths), and
// room for the argmax. For a decode step (one row per step) the offsets depend on the batch
// alone, so a CUDA graph captured for that batch finds every later step's values where it
// looked the first time.
struct CudaStepMeta {
  std::int64_t rows = 0;
  std::int64_t steps = 0;
  std::int64_t table_stride = 0;
  std::int64_t tokens = 0;  // offsets, in ints
  std::int64_t positions = 0;
  std::int64_t row_steps = 0;
  std::int64_t last_rows = 0;
  std::int64_t tables = 0;
  std::int64_t next_tokens = 0;  // the argmax, one per step; what precedes it is uploaded
  std::int64_t total_ints() const { return next_tokens + steps; }
};

CudaStepMeta cuda_step_meta(std::int64_t rows, std::int64_t steps, std::int64_t table_stride);

// Bytes of the weights as the backend holds them: matrices in bf16, norm weights widened to fp32.
std::uint64_t cuda_weight_bytes(const LlamaConfig& config);

// Bytes of keys and values one token occupies across all layers.
std::uint64_t kv_bytes_per_token(const LlamaConfig& config, std::uint64_t element_bytes);

// What the decode graphs may take, kept out of the KV pool: up to one graph per batch size
// 1..max_batch, each a few nodes per layer. An instantiated graph holds its nodes' parameters
// and launch state on the device; 64 KiB a layer and 4 MiB a graph is a margin, not a
// measurement (the backend logs each graph's measured cost when it captures one).
std::uint64_t cuda_graph_reserve_bytes(const LlamaConfig& config, std::int64_t max_batch);

struct CudaMemoryRequest {
  int device = 0;                // for messages only
  std::uint64_t free_bytes = 0;  // cudaMemGetInfo before anything of ours is allocated
  std::uint64_t total_bytes = 0;
  double gpu_memory_fraction = 0.9;
  std::uint64_t weight_bytes = 0;
  std::uint64_t scratch_bytes = 0;
  // The decode CUDA graphs, instantiated later (one per batch size): cuda_graph_reserve_bytes.
  std::uint64_t graph_bytes = 0;
  // Left unallocated for what is not counted above (cuBLAS handles, kernel images, allocator
  // rounding), so that the KV pool does not take the last free byte.
  std::uint64_t reserve_bytes = 256ull << 20;
  std::uint64_t kv_bytes_per_token = 0;
  std::int64_t block_tokens = 16;        // tokens per KV block
  std::int64_t max_sequence_tokens = 0;  // the longest sequence that must fit
  std::int64_t max_blocks = 0;           // a cap on the pool (tests, shared GPUs); 0: none
};

struct CudaMemoryPlan {
  std::uint64_t budget_bytes = 0;  // free × fraction
  std::uint64_t weight_bytes = 0;
  std::uint64_t scratch_bytes = 0;
  std::uint64_t graph_bytes = 0;
  std::uint64_t reserve_bytes = 0;
  std::uint64_t block_bytes = 0;  // one KV block, all layers, keys and values
  std::int64_t block_tokens = 0;
  std::int64_t num_blocks = 0;
  std::uint64_t kv_pool_bytes() const {
    return block_bytes * static_cast<std::uint64_t>(num_blocks);
  }
  std::int64_t cached_tokens() const { return num_blocks * block_tokens; }
};

// Sizes the KV block pool from what the budget leaves after weights, scratch and reserve. Fails
// with kInvalidArgument, saying how many bytes are needed against how many there are and what
// to change, when the weights do not fit or not even one max_sequence_tokens sequence does.
Result<CudaMemoryPlan> plan_cuda_memory(const CudaMemoryRequest& request);

// "12.34 GiB", for messages about memory.
std::string format_gib(std::uint64_t bytes);

// Blocks a sequence of `tokens` tokens occupies.
inline std::int64_t kv_blocks_for(std::int64_t tokens, std::int64_t block_tokens) {
  return (tokens + block_tokens - 1) / block_tokens;
}

}  // namespace mlbench::model
