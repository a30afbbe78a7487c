#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "mlbench/model/config.h"

#include "support/temp_dir.h"

namespace mlbench::model {
namespace {

using ::testing::HasSubstr;

// Llama-3.1-8B-Instruct's config.json as published.
constexpr const char* kLlama31 = R"({
  "architectures": ["LlamaForCausalLM"], "attention_bias": false, "attention_dropout": 0.0,
  "bos_token_id": 128000, "eos_token_id": [128001, 128008, 128009], "head_dim": 128,
  "hidden_act": "silu", "hidden_size": 4096, "initializer_range": 0.02,
  "intermediate_size": 14336, "max_position_embeddings": 131072, "mlp_bias": false,
  "model_type": "llama", "num_attention_heads": 32, "num_hidden_layers": 32,
  "num_key_value_heads": 8, "pretraining_tp": 1, "rms_norm_eps": 1e-05,
  "rope_scaling": {"factor": 8.0, "high_freq_factor": 4.0, "low_freq_factor": 1.0,
                   "original_max_position_embeddings": 8192, "rope_type": "llama3"},
  "rope_theta": 500000.0, "tie_word_embeddings": false, "torch_dtype": "bfloat16",
  "transformers_version": "4.43.0.dev0", "use_cache": true, "vocab_size": 128256})";

constexpr const char* kMinimal = R"({"hidden_size": 64, "intermediate_size": 128,
  "num_hidden_layers": 2, "num_attention_heads": 4, "vocab_size": 100, "rms_norm_eps": 1e-6,
  "rope_theta": 10000.0)";

std::string with(const std::string& extra) {
  return std::string(kMinimal) + ", " + extra + "}";
}

TEST(ConfigJson, ReadsLlama31) {
  const auto config = parse_config(kLlama31, "config.json");
  ASSERT_TRUE(config.ok()) << config.error().describe();
  EXPECT_EQ(config->hidden_size, 4096);
  EXPECT_EQ(config->intermediate_size, 14336);
  EXPECT_EQ(config->num_hidden_layers, 32);
  EXPECT_EQ(config->num_attention_heads, 32);
  EXPECT_EQ(config->num_key_value_heads, 8);
  EXPECT_EQ(config->head_dim, 128);
  EXPECT_EQ(config->vocab_size, 128256);
  EXPECT_EQ(config->max_position_embeddings, 131072);
  EXPECT_DOUBLE_EQ(config->rms_norm_eps, 1e-5);
  EXPECT_DOUBLE_EQ(config->rope_theta, 500000.0);
  ASSERT_TRUE(config->rope_scaling.has_value());
  EXPECT_DOUBLE_EQ(config->rope_scaling->factor, 8.0);
  EXPECT_DOUBLE_EQ(config->rope_scaling->low_freq_factor, 1.0);
  EXPECT_DOUBLE_EQ(config->rope_scaling->high_freq_factor, 4.0);
  EXPECT_EQ(config->rope_scaling->original_max_position_embeddings, 8192);
  EXPECT_FALSE(config->tie_word_embeddings);
  EXPECT_EQ(config->bos_token_id, 128000);
  EXPECT_EQ(config->eos_token_ids, (std::vector<std::int64_t>{128001, 128008, 128009}));
}

TEST(ConfigJson, DefaultsFollowTransformers) {
  const auto config = parse_config(std::string(kMinimal) + "}", "c");
  ASSERT_TRUE(config.ok()) << config.error().describe();
  EXPECT_EQ(config->num_key_value_heads, 4);  // no GQA unless asked
  EXPECT_EQ(config->head_dim, 16);            // hidden / heads
  EXPECT_FALSE(config->rope_scaling.has_value());
  EXPECT_FALSE(config->tie_word_embeddings);
  EXPECT_FALSE(config->bos_token_id.has_value());
  EXPECT_TRUE(config->eos_token_ids.empty());
}

TEST(ConfigJson, EosAsIntOrList) {
  EXPECT_EQ(parse_config(with(R"("eos_token_id": 7)"), "c")->eos_token_ids,
            std::vector<std::int64_t>{7});
  EXPECT_EQ(parse_config(with(R"("eos_token_id": [7, 9])"), "c")->eos_token_ids,
            (std::vector<std::int64_t>{7, 9}));
  EXPECT_TRUE(parse_config(with(R"("tie_word_embeddings": true)"), "c")->tie_word_embeddings);
  EXPECT_FALSE(parse_config(with(R"("rope_scaling": null)"), "c")->rope_scaling.has_value());
  EXPECT_FALSE(
      parse_config(with(R"("rope_scaling": {"rope_type": "default"})"), "c")->rope_scaling);
}

TEST(ConfigJson, ErrorsNameTheFileAndField) {
  struct Case {
    std::string text;
    std::string message;
    ErrorCode code = ErrorCode::kParse;
  };
  const std::vector<Case> cases = {
      {"{not json", "not valid JSON"},
      {"[1, 2]", "must be a JSON object"},
      {R"({"hidden_size": 64})", "missing required field 'intermediate_size'"},
      {with(R"("num_key_value_heads": 3)"), "multiple of 'num_key_value_heads'"},
      {with(R"("num_key_value_heads": 0)"), "'num_key_value_heads' must be a positive integer"},
      {with(R"("head_dim": 15)"), "'head_dim' must be even"},
      {with(R"("eos_token_id": "x")"), "'eos_token_id' must be a token id or a list"},
      {with(R"("eos_token_id": [1, -2])"), "'eos_token_id' must be a token id or a list"},
      {with(R"("tie_word_embeddings": 1)"), "'tie_word_embeddings' must be true or false"},
      {with(R"("rope_scaling": 3)"), "'rope_scaling' must be an object or null"},
      {with(R"("rope_scaling": {"rope_type": "llama3", "factor": 8})"),
       "missing required field 'low_freq_factor'"},
      {with(R"("rope_scaling": {"rope_type": "yarn", "factor": 8})"), "'yarn' is not supported",
       ErrorCode::kUnsupported},
      {with(R"("hidden_act": "gelu")"), "hidden_act 'gelu'", ErrorCode::kUnsupported},
      {with(R"("attention_bias": true)"), "'attention_bias: true'", ErrorCode::kUnsupported},
  };
  for (const Case& c : cases) {
    const auto config = parse_config(c.text, "dir/config.json");
    ASSERT_FALSE(config.ok()) << c.text;
    EXPECT_THAT(config.error().message, HasSubstr(c.message)) << c.text;
    EXPECT_EQ(config.error().where, "dir/config.json");
    EXPECT_EQ(config.error().code, c.code) << c.text;
  }
}

TEST(ConfigJson, LoadsFromADirectoryWithGenerationConfig) {
  mlbench::testing::TempDir dir;
  EXPECT_EQ(load_config(dir.path()).error().code, ErrorCode::kNotFound);
  EXPECT_TRUE(load_generation_eos_ids(dir.path())->empty());  // optional file
  dir.write("config.json", kLlama31);
  dir.write("generation_config.json", R"({"eos_token_id": [1, 2], "do_sample": true})");
  EXPECT_TRUE(load_config(dir.path()).ok());
  EXPECT_EQ(*load_generation_eos_ids(dir.path()), (std::vector<std::int64_t>{1, 2}));
  dir.write("generation_config.json", "{");
  EXPECT_FALSE(load_generation_eos_ids(dir.path()).ok());
}

}  // namespace
}  // namespace mlbench::model
