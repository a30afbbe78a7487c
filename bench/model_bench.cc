// CPU inference throughput on generated models, through the batching engine as the runner uses
// it: prefill and decode tokens/s at several batch sizes, and the memory bandwidth decode
// achieves (weight bytes streamed per step ÷ step time) against the bandwidth a STREAM-like
// copy and triad reach in this same process. Decode reads every weight once per step whatever
// the batch, so at batch 1 that ratio says how close it runs to the memory bound.
//
//   model_bench [--threads N] [--presets tiny,small] [--batches 1,16] [--prompt P]
//               [--decode D] [--repeats R] [--keep DIR]

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "mlbench/model/batching_engine.h"
#include "mlbench/model/cpu_backend.h"
#include "mlbench/model/forward_cpu.h"
#include "mlbench/model/make_model.h"

namespace {

using namespace mlbench::model;
using Clock = std::chrono::steady_clock;

struct Options {
  int threads = 0;
  std::vector<std::string> presets = {"tiny", "small"};
  std::vector<int> batches = {1, 16};
  int prompt = 128;
  int decode = 32;
  int repeats = 3;
};

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

int thread_count(const Options& options) {
  return options.threads > 0 ? options.threads
                             : static_cast<int>(std::max(1U, std::thread::hardware_concurrency()));
}

// --- STREAM-like bandwidth ------------------------------------------------------------------

struct Bandwidth {
  double copy_gbs = 0;
  double triad_gbs = 0;
};

// Arrays far larger than any cache, split over the threads as the forward pass splits weight
// rows; the best of several passes, as STREAM reports.
Bandwidth measure_bandwidth(int threads) {
  constexpr std::size_t kElements = std::size_t{1} << 24;  // 128 MiB per array of doubles
  std::vector<double> a(kElements, 1.0), b(kElements, 2.0), c(kElements, 0.0);
  const auto run = [&](auto&& kernel) {
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t) {
      const std::size_t begin = kElements * static_cast<std::size_t>(t) / threads;
      const std::size_t end = kElements * static_cast<std::size_t>(t + 1) / threads;
      workers.emplace_back([&, begin, end] { kernel(begin, end); });
    }
    for (auto& worker : workers)
      worker.join();
  };
  Bandwidth best;
  for (int pass = 0; pass < 5; ++pass) {
    auto start = Clock::now();
    run([&](std::size_t begin, std::size_t end) {
      std::copy(a.begin() + static_cast<std::ptrdiff_t>(begin),
                a.begin() + static_cast<std::ptrdiff_t>(end),
                c.begin() + static_cast<std::ptrdiff_t>(begin));
    });
    best.copy_gbs = std::max(best.copy_gbs, 2.0 * kElements * 8 / seconds_since(start) / 1e9);
    start = Clock::now();
    run([&](std::size_t begin, std::size_t end) {
      for (std::size_t i = begin; i < end; ++i)
        a[i] = b[i] + 3.0 * c[i];
    });
    best.triad_gbs = std::max(best.triad_gbs, 3.0 * kElements * 8 / seconds_since(start) / 1e9);
  }
  volatile double observed = a[kElements / 2];  // the stores must not be optimised away
  (void)observed;
  return best;
}

// --- The model through the engine -----------------------------------------------------------

std::vector<std::int32_t> prompt_tokens(const LlamaConfig& config, int count, int salt) {
  std::vector<std::int32_t> tokens;
  for (int i = 0; i < count; ++i) {
    tokens.push_back(
        static_cast<std::int32_t>((i * 7919 + salt * 104729 + 13) % (config.vocab_size - 256)));
  }
  return tokens;
}

struct Figures {
  double prefill_tps = 0;
  double decode_tps = 0;
  double step_s = 0;
};

