#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "mlbench/core/result.h"
#include "mlbench/report/telemetry.h"

namespace mlbench::model {

// GPU readings from NVML, loaded at run time with dlopen so that nothing links against the
// driver: a runner built with CUDA still starts on a machine without one, and says once that
// telemetry is off.
class NvmlTelemetry {
 public:
  static constexpr const char* kLibrary = "libnvidia-ml.so.1";

  // Loads `library`, initialises NVML and takes a handle to each of `gpus` (NVML indices; empty:
  // every GPU NVML sees). Fails with kNotFound ("NVML not found: telemetry off ...") when the
  // library is absent, kUnsupported when it lacks an entry point we need, kIo when NVML fails.
  static Result<std::unique_ptr<NvmlTelemetry>> open(const std::vector<int>& gpus = {},
                                                     const std::string& library = kLibrary);
  ~NvmlTelemetry();
  NvmlTelemetry(const NvmlTelemetry&) = delete;
  NvmlTelemetry& operator=(const NvmlTelemetry&) = delete;

  // One reading per GPU, stamped `t_ns`. A reading NVML refuses (power on some boards) is left
  // empty rather than failing the sample.
  std::vector<report::TelemetrySample> sample(std::int64_t t_ns) const;
  const std::vector<int>& gpus() const { return gpus_; }

  struct Api;  // the entry points, resolved with dlsym

 private:
  NvmlTelemetry() = default;
  void* library_ = nullptr;
  std::unique_ptr<Api> api_;
  std::vector<int> gpus_;
  std::vector<void*> devices_;
};

// telemetry.csv as docs/report-schema.md defines it: the header, then one line per sample.
std::string telemetry_csv_header();
std::string telemetry_csv_row(const report::TelemetrySample& sample);

// Calls `source` every `interval` on a thread of its own, stamping each call with the time since
// start(), and hands its samples to `sink`. stop() (or the destructor) ends the thread at once,
// without waiting out the interval.
class TelemetrySampler {
 public:
  using Source = std::function<std::vector<report::TelemetrySample>(std::int64_t t_ns)>;
  using Sink = std::function<void(const std::vector<report::TelemetrySample>&)>;

  TelemetrySampler(Source source, Sink sink,
                   std::chrono::milliseconds interval = std::chrono::milliseconds(500));
  ~TelemetrySampler();
  TelemetrySampler(const TelemetrySampler&) = delete;
  TelemetrySampler& operator=(const TelemetrySampler&) = delete;

  void start();
  void stop();

 private:
  void loop();

  Source source_;
  Sink sink_;
  std::chrono::milliseconds interval_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace mlbench::model
