#!/usr/bin/env bash
# Runs every test: formatting and lints, the shared crate's unit tests, the server's
# integration tests (real websockets, real SQLite, an unmodified Yjs client from npm), and the
# end-to-end tests in headless Chromium. Installs what is missing first.
set -euo pipefail
source "$(dirname "$0")/scripts/setup.sh"
cd "$GATHER_ROOT"
apt_install chromium chromium-driver fonts-wqy-microhei jq
if [[ ! -d tests/interop/node_modules/y-websocket ]]; then
  say "installing the Yjs interop client (npm)"
  npm ci --prefix tests/interop --no-audit --no-fund
fi
build_app

say "formatting and lints"
cargo fmt --all --check
cargo clippy --locked --all-targets -p gather-doc -p sync-server -p e2e -p loadgen -- -D warnings
cargo clippy --locked -p app --target wasm32-unknown-unknown -- -D warnings
cargo clippy --locked -p app --target wasm32-unknown-unknown --features fill-only -- -D warnings
cargo clippy --locked -p app --target wasm32-unknown-unknown --features organise-only -- -D warnings
cargo check --locked -p gather-doc --target wasm32-unknown-unknown

say "benchmark smoke run (tiny scenario; the real runs are in BENCHMARKS.md)"
bench/compare.sh tiny

say "tests"
cargo build --locked -p sync-server
say "day view benchmark smoke run (one open)"
cargo build --locked -p e2e --bin day_view_bench
target/debug/day_view_bench --opens 1 --via-document --think-ms 0
say "fill page benchmark smoke run (one visit)"
cargo build --locked -p e2e --bin fill_bench
target/debug/fill_bench --opens 1
cargo test --locked -p gather-doc -p sync-server -p e2e -p loadgen
say "browser tests of the app (wasm-bindgen-test in headless Chromium)"
cargo test --locked -p app --target wasm32-unknown-unknown
