#include "mlbench/model/weights.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <nlohmann/json.hpp>
#include <set>

#include "model/assign.h"

namespace mlbench::model {
namespace {

using nlohmann::json;

constexpr const char* kSingleFile = "model.safetensors";
constexpr const char* kIndexFile = "model.safetensors.index.json";

// Shard names come from the index file; anything but a plain file name could point outside the
// model directory.
bool is_plain_file_name(const std::string& name) {
  return !name.empty() && name.find('/') == std::string::npos && name != "." && name != "..";
}

Result<std::map<std::string, std::string>> read_weight_map(const std::filesystem::path& path) {
  const std::string where = path.string();
  MLBENCH_ASSIGN(text, read_text_file(path));
  const json index = json::parse(text, nullptr, false);
  if (index.is_discarded() || !index.is_object()) {
    return fail(ErrorCode::kParse, "not a valid JSON object", where);
  }
  if (!index.contains("weight_map") || !index["weight_map"].is_object()) {
    return fail(ErrorCode::kParse, "missing object 'weight_map'", where);
  }
  std::map<std::string, std::string> map;
  for (const auto& [name, file] : index["weight_map"].items()) {
    if (!file.is_string() || !is_plain_file_name(file.get<std::string>())) {
      return fail(ErrorCode::kParse,
                  fmt::format("weight_map['{}'] must be a file name in the model directory", name),
                  where);
    }
    map[name] = file.get<std::string>();
  }
  return map;
}

std::vector<float> widen(const TensorView& view) {
  std::vector<float> out(static_cast<std::size_t>(view.numel()));
  for (std::size_t i = 0; i < out.size(); ++i)
    out[i] = load_element(view.dtype, view.data.data(), i);
  return out;
}

Matrix as_matrix(const TensorView& view) {
  return {view.dtype, view.data.data(), view.shape[0], view.shape[1]};
}

}  // namespace

std::vector<TensorSpec> expected_tensors(const LlamaConfig& c, DType dtype) {
  const std::int64_t q_dim = c.num_attention_heads * c.head_dim;
  const std::int64_t kv_dim = c.num_key_value_heads * c.head_dim;
  std::vector<TensorSpec> specs;
  specs.push_back({"model.embed_tokens.weight", dtype, {c.vocab_size, c.hidden_size}});
  for (std::int64_t i = 0; i < c.num_hidden_layers; ++i) {
    const std::string p = fmt::format("model.layers.{}.", i);
    specs.push_back({p + "input_layernorm.weight", dtype, {c.hidden_size}});
    specs.push_back({p + "self_attn.q_proj.weight", dtype, {q_dim, c.hidden_size}});
    specs.push_back({p + "self_attn.k_proj.weight", dtype, {kv_dim, c.hidden_size}});
    specs.push_back({p + "self_attn.v_proj.weight", dtype, {kv_dim, c.hidden_size}});
    specs.push_back({p + "self_attn.o_proj.weight", dtype, {c.hidden_size, q_dim}});
    specs.push_back({p + "post_attention_layernorm.weight", dtype, {c.hidden_size}});
    specs.push_back({p + "mlp.gate_proj.weight", dtype, {c.intermediate_size, c.hidden_size}});
    specs.push_back({p + "mlp.up_proj.weight", dtype, {c.intermediate_size, c.hidden_size}});
    specs.push_back({p + "mlp.down_proj.weight", dtype, {c.hidden_size, c.intermediate_size}});
  }
  specs.push_back({"model.norm.weight", dtype, {c.hidden_size}});
  if (!c.tie_word_embeddings) {
    specs.push_back({"lm_head.weight", dtype, {c.vocab_size, c.hidden_size}});
  }
  return specs;
}

Result<ModelWeights> ModelWeights::load(const std::filesystem::path& model_dir) {
  ModelWeights weights;
  MLBENCH_ASSIGN(config, load_config(model_dir));
  weights.config_ = std::move(config);
  if (auto bound = weights.bind(model_dir); !bound) return bound.failure();
  return weights;
}

Result<void> ModelWeights::bind(const std::filesystem::path& model_dir) {
  std::error_code ignored;
  const auto index_path = model_dir / kIndexFile;
  std::map<std::string, std::string> weight_map;  // empty for a single-file checkpoint
  std::vector<std::string> file_names;
  if (std::filesystem::exists(index_path, ignored)) {
    MLBENCH_ASSIGN(map, read_weight_map(index_path));
    weight_map = std::move(map);
    std::set<std::string> unique;
    for (const auto& [name, file] : weight_map)
      unique.insert(file);
    file_names.assign(unique.begin(), unique.end());
  } else if (std::filesystem::exists(model_dir / kSingleFile, ignored)) {
    file_names.push_back(kSingleFile);
  } else {
    return fail(ErrorCode::kNotFound,
                fmt::format("no {} or {} in the model directory", kSingleFile, kIndexFile),
                model_dir.string());
  }

  // Open every shard before cross-checking, so a missing shard is reported as such rather than
  // as a stray tensor in another one.
  for (const std::string& file_name : file_names) {
    MLBENCH_ASSIGN(file, SafetensorsFile::open(model_dir / file_name));
    files_.push_back(std::make_unique<SafetensorsFile>(std::move(file)));
  }
  for (std::size_t f = 0; f < files_.size(); ++f) {
    const std::string& file_name = file_names[f];
    const SafetensorsFile& shard = *files_[f];
    for (const auto& [name, view] : shard.tensors()) {
      // With an index, a tensor the index places elsewhere (or nowhere) is a stray copy.
      const auto listed = weight_map.find(name);
      if (!weight_map.empty() && (listed == weight_map.end() || listed->second != file_name)) {
        return fail(ErrorCode::kParse,
                    fmt::format("tensor '{}' is not listed for this file in {}", name, kIndexFile),
                    shard.path().string());
      }
      tensors_[name] = &view;
    }
  }
  for (const auto& [name, file_name] : weight_map) {
    if (!tensors_.contains(name)) {
      return fail(ErrorCode::kParse,
                  fmt::format("{} places tensor '{}' in {}, which does not hold it", kIndexFile,
                              name, file_name),
                  (model_dir / file_name).string());
    }
  }

  const auto expected = expected_tensors(config_, DType::kBF16);
  std::set<std::string> expected_names;
  for (const TensorSpec& spec : expected) {
    expected_names.insert(spec.name);
    const auto it = tensors_.find(spec.name);
    if (it == tensors_.end()) {
      return fail(ErrorCode::kNotFound, fmt::format("missing tensor '{}'", spec.name),
                  model_dir.string());
    }
    if (it->second->shape != spec.shape) {
      return fail(ErrorCode::kParse,
                  fmt::format("tensor '{}' has shape [{}] but config.json implies [{}]", spec.name,
                              fmt::join(it->second->shape, ", "), fmt::join(spec.shape, ", ")),
                  model_dir.string());
    }
  }
  for (const auto& [name, view] : tensors_) {
    if (!expected_names.contains(name)) {
      return fail(ErrorCode::kParse, fmt::format("unexpected tensor '{}'", name),
                  model_dir.string());
    }
  }

  embedding_ = as_matrix(*tensors_.at("model.embed_tokens.weight"));
  lm_head_ = config_.tie_word_embeddings ? embedding_ : as_matrix(*tensors_.at("lm_head.weight"));
  final_norm_ = widen(*tensors_.at("model.norm.weight"));
  for (std::int64_t i = 0; i < config_.num_hidden_layers; ++i) {
    const std::string p = fmt::format("model.layers.{}.", i);
    const auto m = [&](const char* name) { return as_matrix(*tensors_.at(p + name)); };
    LayerWeights layer;
    layer.input_norm = widen(*tensors_.at(p + "input_layernorm.weight"));
    layer.post_attn_norm = widen(*tensors_.at(p + "post_attention_layernorm.weight"));
    layer.q = m("self_attn.q_proj.weight");
    layer.k = m("self_attn.k_proj.weight");
    layer.v = m("self_attn.v_proj.weight");
    layer.o = m("self_attn.o_proj.weight");
    layer.gate = m("mlp.gate_proj.weight");
    layer.up = m("mlp.up_proj.weight");
    layer.down = m("mlp.down_proj.weight");
    layers_.push_back(std::move(layer));
  }
  return {};
}

const TensorView* ModelWeights::tensor(const std::string& name) const {
  const auto it = tensors_.find(name);
  return it == tensors_.end() ? nullptr : it->second;
}

std::uint64_t ModelWeights::bytes_per_decode_step() const {
  std::uint64_t bytes = lm_head_.byte_size();
  bytes += static_cast<std::uint64_t>(embedding_.cols) * dtype_size(embedding_.dtype);
  for (const LayerWeights& layer : layers_) {
    for (const Matrix* m :
         {&layer.q, &layer.k, &layer.v, &layer.o, &layer.gate, &layer.up, &layer.down}) {
      bytes += m->byte_size();
    }
  }
  return bytes;
}

}  // namespace mlbench::model
