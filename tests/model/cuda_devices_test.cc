#include "mlbench/model/cuda_devices.h"

#include <gtest/gtest.h>

namespace mlbench::model {
namespace {

TEST(CudaDevices, RuntimeAnswersWithOrWithoutAGpu) {
  auto info = query_cuda_devices();
  ASSERT_TRUE(info.ok()) << info.error().describe();
  EXPECT_GT(info->runtime_version, 0);
  if (info->devices.empty()) {
    GTEST_SKIP() << "no CUDA device on this machine (driver version " << info->driver_version
                 << "): device properties cannot be checked here";
  }
  for (const CudaDevice& device : info->devices) {
    EXPECT_FALSE(device.name.empty());
    EXPECT_GE(device.compute_major, 7);
    EXPECT_GT(device.total_memory_bytes, 0u);
    EXPECT_LE(device.free_memory_bytes, device.total_memory_bytes);
    EXPECT_GT(device.multiprocessors, 0);
  }
}

}  // namespace
}  // namespace mlbench::model
