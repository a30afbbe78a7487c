#include "mlbench/model/safetensors.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>
#include <utility>

namespace mlbench::model {
namespace {

using nlohmann::json;

// Shapes come from untrusted headers: a product that overflows must be an error, not a wrap.
std::optional<std::int64_t> checked_numel(const std::vector<std::int64_t>& shape) {
  std::int64_t count = 1;
  for (std::int64_t dim : shape) {
    if (dim < 0 || __builtin_mul_overflow(count, dim, &count)) return std::nullopt;
  }
  return count;
}

Result<std::uint64_t> non_negative(const json& value, std::string_view what,
                                   const std::string& where) {
  if (!value.is_number_unsigned() &&
      !(value.is_number_integer() && value.get<std::int64_t>() >= 0)) {
    return fail(ErrorCode::kParse, fmt::format("{} must be a non-negative integer", what), where);
  }
  return value.get<std::uint64_t>();
}

struct Entry {
  TensorView view;
  std::uint64_t begin = 0;
  std::uint64_t end = 0;
};

Result<Entry> parse_entry(const std::string& name, const json& value, std::size_t data_size,
                          const std::string& where) {
  const auto bad = [&](std::string_view why, ErrorCode code = ErrorCode::kParse) {
    return fail(code, fmt::format("tensor '{}': {}", name, why), where);
  };
  if (!value.is_object()) return bad("entry must be an object");
  if (!value.contains("dtype") || !value["dtype"].is_string()) return bad("missing 'dtype'");
  if (!value.contains("shape") || !value["shape"].is_array()) return bad("missing 'shape'");
  if (!value.contains("data_offsets") || !value["data_offsets"].is_array() ||
      value["data_offsets"].size() != 2) {
    return bad("'data_offsets' must be [begin, end]");
  }
  Entry entry;
  entry.view.name = name;
  const auto dtype_name = value["dtype"].get<std::string>();
  const auto dtype = parse_dtype(dtype_name);
  if (!dtype) {
    return bad(fmt::format("dtype '{}' is not supported (F32, F16, BF16)", dtype_name),
               ErrorCode::kUnsupported);
  }
  entry.view.dtype = *dtype;
  for (const json& dim : value["shape"]) {
    auto size = non_negative(dim, fmt::format("tensor '{}': shape entries", name), where);
    if (!size) return size.failure();
    if (*size > (std::uint64_t{1} << 48)) return bad("shape is too large");
    entry.view.shape.push_back(static_cast<std::int64_t>(*size));
  }
  for (int i = 0; i < 2; ++i) {
    auto offset = non_negative(value["data_offsets"][i],
                               fmt::format("tensor '{}': data_offsets", name), where);
    if (!offset) return offset.failure();
    (i == 0 ? entry.begin : entry.end) = *offset;
  }
  if (entry.begin > entry.end || entry.end > data_size) {
    return bad(fmt::format("data_offsets [{}, {}] lie outside the data block of {} bytes",
                           entry.begin, entry.end, data_size));
  }
  const auto numel = checked_numel(entry.view.shape);
  std::uint64_t expected = 0;
  if (!numel || __builtin_mul_overflow(static_cast<std::uint64_t>(*numel),
                                       static_cast<std::uint64_t>(dtype_size(*dtype)), &expected)) {
    return bad("shape is too large");
  }
  if (expected != entry.end - entry.begin) {
    return bad(fmt::format("holds {} bytes but its dtype and shape need {}",
                           entry.end - entry.begin, expected));
  }
  return entry;
}

Result<void> parse_metadata(const json& value, std::map<std::string, std::string>& out,
                            const std::string& where) {
  if (!value.is_object()) return fail(ErrorCode::kParse, "'__metadata__' must be an object", where);
  for (const auto& [key, item] : value.items()) {
    if (!item.is_string()) {
      return fail(ErrorCode::kParse, fmt::format("'__metadata__.{}' must be a string", key), where);
    }
    out[key] = item.get<std::string>();
  }
  return {};
}

}  // namespace

Result<MappedFile> MappedFile::open(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return fail(errno == ENOENT ? ErrorCode::kNotFound : ErrorCode::kIo,
                fmt::format("cannot open: {}", std::strerror(errno)), path.string());
  }
  struct stat info {};
  if (::fstat(fd, &info) != 0) {
    const int error = errno;
    ::close(fd);
    return fail(ErrorCode::kIo, fmt::format("cannot stat: {}", std::strerror(error)),
                path.string());
  }
  MappedFile file;
  file.path_ = path;
  file.size_ = static_cast<std::size_t>(info.st_size);
  if (file.size_ > 0) {
    void* data = ::mmap(nullptr, file.size_, PROT_READ, MAP_PRIVATE, fd, 0);
    if (data == MAP_FAILED) {
      const int error = errno;
      ::close(fd);
      return fail(ErrorCode::kIo, fmt::format("cannot map: {}", std::strerror(error)),
                  path.string());
    }
    file.data_ = static_cast<const std::byte*>(data);
  }
  ::close(fd);  // the mapping keeps the file alive
  return file;
}

