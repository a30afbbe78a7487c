#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "mlbench/core/result.h"
#include "mlbench/model/config.h"
#include "mlbench/model/safetensors.h"
#include "mlbench/model/safetensors_writer.h"

namespace mlbench::model {

// A row-major [rows, cols] = [out, in] weight matrix read in place from a mapped file.
struct Matrix {
  DType dtype = DType::kBF16;
  const std::byte* data = nullptr;
  std::int64_t rows = 0;
  std::int64_t cols = 0;

  std::size_t byte_size() const {
    return static_cast<std::size_t>(rows * cols) * dtype_size(dtype);
  }
  float at(std::int64_t row, std::int64_t col) const {
    return load_element(dtype, data, static_cast<std::size_t>(row * cols + col));
  }
};

struct LayerWeights {
  std::vector<float> input_norm;      // input_layernorm, widened to fp32 at load
  std::vector<float> post_attn_norm;  // post_attention_layernorm
  Matrix q, k, v, o;
  Matrix gate, up, down;
};

// Every tensor a Llama checkpoint with `config` holds, in the order Hugging Face lists them, with
// the shapes config.json implies. lm_head.weight is absent when the embeddings are tied.
std::vector<TensorSpec> expected_tensors(const LlamaConfig& config, DType dtype);

// A checkpoint directory (config.json plus model.safetensors, or model.safetensors.index.json and
// its shards), mapped and checked against config.json: every expected tensor present once with
// the right shape, nothing unexpected. Owns the mappings the Matrix views point into.
class ModelWeights {
 public:
  static Result<ModelWeights> load(const std::filesystem::path& model_dir);

  const LlamaConfig& config() const { return config_; }
  const Matrix& embedding() const { return embedding_; }
  const Matrix& lm_head() const { return lm_head_; }  // the embedding when tied
  std::span<const LayerWeights> layers() const { return layers_; }
  const std::vector<float>& final_norm() const { return final_norm_; }

  // Any tensor by its checkpoint name; nullptr if absent. For tests and tools.
  const TensorView* tensor(const std::string& name) const;
  std::size_t file_count() const { return files_.size(); }

  // Weight bytes one decode step streams from memory: every matrix once, plus one embedding row.
  std::uint64_t bytes_per_decode_step() const;

 private:
  ModelWeights() = default;
  Result<void> bind(const std::filesystem::path& model_dir);

  LlamaConfig config_;
  std::vector<std::unique_ptr<SafetensorsFile>> files_;  // stable addresses for the views
  std::map<std::string, const TensorView*> tensors_;
  Matrix embedding_;
  Matrix lm_head_;
  std::vector<LayerWeights> layers_;
  std::vector<float> final_norm_;
};

}  // namespace mlbench::model
