#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "mlbench/core/result.h"

#include "model/tokenizer/token_table.h"

namespace mlbench::model::tokenizer {

// Heterogeneous lookup, so a string_view finds a std::string key without a copy.
struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view text) const {
    return std::hash<std::string_view>{}(text);
  }
};
using TokenMap = std::unordered_map<std::string, TokenId, StringHash, std::equal_to<>>;

// What a BPE model is built from, with every token already turned from the byte-level alphabet
// into the raw bytes it stands for: BPE then works on the text's own bytes and never maps them.
struct BpeSpec {
  TokenMap vocab;                                           // bytes -> id
  std::vector<std::pair<std::string, std::string>> merges;  // in rank order
  bool ignore_merges = false;
  TokenId unk_id = -1;  // -1: none
  bool fuse_unk = false;
};

// Working memory for BpeModel::encode, kept by the caller across pieces so that merging a
// piece allocates nothing once the buffers have grown.
struct BpeScratch {
  struct Symbol {
    TokenId id;  // -1 once merged into its left neighbour
    int prev;
    int next;  // -1 at either end
  };
  struct Candidate {
    std::uint32_t rank;
    int left;  // index of the left symbol; smaller means further left
    TokenId left_id;
    TokenId right_id;
    TokenId result;
  };
  std::vector<Symbol> symbols;
  std::vector<Candidate> heap;
};

// Byte-level BPE. Merges are applied lowest rank first (leftmost among equal ranks), which is
// the order Hugging Face's model uses; a min-heap over a linked list of symbols does it in
// O(n log n) per piece, so one long piece (a run of 10,000 letters) stays cheap.
class BpeModel {
 public:
  // Fails when a merge names a token, or makes one, that the vocabulary lacks.
  static Result<BpeModel> build(BpeSpec spec);

  // Appends the ids of one pre-token (raw bytes) to `out`.
  void encode(std::string_view piece, BpeScratch& scratch, std::vector<TokenId>& out) const;

 private:
  struct MergeTable;
  struct Rule {
    std::uint32_t rank;
    TokenId result;
  };
  const Rule* find_rule(TokenId left, TokenId right) const;
  void merge(std::string_view piece, BpeScratch& scratch, std::vector<TokenId>& out) const;

  TokenTable vocab_;
  // Open addressing keyed by the id pair: the merge loop's hot lookup.
  std::vector<std::uint64_t> rule_keys_;
  std::vector<Rule> rule_values_;
  std::uint64_t rule_mask_ = 0;
  std::array<TokenId, 256> byte_ids_{};  // the id of each single byte, -1 if none
  bool ignore_merges_ = false;
  TokenId unk_id_ = -1;
  bool fuse_unk_ = false;
};

}  // namespace mlbench::model::tokenizer
