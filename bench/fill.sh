#!/usr/bin/env bash
# How long a student on a phone waits for the daily health check-in in headless Chromium, first
# visit and again, and how long a submission takes to be confirmed
# (tests/src/bin/fill_bench.rs says what is measured). Builds the app and the server in
# release mode first. Writes the table to stdout and bench/out/fill/results.md.
#
# Usage: bench/fill.sh [--opens N] [--link RTT_MS,KBIT_S]
set -euo pipefail
source "$(dirname "$0")/../scripts/setup.sh"
cd "$GATHER_ROOT"
source bench/browser-bench.sh
browser_bench_setup fill_bench
out=bench/out/fill
mkdir -p "$out"
target/debug/fill_bench "$@" --out "$out/results.md"
wasm_sizes --brotli dist/fill/*.wasm | tee -a "$out/results.md"
