#include "mlbench/accuracy/sentence_splitter.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "accuracy/punkt_english.h"

// nltk's PunktSentenceTokenizer.tokenize(text) step by step (nltk 3.8.2 and later): find the
// candidate breaks, cut each one's context out of the text, decide it by annotating the context's
// words, then move closing quotes and brackets back to the sentence they end. Offsets are bytes of
// UTF-8; every character class below is ASCII except whitespace and letter case, which are read
// per code point so that text outside ASCII splits as Python's str methods would.

namespace mlbench::accuracy {
namespace {

// ---- characters ----

struct CodePoint {
  char32_t value = 0;
  std::size_t length = 1;
};

// Lenient: a byte that does not start a well-formed sequence is one character of its own, which
// is never whitespace and has no case.
CodePoint code_point_at(std::string_view text, std::size_t at) {
  const auto byte = [&](std::size_t i) { return static_cast<std::uint8_t>(text[i]); };
  const std::uint8_t lead = byte(at);
  if (lead < 0x80) return {lead, 1};
  std::size_t length = 0;
  char32_t value = 0;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
    value = lead & 0x1F;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    value = lead & 0x0F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    value = lead & 0x07;
  } else {
    return {0xFFFD, 1};
  }
  if (at + length > text.size()) return {0xFFFD, 1};
  for (std::size_t i = 1; i < length; ++i) {
    if ((byte(at + i) & 0xC0) != 0x80) return {0xFFFD, 1};
    value = (value << 6) | (byte(at + i) & 0x3F);
  }
  return {value, length};
}

// Python's str.isspace(), which is what `\s` and strip() use on str.
bool is_python_space(char32_t c) {
  return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20) || c == 0x85 || c == 0xA0 ||
         c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F ||
         c == 0x205F || c == 0x3000;
}

bool is_ascii_python_space(unsigned char c) {
  return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20);
}

// Bytes of the whitespace character at `at`, or 0 when there is none.
std::size_t space_length_at(std::string_view text, std::size_t at) {
  if (at >= text.size()) return 0;
  const auto byte = static_cast<unsigned char>(text[at]);
  if (byte < 0x80) return is_ascii_python_space(byte) ? 1 : 0;  // nearly every character
  const CodePoint c = code_point_at(text, at);
  return is_python_space(c.value) ? c.length : 0;
}

std::size_t skip_spaces(std::string_view text, std::size_t at) {
  while (const std::size_t length = space_length_at(text, at))
    at += length;
  return at;
}

std::string_view strip_trailing_spaces(std::string_view text) {
  std::size_t end = text.size();
  while (end > 0 && static_cast<unsigned char>(text[end - 1]) < 0x80) {
    if (!is_ascii_python_space(static_cast<unsigned char>(text[end - 1]))) {
      return text.substr(0, end);
    }
    --end;
  }
  if (end == 0) return {};
  // A character outside ASCII ends the text: read forward, as UTF-8 cannot safely be read back.
  std::size_t last = 0;
  for (std::size_t at = 0; at < end;) {
    const CodePoint c = code_point_at(text, at);
    at += c.length;
    if (!is_python_space(c.value)) last = at;
  }
  return text.substr(0, last);
}

// Python's string.whitespace, which _match_potential_end_contexts searches for: ASCII only.
bool is_ascii_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\x0b' || c == '\x0c';
}

bool is_sentence_end(char c) {
  return c == '.' || c == '?' || c == '!';
}

// Punkt's "non-word" characters, which end a word and may follow a sentence end directly.
bool is_non_word(char c) {
  return std::string_view(")\";}]*:@'({[?!").find(c) != std::string_view::npos;
}

// Characters a word token may not start with (they become tokens of their own).
bool cannot_start_word(char c) {
  return std::string_view("(\"`{[:;&#*@)}]-,").find(c) != std::string_view::npos;
}

enum class LetterCase { kNone, kLower, kUpper };

// str.islower()/isupper() of one character: ASCII, Latin-1, Latin Extended-A, Greek and
// Cyrillic; other scripts read as uncased, which only makes Punkt less sure.
LetterCase case_of(char32_t c) {
  if (c >= 'a' && c <= 'z') return LetterCase::kLower;
  if (c >= 'A' && c <= 'Z') return LetterCase::kUpper;
  if (c < 0xC0) return c == 0xAA || c == 0xB5 || c == 0xBA ? LetterCase::kLower : LetterCase::kNone;
  if (c <= 0xDE) return c == 0xD7 ? LetterCase::kNone : LetterCase::kUpper;
  if (c <= 0xFF) return c == 0xF7 ? LetterCase::kNone : LetterCase::kLower;
  if (c <= 0x137 || (c >= 0x14A && c <= 0x177)) {
    return c % 2 == 0 ? LetterCase::kUpper : LetterCase::kLower;
  }
  if (c >= 0x139 && c <= 0x148) return c % 2 == 1 ? LetterCase::kUpper : LetterCase::kLower;
  if (c >= 0x391 && c <= 0x3AB) return LetterCase::kUpper;
  if (c >= 0x3AC && c <= 0x3CE) return LetterCase::kLower;
  if (c >= 0x400 && c <= 0x42F) return LetterCase::kUpper;
  if (c >= 0x430 && c <= 0x45F) return LetterCase::kLower;
  return LetterCase::kNone;
}

