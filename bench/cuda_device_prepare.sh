#!/usr/bin/env bash
# Builds, here, what bench/cuda_device_check.sh runs on the device machine, and puts it in
# .device/ (ignored by git) with the C++ libraries the device image lacks. Then, from a session
# that has a device: run(command="bash bench/cuda_device_check.sh", carry=[".device"]).
# CUDA's own libraries (cudart, cuBLAS 13) are the device image's, under /usr/local/cuda.
set -euo pipefail
cd "$(dirname "$0")/.."
export CCACHE_BASEDIR=/work CCACHE_NOHASHDIR=true
cmake -S . -B build/cuda -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMLBENCH_WERROR=ON \
  -DMLBENCH_CUDA=ON -DCMAKE_CUDA_ARCHITECTURES=90 >/dev/null
cmake --build build/cuda -j2 --target model_gpu_tests model_cuda_unit_tests cuda_bench mlbench_runner
exclude="$(git rev-parse --git-common-dir)/info/exclude"
grep -qx '/.device/' "$exclude" 2>/dev/null || echo '/.device/' >> "$exclude"
rm -rf .device && mkdir -p .device/bin .device/lib
for binary in build/cuda/tests/model/model_gpu_tests build/cuda/tests/model/model_cuda_unit_tests \
  build/cuda/src/model/cuda_bench build/cuda/bin/mlbench-runner; do
  strip -o ".device/bin/$(basename "$binary")" "$binary"
done
# Every shared library they need that is not CUDA's or the C library's.
ldd .device/bin/* | awk '/=> \// {print $3}' | sort -u |
  grep -v -E '/usr/local/cuda|/libc\.so|/libm\.so|/libdl\.so|/libpthread\.so|/librt\.so|/ld-linux|/libgcc_s\.so|/libstdc\+\+\.so' |
  while read -r lib; do cp -L "$lib" .device/lib/; done
du -sh .device
