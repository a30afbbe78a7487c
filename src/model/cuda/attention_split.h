#pragma once

// How the grouped attention kernel divides its work, shared by the kernel, the planner that
// sizes its scratch and the unit tests: plain C++17 that nvcc and the host compiler both take.
//
// A block handles up to kAttentionHeadsPerBlock query heads of one GQA group (so it reads the
// group's keys and values once, not once per query head) over one split of a row's visible
// positions. A decode step has few rows, so its positions are split across blocks until the
// launch has about kAttentionTargetBlocks blocks; the splits' partial results are then merged
// by a second kernel. The split count depends only on the launch's shape, and each split's
// positions are worked out on the device from the row's position, so a captured graph stays
// right as sequences grow.

#include <cstdint>

#if defined(__CUDACC__)
#define MLBENCH_HOST_DEVICE __host__ __device__
#else
#define MLBENCH_HOST_DEVICE
#endif

namespace mlbench::model::cuda {

constexpr std::int64_t kAttentionHeadsPerBlock = 4;
constexpr std::int64_t kAttentionTargetBlocks = 512;  // about 4 per SM on an H100 or H200
constexpr std::int64_t kAttentionMaxSplits = 32;

// Blocks per kv head: its group of query heads in tiles of kAttentionHeadsPerBlock.
constexpr std::int64_t attention_tiles_per_kv_head(std::int64_t heads, std::int64_t kv_heads) {
  const std::int64_t group = heads / kv_heads;
  return (group + kAttentionHeadsPerBlock - 1) / kAttentionHeadsPerBlock;
}

// Splits of each row's positions for a launch over `rows` rows.
constexpr std::int64_t attention_splits(std::int64_t rows, std::int64_t heads,
                                        std::int64_t kv_heads) {
  const std::int64_t blocks = rows * kv_heads * attention_tiles_per_kv_head(heads, kv_heads);
  if (blocks >= kAttentionTargetBlocks) return 1;
  const std::int64_t splits = (kAttentionTargetBlocks + blocks - 1) / blocks;
  return splits < kAttentionMaxSplits ? splits : kAttentionMaxSplits;
}

// Floats of partial results such a launch writes: per (row, query head, split) head_dim
// unnormalised outputs, the running max and the sum of weights. None when there is one split:
// the kernel then writes the normalised output itself.
constexpr std::int64_t attention_partial_floats(std::int64_t rows, std::int64_t heads,
                                                std::int64_t kv_heads, std::int64_t head_dim) {
  const std::int64_t splits = attention_splits(rows, heads, kv_heads);
  return splits > 1 ? rows * heads * splits * (head_dim + 2) : 0;
}

// The query heads of block row `tile` (blockIdx.y) of a launch: `count` consecutive heads from
// `first_head`, all of kv head `kv_head` (query head h reads kv head h / (heads / kv_heads)).
struct AttentionTile {
  std::int64_t kv_head = 0;
  std::int64_t first_head = 0;
  std::int64_t count = 0;
};

MLBENCH_HOST_DEVICE constexpr AttentionTile attention_tile(std::int64_t tile, std::int64_t heads,
                                                           std::int64_t kv_heads) {
  const std::int64_t group = heads / kv_heads;
  const std::int64_t tiles = (group + kAttentionHeadsPerBlock - 1) / kAttentionHeadsPerBlock;
  const std::int64_t in_group = (tile % tiles) * kAttentionHeadsPerBlock;
  const std::int64_t left = group - in_group;
  return {tile / tiles, (tile / tiles) * group + in_group,
          left < kAttentionHeadsPerBlock ? left : kAttentionHeadsPerBlock};
}

struct PositionRange {
  std::int32_t begin = 0;
  std::int32_t end = 0;  // exclusive
};

// Split `split` of `splits` over positions [0, visible): equal chunks in order, the last ones
// short or empty.
MLBENCH_HOST_DEVICE constexpr PositionRange split_positions(std::int32_t visible,
                                                            std::int32_t splits,
                                                            std::int32_t split) {
  const std::int32_t chunk = (visible + splits - 1) / splits;
  const std::int32_t begin = split * chunk < visible ? split * chunk : visible;
  const std::int32_t end = begin + chunk < visible ? begin + chunk : visible;
  return {begin, end};
}

}  // namespace mlbench::model::cuda
