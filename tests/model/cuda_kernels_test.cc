// The CUDA backend's kernels one at a time, on shapes the tiny preset never gives them: GQA
// groups that are not a multiple of the grouped kernel's tile, heads not a multiple of the warp,
// block tables out of order, splits left empty, ties and NaNs in the argmax. Built twice: on the
// host emulation of a device (every build) and against the real runtime (gpu label, skipping
// where there is no GPU). References are plain double-precision loops in this file.

#include <cuda_runtime.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "mlbench/model/cuda_devices.h"
#include "mlbench/model/dtype.h"

#include "model/cuda/attention_split.h"
#include "model/cuda/kernels.h"
#include "model/rope.h"

namespace mlbench::model::cuda {
namespace {

std::string no_device_reason() {
  auto info = query_cuda_devices();
  if (!info) return "the CUDA runtime failed: " + info.error().describe();
  if (info->devices.empty()) return "no CUDA device on this machine: the kernels cannot run here";
  return {};
}

// Device memory holding a copy of a host vector; freed with the object. An empty vector still
// gets an allocation (of one element), so that get() is a valid device pointer.
template <typename T>
class DeviceBuffer {
 public:
  explicit DeviceBuffer(const std::vector<T>& host) : size_(host.size()) {
    EXPECT_EQ(cudaMalloc(&data_, std::max<std::size_t>(bytes(), sizeof(T))), cudaSuccess);
    if (size_ > 0) {
      EXPECT_EQ(cudaMemcpy(data_, host.data(), bytes(), cudaMemcpyHostToDevice), cudaSuccess);
    }
  }
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;
  ~DeviceBuffer() { cudaFree(data_); }

  T* get() const { return static_cast<T*>(data_); }
  std::vector<T> read() const {
    std::vector<T> host(size_);
    if (size_ > 0) {
      EXPECT_EQ(cudaMemcpy(host.data(), data_, bytes(), cudaMemcpyDeviceToHost), cudaSuccess);
    }
    return host;
  }

 private:
  std::size_t bytes() const { return size_ * sizeof(T); }
  void* data_ = nullptr;
  std::size_t size_ = 0;
};

// Waits for the stream and checks that every launch went in and ran.
void finish_stream(cudaStream_t stream, const char* what) {
  EXPECT_EQ(cudaGetLastError(), cudaSuccess) << what << ": launch";
  EXPECT_EQ(cudaStreamSynchronize(stream), cudaSuccess) << what << ": run";
}

class CudaKernelsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (const std::string reason = no_device_reason(); !reason.empty()) GTEST_SKIP() << reason;
    ASSERT_EQ(cudaSetDevice(0), cudaSuccess);
    ASSERT_EQ(cudaStreamCreateWithFlags(&stream_, cudaStreamNonBlocking), cudaSuccess);
  }
  void TearDown() override {
    if (stream_ != nullptr) cudaStreamDestroy(stream_);
  }

  void finish(const char* what) { finish_stream(stream_, what); }

  cudaStream_t stream_ = nullptr;
};

std::vector<std::uint16_t> to_bf16(const std::vector<float>& values) {
  std::vector<std::uint16_t> out(values.size());
  std::transform(values.begin(), values.end(), out.begin(), f32_to_bf16);
  return out;
}

// A paged cache of `sequences` sequences of `length` positions each, with each sequence's blocks
// scattered through the pool in a shuffled order, and random keys and values.
struct PagedCache {
  std::int64_t kv_dim = 0;
  std::int64_t block_tokens = 0;
  std::int64_t max_blocks = 0;  // per sequence: the block table's row stride
  std::vector<std::int32_t> tables;
  std::vector<float> keys;
  std::vector<float> values;

