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
apt_install chromium chromium-driver fonts-wqy-microhei
build_app
cargo build --locked --release -p sync-server >&2
cargo build --locked -p e2e --bin editor_bench >&2
out=bench/out/editor
mkdir -p "$out"
GATHER_SERVER_BIN="$GATHER_ROOT/target/release/sync-server" \
  target/debug/editor_bench "$@" --out "$out/results.md"
{
  echo
  echo "| release wasm that ran | raw bytes | gzip -9 bytes |"
  echo "|---|---|---|"
  for wasm in dist/*.wasm dist/fill/*.wasm dist/organise/*.wasm; do
    echo "| \`$wasm\` | $(wc -c <"$wasm") | $(gzip -9c "$wasm" | wc -c) |"
  done
} | tee -a "$out/results.md"
