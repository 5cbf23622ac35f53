#!/usr/bin/env bash
# Runs Gather: installs what is missing, builds the app in release mode, and starts the server
# on http://127.0.0.1:8080 with its SQLite store under ./data. Flags are passed to the server
# (see `cargo run -p sync-server -- --help`); GATHER_* variables work too.
set -euo pipefail
source "$(dirname "$0")/scripts/setup.sh"
cd "$GATHER_ROOT"
build_app
say "building the server (release)"
cargo build --release --locked -p sync-server
say "starting Gather on http://${GATHER_ADDR:-127.0.0.1:8080}"
exec ./target/release/sync-server "$@"
