#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "mlbench/model/cuda_memory_plan.h"

#include "model/cuda/attention_split.h"

namespace mlbench::model {
namespace {

std::uint64_t u(std::int64_t value) {
  return static_cast<std::uint64_t>(value);
}

std::string gib(std::uint64_t bytes) {
  return format_gib(bytes);
}

}  // namespace

std::string format_gib(std::uint64_t bytes) {
  return fmt::format("{:.2f} GiB", static_cast<double>(bytes) / static_cast<double>(1ull << 30));
}

std::uint64_t CudaScratchLayout::bytes() const {
  const std::uint64_t floats =
      residual_floats + 2 * q_floats + gemm_out_floats + logits_floats + attention_partial_floats;
  return 4 * floats + 2 * gemm_in_bf16 + 4 * meta_ints + cublas_workspace_bytes;
}

CudaScratchLayout cuda_scratch_layout(const LlamaConfig& c, std::int64_t max_step_tokens,
                                      std::int64_t max_batch, std::int64_t max_sequence_tokens,
                                      std::int64_t block_tokens, int gemm_parts) {
  CudaScratchLayout s;
  s.max_step_tokens = max_step_tokens;
  s.max_batch = max_batch;
  s.max_blocks_per_sequence = kv_blocks_for(max_sequence_tokens, block_tokens);
  s.gemm_parts = gemm_parts;
  const std::uint64_t n = u(max_step_tokens);
  const std::uint64_t q_dim = u(c.num_attention_heads * c.head_dim);
  const std::uint64_t kv_dim = u(c.num_key_value_heads * c.head_dim);
  const std::uint64_t hidden = u(c.hidden_size);
  const std::uint64_t inter = u(c.intermediate_size);
  s.residual_floats = n * hidden;
  s.q_floats = n * q_dim;
  // q, k and v come out of one GEMM, as do gate and up; each kernel after it reads them there.
  const std::uint64_t widest_in = std::max({hidden, q_dim, inter});
  const std::uint64_t widest_out = std::max({hidden, q_dim + 2 * kv_dim, 2 * inter});
  s.gemm_in_bf16 = u(gemm_parts) * n * widest_in;
  // The LM head multiplies only each step's last row, so it needs max_batch rows, not n; with
  // one part its product goes straight to the logits.
  const std::uint64_t lm_head_out = gemm_parts == 2 ? u(max_batch) * u(c.vocab_size) : 0;
  s.gemm_out_floats = u(gemm_parts) * std::max(n * widest_out, lm_head_out);
  s.logits_floats = u(max_batch) * u(c.vocab_size);
  // Only launches of fewer rows than the target split their positions.
  for (std::int64_t rows = 1; rows <= std::min(max_step_tokens, cuda::kAttentionTargetBlocks);
       ++rows) {
    s.attention_partial_floats =
        std::max(s.attention_partial_floats,
                 u(cuda::attention_partial_floats(rows, c.num_attention_heads,
                                                  c.num_key_value_heads, c.head_dim)));
  }
  // tokens, positions, row → step; per step: last row, length, block table row; argmax out.
  s.meta_ints = 3 * n + u(max_batch) * (3 + u(s.max_blocks_per_sequence));
  return s;
}

CudaStepMeta cuda_step_meta(std::int64_t rows, std::int64_t steps, std::int64_t table_stride) {
  CudaStepMeta m;
  m.rows = rows;
  m.steps = steps;
  m.table_stride = table_stride;
  m.tokens = 0;
  m.positions = rows;
  m.row_steps = 2 * rows;
  m.last_rows = 3 * rows;
  m.tables = 3 * rows + steps;
  m.next_tokens = m.tables + steps * table_stride;
  return m;
}

std::uint64_t cuda_graph_reserve_bytes(const LlamaConfig& c, std::int64_t max_batch) {
  return u(max_batch) * ((4ull << 20) + u(c.num_hidden_layers) * (64ull << 10));
}

std::uint64_t cuda_weight_bytes(const LlamaConfig& c) {
  const std::uint64_t hidden = u(c.hidden_size);
  const std::uint64_t q_dim = u(c.num_attention_heads * c.head_dim);
  const std::uint64_t kv_dim = u(c.num_key_value_heads * c.head_dim);
  const std::uint64_t per_layer =
      2 * (2 * q_dim * hidden + 2 * kv_dim * hidden + 3 * u(c.intermediate_size) * hidden) +
      4 * 2 * hidden;
  const std::uint64_t embeddings = (c.tie_word_embeddings ? 1 : 2) * 2 * u(c.vocab_size) * hidden;
  return u(c.num_hidden_layers) * per_layer + embeddings + 4 * hidden;
}

std::uint64_t kv_bytes_per_token(const LlamaConfig& c, std::uint64_t element_bytes) {
  return u(c.num_hidden_layers) * 2 * u(c.num_key_value_heads * c.head_dim) * element_bytes;
}

Result<CudaMemoryPlan> plan_cuda_memory(const CudaMemoryRequest& r) {
  const std::string where = fmt::format("GPU {}", r.device);
  if (!(r.gpu_memory_fraction > 0.0 && r.gpu_memory_fraction <= 1.0)) {
    return fail(
        ErrorCode::kInvalidArgument,
        fmt::format("--gpu-memory-fraction must be in (0, 1], not {}", r.gpu_memory_fraction),
        where);
  }
  if (r.block_tokens < 1 || r.max_sequence_tokens < 1 || r.kv_bytes_per_token == 0) {
    return fail(ErrorCode::kInvalidArgument, "KV blocks and sequences must hold at least one token",
                where);
  }
  CudaMemoryPlan plan;
  plan.budget_bytes = static_cast<std::uint64_t>(
      std::floor(static_cast<double>(r.free_bytes) * r.gpu_memory_fraction));
  plan.weight_bytes = r.weight_bytes;
  plan.scratch_bytes = r.scratch_bytes;
  plan.graph_bytes = r.graph_bytes;
  plan.reserve_bytes = r.reserve_bytes;
  plan.block_tokens = r.block_tokens;
  plan.block_bytes = r.kv_bytes_per_token * u(r.block_tokens);

  const std::uint64_t fixed = r.weight_bytes + r.scratch_bytes + r.graph_bytes + r.reserve_bytes;
  const std::string budget =
      fmt::format("{} free of {} × --gpu-memory-fraction {} = {} budget", gib(r.free_bytes),
                  gib(r.total_bytes), r.gpu_memory_fraction, gib(plan.budget_bytes));
  if (fixed > plan.budget_bytes) {
    return fail(
        ErrorCode::kInvalidArgument,
        fmt::format("the model does not fit: weights {} + step buffers {} + CUDA graphs "
                    "{} + reserve {} = {} needed, {}; use a GPU with more free memory, "
                    "raise --gpu-memory-fraction, or lower --max-batch / --max-batch-tokens",
                    gib(r.weight_bytes), gib(r.scratch_bytes), gib(r.graph_bytes),
                    gib(r.reserve_bytes), gib(fixed), budget),
        where);
  }
  const std::uint64_t left = plan.budget_bytes - fixed;
  plan.num_blocks = static_cast<std::int64_t>(left / plan.block_bytes);
  const std::int64_t needed_blocks = kv_blocks_for(r.max_sequence_tokens, r.block_tokens);
  if (r.max_blocks > 0) {
    if (r.max_blocks < needed_blocks) {
      return fail(ErrorCode::kInvalidArgument,
                  fmt::format("a KV pool capped at {} blocks of {} tokens cannot hold one "
                              "{}-token sequence ({} blocks)",
                              r.max_blocks, r.block_tokens, r.max_sequence_tokens, needed_blocks),
                  where);
    }
    plan.num_blocks = std::min(plan.num_blocks, r.max_blocks);
  }
  if (plan.num_blocks < needed_blocks) {
    const std::uint64_t needed = u(needed_blocks) * plan.block_bytes;
    return fail(ErrorCode::kInvalidArgument,
                fmt::format("not even one {}-token sequence fits in the KV cache: it needs {}, "
                            "the weights and step buffers leave {} of the {}; lower "
                            "--max-seq-len, raise --gpu-memory-fraction, or use a larger GPU",
                            r.max_sequence_tokens, gib(needed), gib(left), budget),
                where);
  }
  return plan;
}

}  // namespace mlbench::model
