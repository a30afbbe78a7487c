#!/usr/bin/env bash
# The README's first command: installs dependencies, builds, makes the tiny model and the sample
# dataset (once, under ~/.cache/mlbench), then runs the embedded default (config/local.yaml: this
# machine as one local node, CPU backend) for Offline, Server and SingleStream in performance
# mode and one Offline accuracy run, and lists the runs with their headline figures.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
scripts/build.sh release

bin=build/release/bin
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

"$bin/mlbench" validate -c config/local.yaml

# Exit 2 means the run finished and its report says why a result is INVALID or misses its
# accuracy target; it is shown, not hidden. Anything else stops the script.
run() {
  local code=0
  "$bin/mlbench" run -c config/local.yaml "$@" || code=$?
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
"$bin/mlbench" runs -c config/local.yaml
