#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <memory>

#include "mlbench/model/config.h"

#include "model/assign.h"

namespace mlbench::model {
namespace {

using nlohmann::json;

// Reads one field of a JSON object with type checks, so every mistake in config.json becomes an
// error naming the file and the key instead of an exception from the JSON library.
class FieldReader {
 public:
  FieldReader(const json& object, std::string where) : object_(object), where_(std::move(where)) {}

  bool has(const char* key) const { return object_.contains(key) && !object_[key].is_null(); }

  Result<std::int64_t> positive_int(const char* key) const {
    if (!has(key)) return missing(key);
    const json& value = object_[key];
    if (!value.is_number_integer() || value.get<std::int64_t>() <= 0) {
      return fail(ErrorCode::kParse, fmt::format("'{}' must be a positive integer", key), where_);
    }
    return value.get<std::int64_t>();
  }

  Result<double> positive_number(const char* key) const {
    if (!has(key)) return missing(key);
    const json& value = object_[key];
    if (!value.is_number() || !(value.get<double>() > 0.0)) {
      return fail(ErrorCode::kParse, fmt::format("'{}' must be a positive number", key), where_);
    }
    return value.get<double>();
  }

  Result<bool> boolean(const char* key, bool fallback) const {
    if (!has(key)) return fallback;
    if (!object_[key].is_boolean()) {
      return fail(ErrorCode::kParse, fmt::format("'{}' must be true or false", key), where_);
    }
    return object_[key].get<bool>();
  }

  Result<std::string> string(const char* key, std::string fallback) const {
    if (!has(key)) return fallback;
    if (!object_[key].is_string()) {
      return fail(ErrorCode::kParse, fmt::format("'{}' must be a string", key), where_);
    }
    return object_[key].get<std::string>();
  }

  // eos_token_id is an int in older configs and a list in Llama 3.1's.
  Result<std::vector<std::int64_t>> int_or_list(const char* key) const {
    std::vector<std::int64_t> ids;
    if (!has(key)) return ids;
    const json& value = object_[key];
    const auto bad = [&] {
      return fail(ErrorCode::kParse,
                  fmt::format("'{}' must be a token id or a list of token ids", key), where_);
    };
    if (value.is_number_integer()) {
      ids.push_back(value.get<std::int64_t>());
    } else if (value.is_array()) {
      for (const json& item : value) {
        if (!item.is_number_integer()) return bad();
        ids.push_back(item.get<std::int64_t>());
      }
    } else {
      return bad();
    }
    for (std::int64_t id : ids) {
      if (id < 0) return bad();
    }
    return ids;
  }

 private:
  Failure missing(const char* key) const {
    return fail(ErrorCode::kParse, fmt::format("missing required field '{}'", key), where_);
  }

