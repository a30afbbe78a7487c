#pragma once

#include <cstdint>
#include <random>

namespace mlbench::loadgen {

// LoadGen seeds std::mt19937 with its 64-bit settings as they are; the engine keeps the low 32
// bits. Passing the full value (rather than truncating here) leaves that reduction to the
// standard library, exactly as in LoadGen.
inline std::mt19937 seeded_engine(uint64_t seed) {
  return std::mt19937(static_cast<std::mt19937::result_type>(seed));
}

}  // namespace mlbench::loadgen
