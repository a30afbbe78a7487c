// What the host side costs between two forward steps: the batching engine (admission, chunking,
// bookkeeping) and the ModelSut around it (the engine thread, the inbox, the answers), measured
// over a backend that does no arithmetic at all. On a GPU a decode step of Llama 3.1 8B lasts
// about 3.3 ms at HBM speed (16 GB of bf16 weights over 4.8 TB/s), so this overhead is what
// stands between the backend's kernels and the batch-1 decode target; it is measured here, on
// the CPU, because it does not depend on the GPU.
//
// For each batch size B: one Offline query of B samples (prompts of --prompt tokens, every
// sample decoding --decode tokens, the engine's max_batch B), first on the engine alone
// (step() in a loop: the per-step cost, decode steps and prefill steps apart), then through a
// ModelSut on its own thread (wall time per forward call, the SUT's share included).
//
//   engine_overhead_bench [--preset llama-3.1-8b] [--prompt 800] [--decode 128]
//                         [--batches 1,16,64,256] [--repeats 3]

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "mlbench/model/backend.h"
#include "mlbench/model/batching_engine.h"
#include "mlbench/model/make_model.h"
#include "mlbench/model/model_sut.h"

#include "counting_sink.h"

namespace {

using namespace mlbench;
using namespace mlbench::model;
using Clock = std::chrono::steady_clock;

// The backend contract without the model: it checks the step as a real backend does, keeps
// each sequence's length, and answers a fixed token that is no end-of-sequence id.
class ArithmeticFreeBackend final : public InferenceBackend {
 public:
  explicit ArithmeticFreeBackend(LlamaConfig config) : config_(std::move(config)) {}

  const LlamaConfig& config() const override { return config_; }

  Result<std::vector<std::int32_t>> forward(std::span<const BackendStep> steps) override {
    ++forward_calls_;
    bool decode_only = true;
    for (const BackendStep& step : steps) {
      if (auto ok = check_step_tokens(step.tokens, config_); !ok) return ok.failure();
      decode_only = decode_only && step.tokens.size() == 1;
    }
    if (decode_only) ++decode_calls_;
    std::vector<std::int32_t> next(steps.size(), kToken);
    for (const BackendStep& step : steps) {
      std::int64_t& length = lengths_[step.sequence];
      length += static_cast<std::int64_t>(step.tokens.size());
      if (length > config_.max_position_embeddings) {
        return fail(ErrorCode::kInvalidArgument, "sequence longer than the context");
      }
    }
    return next;
  }
  void release(SequenceId sequence) override { lengths_.erase(sequence); }
  std::size_t live_sequences() const override { return lengths_.size(); }

  std::int64_t forward_calls() const { return forward_calls_; }
  std::int64_t decode_calls() const { return decode_calls_; }

