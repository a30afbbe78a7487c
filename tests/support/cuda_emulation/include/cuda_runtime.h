#pragma once

// The host emulation's stand-in for cuda_runtime.h: the runtime API (cuda_runtime_api.h) plus
// what device code needs, so a .cu file compiles as C++ and its kernels run on the host. A
// launch runs every block of the grid in turn, each with one host thread per CUDA thread, so
// __syncthreads and warp shuffles are real rendezvous of those threads. __shared__ variables
// become function-local statics: one block runs at a time and launches are serialised, so
// each block's threads share them and nothing else touches them meanwhile.

#include <math.h>  // expf, fmaxf, sinf, ...: in the global namespace, as device code has them

#include <cstdint>
#include <cstring>
#include <functional>
#include <utility>

#include "cuda_runtime_api.h"

#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __shared__ static
#define __launch_bounds__(...)

// The built-in index variables, set for each emulated thread as it is resumed. Plain globals:
// device work runs one piece at a time across the process.
extern uint3 threadIdx;
extern uint3 blockIdx;
extern dim3 blockDim;
extern dim3 gridDim;

namespace mlbench::cuda_emulation {

// Enqueues `grid` × `block` threads each running `body` on config.stream (at once, or into
// the stream's graph capture), after checking the launch as the runtime does.
cudaError_t launch_kernel(const cudaLaunchConfig_t& config, std::function<void()> body);

// The calling emulated thread's warp exchanges `bits` with lane (lane ^ lane_mask).
std::uint64_t shuffle_xor(std::uint64_t bits, int lane_mask, int width);

}  // namespace mlbench::cuda_emulation

void __syncthreads();

template <typename T>
T __shfl_xor_sync(unsigned int /*mask*/, T value, int lane_mask, int width = 32) {
  static_assert(sizeof(T) <= sizeof(std::uint64_t));
  std::uint64_t bits = 0;
  std::memcpy(&bits, &value, sizeof(T));
  bits = mlbench::cuda_emulation::shuffle_xor(bits, lane_mask, width);
  std::memcpy(&value, &bits, sizeof(T));
  return value;
}

// Round-to-nearest products and conversions. The host compiler is asked not to contract a*b+c
// into an FMA (-ffp-contract=off on the emulated sources), so a plain product is the rounded
// one.
inline float __fmul_rn(float a, float b) {
  return a * b;
}
inline float __uint_as_float(unsigned int bits) {
  float value;
  std::memcpy(&value, &bits, sizeof(value));
  return value;
}
inline unsigned int __float_as_uint(float value) {
  unsigned int bits;
  std::memcpy(&bits, &value, sizeof(bits));
  return bits;
}

// The typed launch of the real runtime: the arguments are converted to the kernel's parameter
// types and copied now, as a launch copies them; each emulated thread gets its own copy.
template <typename... Params, typename... Args>
cudaError_t cudaLaunchKernelEx(const cudaLaunchConfig_t* config, void (*kernel)(Params...),
                               Args&&... args) {
  if (config == nullptr || kernel == nullptr) return cudaErrorInvalidValue;
  return mlbench::cuda_emulation::launch_kernel(
      *config, [kernel, ... params = static_cast<Params>(std::forward<Args>(args))]() {
        kernel(params...);
      });
}
