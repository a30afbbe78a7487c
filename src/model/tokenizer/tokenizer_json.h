#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mlbench/core/result.h"

#include "model/tokenizer/added_tokens.h"
#include "model/tokenizer/bpe.h"

namespace mlbench::model::tokenizer {

// One element of TemplateProcessing's "single" template: the input sequence, or fixed ids.
struct TemplatePiece {
  bool is_sequence = false;
  std::vector<TokenId> ids;  // when !is_sequence
};

// Everything mlbench uses from a Hugging Face tokenizer.json, checked and in our own terms.
struct TokenizerSpec {
  BpeSpec bpe;                                     // vocab and merges as raw bytes
  std::vector<std::optional<std::string>> tokens;  // id -> token as written in the file
  std::vector<AddedToken> added_tokens;
  std::string split_pattern;                   // the Split (Isolated) regex
  std::vector<TemplatePiece> single_template;  // empty: encode adds nothing
};

// Parses tokenizer.json text. Only what byte-level BPE tokenizers of the Llama 3 / GPT-2 kind
// use is accepted; anything else (another model type, a normaliser, another pre-tokenizer,
// post-processor or decoder, truncation or padding, dropout, …) is refused with an error that
// names it, because ignoring it would silently produce other ids than Hugging Face.
Result<TokenizerSpec> parse_tokenizer_json(std::string_view text);

}  // namespace mlbench::model::tokenizer
