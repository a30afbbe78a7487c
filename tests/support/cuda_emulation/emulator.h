#pragma once

// Internals shared by the emulation's runtime (runtime.cc), grid (grid.cc) and cuBLAS
// (cublas.cc). The emulated device is process-wide state, as a real device is.

#include <cstddef>
#include <functional>

#include "cuda_runtime_api.h"

namespace mlbench::cuda_emulation {

// Work for the device: a kernel's grid, a copy, a GEMM.
using DeviceWork = std::function<void()>;

// Runs `work` in `stream`'s order: at once (the emulated device finishes each piece before the
// call returns, which is one order a stream may take), or recorded into the stream's graph when
// it is being captured. Work runs one piece at a time across the process.
cudaError_t enqueue(cudaStream_t stream, DeviceWork work);

// Records `status` as the calling thread's last error unless it is success; returns it.
cudaError_t record(cudaError_t status);

// True when [pointer, pointer + bytes) lies inside one live cudaMalloc allocation.
bool is_device_range(const void* pointer, std::size_t bytes);

// Runs `body` once per thread of every block of `grid`, blocks in order. Called from work, so
// with the device to itself.
void run_grid(dim3 grid, dim3 block, const std::function<void()>& body);

}  // namespace mlbench::cuda_emulation
