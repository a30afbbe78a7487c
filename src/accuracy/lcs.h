#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <vector>

namespace mlbench::accuracy {

using TokenId = std::uint32_t;

// The LCS here is bit-parallel (Allison–Dix, Hyyrö): row i of the LCS table is kept as a bit
// vector V whose bit j is 0 exactly when table[i][j+1] = table[i][j] + 1, and each row costs a
// few word operations instead of a cell per token. Tokens are given as "slots": small indices
// that say which of `b`'s distinct tokens a token is (kNoSlot: it does not occur in `b`).
constexpr std::uint32_t kNoSlot = std::numeric_limits<std::uint32_t>::max();

// For one sequence `b`: per slot, a mask with bit j set where b[j] has that slot.
struct PositionMasks {
  std::size_t length = 0;           // tokens in b
  std::size_t words = 0;            // 64-bit words per mask
  std::vector<std::uint64_t> bits;  // mask of slot s: bits[s * words .. (s + 1) * words)
};

// `b_slots` must all be below `slot_count`.
void build_position_masks(std::span<const std::uint32_t> b_slots, std::size_t slot_count,
                          PositionMasks& masks);

// Length of the longest common subsequence of a and b. `row` is scratch space.
std::size_t lcs_length(std::span<const std::uint32_t> a_slots, const PositionMasks& b,
                       std::vector<std::uint64_t>& row);

// Sets in_lcs[i] for every index i of `a` on the one LCS that rouge_score reads from the full
// table: from the bottom-right corner, take the diagonal on equal tokens, else step left when the
// left cell is strictly greater than the upper one, otherwise up. Which LCS it picks matters,
// because ROUGE-Lsum unions these index sets. `in_lcs` must hold a.size() entries; entries are
// only ever set, so calls for several `b` accumulate the union. `rows` is scratch space.
void mark_lcs_indices(std::span<const std::uint32_t> a_slots, const PositionMasks& b,
                      std::vector<std::uint64_t>& rows, std::vector<char>& in_lcs);

}  // namespace mlbench::accuracy
