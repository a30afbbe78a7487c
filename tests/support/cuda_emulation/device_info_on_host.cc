// src/model/cuda/device_info.cu compiled as C++ against the emulation's headers.
#include "model/cuda/device_info.cu"
