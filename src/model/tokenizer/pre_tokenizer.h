#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "mlbench/core/result.h"

namespace mlbench::model::tokenizer {

// The pattern GPT-2's ByteLevel pre-tokenizer uses when its `use_regex` is true.
inline constexpr std::string_view kGpt2SplitPattern =
    R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";

// A Split pre-tokenizer with behaviour "Isolated": every match of the pattern is a piece, and
// so is every run of text between matches. The pattern needs Unicode properties (\p{L}, \p{N})
// and a lookahead, which std::regex lacks; PCRE2 in UTF + UCP mode has both, and its \s then
// means what Oniguruma's does for Hugging Face (U+0085 included, U+FEFF not).
// Owns the compiled pattern; matching is const and safe from several threads at once.
class RegexSplitter {
 public:
  static Result<RegexSplitter> compile(std::string_view pattern);

  RegexSplitter(RegexSplitter&&) noexcept;
  RegexSplitter& operator=(RegexSplitter&&) noexcept;
  ~RegexSplitter();

  // Appends the pieces of `text` (well-formed UTF-8; the caller checks) to `pieces`, in order;
  // together they cover `text` exactly. Fails only if PCRE2 itself fails (e.g. a resource limit).
  Result<void> split(std::string_view text, std::vector<std::string_view>& pieces) const;

  bool jit() const;

 private:
  struct Compiled;
  explicit RegexSplitter(std::unique_ptr<Compiled> compiled);
  std::unique_ptr<Compiled> compiled_;
};

}  // namespace mlbench::model::tokenizer
