#include "accuracy/lcs.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <vector>

namespace mlbench::accuracy {
namespace {

// rouge_score's LCS as written there: the full table, then the backtracking walk. The bit-parallel
// version must agree with it exactly.
std::vector<char> reference_lcs_marks(const std::vector<TokenId>& a, const std::vector<TokenId>& b,
                                      std::size_t& length) {
  std::vector<std::vector<std::size_t>> table(a.size() + 1,
                                              std::vector<std::size_t>(b.size() + 1, 0));
  for (std::size_t i = 1; i <= a.size(); ++i) {
    for (std::size_t j = 1; j <= b.size(); ++j) {
      table[i][j] = a[i - 1] == b[j - 1] ? table[i - 1][j - 1] + 1
                                         : std::max(table[i - 1][j], table[i][j - 1]);
    }
  }
  length = table[a.size()][b.size()];
  std::vector<char> marks(a.size(), 0);
  std::size_t i = a.size();
  std::size_t j = b.size();
  while (i > 0 && j > 0) {
    if (a[i - 1] == b[j - 1]) {
      marks[i - 1] = 1;
      --i;
      --j;
    } else if (table[i][j - 1] > table[i - 1][j]) {
      --j;
    } else {
      --i;
    }
  }
  return marks;
}

struct Prepared {
  std::vector<std::uint32_t> a_slots;
  PositionMasks b_masks;
};

Prepared prepare(const std::vector<TokenId>& a, const std::vector<TokenId>& b) {
  std::map<TokenId, std::uint32_t> slot_of;
  std::vector<std::uint32_t> b_slots;
  for (const TokenId token : b) {
    const auto [it, inserted] =
        slot_of.try_emplace(token, static_cast<std::uint32_t>(slot_of.size()));
    b_slots.push_back(it->second);
  }
  Prepared prepared;
  for (const TokenId token : a) {
    const auto it = slot_of.find(token);
    prepared.a_slots.push_back(it == slot_of.end() ? kNoSlot : it->second);
  }
  build_position_masks(b_slots, slot_of.size(), prepared.b_masks);
  return prepared;
}

std::size_t length_of(const std::vector<TokenId>& a, const std::vector<TokenId>& b) {
  const Prepared prepared = prepare(a, b);
  std::vector<std::uint64_t> row;
  return lcs_length(prepared.a_slots, prepared.b_masks, row);
}

std::vector<char> marks_of(const std::vector<TokenId>& a, const std::vector<TokenId>& b) {
  const Prepared prepared = prepare(a, b);
  std::vector<std::uint64_t> rows;
  std::vector<char> marks(a.size(), 0);
  mark_lcs_indices(prepared.a_slots, prepared.b_masks, rows, marks);
  return marks;
}

TEST(Lcs, Length) {
  const std::vector<TokenId> a = {1, 2, 3, 4, 5};
  const std::vector<TokenId> b = {2, 9, 4, 5, 1};
  EXPECT_EQ(length_of(a, b), 3u);
  EXPECT_EQ(length_of(a, {}), 0u);
  EXPECT_EQ(length_of({}, b), 0u);
  EXPECT_EQ(length_of(a, a), 5u);
}

TEST(Lcs, BacktrackingPrefersUpOnTies) {
  // Both [1] and [2] are longest; rouge_score's walk steps up on a tie and so keeps a[0].
  EXPECT_EQ(marks_of({1, 2}, {2, 1}), (std::vector<char>{1, 0}));
}

TEST(Lcs, MarksAccumulateAcrossCalls) {
  const std::vector<TokenId> a = {1, 2, 3};
  const Prepared first = prepare(a, {1});
  const Prepared second = prepare(a, {3, 7});
  std::vector<std::uint64_t> rows;
  std::vector<char> marks(3, 0);
  mark_lcs_indices(first.a_slots, first.b_masks, rows, marks);
  mark_lcs_indices(second.a_slots, second.b_masks, rows, marks);
  EXPECT_EQ(marks, (std::vector<char>{1, 0, 1}));
}

TEST(Lcs, BitParallelAgreesWithTheTableOnRandomSequences) {
  // Small alphabets give many ties; lengths cross the 64-token word boundary.
  std::mt19937 random(7);
  for (int round = 0; round < 3000; ++round) {
    const std::size_t alphabet = 2 + random() % 12;
    std::vector<TokenId> a(random() % 150);
    std::vector<TokenId> b(random() % 150);
    for (auto& token : a)
      token = random() % alphabet;
    for (auto& token : b)
      token = random() % alphabet;
    std::size_t expected_length = 0;
    const std::vector<char> expected_marks = reference_lcs_marks(a, b, expected_length);
    ASSERT_EQ(length_of(a, b), expected_length) << "round " << round;
    ASSERT_EQ(marks_of(a, b), expected_marks) << "round " << round;
  }
}

}  // namespace
}  // namespace mlbench::accuracy
