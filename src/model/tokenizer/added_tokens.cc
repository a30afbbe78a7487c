#include "model/tokenizer/added_tokens.h"

#include <algorithm>

#include "model/tokenizer/utf8.h"

namespace mlbench::model::tokenizer {
namespace {

// Start of the code point that ends just before `at` (at > 0, well-formed UTF-8).
std::size_t previous_code_point(std::string_view text, std::size_t at) {
  do {
    --at;
  } while (at > 0 && (static_cast<unsigned char>(text[at]) & 0xC0) == 0x80);
  return at;
}

}  // namespace

bool is_unicode_whitespace(char32_t c) {
  return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0x85 || c == 0xA0 || c == 0x1680 ||
         (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F ||
         c == 0x3000;
}

AddedTokenMatcher::AddedTokenMatcher(std::span<const AddedToken> tokens) {
  for (const AddedToken& token : tokens) {
    if (token.content.empty()) continue;
    index_by_content_.insert_or_assign(token.content, static_cast<TokenId>(tokens_.size()));
    tokens_.push_back(token);
    can_start_[static_cast<unsigned char>(token.content[0])] = true;
    if (std::find(lengths_.begin(), lengths_.end(), token.content.size()) == lengths_.end()) {
      lengths_.push_back(token.content.size());
    }
  }
  std::sort(lengths_.begin(), lengths_.end(), std::greater<>());
}

bool AddedTokenMatcher::find(std::string_view text, std::size_t from, Match& match) const {
  for (std::size_t at = from; at < text.size(); ++at) {
    if (!can_start_[static_cast<unsigned char>(text[at])]) continue;
    for (const std::size_t length : lengths_) {
      if (length > text.size() - at) continue;
      const auto it = index_by_content_.find(text.substr(at, length));
      if (it == index_by_content_.end()) continue;
      const AddedToken& token = tokens_[static_cast<std::size_t>(it->second)];
      match = Match{at, at + length, token.id};
      if (token.lstrip) {
        while (match.begin > from) {
          const std::size_t previous = previous_code_point(text, match.begin);
          std::size_t cursor = previous;
          if (!is_unicode_whitespace(next_code_point(text, cursor))) break;
          match.begin = previous;
        }
      }
      if (token.rstrip) {
        while (match.end < text.size()) {
          std::size_t cursor = match.end;
          if (!is_unicode_whitespace(next_code_point(text, cursor))) break;
          match.end = cursor;
        }
      }
      return true;
    }
  }
  return false;
}

void AddedTokenMatcher::split(std::string_view text, std::vector<Segment>& out) const {
  std::size_t at = 0;
  Match match{};
  while (!tokens_.empty() && find(text, at, match)) {
    if (match.begin > at) out.push_back(Segment{text.substr(at, match.begin - at), -1});
    out.push_back(Segment{{}, match.id});
    at = match.end;
  }
  if (at < text.size()) out.push_back(Segment{text.substr(at), -1});
}

}  // namespace mlbench::model::tokenizer
