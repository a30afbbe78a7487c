# MLBENCH_CUDA=AUTO builds the CUDA backend when nvcc is found; ON insists; OFF skips it.
# Only mlbench-runner links the result: the controller never depends on CUDA.

set(MLBENCH_CUDA AUTO CACHE STRING "Build the CUDA backend: AUTO, ON or OFF")
set_property(CACHE MLBENCH_CUDA PROPERTY STRINGS AUTO ON OFF)

set(MLBENCH_HAVE_CUDA OFF)
if(NOT MLBENCH_CUDA STREQUAL "OFF")
  if(NOT CMAKE_CUDA_COMPILER AND EXISTS /usr/local/cuda/bin/nvcc)
    set(CMAKE_CUDA_COMPILER /usr/local/cuda/bin/nvcc)
  endif()
  include(CheckLanguage)
  check_language(CUDA)
  if(CMAKE_CUDA_COMPILER)
    # A30/A100 (sm_80) and H100/H200 (sm_90) by default; CI builds one to save time.
    if(NOT DEFINED CMAKE_CUDA_ARCHITECTURES)
      set(CMAKE_CUDA_ARCHITECTURES 80 90)
    endif()
    enable_language(CUDA)
    find_package(CUDAToolkit REQUIRED)
    set(MLBENCH_HAVE_CUDA ON)
    message(STATUS "mlbench: CUDA backend ON (${CMAKE_CUDA_COMPILER}, architectures ${CMAKE_CUDA_ARCHITECTURES})")
  elseif(MLBENCH_CUDA STREQUAL "ON")
    message(FATAL_ERROR "mlbench: MLBENCH_CUDA=ON but nvcc was not found.\n"
      "  Install the CUDA Toolkit (nvcc at /usr/local/cuda/bin/nvcc) or configure with -DMLBENCH_CUDA=AUTO|OFF")
  else()
    message(STATUS "mlbench: CUDA backend OFF (nvcc not found)")
  endif()
else()
  message(STATUS "mlbench: CUDA backend OFF (MLBENCH_CUDA=OFF)")
endif()
