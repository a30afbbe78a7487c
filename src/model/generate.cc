#include "mlbench/model/generate.h"

#include <algorithm>

namespace mlbench::model {

std::int32_t argmax(std::span<const float> logits) {
  std::size_t best = 0;
  for (std::size_t i = 1; i < logits.size(); ++i) {
    if (logits[i] > logits[best]) best = i;  // strict: an equal later logit loses
  }
  return static_cast<std::int32_t>(best);
}

Result<Generation> generate_greedy(CpuModel& model, std::span<const std::int32_t> prompt,
                                   const GenerateOptions& options) {
  if (options.max_new_tokens < 1) {
    return fail(ErrorCode::kInvalidArgument, "max_new_tokens must be at least 1");
  }
  if (prompt.empty()) return fail(ErrorCode::kInvalidArgument, "the prompt has no tokens");
  KvCache cache;
  Generation out;
  const SequenceStep prefill{&cache, prompt};
  auto logits = model.forward({&prefill, 1});
  if (!logits) return logits.failure();
  out.prompt_logits = std::move(*logits);
  std::span<const float> current = out.prompt_logits;
  std::vector<float> step_logits;
  for (;;) {
    const std::int32_t token = argmax(current);
    out.tokens.push_back(token);
    const bool eos = std::find(options.eos_token_ids.begin(), options.eos_token_ids.end(), token) !=
                     options.eos_token_ids.end();
    if (eos || static_cast<int>(out.tokens.size()) >= options.max_new_tokens) break;
    if (cache.length >= model.config().max_position_embeddings) break;  // context is full
    const SequenceStep decode{&cache, {&out.tokens.back(), 1}};
    auto next = model.forward({&decode, 1});
    if (!next) return next.failure();
    step_logits = std::move(*next);
    current = step_logits;
  }
  return out;
}

}  // namespace mlbench::model
