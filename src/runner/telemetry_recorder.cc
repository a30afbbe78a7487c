#include "runner/telemetry_recorder.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "mlbench/report/run_layout.h"

namespace mlbench::runner {

namespace fs = std::filesystem;

void add_telemetry_options(CLI::App& sub, TelemetryOptions& options) {
  auto* group = sub.add_option_group("telemetry");
  group
      ->add_option("--telemetry", options.mode,
                   "GPU telemetry from NVML into telemetry.csv and telemetry events: auto (every "
                   "GPU NVML sees, by NVML index, when NVML can be loaded) or off")
      ->check(CLI::IsMember({"auto", "off"}))
      ->capture_default_str();
  group
      ->add_option("--nvml-library", options.nvml_library,
                   "The NVML library to load (for an unusual driver install)")
      ->capture_default_str();
  group
      ->add_option("--telemetry-interval-ms", options.interval_ms,
                   "Time between two telemetry samples")
      ->check(CLI::Range(10, 60'000))
      ->capture_default_str();
}

TelemetryRecorder::TelemetryRecorder(const TelemetryOptions& options, const std::string& out_dir,
                                     Emit emit)
    : emit_(std::move(emit)), path_((fs::path(out_dir) / report::kTelemetryFile).string()) {
  // A telemetry.csv an earlier run left in the same directory would be read as this run's.
  std::error_code ignored;
  fs::remove(path_, ignored);
  if (options.mode == "off") return;
  auto nvml = model::NvmlTelemetry::open({}, options.nvml_library);
  // No NVML is how a machine without an NVIDIA GPU (or driver) is, not a fault of the run: it
  // is said once, as info, so that a CPU run's report does not carry it as a warning.
  if (!nvml) {
    say("info", nvml.error().describe());
    return;
  }
  if ((*nvml)->gpus().empty()) {
    say("info", fmt::format("{}: NVML sees no GPU: telemetry off", options.nvml_library));
    return;
  }
  nvml_ = std::move(*nvml);
  sampler_ = std::make_unique<model::TelemetrySampler>(
      [this](std::int64_t t_ns) { return sample(t_ns); },
      [this](const model::TelemetrySampler::Samples& samples) { record(samples); },
      std::chrono::milliseconds(options.interval_ms));
}

TelemetryRecorder::~TelemetryRecorder() {
  (void)stop();
}

void TelemetryRecorder::start(std::chrono::steady_clock::time_point origin) {
  if (sampler_ != nullptr) sampler_->start(origin);
}

std::vector<std::string> TelemetryRecorder::stop() {
  if (sampler_ != nullptr) sampler_->stop();
  if (csv_ != nullptr) {
    std::fclose(csv_);
    csv_ = nullptr;
  }
  if (!written_) return {};
  return {std::string(report::kTelemetryFile)};
}

model::TelemetrySampler::Samples TelemetryRecorder::sample(std::int64_t t_ns) {
  // A failure ends the sampler's thread; record() has said why already.
  if (stopped_) return fail(ErrorCode::kIo, "telemetry stopped");
  return nvml_->sample(t_ns);
}

void TelemetryRecorder::record(const model::TelemetrySampler::Samples& samples) {
  if (stopped_) return;
  if (!samples) {
    warn(fmt::format("telemetry stopped: {}", samples.error().describe()));
    return;
  }
  for (const report::TelemetrySample& sample : *samples) {
    if (csv_ == nullptr) {
      csv_ = std::fopen(path_.c_str(), "w");
      if (csv_ == nullptr) {
        warn(fmt::format("{}: cannot write: {}: telemetry off", path_, std::strerror(errno)));
        return;
      }
      std::fputs((model::telemetry_csv_header() + "\n").c_str(), csv_);
    }
    std::fputs((model::telemetry_csv_row(sample) + "\n").c_str(), csv_);
    if (std::fflush(csv_) != 0 || std::ferror(csv_) != 0) {
      warn(fmt::format("{}: cannot write: {}: telemetry stopped", path_, std::strerror(errno)));
      return;
    }
    written_ = true;
    emit_(orchestrator::TelemetryEvent{sample});
  }
}

void TelemetryRecorder::warn(const std::string& message) {
  say("warning", message);
}

void TelemetryRecorder::say(const std::string& level, const std::string& message) {
  stopped_ = true;
  emit_(orchestrator::LogEvent{.level = level, .message = message});
}

}  // namespace mlbench::runner
