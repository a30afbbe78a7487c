#include "mlbench/model/cuda_memory_plan.h"

#include <gtest/gtest.h>

#include "mlbench/model/make_model.h"
#include "mlbench/model/weights.h"

#include "model/cuda/attention_split.h"

namespace mlbench::model {
namespace {

constexpr std::uint64_t kGiB = 1ull << 30;

LlamaConfig llama_8b() {
  auto config = preset_config("llama-3.1-8b");
  EXPECT_TRUE(config.ok());
  return *config;
}

CudaMemoryRequest request_8b(std::uint64_t free_bytes, std::int64_t max_sequence_tokens) {
  const LlamaConfig c = llama_8b();
  return {.free_bytes = free_bytes,
          .total_bytes = 141 * kGiB,
          .gpu_memory_fraction = 0.9,
          .weight_bytes = cuda_weight_bytes(c),
          .scratch_bytes = cuda_scratch_layout(c, 1024, 16, max_sequence_tokens, 16, 2).bytes(),
          .kv_bytes_per_token = kv_bytes_per_token(c, 4),
          .block_tokens = 16,
          .max_sequence_tokens = max_sequence_tokens};
}

// The planner's weight count against the tensor list the checkpoint loader checks: matrices in
// bf16, the 1-D norm weights widened to fp32.
TEST(CudaMemoryPlan, WeightBytesMatchTheCheckpointTensors) {
  for (const char* preset : {"tiny", "small", "llama-3.1-8b"}) {
    const LlamaConfig c = *preset_config(preset);
    std::uint64_t expected = 0;
    for (const TensorSpec& spec : expected_tensors(c, DType::kBF16)) {
      std::uint64_t numel = 1;
      for (std::int64_t d : spec.shape)
        numel *= static_cast<std::uint64_t>(d);
      expected += numel * (spec.shape.size() == 1 ? 4 : 2);
    }
    EXPECT_EQ(cuda_weight_bytes(c), expected) << preset;
  }
}

TEST(CudaMemoryPlan, KvBytesPerTokenOfLlama8b) {
  // 32 layers × (keys + values) × 8 kv heads × 128 dims × 4 bytes.
  EXPECT_EQ(kv_bytes_per_token(llama_8b(), 4), 32u * 2 * 8 * 128 * 4);
  EXPECT_EQ(kv_bytes_per_token(llama_8b(), 2), 32u * 2 * 8 * 128 * 2);
}

TEST(CudaMemoryPlan, PoolTakesWhatTheBudgetLeaves) {
  const CudaMemoryRequest r = request_8b(140 * kGiB, 131072);
  auto plan = plan_cuda_memory(r);
  ASSERT_TRUE(plan.ok()) << plan.error().describe();
  const auto budget = static_cast<std::uint64_t>(140.0 * 0.9 * static_cast<double>(kGiB));
  EXPECT_EQ(plan->budget_bytes, budget);
  EXPECT_EQ(plan->block_bytes, 16u * 262144);
  const std::uint64_t left = budget - r.weight_bytes - r.scratch_bytes - r.reserve_bytes;
  EXPECT_EQ(plan->num_blocks, static_cast<std::int64_t>(left / plan->block_bytes));
  EXPECT_LE(plan->weight_bytes + plan->scratch_bytes + plan->reserve_bytes + plan->kv_pool_bytes(),
            plan->budget_bytes);
  EXPECT_GE(plan->cached_tokens(), 131072);
}

TEST(CudaMemoryPlan, RefusesWhenTheWeightsDoNotFit) {
  auto plan = plan_cuda_memory(request_8b(16 * kGiB, 8192));  // 14.4 GiB budget < ~15 GiB
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(plan.error().message.find("does not fit"), std::string::npos) << plan.error().message;
  EXPECT_NE(plan.error().message.find("--gpu-memory-fraction"), std::string::npos);
  EXPECT_NE(plan.error().message.find("16.00 GiB free"), std::string::npos) << plan.error().message;
  EXPECT_EQ(plan.error().where, "GPU 0");
}

TEST(CudaMemoryPlan, RefusesWhenNotOneLongestSequenceFits) {
  // 131072 tokens of fp32 keys and values are 32 GiB: 40 GiB free leaves about 20 after weights.
  auto plan = plan_cuda_memory(request_8b(40 * kGiB, 131072));
  ASSERT_FALSE(plan.ok());
  EXPECT_NE(plan.error().message.find("not even one 131072-token sequence"), std::string::npos)
      << plan.error().message;
  EXPECT_NE(plan.error().message.find("32.00 GiB"), std::string::npos) << plan.error().message;
  EXPECT_NE(plan.error().message.find("--max-seq-len"), std::string::npos);
  // A shorter longest sequence fits in the same memory.
  EXPECT_TRUE(plan_cuda_memory(request_8b(40 * kGiB, 8192)).ok());
}

TEST(CudaMemoryPlan, CapsThePoolAndRefusesACapBelowOneSequence) {
  CudaMemoryRequest r = request_8b(140 * kGiB, 1024);
  r.max_blocks = 100;
  auto plan = plan_cuda_memory(r);
  ASSERT_TRUE(plan.ok()) << plan.error().describe();
  EXPECT_EQ(plan->num_blocks, 100);
  r.max_blocks = 63;  // 1024 tokens need 64 blocks of 16
  EXPECT_FALSE(plan_cuda_memory(r).ok());
}

TEST(CudaMemoryPlan, RefusesAFractionOutsideZeroToOne) {
  for (double fraction : {0.0, -0.5, 1.5}) {
    CudaMemoryRequest r = request_8b(140 * kGiB, 1024);
    r.gpu_memory_fraction = fraction;
    auto plan = plan_cuda_memory(r);
    ASSERT_FALSE(plan.ok()) << fraction;
    EXPECT_NE(plan.error().message.find("--gpu-memory-fraction"), std::string::npos);
  }
}

TEST(CudaMemoryPlan, ScratchCoversTheLmHeadAndTheBlockTables) {
  const LlamaConfig c = llama_8b();
  const CudaScratchLayout s = cuda_scratch_layout(c, 8, 4, 1000, 16, 2);
  EXPECT_EQ(s.max_blocks_per_sequence, 63);  // ceil(1000 / 16)
  // Eight rows of the widest projection are fewer floats than four rows of logits.
  EXPECT_EQ(s.gemm_out_floats, 2u * 4 * 128256);
  EXPECT_EQ(s.gemm_in_bf16, 2u * 8 * 14336);
  EXPECT_EQ(s.meta_ints, 3u * 8 + 4 * (3 + 63));
  // With one part cuBLAS writes the logits itself: the fused gate and up projection is widest.
  const CudaScratchLayout one_part = cuda_scratch_layout(c, 8, 4, 1000, 16, 1);
  EXPECT_EQ(one_part.gemm_out_floats, 8u * 2 * 14336);
  EXPECT_LT(one_part.bytes(), s.bytes());
}

// Every step the backend accepts (rows ≤ max_step_tokens, 1 ≤ steps ≤ min(rows, max_batch))
// lays its metadata out in order without overlap and within the buffer the layout sized.
TEST(CudaMemoryPlan, StepMetadataFitsTheBufferForEveryAcceptedStep) {
  const LlamaConfig c = *preset_config("tiny");
  const CudaScratchLayout s = cuda_scratch_layout(c, 40, 6, 100, 16, 2);
  const std::int64_t stride = s.max_blocks_per_sequence;
  ASSERT_EQ(stride, 7);
  for (std::int64_t rows = 1; rows <= s.max_step_tokens; ++rows) {
    for (std::int64_t steps = 1; steps <= std::min(rows, s.max_batch); ++steps) {
      const CudaStepMeta m = cuda_step_meta(rows, steps, stride);
      ASSERT_EQ(m.positions - m.tokens, rows);
      ASSERT_EQ(m.row_steps - m.positions, rows);
      ASSERT_EQ(m.last_rows - m.row_steps, rows);
      ASSERT_EQ(m.tables - m.last_rows, steps);
      ASSERT_EQ(m.next_tokens - m.tables, steps * stride);
      ASSERT_LE(static_cast<std::uint64_t>(m.total_ints()), s.meta_ints)
          << rows << " rows, " << steps << " steps";
    }
  }
}

// A decode step's offsets are a function of its batch alone: what a CUDA graph captured for
// that batch relies on.
TEST(CudaMemoryPlan, DecodeMetadataOffsetsDependOnlyOnTheBatch) {
  const CudaStepMeta four = cuda_step_meta(4, 4, 63);
  EXPECT_EQ(four.positions, 4);
  EXPECT_EQ(four.row_steps, 8);
  EXPECT_EQ(four.last_rows, 12);
  EXPECT_EQ(four.tables, 16);
  EXPECT_EQ(four.next_tokens, 16 + 4 * 63);
  EXPECT_EQ(four.total_ints(), 16 + 4 * 63 + 4);
  const CudaStepMeta again = cuda_step_meta(4, 4, 63);
  EXPECT_EQ(again.next_tokens, four.next_tokens);
  EXPECT_NE(cuda_step_meta(5, 5, 63).next_tokens, four.next_tokens);
}

TEST(CudaMemoryPlan, GraphReserveIsCountedBeforeThePool) {
  CudaMemoryRequest r = request_8b(140 * kGiB, 1024);
  auto without = plan_cuda_memory(r);
  ASSERT_TRUE(without.ok());
  r.graph_bytes = cuda_graph_reserve_bytes(llama_8b(), 16);
  EXPECT_EQ(r.graph_bytes, 16u * ((4u << 20) + 32u * (64u << 10)));
  auto with = plan_cuda_memory(r);
  ASSERT_TRUE(with.ok());
  EXPECT_EQ(with->graph_bytes, r.graph_bytes);
  const std::uint64_t left =
      with->budget_bytes - r.weight_bytes - r.scratch_bytes - r.graph_bytes - r.reserve_bytes;
  EXPECT_EQ(with->num_blocks, static_cast<std::int64_t>(left / with->block_bytes));
  EXPECT_LT(with->num_blocks, without->num_blocks);
  EXPECT_LE(with->weight_bytes + with->scratch_bytes + with->graph_bytes + with->reserve_bytes +
                with->kv_pool_bytes(),
            with->budget_bytes);
}

// The grouped attention kernel's split of a row's positions: every position in exactly one
// split, in order, whatever the row's length against the split count.
TEST(CudaAttentionSplit, SplitsCoverEveryPositionOnceInOrder) {
  for (std::int32_t splits = 1; splits <= 32; ++splits) {
    for (std::int32_t visible = 1; visible <= 300; ++visible) {
      std::int32_t next = 0;
      for (std::int32_t split = 0; split < splits; ++split) {
        const cuda::PositionRange range = cuda::split_positions(visible, splits, split);
        ASSERT_EQ(range.begin, next) << visible << " positions, split " << split << "/" << splits;
        ASSERT_LE(range.begin, range.end);
        next = range.end;
      }
      ASSERT_EQ(next, visible) << visible << " positions in " << splits << " splits";
      // The first split is never empty: the merge relies on one split with a finite max.
      ASSERT_LT(cuda::split_positions(visible, splits, 0).begin,
                cuda::split_positions(visible, splits, 0).end);
    }
  }
}

TEST(CudaAttentionSplit, DecodeSplitsUntilTheLaunchFillsTheGpu) {
  // Llama 3.1 8B: 32 query heads, 8 kv heads, one tile of 4 per kv head.
  EXPECT_EQ(cuda::attention_tiles_per_kv_head(32, 8), 1);
  EXPECT_EQ(cuda::attention_splits(1, 32, 8), 32);  // 512 / 8 = 64, capped
  EXPECT_EQ(cuda::attention_splits(16, 32, 8), 4);  // 128 blocks × 4
  EXPECT_EQ(cuda::attention_splits(64, 32, 8), 1);
  EXPECT_EQ(cuda::attention_splits(800, 32, 8), 1);  // prefill
  // Groups of 3 (the small preset) take one tile, of 8 (70B) two.
  EXPECT_EQ(cuda::attention_tiles_per_kv_head(12, 4), 1);
  EXPECT_EQ(cuda::attention_tiles_per_kv_head(64, 8), 2);
  EXPECT_EQ(cuda::attention_partial_floats(16, 32, 8, 128), 16 * 32 * 4 * 130);
  EXPECT_EQ(cuda::attention_partial_floats(64, 32, 8, 128), 0);
}

// The grouped kernel's blocks along y cover every query head once, each with its own GQA kv
// head, the CPU backend's h / (heads / kv_heads).
TEST(CudaAttentionSplit, TilesCoverEveryQueryHeadOnceWithItsKvHead) {
  const std::pair<std::int64_t, std::int64_t> shapes[] = {{8, 2},   {12, 4}, {32, 8}, {64, 8},
                                                          {32, 32}, {40, 8}, {6, 1}};
  for (const auto& [heads, kv_heads] : shapes) {
    const std::int64_t tiles = kv_heads * cuda::attention_tiles_per_kv_head(heads, kv_heads);
    std::vector<int> seen(static_cast<std::size_t>(heads), 0);
    for (std::int64_t y = 0; y < tiles; ++y) {
      const cuda::AttentionTile tile = cuda::attention_tile(y, heads, kv_heads);
      ASSERT_GE(tile.count, 1) << heads << "/" << kv_heads << " tile " << y;
      ASSERT_LE(tile.count, cuda::kAttentionHeadsPerBlock);
      for (std::int64_t h = tile.first_head; h < tile.first_head + tile.count; ++h) {
        ASSERT_LT(h, heads);
        EXPECT_EQ(tile.kv_head, h / (heads / kv_heads))
            << heads << "/" << kv_heads << " head " << h;
        ++seen[static_cast<std::size_t>(h)];
      }
    }
    for (std::int64_t h = 0; h < heads; ++h)
      EXPECT_EQ(seen[static_cast<std::size_t>(h)], 1) << heads << "/" << kv_heads << " head " << h;
  }
}

TEST(CudaAttentionSplit, ScratchHoldsTheWidestSplitLaunch) {
  for (const char* preset : {"tiny", "small", "llama-3.1-8b"}) {
    const LlamaConfig c = *preset_config(preset);
    const CudaScratchLayout s = cuda_scratch_layout(c, 1024, 16, 2048, 16, 2);
    std::int64_t widest = 0;
    for (std::int64_t rows = 1; rows <= 1024; ++rows) {
      const std::int64_t floats = cuda::attention_partial_floats(rows, c.num_attention_heads,
                                                                 c.num_key_value_heads, c.head_dim);
      EXPECT_LE(static_cast<std::uint64_t>(floats), s.attention_partial_floats)
          << preset << ", " << rows << " rows";
      widest = std::max(widest, floats);
    }
    EXPECT_EQ(s.attention_partial_floats, static_cast<std::uint64_t>(widest)) << preset;
  }
}

}  // namespace
}  // namespace mlbench::model