MappedFile::MappedFile(MappedFile&& other) noexcept
    : path_(std::move(other.path_)),
      data_(std::exchange(other.data_, nullptr)),
      size_(std::exchange(other.size_, 0)) {}

MappedFile& MappedFile::operator=(MappedFile&& other) noexcept {
  if (this != &other) {
    if (data_) ::munmap(const_cast<std::byte*>(data_), size_);
    path_ = std::move(other.path_);
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
  }
  return *this;
}

MappedFile::~MappedFile() {
  if (data_) ::munmap(const_cast<std::byte*>(data_), size_);
}

std::int64_t TensorView::numel() const {
  return checked_numel(shape).value_or(-1);
}

const TensorView* SafetensorsFile::find(const std::string& name) const {
  const auto it = tensors_.find(name);
  return it == tensors_.end() ? nullptr : &it->second;
}

Result<SafetensorsFile> SafetensorsFile::open(const std::filesystem::path& path) {
  auto mapped = MappedFile::open(path);
  if (!mapped) return mapped.failure();
  SafetensorsFile file(std::move(*mapped));
  const std::string where = path.string();
  const auto bytes = file.file_.bytes();
  if (bytes.size() < 8) {
    return fail(ErrorCode::kParse,
                fmt::format("file of {} bytes is too short for a safetensors header", bytes.size()),
                where);
  }
  std::uint64_t header_size = 0;
  for (int i = 7; i >= 0; --i) {
    header_size =
        (header_size << 8) | std::to_integer<std::uint64_t>(bytes[static_cast<std::size_t>(i)]);
  }
  if (header_size > bytes.size() - 8) {
    return fail(ErrorCode::kParse,
                fmt::format("header length {} exceeds the {} bytes after it (truncated file?)",
                            header_size, bytes.size() - 8),
                where);
  }
  const auto* header_begin = reinterpret_cast<const char*>(bytes.data() + 8);
  const json header =
      json::parse(header_begin, header_begin + header_size, nullptr, /*allow_exceptions=*/false);
  if (header.is_discarded() || !header.is_object()) {
    return fail(ErrorCode::kParse, "header is not a valid JSON object", where);
  }
  const auto data = bytes.subspan(8 + header_size);

  std::vector<Entry> entries;
  for (const auto& [name, value] : header.items()) {
    if (name == "__metadata__") {
      if (auto ok = parse_metadata(value, file.metadata_, where); !ok) return ok.failure();
      continue;
    }
    auto entry = parse_entry(name, value, data.size(), where);
    if (!entry) return entry.failure();
    entries.push_back(std::move(*entry));
  }
  // Overlapping ranges mean a corrupt header: two tensors would alias the same bytes.
  std::sort(entries.begin(), entries.end(),
            [](const Entry& a, const Entry& b) { return a.begin < b.begin; });
  for (std::size_t i = 1; i < entries.size(); ++i) {
    if (entries[i].begin < entries[i - 1].end) {
      return fail(ErrorCode::kParse,
                  fmt::format("tensors '{}' and '{}' overlap in the data block",
                              entries[i - 1].view.name, entries[i].view.name),
                  where);
    }
  }
  for (Entry& entry : entries) {
    entry.view.data = data.subspan(entry.begin, entry.end - entry.begin);
    file.tensors_.emplace(entry.view.name, std::move(entry.view));
  }
  return file;
}

}  // namespace mlbench::model
