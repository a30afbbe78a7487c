#include "model/tokenizer/bpe_trainer.h"

#include <algorithm>
#include <cstdint>
#include <tuple>
#include <unordered_map>

#include "model/tokenizer/byte_level.h"

namespace mlbench::model::tokenizer {
namespace {

using Id = std::uint32_t;
using PairKey = std::uint64_t;

PairKey key_of(Id left, Id right) {
  return (static_cast<PairKey>(left) << 32) | right;
}
Id left_of(PairKey key) {
  return static_cast<Id>(key >> 32);
}
Id right_of(PairKey key) {
  return static_cast<Id>(key & 0xFFFFFFFFu);
}

struct Word {
  std::vector<Id> symbols;
  std::int64_t count = 0;
  std::size_t last_merge = 0;  // the merge step that last rewrote it (dedupes the occurrence lists)
};

struct PairStats {
  std::int64_t count = 0;
  std::vector<std::size_t> words;  // words that held the pair at some point (may be stale)
};

class Trainer {
 public:
  explicit Trainer(const std::vector<std::pair<std::string, std::size_t>>& pieces) {
    // Ids 0–255 in the order of the byte-level alphabet's code points, as GPT-2 and Llama 3
    // number them: "!" is 0.
    std::vector<std::uint8_t> bytes(256);
    for (unsigned b = 0; b < 256; ++b)
      bytes[b] = static_cast<std::uint8_t>(b);
    std::sort(bytes.begin(), bytes.end(), [](std::uint8_t a, std::uint8_t b) {
      return byte_to_code_point(a) < byte_to_code_point(b);
    });
    for (const std::uint8_t b : bytes) {
      byte_ids_[b] = static_cast<Id>(result_.tokens.size());
      add_token(std::string(1, static_cast<char>(b)));
    }
    for (const auto& [piece, count] : pieces) {
      if (piece.empty() || count == 0) continue;
      Word word;
      word.count = static_cast<std::int64_t>(count);
      for (const char c : piece)
        word.symbols.push_back(byte_ids_[static_cast<std::uint8_t>(c)]);
      words_.push_back(std::move(word));
    }
    for (std::size_t w = 0; w < words_.size(); ++w)
      count_pairs(w, +1);
  }

  TrainedBpe run(std::size_t vocab_size) && {
    std::size_t step = 0;
    while (result_.tokens.size() < vocab_size) {
      const auto best = best_pair();
      if (!best) break;
      ++step;
      merge(*best, step);
    }
    return std::move(result_);
  }

 private:
  void add_token(std::string bytes) {
    ids_.emplace(bytes, static_cast<Id>(result_.tokens.size()));
    result_.tokens.push_back(std::move(bytes));
  }

  void count_pairs(std::size_t w, int sign) {
    const Word& word = words_[w];
    for (std::size_t i = 0; i + 1 < word.symbols.size(); ++i) {
      PairStats& stats = pairs_[key_of(word.symbols[i], word.symbols[i + 1])];
      stats.count += sign * word.count;
      if (sign > 0) stats.words.push_back(w);
    }
  }

  // The most frequent pair; among equals the one whose (left, right) bytes sort first.
  std::optional<PairKey> best_pair() const {
    std::optional<PairKey> best;
    std::int64_t best_count = 0;
    for (const auto& [key, stats] : pairs_) {
      if (stats.count <= 0) continue;
      if (!best || stats.count > best_count ||
          (stats.count == best_count &&
           std::tie(token(left_of(key)), token(right_of(key))) <
               std::tie(token(left_of(*best)), token(right_of(*best))))) {
        best = key;
        best_count = stats.count;
      }
    }
    return best;
  }

  const std::string& token(Id id) const { return result_.tokens[id]; }

  void merge(PairKey key, std::size_t step) {
    const Id left = left_of(key);
    const Id right = right_of(key);
    std::string merged = token(left) + token(right);
    result_.merges.emplace_back(token(left), token(right));
    const auto existing = ids_.find(merged);
    const Id id =
        existing != ids_.end() ? existing->second : static_cast<Id>(result_.tokens.size());
    if (existing == ids_.end()) add_token(std::move(merged));

    // Move the list out: rewriting words appends to other pairs' lists, which may rehash.
    std::vector<std::size_t> candidates = std::move(pairs_[key].words);
    pairs_.erase(key);
    for (const std::size_t w : candidates) {
      Word& word = words_[w];
      if (word.last_merge == step) continue;
      word.last_merge = step;
      if (!holds(word, left, right)) continue;
      count_pairs(w, -1);
      std::vector<Id> rewritten;
      rewritten.reserve(word.symbols.size());
      for (std::size_t i = 0; i < word.symbols.size(); ++i) {
        if (i + 1 < word.symbols.size() && word.symbols[i] == left &&
            word.symbols[i + 1] == right) {
          rewritten.push_back(id);
          ++i;
        } else {
          rewritten.push_back(word.symbols[i]);
        }
      }
      word.symbols = std::move(rewritten);
      count_pairs(w, +1);
    }
    std::erase_if(pairs_, [](const auto& entry) { return entry.second.count <= 0; });
  }

  static bool holds(const Word& word, Id left, Id right) {
    for (std::size_t i = 0; i + 1 < word.symbols.size(); ++i) {
      if (word.symbols[i] == left && word.symbols[i + 1] == right) return true;
    }
    return false;
  }

  TrainedBpe result_;
  std::unordered_map<std::string, Id> ids_;
  Id byte_ids_[256] = {};
  std::vector<Word> words_;
  std::unordered_map<PairKey, PairStats> pairs_;
};

}  // namespace

TrainedBpe train_bpe(const std::vector<std::pair<std::string, std::size_t>>& pieces,
                     std::size_t vocab_size) {
  return Trainer(pieces).run(vocab_size);
}

}  // namespace mlbench::model::tokenizer
