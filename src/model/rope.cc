#include "model/rope.h"

#include <numbers>

namespace mlbench::model {

std::vector<float> rope_inv_freq(const LlamaConfig& config) {
  const std::int64_t half = config.head_dim / 2;
  std::vector<float> inv_freq(static_cast<std::size_t>(half));
  for (std::int64_t j = 0; j < half; ++j) {
    double freq = std::pow(config.rope_theta,
                           -2.0 * static_cast<double>(j) / static_cast<double>(config.head_dim));
    if (config.rope_scaling) {
      // Long wavelengths (low frequencies) are slowed by `factor`, short ones kept, and the band
      // between blended linearly in context-length units.
      const RopeScaling& s = *config.rope_scaling;
      const double context = static_cast<double>(s.original_max_position_embeddings);
      const double wavelen = 2.0 * std::numbers::pi / freq;
      const double low_wavelen = context / s.low_freq_factor;
      const double high_wavelen = context / s.high_freq_factor;
      if (wavelen > low_wavelen) {
        freq /= s.factor;
      } else if (wavelen >= high_wavelen) {
        const double smooth =
            (context / wavelen - s.low_freq_factor) / (s.high_freq_factor - s.low_freq_factor);
        freq = (1.0 - smooth) * freq / s.factor + smooth * freq;
      }
    }
    inv_freq[static_cast<std::size_t>(j)] = static_cast<float>(freq);
  }
  return inv_freq;
}

}  // namespace mlbench::model
