#pragma once

#include <string>

namespace mlbench::model::tokenizer {

// transformers' clean_up_tokenization: removes the space that word-level tokenizers of old left
// before punctuation and English contractions (" ." -> ".", " n't" -> "n't", …). Applied in
// transformers' order, each replacement over the whole text.
std::string clean_up_tokenization_spaces(std::string text);

}  // namespace mlbench::model::tokenizer
