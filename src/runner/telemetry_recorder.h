#pragma once

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "mlbench/model/nvml_telemetry.h"
#include "mlbench/orchestrator/runner_events.h"

namespace mlbench::runner {

struct TelemetryOptions {
  std::string mode = "auto";  // auto: sample NVML when it opens; off: never try
  std::string nvml_library = model::NvmlTelemetry::kLibrary;
  int interval_ms = 500;
};

// Declares --telemetry, --nvml-library and --telemetry-interval-ms.
void add_telemetry_options(CLI::App& sub, TelemetryOptions& options);

// The GPU telemetry of one run (issue #7): every GPU NVML sees, sampled every interval from
// the start of issuing to stop(), each reading appended to <out>/telemetry.csv (flushed row by
// row, so a killed run keeps what was measured) and emitted as a `telemetry` event. Telemetry
// never fails a run: when NVML cannot be opened one info event says so; when it fails or the
// file cannot be written during the run, one warning event says so and sampling stops.
class TelemetryRecorder {
 public:
  using Emit = std::function<void(const orchestrator::RunnerEvent&)>;

  // Opens NVML unless `options.mode` is off. `emit` is called from the sampling thread too.
  TelemetryRecorder(const TelemetryOptions& options, const std::string& out_dir, Emit emit);
  ~TelemetryRecorder();
  TelemetryRecorder(const TelemetryRecorder&) = delete;
  TelemetryRecorder& operator=(const TelemetryRecorder&) = delete;

  // Samples from now on, stamped on the run's clock (for loadgen::IssueOptions::on_start).
  void start(std::chrono::steady_clock::time_point origin);
  // Ends the sampling and closes the file; the names of the files written under the output
  // directory (telemetry.csv, or none).
  std::vector<std::string> stop();

 private:
  model::TelemetrySampler::Samples sample(std::int64_t t_ns);
  void record(const model::TelemetrySampler::Samples& samples);
  // Says why telemetry is off from now on: once, at `level`.
  void say(const std::string& level, const std::string& message);
  void warn(const std::string& message);

  Emit emit_;
  std::string path_;
  std::unique_ptr<model::NvmlTelemetry> nvml_;
  // Touched only by the sampling thread until stop() has joined it.
  std::FILE* csv_ = nullptr;
  bool written_ = false;
  bool stopped_ = false;  // after a failure: the warning is given, nothing more is sampled
  std::unique_ptr<model::TelemetrySampler> sampler_;  // last: its thread uses the above
};

}  // namespace mlbench::runner
