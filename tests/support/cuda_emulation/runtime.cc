// The emulated CUDA runtime: devices, memory, streams, graph capture and errors, following the
// runtime API's documented rules where the backend could break them (the capture rules above
// all), so that a mistake the real runtime would refuse is refused here too.
//
// Environment: MLBENCH_EMULATED_CUDA_DEVICES (default 1; 0 means "no device", as a machine
// without a GPU answers) and MLBENCH_EMULATED_CUDA_MEMORY_MIB (per device, default 2048).

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "cuda_runtime.h"
#include "emulator.h"

struct CUstream_st {
  int device = 0;
  // The capture in progress, if any, and the thread that began it.
  CUgraph_st* capture = nullptr;
  std::thread::id capturing_thread;
  bool invalidated = false;
};

struct CUgraph_st {
  std::vector<mlbench::cuda_emulation::DeviceWork> nodes;
};

struct CUgraphExec_st {
  std::vector<mlbench::cuda_emulation::DeviceWork> nodes;
};

namespace mlbench::cuda_emulation {
namespace {

constexpr int kEmulatedVersion = 13000;  // the CUDA version whose API this follows
constexpr std::size_t kAlignment = 256;  // cudaMalloc's alignment

int env_int(const char* name, int fallback) {
  const char* text = std::getenv(name);
  if (text == nullptr || *text == '\0') return fallback;
  return std::atoi(text);
}

int device_count() {
  return std::max(0, env_int("MLBENCH_EMULATED_CUDA_DEVICES", 1));
}

std::size_t device_memory() {
  return static_cast<std::size_t>(std::max(1, env_int("MLBENCH_EMULATED_CUDA_MEMORY_MIB", 2048)))
         << 20;
}

struct Allocation {
  std::size_t bytes = 0;
  int device = 0;
};

// Everything the runtime holds for the process.
struct State {
  std::mutex mutex;
  std::map<std::uintptr_t, Allocation> device_allocations;  // by start address
  std::set<const void*> pinned;
  std::map<int, std::size_t> used;  // device memory in use, by device
  std::set<cudaStream_t> streams;
  std::mutex execution;  // one piece of device work at a time
};

State& state() {
  static State instance;
  return instance;
}

thread_local cudaError_t last_error = cudaSuccess;
thread_local int current = 0;
// Captures this thread began and has not ended: in thread-local mode, calls that could
// synchronise with the device are refused on this thread meanwhile.
thread_local int captures_in_progress = 0;
std::mutex captures_mutex;
std::set<cudaStream_t> capturing_streams;  // guarded by captures_mutex

// A call that would synchronise while this thread captures: refused, and the capture broken,
// as the runtime does.
bool refused_during_capture() {
  if (captures_in_progress == 0) return false;
  const std::lock_guard lock(captures_mutex);
  for (cudaStream_t stream : capturing_streams) {
    if (stream->capturing_thread == std::this_thread::get_id()) stream->invalidated = true;
  }
  return true;
}

bool is_pinned(const void* pointer) {
  State& s = state();
  const std::lock_guard lock(s.mutex);
  return s.pinned.count(pointer) != 0;
}

// Checks a copy (dst_extent and src_extent bytes from its first to its last byte on each side):
// its device side(s) must lie in allocations (the host side is the caller's memory, which the
// sanitizer build checks on the copy itself), and on a capturing stream its host side must be
// pinned. A pageable copy is staged through the driver at call time, which a graph cannot
// replay: refused, and the capture broken.
cudaError_t check_copy(void* dst, std::size_t dst_extent, const void* src, std::size_t src_extent,
                       cudaMemcpyKind kind, cudaStream_t stream) {
  if (dst == nullptr || src == nullptr) return cudaErrorInvalidValue;
  const bool dst_device = is_device_range(dst, dst_extent);
  const bool src_device = is_device_range(src, src_extent);
  const void* host = nullptr;
  switch (kind) {
    case cudaMemcpyHostToDevice:
      if (!dst_device) return cudaErrorInvalidValue;
      host = src;
      break;
    case cudaMemcpyDeviceToHost:
      if (!src_device) return cudaErrorInvalidValue;
      host = dst;
      break;
    case cudaMemcpyDeviceToDevice:
      if (!dst_device || !src_device) return cudaErrorInvalidValue;
      break;
    case cudaMemcpyHostToHost:
    case cudaMemcpyDefault: break;
  }
  if (stream == nullptr || stream->capture == nullptr || host == nullptr || is_pinned(host)) {
    return cudaSuccess;
  }
  stream->invalidated = true;
  return cudaErrorStreamCaptureUnsupported;
}

bool known_stream(cudaStream_t stream) {
  if (stream == nullptr) return true;  // the legacy default stream
  State& s = state();
  const std::lock_guard lock(s.mutex);
  return s.streams.count(stream) != 0;
}

void execute(const DeviceWork& work) {
  const std::lock_guard lock(state().execution);
  work();
}

}  // namespace

cudaError_t record(cudaError_t status) {
  if (status != cudaSuccess) last_error = status;
  return status;
}

bool is_device_range(const void* pointer, std::size_t bytes) {
  State& s = state();
  const std::lock_guard lock(s.mutex);
  const auto address = reinterpret_cast<std::uintptr_t>(pointer);
  auto it = s.device_allocations.upper_bound(address);
  if (it == s.device_allocations.begin()) return false;
  --it;
  return address >= it->first && address - it->first + bytes <= it->second.bytes;
}

cudaError_t enqueue(cudaStream_t stream, DeviceWork work) {
  if (!known_stream(stream)) return record(cudaErrorInvalidResourceHandle);
  if (stream != nullptr && stream->capture != nullptr) {
    stream->capture->nodes.push_back(std::move(work));
    return cudaSuccess;
  }
  // The legacy stream cannot be captured, and work for it would wait for every capturing
  // stream: refused, as the runtime refuses it.
  if (stream == nullptr && refused_during_capture()) {
    return record(cudaErrorStreamCaptureImplicit);
  }
  execute(work);
  return cudaSuccess;
}

}  // namespace mlbench::cuda_emulation