  const json& object_;
  std::string where_;
};

Result<std::optional<RopeScaling>> parse_rope_scaling(const json& config,
                                                      const std::string& where) {
  if (!config.contains("rope_scaling") || config["rope_scaling"].is_null()) {
    return std::optional<RopeScaling>{};
  }
  const json& object = config["rope_scaling"];
  if (!object.is_object()) {
    return fail(ErrorCode::kParse, "'rope_scaling' must be an object or null", where);
  }
  FieldReader fields(object, where);
  // Older configs spell the type "type"; "default" means no scaling at all.
  MLBENCH_ASSIGN(type, fields.string("rope_type", ""));
  if (type.empty()) {
    MLBENCH_ASSIGN(old_type, fields.string("type", ""));
    type = old_type;
  }
  if (type == "default") return std::optional<RopeScaling>{};
  if (type != "llama3") {
    return fail(ErrorCode::kUnsupported,
                fmt::format("rope_scaling type '{}' is not supported (only llama3)", type), where);
  }
  RopeScaling scaling;
  MLBENCH_ASSIGN(factor, fields.positive_number("factor"));
  MLBENCH_ASSIGN(low, fields.positive_number("low_freq_factor"));
  MLBENCH_ASSIGN(high, fields.positive_number("high_freq_factor"));
  MLBENCH_ASSIGN(original, fields.positive_int("original_max_position_embeddings"));
  if (!(high > low)) {
    return fail(ErrorCode::kParse,
                "rope_scaling: 'high_freq_factor' must be greater than 'low_freq_factor'", where);
  }
  scaling.factor = factor;
  scaling.low_freq_factor = low;
  scaling.high_freq_factor = high;
  scaling.original_max_position_embeddings = original;
  return std::optional<RopeScaling>{scaling};
}

Result<void> check_supported(const FieldReader& fields, const std::string& where) {
  MLBENCH_ASSIGN(act, fields.string("hidden_act", "silu"));
  if (act != "silu") {
    return fail(ErrorCode::kUnsupported,
                fmt::format("hidden_act '{}' is not supported (only silu)", act), where);
  }
  for (const char* key : {"attention_bias", "mlp_bias"}) {
    MLBENCH_ASSIGN(bias, fields.boolean(key, false));
    if (bias) {
      return fail(ErrorCode::kUnsupported, fmt::format("'{}: true' is not supported", key), where);
    }
  }
  return {};
}

}  // namespace

Result<LlamaConfig> parse_config(std::string_view json_text, std::string_view where_view) {
  const std::string where(where_view);
  const json config = json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (config.is_discarded()) return fail(ErrorCode::kParse, "not valid JSON", where);
  if (!config.is_object()) return fail(ErrorCode::kParse, "must be a JSON object", where);
  const FieldReader fields(config, where);
  if (auto supported = check_supported(fields, where); !supported) return supported.failure();

  LlamaConfig out;
  MLBENCH_ASSIGN(hidden, fields.positive_int("hidden_size"));
  MLBENCH_ASSIGN(intermediate, fields.positive_int("intermediate_size"));
  MLBENCH_ASSIGN(layers, fields.positive_int("num_hidden_layers"));
  MLBENCH_ASSIGN(heads, fields.positive_int("num_attention_heads"));
  MLBENCH_ASSIGN(vocab, fields.positive_int("vocab_size"));
  MLBENCH_ASSIGN(eps, fields.positive_number("rms_norm_eps"));
  MLBENCH_ASSIGN(theta, fields.positive_number("rope_theta"));
  out.hidden_size = hidden;
  out.intermediate_size = intermediate;
  out.num_hidden_layers = layers;
  out.num_attention_heads = heads;
  out.vocab_size = vocab;
  out.rms_norm_eps = eps;
  out.rope_theta = theta;

  // Optional fields default the way transformers' LlamaConfig does.
  out.num_key_value_heads = heads;
  if (fields.has("num_key_value_heads")) {
    MLBENCH_ASSIGN(kv_heads, fields.positive_int("num_key_value_heads"));
    out.num_key_value_heads = kv_heads;
  }
  if (heads % out.num_key_value_heads != 0) {
    return fail(ErrorCode::kParse,
                "'num_attention_heads' must be a multiple of 'num_key_value_heads'", where);
  }
  out.head_dim = hidden / heads;
  if (fields.has("head_dim")) {
    MLBENCH_ASSIGN(head_dim, fields.positive_int("head_dim"));
    out.head_dim = head_dim;
  } else if (hidden % heads != 0) {
    return fail(ErrorCode::kParse, "'hidden_size' must be a multiple of 'num_attention_heads'",
                where);
  }
  if (out.head_dim % 2 != 0) return fail(ErrorCode::kParse, "'head_dim' must be even", where);
  out.max_position_embeddings = 2048;
  if (fields.has("max_position_embeddings")) {
    MLBENCH_ASSIGN(max_pos, fields.positive_int("max_position_embeddings"));
    out.max_position_embeddings = max_pos;
  }
  MLBENCH_ASSIGN(scaling, parse_rope_scaling(config, where));
  out.rope_scaling = scaling;
  MLBENCH_ASSIGN(tie, fields.boolean("tie_word_embeddings", false));
  out.tie_word_embeddings = tie;
  MLBENCH_ASSIGN(dtype, fields.string("torch_dtype", "bfloat16"));
  out.torch_dtype = dtype;
  MLBENCH_ASSIGN(bos, fields.int_or_list("bos_token_id"));
  if (bos.size() > 1) return fail(ErrorCode::kParse, "'bos_token_id' must be one id", where);
  out.bos_token_id = bos.empty() ? std::nullopt : std::optional<std::int64_t>(bos.front());
  MLBENCH_ASSIGN(eos, fields.int_or_list("eos_token_id"));
  out.eos_token_ids = eos;
  return out;
}

nlohmann::json config_to_json(const LlamaConfig& config) {
  json out = {
      {"architectures", {"LlamaForCausalLM"}},
      {"model_type", "llama"},
      {"hidden_act", "silu"},
      {"attention_bias", false},
      {"mlp_bias", false},
      {"attention_dropout", 0.0},
      {"hidden_size", config.hidden_size},
      {"intermediate_size", config.intermediate_size},
      {"num_hidden_layers", config.num_hidden_layers},
      {"num_attention_heads", config.num_attention_heads},
      {"num_key_value_heads", config.num_key_value_heads},
      {"head_dim", config.head_dim},
      {"vocab_size", config.vocab_size},
      {"max_position_embeddings", config.max_position_embeddings},
      {"rms_norm_eps", config.rms_norm_eps},
      {"rope_theta", config.rope_theta},
      {"tie_word_embeddings", config.tie_word_embeddings},
      {"torch_dtype", config.torch_dtype},
      {"use_cache", true},
  };
  out["rope_scaling"] = nullptr;
  if (config.rope_scaling) {
    const RopeScaling& s = *config.rope_scaling;
    out["rope_scaling"] = {
        {"rope_type", "llama3"},
        {"factor", s.factor},
        {"low_freq_factor", s.low_freq_factor},
        {"high_freq_factor", s.high_freq_factor},
        {"original_max_position_embeddings", s.original_max_position_embeddings}};
  }
  out["bos_token_id"] = nullptr;
  if (config.bos_token_id) out["bos_token_id"] = *config.bos_token_id;
  if (config.eos_token_ids.size() == 1) {
    out["eos_token_id"] = config.eos_token_ids.front();
  } else {
    out["eos_token_id"] = config.eos_token_ids;
  }
  return out;
}

Result<std::string> read_text_file(const std::filesystem::path& path) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"),
                                                       &std::fclose);
  if (!file) return fail(ErrorCode::kNotFound, "cannot open file", path.string());
  std::string text;
  char buffer[1 << 14];
  std::size_t got = 0;
  while ((got = std::fread(buffer, 1, sizeof buffer, file.get())) > 0)
    text.append(buffer, got);
  if (std::ferror(file.get())) return fail(ErrorCode::kIo, "read failed", path.string());
  return text;
}

