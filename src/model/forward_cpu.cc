#include "mlbench/model/forward_cpu.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "mlbench/model/backend.h"

#include "model/kernels.h"
#include "model/rope.h"
#include "model/thread_pool.h"

namespace mlbench::model {
namespace {

std::size_t idx(std::int64_t i) {
  return static_cast<std::size_t>(i);
}

// Where each row of the batched activations comes from: its sequence and its position there.
struct RowSource {
  KvCache* cache;
  std::int64_t position;
};

// Causal GQA attention for every (row, query head): softmax(q·kᵀ/√d) · v over the row's cache
// up to and including its own position. The caches already hold this call's keys and values.
void attention(ThreadPool& pool, const LlamaConfig& c, std::size_t layer,
               const std::vector<RowSource>& rows, const float* q, float* out) {
  const std::int64_t hd = c.head_dim;
  const std::int64_t heads = c.num_attention_heads;
  const std::int64_t group = heads / c.num_key_value_heads;  // query heads per kv head
  const std::int64_t kv_dim = c.num_key_value_heads * hd;
  const float scale = 1.0f / std::sqrt(static_cast<float>(hd));
  const auto count = static_cast<std::int64_t>(rows.size()) * heads;
  pool.parallel_for(count, [&](std::int64_t begin, std::int64_t end) {
    std::vector<float> scores;
    for (std::int64_t item = begin; item < end; ++item) {
      const std::int64_t r = item / heads;
      const std::int64_t h = item % heads;
      const RowSource& source = rows[idx(r)];
      const float* keys = source.cache->keys[layer].data() + (h / group) * hd;
      const float* values = source.cache->values[layer].data() + (h / group) * hd;
      const float* query = q + r * heads * hd + h * hd;
      const std::int64_t visible = source.position + 1;
      scores.resize(idx(visible));
      float max_score = -INFINITY;
      for (std::int64_t t = 0; t < visible; ++t) {
        scores[idx(t)] = dot(query, keys + t * kv_dim, hd) * scale;
        max_score = std::max(max_score, scores[idx(t)]);
      }
      float total = 0.0f;
      for (float& s : scores) {
        s = std::exp(s - max_score);
        total += s;
      }
      float* o = out + r * heads * hd + h * hd;
      std::fill(o, o + hd, 0.0f);
      for (std::int64_t t = 0; t < visible; ++t) {
        const float weight = scores[idx(t)] / total;
        const float* v = values + t * kv_dim;
        for (std::int64_t d = 0; d < hd; ++d)
          o[d] += weight * v[d];
      }
    }
  });
}

}  // namespace

CpuModel::CpuModel(ModelWeights weights, const CpuOptions& options)
    : weights_(std::move(weights)),
      inv_freq_(rope_inv_freq(weights_.config())),
      pool_(std::make_unique<ThreadPool>(options.threads)) {}

CpuModel::CpuModel(CpuModel&&) noexcept = default;
CpuModel& CpuModel::operator=(CpuModel&&) noexcept = default;
CpuModel::~CpuModel() = default;

Result<CpuModel> CpuModel::load(const std::filesystem::path& model_dir, const CpuOptions& options) {
  auto weights = ModelWeights::load(model_dir);
  if (!weights) return weights.failure();
  return CpuModel(std::move(*weights), options);
}

int CpuModel::threads() const {
  return pool_->size();
}

Result<void> CpuModel::check(std::span<const SequenceStep> steps) const {
  const LlamaConfig& c = config();
  std::set<const KvCache*> seen;
  for (const SequenceStep& step : steps) {
    if (step.cache == nullptr || !seen.insert(step.cache).second) {
      return fail(ErrorCode::kInvalidArgument, "each step needs a cache of its own");
    }
    if (Result<void> valid = check_step_tokens(step.tokens, c); !valid) return valid.failure();
    const auto length = step.cache->length + static_cast<std::int64_t>(step.tokens.size());
    if (length > c.max_position_embeddings) {
      return fail(ErrorCode::kInvalidArgument,
                  fmt::format("sequence of {} tokens exceeds max_position_embeddings {}", length,
                              c.max_position_embeddings));
    }
  }
  return {};
}

Result<std::vector<float>> CpuModel::forward(std::span<const SequenceStep> steps) {
  if (auto ok = check(steps); !ok) return ok.failure();
  const LlamaConfig& c = config();
  const std::int64_t hidden = c.hidden_size;
  const std::int64_t q_dim = c.num_attention_heads * c.head_dim;
  const std::int64_t kv_dim = c.num_key_value_heads * c.head_dim;
  ThreadPool& pool = *pool_;

  std::vector<RowSource> rows;
  std::vector<std::int32_t> tokens;
  for (const SequenceStep& step : steps) {
    KvCache& cache = *step.cache;
    cache.keys.resize(idx(c.num_hidden_layers));
    cache.values.resize(idx(c.num_hidden_layers));
    for (std::size_t t = 0; t < step.tokens.size(); ++t) {
      rows.push_back({&cache, cache.length + static_cast<std::int64_t>(t)});
      tokens.push_back(step.tokens[t]);
    }
  }
  const auto n = static_cast<std::int64_t>(rows.size());

  std::vector<float> x(idx(n * hidden));  // the residual stream
  for (std::int64_t r = 0; r < n; ++r)
    widen_row(weights_.embedding(), tokens[idx(r)], &x[idx(r * hidden)]);

  std::vector<float> normed(idx(n * hidden));
  std::vector<float> q(idx(n * q_dim)), k(idx(n * kv_dim)), v(idx(n * kv_dim));
  std::vector<float> attended(idx(n * q_dim)), projected(idx(n * hidden));
  std::vector<float> gate(idx(n * c.intermediate_size)), up(idx(n * c.intermediate_size));

  const auto layers = weights_.layers();
  for (std::size_t l = 0; l < layers.size(); ++l) {
    const LayerWeights& w = layers[l];
    for (std::int64_t r = 0; r < n; ++r) {
      rms_norm(&x[idx(r * hidden)], w.input_norm.data(), hidden, c.rms_norm_eps,
               &normed[idx(r * hidden)]);
    }
    matmul(pool, normed.data(), n, w.q, q.data());
    matmul(pool, normed.data(), n, w.k, k.data());
    matmul(pool, normed.data(), n, w.v, v.data());
    for (std::int64_t r = 0; r < n; ++r) {
      const RowSource& source = rows[idx(r)];
      apply_rope(&q[idx(r * q_dim)], c.num_attention_heads, c.head_dim, source.position, inv_freq_);
      apply_rope(&k[idx(r * kv_dim)], c.num_key_value_heads, c.head_dim, source.position,
                 inv_freq_);
      // Rows of one sequence come in position order, so appending keeps cache index = position.
      auto& keys = source.cache->keys[l];
      auto& values = source.cache->values[l];
      keys.resize(idx((source.position + 1) * kv_dim));
      values.resize(idx((source.position + 1) * kv_dim));
      std::copy_n(&k[idx(r * kv_dim)], kv_dim, &keys[idx(source.position * kv_dim)]);
      std::copy_n(&v[idx(r * kv_dim)], kv_dim, &values[idx(source.position * kv_dim)]);
    }
    attention(pool, c, l, rows, q.data(), attended.data());
    matmul(pool, attended.data(), n, w.o, projected.data());
    for (std::size_t i = 0; i < x.size(); ++i)
      x[i] += projected[i];

    for (std::int64_t r = 0; r < n; ++r) {
      rms_norm(&x[idx(r * hidden)], w.post_attn_norm.data(), hidden, c.rms_norm_eps,
               &normed[idx(r * hidden)]);
    }
    matmul(pool, normed.data(), n, w.gate, gate.data());
    matmul(pool, normed.data(), n, w.up, up.data());
    for (std::size_t i = 0; i < gate.size(); ++i) {
      gate[i] = gate[i] / (1.0f + std::exp(-gate[i])) * up[i];  // SwiGLU: silu(gate) · up
    }
    matmul(pool, gate.data(), n, w.down, projected.data());
    for (std::size_t i = 0; i < x.size(); ++i)
      x[i] += projected[i];
  }

  // Only each step's last token needs logits.
  std::vector<float> last(steps.size() * idx(hidden));
  std::int64_t row = -1;
  for (std::size_t s = 0; s < steps.size(); ++s) {
    row += static_cast<std::int64_t>(steps[s].tokens.size());
    rms_norm(&x[idx(row * hidden)], weights_.final_norm().data(), hidden, c.rms_norm_eps,
             &last[s * idx(hidden)]);
  }
  std::vector<float> logits(steps.size() * idx(c.vocab_size));
  matmul(pool, last.data(), static_cast<std::int64_t>(steps.size()), weights_.lm_head(),
         logits.data());
  for (const SequenceStep& step : steps) {
    step.cache->length += static_cast<std::int64_t>(step.tokens.size());
  }
  return logits;
}

}  // namespace mlbench::model