using namespace mlbench::cuda_emulation;

const char* cudaGetErrorName(cudaError_t error) {
  switch (error) {
    case cudaSuccess: return "cudaSuccess";
    case cudaErrorInvalidValue: return "cudaErrorInvalidValue";
    case cudaErrorMemoryAllocation: return "cudaErrorMemoryAllocation";
    case cudaErrorInvalidConfiguration: return "cudaErrorInvalidConfiguration";
    case cudaErrorInsufficientDriver: return "cudaErrorInsufficientDriver";
    case cudaErrorNoDevice: return "cudaErrorNoDevice";
    case cudaErrorInvalidDevice: return "cudaErrorInvalidDevice";
    case cudaErrorInvalidResourceHandle: return "cudaErrorInvalidResourceHandle";
    case cudaErrorIllegalState: return "cudaErrorIllegalState";
    case cudaErrorLaunchFailure: return "cudaErrorLaunchFailure";
    case cudaErrorNotSupported: return "cudaErrorNotSupported";
    case cudaErrorStreamCaptureUnsupported: return "cudaErrorStreamCaptureUnsupported";
    case cudaErrorStreamCaptureInvalidated: return "cudaErrorStreamCaptureInvalidated";
    case cudaErrorStreamCaptureImplicit: return "cudaErrorStreamCaptureImplicit";
    case cudaErrorStreamCaptureWrongThread: return "cudaErrorStreamCaptureWrongThread";
  }
  return "cudaErrorUnknown";
}

const char* cudaGetErrorString(cudaError_t error) {
  switch (error) {
    case cudaSuccess: return "no error";
    case cudaErrorInvalidValue: return "invalid argument";
    case cudaErrorMemoryAllocation: return "out of memory";
    case cudaErrorInvalidConfiguration: return "invalid configuration argument";
    case cudaErrorInsufficientDriver:
      return "CUDA driver version is insufficient for CUDA runtime version";
    case cudaErrorNoDevice: return "no CUDA-capable device is detected";
    case cudaErrorInvalidDevice: return "invalid device ordinal";
    case cudaErrorInvalidResourceHandle: return "invalid resource handle";
    case cudaErrorIllegalState: return "the operation cannot be performed in the present state";
    case cudaErrorLaunchFailure: return "unspecified launch failure";
    case cudaErrorNotSupported: return "operation not supported";
    case cudaErrorStreamCaptureUnsupported:
      return "operation not permitted when stream is capturing";
    case cudaErrorStreamCaptureInvalidated:
      return "operation failed due to a previous error during capture";
    case cudaErrorStreamCaptureImplicit:
      return "operation would make the legacy stream depend on a capturing blocking stream";
    case cudaErrorStreamCaptureWrongThread:
      return "attempt to terminate a thread-local capture sequence from another thread";
  }
  return "unknown error";
}

