// train_byte_level_bpe: pre-tokenise with Llama 3's regex, learn merges, write tokenizer.json.
#include <fmt/format.h>

#include <map>
#include <nlohmann/json.hpp>

#include "mlbench/model/tokenizer.h"

#include "model/tokenizer/bpe_trainer.h"
#include "model/tokenizer/byte_level.h"
#include "model/tokenizer/pre_tokenizer.h"
#include "model/tokenizer/utf8.h"

namespace mlbench::model {
namespace {

using nlohmann::json;

Result<std::vector<std::pair<std::string, std::size_t>>> count_pieces(
    std::span<const std::string> texts) {
  auto splitter = tokenizer::RegexSplitter::compile(kLlama3SplitPattern);
  if (!splitter) return splitter.failure();
  std::map<std::string, std::size_t, std::less<>> counts;  // ordered: training sees a fixed order
  std::vector<std::string_view> pieces;
  for (std::size_t i = 0; i < texts.size(); ++i) {
    if (tokenizer::valid_utf8_prefix(texts[i]) != texts[i].size()) {
      return fail(ErrorCode::kInvalidArgument,
                  fmt::format("training text {} is not valid UTF-8", i));
    }
    pieces.clear();
    if (auto ok = splitter->split(texts[i], pieces); !ok) return ok.failure();
    for (const std::string_view piece : pieces) {
      const auto it = counts.find(piece);
      if (it == counts.end()) {
        counts.emplace(std::string(piece), 1);
      } else {
        ++it->second;
      }
    }
  }
  return std::vector<std::pair<std::string, std::size_t>>(counts.begin(), counts.end());
}

json special_tokens_json(std::size_t first_id, std::size_t count) {
  json added = json::array();
  for (std::size_t offset = 0; offset < count; ++offset) {
    added.push_back({{"id", first_id + offset},
                     {"content", llama3_special_token_name(offset)},
                     {"single_word", false},
                     {"lstrip", false},
                     {"rstrip", false},
                     {"normalized", false},
                     {"special", true}});
  }
  return added;
}

json post_processor_json(std::size_t bos_id) {
  const std::string bos = llama3_special_token_name(0);
  const auto special = [&bos](int type_id) {
    return json{{"SpecialToken", {{"id", bos}, {"type_id", type_id}}}};
  };
  const auto sequence = [](const char* id, int type_id) {
    return json{{"Sequence", {{"id", id}, {"type_id", type_id}}}};
  };
  json templates = {{"type", "TemplateProcessing"}};
  templates["single"] = json::array({special(0), sequence("A", 0)});
  templates["pair"] = json::array({special(0), sequence("A", 0), special(1), sequence("B", 1)});
  templates["special_tokens"][bos] = {
      {"id", bos}, {"ids", json::array({bos_id})}, {"tokens", json::array({bos})}};
  const json byte_level = {{"type", "ByteLevel"},
                           {"add_prefix_space", true},
                           {"trim_offsets", false},
                           {"use_regex", true}};
  return {{"type", "Sequence"}, {"processors", json::array({byte_level, templates})}};
}

}  // namespace

std::string llama3_special_token_name(std::size_t offset) {
  switch (offset) {
    case 0: return "<|begin_of_text|>";
    case 1: return "<|end_of_text|>";
    case 4: return "<|finetune_right_pad_id|>";
    case 6: return "<|start_header_id|>";
    case 7: return "<|end_header_id|>";
    case 8: return "<|eom_id|>";
    case 9: return "<|eot_id|>";
    case 10: return "<|python_tag|>";
    default: break;
  }
  // The reserved ones are numbered in order over the gaps: offsets 2, 3, 5, then 11 onwards.
  const std::size_t reserved = offset < 4 ? offset - 2 : offset == 5 ? 2 : offset - 8;
  return fmt::format("<|reserved_special_token_{}|>", reserved);
}

Result<std::string> train_byte_level_bpe(std::span<const std::string> texts,
                                         const BpeTrainingOptions& options) {
  if (options.special_tokens < 1 || options.vocab_size < 256 + options.special_tokens) {
    return fail(ErrorCode::kInvalidArgument,
                fmt::format("a byte-level vocabulary needs 256 byte tokens and at least one "
                            "special token; vocab_size {} with {} special tokens is too small",
                            options.vocab_size, options.special_tokens));
  }
  auto pieces = count_pieces(texts);
  if (!pieces) return pieces.failure();
  const std::size_t regular = options.vocab_size - options.special_tokens;
  const tokenizer::TrainedBpe trained = tokenizer::train_bpe(*pieces, regular);

  json vocab = json::object();
  for (std::size_t id = 0; id < trained.tokens.size(); ++id) {
    vocab[tokenizer::bytes_to_byte_level(trained.tokens[id])] = id;
  }
  for (std::size_t id = trained.tokens.size(); id < regular; ++id) {
    vocab[fmt::format("<unused_{}>", id)] = id;
  }
  json merges = json::array();
  for (const auto& [left, right] : trained.merges) {
    merges.push_back(
        json::array({tokenizer::bytes_to_byte_level(left), tokenizer::bytes_to_byte_level(right)}));
  }

  const json root = {
      {"version", "1.0"},
      {"truncation", nullptr},
      {"padding", nullptr},
      {"added_tokens", special_tokens_json(regular, options.special_tokens)},
      {"normalizer", nullptr},
      {"pre_tokenizer",
       {{"type", "Sequence"},
        {"pretokenizers", json::array({{{"type", "Split"},
                                        {"pattern", {{"Regex", std::string(kLlama3SplitPattern)}}},
                                        {"behavior", "Isolated"},
                                        {"invert", false}},
                                       {{"type", "ByteLevel"},
                                        {"add_prefix_space", false},
                                        {"trim_offsets", true},
                                        {"use_regex", false}}})}}},
      {"post_processor", post_processor_json(regular)},
      {"decoder",
       {{"type", "ByteLevel"},
        {"add_prefix_space", true},
        {"trim_offsets", true},
        {"use_regex", true}}},
      {"model",
       {{"type", "BPE"},
        {"dropout", nullptr},
        {"unk_token", nullptr},
        {"continuing_subword_prefix", nullptr},
        {"end_of_word_suffix", nullptr},
        {"fuse_unk", false},
        {"byte_fallback", false},
        {"ignore_merges", true},
        {"vocab", std::move(vocab)},
        {"merges", std::move(merges)}}},
  };
  return root.dump(2, ' ', /*ensure_ascii=*/false) + "\n";
}

}  // namespace mlbench::model
