#include "mlbench/model/safetensors_writer.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <nlohmann/json.hpp>

namespace mlbench::model {

std::int64_t TensorSpec::numel() const {
  std::int64_t count = 1;
  for (std::int64_t dim : shape)
    count *= dim;
  return count;
}

Result<void> write_safetensors(const std::filesystem::path& path,
                               std::span<const TensorSpec> tensors, const TensorFiller& fill,
                               const std::map<std::string, std::string>& metadata) {
  nlohmann::json header = nlohmann::json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  std::uint64_t offset = 0;
  for (const TensorSpec& spec : tensors) {
    const std::uint64_t end = offset + spec.byte_size();
    header[spec.name] = {{"dtype", std::string(to_string(spec.dtype))},
                         {"shape", spec.shape},
                         {"data_offsets", {offset, end}}};
    offset = end;
  }
  std::string text = header.dump();
  // Padding the header to 8 bytes keeps every tensor as aligned as its offset (as the reference
  // writer does); readers must cope with any alignment anyway.
  text.append((8 - text.size() % 8) % 8, ' ');

  const std::string where = path.string();
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "wb"),
                                                       &std::fclose);
  if (!file) {
    return fail(ErrorCode::kIo, fmt::format("cannot create: {}", std::strerror(errno)), where);
  }
  const auto write = [&](const void* data, std::size_t size) {
    return std::fwrite(data, 1, size, file.get()) == size;
  };
  unsigned char length[8];
  for (int i = 0; i < 8; ++i)
    length[i] = static_cast<unsigned char>(text.size() >> (8 * i));
  bool ok = write(length, sizeof length) && write(text.data(), text.size());
  std::vector<std::byte> buffer;
  for (const TensorSpec& spec : tensors) {
    if (!ok) break;
    buffer.assign(spec.byte_size(), std::byte{0});
    fill(spec, buffer);
    ok = write(buffer.data(), buffer.size());
  }
  if (!ok || std::fflush(file.get()) != 0) {
    return fail(ErrorCode::kIo, fmt::format("write failed: {}", std::strerror(errno)), where);
  }
  return {};
}

}  // namespace mlbench::model