cudaError_t cudaGetLastError() {
  const cudaError_t error = last_error;
  last_error = cudaSuccess;
  return error;
}

cudaError_t cudaPeekAtLastError() {
  return last_error;
}

cudaError_t cudaRuntimeGetVersion(int* version) {
  if (version == nullptr) return record(cudaErrorInvalidValue);
  *version = kEmulatedVersion;
  return cudaSuccess;
}

cudaError_t cudaDriverGetVersion(int* version) {
  if (version == nullptr) return record(cudaErrorInvalidValue);
  *version = device_count() > 0 ? kEmulatedVersion : 0;
  return cudaSuccess;
}

cudaError_t cudaGetDeviceCount(int* count) {
  if (count == nullptr) return record(cudaErrorInvalidValue);
  *count = device_count();
  return *count > 0 ? cudaSuccess : record(cudaErrorNoDevice);
}

cudaError_t cudaGetDeviceProperties(cudaDeviceProp* props, int device) {
  if (props == nullptr) return record(cudaErrorInvalidValue);
  if (device < 0 || device >= device_count()) return record(cudaErrorInvalidDevice);
  *props = cudaDeviceProp{};
  std::snprintf(props->name, sizeof(props->name), "mlbench host emulation %d (not a GPU)", device);
  props->totalGlobalMem = device_memory();
  props->multiProcessorCount = 1;
  // The architecture the kernels are written and built for.
  props->major = 9;
  props->minor = 0;
  return cudaSuccess;
}

cudaError_t cudaSetDevice(int device) {
  if (device < 0 || device >= device_count()) return record(cudaErrorInvalidDevice);
  current = device;
  return cudaSuccess;
}

cudaError_t cudaGetDevice(int* device) {
  if (device == nullptr) return record(cudaErrorInvalidValue);
  *device = current;
  return cudaSuccess;
}

cudaError_t cudaMemGetInfo(std::size_t* free_bytes, std::size_t* total_bytes) {
  if (free_bytes == nullptr || total_bytes == nullptr) return record(cudaErrorInvalidValue);
  if (device_count() == 0) return record(cudaErrorNoDevice);
  State& s = state();
  const std::lock_guard lock(s.mutex);
  *total_bytes = device_memory();
  *free_bytes = *total_bytes - std::min(*total_bytes, s.used[current]);
  return cudaSuccess;
}

cudaError_t cudaDeviceSynchronize() {
  if (refused_during_capture()) return record(cudaErrorStreamCaptureUnsupported);
  return cudaSuccess;  // all work has run by the time its call returned
}

cudaError_t cudaMalloc(void** pointer, std::size_t bytes) {
  if (pointer == nullptr) return record(cudaErrorInvalidValue);
  if (device_count() == 0) return record(cudaErrorNoDevice);
  if (refused_during_capture()) return record(cudaErrorStreamCaptureUnsupported);
  State& s = state();
  {
    const std::lock_guard lock(s.mutex);
    if (bytes > device_memory() - std::min(device_memory(), s.used[current])) {
      return record(cudaErrorMemoryAllocation);
    }
  }
  void* memory = nullptr;
  // Exactly `bytes`, so that the sanitizer build catches a kernel reading past the end.
  if (posix_memalign(&memory, kAlignment, std::max<std::size_t>(bytes, 1)) != 0) {
    return record(cudaErrorMemoryAllocation);
  }
  // Device memory starts as garbage: all-ones bytes read as NaN floats, so a kernel that reads
  // what nothing wrote poisons the logits instead of passing on zeros.
  std::memset(memory, 0xFF, bytes);
  const std::lock_guard lock(s.mutex);
  s.device_allocations[reinterpret_cast<std::uintptr_t>(memory)] = {bytes, current};
  s.used[current] += bytes;
  *pointer = memory;
  return cudaSuccess;
}

