# Shared by the browser benchmarks (editor.sh, fill.sh, day-view.sh); sourced after
# scripts/setup.sh, from the repository's root.

# browser_bench_setup BIN: installs Chromium, builds the app, the server in release mode and
# the benchmark binary BIN (tests/src/bin/BIN.rs), which will run that server.
browser_bench_setup() {
  apt_install chromium chromium-driver fonts-wqy-microhei
  build_app
  cargo build --locked --release -p sync-server >&2
  cargo build --locked -p e2e --bin "$1" >&2
  export GATHER_SERVER_BIN="$GATHER_ROOT/target/release/sync-server"
}

# wasm_sizes [--brotli] WASM...: a table of the release wasm files that ran, raw and gzip -9
# (and the brotli copy the server sends, with --brotli).
wasm_sizes() {
  local brotli=""
  if [ "${1:-}" = --brotli ]; then brotli=1; shift; fi
  echo
  if [ -n "$brotli" ]; then
    echo "| release wasm that ran | raw bytes | gzip -9 bytes | brotli as served |"
    echo "|---|---|---|---|"
  else
    echo "| release wasm that ran | raw bytes | gzip -9 bytes |"
    echo "|---|---|---|"
  fi
  for wasm in "$@"; do
    local row="| \`$wasm\` | $(wc -c <"$wasm") | $(gzip -9c "$wasm" | wc -c) |"
    if [ -n "$brotli" ]; then row="$row $(wc -c <"$wasm.br") |"; fi
    echo "$row"
  done
}
