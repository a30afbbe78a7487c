#include "mlbench/model/nvml_telemetry.h"

#include <dlfcn.h>
#include <fmt/format.h>

#include <algorithm>

namespace mlbench::model {

// The few NVML declarations we use, from NVML's documented C API (nvml.h is not needed to
// build): every call returns 0 (NVML_SUCCESS) or an error code that nvmlErrorString names.
namespace {
using NvmlReturn = int;
using NvmlDevice = void*;
struct NvmlUtilization {
  unsigned gpu;
  unsigned memory;
};
struct NvmlMemory {
  unsigned long long total;
  unsigned long long free;
  unsigned long long used;
};
constexpr int kNvmlClockSm = 1;         // NVML_CLOCK_SM
constexpr int kNvmlTemperatureGpu = 0;  // NVML_TEMPERATURE_GPU
}  // namespace

struct NvmlTelemetry::Api {
  NvmlReturn (*init)() = nullptr;
  NvmlReturn (*shutdown)() = nullptr;
  const char* (*error_string)(NvmlReturn) = nullptr;
  NvmlReturn (*device_count)(unsigned*) = nullptr;
  NvmlReturn (*device_by_index)(unsigned, NvmlDevice*) = nullptr;
  NvmlReturn (*utilization)(NvmlDevice, NvmlUtilization*) = nullptr;
  NvmlReturn (*memory)(NvmlDevice, NvmlMemory*) = nullptr;
  NvmlReturn (*power)(NvmlDevice, unsigned*) = nullptr;
  NvmlReturn (*clock)(NvmlDevice, int, unsigned*) = nullptr;
  NvmlReturn (*temperature)(NvmlDevice, int, unsigned*) = nullptr;
};

namespace {

template <typename Fn>
bool resolve(void* library, const char* name, Fn& fn) {
  void* symbol = dlsym(library, name);
  fn = reinterpret_cast<Fn>(symbol);
  return symbol != nullptr;
}

}  // namespace

Result<std::unique_ptr<NvmlTelemetry>> NvmlTelemetry::open(const std::vector<int>& gpus,
                                                           const std::string& library) {
  std::unique_ptr<NvmlTelemetry> t(new NvmlTelemetry());
  t->library_ = dlopen(library.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (t->library_ == nullptr) {
    const char* why = dlerror();
    return fail(ErrorCode::kNotFound,
                fmt::format("NVML not found: telemetry off ({})", why != nullptr ? why : "dlopen"),
                library);
  }
  t->api_ = std::make_unique<Api>();
  Api& a = *t->api_;
  const bool complete = resolve(t->library_, "nvmlInit_v2", a.init) &&
                        resolve(t->library_, "nvmlShutdown", a.shutdown) &&
                        resolve(t->library_, "nvmlErrorString", a.error_string) &&
                        resolve(t->library_, "nvmlDeviceGetCount_v2", a.device_count) &&
                        resolve(t->library_, "nvmlDeviceGetHandleByIndex_v2", a.device_by_index) &&
                        resolve(t->library_, "nvmlDeviceGetUtilizationRates", a.utilization) &&
                        resolve(t->library_, "nvmlDeviceGetMemoryInfo", a.memory) &&
                        resolve(t->library_, "nvmlDeviceGetPowerUsage", a.power) &&
                        resolve(t->library_, "nvmlDeviceGetClockInfo", a.clock) &&
                        resolve(t->library_, "nvmlDeviceGetTemperature", a.temperature);
  if (!complete) {
    t->api_.reset();  // nothing to shut down
    return fail(ErrorCode::kUnsupported,
                "not a usable NVML library (an entry point is missing): telemetry off", library);
  }
  if (const NvmlReturn r = a.init(); r != 0) {
    const std::string why = a.error_string(r);
    t->api_.reset();
    return fail(ErrorCode::kIo, fmt::format("nvmlInit_v2 failed: {}: telemetry off", why), library);
  }
  unsigned count = 0;
  if (const NvmlReturn r = a.device_count(&count); r != 0) {
    return fail(ErrorCode::kIo, fmt::format("nvmlDeviceGetCount_v2 failed: {}", a.error_string(r)),
                library);
  }
  std::vector<int> wanted = gpus;
  if (wanted.empty()) {
    for (unsigned i = 0; i < count; ++i)
      wanted.push_back(static_cast<int>(i));
  }
  for (int gpu : wanted) {
    NvmlDevice device = nullptr;
    if (gpu < 0 || static_cast<unsigned>(gpu) >= count) {
      return fail(ErrorCode::kNotFound,
                  fmt::format("GPU {} is not among the {} NVML sees", gpu, count), library);
    }
    if (const NvmlReturn r = a.device_by_index(static_cast<unsigned>(gpu), &device); r != 0) {
      return fail(
          ErrorCode::kIo,
          fmt::format("nvmlDeviceGetHandleByIndex_v2({}) failed: {}", gpu, a.error_string(r)),
          library);
    }
    t->gpus_.push_back(gpu);
    t->devices_.push_back(device);
  }
  return t;
}

NvmlTelemetry::~NvmlTelemetry() {
  if (api_ != nullptr) api_->shutdown();
  if (library_ != nullptr) dlclose(library_);
}

Result<std::vector<report::TelemetrySample>> NvmlTelemetry::sample(std::int64_t t_ns) const {
  std::vector<report::TelemetrySample> samples;
  const Api& a = *api_;
  for (std::size_t i = 0; i < devices_.size(); ++i) {
    report::TelemetrySample s;
    s.t_ns = t_ns;
    s.gpu = gpus_[i];
    NvmlDevice device = devices_[i];
    // The first refusal, to name when every reading of this GPU is refused.
    std::string refused;
    const auto read = [&](NvmlReturn r, const char* call) {
      if (r != 0 && refused.empty()) refused = fmt::format("{}: {}", call, a.error_string(r));
      return r == 0;
    };
    NvmlUtilization utilization{};
    if (read(a.utilization(device, &utilization), "nvmlDeviceGetUtilizationRates")) {
      s.utilization_pct = utilization.gpu;
    }
    NvmlMemory memory{};
    if (read(a.memory(device, &memory), "nvmlDeviceGetMemoryInfo")) {
      s.memory_used_mib = static_cast<double>(memory.used) / (1024.0 * 1024.0);
    }
    unsigned value = 0;
    if (read(a.power(device, &value), "nvmlDeviceGetPowerUsage")) {
      s.power_w = value / 1000.0;  // NVML reports milliwatts
    }
    if (read(a.clock(device, kNvmlClockSm, &value), "nvmlDeviceGetClockInfo")) {
      s.sm_clock_mhz = value;
    }
    if (read(a.temperature(device, kNvmlTemperatureGpu, &value), "nvmlDeviceGetTemperature")) {
      s.temperature_c = value;
    }
    const bool any = std::any_of(
        report::kTelemetryMetrics.begin(), report::kTelemetryMetrics.end(),
        [&](const report::TelemetryMetric& metric) { return (s.*(metric.field)).has_value(); });
    if (!any) {
      return fail(ErrorCode::kIo, fmt::format("GPU {} gives no reading ({})", s.gpu, refused),
                  "NVML");
    }
    samples.push_back(s);
  }
  return samples;
}

std::string telemetry_csv_header() {
  std::string header = "t_ns,gpu";
  for (const report::TelemetryMetric& metric : report::kTelemetryMetrics)
    header += fmt::format(",{}", metric.column);
  return header;
}

std::string telemetry_csv_row(const report::TelemetrySample& sample) {
  std::string row = fmt::format("{},{}", sample.t_ns, sample.gpu);
  for (const report::TelemetryMetric& metric : report::kTelemetryMetrics) {
    const std::optional<double>& value = sample.*(metric.field);
    row += value ? fmt::format(",{}", *value) : std::string(",");
  }
  return row;
}

TelemetrySampler::TelemetrySampler(Source source, Sink sink, std::chrono::milliseconds interval)
    : source_(std::move(source)), sink_(std::move(sink)), interval_(interval) {
  thread_ = std::thread([this] { loop(); });
}

TelemetrySampler::~TelemetrySampler() {
  stop();
}

void TelemetrySampler::start(Clock::time_point origin) {
  {
    std::lock_guard lock(mutex_);
    if (origin_) return;
    origin_ = origin;
  }
  wake_.notify_all();
}

void TelemetrySampler::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void TelemetrySampler::loop() {
  std::unique_lock lock(mutex_);
  wake_.wait(lock, [this] { return stopping_ || origin_.has_value(); });
  if (stopping_) return;
  const Clock::time_point origin = *origin_;
  auto next = origin;
  while (!stopping_) {
    lock.unlock();
    const auto t_ns =
        std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - origin).count();
    const Samples samples = source_(static_cast<std::int64_t>(t_ns));
    sink_(samples);
    lock.lock();
    if (!samples) break;
    // Fixed-rate ticks: a slow sample does not push every later one back.
    next += interval_;
    wake_.wait_until(lock, next, [this] { return stopping_; });
  }
}

}  // namespace mlbench::model
