#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "mlbench/model/weights.h"

namespace mlbench::model::testing {

// The Llama forward pass written as plainly as possible in double precision: no cache, no
// threads, no shared code with the engine beyond reading tensors out of the checkpoint. Returns
// the logits at every position of `tokens`.
std::vector<std::vector<double>> reference_logits(const ModelWeights& weights,
                                                  std::span<const std::int32_t> tokens);

}  // namespace mlbench::model::testing