// `[^\W\d]`: a letter (or '_'). Outside ASCII every character of a cased script counts, and so
// does anything from the other scripts' blocks, which is close enough for initials.
bool is_letter(char32_t c) {
  if (c < 0x80) return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
  if (case_of(c) != LetterCase::kNone) return true;
  const bool punctuation_or_symbol = c < 0xC0 || c == 0xD7 || c == 0xF7 ||
                                     (c >= 0x2000 && c <= 0x2BFF) || (c >= 0x3000 && c <= 0x303F) ||
                                     c >= 0xFE30;
  return !punctuation_or_symbol;
}

// ---- Punkt's word tokens ----

// Length of the multi-character punctuation (`--`, `..`, `. . .`) at `at`, or 0.
std::size_t multi_char_punct_length(std::string_view line, std::size_t at) {
  if (at >= line.size()) return 0;
  const char c = line[at];
  if (c != '-' && c != '.') return 0;
  std::size_t run = at;
  while (run < line.size() && line[run] == c)
    ++run;
  if (run - at >= 2) return run - at;
  if (c == '-') return 0;
  // (?:\.\s){2,}\. : periods each followed by one whitespace character, then a period; the
  // repetition backs off until a period follows.
  std::vector<std::size_t> after_pairs;
  for (std::size_t p = at; p < line.size() && line[p] == '.';) {
    const std::size_t space = space_length_at(line, p + 1);
    if (space == 0) break;
    p += 1 + space;
    after_pairs.push_back(p);
  }
  for (std::size_t pairs = after_pairs.size(); pairs >= 2; --pairs) {
    const std::size_t p = after_pairs[pairs - 1];
    if (p < line.size() && line[p] == '.') return p + 1 - at;
  }
  return 0;
}

// Whether a word token may end before `at`: whitespace, the end, a non-word character,
// multi-character punctuation, or a comma that is itself followed by one of those.
bool word_ends_at(std::string_view line, std::size_t at) {
  const auto plain_end = [&](std::size_t p) {
    return p >= line.size() || space_length_at(line, p) > 0 || is_non_word(line[p]) ||
           multi_char_punct_length(line, p) > 0;
  };
  if (plain_end(at)) return true;
  return line[at] == ',' && plain_end(at + 1);
}

void tokenize_line(std::string_view line, std::vector<std::string_view>& words) {
  for (std::size_t at = 0; at < line.size();) {
    if (const std::size_t space = space_length_at(line, at)) {
      at += space;
      continue;
    }
    std::size_t end = at + code_point_at(line, at).length;
    if (const std::size_t punct = multi_char_punct_length(line, at)) {
      end = at + punct;
    } else if (!cannot_start_word(line[at])) {
      while (!word_ends_at(line, end))
        end += code_point_at(line, end).length;
    }
    words.push_back(line.substr(at, end - at));
    at = end;
  }
}

// PunktBaseClass._tokenize_words: line by line, blank lines dropped.
std::vector<std::string_view> punkt_words(std::string_view text) {
  std::vector<std::string_view> words;
  for (std::size_t begin = 0; begin <= text.size();) {
    std::size_t end = text.find('\n', begin);
    if (end == std::string_view::npos) end = text.size();
    tokenize_line(text.substr(begin, end - begin), words);
    begin = end + 1;
  }
  return words;
}

// ---- annotation ----

// `^-?[\.,]?\d[\d,\.-]*\.?$`: Punkt gives every number the type "##number##".
bool is_number(std::string_view word) {
  std::size_t p = 0;
  if (p < word.size() && word[p] == '-') ++p;
  if (p < word.size() && (word[p] == '.' || word[p] == ',')) ++p;
  if (p >= word.size() || word[p] < '0' || word[p] > '9') return false;
  for (++p; p < word.size(); ++p) {
    const char c = word[p];
    if (!((c >= '0' && c <= '9') || c == ',' || c == '.' || c == '-')) return false;
  }
  return true;
}

std::string ascii_lower(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return lower;
}

