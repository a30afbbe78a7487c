#include "mlbench/model/safetensors.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>

#include "mlbench/model/safetensors_writer.h"

#include "support/temp_dir.h"

namespace mlbench::model {
namespace {

using ::testing::HasSubstr;

// A safetensors file from raw parts, so tests can write any header, valid or not.
std::string raw_file(const std::string& header, std::size_t data_bytes) {
  std::string out(8, '\0');
  for (int i = 0; i < 8; ++i)
    out[i] = static_cast<char>((header.size() >> (8 * i)) & 0xff);
  return out + header + std::string(data_bytes, '\x01');
}

std::string write_raw(const mlbench::testing::TempDir& dir, const std::string& header,
                      std::size_t data_bytes) {
  return dir.write("t.safetensors", raw_file(header, data_bytes));
}

Error open_error(const std::string& path) {
  auto file = SafetensorsFile::open(path);
  if (file.ok()) return Error{ErrorCode::kInternal, "opened fine", ""};
  return file.error();
}

TEST(Dtype, ConversionsRoundTrip) {
  EXPECT_EQ(bf16_to_f32(0x3f80), 1.0f);
  EXPECT_EQ(f32_to_bf16(1.0f), 0x3f80);
  EXPECT_EQ(f32_to_bf16(-2.5f), 0xc020);
  EXPECT_EQ(f32_to_bf16(1.00390625f), 0x3f80);  // exactly halfway: ties to even
  EXPECT_EQ(f16_to_f32(0x3c00), 1.0f);
  EXPECT_EQ(f16_to_f32(0xc000), -2.0f);
  EXPECT_EQ(f16_to_f32(0x0001), std::ldexp(1.0f, -24));  // smallest subnormal
  EXPECT_TRUE(std::isinf(f16_to_f32(0x7c00)));
  for (float v : {0.0f, 1.0f, -3.25f, 65504.0f, 6.1e-5f, 1e-7f, 0.1f}) {
    EXPECT_NEAR(f16_to_f32(f32_to_f16(v)), v, std::abs(v) * 1e-3 + 6e-8) << v;
  }
  EXPECT_TRUE(std::isinf(f16_to_f32(f32_to_f16(1e6f))));
}

TEST(Safetensors, WriterOutputReadsBack) {
  mlbench::testing::TempDir dir;
  const std::vector<TensorSpec> specs = {{"a", DType::kF32, {2, 3}},
                                         {"b", DType::kBF16, {5}},
                                         {"c", DType::kF16, {1, 1, 2}},
                                         {"empty", DType::kF32, {0, 4}}};
  const auto path = dir.path() / "x.safetensors";
  const auto written = write_safetensors(path, specs,
                                         [](const TensorSpec& spec, std::span<std::byte> out) {
                                           for (std::size_t i = 0; i < out.size(); ++i) {
                                             out[i] = static_cast<std::byte>(i + spec.name.size());
                                           }
                                         },
                                         {{"format", "pt"}});
  ASSERT_TRUE(written.ok()) << written.error().describe();
  const auto file = SafetensorsFile::open(path);
  ASSERT_TRUE(file.ok()) << file.error().describe();
  EXPECT_EQ(file->metadata().at("format"), "pt");
  ASSERT_EQ(file->tensors().size(), 4U);
  const TensorView* a = file->find("a");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->dtype, DType::kF32);
  EXPECT_EQ(a->shape, (std::vector<std::int64_t>{2, 3}));
  ASSERT_EQ(a->data.size(), 24U);
  EXPECT_EQ(a->data[5], std::byte{6});
  EXPECT_EQ(file->find("b")->data.size(), 10U);
  EXPECT_EQ(file->find("c")->numel(), 2);
  EXPECT_TRUE(file->find("empty")->data.empty());
  EXPECT_EQ(file->find("nope"), nullptr);
}

TEST(Safetensors, HeaderErrorsNameFileAndTensor) {
  struct Case {
    std::string header;
    std::size_t data;
    std::string message;
    ErrorCode code = ErrorCode::kParse;
  };
  const std::vector<Case> cases = {
      {"{not json", 0, "header is not a valid JSON object"},
      {"[1,2]", 0, "header is not a valid JSON object"},
      {R"({"w": 5})", 0, "tensor 'w': entry must be an object"},
      {R"({"w": {"shape": [1], "data_offsets": [0, 4]}})", 4, "tensor 'w': missing 'dtype'"},
      {R"({"w": {"dtype": "F32", "data_offsets": [0, 4]}})", 4, "tensor 'w': missing 'shape'"},
      {R"({"w": {"dtype": "F32", "shape": [1]}})", 4, "tensor 'w': 'data_offsets'"},
      {R"({"w": {"dtype": "F32", "shape": [1], "data_offsets": [0]}})", 4, "'data_offsets'"},
      {R"({"w": {"dtype": "I64", "shape": [1], "data_offsets": [0, 8]}})", 8,
       "tensor 'w': dtype 'I64' is not supported", ErrorCode::kUnsupported},
      {R"({"w": {"dtype": "BOGUS", "shape": [1], "data_offsets": [0, 8]}})", 8, "dtype 'BOGUS'",
       ErrorCode::kUnsupported},
      {R"({"w": {"dtype": "F32", "shape": [-1], "data_offsets": [0, 4]}})", 4,
       "tensor 'w': shape entries must be a non-negative integer"},
      {R"({"w": {"dtype": "F32", "shape": [1.5], "data_offsets": [0, 4]}})", 4,
       "shape entries must be"},
      {R"({"w": {"dtype": "F32", "shape": [1], "data_offsets": [-4, 4]}})", 4,
       "tensor 'w': data_offsets must be"},
      {R"({"w": {"dtype": "F32", "shape": [1], "data_offsets": [4, 0]}})", 4,
       "tensor 'w': data_offsets [4, 0] lie outside"},
      {R"({"w": {"dtype": "F32", "shape": [1], "data_offsets": [0, 8]}})", 4,
       "tensor 'w': data_offsets [0, 8] lie outside the data block of 4 bytes"},
      {R"({"w": {"dtype": "F32", "shape": [2], "data_offsets": [0, 4]}})", 8,
       "tensor 'w': holds 4 bytes but its dtype and shape need 8"},
      {R"({"w": {"dtype": "F32", "shape": [4294967296, 4294967296, 4294967296],
           "data_offsets": [0, 4]}})",
       4, "tensor 'w': shape is too large"},
      {R"({"w": {"dtype": "F32", "shape": [65536, 65536, 65536, 65536, 65536],
           "data_offsets": [0, 4]}})",
       4, "tensor 'w': shape is too large"},
      {R"({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
           "b": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}})",
       12, "tensors 'a' and 'b' overlap"},
      {R"({"__metadata__": {"k": 1}})", 0, "'__metadata__.k' must be a string"},
      {R"({"__metadata__": [1]})", 0, "'__metadata__' must be an object"},
  };
  for (const Case& c : cases) {
    mlbench::testing::TempDir dir;
    const std::string path = write_raw(dir, c.header, c.data);
    const Error error = open_error(path);
    EXPECT_THAT(error.message, HasSubstr(c.message)) << c.header;
    EXPECT_EQ(error.where, path) << c.header;
    EXPECT_EQ(error.code, c.code) << c.header;
  }
}