cudaError_t cudaFree(void* pointer) {
  if (pointer == nullptr) return cudaSuccess;  // also what creates a context on a real device
  if (refused_during_capture()) return record(cudaErrorStreamCaptureUnsupported);
  State& s = state();
  const std::lock_guard lock(s.mutex);
  const auto it = s.device_allocations.find(reinterpret_cast<std::uintptr_t>(pointer));
  if (it == s.device_allocations.end()) return record(cudaErrorInvalidValue);
  s.used[it->second.device] -= it->second.bytes;
  s.device_allocations.erase(it);
  std::free(pointer);
  return cudaSuccess;
}

cudaError_t cudaMallocHost(void** pointer, std::size_t bytes) {
  if (pointer == nullptr) return record(cudaErrorInvalidValue);
  if (refused_during_capture()) return record(cudaErrorStreamCaptureUnsupported);
  void* memory = std::malloc(std::max<std::size_t>(bytes, 1));
  if (memory == nullptr) return record(cudaErrorMemoryAllocation);
  State& s = state();
  const std::lock_guard lock(s.mutex);
  s.pinned.insert(memory);
  *pointer = memory;
  return cudaSuccess;
}

cudaError_t cudaFreeHost(void* pointer) {
  if (pointer == nullptr) return cudaSuccess;
  State& s = state();
  const std::lock_guard lock(s.mutex);
  if (s.pinned.erase(pointer) == 0) return record(cudaErrorInvalidValue);
  std::free(pointer);
  return cudaSuccess;
}

cudaError_t cudaMemcpy(void* dst, const void* src, std::size_t bytes, cudaMemcpyKind kind) {
  if (refused_during_capture()) return record(cudaErrorStreamCaptureUnsupported);
  if (bytes == 0) return cudaSuccess;
  if (const cudaError_t checked = check_copy(dst, bytes, src, bytes, kind, nullptr);
      checked != cudaSuccess) {
    return record(checked);
  }
  execute([=] { std::memmove(dst, src, bytes); });
  return cudaSuccess;
}

cudaError_t cudaMemcpyAsync(void* dst, const void* src, std::size_t bytes, cudaMemcpyKind kind,
                            cudaStream_t stream) {
  if (bytes == 0) return cudaSuccess;
  if (const cudaError_t checked = check_copy(dst, bytes, src, bytes, kind, stream);
      checked != cudaSuccess) {
    return record(checked);
  }
  return enqueue(stream, [=] { std::memmove(dst, src, bytes); });
}

cudaError_t cudaMemcpy2DAsync(void* dst, std::size_t dst_pitch, const void* src,
                              std::size_t src_pitch, std::size_t width, std::size_t height,
                              cudaMemcpyKind kind, cudaStream_t stream) {
  if (width > dst_pitch || width > src_pitch) return record(cudaErrorInvalidValue);
  if (height == 0 || width == 0) return cudaSuccess;
  // Each side's extent, first row start to last row end.
  const std::size_t dst_extent = dst_pitch * (height - 1) + width;
  const std::size_t src_extent = src_pitch * (height - 1) + width;
  if (const cudaError_t checked = check_copy(dst, dst_extent, src, src_extent, kind, stream);
      checked != cudaSuccess) {
    return record(checked);
  }
  return enqueue(stream, [=] {
    for (std::size_t row = 0; row < height; ++row) {
      std::memmove(static_cast<char*>(dst) + row * dst_pitch,
                   static_cast<const char*>(src) + row * src_pitch, width);
    }
  });
}

cudaError_t cudaStreamCreateWithFlags(cudaStream_t* stream, unsigned int flags) {
  if (stream == nullptr || flags > cudaStreamNonBlocking) return record(cudaErrorInvalidValue);
  if (device_count() == 0) return record(cudaErrorNoDevice);
  auto created = std::make_unique<CUstream_st>();
  created->device = current;
  State& s = state();
  const std::lock_guard lock(s.mutex);
  *stream = created.release();
  s.streams.insert(*stream);
  return cudaSuccess;
}

cudaError_t cudaStreamDestroy(cudaStream_t stream) {
  State& s = state();
  {
    const std::lock_guard lock(s.mutex);
    if (stream == nullptr || s.streams.erase(stream) == 0) {
      return record(cudaErrorInvalidResourceHandle);
    }
  }
  delete stream->capture;
  delete stream;
  return cudaSuccess;
}