Result<LlamaConfig> load_config(const std::filesystem::path& model_dir) {
  const auto path = model_dir / "config.json";
  auto text = read_text_file(path);
  if (!text) return text.failure();
  return parse_config(*text, path.string());
}

Result<std::vector<std::int64_t>> load_generation_eos_ids(const std::filesystem::path& model_dir) {
  const auto path = model_dir / "generation_config.json";
  std::error_code ignored;
  if (!std::filesystem::exists(path, ignored)) return std::vector<std::int64_t>{};
  auto text = read_text_file(path);
  if (!text) return text.failure();
  const json config = json::parse(*text, nullptr, false);
  if (config.is_discarded() || !config.is_object()) {
    return fail(ErrorCode::kParse, "not a valid JSON object", path.string());
  }
  const std::string where = path.string();
  return FieldReader(config, where).int_or_list("eos_token_id");
}

Result<std::vector<std::int64_t>> stop_token_ids(const std::filesystem::path& model_dir,
                                                 const LlamaConfig& config) {
  auto extra = load_generation_eos_ids(model_dir);
  if (!extra) return extra.failure();
  std::vector<std::int64_t> ids = config.eos_token_ids;
  for (const std::int64_t id : *extra) {
    if (std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
  }
  return ids;
}

}  // namespace mlbench::model
