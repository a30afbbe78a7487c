#include "mlbench/model/weights.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "mlbench/model/forward_cpu.h"
#include "mlbench/model/safetensors_writer.h"

#include "model/test_models.h"
#include "support/temp_dir.h"

namespace mlbench::model {
namespace {

using model::testing::small_test_config;
using model::testing::write_test_model;
using ::testing::HasSubstr;

void zeros(const TensorSpec&, std::span<std::byte> out) {
  std::fill(out.begin(), out.end(), std::byte{0});
}

// A model directory holding `specs` in one file, with config.json for `config`.
void write_dir(const mlbench::testing::TempDir& dir, const LlamaConfig& config,
               const std::vector<TensorSpec>& specs) {
  dir.write("config.json", config_to_json(config).dump());
  ASSERT_TRUE(write_safetensors(dir.path() / "model.safetensors", specs, zeros).ok());
}

Error load_error(const std::filesystem::path& dir) {
  auto weights = ModelWeights::load(dir);
  if (weights.ok()) return Error{ErrorCode::kInternal, "loaded fine", ""};
  return weights.error();
}

TEST(Weights, ExpectedTensorsFollowTheConfig) {
  auto config = small_test_config(4, 2, /*tied=*/false);
  const auto untied = expected_tensors(config, DType::kBF16);
  EXPECT_EQ(untied.size(), 1 + 9 * 2 + 1 + 1U);
  EXPECT_EQ(untied.back().name, "lm_head.weight");
  EXPECT_EQ(untied[2].name, "model.layers.0.self_attn.q_proj.weight");
  EXPECT_EQ(untied[2].shape, (std::vector<std::int64_t>{64, 32}));
  EXPECT_EQ(untied[3].shape, (std::vector<std::int64_t>{32, 32}));  // k: 2 kv heads × 16
  config.tie_word_embeddings = true;
  EXPECT_EQ(expected_tensors(config, DType::kBF16).back().name, "model.norm.weight");
}

TEST(Weights, LoadsAGeneratedModel) {
  mlbench::testing::TempDir dir;
  write_test_model(dir.path(), small_test_config(4, 2, /*tied=*/true));
  const auto weights = ModelWeights::load(dir.path());
  ASSERT_TRUE(weights.ok()) << weights.error().describe();
  EXPECT_EQ(weights->layers().size(), 2U);
  EXPECT_EQ(weights->lm_head().data, weights->embedding().data);  // tied
  EXPECT_EQ(weights->layers()[1].down.rows, 32);
  EXPECT_EQ(weights->layers()[1].down.cols, 48);
  EXPECT_EQ(weights->final_norm().size(), 32U);
  // q, k, v, o, gate, up, down per layer and the (tied) head, in bf16, plus one embedding row.
  const std::uint64_t per_layer = (64 * 32 + 32 * 32 * 2 + 32 * 64 + 48 * 32 * 3) * 2;
  EXPECT_EQ(weights->bytes_per_decode_step(), 2 * per_layer + 64 * 32 * 2 + 32 * 2);
}

TEST(Weights, ShardedLoadsTheSameAsSingleFile) {
  mlbench::testing::TempDir single, sharded;
  const auto config = small_test_config(8, 2);
  write_test_model(single.path(), config, DType::kBF16, 1);
  write_test_model(sharded.path(), config, DType::kBF16, 3);
  EXPECT_TRUE(std::filesystem::exists(sharded.path() / "model-00003-of-00003.safetensors"));
  EXPECT_TRUE(std::filesystem::exists(sharded.path() / "model.safetensors.index.json"));
  auto a = ModelWeights::load(single.path());
  auto b = ModelWeights::load(sharded.path());
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->file_count(), 1U);
  EXPECT_EQ(b->file_count(), 3U);
  for (const TensorSpec& spec : expected_tensors(config, DType::kBF16)) {
    const TensorView* x = a->tensor(spec.name);
    const TensorView* y = b->tensor(spec.name);
    ASSERT_TRUE(x && y) << spec.name;
    ASSERT_TRUE(std::equal(x->data.begin(), x->data.end(), y->data.begin(), y->data.end()))
        << spec.name;
  }
  CpuModel ma(std::move(*a), {.threads = 1});
  CpuModel mb(std::move(*b), {.threads = 1});
  const std::vector<std::int32_t> tokens = {1, 2, 3, 4};
  KvCache ca, cb;
  const SequenceStep sa{&ca, tokens}, sb{&cb, tokens};
  EXPECT_EQ(*ma.forward({&sa, 1}), *mb.forward({&sb, 1}));
}

TEST(Weights, MissingUnexpectedAndMisshapenTensors) {
  const auto config = small_test_config(4, 2);
  const auto specs = expected_tensors(config, DType::kBF16);
  {
    mlbench::testing::TempDir dir;
    auto fewer = specs;
    fewer.erase(fewer.begin() + 5);  // model.layers.0.self_attn.o_proj.weight
    write_dir(dir, config, fewer);
    const Error error = load_error(dir.path());
    EXPECT_EQ(error.code, ErrorCode::kNotFound);
    EXPECT_THAT(error.message,
                HasSubstr("missing tensor 'model.layers.0.self_attn.o_proj.weight'"));
    EXPECT_EQ(error.where, dir.path().string());
  }
  {
    mlbench::testing::TempDir dir;
    auto more = specs;
    more.push_back({"model.layers.9.extra.weight", DType::kF32, {3}});
    write_dir(dir, config, more);
    EXPECT_THAT(load_error(dir.path()).message,
                HasSubstr("unexpected tensor 'model.layers.9.extra.weight'"));
  }
  {
    mlbench::testing::TempDir dir;
    auto tied = config;
    tied.tie_word_embeddings = true;
    write_dir(dir, tied, specs);  // still has lm_head.weight
    EXPECT_THAT(load_error(dir.path()).message, HasSubstr("unexpected tensor 'lm_head.weight'"));
  }
  {
    mlbench::testing::TempDir dir;
    auto wrong = specs;
    wrong[3].shape = {16, 32};  // k_proj for one kv head instead of two
    write_dir(dir, config, wrong);
    EXPECT_THAT(load_error(dir.path()).message,
                HasSubstr("tensor 'model.layers.0.self_attn.k_proj.weight' has shape [16, 32] "
                          "but config.json implies [32, 32]"));
  }
  {
    mlbench::testing::TempDir dir;
    auto mixed = specs;
    mixed[1].dtype = DType::kF32;  // dtypes may differ per tensor
    write_dir(dir, config, mixed);
    EXPECT_TRUE(ModelWeights::load(dir.path()).ok());
  }
}

TEST(Weights, DirectoryAndIndexErrors) {
  const auto config = small_test_config(4, 2);
  {
    mlbench::testing::TempDir dir;
    EXPECT_EQ(load_error(dir.path()).code, ErrorCode::kNotFound);  // no config.json
    dir.write("config.json", config_to_json(config).dump());
    const Error error = load_error(dir.path());
    EXPECT_EQ(error.code, ErrorCode::kNotFound);
    EXPECT_THAT(error.message, HasSubstr("no model.safetensors"));
  }
  const auto with_index = [&](const std::function<void(nlohmann::json&)>& edit) {
    auto dir = std::make_unique<mlbench::testing::TempDir>();
    write_test_model(dir->path(), config, DType::kBF16, 2);
    const auto index_path = dir->path() / "model.safetensors.index.json";
    auto index = nlohmann::json::parse(mlbench::testing::read_file(index_path));
    edit(index);
    dir->write("model.safetensors.index.json", index.dump());
    return dir;
  };
  const std::string first = "model-00001-of-00002.safetensors";
  const std::string second = "model-00002-of-00002.safetensors";
  {
    const auto dir = with_index([&](nlohmann::json& index) {
      index["weight_map"]["model.norm.weight"] = "../escape.safetensors";
    });
    EXPECT_THAT(load_error(dir->path()).message,
                HasSubstr("weight_map['model.norm.weight'] must be a file name"));
  }
  {
    const auto dir = with_index([&](nlohmann::json& index) {
      index["weight_map"]["model.norm.weight"] = "model-00009-of-00009.safetensors";
    });
    const Error error = load_error(dir->path());
    EXPECT_EQ(error.code, ErrorCode::kNotFound);
    EXPECT_THAT(error.where, HasSubstr("model-00009-of-00009.safetensors"));
  }
  {
    // The index sends a tensor to the other shard: that shard lacks it, and the shard holding it
    // holds an unlisted tensor. Either is reported, naming tensor and file.
    const auto dir = with_index(
        [&](nlohmann::json& index) { index["weight_map"]["model.embed_tokens.weight"] = second; });
    const Error error = load_error(dir->path());
    EXPECT_THAT(error.message, HasSubstr("'model.embed_tokens.weight'"));
    EXPECT_THAT(error.where, HasSubstr(".safetensors"));
  }
  {
    const auto dir =
        with_index([&](nlohmann::json& index) { index["weight_map"].erase("model.norm.weight"); });
    EXPECT_THAT(load_error(dir->path()).message,
                HasSubstr("tensor 'model.norm.weight' is not listed for this file"));
  }
  {
    const auto dir = with_index(
        [&](nlohmann::json& index) { index["weight_map"]["model.layers.7.ghost.weight"] = first; });
    EXPECT_THAT(load_error(dir->path()).message,
                HasSubstr("places tensor 'model.layers.7.ghost.weight' in " + first));
  }
  {
    const auto dir = with_index([&](nlohmann::json& index) { index = {{"metadata", {}}}; });
    EXPECT_THAT(load_error(dir->path()).message, HasSubstr("missing object 'weight_map'"));
  }
  {
    mlbench::testing::TempDir dir;
    write_test_model(dir.path(), config, DType::kBF16, 2);
    dir.write("model.safetensors.index.json", "{oops");
    EXPECT_EQ(load_error(dir.path()).code, ErrorCode::kParse);
  }
}

TEST(Weights, ACorruptShardIsReportedByName) {
  mlbench::testing::TempDir dir;
  write_test_model(dir.path(), small_test_config(4, 2), DType::kBF16, 2);
  const auto shard = dir.path() / "model-00002-of-00002.safetensors";
  const std::string bytes = mlbench::testing::read_file(shard);
  dir.write("model-00002-of-00002.safetensors", bytes.substr(0, bytes.size() - 10));
  const Error error = load_error(dir.path());
  EXPECT_EQ(error.where, shard.string());
  EXPECT_THAT(error.message, HasSubstr("lie outside the data block"));
}

}  // namespace
}  // namespace mlbench::model
