#!/usr/bin/env bash
# The README's first command: installs dependencies, builds, makes the tiny model and the sample
# dataset (once, under ~/.cache/mlbench), then runs the embedded default (config/local.yaml: this
# machine as one local node, CPU backend) for Offline, Server and SingleStream in performance
# mode and one Offline accuracy run, and lists the runs with their headline figures.
#
#   scripts/quickstart.sh [--no-build] [--config FILE]
#     --no-build     use the binaries in $MLBENCH_BIN_DIR (default build/release/bin) as they are
#     --config FILE  another config than config/local.yaml (the end-to-end test runs a copy)
set -euo pipefail
cd "$(dirname "$0")/.."

build=1
config=config/local.yaml
while (($#)); do
  case "$1" in
    --no-build) build=0 ;;
    --config)
      config=${2:?--config needs a file}
      shift
      ;;
    *)
      echo "usage: scripts/quickstart.sh [--no-build] [--config FILE]" >&2
      exit 1
      ;;
  esac
  shift
done

if ((build)); then
  scripts/install-deps.sh
  scripts/build.sh release
fi

bin=${MLBENCH_BIN_DIR:-build/release/bin}
cache="$HOME/.cache/mlbench"
model="$cache/models/tiny"
dataset="$cache/data/cnn_eval.json"
if [[ ! -f "$model/tokenizer.json" ]]; then
  "$bin/mlbench-runner" make-model --preset tiny --out "$model"
fi
if [[ ! -f "$dataset" ]]; then
  "$bin/mlbench-runner" make-dataset --articles data/sample/articles.jsonl --tokenizer "$model" \
    --out "$dataset"
fi

"$bin/mlbench" validate -c "$config"

# Exit 2 means the run finished and its report says why a result is INVALID or misses its
# accuracy target; it is shown, not hidden. Anything else stops the script.
run() {
  local code=0
  "$bin/mlbench" run -c "$config" "$@" || code=$?
  if ((code != 0 && code != 2)); then
    echo "quickstart: 'mlbench run $*' failed with exit code $code" >&2
    exit "$code"
  fi
}
for scenario in offline server singlestream; do
  run --scenario "$scenario" --mode performance
done
# The tiny model has random weights, so its summaries cannot reach MLPerf's ROUGE target: this
# run shows the accuracy pipeline end to end, and its report says the target was missed.
run --scenario offline --mode accuracy

echo
echo "Runs (each with report.json, report.md and report.html):"
"$bin/mlbench" runs -c "$config"
