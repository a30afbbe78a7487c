#!/usr/bin/env bash
# Configures and builds one flavour of mlbench. Usage: scripts/build.sh release|asan
#   release  optimised, with the CUDA backend when nvcc is present (MLBENCH_CUDA_ARCHITECTURES,
#            default 90: one architecture keeps CI fast; configure 80;90 for A100 and H100 nodes)
#   asan     AddressSanitizer + UBSan, debug, CUDA off (the sanitizers do not cover device code;
#            the CUDA backend's sources still run there, on the tests' host emulation)
set -euo pipefail
cd "$(dirname "$0")/.."

flavour=${1:?usage: scripts/build.sh release|asan}
# ccache keys on paths relative to the checkout, so a fresh clone elsewhere (CI's) reuses what an
# earlier build of the same sources compiled.
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$PWD}" CCACHE_NOHASHDIR=true
jobs=$(nproc)
case "$flavour" in
  release)
    cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMLBENCH_WERROR=ON \
      -DMLBENCH_CUDA=AUTO -DCMAKE_CUDA_ARCHITECTURES="${MLBENCH_CUDA_ARCHITECTURES:-90}"
    ;;
  asan)
    cmake -S . -B build/asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DMLBENCH_WERROR=ON \
      -DMLBENCH_SANITIZE=ON -DMLBENCH_CUDA=OFF
    ;;
  *)
    echo "scripts/build.sh: unknown flavour '$flavour' (use release or asan)" >&2
    exit 1
    ;;
esac
cmake --build "build/$flavour" -j"$jobs"
