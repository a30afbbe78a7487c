#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "mlbench/core/result.h"

namespace mlbench::model::tokenizer {

// What BPE training learns: the merges in rank order and the tokens they make, as raw bytes.
struct TrainedBpe {
  std::vector<std::string> tokens;  // id -> bytes; ids 0–255 are the single bytes
  std::vector<std::pair<std::string, std::string>> merges;
};

// Learns byte-level BPE merges from `pieces` (pre-tokens with their counts) until the
// vocabulary holds `vocab_size` tokens or no pair of adjacent tokens is left to merge. Each step
// merges the most frequent pair; ties go to the pair whose bytes sort first, so the result
// depends on the text alone, never on hash order. A merge may make a token an earlier merge
// already made; it then reuses that token's id, as Hugging Face's trainer does.
TrainedBpe train_bpe(const std::vector<std::pair<std::string, std::size_t>>& pieces,
                     std::size_t vocab_size);

}  // namespace mlbench::model::tokenizer
