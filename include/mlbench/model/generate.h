#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "mlbench/core/result.h"
#include "mlbench/model/forward_cpu.h"

namespace mlbench::model {

// The id of the largest logit; ties go to the lowest id (as torch.argmax does).
std::int32_t argmax(std::span<const float> logits);

struct GenerateOptions {
  int max_new_tokens = 128;                 // at least 1
  std::vector<std::int64_t> eos_token_ids;  // decoding stops after emitting any of these
};

struct Generation {
  std::vector<std::int32_t> tokens;  // the new tokens only; an eos that stopped it included
  std::vector<float> prompt_logits;  // logits at the prompt's last position
};

// Greedy decoding as MLPerf runs it: prefill the prompt, then take the argmax token and feed it
// back until an eos id or max_new_tokens.
Result<Generation> generate_greedy(CpuModel& model, std::span<const std::int32_t> prompt,
                                   const GenerateOptions& options);

}  // namespace mlbench::model