 private:
  static constexpr std::int32_t kToken = 1000;
  LlamaConfig config_;
  std::unordered_map<SequenceId, std::int64_t> lengths_;
  std::int64_t forward_calls_ = 0;
  std::int64_t decode_calls_ = 0;
};

struct Options {
  std::string preset = "llama-3.1-8b";
  int prompt = 800;
  int decode = 128;
  std::vector<int> batches = {1, 16, 64, 256};
  int repeats = 3;
};

EngineOptions engine_options(int batch, const Options& options) {
  // The runner's default step budget (--max-batch-tokens 1024), widened so a batch always fits.
  return {.max_batch_size = batch,
          .max_step_tokens = std::max<std::int64_t>(1024, batch),
          .max_new_tokens = options.decode};
}

std::vector<std::vector<std::int32_t>> make_prompts(const LlamaConfig& config, int count,
                                                    int length) {
  std::vector<std::vector<std::int32_t>> prompts(count);
  for (int s = 0; s < count; ++s) {
    for (int t = 0; t < length; ++t) {
      prompts[s].push_back(
          static_cast<std::int32_t>((t * 7919 + s * 104729 + 13) % (config.vocab_size - 256)));
    }
  }
  return prompts;
}

struct EngineFigures {
  double decode_step_us = 0;   // median decode-only step
  double prefill_step_us = 0;  // median step holding prompt tokens
  std::int64_t steps = 0;
};

double median(std::vector<double> values) {
  if (values.empty()) return 0;
  std::nth_element(values.begin(), values.begin() + values.size() / 2, values.end());
  return values[values.size() / 2];
}

Result<EngineFigures> measure_engine(const LlamaConfig& config,
                                     const std::vector<std::vector<std::int32_t>>& prompts,
                                     int batch, const Options& options) {
  ArithmeticFreeBackend backend(config);
  auto engine = BatchingEngine::create(backend, engine_options(batch, options));
  if (!engine) return engine.failure();
  for (int s = 0; s < batch; ++s) {
    if (auto ok = engine->submit({.id = static_cast<std::uint64_t>(s), .prompt = prompts[s]});
        !ok) {
      return ok.failure();
    }
  }
  std::vector<double> decode_us;
  std::vector<double> prefill_us;
  while (!engine->idle()) {
    const auto start = Clock::now();
    auto report = engine->step();
    const double us = std::chrono::duration<double, std::micro>(Clock::now() - start).count();
    if (!report) return report.failure();
    (report->prefill_tokens > 0 ? prefill_us : decode_us).push_back(us);
  }
  return EngineFigures{median(decode_us), median(prefill_us), backend.forward_calls()};
}

// Wall microseconds per forward call of an Offline query through a ModelSut.
Result<double> measure_sut(const LlamaConfig& config,
                           const std::vector<std::vector<std::int32_t>>& prompts, int batch,
                           const Options& options) {
  ArithmeticFreeBackend backend(config);
  auto engine = BatchingEngine::create(backend, engine_options(batch, options));
  if (!engine) return engine.failure();
  ModelSut sut(
      std::move(*engine),
      [&prompts](std::uint64_t index) -> std::span<const std::int32_t> { return prompts[index]; },
      {.report_first_token = true});
  std::vector<loadgen::IssuedSample> query;
  for (int s = 0; s < batch; ++s)
    query.push_back(
        {.response_id = static_cast<std::uint64_t>(s), .qsl_index = static_cast<std::uint64_t>(s)});
  mlbench::bench::CountingSink sink(query.size());
  const auto start = Clock::now();
  sut.issue(query, sink);
  if (sink.wait(std::chrono::seconds(120)) < 0) {
    sut.cancel_outstanding();
    return fail(ErrorCode::kTimeout, "the ModelSut did not answer within 120 s");
  }
  const double us = std::chrono::duration<double, std::micro>(Clock::now() - start).count();
  // The answers are in once the last step has returned: forward_calls() is final.
  return us / static_cast<double>(backend.forward_calls());
}

std::vector<int> parse_batches(std::string_view text) {
  std::vector<int> batches;
  while (!text.empty()) {
    const std::size_t comma = text.find(',');
    const int value = std::atoi(std::string(text.substr(0, comma)).c_str());
    if (value > 0) batches.push_back(value);
    text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
  }
  return batches;
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string_view flag = argv[i];
    const char* value = argv[i + 1];
    if (flag == "--preset") {
      options.preset = value;
    } else if (flag == "--prompt") {
      options.prompt = std::max(1, std::atoi(value));
    } else if (flag == "--decode") {
      options.decode = std::max(1, std::atoi(value));
    } else if (flag == "--batches") {
      options.batches = parse_batches(value);
    } else if (flag == "--repeats") {
      options.repeats = std::max(1, std::atoi(value));
    } else {
      fmt::print(stderr, "unknown flag {}\n", flag);
      return 2;
    }
  }
  auto config = preset_config(options.preset);
  if (!config) {
    fmt::print(stderr, "{}\n", config.error().describe());
    return 1;
  }
  const int widest = options.batches.empty()
                         ? 0
                         : *std::max_element(options.batches.begin(), options.batches.end());
  const auto prompts = make_prompts(*config, widest, options.prompt);
  fmt::print(
      "engine host overhead, {} (vocab {}), prompts {} tokens, {} decoded each; best of {}\n",
      options.preset, config->vocab_size, options.prompt, options.decode, options.repeats);
  fmt::print("{:>6} {:>8} {:>16} {:>17} {:>22}\n", "batch", "steps", "decode step (us)",
             "prefill step (us)", "ModelSut per step (us)");
  for (const int batch : options.batches) {
    EngineFigures best{1e18, 1e18, 0};
    double best_sut = 1e18;
    for (int r = 0; r < options.repeats; ++r) {
      auto engine = measure_engine(*config, prompts, batch, options);
      auto sut = measure_sut(*config, prompts, batch, options);
      if (!engine || !sut) {
        fmt::print(stderr, "{}\n", (!engine ? engine.error() : sut.error()).describe());
        return 1;
      }
      best.decode_step_us = std::min(best.decode_step_us, engine->decode_step_us);
      best.prefill_step_us = std::min(best.prefill_step_us, engine->prefill_step_us);
      best.steps = engine->steps;
      best_sut = std::min(best_sut, *sut);
    }
    fmt::print("{:>6} {:>8} {:>16.1f} {:>17.1f} {:>22.1f}\n", batch, best.steps,
               best.decode_step_us, best.prefill_step_us, best_sut);
  }
  return 0;
}
