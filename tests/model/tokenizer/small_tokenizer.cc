#include "model/tokenizer/small_tokenizer.h"

#include <stdexcept>
#include <vector>

#include "model/tokenizer/byte_level.h"

namespace mlbench::model::testing {
namespace {

// Merges in rank order; each result's id is 256 + its index here.
const std::vector<std::pair<std::string, std::string>>& merge_list() {
  static const std::vector<std::pair<std::string, std::string>> merges = {
      {"l", "l"},      // 256 "ll"
      {"h", "e"},      // 257 "he"
      {"he", "ll"},    // 258 "hell"
      {"hell", "o"},   // 259 "hello"
      {"Ġ", "w"},      // 260 "Ġw"
      {"o", "r"},      // 261 "or"
      {"Ġw", "or"},    // 262 "Ġwor"
      {"l", "d"},      // 263 "ld"
      {"Ġwor", "ld"},  // 264 "Ġworld"
      {"a", "a"},      // 265 "aa"
      {"1", "2"},      // 266 "12"
  };
  return merges;
}

}  // namespace

int small_token_id(const std::string& written) {
  const auto& merges = merge_list();
  for (std::size_t i = 0; i < merges.size(); ++i) {
    if (merges[i].first + merges[i].second == written) return 256 + static_cast<int>(i);
  }
  throw std::invalid_argument("no such merge result: " + written);
}

nlohmann::json small_tokenizer_json() {
  nlohmann::json vocab = nlohmann::json::object();
  for (unsigned byte = 0; byte < 256; ++byte) {
    vocab[tokenizer::bytes_to_byte_level(std::string(1, static_cast<char>(byte)))] = byte;
  }
  nlohmann::json merges = nlohmann::json::array();
  for (std::size_t i = 0; i < merge_list().size(); ++i) {
    const auto& [left, right] = merge_list()[i];
    vocab[left + right] = 256 + i;
    // Both spellings of a merge appear in real files; use both here.
    if (i % 2 == 0) {
      merges.push_back(left + " " + right);
    } else {
      merges.push_back(nlohmann::json::array({left, right}));
    }
  }
  const auto added = [](int id, const std::string& content) {
    return nlohmann::json{{"id", id},        {"content", content}, {"single_word", false},
                          {"lstrip", false}, {"rstrip", false},    {"normalized", false},
                          {"special", true}};
  };
  return {
      {"version", "1.0"},
      {"truncation", nullptr},
      {"padding", nullptr},
      {"added_tokens", {added(300, "<|bos|>"), added(301, "<|eot|>"), added(302, "<|eot|>x")}},
      {"normalizer", nullptr},
      {"pre_tokenizer",
       {{"type", "Sequence"},
        {"pretokenizers",
         {{{"type", "Split"},
           {"pattern",
            {{"Regex",
              R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)"}}},
           {"behavior", "Isolated"},
           {"invert", false}},
          {{"type", "ByteLevel"},
           {"add_prefix_space", false},
           {"trim_offsets", true},
           {"use_regex", false}}}}}},
      {"post_processor",
       {{"type", "Sequence"},
        {"processors",
         {{{"type", "ByteLevel"}, {"add_prefix_space", true}, {"trim_offsets", false}},
          {{"type", "TemplateProcessing"},
           {"single",
            {{{"SpecialToken", {{"id", "<|bos|>"}, {"type_id", 0}}}},
             {{"Sequence", {{"id", "A"}, {"type_id", 0}}}}}},
           {"pair", nlohmann::json::array()},
           {"special_tokens",
            {{"<|bos|>", {{"id", "<|bos|>"}, {"ids", {300}}, {"tokens", {"<|bos|>"}}}}}}}}}}},
      {"decoder", {{"type", "ByteLevel"}, {"add_prefix_space", true}, {"trim_offsets", true}}},
      {"model",
       {{"type", "BPE"},
        {"dropout", nullptr},
        {"unk_token", nullptr},
        {"continuing_subword_prefix", nullptr},
        {"end_of_word_suffix", nullptr},
        {"fuse_unk", false},
        {"byte_fallback", false},
        {"ignore_merges", true},
        {"vocab", vocab},
        {"merges", merges}}},
  };
}

}  // namespace mlbench::model::testing
