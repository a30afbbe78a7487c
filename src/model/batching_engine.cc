#include "mlbench/model/batching_engine.h"

#include <fmt/format.h>

#include <algorithm>

namespace mlbench::model {

std::string_view to_string(FinishReason reason) {
  switch (reason) {
    case FinishReason::kEos: return "eos";
    case FinishReason::kMaxNewTokens: return "max_new_tokens";
    case FinishReason::kContextFull: return "context_full";
  }
  return "unknown";
}

Result<BatchingEngine> BatchingEngine::create(InferenceBackend& backend, EngineOptions options) {
  if (options.max_batch_size < 1) {
    return fail(ErrorCode::kInvalidArgument, "the batch size must be at least 1", "max_batch_size");
  }
  // Every decoding sequence needs a token each step, so a smaller budget could never be met.
  if (options.max_step_tokens < options.max_batch_size) {
    return fail(ErrorCode::kInvalidArgument,
                fmt::format("the token budget per step ({}) must be at least the batch size ({})",
                            options.max_step_tokens, options.max_batch_size),
                "max_step_tokens");
  }
  if (options.max_new_tokens < 1) {
    return fail(ErrorCode::kInvalidArgument, "max_new_tokens must be at least 1", "max_new_tokens");
  }
  return BatchingEngine(backend, std::move(options));
}

BatchingEngine::BatchingEngine(InferenceBackend& backend, EngineOptions options)
    : backend_(&backend), options_(std::move(options)) {
  running_.reserve(static_cast<std::size_t>(options_.max_batch_size));
}

BatchingEngine::~BatchingEngine() {
  cancel_all();
}

Result<void> BatchingEngine::check_prompt(std::span<const std::int32_t> prompt) const {
  const LlamaConfig& config = backend_->config();
  if (prompt.empty()) return fail(ErrorCode::kInvalidArgument, "the prompt has no tokens");
  for (std::size_t i = 0; i < prompt.size(); ++i) {
    if (prompt[i] < 0 || prompt[i] >= config.vocab_size) {
      return fail(ErrorCode::kInvalidArgument,
                  fmt::format("prompt token {} is id {}, outside the vocabulary [0, {})", i,
                              prompt[i], config.vocab_size));
    }
  }
  // The prompt fills positions 0..n-1; the first generated token needs no position of its own
  // (it is only fed back if decoding goes on), so n may reach max_position_embeddings.
  if (static_cast<std::int64_t>(prompt.size()) > config.max_position_embeddings) {
    return fail(ErrorCode::kInvalidArgument,
                fmt::format("the prompt has {} tokens; the model's context holds {}", prompt.size(),
                            config.max_position_embeddings));
  }
  return {};
}

Result<void> BatchingEngine::submit(EngineRequest request) {
  if (auto ok = check_prompt(request.prompt); !ok) return ok.failure();
  if (request.max_new_tokens < 0) {
    return fail(ErrorCode::kInvalidArgument, "max_new_tokens must not be negative");
  }
  if (request.max_new_tokens == 0) request.max_new_tokens = options_.max_new_tokens;
  waiting_.push_back(std::move(request));
  return {};
}

std::optional<FinishReason> BatchingEngine::accept(Sequence& sequence, std::int32_t token) const {
  sequence.generated.push_back(token);
  const auto& eos = options_.eos_token_ids;
  if (std::find(eos.begin(), eos.end(), token) != eos.end()) return FinishReason::kEos;
  if (static_cast<int>(sequence.generated.size()) >= sequence.request.max_new_tokens) {
    return FinishReason::kMaxNewTokens;
  }
  // Feeding this token back would put it at position prompt + generated - 1.
  const auto next_position =
      static_cast<std::int64_t>(sequence.request.prompt.size() + sequence.generated.size()) - 1;
  if (next_position >= backend_->config().max_position_embeddings) {
    return FinishReason::kContextFull;
  }
  return std::nullopt;
}

Result<StepReport> BatchingEngine::step() {
  StepReport report;
  std::vector<BackendStep> steps;
  std::vector<std::size_t> owners;  // index into running_ of each step
  std::int64_t budget = options_.max_step_tokens;

  for (std::size_t i = 0; i < running_.size(); ++i) {
    Sequence& s = running_[i];
    if (!s.decoding()) continue;
    steps.push_back({s.cache, std::span(&s.generated.back(), 1)});
    owners.push_back(i);
    --budget;
    ++report.decode_tokens;
  }
  const auto add_prefill_chunk = [&](std::size_t i) {
    Sequence& s = running_[i];
    const auto remaining = static_cast<std::int64_t>(s.request.prompt.size() - s.prefilled);
    const std::int64_t chunk = std::min(remaining, budget);
    steps.push_back(
        {s.cache,
         std::span(s.request.prompt).subspan(s.prefilled, static_cast<std::size_t>(chunk))});
    owners.push_back(i);
    budget -= chunk;
    report.prefill_tokens += chunk;
  };
  for (std::size_t i = 0; i < running_.size() && budget > 0; ++i) {
    if (!running_[i].decoding()) add_prefill_chunk(i);
  }
  while (budget > 0 && !waiting_.empty() &&
         running_.size() < static_cast<std::size_t>(options_.max_batch_size)) {
    running_.push_back(Sequence{.request = std::move(waiting_.front()), .cache = next_cache_++});
    waiting_.pop_front();
    add_prefill_chunk(running_.size() - 1);
  }
  if (steps.empty()) return report;
  report.sequences = steps.size();

  auto next = backend_->forward(steps);
  if (!next) {
    // Admitted sequences stay admitted with nothing prefilled: the next step starts them again.
    return next.failure();
  }
  std::vector<bool> done(running_.size(), false);
  for (std::size_t k = 0; k < steps.size(); ++k) {
    Sequence& s = running_[owners[k]];
    if (!s.decoding()) {
      s.prefilled += steps[k].tokens.size();
      if (!s.decoding()) continue;  // more of the prompt to go: this chunk's token is not used
      report.first_tokens.push_back({s.request.id, (*next)[k]});
    }
    if (const auto reason = accept(s, (*next)[k])) {
      report.finished.push_back({s.request.id, std::move(s.generated), *reason});
      backend_->release(s.cache);
      done[owners[k]] = true;
    }
  }
  std::size_t kept = 0;
  for (std::size_t i = 0; i < running_.size(); ++i) {
    if (done[i]) continue;
    if (kept != i) running_[kept] = std::move(running_[i]);
    ++kept;
  }
  running_.resize(kept);
  return report;
}

void BatchingEngine::cancel_all() {
  for (const Sequence& s : running_)
    backend_->release(s.cache);
  running_.clear();
  waiting_.clear();
}

}  // namespace mlbench::model
