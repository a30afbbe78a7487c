#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "mlbench/core/result.h"
#include "mlbench/model/config.h"
#include "mlbench/model/dtype.h"

namespace mlbench::model {

// Llama-3-shaped configs for random-weight models: "tiny" (~3.3 M parameters, vocab 512),
// "small" (~95 M, vocab 8192) and "llama-3.1-8b" (the real shapes, 16 GB in bf16). Like Llama 3,
// the special tokens sit at the top of the vocabulary: bos is its first, eos its 1st, 8th and
// 9th (<|end_of_text|>, <|eom_id|>, <|eot_id|>).
Result<LlamaConfig> preset_config(std::string_view preset);

struct RandomModelOptions {
  DType dtype = DType::kBF16;
  int shards = 1;  // 1: model.safetensors; more: model-0000i-of-0000K.safetensors plus an index
  std::uint64_t seed = 0;
  // Matrices and embeddings are N(0, std²); norm weights 1 + N(0, norm_jitter²). Small weights
  // keep activations sane; tests raise `std` so attention is far from uniform.
  double std = 0.02;
  double norm_jitter = 0.1;
  // Also write a tokenizer.json: byte-level BPE of Llama 3's kind trained on `tokenizer_text`,
  // or, when that is empty, on the sample articles compiled into the library (so an installed
  // binary needs no source tree and every build trains the same tokenizer). Regular tokens fill
  // the ids below bos_token_id; Llama 3's special tokens, in its order, the ids from there up.
  // Skipped when the config has no bos_token_id or fewer than 256 ids below it.
  bool write_tokenizer = true;
  std::vector<std::string> tokenizer_text;
};

// Writes config.json, generation_config.json, random weights with Llama-3 structure and (see
// RandomModelOptions) tokenizer.json into `dir` (created if needed). Each tensor's values depend
// only on the seed and its name, so a sharded copy holds exactly the same weights as a single-file
// one.
Result<void> write_random_model(const std::filesystem::path& dir, const LlamaConfig& config,
                                const RandomModelOptions& options);

}  // namespace mlbench::model
