#include "mlbench/model/make_model.h"

#include <fmt/format.h>

#include <cmath>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <numbers>

#include "mlbench/dataset/articles.h"
#include "mlbench/model/safetensors_writer.h"
#include "mlbench/model/tokenizer.h"
#include "mlbench/model/weights.h"

namespace mlbench::model {
namespace {

std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// Our own generator and Box-Muller transform rather than <random>'s distributions, whose
// output differs between standard libraries: a seed must mean the same model everywhere.
class NormalStream {
 public:
  explicit NormalStream(std::uint64_t seed) : state_(seed) {}

  double next() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    // u1 in (0, 1] so the log is finite.
    const double u1 = static_cast<double>((splitmix64(state_) >> 11) + 1) * 0x1.0p-53;
    const double u2 = static_cast<double>(splitmix64(state_) >> 11) * 0x1.0p-53;
    const double radius = std::sqrt(-2.0 * std::log(u1));
    const double angle = 2.0 * std::numbers::pi * u2;
    spare_ = radius * std::sin(angle);
    has_spare_ = true;
    return radius * std::cos(angle);
  }

 private:
  std::uint64_t state_;
  double spare_ = 0.0;
  bool has_spare_ = false;
};

std::uint64_t tensor_seed(std::uint64_t seed, std::string_view name) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;  // FNV-1a
  for (char c : name)
    hash = (hash ^ static_cast<unsigned char>(c)) * 0x100000001b3ULL;
  std::uint64_t state = seed ^ hash;
  return splitmix64(state);
}

void store(DType dtype, float value, std::byte* out) {
  if (dtype == DType::kF32) {
    std::memcpy(out, &value, 4);
    return;
  }
  const std::uint16_t bits = dtype == DType::kBF16 ? f32_to_bf16(value) : f32_to_f16(value);
  std::memcpy(out, &bits, 2);
}

// Consecutive runs of tensors of about equal byte size, at most `shards` of them.
std::vector<std::vector<TensorSpec>> split_into_shards(const std::vector<TensorSpec>& specs,
                                                       int shards) {
  std::uint64_t total = 0;
  for (const TensorSpec& spec : specs)
    total += spec.byte_size();
  std::vector<std::vector<TensorSpec>> groups(1);
  std::uint64_t done = 0;
  for (const TensorSpec& spec : specs) {
    const auto target = total * groups.size() / static_cast<std::uint64_t>(shards);
    if (!groups.back().empty() && done >= target &&
        groups.size() < static_cast<std::size_t>(shards)) {
      groups.emplace_back();
    }
    groups.back().push_back(spec);
    done += spec.byte_size();
  }
  return groups;
}

Result<void> write_text(const std::filesystem::path& path, std::string_view text) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "wb"),
                                                       &std::fclose);
  if (!file || std::fwrite(text.data(), 1, text.size(), file.get()) != text.size() ||
      std::fflush(file.get()) != 0) {
    return fail(ErrorCode::kIo, "cannot write file", path.string());
  }
  return {};
}

Result<void> write_json(const std::filesystem::path& path, const nlohmann::json& value) {
  return write_text(path, value.dump(2) + "\n");
}

// The sample articles and their summaries: English news prose, like the prompts the model sees.
std::vector<std::string> sample_training_text() {
  std::vector<std::string> texts;
  for (dataset::Article& article : dataset::sample_articles()) {
    texts.push_back(std::move(article.article));
    texts.push_back(std::move(article.summary));
  }
  return texts;
}

Result<void> write_tokenizer(const std::filesystem::path& dir, const LlamaConfig& config,
                             const RandomModelOptions& options) {
  if (!config.bos_token_id || *config.bos_token_id < 256 ||
      *config.bos_token_id >= config.vocab_size) {
    return {};
  }
  const BpeTrainingOptions training{
      .vocab_size = static_cast<std::size_t>(config.vocab_size),
      .special_tokens = static_cast<std::size_t>(config.vocab_size - *config.bos_token_id)};
  auto text = options.tokenizer_text.empty()
                  ? train_byte_level_bpe(sample_training_text(), training)
                  : train_byte_level_bpe(options.tokenizer_text, training);
  if (!text)
    return fail(text.error().code, text.error().message, (dir / "tokenizer.json").string());
  return write_text(dir / "tokenizer.json", *text);
}

}  // namespace

