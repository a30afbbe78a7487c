#include "runner/info.h"

#include <thread>

#include "mlbench/core/version.h"
#ifdef MLBENCH_HAVE_CUDA
#include "mlbench/model/cuda_devices.h"
#endif

namespace mlbench::runner {
namespace {

nlohmann::json describe_cuda() {
#ifdef MLBENCH_HAVE_CUDA
  nlohmann::json cuda = {{"built", true}};
  auto info = model::query_cuda_devices();
  if (!info) {
    cuda["error"] = info.error().describe();
    return cuda;
  }
  cuda["driver_version"] = info->driver_version;
  cuda["runtime_version"] = info->runtime_version;
  nlohmann::json devices = nlohmann::json::array();
  for (const model::CudaDevice& device : info->devices) {
    devices.push_back({
        {"index", device.index},
        {"name", device.name},
        {"compute_capability",
         std::to_string(device.compute_major) + "." + std::to_string(device.compute_minor)},
        {"total_memory_bytes", device.total_memory_bytes},
        {"free_memory_bytes", device.free_memory_bytes},
        {"multiprocessors", device.multiprocessors},
    });
  }
  cuda["devices"] = std::move(devices);
  return cuda;
#else
  return {{"built", false}};
#endif
}

}  // namespace

nlohmann::json describe_runner_and_machine() {
  return {
      {"program", "mlbench-runner"},
      {"version", version()},
      {"commit", git_commit()},
      {"cpu", {{"logical_cores", std::thread::hardware_concurrency()}}},
      {"cuda", describe_cuda()},
  };
}

}  // namespace mlbench::runner
