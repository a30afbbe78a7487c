// The CUDA backend on first contact with a GPU, and its speed.
//
//   cuda_bench check MODEL_DIR [--precision split|bf16] [--tolerance T] [--steps N]
//                    [--graphs on|off]
//     The --cuda-check comparison: prefill and N greedy decode steps on the CPU and the CUDA
//     backend side by side, each step's logits compared (first mismatching position and its
//     magnitude printed); exits 1 when any step is out of tolerance or picks another token, or
//     when a decode CUDA graph failed to capture.
//
//   cuda_bench perf MODEL_DIR [--prompt P] [--decode D] [--batch B] [--requests R]
//                   [--bandwidth-gbs G] [--peak-tflops F] [--precision split|bf16]
//                   [--kv-cache-dtype fp32|bf16]
//     Batch-1 decode tokens/s, eager and replayed from CUDA graphs, against the HBM bound
//     (weight bytes ÷ G GB/s), prefill tokens/s against F dense bf16 TFLOP/s, and Offline
//     tokens/s through the batching engine: R requests of P prompt tokens and D new tokens at
//     batch B. Defaults are an H200's (4800 GB/s, 989 TFLOP/s) and the 800/128 shape.
//
//   MODEL_DIR may be preset:NAME (tiny, small, llama-3.1-8b): the random model make-model writes
//   is then written to $TMPDIR/cuda_bench_NAME first, unless it is already there.

#include <fmt/format.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "mlbench/model/batching_engine.h"
#include "mlbench/model/cuda_backend.h"
#include "mlbench/model/cuda_memory_plan.h"
#include "mlbench/model/forward_cpu.h"
#include "mlbench/model/generate.h"
#include "mlbench/model/logit_compare.h"
#include "mlbench/model/make_model.h"
#include "mlbench/model/weights.h"