  PagedCache(std::int64_t sequences, std::int64_t length, std::int64_t kv_dim_in,
             std::int64_t block_tokens_in, std::mt19937& random)
      : kv_dim(kv_dim_in), block_tokens(block_tokens_in) {
    max_blocks = (length + block_tokens - 1) / block_tokens;
    std::vector<std::int32_t> pool(static_cast<std::size_t>(sequences * max_blocks + 3));
    std::iota(pool.begin(), pool.end(), 0);
    std::shuffle(pool.begin(), pool.end(), random);
    tables.assign(pool.begin(), pool.begin() + sequences * max_blocks);
    std::normal_distribution<float> normal;
    const auto floats =
        static_cast<std::size_t>(pool.size()) * static_cast<std::size_t>(block_tokens * kv_dim);
    keys.resize(floats);
    values.resize(floats);
    for (float& k : keys)
      k = normal(random);
    for (float& v : values)
      v = normal(random);
  }

  // Rounds every key and value to bf16, for a bf16 cache: the reference then reads exactly the
  // values the kernels widen.
  void round_to_bf16() {
    for (std::vector<float>* pool : {&keys, &values}) {
      for (float& x : *pool)
        x = bf16_to_f32(f32_to_bf16(x));
    }
  }

  const float* at(const std::vector<float>& pool, std::int64_t sequence,
                  std::int64_t position) const {
    const std::int32_t block =
        tables[static_cast<std::size_t>(sequence * max_blocks + position / block_tokens)];
    return pool.data() + (block * block_tokens + position % block_tokens) * kv_dim;
  }
};

struct AttentionShape {
  std::int64_t heads;
  std::int64_t kv_heads;
  std::int64_t head_dim;
};

// softmax(q·kᵀ/√d)·v for every (row, query head) over positions 0..position of its sequence.
std::vector<double> reference_attention(const std::vector<float>& q, const AttentionShape& shape,
                                        const std::vector<std::int32_t>& positions,
                                        const std::vector<std::int32_t>& row_steps,
                                        const PagedCache& cache) {
  const std::int64_t d = shape.head_dim;
  const std::int64_t group = shape.heads / shape.kv_heads;
  std::vector<double> out(q.size());
  for (std::size_t r = 0; r < positions.size(); ++r) {
    for (std::int64_t h = 0; h < shape.heads; ++h) {
      const float* query = q.data() + (static_cast<std::int64_t>(r) * shape.heads + h) * d;
      const std::int64_t kv_offset = (h / group) * d;
      std::vector<double> scores;
      for (std::int32_t t = 0; t <= positions[r]; ++t) {
        const float* key = cache.at(cache.keys, row_steps[r], t) + kv_offset;
        double dot = 0.0;
        for (std::int64_t i = 0; i < d; ++i)
          dot += static_cast<double>(query[i]) * key[i];
        scores.push_back(dot / std::sqrt(static_cast<double>(d)));
      }
      const double top = *std::max_element(scores.begin(), scores.end());
      double total = 0.0;
      for (double& s : scores) {
        s = std::exp(s - top);
        total += s;
      }
      double* result = out.data() + (static_cast<std::int64_t>(r) * shape.heads + h) * d;
      for (std::int32_t t = 0; t <= positions[r]; ++t) {
        const float* value = cache.at(cache.values, row_steps[r], t) + kv_offset;
        for (std::int64_t i = 0; i < d; ++i)
          result[i] += scores[static_cast<std::size_t>(t)] / total * value[i];
      }
    }
  }
  return out;
}

