#include "mlbench/accuracy/rouge_tokenizer.h"

#include "mlbench/accuracy/porter_stemmer.h"

namespace mlbench::accuracy {
namespace {

// The UTF-8 encodings of the only characters outside ASCII whose Python lowercase contains
// [a-z0-9] (checked over all of Unicode 14 with Python 3.11). Their lead bytes can never be
// continuation bytes, so matching them byte-wise agrees with any decoder that treats invalid
// sequences as replacement characters.
constexpr std::string_view kKelvinSign = "\xE2\x84\xAA";        // U+212A → "k"
constexpr std::string_view kCapitalIWithDotAbove = "\xC4\xB0";  // U+0130 → "i" U+0307

bool is_upper(char c) {
  return c >= 'A' && c <= 'Z';
}
bool is_ascii_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || is_upper(c);
}

bool starts_with_at(std::string_view text, std::size_t position, std::string_view prefix) {
  return text.substr(position, prefix.size()) == prefix;
}

}  // namespace

std::optional<std::size_t> read_rouge_word(std::string_view text, std::size_t position,
                                           std::string& word) {
  word.clear();
  std::size_t i = position;
  while (i < text.size()) {
    // Copy a whole run of ASCII letters and digits at once: nearly every word is one run.
    const std::size_t run_begin = i;
    while (i < text.size() && is_ascii_alnum(text[i]))
      ++i;
    if (i > run_begin) {
      const std::size_t old_size = word.size();
      word.append(text.substr(run_begin, i - run_begin));
      for (std::size_t k = old_size; k < word.size(); ++k) {
        if (is_upper(word[k])) word[k] = static_cast<char>(word[k] - 'A' + 'a');
      }
    }
    if (starts_with_at(text, i, kKelvinSign)) {
      word.push_back('k');
      i += kKelvinSign.size();
    } else if (starts_with_at(text, i, kCapitalIWithDotAbove)) {
      // Lowercases to "i" followed by U+0307, and U+0307 is a separator.
      word.push_back('i');
      return i + kCapitalIWithDotAbove.size();
    } else if (!word.empty()) {
      return i;
    } else if (i < text.size()) {
      ++i;  // a separator before the word
    }
  }
  if (word.empty()) return std::nullopt;
  return i;
}

std::vector<std::string> tokenize_for_rouge(std::string_view text, bool use_stemmer) {
  std::vector<std::string> tokens;
  std::string word;
  std::size_t position = 0;
  while (const auto next = read_rouge_word(text, position, word)) {
    position = *next;
    // rouge_score leaves words of up to 3 characters unstemmed.
    tokens.push_back(use_stemmer && word.size() > 3 ? porter_stem(word) : word);
  }
  return tokens;
}

}  // namespace mlbench::accuracy
