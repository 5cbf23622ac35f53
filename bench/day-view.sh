#!/usr/bin/env bash
# How long a health officer waits for a form's day view in headless Chromium, first visit and
# again (tests/src/bin/day_view_bench.rs says what is measured): opened by its own address,
# and through the form's document page then By day. Builds the app and the server in release
# mode first. Writes the tables to stdout and bench/out/day-view/results.md.
#
# Usage: bench/day-view.sh [--opens N] [--link RTT_MS,KBIT_S]
set -euo pipefail
source "$(dirname "$0")/../scripts/setup.sh"
cd "$GATHER_ROOT"
source bench/browser-bench.sh
browser_bench_setup day_view_bench
out=bench/out/day-view
mkdir -p "$out"
: >"$out/results.md"
for how in "" --via-document; do
  target/debug/day_view_bench "$@" $how | tee -a "$out/results.md"
  echo | tee -a "$out/results.md"
done
