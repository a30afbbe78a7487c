#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "mlbench/core/result.h"
#include "mlbench/model/dtype.h"

namespace mlbench::model {

// What the writer needs to know of a tensor before its bytes exist: the header is written first,
// so the data can be generated and written one tensor at a time.
struct TensorSpec {
  std::string name;
  DType dtype = DType::kBF16;
  std::vector<std::int64_t> shape;

  std::int64_t numel() const;
  std::size_t byte_size() const { return static_cast<std::size_t>(numel()) * dtype_size(dtype); }
};

// Fills `out` (exactly spec.byte_size() bytes) with the tensor's little-endian data.
using TensorFiller = std::function<void(const TensorSpec& spec, std::span<std::byte> out)>;

// Writes a safetensors file holding `tensors` in the given order, each filled by `fill`.
Result<void> write_safetensors(const std::filesystem::path& path,
                               std::span<const TensorSpec> tensors, const TensorFiller& fill,
                               const std::map<std::string, std::string>& metadata = {});

}  // namespace mlbench::model
