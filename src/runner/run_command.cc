#include "runner/run_command.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "mlbench/core/interrupt.h"
#include "mlbench/dataset/cnn_eval.h"
#include "mlbench/loadgen/issue_engine.h"
#include "mlbench/loadgen/query_plan.h"
#include "mlbench/loadgen/simulated_sut.h"
#include "mlbench/model/cpu_backend.h"
#ifdef MLBENCH_HAVE_CUDA
#include "mlbench/model/cuda_backend.h"
#endif
#include "mlbench/model/data_parallel_sut.h"
#include "mlbench/model/gpu_list.h"
#include "mlbench/model/model_sut.h"
#include "mlbench/orchestrator/runner_events.h"

#include "runner/accuracy_command.h"
#include "runner/run_files.h"
#include "runner/scenario_options.h"
#include "runner/telemetry_recorder.h"

namespace mlbench::runner {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// CNN-DailyMail's evaluation set: what the QSL reports when the sim backend has no dataset.
constexpr uint64_t kCnnDailyMailSamples = 13368;

struct RunOptions {
  ScenarioOptions scenario;
  std::string backend = "sim";
  std::string out_dir;
  double completion_timeout_s = 1800;
  // Simulated SUT (backend sim).
  uint64_t sim_seed = 1;
  int sim_workers = 8;
  double sim_min_ttft_ms = 15;
  double sim_max_ttft_ms = 35;
  double sim_tpot_ms = 1.5;
  int sim_min_tokens = 16;
  int sim_max_tokens = 128;
  // Model backends (cpu, cuda).
  std::string model_dir;
  std::string dataset;
  int max_samples = 0;
  int max_output_tokens = 128;
  int max_batch = 16;
  std::int64_t max_batch_tokens = 1024;
  int threads = 0;
  std::string gpus;
  double gpu_memory_fraction = 0.9;
  std::int64_t max_seq_len = 0;               // 0: the longest prompt plus max_output_tokens
  std::string cuda_graphs = "on";             // decode steps replayed as CUDA graphs
  std::string cuda_attention = "grouped";     // or per-head, the reference kernel
  std::string cuda_precision = "split-bf16";  // or bf16, as a bf16 Hugging Face model computes
  std::string kv_cache_dtype = "fp32";        // or bf16: half the cache's memory and reads
  TelemetryOptions telemetry;
};

// What answers the queries of one run. The SUT is declared last so that it is destroyed first:
// a model SUT's engine threads use the models, backends and dataset above it.
struct RunBackend {
  std::string qsl_name;
  std::unique_ptr<dataset::Dataset> dataset;
  std::unique_ptr<model::CpuModel> model;
  std::vector<std::unique_ptr<model::InferenceBackend>> inference;  // one per engine
  // The first failure of a model SUT's engines, asked once the run is over; empty for sim.
  std::function<std::optional<Error>()> model_error;
  // What each engine of a data-parallel SUT did, for the log; empty otherwise.
  std::function<std::vector<model::ReplicaCounters>()> replica_counters;
  std::unique_ptr<loadgen::SystemUnderTest> sut;
};

void emit(const orchestrator::RunnerEvent& event) {
  // One whole line per call, flushed, so a reader on a pipe sees events as they happen. Events
  // come from several threads (progress, telemetry): one at a time, so lines never interleave.
  static std::mutex mutex;
  const std::string line = orchestrator::to_json_line(event);
  const std::lock_guard lock(mutex);
  fmt::print("{}\n", line);
  std::fflush(stdout);
}

std::chrono::microseconds milliseconds_option(double ms) {
  return std::chrono::microseconds(static_cast<int64_t>(ms * 1000.0));
}

Result<loadgen::SimulatedSutOptions> simulated_sut_options(const RunOptions& options,
                                                           loadgen::Scenario scenario) {
  if (options.sim_workers < 1 || options.sim_min_ttft_ms < 0 ||
      options.sim_max_ttft_ms < options.sim_min_ttft_ms || options.sim_tpot_ms < 0 ||
      options.sim_min_tokens < 2 || options.sim_max_tokens < options.sim_min_tokens) {
    return fail(ErrorCode::kInvalidArgument,
                "need workers >= 1, 0 <= min TTFT <= max TTFT, TPOT >= 0 and "
                "2 <= min tokens <= max tokens",
                "--sim-*");
  }
  return loadgen::SimulatedSutOptions{
      .seed = options.sim_seed,
      .workers = options.sim_workers,
      .min_ttft = milliseconds_option(options.sim_min_ttft_ms),
      .max_ttft = milliseconds_option(options.sim_max_ttft_ms),
      .time_per_output_token = milliseconds_option(options.sim_tpot_ms),
      .min_output_tokens = options.sim_min_tokens,
      .max_output_tokens = options.sim_max_tokens,
      .report_first_token = scenario != loadgen::Scenario::kOffline,
  };
}

Result<void> check_model_options(const RunOptions& options) {
  if (options.model_dir.empty()) {
    return fail(ErrorCode::kInvalidArgument, "needs --model DIR (a Hugging Face model directory)",
                "--backend " + options.backend);
  }
  if (options.dataset.empty()) {
    return fail(ErrorCode::kInvalidArgument, "needs --dataset FILE (a cnn_eval.json)",
                "--backend " + options.backend);
  }
  if (options.max_samples < 0) {
    return fail(ErrorCode::kInvalidArgument, "must not be negative", "--max-samples");
  }
  return {};
}

// Loads the dataset (checked against the model's vocabulary) and fills in the QSL size from it.
Result<std::unique_ptr<dataset::Dataset>> load_qsl(RunOptions& options,
                                                   const model::LlamaConfig& config) {
  dataset::LoadOptions load_options;
  if (options.max_samples > 0) load_options.max_samples = options.max_samples;
  load_options.vocab_size = config.vocab_size;
  auto loaded = dataset::load_cnn_eval(options.dataset, load_options);
  if (!loaded) return loaded.failure();
  const uint64_t available = loaded->samples.size();
  if (available == 0) return fail(ErrorCode::kParse, "the dataset has no samples", options.dataset);
  if (options.scenario.total_count == 0) options.scenario.total_count = available;
  if (options.scenario.total_count > available) {
    return fail(ErrorCode::kInvalidArgument,
                fmt::format("{} samples asked for, but {} holds {}", options.scenario.total_count,
                            options.dataset, available),
                "--total-count");
  }
  return std::make_unique<dataset::Dataset>(std::move(*loaded));
}

// The dataset a model backend serves, checked against the model's vocabulary, before anything
// heavy is loaded.
Result<void> load_model_qsl(RunOptions& options, RunBackend& backend) {
  if (auto ok = check_model_options(options); !ok) return ok.failure();
  auto config = model::load_config(options.model_dir);
  if (!config) return config.failure();
  auto qsl = load_qsl(options, *config);
  if (!qsl) return qsl.failure();
  backend.dataset = std::move(*qsl);
  backend.qsl_name =
      fmt::format("{} ({} samples)", options.dataset, backend.dataset->samples.size());
  return {};
}

// A batching engine on `inference`. Every prompt is checked against it before the run starts,
// so a bad sample is refused here rather than answered empty in the middle of the run (each
// engine is checked: GPUs may be sized for different contexts).
Result<model::BatchingEngine> make_engine(const RunOptions& options,
                                          model::InferenceBackend& inference,
                                          const dataset::Dataset& dataset) {
  auto stop_ids = model::stop_token_ids(options.model_dir, inference.config());
  if (!stop_ids) return stop_ids.failure();
  auto engine =
      model::BatchingEngine::create(inference, {.max_batch_size = options.max_batch,
                                                .max_step_tokens = options.max_batch_tokens,
                                                .max_new_tokens = options.max_output_tokens,
                                                .eos_token_ids = std::move(*stop_ids)});
  if (!engine) return engine.failure();
  for (std::size_t i = 0; i < dataset.samples.size(); ++i) {
    if (auto ok = engine->check_prompt(dataset.samples[i].tok_input); !ok) {
      return fail(ok.error().code, ok.error().message,
                  fmt::format("{}: record {}: tok_input", options.dataset, i));
    }
  }
  return engine;
}

// The prompts of the dataset, by QSL index. Engine threads call it at once: it only reads.
model::PromptSource prompt_source(const dataset::Dataset& dataset) {
  return [&dataset](uint64_t index) -> std::span<const int32_t> {
    if (index >= dataset.samples.size()) return {};
    return dataset.samples[index].tok_input;
  };
}

model::ModelSutOptions model_sut_options(std::string name, loadgen::Scenario scenario) {
  return {.name = std::move(name), .report_first_token = scenario != loadgen::Scenario::kOffline};
}

Result<void> start_cpu_sut(const RunOptions& options, loadgen::Scenario scenario,
                           RunBackend& backend) {
  auto loaded = model::CpuModel::load(options.model_dir, {.threads = options.threads});
  if (!loaded) return loaded.failure();
  backend.model = std::make_unique<model::CpuModel>(std::move(*loaded));
  backend.inference.push_back(std::make_unique<model::CpuBackend>(*backend.model));
  auto engine = make_engine(options, *backend.inference.front(), *backend.dataset);
  if (!engine) return engine.failure();
  auto sut = std::make_unique<model::ModelSut>(std::move(*engine), prompt_source(*backend.dataset),
                                               model_sut_options("mlbench-cpu", scenario));
  backend.model_error = [sut = sut.get()] { return sut->error(); };
  backend.sut = std::move(sut);
  return {};
}

#ifdef MLBENCH_HAVE_CUDA
// One engine per GPU of --gpus behind one data-parallel SUT (one GPU is the case of one). Each
// backend sizes its KV cache from its own GPU's free memory.
Result<void> start_cuda_sut(const RunOptions& options, loadgen::Scenario scenario,
                            RunBackend& backend) {
  auto gpus = model::parse_gpu_list(options.gpus);
  if (!gpus) return gpus.failure();
  // Sized for the longest sample this run can produce rather than the model's whole context,
  // so that the planner's "one sequence fits" check is about this run.
  std::int64_t longest = options.max_seq_len;
  if (longest == 0) {
    for (const auto& sample : backend.dataset->samples)
      longest = std::max(longest, static_cast<std::int64_t>(sample.tok_input.size()));
    longest += options.max_output_tokens;
  }
  // The GPUs load at once, each on a thread of its own: the weights are mapped, so they share
  // one page cache, and each upload runs over its own GPU's link. One that fails fails the run,
  // naming its GPU (the backend's errors do).
  const model::CudaBackendOptions common{
      .gpu_memory_fraction = options.gpu_memory_fraction,
      .max_batch = options.max_batch,
      .max_step_tokens = options.max_batch_tokens,
      .max_sequence_tokens = longest,
      .precision = options.cuda_precision == "bf16" ? model::CudaPrecision::kBf16
                                                    : model::CudaPrecision::kSplitBf16,
      .kv_dtype =
          options.kv_cache_dtype == "bf16" ? model::CudaKvDtype::kBf16 : model::CudaKvDtype::kFp32,
      .cuda_graphs = options.cuda_graphs == "on",
      .grouped_attention = options.cuda_attention == "grouped"};
  std::vector<std::optional<Result<std::unique_ptr<model::InferenceBackend>>>> opened(gpus->size());
  {
    std::vector<std::jthread> loaders;
    for (std::size_t i = 0; i < gpus->size(); ++i) {
      loaders.emplace_back([&, i] {
        model::CudaBackendOptions cuda_options = common;
        cuda_options.device = (*gpus)[i];
        opened[i].emplace(model::make_cuda_backend(options.model_dir, cuda_options));
      });
    }
  }  // joined
  std::vector<model::EngineReplica> replicas;
  for (std::size_t i = 0; i < gpus->size(); ++i) {
    Result<std::unique_ptr<model::InferenceBackend>>& cuda = *opened[i];
    if (!cuda) return cuda.failure();
    backend.inference.push_back(std::move(*cuda));
    auto engine = make_engine(options, *backend.inference.back(), *backend.dataset);
    if (!engine) return engine.failure();
    replicas.push_back({fmt::format("GPU {}", (*gpus)[i]), std::move(*engine)});
  }
  auto sut = model::DataParallelSut::create(std::move(replicas), prompt_source(*backend.dataset),
                                            model_sut_options("mlbench-cuda", scenario));
  if (!sut) return sut.failure();
  model::DataParallelSut* parallel = sut->get();
  backend.model_error = [parallel] { return parallel->error(); };
  backend.replica_counters = [parallel] { return parallel->counters(); };
  backend.sut = std::move(*sut);
  return {};
}
#endif

Result<void> start_sim_sut(const RunOptions& options, loadgen::Scenario scenario,
                           RunBackend& backend) {
  auto sim_options = simulated_sut_options(options, scenario);
  if (!sim_options) return sim_options.failure();
  backend.qsl_name = "mlbench sim QSL";
  backend.sut = std::make_unique<loadgen::SimulatedSut>(*sim_options);
  return {};
}

// The accuracy pass after an accuracy-mode run (evaluation.py's part of an MLPerf run): writes
// accuracy.json and accuracy.txt beside the logs. The datacenter target decides the exit code,
// as the llama3.1-8b datacenter submission does; the edge verdict is in the files.
ExitCode score_accuracy(const RunOptions& options) {
  auto scored = run_accuracy_pass(options.out_dir, options.dataset, options.model_dir);
  if (!scored) {
    emit(orchestrator::ErrorEvent{scored.error().describe()});
    return cli::report_error(scored.error());
  }
  for (const std::string& line : describe_verdicts(scored->report)) {
    emit(orchestrator::LogEvent{.level = "info", .message = line});
  }
  const auto& verdicts = scored->report.verdicts;
  const bool passed = !verdicts.empty() && verdicts.front().passed;
  return passed ? ExitCode::kOk : ExitCode::kInvalidResult;
}

ExitCode run(RunOptions options) {
#ifdef MLBENCH_HAVE_CUDA
  const bool cuda = options.backend == "cuda";
#else
  const bool cuda = false;
  if (options.backend == "cuda") {
    return cli::report_error(Error{ErrorCode::kNotBuilt,
                                   "this mlbench-runner was built without the CUDA backend (no "
                                   "nvcc at build time); use --backend sim or cpu",
                                   "--backend"});
  }
#endif
  if (options.backend != "sim" && options.backend != "cpu" && !cuda) {
    return cli::report_error(
        Error{ErrorCode::kNotBuilt,
              fmt::format("backend '{}' is not built yet in this version; use --backend sim, cpu "
                          "or cuda",
                          options.backend),
              "--backend"});
  }
  // Before any thread starts (the model's thread pool included), so that SIGINT/SIGTERM reach
  // only the watcher.
  InterruptWatcher interrupt;
  const bool cpu = options.backend == "cpu";
  RunBackend backend;
  if (cpu || cuda) {
    if (auto ok = load_model_qsl(options, backend); !ok) return cli::report_error(ok.error());
  }
  if (options.scenario.total_count == 0) options.scenario.total_count = kCnnDailyMailSamples;
  auto settings = load_scenario_settings(options.scenario);
  if (!settings) return cli::report_error(settings.error());
  auto plan = loadgen::plan_queries(settings->loaded.effective, settings->request.qsl);
  if (!plan) return cli::report_error(plan.error());
  std::error_code error;
  fs::create_directories(options.out_dir, error);
  if (error) {
    return cli::report_error(
        Error{ErrorCode::kIo, fmt::format("cannot create: {}", error.message()), options.out_dir});
  }
  const loadgen::Scenario scenario = settings->request.scenario;
  const auto start_sut = [&]() -> Result<void> {
    if (cpu) return start_cpu_sut(options, scenario, backend);
#ifdef MLBENCH_HAVE_CUDA
    if (cuda) return start_cuda_sut(options, scenario, backend);
#endif
    return start_sim_sut(options, scenario, backend);
  };
  if (auto ok = start_sut(); !ok) {
    return cli::report_error(ok.error());
  }

  loadgen::SystemUnderTest& sut = *backend.sut;
  loadgen::IssueOptions issue_options;
  issue_options.qsl_name = backend.qsl_name;
  issue_options.completion_timeout =
      std::chrono::milliseconds(static_cast<int64_t>(options.completion_timeout_s * 1000));
  issue_options.stop_requested = &interrupt.flag();
  issue_options.on_progress = [](const loadgen::RunProgress& progress) {
    orchestrator::ProgressEvent event{progress.samples_issued, progress.samples_completed,
                                      progress.tokens_completed, progress.elapsed.count()};
    if (progress.total) {
      event.total = progress.total->samples;
      event.total_exact = progress.total->exact;
    }
    emit(event);
  };
  // GPU telemetry from the first issue until every answer is in, whatever the backend.
  TelemetryRecorder telemetry(options.telemetry, options.out_dir, emit);
  issue_options.on_start = [&telemetry](std::chrono::steady_clock::time_point origin) {
    telemetry.start(origin);
  };
  auto record = loadgen::run_phase(settings->loaded.effective, settings->request.qsl, *plan, sut,
                                   issue_options);
  const std::vector<std::string> telemetry_files = telemetry.stop();
  if (!record) return cli::report_error(record.error());
  record->settings_diagnostics = settings->loaded.diagnostics;

  // Written whatever happened: an interrupted or timed-out run keeps what it measured.
  auto written = write_run_files(*record, options.out_dir);
  if (!written) {
    emit(orchestrator::ErrorEvent{written.error().describe()});
    return cli::report_error(written.error());
  }
  std::vector<std::string> files = written->files;
  files.insert(files.end(), telemetry_files.begin(), telemetry_files.end());
  emit(orchestrator::ResultEvent{
      .valid = written->valid,
      .issued = record->samples.size(),
      .completed = written->completed,
      .tokens = written->tokens,
      .end_reason = std::string(loadgen::to_string(record->end_reason)),
      .files = std::move(files),
  });
  if (interrupt.interrupted()) return ExitCode::kInterrupted;
  if (backend.replica_counters) {
    for (const model::ReplicaCounters& replica : backend.replica_counters()) {
      emit(orchestrator::LogEvent{
          .level = "info",
          .message = fmt::format("{}: {} samples ({} prompt tokens), {} answered, {} failed, {} "
                                 "output tokens",
                                 replica.name, replica.issued, replica.prompt_tokens,
                                 replica.completed, replica.failed, replica.tokens)});
    }
  }
  if (backend.model_error) {
    if (const auto failure = backend.model_error()) {
      emit(orchestrator::ErrorEvent{failure->describe()});
      return cli::report_error(*failure);
    }
  }
  if (record->end_reason == loadgen::EndReason::kCompletionTimedOut) {
    return ExitCode::kNodeFailed;
  }
  // An accuracy run has no performance verdict: a model backend's is its ROUGE score.
  if (settings->request.mode == loadgen::TestMode::kAccuracyOnly) {
    return cpu || cuda ? score_accuracy(options) : ExitCode::kOk;
  }
  return written->valid ? ExitCode::kOk : ExitCode::kInvalidResult;
}

}  // namespace