// Runs both attention kernels on `positions` (one row per entry, each row its own sequence of
// the cache) and compares them with the reference.
// With `bf16_cache`, the cache holds bf16 keys and values (the reference reads the same rounded
// values).
void expect_attention_matches(cudaStream_t stream, const AttentionShape& shape,
                              std::vector<std::int32_t> positions, std::int64_t block_tokens,
                              bool bf16_cache = false) {
  std::mt19937 random(static_cast<unsigned>(shape.heads * 131 + shape.head_dim));
  const auto rows = static_cast<std::int64_t>(positions.size());
  const std::int32_t longest = *std::max_element(positions.begin(), positions.end()) + 1;
  PagedCache cache(rows, longest, shape.kv_heads * shape.head_dim, block_tokens, random);
  if (bf16_cache) cache.round_to_bf16();
  std::vector<std::int32_t> row_steps(positions.size());
  std::iota(row_steps.begin(), row_steps.end(), 0);
  std::vector<float> q(static_cast<std::size_t>(rows * shape.heads * shape.head_dim));
  std::normal_distribution<float> normal;
  for (float& x : q)
    x = normal(random);
  const std::vector<double> expected = reference_attention(q, shape, positions, row_steps, cache);

  const DeviceBuffer<float> d_q(q);
  const DeviceBuffer<std::int32_t> d_positions(positions);
  const DeviceBuffer<std::int32_t> d_steps(row_steps);
  const DeviceBuffer<std::int32_t> d_tables(cache.tables);
  const DeviceBuffer<float> d_keys(bf16_cache ? std::vector<float>{} : cache.keys);
  const DeviceBuffer<float> d_values(bf16_cache ? std::vector<float>{} : cache.values);
  const DeviceBuffer<std::uint16_t> d_bf16_keys(bf16_cache ? to_bf16(cache.keys)
                                                           : std::vector<std::uint16_t>{});
  const DeviceBuffer<std::uint16_t> d_bf16_values(bf16_cache ? to_bf16(cache.values)
                                                             : std::vector<std::uint16_t>{});
  const RowMeta meta{.tokens = nullptr, .positions = d_positions.get(), .steps = d_steps.get()};
  const PagedKv kv{.keys = bf16_cache ? static_cast<void*>(d_bf16_keys.get()) : d_keys.get(),
                   .values = bf16_cache ? static_cast<void*>(d_bf16_values.get()) : d_values.get(),
                   .block_tables = d_tables.get(),
                   .max_blocks_per_sequence = cache.max_blocks,
                   .block_tokens = block_tokens,
                   .bf16 = bf16_cache};
  const std::int64_t partial_floats =
      attention_partial_floats(rows, shape.heads, shape.kv_heads, shape.head_dim);
  const DeviceBuffer<float> d_partial(std::vector<float>(static_cast<std::size_t>(partial_floats)));
  const DeviceBuffer<float> d_grouped(std::vector<float>(q.size()));
  const DeviceBuffer<float> d_per_head(std::vector<float>(q.size()));

  grouped_attention(stream, d_q.get(), meta, kv, rows, shape.heads, shape.kv_heads, shape.head_dim,
                    d_partial.get(), d_grouped.get());
  attention(stream, d_q.get(), meta, kv, rows, shape.heads, shape.kv_heads, shape.head_dim,
            d_per_head.get());
  finish_stream(stream, "attention");
  const std::string where = std::to_string(rows) + " rows, " + std::to_string(shape.heads) +
                            " heads over " + std::to_string(shape.kv_heads) + " kv heads of " +
                            std::to_string(shape.head_dim) + ", " +
                            std::to_string(attention_splits(rows, shape.heads, shape.kv_heads)) +
                            " splits" + (bf16_cache ? ", bf16 cache" : "");
  const std::vector<float> grouped = d_grouped.read();
  const std::vector<float> per_head = d_per_head.read();
  int reported = 0;
  for (std::size_t i = 0; i < expected.size() && reported < 5; ++i) {
    const double tolerance = 1e-5 + 1e-5 * std::abs(expected[i]);
    if (std::abs(grouped[i] - expected[i]) > tolerance ||
        std::abs(per_head[i] - expected[i]) > tolerance) {
      ADD_FAILURE() << where << ": element " << i << " (row "
                    << i / static_cast<std::size_t>(shape.heads * shape.head_dim) << ") is "
                    << grouped[i] << " grouped, " << per_head[i] << " per head, expected "
                    << expected[i];
      ++reported;
    }
  }
}

