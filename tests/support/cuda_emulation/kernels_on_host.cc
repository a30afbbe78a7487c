// The CUDA backend's kernels, src/model/cuda/kernels.cu itself, compiled as C++ against the
// emulation's headers so that its code runs on the host. (#pragma unroll is for nvcc; the
// host compiler is told to ignore it in tests/CMakeLists.txt.)
#include "model/cuda/kernels.cu"
