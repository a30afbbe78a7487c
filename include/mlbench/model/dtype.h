#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string_view>

namespace mlbench::model {

// Element types of the weights we read. Arithmetic is always fp32; these are storage formats.
enum class DType { kF32, kF16, kBF16 };

std::string_view to_string(DType dtype);  // the safetensors spelling: "F32", "F16", "BF16"
std::optional<DType> parse_dtype(std::string_view name);
inline std::size_t dtype_size(DType dtype) {
  return dtype == DType::kF32 ? 4 : 2;
}

// BF16 is the top half of an IEEE float32, so widening is a shift.
inline float bf16_to_f32(std::uint16_t bits) {
  return std::bit_cast<float>(static_cast<std::uint32_t>(bits) << 16);
}

// Round to nearest, ties to even, as torch does when casting to bfloat16; NaN stays NaN.
inline std::uint16_t f32_to_bf16(float value) {
  const auto bits = std::bit_cast<std::uint32_t>(value);
  if ((bits & 0x7fffffffU) > 0x7f800000U) return static_cast<std::uint16_t>((bits >> 16) | 0x40);
  const std::uint32_t rounding = 0x7fffU + ((bits >> 16) & 1U);
  return static_cast<std::uint16_t>((bits + rounding) >> 16);
}

float f16_to_f32(std::uint16_t bits);
std::uint16_t f32_to_f16(float value);  // round to nearest even; overflow becomes infinity

// Reads element `index` of a little-endian array of `dtype` that may sit at any alignment (a
// safetensors data block starts right after a header of arbitrary length).
inline float load_element(DType dtype, const std::byte* data, std::size_t index) {
  if (dtype == DType::kF32) {
    float value;
    std::memcpy(&value, data + index * 4, 4);
    return value;
  }
  std::uint16_t bits;
  std::memcpy(&bits, data + index * 2, 2);
  return dtype == DType::kBF16 ? bf16_to_f32(bits) : f16_to_f32(bits);
}

}  // namespace mlbench::model
