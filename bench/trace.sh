#!/usr/bin/env bash
# Replays the automerge-paper editing trace (259,778 edits) in one run, each replay checking
# the trace's final text: raw yrs and Gather's editing layer natively (release) and in headless
# Chromium (release wasm, through wasm-bindgen-test-runner), and Yjs in Node. Writes the table
# to stdout and bench/out/trace/results.md.
#
# Usage: bench/trace.sh [TRACE.json.gz]   (default: ../shared/data/editing-traces/automerge-paper.json.gz)
set -euo pipefail
source "$(dirname "$0")/../scripts/setup.sh"
cd "$GATHER_ROOT"
trace="$(realpath "${1:-../shared/data/editing-traces/automerge-paper.json.gz}")"
out=bench/out/trace
mkdir -p "$out"
apt_install chromium chromium-driver
ensure_wasm_target
ensure_wasm_bindgen
(cd bench && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error >&2)

say "native (release)"
cargo run --locked --release -q -p gather-doc --example trace_replay -- "$trace" | tee "$out/native.log"
say "Chromium (release wasm)"
GATHER_TRACE="$trace" WASM_BINDGEN_TEST_TIMEOUT=1200 \
  cargo test --locked --release -p gather-doc --target wasm32-unknown-unknown \
  --features trace-bench --test trace_in_browser -- --nocapture 2>&1 | tee "$out/chromium.log"
say "Yjs (Node)"
node bench/yjs_trace.mjs "$trace" | tee "$out/node.log"

cat "$out"/native.log "$out"/chromium.log "$out"/node.log | awk -v date="$(date -u '+%Y-%m-%d %H:%M UTC')" '
  /^RESULT / { t[$2 " " $3] = $4; n = $5 }
  END {
    printf "### Trace replay: %s, %d edits, one transaction each\n\n", date, n
    print "| replay | native | Chromium (wasm) | edits per second (native / Chromium) |"
    print "|---|---|---|---|"
    printf "| raw yrs `TextRef` | %.2f s | %.2f s | %.0f / %.0f |\n", t["native raw"], t["chromium raw"], n / t["native raw"], n / t["chromium raw"]
    printf "| Gather editing layer (`rich_text`) | %.2f s (%.2f× raw) | %.2f s (%.2f× raw) | %.0f / %.0f |\n", t["native layer"], t["native layer"] / t["native raw"], t["chromium layer"], t["chromium layer"] / t["chromium raw"], n / t["native layer"], n / t["chromium layer"]
    printf "| Yjs 13.6 `Y.Text` in Node | %.2f s | | %.0f |\n", t["node yjs"], n / t["node yjs"]
  }' | tee "$out/results.md"
