#pragma once

#include <cmath>
#include <cstdint>
#include <span>
#include <vector>

#include "mlbench/model/config.h"

namespace mlbench::model {

// inv_freq[j] = theta^(-2j/head_dim) for j < head_dim/2, then llama3's frequency scaling when
// the config asks for it (specs/llama.md). Computed in double, stored as the fp32 that
// transformers uses.
std::vector<float> rope_inv_freq(const LlamaConfig& config);

// Rotates each head of `vec` (heads × head_dim) in place for `position`, rotate-half style:
// element j pairs with j + head_dim/2. The angle is formed in fp32, as transformers does.
inline void apply_rope(float* vec, std::int64_t heads, std::int64_t head_dim, std::int64_t position,
                       std::span<const float> inv_freq) {
  const std::int64_t half = head_dim / 2;
  for (std::int64_t j = 0; j < half; ++j) {
    const float angle = static_cast<float>(position) * inv_freq[static_cast<std::size_t>(j)];
    const float cos = std::cos(angle);
    const float sin = std::sin(angle);
    for (std::int64_t h = 0; h < heads; ++h) {
      float* head = vec + h * head_dim;
      const float x1 = head[j];
      const float x2 = head[j + half];
      head[j] = x1 * cos - x2 * sin;
      head[j + half] = x2 * cos + x1 * sin;
    }
  }
}

}  // namespace mlbench::model
