#pragma once

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mlbench/core/result.h"

namespace mlbench::model {

// rope_scaling of type "llama3": stretches the low RoPE frequencies by `factor` so a model trained
// at `original_max_position_embeddings` reaches longer contexts (specs/llama.md).
struct RopeScaling {
  double factor = 8.0;
  double low_freq_factor = 1.0;
  double high_freq_factor = 4.0;
  std::int64_t original_max_position_embeddings = 8192;
};

// The fields of a Hugging Face Llama config.json that the forward pass depends on, plus the few
// that are copied through when we write one. Defaults are Llama-3.1-8B's.
struct LlamaConfig {
  std::int64_t hidden_size = 4096;
  std::int64_t intermediate_size = 14336;
  std::int64_t num_hidden_layers = 32;
  std::int64_t num_attention_heads = 32;
  std::int64_t num_key_value_heads = 8;
  std::int64_t head_dim = 128;
  std::int64_t vocab_size = 128256;
  std::int64_t max_position_embeddings = 131072;
  double rms_norm_eps = 1e-5;
  double rope_theta = 500000.0;
  std::optional<RopeScaling> rope_scaling = RopeScaling{};  // absent: plain RoPE
  bool tie_word_embeddings = false;
  std::string torch_dtype = "bfloat16";
  std::optional<std::int64_t> bos_token_id = 128000;
  std::vector<std::int64_t> eos_token_ids = {128001, 128008, 128009};
};

// Parses and validates config.json text. `where` names the file in errors. Fields the forward
// pass cannot honour (a non-silu activation, biases, another rope_type) are kUnsupported errors.
Result<LlamaConfig> parse_config(std::string_view json_text, std::string_view where);

// Reads DIR/config.json.
Result<LlamaConfig> load_config(const std::filesystem::path& model_dir);

// The config.json that parse_config reads back as `config`.
nlohmann::json config_to_json(const LlamaConfig& config);

// eos ids of DIR/generation_config.json, if that file exists (it may list more than config.json).
Result<std::vector<std::int64_t>> load_generation_eos_ids(const std::filesystem::path& model_dir);

// The ids decoding stops at: config.json's eos ids and those of DIR/generation_config.json,
// each once, in that order.
Result<std::vector<std::int64_t>> stop_token_ids(const std::filesystem::path& model_dir,
                                                 const LlamaConfig& config);

// Reads a whole small file (configs, index files) into a string.
Result<std::string> read_text_file(const std::filesystem::path& path);

}  // namespace mlbench::model
