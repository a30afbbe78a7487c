#pragma once

#include <string_view>

namespace mlbench::accuracy::punkt {

// Orthographic context flags, as Punkt records them per word type: where in a sentence (beginning,
// middle, unknown) the word was seen with an upper- or lowercase first letter.
inline constexpr int kBeginUpper = 1 << 1;
inline constexpr int kMiddleUpper = 1 << 2;
inline constexpr int kUnknownUpper = 1 << 3;
inline constexpr int kBeginLower = 1 << 4;
inline constexpr int kMiddleLower = 1 << 5;
inline constexpr int kUnknownLower = 1 << 6;
inline constexpr int kUpper = kBeginUpper | kMiddleUpper | kUnknownUpper;
inline constexpr int kLower = kBeginLower | kMiddleLower | kUnknownLower;

// The parameters of nltk's pre-trained English Punkt model that sent_tokenize uses. Word types are
// lowercase, without their final period ("u.s", "mr").
bool is_abbreviation(std::string_view type);
bool is_sentence_starter(std::string_view type);
// A pair (word before a period, word after it) that the model keeps together ("j", "walter").
bool is_collocation(std::string_view before, std::string_view after);

// Stands in for the model's table of orthographic contexts (some 20,000 types learnt from news
// text), which is not ours to ship: common English words get the contexts the model records for
// them (seen lowercase, and capitalised mid-sentence in headlines), every other word none, which
// is what the model holds for any word it has not seen. See sentence_splitter.h for what follows.
int orthographic_context(std::string_view type);

}  // namespace mlbench::accuracy::punkt