// Best of `repeats`: `batch` prompts of `prompt` tokens prefilled in one engine step, then
// `decode` steps of `batch` decodes each. No eos, so every sequence runs the whole way.
bool measure(InferenceBackend& backend, int batch, const Options& options, Figures& out) {
  const LlamaConfig& config = backend.config();
  out = {};
  out.step_s = 1e30;
  for (int r = 0; r < options.repeats; ++r) {
    auto engine = BatchingEngine::create(
        backend, {.max_batch_size = batch,
                  .max_step_tokens = static_cast<std::int64_t>(batch) * options.prompt,
                  .max_new_tokens = options.decode + 1});
    if (!engine) return false;
    for (int s = 0; s < batch; ++s) {
      if (!engine->submit({.id = static_cast<std::uint64_t>(s),
                           .prompt = prompt_tokens(config, options.prompt, s)})) {
        return false;
      }
    }
    auto start = Clock::now();
    auto report = engine->step();
    if (!report || report->prefill_tokens != static_cast<std::int64_t>(batch) * options.prompt) {
      return false;
    }
    out.prefill_tps = std::max(out.prefill_tps, report->prefill_tokens / seconds_since(start));
    start = Clock::now();
    for (int d = 0; d < options.decode; ++d) {
      report = engine->step();
      if (!report || report->decode_tokens != batch) return false;
    }
    const double step = seconds_since(start) / options.decode;
    out.step_s = std::min(out.step_s, step);
    out.decode_tps = std::max(out.decode_tps, batch / step);
  }
  return true;
}

int bench_preset(const std::string& preset, const Options& options,
                 const std::filesystem::path& root, const Bandwidth& stream) {
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
  CpuBackend backend(*model);
  const double bytes = static_cast<double>(model->weights().bytes_per_decode_step());
  for (const int batch : options.batches) {
    Figures figures;
    if (!measure(backend, batch, options, figures)) {
      fmt::print(stderr, "{}: the engine failed at batch {}\n", preset, batch);
      return 1;
    }
    const double achieved = bytes / figures.step_s / 1e9;
    fmt::print(
        "{:>6} batch {:>3}: {:>6.1f} MB weights, {} threads | prefill {}x{} tok: {:>9.1f} tok/s "
        "| decode: {:>8.1f} tok/s, {:>7.2f} ms/step, {:>6.2f} GB/s = {:>3.0f}% of triad\n",
        preset, batch, bytes / 1e6, model->threads(), batch, options.prompt, figures.prefill_tps,
        figures.decode_tps, figures.step_s * 1e3, achieved, 100.0 * achieved / stream.triad_gbs);
  }
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
    if (flag == "--threads") {
      options.threads = std::atoi(value);
    } else if (flag == "--presets") {
      options.presets = split(value);
    } else if (flag == "--batches") {
      options.batches.clear();
      for (const std::string& batch : split(value))
        options.batches.push_back(std::max(1, std::atoi(batch.c_str())));
    } else if (flag == "--prompt") {
      options.prompt = std::max(1, std::atoi(value));
    } else if (flag == "--decode") {
      options.decode = std::max(1, std::atoi(value));
    } else if (flag == "--repeats") {
      options.repeats = std::max(1, std::atoi(value));
    } else if (flag == "--keep") {
      keep = value;
    } else {
      fmt::print(stderr, "unknown flag {}\n", flag);
      return 2;
    }
  }
  const Bandwidth stream = measure_bandwidth(thread_count(options));
  fmt::print("memory bandwidth, {} threads: copy {:.2f} GB/s, triad {:.2f} GB/s\n",
             thread_count(options), stream.copy_gbs, stream.triad_gbs);
  // Models go to --keep DIR (reused across runs) or to a temporary directory removed at exit.
  const bool temporary = keep.empty();
  const auto root = temporary ? std::filesystem::temp_directory_path() /
                                    fmt::format("mlbench-model-bench-{}", ::getpid())
                              : keep;
  int status = 0;
  for (const std::string& preset : options.presets)
    status |= bench_preset(preset, options, root, stream);
  if (temporary) std::filesystem::remove_all(root);
  return status;
}
