#include "accuracy/lcs.h"

#include <algorithm>

namespace mlbench::accuracy {
namespace {

constexpr std::size_t kBitsPerWord = 64;

const std::uint64_t* mask_of(const PositionMasks& masks, std::uint32_t slot) {
  return masks.bits.data() + std::size_t{slot} * masks.words;
}

// One row of the table: V = (V + U) | (V - U) with U = V & M, over multi-word numbers whose
// word 0 holds the lowest bits, so carries and borrows run from word 0 upwards.
void advance_row(const std::uint64_t* match, std::uint64_t* row, std::size_t words) {
  std::uint64_t carry = 0;
  std::uint64_t borrow = 0;
  for (std::size_t w = 0; w < words; ++w) {
    const std::uint64_t v = row[w];
    const std::uint64_t u = v & match[w];
    const std::uint64_t partial_sum = v + u;
    const std::uint64_t sum = partial_sum + carry;
    carry =
        static_cast<std::uint64_t>(partial_sum < v) | static_cast<std::uint64_t>(sum < partial_sum);
    const std::uint64_t partial_difference = v - u;
    const std::uint64_t difference = partial_difference - borrow;
    borrow =
        static_cast<std::uint64_t>(v < u) | static_cast<std::uint64_t>(partial_difference < borrow);
    row[w] = sum | difference;
  }
}

// std::popcount compiles to a libgcc call unless the build targets a CPU with POPCNT, which a
// portable build does not; this SWAR count inlines to a dozen instructions.
std::size_t count_ones(std::uint64_t x) {
  x -= (x >> 1) & 0x5555555555555555ULL;
  x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
  x = (x + (x >> 4)) & 0x0F0F0F0F0F0F0F0FULL;
  return static_cast<std::size_t>((x * 0x0101010101010101ULL) >> 56);
}

// table[i][j] for the row held in `row`: how many of its first j bits are 0.
std::size_t table_value(const std::uint64_t* row, std::size_t j) {
  std::size_t value = 0;
  const std::size_t full_words = j / kBitsPerWord;
  for (std::size_t w = 0; w < full_words; ++w) {
    value += count_ones(~row[w]);
  }
  if (const std::size_t rest = j % kBitsPerWord; rest != 0) {
    value += count_ones(~row[full_words] & ((std::uint64_t{1} << rest) - 1));
  }
  return value;
}

bool has_bit(const std::uint64_t* mask, std::size_t j) {
  return (mask[j / kBitsPerWord] >> (j % kBitsPerWord)) & 1U;
}

}  // namespace

void build_position_masks(std::span<const std::uint32_t> b_slots, std::size_t slot_count,
                          PositionMasks& masks) {
  masks.length = b_slots.size();
  masks.words = (b_slots.size() + kBitsPerWord - 1) / kBitsPerWord;
  masks.bits.assign(slot_count * masks.words, 0);
  for (std::size_t j = 0; j < b_slots.size(); ++j) {
    masks.bits[std::size_t{b_slots[j]} * masks.words + j / kBitsPerWord] |= std::uint64_t{1}
                                                                            << (j % kBitsPerWord);
  }
}

std::size_t lcs_length(std::span<const std::uint32_t> a_slots, const PositionMasks& b,
                       std::vector<std::uint64_t>& row) {
  row.assign(b.words, ~std::uint64_t{0});
  for (const std::uint32_t slot : a_slots) {
    // A token that is not in b leaves the row as it is.
    if (slot != kNoSlot) advance_row(mask_of(b, slot), row.data(), b.words);
  }
  return table_value(row.data(), b.length);
}

void mark_lcs_indices(std::span<const std::uint32_t> a_slots, const PositionMasks& b,
                      std::vector<std::uint64_t>& rows, std::vector<char>& in_lcs) {
  if (b.length == 0) return;
  const std::size_t words = b.words;
  rows.resize((a_slots.size() + 1) * words);
  std::fill_n(rows.begin(), words, ~std::uint64_t{0});
  for (std::size_t i = 1; i <= a_slots.size(); ++i) {
    std::uint64_t* row = rows.data() + i * words;
    std::copy_n(row - words, words, row);
    if (a_slots[i - 1] != kNoSlot) advance_row(mask_of(b, a_slots[i - 1]), row, words);
  }
  const auto row = [&](std::size_t i) { return rows.data() + i * words; };

  // Walk back keeping `value` = table[i][j], so each step needs at most one bit count: the left
  // cell is table[i][j] minus bit j-1 of row i being 0, and only the upper cell needs counting.
  std::size_t i = a_slots.size();
  std::size_t j = b.length;
  std::size_t value = table_value(row(i), j);
  while (i > 0 && j > 0 && value > 0) {  // at value 0 no match is left to find
    const std::uint32_t slot = a_slots[i - 1];
    if (slot != kNoSlot && has_bit(mask_of(b, slot), j - 1)) {
      in_lcs[i - 1] = 1;
      --i;
      --j;
      --value;
      continue;
    }
    const std::size_t left = value - (has_bit(row(i), j - 1) ? 0 : 1);
    const std::size_t up = table_value(row(i - 1), j);
    if (left > up) {
      --j;
      value = left;
    } else {
      --i;
      value = up;
    }
  }
}

}  // namespace mlbench::accuracy
