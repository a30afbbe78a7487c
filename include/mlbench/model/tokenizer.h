#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "mlbench/core/result.h"

namespace mlbench::model {

using TokenId = std::int32_t;

struct EncodeOptions {
  // Apply the post-processor's template (Llama 3: <|begin_of_text|> in front). Added tokens
  // written in the text are matched either way, as Hugging Face does.
  bool add_special_tokens = true;
};

struct DecodeOptions {
  bool skip_special_tokens = false;
  // transformers' clean-up (" ." -> ".", " n't" -> "n't", …). Not part of the tokenizers
  // library's decode; Llama 3.1's tokenizer_config.json turns it on for transformers' decode.
  bool clean_up_tokenization_spaces = false;
};

// A Hugging Face byte-level BPE tokenizer (Llama 3, GPT-2 family) loaded from tokenizer.json.
// encode and decode give what the `tokenizers` library gives for the same file. Immutable once
// loaded, so one instance may serve several threads.
class Tokenizer {
 public:
  // From a tokenizer.json file, or a directory that holds one.
  static Result<Tokenizer> load(const std::filesystem::path& path);
  // From tokenizer.json's text; `where` names it in errors.
  static Result<Tokenizer> from_json(std::string_view json_text, std::string where = {});

  Tokenizer(Tokenizer&&) noexcept;
  Tokenizer& operator=(Tokenizer&&) noexcept;
  ~Tokenizer();

  // Fails on text that is not well-formed UTF-8 (Hugging Face takes only valid strings).
  Result<std::vector<TokenId>> encode(std::string_view text, EncodeOptions options = {}) const;
  // Invalid UTF-8 produced by the ids (a character cut between tokens) becomes U+FFFD, as
  // Python's bytes.decode(errors="replace"). Fails on an id the tokenizer does not have.
  Result<std::string> decode(std::span<const TokenId> ids, DecodeOptions options = {}) const;

  // The token as tokenizer.json writes it (byte-level alphabet for vocabulary entries).
  std::optional<std::string_view> id_to_token(TokenId id) const;
  std::optional<TokenId> token_to_id(std::string_view token) const;
  // One past the largest id, added tokens included (Llama 3: 128256).
  std::size_t vocab_size() const;
  // Whether the regex pre-tokenizer runs JIT-compiled (it falls back to the interpreter).
  bool regex_jit() const;

 private:
  struct Impl;
  explicit Tokenizer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Llama 3's pre-tokenizer regex (its tokenizer.json's Split pattern).
inline constexpr std::string_view kLlama3SplitPattern =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";

// Llama 3's name for its special token at `offset` past the first (0 <|begin_of_text|>,
// 1 <|end_of_text|>, 6 <|start_header_id|>, 9 <|eot_id|>, others <|reserved_special_token_N|>).
std::string llama3_special_token_name(std::size_t offset);

struct BpeTrainingOptions {
  // Ids [0, vocab_size - special_tokens) are regular tokens (the 256 bytes, then merges); the
  // top `special_tokens` ids are Llama 3's special tokens, in its order.
  std::size_t vocab_size = 512;
  std::size_t special_tokens = 16;
};

// Trains a byte-level BPE tokenizer of Llama 3's kind on `texts` and returns its tokenizer.json
// (Hugging Face's format: Llama 3's Split regex and ByteLevel, ignore_merges, TemplateProcessing
// adding <|begin_of_text|>, ByteLevel decoder). When the text runs out of pairs to merge before
// the vocabulary is full, the remaining regular ids get placeholder tokens "<unused_N>" that
// encode never produces (no merge makes them, and no pre-token mixes letters and digits), so
// every id a random-weight model can emit still decodes.
Result<std::string> train_byte_level_bpe(std::span<const std::string> texts,
                                         const BpeTrainingOptions& options = {});

}  // namespace mlbench::model
