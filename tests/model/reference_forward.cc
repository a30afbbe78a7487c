#include "model/reference_forward.h"

#include <bit>
#include <cmath>
#include <cstring>
#include <numbers>
#include <string>

namespace mlbench::model::testing {
namespace {

using Vec = std::vector<double>;
using Mat = std::vector<Vec>;  // [rows][cols]

double element(const TensorView& t, std::size_t i) {
  if (t.dtype == DType::kF32) {
    float f;
    std::memcpy(&f, t.data.data() + 4 * i, 4);
    return f;
  }
  std::uint16_t bits;
  std::memcpy(&bits, t.data.data() + 2 * i, 2);
  if (t.dtype == DType::kBF16) return std::bit_cast<float>(std::uint32_t{bits} << 16);
  return f16_to_f32(bits);
}

const TensorView& get(const ModelWeights& w, const std::string& name) {
  const TensorView* t = w.tensor(name);
  if (t == nullptr) throw std::runtime_error("reference: no tensor " + name);
  return *t;
}

Vec vec(const ModelWeights& w, const std::string& name) {
  const TensorView& t = get(w, name);
  Vec out(static_cast<std::size_t>(t.numel()));
  for (std::size_t i = 0; i < out.size(); ++i)
    out[i] = element(t, i);
  return out;
}

Mat mat(const ModelWeights& w, const std::string& name) {
  const TensorView& t = get(w, name);
  const auto rows = static_cast<std::size_t>(t.shape[0]);
  const auto cols = static_cast<std::size_t>(t.shape[1]);
  Mat out(rows, Vec(cols));
  for (std::size_t r = 0; r < rows; ++r) {
    for (std::size_t c = 0; c < cols; ++c)
      out[r][c] = element(t, r * cols + c);
  }
  return out;
}

Vec times(const Mat& m, const Vec& x) {
  Vec y(m.size(), 0.0);
  for (std::size_t r = 0; r < m.size(); ++r) {
    for (std::size_t c = 0; c < x.size(); ++c)
      y[r] += m[r][c] * x[c];
  }
  return y;
}

Vec rms_norm(const Vec& x, const Vec& w, double eps) {
  double mean_square = 0.0;
  for (double v : x)
    mean_square += v * v / static_cast<double>(x.size());
  Vec y(x.size());
  for (std::size_t i = 0; i < x.size(); ++i)
    y[i] = x[i] / std::sqrt(mean_square + eps) * w[i];
  return y;
}

Vec inverse_frequencies(const LlamaConfig& c) {
  const auto d = static_cast<std::size_t>(c.head_dim);
  Vec inv(d / 2);
  for (std::size_t j = 0; j < d / 2; ++j) {
    inv[j] = 1.0 / std::pow(c.rope_theta, static_cast<double>(2 * j) / static_cast<double>(d));
    if (!c.rope_scaling) continue;
    const double f = c.rope_scaling->factor;
    const double lo = c.rope_scaling->low_freq_factor;
    const double hi = c.rope_scaling->high_freq_factor;
    const auto L = static_cast<double>(c.rope_scaling->original_max_position_embeddings);
    const double wavelen = 2 * std::numbers::pi / inv[j];
    if (wavelen > L / lo) {
      inv[j] = inv[j] / f;
    } else if (wavelen < L / hi) {
      // unchanged
    } else {
      const double smooth = (L / wavelen - lo) / (hi - lo);
      inv[j] = (1 - smooth) * inv[j] / f + smooth * inv[j];
    }
  }
  return inv;
}

// Rotate-half RoPE on one head (a slice of `x` starting at `offset`).
void rope(Vec& x, std::size_t offset, std::size_t d, std::size_t pos, const Vec& inv) {
  Vec head(x.begin() + static_cast<long>(offset), x.begin() + static_cast<long>(offset + d));
  for (std::size_t i = 0; i < d; ++i) {
    const double angle = static_cast<double>(pos) * inv[i % (d / 2)];
    const double rotated = i < d / 2 ? -head[i + d / 2] : head[i - d / 2];
    x[offset + i] = head[i] * std::cos(angle) + rotated * std::sin(angle);
  }
}

}  // namespace

std::vector<std::vector<double>> reference_logits(const ModelWeights& weights,
                                                  std::span<const std::int32_t> tokens) {
  const LlamaConfig& c = weights.config();
  const auto T = tokens.size();
  const auto H = static_cast<std::size_t>(c.hidden_size);
  const auto d = static_cast<std::size_t>(c.head_dim);
  const auto nh = static_cast<std::size_t>(c.num_attention_heads);
  const auto nkv = static_cast<std::size_t>(c.num_key_value_heads);
  const Vec inv = inverse_frequencies(c);

  const Mat embed = mat(weights, "model.embed_tokens.weight");
  Mat x(T);
  for (std::size_t t = 0; t < T; ++t)
    x[t] = embed[static_cast<std::size_t>(tokens[t])];

  for (std::int64_t layer = 0; layer < c.num_hidden_layers; ++layer) {
    const std::string p = "model.layers." + std::to_string(layer) + ".";
    const Mat wq = mat(weights, p + "self_attn.q_proj.weight");
    const Mat wk = mat(weights, p + "self_attn.k_proj.weight");
    const Mat wv = mat(weights, p + "self_attn.v_proj.weight");
    const Mat wo = mat(weights, p + "self_attn.o_proj.weight");
    const Mat wg = mat(weights, p + "mlp.gate_proj.weight");
    const Mat wu = mat(weights, p + "mlp.up_proj.weight");
    const Mat wd = mat(weights, p + "mlp.down_proj.weight");
    const Vec n1 = vec(weights, p + "input_layernorm.weight");
    const Vec n2 = vec(weights, p + "post_attention_layernorm.weight");

    Mat q(T), k(T), v(T);
    for (std::size_t t = 0; t < T; ++t) {
      const Vec h = rms_norm(x[t], n1, c.rms_norm_eps);
      q[t] = times(wq, h);
      k[t] = times(wk, h);
      v[t] = times(wv, h);
      for (std::size_t head = 0; head < nh; ++head)
        rope(q[t], head * d, d, t, inv);
      for (std::size_t head = 0; head < nkv; ++head)
        rope(k[t], head * d, d, t, inv);
    }
    for (std::size_t t = 0; t < T; ++t) {
      Vec attn(nh * d, 0.0);
      for (std::size_t head = 0; head < nh; ++head) {
        const std::size_t kv = head / (nh / nkv);
        Vec scores(t + 1);
        double biggest = -1e300;
        for (std::size_t s = 0; s <= t; ++s) {  // causal: only positions up to t
          double dot = 0.0;
          for (std::size_t i = 0; i < d; ++i)
            dot += q[t][head * d + i] * k[s][kv * d + i];
          scores[s] = dot / std::sqrt(static_cast<double>(d));
          biggest = std::max(biggest, scores[s]);
        }
        double total = 0.0;
        for (double& s : scores)
          total += (s = std::exp(s - biggest));
        for (std::size_t s = 0; s <= t; ++s) {
          for (std::size_t i = 0; i < d; ++i) {
            attn[head * d + i] += scores[s] / total * v[s][kv * d + i];
          }
        }
      }
      const Vec o = times(wo, attn);
      for (std::size_t i = 0; i < H; ++i)
        x[t][i] += o[i];
    }
    for (std::size_t t = 0; t < T; ++t) {
      const Vec h = rms_norm(x[t], n2, c.rms_norm_eps);
      const Vec g = times(wg, h);
      const Vec u = times(wu, h);
      Vec act(g.size());
      for (std::size_t i = 0; i < g.size(); ++i)
        act[i] = g[i] / (1 + std::exp(-g[i])) * u[i];
      const Vec down = times(wd, act);
      for (std::size_t i = 0; i < H; ++i)
        x[t][i] += down[i];
    }
  }
  const Vec final_norm = vec(weights, "model.norm.weight");
  const Mat head =
      mat(weights, c.tie_word_embeddings ? "model.embed_tokens.weight" : "lm_head.weight");
  std::vector<std::vector<double>> logits(T);
  for (std::size_t t = 0; t < T; ++t)
    logits[t] = times(head, rms_norm(x[t], final_norm, c.rms_norm_eps));
  return logits;
}

}  // namespace mlbench::model::testing
