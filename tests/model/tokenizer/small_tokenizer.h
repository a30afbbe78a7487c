#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace mlbench::model::testing {

// A byte-level BPE tokenizer.json small enough to reason about by hand: ids 0–255 are the single
// bytes (id = byte value), a handful of merges build "hello", " world" and "ll", and two added
// tokens plus a BOS template mimic Llama 3's layout. Tests edit the returned JSON to probe one
// feature at a time.
nlohmann::json small_tokenizer_json();

// The id a merge result gets in small_tokenizer_json(), by its text ("he", "hello", "Ġw", …).
int small_token_id(const std::string& written);

}  // namespace mlbench::model::testing
