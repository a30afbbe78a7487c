#pragma once

#include <string>
#include <string_view>

namespace mlbench::accuracy {

// The stem nltk's PorterStemmer().stem(word) returns in its default mode (NLTK_EXTENSIONS):
// Porter's 1980 algorithm plus nltk's irregular forms, its 'ies'/'ied' special cases, its step 1c
// and the extra step 2 rules. rouge_score stems with it, so ROUGE only matches MLPerf's numbers
// when every stem matches. `word` is expected in lowercase ASCII, as the ROUGE tokeniser emits it;
// other bytes are treated as consonants, as nltk treats any non-vowel character.
std::string porter_stem(std::string_view word);

}  // namespace mlbench::accuracy
