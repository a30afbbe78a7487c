// A stand-in for libnvidia-ml, for tests only: CI machines have no NVIDIA driver, so the tests
// of NVML telemetry load this library (libfake-nvml.so) in its place. It is not NVML and
// measures nothing. It exports, with NVML's documented C ABI, exactly the entry points
// model::NvmlTelemetry resolves, and answers them with made-up readings that are
// deterministic and change from one call to the next, so that a test can tell samples apart.
// The real library is tested on a GPU machine (NvmlTelemetry.TheSystemLibrary...).
//
// Knobs, read from the environment by each nvmlInit_v2:
//   MLBENCH_FAKE_NVML_DEVICES=N     GPUs to report (default 2)
//   MLBENCH_FAKE_NVML_INIT_FAIL=1   nvmlInit_v2 fails with NVML_ERROR_DRIVER_NOT_LOADED
//   MLBENCH_FAKE_NVML_NO_POWER=1    nvmlDeviceGetPowerUsage answers NVML_ERROR_NOT_SUPPORTED
//   MLBENCH_FAKE_NVML_LOST_AFTER=N  after N utilization readings (all GPUs together), every
//                                   reading fails with NVML_ERROR_GPU_IS_LOST
#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <string>

namespace {

// NVML's return codes (nvmlReturn_t) that this stand-in gives.
constexpr int kSuccess = 0;
constexpr int kUninitialized = 1;
constexpr int kInvalidArgument = 2;
constexpr int kNotSupported = 3;
constexpr int kDriverNotLoaded = 9;
constexpr int kGpuIsLost = 15;

constexpr unsigned kMaxDevices = 16;

struct Device {
  unsigned index = 0;
};

struct State {
  std::atomic<bool> initialised{false};
  unsigned devices = 2;
  bool no_power = false;
  long lost_after = -1;  // < 0: never
  std::atomic<long> readings{0};
  Device handles[kMaxDevices];
};

State& state() {
  static State s;
  return s;
}

long env_number(const char* name, long fallback) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') return fallback;
  return std::strtol(value, nullptr, 10);
}

bool env_flag(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' && std::string(value) != "0";
}

// The device behind a handle, or nullptr for one this library did not hand out.
const Device* device_of(void* handle) {
  State& s = state();
  for (unsigned i = 0; i < s.devices; ++i) {
    if (handle == &s.handles[i]) return &s.handles[i];
  }
  return nullptr;
}

// Common checks of every device reading; kSuccess when the reading may be given.
int check(void* handle, const void* out) {
  State& s = state();
  if (!s.initialised.load()) return kUninitialized;
  if (device_of(handle) == nullptr || out == nullptr) return kInvalidArgument;
  if (s.lost_after >= 0 && s.readings.load() >= s.lost_after) return kGpuIsLost;
  return kSuccess;
}

// How many samples have been taken so far: the readings change with it.
unsigned tick() {
  return static_cast<unsigned>(state().readings.load());
}

}  // namespace

extern "C" {

struct nvmlUtilization_t {
  unsigned int gpu;
  unsigned int memory;
};

struct nvmlMemory_t {
  unsigned long long total;
  unsigned long long free;
  unsigned long long used;
};

int nvmlInit_v2() {
  State& s = state();
  if (env_flag("MLBENCH_FAKE_NVML_INIT_FAIL")) return kDriverNotLoaded;
  const long devices = env_number("MLBENCH_FAKE_NVML_DEVICES", 2);
  s.devices = static_cast<unsigned>(std::clamp(devices, 0L, static_cast<long>(kMaxDevices)));
  for (unsigned i = 0; i < kMaxDevices; ++i)
    s.handles[i].index = i;
  s.no_power = env_flag("MLBENCH_FAKE_NVML_NO_POWER");
  s.lost_after = env_number("MLBENCH_FAKE_NVML_LOST_AFTER", -1);
  s.readings = 0;
  s.initialised = true;
  return kSuccess;
}

int nvmlShutdown() {
  State& s = state();
  if (!s.initialised.exchange(false)) return kUninitialized;
  return kSuccess;
}

const char* nvmlErrorString(int result) {
  switch (result) {
    case kSuccess: return "Success";
    case kUninitialized: return "Uninitialized";
    case kInvalidArgument: return "Invalid Argument";
    case kNotSupported: return "Not Supported";
    case kDriverNotLoaded: return "Driver Not Loaded (fake NVML: MLBENCH_FAKE_NVML_INIT_FAIL)";
    case kGpuIsLost: return "GPU is lost (fake NVML: MLBENCH_FAKE_NVML_LOST_AFTER)";
  }
  return "Unknown Error";
}

int nvmlDeviceGetCount_v2(unsigned int* count) {
  State& s = state();
  if (!s.initialised.load()) return kUninitialized;
  if (count == nullptr) return kInvalidArgument;
  *count = s.devices;
  return kSuccess;
}

int nvmlDeviceGetHandleByIndex_v2(unsigned int index, void** device) {
  State& s = state();
  if (!s.initialised.load()) return kUninitialized;
  if (device == nullptr || index >= s.devices) return kInvalidArgument;
  *device = &s.handles[index];
  return kSuccess;
}

// The first reading of each sample: it counts the sample.
int nvmlDeviceGetUtilizationRates(void* device, nvmlUtilization_t* utilization) {
  if (const int r = check(device, utilization); r != kSuccess) return r;
  const unsigned n = static_cast<unsigned>(state().readings.fetch_add(1));
  const unsigned index = device_of(device)->index;
  utilization->gpu = (10 * index + 7 * n) % 101;
  utilization->memory = (5 * index + 3 * n) % 101;
  return kSuccess;
}

int nvmlDeviceGetMemoryInfo(void* device, nvmlMemory_t* memory) {
  if (const int r = check(device, memory); r != kSuccess) return r;
  constexpr unsigned long long kMiB = 1024ull * 1024ull;
  memory->total = 81920 * kMiB;
  memory->used = (1024ull + 256ull * tick() + device_of(device)->index) * kMiB;
  memory->free = memory->total - memory->used;
  return kSuccess;
}

int nvmlDeviceGetPowerUsage(void* device, unsigned int* milliwatts) {
  if (const int r = check(device, milliwatts); r != kSuccess) return r;
  if (state().no_power) return kNotSupported;
  *milliwatts = 100000 + 1000 * device_of(device)->index + 250 * tick();
  return kSuccess;
}

int nvmlDeviceGetClockInfo(void* device, int type, unsigned int* mhz) {
  if (const int r = check(device, mhz); r != kSuccess) return r;
  if (type != 1) return kNotSupported;  // only NVML_CLOCK_SM
  *mhz = 1500 + tick() % 500;
  return kSuccess;
}

int nvmlDeviceGetTemperature(void* device, int sensor, unsigned int* celsius) {
  if (const int r = check(device, celsius); r != kSuccess) return r;
  if (sensor != 0) return kNotSupported;  // only NVML_TEMPERATURE_GPU
  *celsius = 40 + device_of(device)->index + tick() % 20;
  return kSuccess;
}

}  // extern "C"
