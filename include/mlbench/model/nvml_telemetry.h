#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
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
  // empty rather than failing the sample; a GPU that gives no reading at all (it fell off the
  // bus, the driver went away) fails it with kIo, naming the GPU and NVML's reason.
  Result<std::vector<report::TelemetrySample>> sample(std::int64_t t_ns) const;
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
// the origin given to start(), and hands its samples to `sink`. A failed source is handed to
// `sink` too, and ends the sampling. stop() (or the destructor) ends the thread at once, without
// waiting out the interval.
class TelemetrySampler {
 public:
  using Clock = std::chrono::steady_clock;
  using Samples = Result<std::vector<report::TelemetrySample>>;
  using Source = std::function<Samples(std::int64_t t_ns)>;
  using Sink = std::function<void(const Samples&)>;

  // The thread starts here and waits for start(), so that start() costs the caller (the
  // issuing thread, just before the first query) no more than a notification.
  TelemetrySampler(Source source, Sink sink,
                   std::chrono::milliseconds interval = std::chrono::milliseconds(500));
  ~TelemetrySampler();
  TelemetrySampler(const TelemetrySampler&) = delete;
  TelemetrySampler& operator=(const TelemetrySampler&) = delete;

  // Samples at once, then at origin + k * interval; t_ns counts from `origin`. Once only: a
  // second call is ignored.
  void start(Clock::time_point origin);
  void stop();

 private:
  void loop();

  Source source_;
  Sink sink_;
  std::chrono::milliseconds interval_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::optional<Clock::time_point> origin_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace mlbench::model
