#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "mlbench/core/result.h"

namespace mlbench::model {

struct CudaDevice {
  int index = 0;
  std::string name;
  int compute_major = 0;
  int compute_minor = 0;
  std::uint64_t total_memory_bytes = 0;
  std::uint64_t free_memory_bytes = 0;
  int multiprocessors = 0;
};

struct CudaRuntimeInfo {
  int driver_version = 0;   // e.g. 13000; 0 when no driver is installed
  int runtime_version = 0;  // the CUDA runtime the runner was built with
  std::vector<CudaDevice> devices;
};

// Asks the CUDA runtime what this machine has. A machine without a driver or without a GPU is
// not an error: it gives an empty device list and the reason in `Error` only when the runtime
// itself fails in an unexpected way. Defined only in builds with the CUDA backend.
Result<CudaRuntimeInfo> query_cuda_devices();

}  // namespace mlbench::model
