#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mlbench::accuracy {

// Reads the next word of `text` at or after byte `position` into `word` and returns the position
// just past it, or std::nullopt when no word is left. A word is a maximal run of what Python's
// str.lower() turns into [a-z0-9]: ASCII letters and digits, U+212A KELVIN SIGN (→ 'k') and
// U+0130 (→ 'i' plus a combining dot, which then ends the word). Every other character, and every
// byte that is not valid UTF-8, separates words. `text` is UTF-8; `word` is lowercase ASCII.
std::optional<std::size_t> read_rouge_word(std::string_view text, std::size_t position,
                                           std::string& word);

// rouge_score's default tokeniser: the words of `text`, each longer than 3 characters replaced by
// its Porter stem when `use_stemmer` is set.
std::vector<std::string> tokenize_for_rouge(std::string_view text, bool use_stemmer = true);

}  // namespace mlbench::accuracy
