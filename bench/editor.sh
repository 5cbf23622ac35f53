#!/usr/bin/env bash
# The editor's speed in headless Chromium (issue 4): a 100-page document opening, and
# keystroke latency in the middle of it (tests/src/bin/editor_bench.rs says what is measured),
# plus the size of the release wasm it ran, raw and gzip. Builds the app and the server in
# release mode first. Writes the table to stdout and bench/out/editor/results.md.
#
# Usage: bench/editor.sh [--words N] [--opens N] [--keys N]   (defaults: 50000, 3, 300)
set -euo pipefail
source "$(dirname "$0")/../scripts/setup.sh"
cd "$GATHER_ROOT"
source bench/browser-bench.sh
browser_bench_setup editor_bench
out=bench/out/editor
mkdir -p "$out"
target/debug/editor_bench "$@" --out "$out/results.md"
wasm_sizes dist/*.wasm dist/fill/*.wasm dist/organise/*.wasm | tee -a "$out/results.md"
