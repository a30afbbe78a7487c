#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace mlbench::accuracy {

// The sentences of `text` as nltk.sent_tokenize(text) (Punkt, English model) returns them: views
// into `text`, with the whitespace between sentences left out and any inside a sentence (newlines
// included) kept. Candidate breaks are '.', '?' and '!' followed by whitespace or by one of
// )";}]*:@'({[?!; Punkt's two annotation passes then decide each one from the words around it:
// the English model's abbreviations ("Mr.", "Dr.", "U.S.", "Jan.", "Inc."), its collocations and
// frequent sentence starters, initials ("John F. Kennedy"), numbers and ellipses. Closing quotes
// and brackets after a break stay with the sentence they close. Decimals ("3.5") never break.
//
// Where it can differ from nltk: the model's table of orthographic contexts is replaced by a list
// of common English words (punkt_english.h). That table only decides breaks after an abbreviation,
// initial, number or ellipsis followed by a capitalised word; those cases agree whenever the next
// word is a proper noun, a frequent sentence starter or a common function word.
std::vector<std::string_view> split_sentences(std::string_view text);

// What MLPerf's llama3.1-8b evaluation.py does to every prediction and reference before ROUGE:
// "\n".join(nltk.sent_tokenize(text.strip())). Only ROUGE-Lsum sees the difference.
std::string postprocess_for_rouge(std::string_view text);

}  // namespace mlbench::accuracy
