#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "mlbench/accuracy/rouge.h"

#include "accuracy/lcs.h"

namespace mlbench::accuracy {

// A text as token ids, with its sentences (the non-empty lines with at least one token) as
// half-open ranges [previous end, end) of `tokens`.
struct TokenizedText {
  std::vector<TokenId> tokens;
  std::vector<std::size_t> sentence_ends;
};

// Buffers the metrics reuse between pairs, so that scoring a pair does not allocate. The
// vectors indexed by TokenId grow with the vocabulary and are left all zero (all kNoSlot) between
// calls, so that a pair only touches the entries of its own tokens.
struct MetricScratch {
  std::vector<std::uint64_t> target_bigrams;
  std::vector<std::uint64_t> prediction_bigrams;
  std::vector<std::int32_t> target_counts;
  std::vector<std::int32_t> prediction_counts;
  std::vector<std::uint32_t> slot_of;
  std::vector<std::uint32_t> target_slots;
  std::vector<std::uint32_t> prediction_slots;
  PositionMasks prediction_masks;
  std::vector<PositionMasks> sentence_masks;
  std::vector<std::uint64_t> lcs_rows;
  std::vector<char> in_lcs;
};

// rouge_score's F-measure: 2pr/(p+r) in Python's order of operations, 0 when p + r is 0.
double rouge_fmeasure(double precision, double recall);

// ROUGE-N for n = 1 or 2 (bigrams are packed into 64 bits, which is what limits n).
RougeScore rouge_n(std::span<const TokenId> target, std::span<const TokenId> prediction, int n,
                   MetricScratch& scratch);

// ROUGE-L: LCS over the whole token lists.
RougeScore rouge_l(std::span<const TokenId> target, std::span<const TokenId> prediction,
                   MetricScratch& scratch);

// ROUGE-Lsum: summary-level union LCS over sentences, hits limited by the tokens' counts.
RougeScore rouge_lsum(const TokenizedText& target, const TokenizedText& prediction,
                      MetricScratch& scratch);

}  // namespace mlbench::accuracy