TEST_F(CudaKernelsTest, AttentionOnAGroupThatIsNotAMultipleOfTheTile) {
  // Llama-style GQA with 6 query heads per kv head: tiles of 4 and 2.
  expect_attention_matches(stream_, {.heads = 12, .kv_heads = 2, .head_dim = 40},
                           {0, 5, 16, 17, 70}, 16);
}

TEST_F(CudaKernelsTest, DecodeOfOneRowSplitsItsPositionsAndSkipsEmptySplits) {
  // One row: 32 splits. At position 3 most are empty; at 200 each has several blocks of 4.
  ASSERT_EQ(attention_splits(1, 8, 2), kAttentionMaxSplits);
  expect_attention_matches(stream_, {.heads = 8, .kv_heads = 2, .head_dim = 64}, {3}, 4);
  expect_attention_matches(stream_, {.heads = 8, .kv_heads = 2, .head_dim = 64}, {200}, 4);
}

TEST_F(CudaKernelsTest, AttentionReadsABf16Cache) {
  expect_attention_matches(stream_, {.heads = 12, .kv_heads = 2, .head_dim = 40}, {0, 17, 70}, 16,
                           true);
  expect_attention_matches(stream_, {.heads = 8, .kv_heads = 2, .head_dim = 64}, {130}, 4, true);
}

TEST_F(CudaKernelsTest, AttentionAtTheLargestHeadAndWithoutGrouping) {
  expect_attention_matches(stream_, {.heads = 2, .kv_heads = 2, .head_dim = 256}, {9, 33}, 16);
  expect_attention_matches(stream_, {.heads = 32, .kv_heads = 8, .head_dim = 128}, {40}, 16);
}

