#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "mlbench/core/result.h"
#include "mlbench/model/config.h"

namespace mlbench::model {

// A backend's name for one sequence's KV cache. The batching engine hands out fresh ids, so a
// backend never sees one reused while its cache is alive.
using SequenceId = std::uint64_t;

// One sequence's share of a backend step: the tokens to append to it (a prompt or a chunk of
// one when prefilling, the last generated token when decoding).
struct BackendStep {
  SequenceId sequence = 0;
  std::span<const std::int32_t> tokens;
};

// What the batching engine needs of a model, and all it needs: one forward step over many
// sequences at once, picking each sequence's greedy next token. Returning token ids rather than
// logits lets a GPU backend take the argmax on the device and copy back only the ids. The
// backend owns the KV caches, keyed by sequence id. Used from one thread at a time.
class InferenceBackend {
 public:
  virtual ~InferenceBackend() = default;

  virtual const LlamaConfig& config() const = 0;

  // Appends each step's tokens to its sequence's cache (an id not seen before starts an empty
  // one) and returns, per step in order, the argmax of the logits at that step's last new token,
  // ties to the lowest id. A sequence's result must not depend on which other sequences share
  // the step. Fails, leaving every cache unchanged, on an empty step, a token outside the
  // vocabulary, a sequence named twice or one longer than max_position_embeddings.
  virtual Result<std::vector<std::int32_t>> forward(std::span<const BackendStep> steps) = 0;

  // Frees the sequence's cache. An id without one is ignored.
  virtual void release(SequenceId sequence) = 0;

  // How many sequences have a cache now (for tests and leak checks).
  virtual std::size_t live_sequences() const = 0;
};

// The checks every backend makes of one step's tokens before touching a cache: not empty, and
// every id inside the vocabulary.
Result<void> check_step_tokens(std::span<const std::int32_t> tokens, const LlamaConfig& config);

}  // namespace mlbench::model
