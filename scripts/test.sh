#!/usr/bin/env bash
# The README's test command: installs dependencies, builds the normal and the
# AddressSanitizer+UBSan flavours, and runs the whole suite with ctest on both.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
scripts/build.sh release
scripts/build.sh asan

jobs=$(nproc)
echo "== tests: release build"
ctest --test-dir build/release --output-on-failure -j"$jobs"
echo "== tests: AddressSanitizer + UBSan build"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build/asan --output-on-failure -j"$jobs"