// The fused projection's two parts summed, q and k rotated as the CPU backend rotates them, q
// stored row by row, k and v stored at each row's slot of its sequence's blocks and nowhere else.
// bf16: the cache's elements are the rotated k and the v rounded to bf16.
void expect_qkv_rope_store(cudaStream_t stream, bool bf16) {
  const std::int64_t heads = 4;
  const std::int64_t kv_heads = 2;
  const std::int64_t head_dim = 6;
  const std::int64_t q_dim = heads * head_dim;
  const std::int64_t kv_dim = kv_heads * head_dim;
  const std::int64_t width = q_dim + 2 * kv_dim;
  const std::int64_t block_tokens = 4;
  // Two sequences; sequence 0 owns pool blocks 3 and 0, sequence 1 owns 2 and 1.
  const std::vector<std::int32_t> tables = {3, 0, 2, 1};
  const std::vector<std::int32_t> positions = {5, 2, 7};
  const std::vector<std::int32_t> row_steps = {0, 1, 1};
  const auto rows = static_cast<std::int64_t>(positions.size());
  std::mt19937 random(11);
  std::normal_distribution<float> normal;
  std::vector<float> parts(static_cast<std::size_t>(2 * rows * width));
  for (float& value : parts)
    value = normal(random);
  const std::vector<float> inv_freq = {1.0f, 0.1f, 0.01f};
  const std::vector<float> pool(static_cast<std::size_t>(4 * block_tokens * kv_dim), 7.0f);
  const DeviceBuffer<float> d_parts(parts);
  const DeviceBuffer<std::int32_t> d_positions(positions);
  const DeviceBuffer<std::int32_t> d_steps(row_steps);
  const DeviceBuffer<std::int32_t> d_tables(tables);
  const DeviceBuffer<float> d_inv_freq(inv_freq);
  const DeviceBuffer<float> d_keys(bf16 ? std::vector<float>{} : pool);
  const DeviceBuffer<float> d_values(bf16 ? std::vector<float>{} : pool);
  const DeviceBuffer<std::uint16_t> d_bf16_keys(bf16 ? to_bf16(pool)
                                                     : std::vector<std::uint16_t>{});
  const DeviceBuffer<std::uint16_t> d_bf16_values(bf16 ? to_bf16(pool)
                                                       : std::vector<std::uint16_t>{});
  const DeviceBuffer<float> d_q(std::vector<float>(static_cast<std::size_t>(rows * q_dim)));
  qkv_rope_store(stream, d_parts.get(), true,
                 {.tokens = nullptr, .positions = d_positions.get(), .steps = d_steps.get()},
                 {.keys = bf16 ? static_cast<void*>(d_bf16_keys.get()) : d_keys.get(),
                  .values = bf16 ? static_cast<void*>(d_bf16_values.get()) : d_values.get(),
                  .block_tables = d_tables.get(),
                  .max_blocks_per_sequence = 2,
                  .block_tokens = block_tokens,
                  .bf16 = bf16},
                 d_inv_freq.get(), rows, heads, kv_heads, head_dim, d_q.get());
  finish_stream(stream, "qkv_rope_store");

  std::vector<float> expected_q(static_cast<std::size_t>(rows * q_dim));
  std::vector<float> expected_keys = pool;
  std::vector<float> expected_values = pool;
  // Row 0: sequence 0, position 5 → its second block (pool block 0), slot 1.
  // Row 1: sequence 1, position 2 → pool block 2, slot 2. Row 2: position 7 → pool block 1, slot 3.
  const std::int64_t slots[] = {0 * block_tokens + 1, 2 * block_tokens + 2, 1 * block_tokens + 3};
  for (std::int64_t r = 0; r < rows; ++r) {
    std::vector<float> row(static_cast<std::size_t>(width));
    for (std::int64_t col = 0; col < width; ++col) {
      row[static_cast<std::size_t>(col)] =
          parts[static_cast<std::size_t>(r * width + col)] +
          parts[static_cast<std::size_t>((rows + r) * width + col)];
    }
    apply_rope(row.data(), heads, head_dim, positions[static_cast<std::size_t>(r)], inv_freq);
    apply_rope(row.data() + q_dim, kv_heads, head_dim, positions[static_cast<std::size_t>(r)],
               inv_freq);
    std::copy(row.begin(), row.begin() + q_dim, expected_q.begin() + r * q_dim);
    std::copy(row.begin() + q_dim, row.begin() + q_dim + kv_dim,
              expected_keys.begin() + slots[r] * kv_dim);
    std::copy(row.begin() + q_dim + kv_dim, row.end(), expected_values.begin() + slots[r] * kv_dim);
  }
  // The host's cos and sin against the device's: a few ulps apart at most.
  const auto expect_near = [](const std::vector<float>& got, const std::vector<float>& expected,
                              const char* what) {
    ASSERT_EQ(got.size(), expected.size());
    for (std::size_t i = 0; i < got.size(); ++i)
      EXPECT_NEAR(got[i], expected[i], 1e-5f * (1.0f + std::abs(expected[i]))) << what << " " << i;
  };
  expect_near(d_q.read(), expected_q, "q");
  if (!bf16) {
    expect_near(d_keys.read(), expected_keys, "keys");
    EXPECT_EQ(d_values.read(), expected_values);
    return;
  }
  // Rounded once: within half a bf16 step of the fp32 result (plus the cos/sin ulps).
  std::vector<float> keys;
  for (std::uint16_t bits : d_bf16_keys.read())
    keys.push_back(bf16_to_f32(bits));
  for (std::size_t i = 0; i < keys.size(); ++i) {
    EXPECT_NEAR(keys[i], expected_keys[i], std::abs(expected_keys[i]) * 0x1p-8 + 1e-6f)
        << "key " << i;
  }
  EXPECT_EQ(d_bf16_values.read(), to_bf16(expected_values));
}

TEST_F(CudaKernelsTest, QkvRopeStoreRotatesAndStoresEachRowAtItsBlockTablesSlot) {
  expect_qkv_rope_store(stream_, false);
}

TEST_F(CudaKernelsTest, QkvRopeStoreRoundsIntoABf16Cache) {
  expect_qkv_rope_store(stream_, true);
}

