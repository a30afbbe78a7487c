#include <cuda_runtime.h>
#include <fmt/format.h>

#include "mlbench/model/cuda_devices.h"

namespace mlbench::model {

Result<CudaRuntimeInfo> query_cuda_devices() {
  CudaRuntimeInfo info;
  cudaRuntimeGetVersion(&info.runtime_version);
  cudaDriverGetVersion(&info.driver_version);  // leaves 0 when there is no driver

  int count = 0;
  const cudaError_t status = cudaGetDeviceCount(&count);
  // No driver, or a driver with no device, means "no GPU here", which callers report as such.
  if (status == cudaErrorNoDevice || status == cudaErrorInsufficientDriver) {
    cudaGetLastError();  // clear the sticky error state for later calls
    return info;
  }
  if (status != cudaSuccess) {
    return fail(ErrorCode::kIo,
                fmt::format("cudaGetDeviceCount failed: {}", cudaGetErrorString(status)),
                "CUDA runtime");
  }
  for (int index = 0; index < count; ++index) {
    cudaDeviceProp props{};
    if (const cudaError_t e = cudaGetDeviceProperties(&props, index); e != cudaSuccess) {
      return fail(ErrorCode::kIo,
                  fmt::format("cudaGetDeviceProperties failed: {}", cudaGetErrorString(e)),
                  fmt::format("GPU {}", index));
    }
    CudaDevice device;
    device.index = index;
    device.name = props.name;
    device.compute_major = props.major;
    device.compute_minor = props.minor;
    device.total_memory_bytes = props.totalGlobalMem;
    device.multiprocessors = props.multiProcessorCount;
    size_t free_bytes = 0;
    size_t total_bytes = 0;
    if (cudaSetDevice(index) == cudaSuccess &&
        cudaMemGetInfo(&free_bytes, &total_bytes) == cudaSuccess) {
      device.free_memory_bytes = free_bytes;
    }
    info.devices.push_back(std::move(device));
  }
  return info;
}

}  // namespace mlbench::model