Result<LlamaConfig> preset_config(std::string_view preset) {
  LlamaConfig config;  // llama-3.1-8b's shapes
  const auto specials_at = [&config](std::int64_t first) {
    config.bos_token_id = first;
    config.eos_token_ids = {first + 1, first + 8, first + 9};
  };
  if (preset == "llama-3.1-8b") return config;
  if (preset == "tiny") {
    config.hidden_size = 256;
    config.intermediate_size = 768;
    config.num_hidden_layers = 4;
    config.num_attention_heads = 8;
    config.num_key_value_heads = 2;
    config.head_dim = 32;
    config.vocab_size = 512;
    specials_at(496);  // 16 special tokens
    return config;
  }
  if (preset == "small") {
    config.hidden_size = 768;
    config.intermediate_size = 2304;
    config.num_hidden_layers = 12;
    config.num_attention_heads = 12;
    config.num_key_value_heads = 4;
    config.head_dim = 64;
    config.vocab_size = 8192;
    specials_at(8192 - 256);
    return config;
  }
  return fail(ErrorCode::kInvalidArgument,
              fmt::format("unknown preset '{}' (tiny, small, llama-3.1-8b)", preset));
}

Result<void> write_random_model(const std::filesystem::path& dir, const LlamaConfig& config,
                                const RandomModelOptions& options) {
  if (options.shards < 1) return fail(ErrorCode::kInvalidArgument, "--shards must be at least 1");
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error)
    return fail(ErrorCode::kIo, fmt::format("cannot create: {}", error.message()), dir.string());

  LlamaConfig written = config;
  written.torch_dtype = options.dtype == DType::kF32   ? "float32"
                        : options.dtype == DType::kF16 ? "float16"
                                                       : "bfloat16";
  if (auto ok = write_json(dir / "config.json", config_to_json(written)); !ok) return ok;
  nlohmann::json generation = {{"do_sample", false}, {"eos_token_id", written.eos_token_ids}};
  if (written.bos_token_id) generation["bos_token_id"] = *written.bos_token_id;
  if (auto ok = write_json(dir / "generation_config.json", generation); !ok) return ok;
  if (options.write_tokenizer) {
    if (auto ok = write_tokenizer(dir, config, options); !ok) return ok;
  }

  const auto fill = [&options](const TensorSpec& spec, std::span<std::byte> out) {
    NormalStream normal(tensor_seed(options.seed, spec.name));
    const bool is_norm = spec.shape.size() == 1;
    const std::size_t size = dtype_size(spec.dtype);
    for (std::size_t i = 0; i * size < out.size(); ++i) {
      const double value =
          is_norm ? 1.0 + options.norm_jitter * normal.next() : options.std * normal.next();
      store(spec.dtype, static_cast<float>(value), out.data() + i * size);
    }
  };

  const auto specs = expected_tensors(config, options.dtype);
  if (options.shards == 1) return write_safetensors(dir / "model.safetensors", specs, fill);
  const auto groups = split_into_shards(specs, options.shards);
  nlohmann::json weight_map = nlohmann::json::object();
  std::uint64_t total = 0;
  for (std::size_t i = 0; i < groups.size(); ++i) {
    const std::string name =
        fmt::format("model-{:05d}-of-{:05d}.safetensors", i + 1, groups.size());
    for (const TensorSpec& spec : groups[i]) {
      weight_map[spec.name] = name;
      total += spec.byte_size();
    }
    if (auto ok = write_safetensors(dir / name, groups[i], fill); !ok) return ok;
  }
  return write_json(dir / "model.safetensors.index.json",
                    {{"metadata", {{"total_size", total}}}, {"weight_map", weight_map}});
}

}  // namespace mlbench::model
