// What the data-parallel layer costs: Offline throughput of one query of mixed-length prompts
// through a plain ModelSut on one CPU model with T threads, through a DataParallelSut holding
// that one engine (the layer's own cost: routing, the forwarding sink), and through a
// DataParallelSut of R engines with T/R threads each (the split as --gpus runs it, here with
// CPU cores standing in for GPUs). Tokens/s from issue to the last answer, best of --repeats,
// the layouts taking turns.
//
//   data_parallel_bench [--preset tiny] [--threads T] [--replicas R] [--samples N]
//                       [--decode D] [--repeats K] [--keep DIR]

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "mlbench/model/cpu_backend.h"
#include "mlbench/model/data_parallel_sut.h"
#include "mlbench/model/make_model.h"
#include "mlbench/model/model_sut.h"

#include "counting_sink.h"

namespace {

using namespace mlbench::model;
using Clock = std::chrono::steady_clock;

struct Options {
  std::string preset = "tiny";
  int threads = 0;
  int replicas = 2;
  int samples = 96;
  int decode = 32;
  int repeats = 3;
};

// Prompts of 32 to 255 tokens, below the preset's special tokens.
std::vector<std::vector<std::int32_t>> make_prompts(const LlamaConfig& config, int count) {
  std::vector<std::vector<std::int32_t>> prompts;
  for (int s = 0; s < count; ++s) {
    std::vector<std::int32_t> prompt;
    const int length = 32 + (s * 97) % 224;
    for (int t = 0; t < length; ++t) {
      prompt.push_back(
          static_cast<std::int32_t>((t * 7919 + s * 104729 + 13) % (config.vocab_size - 256)));
    }
    prompts.push_back(std::move(prompt));
  }
  return prompts;
}

struct Setup {
  std::vector<std::unique_ptr<CpuModel>> models;
  std::vector<std::unique_ptr<CpuBackend>> backends;
  std::vector<EngineReplica> replicas;
};

// `count` engines, each on a model of its own with `threads` threads. No eos: every sample
// decodes `decode` tokens.
bool make_engines(const std::filesystem::path& dir, int count, int threads, const Options& options,
                  Setup& setup) {
  for (int r = 0; r < count; ++r) {
    auto model = CpuModel::load(dir, {.threads = threads});
    if (!model) {
      fmt::print(stderr, "{}\n", model.error().describe());
      return false;
    }
    setup.models.push_back(std::make_unique<CpuModel>(std::move(*model)));
    setup.backends.push_back(std::make_unique<CpuBackend>(*setup.models.back()));
    auto engine = BatchingEngine::create(
        *setup.backends.back(),
        {.max_batch_size = 16, .max_step_tokens = 512, .max_new_tokens = options.decode});
    if (!engine) return false;
    setup.replicas.push_back({fmt::format("replica {}", r), std::move(*engine)});
  }
  return true;
}

// Seconds from issue to the last answer and the output tokens, or a negative time on failure.
std::pair<double, std::int64_t> run_offline(mlbench::loadgen::SystemUnderTest& sut,
                                            std::size_t samples) {
  std::vector<mlbench::loadgen::IssuedSample> query;
  for (std::uint64_t i = 0; i < samples; ++i)
    query.push_back({.response_id = i, .qsl_index = i});
  mlbench::bench::CountingSink sink(samples);
  const auto start = Clock::now();
  sut.issue(query, sink);
  const std::int64_t tokens = sink.wait(std::chrono::seconds(600));
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  if (tokens < 0) {
    sut.cancel_outstanding();
    return {-1, 0};
  }
  return {seconds, tokens};
}

enum class Layout { kModelSut, kOneReplica, kSplit };

// Tokens/s of one run of one layout, or a negative number on failure; `counters` gets the split.
double measure(Layout layout, const std::filesystem::path& dir, const PromptSource& prompts,
               const Options& options, int threads, std::string& counters) {
  const int count = layout == Layout::kSplit ? options.replicas : 1;
  const int per_engine = layout == Layout::kSplit ? std::max(1, threads / count) : threads;
  Setup setup;
  if (!make_engines(dir, count, per_engine, options, setup)) return -1;
  std::unique_ptr<mlbench::loadgen::SystemUnderTest> sut;
  DataParallelSut* parallel = nullptr;
  if (layout == Layout::kModelSut) {
    sut = std::make_unique<ModelSut>(std::move(setup.replicas.front().engine), prompts,
                                     ModelSutOptions{.report_first_token = false});
  } else {
    auto created = DataParallelSut::create(std::move(setup.replicas), prompts,
                                           ModelSutOptions{.report_first_token = false});
    if (!created) return -1;
    parallel = created->get();
    sut = std::move(*created);
  }
  const auto [seconds, tokens] = run_offline(*sut, static_cast<std::size_t>(options.samples));
  if (seconds < 0) return -1;
  if (parallel != nullptr) {
    counters.clear();
    for (const ReplicaCounters& c : parallel->counters()) {
      counters += fmt::format(" [{}: {} samples, {} prompt tok, {} out tok]", c.name, c.completed,
                              c.prompt_tokens, c.tokens);
    }
  }
  return static_cast<double>(tokens) / seconds;
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  std::filesystem::path keep;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string_view flag = argv[i];
    const char* value = argv[i + 1];
    if (flag == "--preset") {
      options.preset = value;
    } else if (flag == "--threads") {
      options.threads = std::atoi(value);
    } else if (flag == "--replicas") {
      options.replicas = std::max(1, std::atoi(value));
    } else if (flag == "--samples") {
      options.samples = std::max(1, std::atoi(value));
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
  const int threads = options.threads > 0
                          ? options.threads
                          : static_cast<int>(std::max(1U, std::thread::hardware_concurrency()));
  const auto config = preset_config(options.preset);
  if (!config) {
    fmt::print(stderr, "{}\n", config.error().describe());
    return 1;
  }
  const bool temporary = keep.empty();
  const auto root = temporary ? std::filesystem::temp_directory_path() /
                                    fmt::format("mlbench-data-parallel-bench-{}", ::getpid())
                              : keep;
  const auto dir = root / options.preset;
  if (!std::filesystem::exists(dir / "config.json")) {
    if (auto ok = write_random_model(dir, *config, {}); !ok) {
      fmt::print(stderr, "{}\n", ok.error().describe());
      return 1;
    }
  }
  const auto prompts_held = make_prompts(*config, options.samples);
  const PromptSource prompts = [&prompts_held](std::uint64_t index) {
    return std::span<const std::int32_t>(prompts_held[index]);
  };
  struct Row {
    Layout layout;
    std::string label;
    double best = -1;
    std::string counters;
  };
  std::vector<Row> rows = {
      {Layout::kModelSut, fmt::format("ModelSut, 1 engine x {} threads", threads)},
      {Layout::kOneReplica, fmt::format("DataParallelSut, 1 engine x {} threads", threads)},
      {Layout::kSplit, fmt::format("DataParallelSut, {} engines x {} threads", options.replicas,
                                   std::max(1, threads / options.replicas))},
  };
  // Layouts take turns within each repeat, so that a change in what else the machine runs
  // reaches them all alike; the best run of each stands.
  for (int r = 0; r < options.repeats; ++r) {
    for (Row& row : rows) {
      const double tps = measure(row.layout, dir, prompts, options, threads, row.counters);
      if (tps < 0) {
        fmt::print(stderr, "{}: the run failed\n", row.label);
        return 1;
      }
      row.best = std::max(row.best, tps);
    }
  }
  for (const Row& row : rows) {
    fmt::print("{} Offline, {} samples x {} new tokens | {:<40} {:>8.1f} tok/s{}\n", options.preset,
               options.samples, options.decode, row.label, row.best, row.counters);
  }
  int status = 0;
  if (temporary) std::filesystem::remove_all(root);
  return status;
}
