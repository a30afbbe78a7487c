#pragma once

// The host emulation's stand-in for cuda_bf16.h: the bf16 storage type and the two conversions
// the kernels use, with the device's rounding (to nearest, ties to even; NaN to the canonical
// quiet NaN 0x7FFF).

#include <cstdint>
#include <cstring>

struct __nv_bfloat16 {
  std::uint16_t __x;
};

inline __nv_bfloat16 __float2bfloat16_rn(float value) {
  std::uint32_t bits;
  std::memcpy(&bits, &value, sizeof(bits));
  if ((bits & 0x7FFFFFFFu) > 0x7F800000u) return {0x7FFF};
  const std::uint32_t rounding = 0x7FFFu + ((bits >> 16) & 1u);
  return {static_cast<std::uint16_t>((bits + rounding) >> 16)};
}

inline float __bfloat162float(__nv_bfloat16 value) {
  const std::uint32_t bits = static_cast<std::uint32_t>(value.__x) << 16;
  float out;
  std::memcpy(&out, &bits, sizeof(out));
  return out;
}