cudaError_t cudaStreamSynchronize(cudaStream_t stream) {
  if (!known_stream(stream)) return record(cudaErrorInvalidResourceHandle);
  if (stream != nullptr && stream->capture != nullptr) {
    stream->invalidated = true;
    return record(cudaErrorStreamCaptureUnsupported);
  }
  if (refused_during_capture()) return record(cudaErrorStreamCaptureUnsupported);
  return cudaSuccess;
}

cudaError_t cudaStreamBeginCapture(cudaStream_t stream, cudaStreamCaptureMode mode) {
  if (stream == nullptr) return record(cudaErrorStreamCaptureUnsupported);
  if (!known_stream(stream)) return record(cudaErrorInvalidResourceHandle);
  if (stream->capture != nullptr) return record(cudaErrorIllegalState);
  // Only the mode the backend uses is emulated; the others differ in which threads they bind.
  if (mode != cudaStreamCaptureModeThreadLocal) return record(cudaErrorNotSupported);
  stream->capture = new CUgraph_st;
  stream->capturing_thread = std::this_thread::get_id();
  stream->invalidated = false;
  ++captures_in_progress;
  const std::lock_guard lock(captures_mutex);
  capturing_streams.insert(stream);
  return cudaSuccess;
}

cudaError_t cudaStreamEndCapture(cudaStream_t stream, cudaGraph_t* graph) {
  if (graph == nullptr) return record(cudaErrorInvalidValue);
  if (!known_stream(stream) || stream == nullptr) return record(cudaErrorInvalidResourceHandle);
  if (stream->capture == nullptr) return record(cudaErrorIllegalState);
  if (stream->capturing_thread != std::this_thread::get_id()) {
    return record(cudaErrorStreamCaptureWrongThread);
  }
  std::unique_ptr<CUgraph_st> captured(stream->capture);
  stream->capture = nullptr;
  --captures_in_progress;
  {
    const std::lock_guard lock(captures_mutex);
    capturing_streams.erase(stream);
  }
  *graph = nullptr;
  if (stream->invalidated) return record(cudaErrorStreamCaptureInvalidated);
  *graph = captured.release();
  return cudaSuccess;
}

cudaError_t cudaGraphGetNodes(cudaGraph_t graph, cudaGraphNode_t* nodes, std::size_t* count) {
  if (graph == nullptr || count == nullptr) return record(cudaErrorInvalidValue);
  if (nodes != nullptr) return record(cudaErrorNotSupported);  // only the count is emulated
  *count = graph->nodes.size();
  return cudaSuccess;
}

cudaError_t cudaGraphInstantiate(cudaGraphExec_t* exec, cudaGraph_t graph,
                                 unsigned long long flags) {
  if (exec == nullptr || graph == nullptr || flags != 0) return record(cudaErrorInvalidValue);
  if (refused_during_capture()) return record(cudaErrorStreamCaptureUnsupported);
  *exec = new CUgraphExec_st{graph->nodes};
  return cudaSuccess;
}

cudaError_t cudaGraphUpload(cudaGraphExec_t exec, cudaStream_t stream) {
  if (exec == nullptr) return record(cudaErrorInvalidValue);
  if (!known_stream(stream)) return record(cudaErrorInvalidResourceHandle);
  return cudaSuccess;
}

cudaError_t cudaGraphLaunch(cudaGraphExec_t exec, cudaStream_t stream) {
  if (exec == nullptr) return record(cudaErrorInvalidValue);
  // The nodes as captured: their kernels' arguments, copies' addresses and GEMMs' shapes are
  // the capture's, whatever the host has changed since, as on a device.
  return enqueue(stream, [nodes = exec->nodes] {
    for (const DeviceWork& node : nodes)
      node();
  });
}

cudaError_t cudaGraphExecDestroy(cudaGraphExec_t exec) {
  if (exec == nullptr) return record(cudaErrorInvalidValue);
  delete exec;
  return cudaSuccess;
}

cudaError_t cudaGraphDestroy(cudaGraph_t graph) {
  if (graph == nullptr) return record(cudaErrorInvalidValue);
  delete graph;
  return cudaSuccess;
}
