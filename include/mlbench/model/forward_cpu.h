#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <vector>

#include "mlbench/core/result.h"
#include "mlbench/model/weights.h"

namespace mlbench::model {

class ThreadPool;

// The keys and values one sequence has produced so far, fp32, per layer laid out as
// [position][num_key_value_heads · head_dim] (after RoPE). Position i of the cache is token i of
// the sequence; `length` tokens are in it. Clear it to start the sequence over.
struct KvCache {
  std::int64_t length = 0;
  std::vector<std::vector<float>> keys;    // one per layer
  std::vector<std::vector<float>> values;  // one per layer

  void clear() { *this = KvCache{}; }
};

// One sequence's share of a forward call: the tokens to append to it (a whole prompt when
// prefilling, one token when decoding) and the cache holding what came before.
struct SequenceStep {
  KvCache* cache = nullptr;
  std::span<const std::int32_t> tokens;
};

struct CpuOptions {
  int threads = 0;  // 0: one per hardware thread
};

// Llama forward pass on the CPU with Hugging Face semantics: fp32 arithmetic over the mapped
// bf16/f16/f32 weights. The matrix products are split over a thread pool by output row.
//
// forward() takes any number of sequences at once, each with its own cache, and runs all their
// new tokens through every weight matrix together — a prompt's prefill and a batch of decode
// steps are the same call — so a continuous-batching engine can step many sequences together.
class CpuModel {
 public:
  static Result<CpuModel> load(const std::filesystem::path& model_dir,
                               const CpuOptions& options = {});
  explicit CpuModel(ModelWeights weights, const CpuOptions& options = {});
  CpuModel(CpuModel&&) noexcept;
  CpuModel& operator=(CpuModel&&) noexcept;
  ~CpuModel();

  const LlamaConfig& config() const { return weights_.config(); }
  const ModelWeights& weights() const { return weights_; }
  int threads() const;

  // Appends each step's tokens to its cache and returns the logits at each step's last new
  // token: steps.size() rows of vocab_size floats. Fails, leaving every cache unchanged, on an
  // empty step, a token outside the vocabulary, a cache used twice, or a sequence longer than
  // max_position_embeddings.
  Result<std::vector<float>> forward(std::span<const SequenceStep> steps);

 private:
  Result<void> check(std::span<const SequenceStep> steps) const;

  ModelWeights weights_;
  std::vector<float> inv_freq_;  // RoPE frequencies after llama3 scaling
  std::unique_ptr<ThreadPool> pool_;
};

}  // namespace mlbench::model
