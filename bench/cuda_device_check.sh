#!/usr/bin/env bash
# The CUDA backend's first contact with a GPU, as one short run on the device machine. Prepare
# with bench/cuda_device_prepare.sh, then
#   run(command="bash bench/cuda_device_check.sh", carry=[".device"], timeout_s=600)
# Logs come back under $OUT (8 files; at most 8 come back). Every phase has its own timeout, so
# a hung phase costs its bound and no more; a healthy run takes far less. Each phase's measured
# time goes to times.txt, so the next session can size its own run.
#   CUDA_CHECK=quick  everything but the 8B figures: bounded at about 6 minutes, 2 expected
#   CUDA_CHECK=perf   only the 8B figures (and the machine facts): bounded at about 5 minutes
#   CUDA_CHECK=all    both (the default): bounded past one call's 600 s, so run them apart
#                     when device time is short (CUDA_CHECK_PERF=0 still means quick)
set -uo pipefail
cd "$(dirname "$0")/.." || exit
OUT=${OUT:-/tmp/cuda_check_out}
mkdir -p "$OUT"
export LD_LIBRARY_PATH="$PWD/.device/lib:/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}"
bin=.device/bin
mode=${CUDA_CHECK:-all}
[ "${CUDA_CHECK_PERF:-1}" = 0 ] && mode=quick
quick() { [ "$mode" = all ] || [ "$mode" = quick ]; }
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
phase_done machine 0

if quick; then
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

# The runner end to end on the GPU, as a node runs it: the tiny preset, 16 samples Offline in
# accuracy mode, once on the cuda backend (CUDA graphs, grouped attention, the real NVML's
# telemetry) and once on the cpu backend; greedy decoding must give the same tokens on both.
# (Random weights: the ROUGE verdict fails, so the runner's exit code 2 is expected.)
{
  work=/tmp/cuda_runner_check
  rm -rf "$work" && mkdir -p "$work"
  $bin/mlbench-runner make-model --preset tiny --out "$work/model" >/dev/null &&
    $bin/mlbench-runner make-dataset --articles data/sample/articles.jsonl \
      --tokenizer "$work/model" --out "$work/cnn_eval.json" --max-samples 16
  for backend in cuda cpu; do
    timeout 45 $bin/mlbench-runner run --backend "$backend" --model "$work/model" \
      --dataset "$work/cnn_eval.json" --scenario Offline --mode accuracy --out "$work/$backend" \
      --telemetry-interval-ms 100 >"$work/$backend.events" 2>"$work/$backend.log"
    echo "runner --backend $backend: exit $?"
    grep -E '"event":"(error|result)"|"level":"(warning|error)"|NVML' "$work/$backend.events"
    grep -iE 'cuda backend|graph|error' "$work/$backend.log" | head -8
  done
  if [ -f "$work/cuda/telemetry.csv" ]; then
    echo "telemetry.csv (cuda): $(($(wc -l <"$work/cuda/telemetry.csv") - 1)) rows"
    head -3 "$work/cuda/telemetry.csv"
  else
    echo "telemetry.csv (cuda): none"
  fi
  python3 - "$work" <<'PY'
import json, sys
work = sys.argv[1]
logs = [{e["qsl_idx"]: e["data"] for e in json.load(open(f"{work}/{b}/mlperf_log_accuracy.json"))}
        for b in ("cuda", "cpu")]
same = sum(logs[0].get(k) == v for k, v in logs[1].items())
print(f"runner tokens: {same} of {len(logs[1])} samples identical on cuda and cpu")
sys.exit(0 if same == len(logs[1]) == len(logs[0]) > 0 else 1)
PY
} 2>&1 | tee "$OUT/runner.txt"
phase_done runner "${PIPESTATUS[0]}"
fi

if [ "$mode" = all ] || [ "$mode" = perf ]; then
  # bf16 activations and a bf16 KV cache: what the bf16 transformers model beside it computes.
  timeout 170 $bin/cuda_bench perf preset:llama-3.1-8b --requests 128 --precision bf16 \
    --kv-cache-dtype bf16 2>&1 | tee "$OUT/perf_8b.txt"
  phase_done perf_8b "${PIPESTATUS[0]}"
  PYTHONUNBUFFERED=1 timeout 120 python3 bench/cuda_hf_generate.py /tmp/cuda_bench_llama-3.1-8b \
    2>&1 | tee "$OUT/hf_8b.txt"
  phase_done hf_8b "${PIPESTATUS[0]}"
fi
cat "$OUT/times.txt"
