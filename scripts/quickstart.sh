#!/usr/bin/env bash
# The README's first command: installs dependencies, builds, and runs the main job on the
# embedded default (config/local.yaml: this machine as one local node, CPU backend).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
scripts/build.sh release

mlbench=build/release/bin/mlbench
"$mlbench" validate -c config/local.yaml
# The benchmark engine, model and report land in later releases; until then the run is
# planned and printed, not started.
"$mlbench" run -c config/local.yaml --dry-run
