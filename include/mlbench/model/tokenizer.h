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

}  // namespace mlbench::model
