#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "mlbench/model/config.h"
#include "mlbench/model/make_model.h"

namespace mlbench::model::testing {

// A Llama config small enough that a double-precision reference forward pass is instant. RoPE
// scaling uses a short original context so llama3's scaling changes angles at test positions.
inline LlamaConfig small_test_config(std::int64_t heads = 4, std::int64_t kv_heads = 2,
                                     bool tied = false, bool rope_scaling = true) {
  LlamaConfig c;
  c.hidden_size = 32;
  c.intermediate_size = 48;
  c.num_hidden_layers = 2;
  c.num_attention_heads = heads;
  c.num_key_value_heads = kv_heads;
  c.head_dim = 16;
  c.vocab_size = 64;
  c.max_position_embeddings = 256;
  c.rope_theta = 10000.0;
  c.rms_norm_eps = 1e-5;
  c.tie_word_embeddings = tied;
  c.rope_scaling = std::nullopt;
  if (rope_scaling) {
    c.rope_scaling = RopeScaling{.factor = 8.0,
                                 .low_freq_factor = 1.0,
                                 .high_freq_factor = 4.0,
                                 .original_max_position_embeddings = 16};
  }
  c.bos_token_id = 60;
  c.eos_token_ids = {61, 62};
  return c;
}

// Writes a random model; asserts on failure. Larger weights than make-model's default so that
// attention is far from uniform and mistakes show in the logits.
inline void write_test_model(const std::filesystem::path& dir, const LlamaConfig& config,
                             DType dtype = DType::kBF16, int shards = 1, std::uint64_t seed = 7) {
  RandomModelOptions options;
  options.dtype = dtype;
  options.shards = shards;
  options.seed = seed;
  options.std = 0.25;
  options.norm_jitter = 0.2;
  const auto written = write_random_model(dir, config, options);
  ASSERT_TRUE(written.ok()) << written.error().describe();
}

}  // namespace mlbench::model::testing