struct Token {
  explicit Token(std::string_view word)
      : text(word), type(is_number(word) ? "##number##" : ascii_lower(word)) {
    const CodePoint first = code_point_at(word, 0);
    first_case = case_of(first.value);
    initial = is_letter(first.value) && word.size() == first.length + 1 && word.back() == '.';
    ellipsis_text = word.size() >= 2 && word.find_first_not_of('.') == std::string_view::npos;
  }

  bool period_final() const { return text.back() == '.'; }
  std::string_view type_no_period() const {
    std::string_view t = type;
    if (t.size() > 1 && t.back() == '.') t.remove_suffix(1);
    return t;
  }
  std::string_view type_no_sentence_period() const {
    return sentence_break ? type_no_period() : std::string_view(type);
  }

  std::string_view text;
  std::string type;
  LetterCase first_case = LetterCase::kNone;
  bool initial = false;        // one letter and a period
  bool ellipsis_text = false;  // two or more periods and nothing else
  bool sentence_break = false;
  bool abbreviation = false;
  bool ellipsis = false;
};

// First pass: decisions from the word alone.
void annotate_by_type(Token& token) {
  const std::string_view text = token.text;
  if (text.size() == 1 && is_sentence_end(text[0])) {
    token.sentence_break = true;
  } else if (token.ellipsis_text) {
    token.ellipsis = true;
  } else if (token.period_final() && !text.ends_with("..")) {
    const std::string without_period = ascii_lower(text.substr(0, text.size() - 1));
    const std::string_view last_part =
        std::string_view(without_period).substr(without_period.rfind('-') + 1);
    if (punkt::is_abbreviation(without_period) || punkt::is_abbreviation(last_part)) {
      token.abbreviation = true;
    } else {
      token.sentence_break = true;
    }
  }
}

enum class Starter { kYes, kNo, kUnknown };

// Punkt's orthographic heuristic: does `token` begin a sentence, going by how its type is written
// elsewhere?
Starter starts_sentence(const Token& token) {
  const std::string_view text = token.text;
  if (text.size() == 1 && std::string_view(";:,.!?").find(text[0]) != std::string_view::npos) {
    return Starter::kNo;
  }
  const int context = punkt::orthographic_context(token.type_no_sentence_period());
  if (token.first_case == LetterCase::kUpper && (context & punkt::kLower) &&
      !(context & punkt::kMiddleUpper)) {
    return Starter::kYes;
  }
  if (token.first_case == LetterCase::kLower &&
      ((context & punkt::kUpper) || !(context & punkt::kBeginLower))) {
    return Starter::kNo;
  }
  return Starter::kUnknown;
}

// Second pass: a period-final token reconsidered in the light of the token after it.
void annotate_by_context(Token& token, const Token& next) {
  if (!token.period_final()) return;
  const std::string_view type = token.type_no_period();
  const std::string_view next_type = next.type_no_sentence_period();
  if (punkt::is_collocation(type, next_type)) {
    token.sentence_break = false;
    token.abbreviation = true;
    return;
  }
  if ((token.abbreviation || token.ellipsis) && !token.initial) {
    if (starts_sentence(next) == Starter::kYes ||
        (next.first_case == LetterCase::kUpper && punkt::is_sentence_starter(next_type))) {
      token.sentence_break = true;
      return;
    }
  }
  if (token.initial || type == "##number##") {
    const Starter starter = starts_sentence(next);
    const bool always_capitalised = !(punkt::orthographic_context(next_type) & punkt::kLower);
    if (starter == Starter::kNo || (starter == Starter::kUnknown && token.initial &&
                                    next.first_case == LetterCase::kUpper && always_capitalised)) {
      token.sentence_break = false;
      token.abbreviation = true;
    }
  }
}

// PunktSentenceTokenizer.text_contains_sentbreak: a break on any word of the context but its last.
bool contains_sentence_break(std::string_view context) {
  std::vector<Token> tokens;
  for (const std::string_view word : punkt_words(context))
    tokens.emplace_back(word);
  for (Token& token : tokens)
    annotate_by_type(token);
  for (std::size_t i = 0; i + 1 < tokens.size(); ++i) {
    annotate_by_context(tokens[i], tokens[i + 1]);
    if (tokens[i].sentence_break) return true;
  }
  return false;
}

// ---- candidates and slices ----

// A '.', '?' or '!' followed by a non-word character or by whitespace and a word.
struct Candidate {
  std::size_t position = 0;
  std::size_t context_end = 0;                 // end of the character or word after it
  std::optional<std::size_t> next_word_begin;  // where that word starts, if it is a word
};

