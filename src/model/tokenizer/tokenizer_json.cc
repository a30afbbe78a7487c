#include "model/tokenizer/tokenizer_json.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "model/tokenizer/byte_level.h"
#include "model/tokenizer/pre_tokenizer.h"

namespace mlbench::model::tokenizer {
namespace {

using nlohmann::json;

Failure unsupported(std::string what) {
  return fail(ErrorCode::kUnsupported,
              fmt::format("tokenizer.json uses {}, which mlbench does not support", what));
}

Failure malformed(std::string what) {
  return fail(ErrorCode::kParse, fmt::format("tokenizer.json is malformed: {}", what));
}

std::string type_of(const json& node) {
  if (!node.is_object() || !node.contains("type") || !node["type"].is_string()) return "?";
  return node["type"].get<std::string>();
}

bool flag(const json& node, const char* key, bool fallback) {
  const auto it = node.find(key);
  return it != node.end() && it->is_boolean() ? it->get<bool>() : fallback;
}

// True when `key` is absent, null, or the neutral value a feature has when off.
bool absent_or_null(const json& node, const char* key) {
  const auto it = node.find(key);
  return it == node.end() || it->is_null();
}

Result<void> check_top_level(const json& root) {
  if (!absent_or_null(root, "normalizer")) {
    return unsupported(fmt::format("normalizer \"{}\"", type_of(root["normalizer"])));
  }
  if (!absent_or_null(root, "truncation")) return unsupported("truncation");
  if (!absent_or_null(root, "padding")) return unsupported("padding");
  return {};
}

Result<void> read_model(const json& root, TokenizerSpec& spec) {
  if (!root.contains("model") || !root["model"].is_object()) return malformed("no \"model\"");
  const json& model = root["model"];
  const std::string type = model.contains("type") ? type_of(model) : "BPE";
  if (type != "BPE") return unsupported(fmt::format("model type \"{}\"", type));
  if (!absent_or_null(model, "dropout") && model["dropout"].get<double>() != 0.0) {
    return unsupported("BPE dropout");
  }
  for (const char* key : {"continuing_subword_prefix", "end_of_word_suffix"}) {
    if (!absent_or_null(model, key) && !model[key].get<std::string>().empty()) {
      return unsupported(fmt::format("BPE {}", key));
    }
  }
  if (flag(model, "byte_fallback", false)) return unsupported("BPE byte_fallback");
  spec.bpe.ignore_merges = flag(model, "ignore_merges", false);
  spec.bpe.fuse_unk = flag(model, "fuse_unk", false);

  if (!model.contains("vocab") || !model["vocab"].is_object()) return malformed("no model.vocab");
  for (const auto& [token, id_node] : model["vocab"].items()) {
    if (!id_node.is_number_integer() || id_node.get<std::int64_t>() < 0 ||
        id_node.get<std::int64_t>() > 0x7FFFFFFF) {
      return malformed(fmt::format("vocab entry \"{}\" has no valid id", token));
    }
    const auto id = id_node.get<TokenId>();
    if (static_cast<std::size_t>(id) >= spec.tokens.size()) spec.tokens.resize(id + 1);
    spec.tokens[id] = token;
    // A token outside the byte-level alphabet can never come out of merging bytes; it stays
    // decodable through `tokens` but has no place in the byte-keyed vocabulary.
    if (auto bytes = byte_level_to_bytes(token)) spec.bpe.vocab.insert_or_assign(*bytes, id);
  }
  if (!absent_or_null(model, "unk_token")) {
    const auto unk = model["unk_token"].get<std::string>();
    const auto bytes = byte_level_to_bytes(unk);
    const auto it = bytes ? spec.bpe.vocab.find(*bytes) : spec.bpe.vocab.end();
    if (it == spec.bpe.vocab.end())
      return malformed(fmt::format("unk_token \"{}\" not in vocab", unk));
    spec.bpe.unk_id = it->second;
  }

  if (!model.contains("merges") || !model["merges"].is_array()) return malformed("no model.merges");
  spec.bpe.merges.reserve(model["merges"].size());
  for (const json& merge : model["merges"]) {
    // Older files write a merge as "left right", newer ones as ["left", "right"].
    std::string left;
    std::string right;
    if (merge.is_string()) {
      const auto& text = merge.get_ref<const std::string&>();
      const std::size_t space = text.find(' ');
      if (space == std::string::npos || text.find(' ', space + 1) != std::string::npos) {
        return malformed(fmt::format("merge \"{}\" is not two tokens", text));
      }
      left = text.substr(0, space);
      right = text.substr(space + 1);
    } else if (merge.is_array() && merge.size() == 2 && merge[0].is_string() &&
               merge[1].is_string()) {
      left = merge[0].get<std::string>();
      right = merge[1].get<std::string>();
    } else {
      return malformed(fmt::format("merge {} is neither \"a b\" nor [\"a\", \"b\"]", merge.dump()));
    }
    auto left_bytes = byte_level_to_bytes(left);
    auto right_bytes = byte_level_to_bytes(right);
    // Like tokens outside the alphabet, such a merge could never apply; skipping it keeps the
    // relative order of the others, which is all a rank means.
    if (!left_bytes || !right_bytes) continue;
    spec.bpe.merges.emplace_back(std::move(*left_bytes), std::move(*right_bytes));
  }
  return {};
}

Result<void> read_added_tokens(const json& root, TokenizerSpec& spec) {
  if (absent_or_null(root, "added_tokens")) return {};
  for (const json& entry : root["added_tokens"]) {
    if (!entry.contains("id") || !entry.contains("content")) {
      return malformed("an added token lacks \"id\" or \"content\"");
    }
    AddedToken token;
    token.id = entry["id"].get<TokenId>();
    token.content = entry["content"].get<std::string>();
    token.special = flag(entry, "special", false);
    token.lstrip = flag(entry, "lstrip", false);
    token.rstrip = flag(entry, "rstrip", false);
    token.normalized = flag(entry, "normalized", !token.special);
    if (flag(entry, "single_word", false)) {
      return unsupported(fmt::format("single_word on added token \"{}\"", token.content));
    }
    if (token.id < 0)
      return malformed(fmt::format("added token \"{}\" has a negative id", token.content));
    if (static_cast<std::size_t>(token.id) >= spec.tokens.size()) spec.tokens.resize(token.id + 1);
    spec.tokens[token.id] = token.content;
    spec.added_tokens.push_back(std::move(token));
  }
  return {};
}

Result<void> read_split(const json& split, TokenizerSpec& spec) {
  if (!spec.split_pattern.empty()) return unsupported("more than one splitting pre-tokenizer");
  const std::string behavior = split.value("behavior", std::string("?"));
  if (behavior != "Isolated") return unsupported(fmt::format("Split behavior \"{}\"", behavior));
  if (flag(split, "invert", false)) return unsupported("Split with invert");
  if (!split.contains("pattern") || !split["pattern"].contains("Regex")) {
    return unsupported("a Split pattern other than Regex");
  }
  spec.split_pattern = split["pattern"]["Regex"].get<std::string>();
  return {};
}

Result<void> read_byte_level(const json& byte_level, TokenizerSpec& spec) {
  if (flag(byte_level, "add_prefix_space", false)) {
    return unsupported("ByteLevel pre-tokenizer with add_prefix_space");
  }
  if (flag(byte_level, "use_regex", true)) {
    if (!spec.split_pattern.empty()) return unsupported("more than one splitting pre-tokenizer");
    spec.split_pattern = kGpt2SplitPattern;
  }
  return {};
}

Result<void> read_pre_tokenizer(const json& root, TokenizerSpec& spec) {
  if (absent_or_null(root, "pre_tokenizer"))
    return unsupported("no pre_tokenizer (not byte-level)");
  const json& pre = root["pre_tokenizer"];
  std::vector<const json*> steps;
  if (type_of(pre) == "Sequence") {
    for (const json& step : pre["pretokenizers"])
      steps.push_back(&step);
  } else {
    steps.push_back(&pre);
  }
  // Byte-level BPE needs the ByteLevel step last: our BPE works on raw bytes on that basis.
  for (std::size_t i = 0; i < steps.size(); ++i) {
    const std::string type = type_of(*steps[i]);
    const bool last = i + 1 == steps.size();
    if (type == "Split" && !last) {
      if (auto ok = read_split(*steps[i], spec); !ok) return ok;
    } else if (type == "ByteLevel" && last) {
      if (auto ok = read_byte_level(*steps[i], spec); !ok) return ok;
    } else {
      return unsupported(
          fmt::format("pre-tokenizer \"{}\"{}", type,
                      type == "ByteLevel" || type == "Split" ? " at this place" : ""));
    }
  }
  return {};
}

Result<void> read_template(const json& processor, TokenizerSpec& spec) {
  for (const json& piece : processor["single"]) {
    if (piece.contains("Sequence")) {
      if (piece["Sequence"].value("id", std::string()) != "A") {
        return unsupported("a single-sequence template naming sequence B");
      }
      spec.single_template.push_back(TemplatePiece{true, {}});
    } else if (piece.contains("SpecialToken")) {
      const std::string name = piece["SpecialToken"].value("id", std::string());
      const json& specials = processor["special_tokens"];
      if (!specials.contains(name) || !specials[name].contains("ids")) {
        return malformed(fmt::format("template token \"{}\" is not in special_tokens", name));
      }
      spec.single_template.push_back(
          TemplatePiece{false, specials[name]["ids"].get<std::vector<TokenId>>()});
    } else {
      return malformed(fmt::format("template piece {}", piece.dump()));
    }
  }
  return {};
}

Result<void> read_post_processor(const json& root, TokenizerSpec& spec) {
  if (absent_or_null(root, "post_processor")) return {};
  const json& post = root["post_processor"];
  std::vector<const json*> steps;
  if (type_of(post) == "Sequence") {
    for (const json& step : post["processors"])
      steps.push_back(&step);
  } else {
    steps.push_back(&post);
  }
  for (const json* step : steps) {
    const std::string type = type_of(*step);
    if (type == "TemplateProcessing") {
      if (auto ok = read_template(*step, spec); !ok) return ok;
    } else if (type != "ByteLevel") {  // ByteLevel only trims offsets; ids are untouched
      return unsupported(fmt::format("post-processor \"{}\"", type));
    }
  }
  return {};
}

Result<void> read_decoder(const json& root) {
  if (absent_or_null(root, "decoder")) return unsupported("no decoder (not byte-level)");
  const std::string type = type_of(root["decoder"]);
  if (type != "ByteLevel") return unsupported(fmt::format("decoder \"{}\"", type));
  return {};
}

}  // namespace

Result<TokenizerSpec> parse_tokenizer_json(std::string_view text) {
  json root;
  try {
    root = json::parse(text);
  } catch (const json::parse_error& error) {
    return fail(ErrorCode::kParse, fmt::format("tokenizer.json is not JSON: {}", error.what()));
  }
  if (!root.is_object()) return malformed("not a JSON object");
  TokenizerSpec spec;
  // nlohmann throws type_error when a key holds the wrong kind of value; that is a malformed
  // file, not a bug, so it becomes an Error like the rest.
  try {
    if (auto ok = check_top_level(root); !ok) return ok.failure();
    if (auto ok = read_model(root, spec); !ok) return ok.failure();
    if (auto ok = read_added_tokens(root, spec); !ok) return ok.failure();
    if (auto ok = read_pre_tokenizer(root, spec); !ok) return ok.failure();
    if (auto ok = read_post_processor(root, spec); !ok) return ok.failure();
    if (auto ok = read_decoder(root); !ok) return ok.failure();
  } catch (const json::exception& error) {
    return malformed(error.what());
  }
  return spec;
}

}  // namespace mlbench::model::tokenizer
