#!/usr/bin/env bash
# The CUDA backend's first contact with a GPU, as one short run on the device machine. Prepare
# with bench/cuda_device_prepare.sh, then
#   run(command="bash bench/cuda_device_check.sh", carry=[".device"], timeout_s=600)
# Logs come back under $OUT (7 files; at most 8 come back). Every phase has its own timeout so
# the whole stays under 9 minutes even when a phase hangs (the bounds add up to about 535 s;
# a healthy run takes far less). CUDA_CHECK_PERF=0 skips the 8B figures: under 4 minutes at
# worst, about 2 expected. Each phase's measured time goes to times.txt, so the next session
# can size its own run.
set -uo pipefail
cd "$(dirname "$0")/.." || exit
OUT=${OUT:-/tmp/cuda_check_out}
mkdir -p "$OUT"
export LD_LIBRARY_PATH="$PWD/.device/lib:/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}"
bin=.device/bin
: >"$OUT/times.txt"
phase_start=$SECONDS
phase_done() {
  echo "$1: $((SECONDS - phase_start)) s (exit $2)" >>"$OUT/times.txt"
  phase_start=$SECONDS
}

{
  nvidia-smi --query-gpu=name,driver_version,memory.total,memory.free --format=csv
  /usr/local/cuda/bin/nvcc --version | tail -2
  ldd $bin/model_gpu_tests | grep -E 'not found|cublas|cudart'
} 2>&1 | tee "$OUT/machine.txt"
timeout 15 $bin/model_cuda_unit_tests --gtest_filter='Nvml*' 2>&1 | tee -a "$OUT/machine.txt"
phase_done machine "${PIPESTATUS[0]}"

# The gpu tests as they ship: decode CUDA graphs on. Any test that fails (or all of them, on a
# timeout) runs again with MLBENCH_CUDA_SYNC=1, which turns graphs off and synchronises after
# every kernel, pinning an asynchronous fault on the kernel that made it.
timeout 100 $bin/model_gpu_tests 2>&1 | tee "$OUT/gpu_tests.txt"
status=${PIPESTATUS[0]}
phase_done gpu_tests "$status"
if [ "$status" != 0 ]; then
  failed=$(grep -oE '^\[  FAILED  \] [A-Za-z0-9_]+\.[A-Za-z0-9_]+' "$OUT/gpu_tests.txt" |
    awk '{print $NF}' | sort -u | paste -sd: -)
  echo "=== again with MLBENCH_CUDA_SYNC=1: ${failed:-every test}" | tee -a "$OUT/gpu_tests.txt"
  MLBENCH_CUDA_SYNC=1 timeout 60 $bin/model_gpu_tests --gtest_filter="${failed:-*}" 2>&1 |
    tee -a "$OUT/gpu_tests.txt"
  phase_done gpu_tests_sync "${PIPESTATUS[0]}"
fi

# Out-of-bounds and misaligned accesses in our kernels, on two short tests that cover prefill,
# eager decode, a graph capture and its replays, both attention kernels, split and unsplit, and
# sequences of many KV blocks.
sanitizer=/usr/local/cuda/bin/compute-sanitizer
command -v "$sanitizer" >/dev/null 2>&1 || sanitizer=$(command -v compute-sanitizer || true)
if [ -n "$sanitizer" ]; then
  timeout 45 "$sanitizer" --tool memcheck --leak-check no --error-exitcode 3 --print-limit 20 \
    $bin/model_gpu_tests --gtest_filter='CudaBackendTest.GraphsSwitchedOffAndOnMidRunKeepTheGreedyTokens:CudaBackendTest.GroupedAttentionMatchesThePerHeadKernel' \
    >"$OUT/sanitizer.txt" 2>&1
  phase_done memcheck "$?"
  tail -5 "$OUT/sanitizer.txt"
else
  echo "compute-sanitizer is not on this machine: memcheck skipped" | tee "$OUT/sanitizer.txt"
fi

# At most 8 files come back from $OUT, so the checks share one.
{
  timeout 20 $bin/cuda_bench check preset:tiny
  timeout 40 $bin/cuda_bench check preset:small --steps 8
  timeout 20 $bin/cuda_bench check preset:small --steps 4 --precision bf16 --tolerance 3e-2
} 2>&1 | tee "$OUT/check.txt"
phase_done checks "${PIPESTATUS[0]}"

if [ "${CUDA_CHECK_PERF:-1}" = 1 ]; then
  timeout 170 $bin/cuda_bench perf preset:llama-3.1-8b --requests 128 2>&1 | tee "$OUT/perf_8b.txt"
  phase_done perf_8b "${PIPESTATUS[0]}"
  PYTHONUNBUFFERED=1 timeout 120 python3 bench/cuda_hf_generate.py /tmp/cuda_bench_llama-3.1-8b \
    2>&1 | tee "$OUT/hf_8b.txt"
  phase_done hf_8b "${PIPESTATUS[0]}"
fi
cat "$OUT/times.txt"
