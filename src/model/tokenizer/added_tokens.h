#pragma once

#include <array>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "model/tokenizer/bpe.h"

namespace mlbench::model::tokenizer {

// An entry of tokenizer.json's "added_tokens": text that is cut out of the input whole, before
// pre-tokenisation, and stands for one id (Llama 3's <|begin_of_text|>, <|eot_id|>, …).
struct AddedToken {
  TokenId id = -1;
  std::string content;
  bool special = false;     // skipped by decode(skip_special_tokens)
  bool lstrip = false;      // the match swallows whitespace on its left
  bool rstrip = false;      // … and on its right
  bool normalized = false;  // matched in normalised text; we refuse normalisers, so same text
};

// A stretch of input: text for the pre-tokenizer and BPE, or one added token.
struct Segment {
  std::string_view text;  // empty for an added token
  TokenId id = -1;        // >= 0: an added token
};

// Finds added tokens in text: at each position the longest token starting there, scanning left
// to right (Hugging Face's leftmost-longest rule), so "<|eot_id|>" never loses to a shorter
// token that is its prefix.
class AddedTokenMatcher {
 public:
  explicit AddedTokenMatcher(std::span<const AddedToken> tokens);

  // Appends `text` cut into segments to `out`. Text segments are never empty.
  void split(std::string_view text, std::vector<Segment>& out) const;

  bool empty() const { return tokens_.empty(); }

 private:
  struct Match {
    std::size_t begin;
    std::size_t end;
    TokenId id;
  };
  bool find(std::string_view text, std::size_t from, Match& match) const;

  std::vector<AddedToken> tokens_;
  TokenMap index_by_content_;         // content -> index into tokens_
  std::vector<std::size_t> lengths_;  // distinct content lengths, longest first
  std::array<bool, 256> can_start_{};
};

// Unicode's White_Space property: what lstrip and rstrip swallow (Rust's char::is_whitespace).
bool is_unicode_whitespace(char32_t code_point);

}  // namespace mlbench::model::tokenizer