TEST_F(CudaKernelsTest, ArgmaxTakesTheLowestOfTiesAndTreatsNaNAsTheCpuDoes) {
  const std::int64_t vocab = 1000;  // not a multiple of the block
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float inf = std::numeric_limits<float>::infinity();
  std::vector<std::vector<float>> rows(5, std::vector<float>(vocab, -1.0f));
  rows[0][999] = 4.0f;  // the last index
  rows[0][3] = 2.0f;
  rows[1][700] = 3.0f;  // a tie: the lower index wins
  rows[1][301] = 3.0f;
  rows[2][0] = nan;  // NaN first: the CPU's argmax keeps index 0
  rows[2][5] = 9.0f;
  rows[3][10] = nan;  // NaN elsewhere never wins
  rows[3][900] = 1.0f;
  std::fill(rows[4].begin(), rows[4].end(), -inf);  // nothing larger than the first
  std::vector<float> logits;
  for (const auto& row : rows)
    logits.insert(logits.end(), row.begin(), row.end());
  const DeviceBuffer<float> d_logits(logits);
  const DeviceBuffer<std::int32_t> d_out(std::vector<std::int32_t>(rows.size(), -1));
  argmax(stream_, d_logits.get(), static_cast<std::int64_t>(rows.size()), vocab, d_out.get());
  finish("argmax");
  EXPECT_EQ(d_out.read(), (std::vector<std::int32_t>{999, 301, 0, 900, 0}));
}

TEST_F(CudaKernelsTest, RmsNormSplitsIntoTwoBf16PartsThatSumToTheFp32Result) {
  const std::int64_t rows = 3;
  const std::int64_t n = 300;  // not a multiple of the block
  std::mt19937 random(7);
  std::normal_distribution<float> normal;
  std::vector<float> x(static_cast<std::size_t>(rows * n));
  std::vector<float> weight(static_cast<std::size_t>(n));
  for (float& value : x)
    value = normal(random) * 3.0f;
  for (float& value : weight)
    value = 1.0f + 0.1f * normal(random);
  const double eps = 1e-5;
  // Rows 2, 0 of x: the gather the final norm uses.
  const std::vector<std::int32_t> rows_from = {2, 0};
  const DeviceBuffer<float> d_x(x);
  const DeviceBuffer<float> d_weight(weight);
  const DeviceBuffer<std::int32_t> d_rows(rows_from);
  const DeviceBuffer<std::uint16_t> d_parts(std::vector<std::uint16_t>(2 * 2 * n));
  rms_norm(stream_, d_x.get(), d_rows.get(), d_weight.get(), 2, n, eps, true, d_parts.get());
  finish("rms_norm");
  const std::vector<std::uint16_t> parts = d_parts.read();
  for (std::int64_t r = 0; r < 2; ++r) {
    const float* row = x.data() + rows_from[static_cast<std::size_t>(r)] * n;
    double squares = 0.0;
    for (std::int64_t i = 0; i < n; ++i)
      squares += static_cast<double>(row[i]) * row[i];
    const double scale = 1.0 / std::sqrt(squares / static_cast<double>(n) + eps);
    for (std::int64_t i = 0; i < n; ++i) {
      const double expected = row[i] * scale * weight[static_cast<std::size_t>(i)];
      const auto index = static_cast<std::size_t>(r * n + i);
      const double hi = bf16_to_f32(parts[index]);
      const double lo = bf16_to_f32(parts[static_cast<std::size_t>(2 * n) + index]);
      // bf16 keeps 8 bits: hi alone is within 2^-8 of the value, hi + lo within about 2^-16.
      EXPECT_NEAR(hi, expected, std::abs(expected) * 0x1p-8 + 1e-30) << "row " << r << ", " << i;
      EXPECT_NEAR(hi + lo, expected, std::abs(expected) * 0x1p-15 + 1e-30)
          << "row " << r << ", " << i;
    }
  }
}

}  // namespace
}  // namespace mlbench::model::cuda