std::optional<Candidate> candidate_at(std::string_view text, std::size_t at) {
  if (!is_sentence_end(text[at])) return std::nullopt;
  const std::size_t after = at + 1;
  if (after < text.size() && is_non_word(text[after])) return Candidate{at, after + 1, {}};
  const std::size_t word = skip_spaces(text, after);
  if (word == after || word >= text.size()) return std::nullopt;
  std::size_t end = word;
  while (end < text.size() && space_length_at(text, end) == 0)
    end += code_point_at(text, end).length;
  return Candidate{at, end, word};
}

struct Span {
  std::size_t begin = 0;
  std::size_t end = 0;
};

// _match_potential_end_contexts and _slices_from_text: each candidate's context runs from the
// start of the word holding it to the end of what follows. A run of candidates ("!!!") is decided
// once, at its last member.
std::vector<Span> sentence_slices(std::string_view text) {
  std::vector<Span> slices;
  std::size_t last_break = 0;
  const auto decide = [&](const Candidate& candidate, std::size_t word_begin) {
    const std::string_view context = text.substr(word_begin, candidate.context_end - word_begin);
    if (!contains_sentence_break(context)) return;
    slices.push_back({last_break, candidate.position + 1});
    last_break = candidate.next_word_begin.value_or(candidate.position + 1);
  };
  std::optional<Candidate> previous;
  Span previous_word;
  for (std::size_t at = 0; at < text.size(); ++at) {
    const auto candidate = candidate_at(text, at);
    if (!candidate) continue;
    const std::string_view before =
        text.substr(previous_word.end, candidate->position - previous_word.end);
    std::size_t last_space = 0;  // nltk treats a space at index 0 like no space at all
    for (std::size_t i = before.size(); i-- > 0;) {
      if (is_ascii_space(before[i])) {
        last_space = i;
        break;
      }
    }
    const std::size_t word_begin =
        last_space != 0 ? previous_word.end + last_space + 1 : previous_word.begin;
    if (previous && previous_word.end <= word_begin) decide(*previous, previous_word.begin);
    previous = candidate;
    previous_word = {word_begin, candidate->position};
  }
  if (previous) decide(*previous, previous_word.begin);
  slices.push_back({last_break, strip_trailing_spaces(text).size()});
  return slices;
}

// `["')\]}]+?(?:\s+|(?=--)|$)` at the start of `text`: closing punctuation that belongs to the
// sentence before. Returns {characters to move, characters to skip} or nothing.
std::optional<std::pair<std::size_t, std::size_t>> closing_punctuation(std::string_view text) {
  std::size_t closers = 0;
  while (closers < text.size() &&
         std::string_view("\"')]}").find(text[closers]) != std::string_view::npos) {
    ++closers;
  }
  if (closers == 0) return std::nullopt;
  const std::size_t after = skip_spaces(text, closers);
  if (after > closers || text.substr(closers).starts_with("--") || closers == text.size()) {
    return std::pair(closers, after);
  }
  return std::nullopt;
}

// _realign_boundaries: "(Sent1.) Sent2." splits after the ')' rather than before it.
std::vector<std::string_view> realign(std::string_view text, const std::vector<Span>& slices) {
  std::vector<std::string_view> sentences;
  std::size_t shift = 0;
  for (std::size_t i = 0; i < slices.size(); ++i) {
    const Span sentence{slices[i].begin + shift, slices[i].end};
    const auto piece = [&](Span s) {
      return s.begin < s.end ? text.substr(s.begin, s.end - s.begin) : std::string_view();
    };
    if (i + 1 == slices.size()) {
      if (!piece(sentence).empty()) sentences.push_back(piece(sentence));
      break;
    }
    const Span next = slices[i + 1];
    if (const auto moved = closing_punctuation(piece(next))) {
      sentences.push_back(piece({sentence.begin, next.begin + moved->first}));
      shift = moved->second;
    } else {
      shift = 0;
      if (!piece(sentence).empty()) sentences.push_back(piece(sentence));
    }
  }
  return sentences;
}

}  // namespace

std::vector<std::string_view> split_sentences(std::string_view text) {
  return realign(text, sentence_slices(text));
}

std::string postprocess_for_rouge(std::string_view text) {
  const std::size_t begin = skip_spaces(text, 0);
  const std::string_view stripped = strip_trailing_spaces(text.substr(begin));
  std::string joined;
  joined.reserve(stripped.size());
  const std::vector<std::string_view> sentences = split_sentences(stripped);
  for (std::size_t i = 0; i < sentences.size(); ++i) {
    if (i > 0) joined += '\n';
    joined += sentences[i];
  }
  return joined;
}

}  // namespace mlbench::accuracy
