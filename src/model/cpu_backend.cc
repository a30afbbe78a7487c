#include "mlbench/model/cpu_backend.h"

#include "mlbench/model/generate.h"

namespace mlbench::model {

Result<std::vector<std::int32_t>> CpuBackend::forward(std::span<const BackendStep> steps) {
  // Caches of new sequences are created up front; if the step fails they are dropped again, so
  // a failed step leaves the backend as it was.
  std::vector<SequenceId> created;
  std::vector<SequenceStep> model_steps;
  model_steps.reserve(steps.size());
  for (const BackendStep& step : steps) {
    auto [it, inserted] = caches_.try_emplace(step.sequence);
    if (inserted) created.push_back(step.sequence);
    model_steps.push_back({&it->second, step.tokens});
  }
  auto logits = model_.forward(model_steps);
  if (!logits) {
    for (SequenceId id : created)
      caches_.erase(id);
    return logits.failure();
  }
  const auto vocab = static_cast<std::size_t>(config().vocab_size);
  std::vector<std::int32_t> next(steps.size());
  for (std::size_t s = 0; s < steps.size(); ++s) {
    next[s] = argmax(std::span<const float>(*logits).subspan(s * vocab, vocab));
  }
  return next;
}

}  // namespace mlbench::model