namespace {

using namespace mlbench::model;
using Clock = std::chrono::steady_clock;

struct Options {
  std::string mode;
  std::string model_dir;
  CudaPrecision precision = CudaPrecision::kSplitBf16;
  CudaKvDtype kv_dtype = CudaKvDtype::kFp32;
  double tolerance = 2e-3;
  int steps = 16;
  int prompt = 800;
  int decode = 128;
  int batch = 64;
  int requests = 256;
  double bandwidth_gbs = 4800;
  double peak_tflops = 989;
  bool graphs = true;
};

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

[[noreturn]] void die(const std::string& message) {
  fmt::print(stderr, "cuda_bench: {}\n", message);
  std::exit(2);
}

Options parse(int argc, char** argv) {
  if (argc < 3) die("usage: cuda_bench check|perf MODEL_DIR [options] (see the file's comment)");
  Options o;
  o.mode = argv[1];
  o.model_dir = argv[2];
  if (o.model_dir.starts_with("preset:")) {
    const std::string preset = o.model_dir.substr(7);
    auto config = preset_config(preset);
    if (!config) die(config.error().describe());
    const std::filesystem::path dir =
        std::filesystem::temp_directory_path() / ("cuda_bench_" + preset);
    if (!std::filesystem::exists(dir / "model.safetensors")) {
      fmt::print("writing the random {} model to {}\n", preset, dir.string());
      if (auto ok = write_random_model(dir, *config, {}); !ok) die(ok.error().describe());
    }
    o.model_dir = dir.string();
  }
  for (int i = 3; i + 1 < argc; i += 2) {
    const std::string_view flag = argv[i];
    const char* value = argv[i + 1];
    if (flag == "--precision") {
      o.precision =
          std::string_view(value) == "bf16" ? CudaPrecision::kBf16 : CudaPrecision::kSplitBf16;
    } else if (flag == "--kv-cache-dtype") {
      o.kv_dtype = std::string_view(value) == "bf16" ? CudaKvDtype::kBf16 : CudaKvDtype::kFp32;
    } else if (flag == "--tolerance") {
      o.tolerance = std::atof(value);
    } else if (flag == "--steps") {
      o.steps = std::atoi(value);
    } else if (flag == "--prompt") {
      o.prompt = std::atoi(value);
    } else if (flag == "--decode") {
      o.decode = std::atoi(value);
    } else if (flag == "--batch") {
      o.batch = std::atoi(value);
    } else if (flag == "--requests") {
      o.requests = std::atoi(value);
    } else if (flag == "--bandwidth-gbs") {
      o.bandwidth_gbs = std::atof(value);
    } else if (flag == "--peak-tflops") {
      o.peak_tflops = std::atof(value);
    } else if (flag == "--graphs") {
      o.graphs = std::string_view(value) != "off";
    } else {
      die(fmt::format("unknown option {}", flag));
    }
  }
  return o;
}

// Ids below the special tokens, spread over the vocabulary.
std::vector<std::int32_t> make_prompt(const LlamaConfig& c, int length, int seed) {
  const auto limit = static_cast<std::int32_t>(c.bos_token_id.value_or(c.vocab_size));
  std::vector<std::int32_t> prompt;
  for (int t = 0; t < length; ++t)
    prompt.push_back(static_cast<std::int32_t>((seed * 7919 + t * 104729 + 3) % limit));
  return prompt;
}

std::unique_ptr<CudaBackend> open_gpu(const Options& o, int max_batch, std::int64_t step_tokens) {
  auto gpu = open_cuda_backend(o.model_dir, {.max_batch = max_batch,
                                             .max_step_tokens = step_tokens,
                                             .max_sequence_tokens = o.prompt + o.decode + 64,
                                             .precision = o.precision,
                                             .kv_dtype = o.kv_dtype,
                                             .cuda_graphs = o.graphs});
  if (!gpu) die(gpu.error().describe());
  fmt::print("GPU: {}, KV pool {} blocks ({} tokens)\n", (*gpu)->device_name(),
             (*gpu)->memory_plan().num_blocks, (*gpu)->memory_plan().cached_tokens());
  return std::move(*gpu);
}

int check(const Options& o) {
  auto cpu = CpuModel::load(o.model_dir);
  if (!cpu) die(cpu.error().describe());
  auto gpu = open_gpu(o, 1, 1024);
  const std::int64_t vocab = cpu->config().vocab_size;
  int failures = 0;
  int prompt_index = 0;
  for (int length : {8, 32, 100}) {
    KvCache cache;
    std::vector<std::int32_t> feed = make_prompt(cpu->config(), length, prompt_index);
    const SequenceId id = static_cast<SequenceId>(++prompt_index);
    for (int step = 0; step <= o.steps; ++step) {
      const SequenceStep cpu_step{&cache, feed};
      auto reference = cpu->forward({&cpu_step, 1});
      if (!reference) die(reference.error().describe());
      const BackendStep gpu_step{.sequence = id, .tokens = feed};
      auto got = gpu->forward_logits({&gpu_step, 1});
      if (!got) die(got.error().describe());
      const LogitComparison c = compare_logits(*reference, *got, vocab, o.tolerance);
      if (!c.ok() || step == 0) {
        fmt::print("prompt {} ({} tokens) step {}: {}\n", prompt_index, length, step, c.describe());
      }
      if (!c.ok()) ++failures;
      feed = {argmax(*reference)};  // both follow the CPU's tokens
    }
    gpu->release(id);
  }
  const CudaStepCounts counts = gpu->step_counts();
  fmt::print("steps: {} eager, {} replayed from {} CUDA graphs{}\n", counts.eager_steps,
             counts.graph_steps, counts.graphs_captured,
             counts.graphs_failed ? ", and a capture FAILED (graphs turned off)" : "");
  if (counts.graphs_failed) ++failures;
  fmt::print("{}: {} steps out of tolerance {}\n", failures == 0 ? "PASS" : "FAIL", failures,
             o.tolerance);
  return failures == 0 ? 0 : 1;
}

int perf(const Options& o) {
  auto config = load_config(o.model_dir);
  if (!config) die(config.error().describe());
  const LlamaConfig& c = *config;
  auto weights = ModelWeights::load(o.model_dir);
  if (!weights) die(weights.error().describe());
  // What one decode step must stream: every matrix once (bf16) and one embedding row.
  const auto weight_bytes = static_cast<double>(weights->bytes_per_decode_step());
  // Two FLOPs per weight per token in the projections and the LM head (attention excluded).
  const double flops_per_token = 2.0 * weight_bytes / 2.0;
  auto gpu = open_gpu(o, o.batch, std::max<std::int64_t>(o.batch, 2048));

  // Batch-1 decode, eagerly and from a CUDA graph, each on a fresh sequence of the same prompt.
  const std::vector<std::int32_t> prompt = make_prompt(c, o.prompt, 1);
  const double bound_tps = o.bandwidth_gbs * 1e9 / weight_bytes;
  const auto decode_batch_1 = [&](SequenceId id, bool graphs) {
    gpu->set_cuda_graphs(graphs);
    const BackendStep prefill{.sequence = id, .tokens = prompt};
    auto first = gpu->forward({&prefill, 1});  // also warms up cuBLAS
    if (!first) die(first.error().describe());
    std::int32_t token = first->at(0);
    const auto decode_one = [&] {
      const BackendStep step{.sequence = id, .tokens = {&token, 1}};
      auto next = gpu->forward({&step, 1});
      if (!next) die(next.error().describe());
      token = next->at(0);
    };
    decode_one();  // with graphs: the eager warm-up, then the capture, both left out
    decode_one();
    const CudaStepCounts before = gpu->step_counts();
    const auto start = Clock::now();
    for (int i = 0; i < o.decode; ++i)
      decode_one();
    const double tps = o.decode / seconds_since(start);
    const std::int64_t replayed = gpu->step_counts().graph_steps - before.graph_steps;
    fmt::print(
        "batch-1 decode, {}: {:.1f} tokens/s, {:.0f} GB/s of weights, {:.1f}% of the {:.0f} "
        "GB/s bound ({:.1f} tokens/s); {} of {} steps replayed a graph\n",
        graphs ? "CUDA graphs" : "eager", tps, tps * weight_bytes / 1e9, 100.0 * tps / bound_tps,
        o.bandwidth_gbs, bound_tps, replayed, o.decode);
    gpu->release(id);
  };
  decode_batch_1(1, false);
  decode_batch_1(3, o.graphs);

  // Prefill.
  auto start = Clock::now();
  const BackendStep again{.sequence = 2, .tokens = prompt};
  if (auto r = gpu->forward({&again, 1}); !r) die(r.error().describe());
  const double prefill_s = seconds_since(start);
  const double prefill_tps = o.prompt / prefill_s;
  fmt::print("prefill ({} tokens): {:.0f} tokens/s, {:.1f} TFLOP/s, {:.1f}% of {:.0f}\n", o.prompt,
             prefill_tps, prefill_tps * flops_per_token / 1e12,
             100.0 * prefill_tps * flops_per_token / (o.peak_tflops * 1e12), o.peak_tflops);
  gpu->release(2);

  // Offline through the batching engine.
  auto engine = BatchingEngine::create(*gpu, {.max_batch_size = o.batch,
                                              .max_step_tokens = std::max(o.batch, 2048),
                                              .max_new_tokens = o.decode});
  if (!engine) die(engine.error().describe());
  for (int r = 0; r < o.requests; ++r) {
    if (auto ok = engine->submit(
            {.id = static_cast<std::uint64_t>(r), .prompt = make_prompt(c, o.prompt, r + 10)});
        !ok) {
      die(ok.error().describe());
    }
  }
  std::int64_t generated = 0;
  start = Clock::now();
  for (long step = 0; step < 10'000'000 && !engine->idle(); ++step) {
    auto report = engine->step();
    if (!report) die(report.error().describe());
    for (const FinishedRequest& done : report->finished)
      generated += static_cast<std::int64_t>(done.tokens.size());
  }
  const double offline_s = seconds_since(start);
  fmt::print("offline ({} requests, {}/{} tokens, batch {}): {:.0f} output tokens/s\n", o.requests,
             o.prompt, o.decode, o.batch, static_cast<double>(generated) / offline_s);
  const CudaStepCounts counts = gpu->step_counts();
  fmt::print("steps in all: {} eager, {} replayed from {} CUDA graphs{}\n", counts.eager_steps,
             counts.graph_steps, counts.graphs_captured,
             counts.graphs_failed ? ", and a capture FAILED (graphs turned off)" : "");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const Options options = parse(argc, argv);
  if (options.mode == "check") return check(options);
  if (options.mode == "perf") return perf(options);
  die("the mode is check or perf");
}