TEST(Safetensors, FileErrors) {
  mlbench::testing::TempDir dir;
  EXPECT_EQ(open_error((dir.path() / "missing.safetensors").string()).code, ErrorCode::kNotFound);
  EXPECT_THAT(open_error(dir.write("empty", "")).message, HasSubstr("too short"));
  EXPECT_THAT(open_error(dir.write("short", "abc")).message, HasSubstr("too short"));
  // A header length pointing past the end of the file.
  std::string file =
      raw_file(R"({"w": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}})", 4);
  file[0] = static_cast<char>(0xff);
  file[3] = static_cast<char>(0x7f);
  EXPECT_THAT(open_error(dir.write("long", file)).message, HasSubstr("exceeds"));
  std::string huge(8, static_cast<char>(0xff));
  EXPECT_THAT(open_error(dir.write("huge", huge + "{}")).message, HasSubstr("exceeds"));
}

// Every truncation of a valid file either opens with all tensors in bounds or fails cleanly; the
// sanitizer build proves no read strays outside the mapping.
TEST(Safetensors, TruncatedFilesNeverReadOutOfBounds) {
  mlbench::testing::TempDir dir;
  const std::vector<TensorSpec> specs = {{"a", DType::kBF16, {3, 4}}, {"b", DType::kF32, {5}}};
  const auto path = dir.path() / "full.safetensors";
  ASSERT_TRUE(write_safetensors(path, specs, [](const TensorSpec&, std::span<std::byte> out) {
                std::fill(out.begin(), out.end(), std::byte{0x42});
              }).ok());
  const std::string full = mlbench::testing::read_file(path);
  for (std::size_t length = 0; length < full.size(); ++length) {
    const std::string cut = dir.write("cut.safetensors", full.substr(0, length));
    const auto file = SafetensorsFile::open(cut);
    ASSERT_FALSE(file.ok()) << "length " << length;  // every byte of this file is needed
    EXPECT_EQ(file.error().where, cut);
  }
}

TEST(Safetensors, CorruptedHeadersNeverReadOutOfBounds) {
  mlbench::testing::TempDir dir;
  const std::vector<TensorSpec> specs = {
      {"a", DType::kBF16, {3, 4}}, {"b", DType::kF32, {5}}, {"c", DType::kF16, {2, 2}}};
  const auto path = dir.path() / "full.safetensors";
  ASSERT_TRUE(write_safetensors(path, specs, [](const TensorSpec&, std::span<std::byte> out) {
                std::fill(out.begin(), out.end(), std::byte{0x42});
              }).ok());
  const std::string full = mlbench::testing::read_file(path);
  std::mt19937 rng(1234);
  std::uniform_int_distribution<std::size_t> header_byte(0, 8 + 120);
  std::uniform_int_distribution<int> any_char(0, 255);
  int opened = 0;
  for (int trial = 0; trial < 400; ++trial) {
    std::string damaged = full;
    for (int flips = 0; flips < 1 + trial % 3; ++flips) {
      damaged[header_byte(rng)] = static_cast<char>(any_char(rng));
    }
    const std::string file_path = dir.write("bad.safetensors", damaged);
    const auto file = SafetensorsFile::open(file_path);
    if (!file.ok()) continue;
    ++opened;
    // Whatever survived validation must be readable end to end.
    unsigned sum = 0;
    for (const auto& [name, view] : file->tensors()) {
      for (std::byte b : view.data)
        sum += std::to_integer<unsigned>(b);
      EXPECT_EQ(view.data.size(), static_cast<std::size_t>(view.numel()) * dtype_size(view.dtype));
    }
    EXPECT_GE(sum, 0U);
  }
  EXPECT_LT(opened, 400);  // the damage was noticed at least sometimes
}

}  // namespace
}  // namespace mlbench::model
