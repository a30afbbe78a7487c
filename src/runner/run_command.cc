#include "runner/run_command.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <filesystem>
#include <memory>

#include "mlbench/core/interrupt.h"
#include "mlbench/loadgen/issue_engine.h"
#include "mlbench/loadgen/query_plan.h"
#include "mlbench/loadgen/simulated_sut.h"
#include "mlbench/orchestrator/runner_events.h"

#include "runner/run_files.h"
#include "runner/scenario_options.h"

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
  std::string gpus;
};

void emit(const orchestrator::RunnerEvent& event) {
  // One whole line per call, flushed, so a reader on a pipe sees events as they happen.
  fmt::print("{}\n", orchestrator::to_json_line(event));
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

ExitCode run(RunOptions options) {
  if (options.backend != "sim") {
    return cli::report_error(
        Error{ErrorCode::kNotBuilt,
              fmt::format("backend '{}' is not built yet in this version; use --backend sim",
                          options.backend),
              "--backend"});
  }
  if (options.scenario.total_count == 0) options.scenario.total_count = kCnnDailyMailSamples;
  auto settings = load_scenario_settings(options.scenario);
  if (!settings) return cli::report_error(settings.error());
  auto plan = loadgen::plan_queries(settings->loaded.effective, settings->request.qsl);
  if (!plan) return cli::report_error(plan.error());
  auto sim_options = simulated_sut_options(options, settings->request.scenario);
  if (!sim_options) return cli::report_error(sim_options.error());
  std::error_code error;
  fs::create_directories(options.out_dir, error);
  if (error) {
    return cli::report_error(
        Error{ErrorCode::kIo, fmt::format("cannot create: {}", error.message()), options.out_dir});
  }

  // Before any thread starts, so that SIGINT/SIGTERM reach only the watcher.
  InterruptWatcher interrupt;
  loadgen::SimulatedSut sut(*sim_options);
  loadgen::IssueOptions issue_options;
  issue_options.qsl_name = "mlbench sim QSL";
  issue_options.completion_timeout =
      std::chrono::milliseconds(static_cast<int64_t>(options.completion_timeout_s * 1000));
  issue_options.stop_requested = &interrupt.flag();
  issue_options.on_progress = [](const loadgen::RunProgress& progress) {
    emit(orchestrator::ProgressEvent{progress.samples_issued, progress.samples_completed,
                                     progress.tokens_completed, progress.elapsed.count()});
  };

  auto record = loadgen::run_phase(settings->loaded.effective, settings->request.qsl, *plan, sut,
                                   issue_options);
  if (!record) return cli::report_error(record.error());
  record->settings_diagnostics = settings->loaded.diagnostics;

  // Written whatever happened: an interrupted or timed-out run keeps what it measured.
  auto written = write_run_files(*record, options.out_dir);
  if (!written) {
    emit(orchestrator::ErrorEvent{written.error().describe()});
    return cli::report_error(written.error());
  }
  emit(orchestrator::ResultEvent{
      .valid = written->valid,
      .issued = record->samples.size(),
      .completed = written->completed,
      .tokens = written->tokens,
      .end_reason = std::string(loadgen::to_string(record->end_reason)),
      .files = written->files,
  });
  if (interrupt.interrupted()) return ExitCode::kInterrupted;
  if (record->end_reason == loadgen::EndReason::kCompletionTimedOut) {
    return ExitCode::kNodeFailed;
  }
  // An accuracy run has no performance verdict; it is scored separately.
  if (settings->request.mode == loadgen::TestMode::kAccuracyOnly) return ExitCode::kOk;
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
        model->add_option("--max-output-tokens", options->max_output_tokens);
        model->add_option("--gpus", options->gpus, "GPU indices, e.g. 0,1");
        return [options] { return run(*options); };
      }};
}

}  // namespace mlbench::runner
