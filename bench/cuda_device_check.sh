#!/usr/bin/env bash
# The CUDA backend's first contact with a GPU, as one short run on the device machine (about
# 6-8 minutes: leave timeout_s at 600). Prepare with bench/cuda_device_prepare.sh, then
#   run(command="bash bench/cuda_device_check.sh", carry=[".device"])
# Logs come back under $OUT. Set CUDA_CHECK_PERF=0 to skip the 8B figures.
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-/tmp/cuda_check_out}
mkdir -p "$OUT"
export LD_LIBRARY_PATH="$PWD/.device/lib:/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}"
bin=.device/bin
{
  nvidia-smi --query-gpu=name,driver_version,memory.total,memory.free --format=csv
  /usr/local/cuda/bin/nvcc --version | tail -2
  ldd $bin/model_gpu_tests | grep -E 'not found|cublas|cudart'
} 2>&1 | tee "$OUT/machine.txt"
# Synchronising after every kernel pins an asynchronous fault on the kernel that made it.
MLBENCH_CUDA_SYNC=1 timeout 180 $bin/model_gpu_tests 2>&1 | tee "$OUT/gpu_tests.txt"
timeout 60 $bin/model_cuda_unit_tests --gtest_filter='Nvml*' 2>&1 | tee -a "$OUT/machine.txt"
# At most 8 files come back from $OUT, so the checks share one.
{
  timeout 120 $bin/cuda_bench check preset:tiny
  timeout 180 $bin/cuda_bench check preset:small --steps 8
  timeout 60 $bin/cuda_bench check preset:small --steps 4 --precision bf16 --tolerance 3e-2
} 2>&1 | tee "$OUT/check.txt"
if [ "${CUDA_CHECK_PERF:-1}" = 1 ]; then
  timeout 300 $bin/cuda_bench perf preset:llama-3.1-8b --requests 128 2>&1 | tee "$OUT/perf_8b.txt"
  PYTHONUNBUFFERED=1 timeout 240 python3 bench/cuda_hf_generate.py /tmp/cuda_bench_llama-3.1-8b \
    2>&1 | tee "$OUT/hf_8b.txt"
fi