cli::CommandSpec run_command() {
  return {
      "run", "Run one scenario against a backend and write the MLPerf log files",
      [](CLI::App& sub, const cli::GlobalOptions&) -> cli::CommandHandler {
        auto options = std::make_shared<RunOptions>();
        add_scenario_options(sub, options->scenario);
        sub.add_option("--backend", options->backend, "sim, cpu or cuda")->capture_default_str();
        sub.add_option("--out", options->out_dir, "Directory for the log files")->required();
        sub.add_option("--completion-timeout-s", options->completion_timeout_s,
                       "Give up on samples not answered this long after the last issue")
            ->capture_default_str();
        auto* sim = sub.add_option_group("sim backend");
        sim->add_option("--sim-seed", options->sim_seed, "Seed of the simulated answers");
        sim->add_option("--sim-workers", options->sim_workers, "Samples served at once");
        sim->add_option("--sim-min-ttft-ms", options->sim_min_ttft_ms);
        sim->add_option("--sim-max-ttft-ms", options->sim_max_ttft_ms);
        sim->add_option("--sim-tpot-ms", options->sim_tpot_ms, "Time per output token");
        sim->add_option("--sim-min-tokens", options->sim_min_tokens);
        sim->add_option("--sim-max-tokens", options->sim_max_tokens);
        auto* model = sub.add_option_group("model backends");
        model->add_option("--model", options->model_dir, "Model directory");
        model->add_option("--dataset", options->dataset, "cnn_eval.json");
        model->add_option("--max-samples", options->max_samples, "Use the first N samples");
        model
            ->add_option("--max-output-tokens", options->max_output_tokens,
                         "Stop each sample after this many new tokens")
            ->check(CLI::Range(1, 1 << 20))
            ->capture_default_str();
        model->add_option("--max-batch", options->max_batch, "Sequences decoded together")
            ->check(CLI::Range(1, 4096))
            ->capture_default_str();
        model
            ->add_option("--max-batch-tokens", options->max_batch_tokens,
                         "Tokens one engine step may run (decodes plus prompt chunks)")
            ->check(CLI::Range(std::int64_t{1}, std::int64_t{1} << 24))
            ->capture_default_str();
        model->add_option("--threads", options->threads, "CPU threads (0: one per core)")
            ->check(CLI::Range(0, 1024))
            ->capture_default_str();
        model->add_option(
            "--gpus", options->gpus,
            "GPUs for --backend cuda, one engine each behind one SUT: 0 or 0,1 (default 0)");
        model
            ->add_option("--gpu-memory-fraction", options->gpu_memory_fraction,
                         "Share of the GPU's free memory the cuda backend may use (weights, "
                         "buffers, KV cache)")
            ->check(CLI::Range(0.01, 1.0))
            ->capture_default_str();
        model
            ->add_option("--max-seq-len", options->max_seq_len,
                         "Longest sequence (prompt + output) the cuda backend must hold; 0: the "
                         "longest prompt of the dataset plus --max-output-tokens")
            ->check(CLI::Range(std::int64_t{0}, std::int64_t{1} << 24))
            ->capture_default_str();
        model
            ->add_option("--cuda-graphs", options->cuda_graphs,
                         "Replay decode steps as CUDA graphs (off: every step eagerly, to compare)")
            ->check(CLI::IsMember({"on", "off"}))
            ->capture_default_str();
        model
            ->add_option("--cuda-attention", options->cuda_attention,
                         "Attention kernel: grouped (a GQA group per block) or per-head (the "
                         "reference it is tested against)")
            ->check(CLI::IsMember({"grouped", "per-head"}))
            ->capture_default_str();
        model
            ->add_option("--cuda-precision", options->cuda_precision,
                         "Activations into the cuda backend's GEMMs: split-bf16 (two bf16 parts, "
                         "logits near the CPU backend's) or bf16 (as a bf16 Hugging Face model; "
                         "half the prefill FLOPs)")
            ->check(CLI::IsMember({"split-bf16", "bf16"}))
            ->capture_default_str();
        model
            ->add_option("--kv-cache-dtype", options->kv_cache_dtype,
                         "Keys and values in the cuda backend's cache: fp32 (as computed, as the "
                         "CPU backend keeps them) or bf16 (half the memory and the bytes "
                         "attention reads)")
            ->check(CLI::IsMember({"fp32", "bf16"}))
            ->capture_default_str();
        add_telemetry_options(sub, options->telemetry);
        return [options] { return run(*options); };
      }};
}

}  // namespace mlbench::runner
