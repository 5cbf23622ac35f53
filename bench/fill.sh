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
apt_install chromium chromium-driver fonts-wqy-microhei
build_app
cargo build --locked --release -p sync-server >&2
cargo build --locked -p e2e --bin fill_bench >&2
out=bench/out/fill
mkdir -p "$out"
GATHER_SERVER_BIN="$GATHER_ROOT/target/release/sync-server" \
  target/debug/fill_bench "$@" --out "$out/results.md"
{
  echo
  echo "| release wasm that ran | raw bytes | gzip -9 bytes | brotli as served |"
  echo "|---|---|---|---|"
  for wasm in dist/fill/*.wasm; do
    echo "| \`$wasm\` | $(wc -c <"$wasm") | $(gzip -9c "$wasm" | wc -c) | $(wc -c <"$wasm.br") |"
  done
} | tee -a "$out/results.md"
