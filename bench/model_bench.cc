// CPU forward-pass throughput on generated models: prefill tokens/s, decode tokens/s, and the
// memory bandwidth decode achieves (weight bytes streamed per step ÷ step time). Batch-1 decode
// reads every weight once per token, so that last figure is the one to hold against STREAM.
//
//   model_bench [--threads N] [--presets tiny,small] [--prompt P] [--decode D] [--keep DIR]

#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "mlbench/model/forward_cpu.h"
#include "mlbench/model/make_model.h"

namespace {

using namespace mlbench::model;
using Clock = std::chrono::steady_clock;

struct Options {
  int threads = 0;
  std::vector<std::string> presets = {"tiny", "small"};
  int prompt = 128;
  int decode = 32;
  int repeats = 3;
};

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

std::vector<std::int32_t> prompt_tokens(const LlamaConfig& config, int count) {
  std::vector<std::int32_t> tokens;
  for (int i = 0; i < count; ++i) {
    tokens.push_back(static_cast<std::int32_t>((i * 7919 + 13) % (config.vocab_size - 256)));
  }
  return tokens;
}

int bench_preset(const std::string& preset, const Options& options,
                 const std::filesystem::path& root) {
  const auto config = preset_config(preset);
  if (!config) {
    fmt::print(stderr, "{}\n", config.error().describe());
    return 1;
  }
  const auto dir = root / preset;
  if (!std::filesystem::exists(dir / "config.json")) {
    const auto start = Clock::now();
    if (auto ok = write_random_model(dir, *config, {}); !ok) {
      fmt::print(stderr, "{}\n", ok.error().describe());
      return 1;
    }
    fmt::print("{}: wrote the model in {:.1f} s\n", preset, seconds_since(start));
  }
  auto model = CpuModel::load(dir, {.threads = options.threads});
  if (!model) {
    fmt::print(stderr, "{}\n", model.error().describe());
    return 1;
  }
  const auto prompt = prompt_tokens(*config, options.prompt);

  // Prefill: the best of a few runs, each from an empty cache.
  double prefill_best = 1e30;
  for (int r = 0; r < options.repeats; ++r) {
    KvCache cache;
    const SequenceStep step{&cache, prompt};
    const auto start = Clock::now();
    if (!model->forward({&step, 1})) return 1;
    prefill_best = std::min(prefill_best, seconds_since(start));
  }

  // Decode: one token at a time after a 16-token prompt, as batch-1 serving does.
  double decode_best = 1e30;
  for (int r = 0; r < options.repeats; ++r) {
    KvCache cache;
    const SequenceStep first{&cache, std::span(prompt).first(16)};
    auto logits = model->forward({&first, 1});
    if (!logits) return 1;
    std::int32_t token = 1;
    const auto start = Clock::now();
    for (int i = 0; i < options.decode; ++i) {
      const SequenceStep step{&cache, {&token, 1}};
      logits = model->forward({&step, 1});
      if (!logits) return 1;
      token = static_cast<std::int32_t>((token * 31 + 7) % 200);
    }
    decode_best = std::min(decode_best, seconds_since(start) / options.decode);
  }
  const double bytes = static_cast<double>(model->weights().bytes_per_decode_step());
  fmt::print(
      "{:>6}: {:>5.1f} MB weights, {} threads | prefill {} tok: {:>8.1f} tok/s | decode: "
      "{:>7.1f} tok/s, {:>6.2f} ms/tok, {:>5.1f} GB/s\n",
      preset, bytes / 1e6, model->threads(), options.prompt, options.prompt / prefill_best,
      1.0 / decode_best, decode_best * 1e3, bytes / decode_best / 1e9);
  return 0;
}

std::vector<std::string> split(std::string_view text) {
  std::vector<std::string> out;
  while (!text.empty()) {
    const auto comma = text.find(',');
    out.emplace_back(text.substr(0, comma));
    text = comma == std::string_view::npos ? "" : text.substr(comma + 1);
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  std::filesystem::path keep;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string_view flag = argv[i];
    const char* value = argv[i + 1];
    if (flag == "--threads")
      options.threads = std::atoi(value);
    else if (flag == "--presets")
      options.presets = split(value);
    else if (flag == "--prompt")
      options.prompt = std::max(16, std::atoi(value));
    else if (flag == "--decode")
      options.decode = std::max(1, std::atoi(value));
    else if (flag == "--keep")
      keep = value;
    else {
      fmt::print(stderr, "unknown flag {}\n", flag);
      return 2;
    }
  }
  // Models go to --keep DIR (reused across runs) or to a temporary directory removed at exit.
  const bool temporary = keep.empty();
  const auto root = temporary ? std::filesystem::temp_directory_path() /
                                    fmt::format("mlbench-model-bench-{}", ::getpid())
                              : keep;
  int status = 0;
  for (const std::string& preset : options.presets)
    status |= bench_preset(preset, options, root);
  if (temporary) std::filesystem::remove_all(root);
  return status;
}
