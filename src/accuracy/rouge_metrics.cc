#include "accuracy/rouge_metrics.h"

#include <algorithm>
#include <cassert>

namespace mlbench::accuracy {
namespace {

// Python's int / int: both are exact in a double here, and the division rounds once.
double ratio(std::size_t numerator, std::size_t denominator) {
  return static_cast<double>(numerator) / static_cast<double>(denominator);
}

RougeScore score_of(double precision, double recall) {
  return RougeScore{precision, recall, rouge_fmeasure(precision, recall)};
}

template <typename T>
void ensure_indexable(std::vector<T>& by_token, std::span<const TokenId> tokens, T fill) {
  if (tokens.empty()) return;
  const TokenId largest = *std::max_element(tokens.begin(), tokens.end());
  if (by_token.size() <= largest) by_token.resize(std::size_t{largest} + 1, fill);
}

void collect_bigrams(std::span<const TokenId> tokens, std::vector<std::uint64_t>& bigrams) {
  bigrams.clear();
  for (std::size_t i = 0; i + 1 < tokens.size(); ++i) {
    bigrams.push_back((std::uint64_t{tokens[i]} << 32) | tokens[i + 1]);
  }
  std::sort(bigrams.begin(), bigrams.end());
}

// Σ over distinct bigrams of min(count in a, count in b): on sorted lists, each equal pair the
// merge meets is one shared occurrence.
std::size_t count_shared(std::span<const std::uint64_t> a, std::span<const std::uint64_t> b) {
  std::size_t shared = 0;
  std::size_t i = 0;
  std::size_t j = 0;
  while (i < a.size() && j < b.size()) {
    if (a[i] < b[j]) {
      ++i;
    } else if (b[j] < a[i]) {
      ++j;
    } else {
      ++shared;
      ++i;
      ++j;
    }
  }
  return shared;
}

// Σ over distinct tokens of min(count in target, count in prediction).
std::size_t count_shared_tokens(std::span<const TokenId> target,
                                std::span<const TokenId> prediction,
                                std::vector<std::int32_t>& counts) {
  ensure_indexable(counts, prediction, 0);
  for (const TokenId token : prediction)
    ++counts[token];
  std::size_t shared = 0;
  for (const TokenId token : target) {
    if (token < counts.size() && counts[token] > 0) {
      ++shared;
      --counts[token];
    }
  }
  for (const TokenId token : prediction)
    counts[token] = 0;
  return shared;
}

// Numbers the prediction's distinct tokens 0..k-1 (their slots, see lcs.h) and writes the slots
// of both texts' tokens; target tokens absent from the prediction get kNoSlot. Returns k.
std::size_t assign_slots(std::span<const TokenId> target, std::span<const TokenId> prediction,
                         MetricScratch& scratch) {
  auto& slot_of = scratch.slot_of;
  ensure_indexable(slot_of, prediction, kNoSlot);
  std::uint32_t slot_count = 0;
  scratch.prediction_slots.clear();
  for (const TokenId token : prediction) {
    if (slot_of[token] == kNoSlot) slot_of[token] = slot_count++;
    scratch.prediction_slots.push_back(slot_of[token]);
  }
  scratch.target_slots.clear();
  for (const TokenId token : target) {
    scratch.target_slots.push_back(token < slot_of.size() ? slot_of[token] : kNoSlot);
  }
  for (const TokenId token : prediction)
    slot_of[token] = kNoSlot;
  return slot_count;
}

std::size_t sentence_begin(const TokenizedText& text, std::size_t index) {
  return index == 0 ? 0 : text.sentence_ends[index - 1];
}

template <typename T>
std::span<const T> sentence_part(const TokenizedText& text, std::span<const T> per_token,
                                 std::size_t index) {
  const std::size_t begin = sentence_begin(text, index);
  return per_token.subspan(begin, text.sentence_ends[index] - begin);
}

}  // namespace

double rouge_fmeasure(double precision, double recall) {
  if (precision + recall > 0) return 2 * precision * recall / (precision + recall);
  return 0.0;
}

RougeScore rouge_n(std::span<const TokenId> target, std::span<const TokenId> prediction, int n,
                   MetricScratch& scratch) {
  assert(n == 1 || n == 2);
  std::size_t shared = 0;
  std::size_t target_ngrams = 0;
  std::size_t prediction_ngrams = 0;
  if (n == 1) {
    shared = count_shared_tokens(target, prediction, scratch.prediction_counts);
    target_ngrams = target.size();
    prediction_ngrams = prediction.size();
  } else {
    collect_bigrams(target, scratch.target_bigrams);
    collect_bigrams(prediction, scratch.prediction_bigrams);
    shared = count_shared(scratch.target_bigrams, scratch.prediction_bigrams);
    target_ngrams = scratch.target_bigrams.size();
    prediction_ngrams = scratch.prediction_bigrams.size();
  }
  return score_of(ratio(shared, std::max<std::size_t>(prediction_ngrams, 1)),
                  ratio(shared, std::max<std::size_t>(target_ngrams, 1)));
}

RougeScore rouge_l(std::span<const TokenId> target, std::span<const TokenId> prediction,
                   MetricScratch& scratch) {
  if (target.empty() || prediction.empty()) return {};
  const std::size_t slot_count = assign_slots(target, prediction, scratch);
  build_position_masks(scratch.prediction_slots, slot_count, scratch.prediction_masks);
  const std::size_t lcs =
      lcs_length(scratch.target_slots, scratch.prediction_masks, scratch.lcs_rows);
  return score_of(ratio(lcs, prediction.size()), ratio(lcs, target.size()));
}

RougeScore rouge_lsum(const TokenizedText& target, const TokenizedText& prediction,
                      MetricScratch& scratch) {
  if (target.tokens.empty() || prediction.tokens.empty()) return {};
  const std::size_t slot_count = assign_slots(target.tokens, prediction.tokens, scratch);
  const std::span<const std::uint32_t> target_slots = scratch.target_slots;
  const std::span<const std::uint32_t> prediction_slots = scratch.prediction_slots;
  const std::size_t prediction_sentences = prediction.sentence_ends.size();
  if (scratch.sentence_masks.size() < prediction_sentences) {
    scratch.sentence_masks.resize(prediction_sentences);
  }
  for (std::size_t p = 0; p < prediction_sentences; ++p) {
    build_position_masks(sentence_part(prediction, prediction_slots, p), slot_count,
                         scratch.sentence_masks[p]);
  }

  auto& target_counts = scratch.target_counts;
  auto& prediction_counts = scratch.prediction_counts;
  ensure_indexable(target_counts, target.tokens, 0);
  ensure_indexable(prediction_counts, prediction.tokens, 0);
  for (const TokenId token : target.tokens)
    ++target_counts[token];
  for (const TokenId token : prediction.tokens)
    ++prediction_counts[token];

  const std::span<const TokenId> target_tokens = target.tokens;
  std::size_t hits = 0;
  for (std::size_t t = 0; t < target.sentence_ends.size(); ++t) {
    const auto sentence_slots = sentence_part(target, target_slots, t);
    const auto sentence_tokens = sentence_part(target, target_tokens, t);
    scratch.in_lcs.assign(sentence_tokens.size(), 0);
    for (std::size_t p = 0; p < prediction_sentences; ++p) {
      mark_lcs_indices(sentence_slots, scratch.sentence_masks[p], scratch.lcs_rows, scratch.in_lcs);
    }
    // In index order, as rouge_score sorts the union; a token scores only while both texts
    // still have an unmatched occurrence of it.
    for (std::size_t i = 0; i < sentence_tokens.size(); ++i) {
      if (!scratch.in_lcs[i]) continue;
      const TokenId token = sentence_tokens[i];
      if (prediction_counts[token] > 0 && target_counts[token] > 0) {
        ++hits;
        --prediction_counts[token];
        --target_counts[token];
      }
    }
  }

  for (const TokenId token : target.tokens)
    target_counts[token] = 0;
  for (const TokenId token : prediction.tokens)
    prediction_counts[token] = 0;
  return score_of(ratio(hits, prediction.tokens.size()), ratio(hits, target.tokens.size()));
}

}  // namespace mlbench::accuracy
