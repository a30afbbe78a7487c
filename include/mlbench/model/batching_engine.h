#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "mlbench/core/result.h"
#include "mlbench/model/backend.h"

namespace mlbench::model {

struct EngineOptions {
  int max_batch_size = 16;                  // sequences in flight (holding a cache) at once
  std::int64_t max_step_tokens = 512;       // tokens one step may run; at least max_batch_size
  int max_new_tokens = 128;                 // per request unless the request says otherwise
  std::vector<std::int64_t> eos_token_ids;  // a sequence stops after emitting any of these
};

// A prompt to decode greedily. `id` is the caller's; the engine's events quote it back.
struct EngineRequest {
  std::uint64_t id = 0;
  std::vector<std::int32_t> prompt;
  int max_new_tokens = 0;  // 0: EngineOptions::max_new_tokens
};

enum class FinishReason { kEos, kMaxNewTokens, kContextFull };
std::string_view to_string(FinishReason reason);

struct FirstToken {
  std::uint64_t id = 0;
  std::int32_t token = 0;
};

struct FinishedRequest {
  std::uint64_t id = 0;
  std::vector<std::int32_t> tokens;  // the new tokens, at least one; a stopping eos included
  FinishReason reason = FinishReason::kMaxNewTokens;
};

// What one step did. A request whose prefill ended in this step is in `first_tokens`; if that
// token also ended it, it is in `finished` as well.
struct StepReport {
  std::vector<FirstToken> first_tokens;
  std::vector<FinishedRequest> finished;
  std::int64_t prefill_tokens = 0;  // prompt tokens run
  std::int64_t decode_tokens = 0;   // generated tokens fed back
  std::size_t sequences = 0;        // sequences in the step
};

// Continuous batching over any backend. Requests wait in FIFO order; each step runs one
// forward pass holding, in this order:
//   1. one token for every sequence that is decoding,
//   2. the next chunk of every sequence still prefilling (oldest first),
//   3. the first chunk of newly admitted requests, while fewer than max_batch_size sequences
//      are in flight,
// with the prompt chunks cut so that the step stays within max_step_tokens. Decoding first
// keeps the time per output token of running sequences steady while new prompts stream in;
// chunking lets a prompt longer than the budget be prefilled over several steps. A sequence
// leaves the batch the step it finishes, freeing its slot for the next step. Decoding is greedy,
// and every request gets at least one token.
//
// Not thread-safe: one thread submits and steps (ModelSut puts it on a thread of its own).
class BatchingEngine {
 public:
  // Fails on options that could stall: max_batch_size < 1, max_step_tokens < max_batch_size,
  // max_new_tokens < 1. `backend` must outlive the engine.
  static Result<BatchingEngine> create(InferenceBackend& backend, EngineOptions options);

  BatchingEngine(BatchingEngine&&) noexcept = default;
  ~BatchingEngine();

  const EngineOptions& options() const { return options_; }

  // Checks a prompt against the model: not empty, every id in the vocabulary, and room in the
  // context for it plus one generated token.
  Result<void> check_prompt(std::span<const std::int32_t> prompt) const;

  // Queues a request behind those already waiting. Fails (queuing nothing) on a bad prompt or
  // a negative max_new_tokens.
  Result<void> submit(EngineRequest request);

  // Runs one step. Returns an empty report when there is nothing to do. A backend failure is
  // returned as is, with every request kept where it was; the caller decides whether to retry
  // or cancel_all().
  Result<StepReport> step();

  // Drops every request, waiting or in flight, and frees their caches.
  void cancel_all();

  bool idle() const { return waiting_.empty() && running_.empty(); }
  std::size_t waiting() const { return waiting_.size(); }
  std::size_t running() const { return running_.size(); }

 private:
  struct Sequence {
    EngineRequest request;
    SequenceId cache = 0;
    std::size_t prefilled = 0;  // prompt tokens already in the cache
    std::vector<std::int32_t> generated;

    bool decoding() const { return prefilled == request.prompt.size(); }
  };

  BatchingEngine(InferenceBackend& backend, EngineOptions options);
  // Records a generated token; returns why the sequence stops, if it does.
  std::optional<FinishReason> accept(Sequence& sequence, std::int32_t token) const;

  InferenceBackend* backend_;
  EngineOptions options_;
  std::deque<EngineRequest> waiting_;
  std::vector<Sequence> running_;
  SequenceId next_cache_ = 1;
};

}  // namespace mlbench::model
