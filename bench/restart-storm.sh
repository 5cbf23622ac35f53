#!/usr/bin/env bash
# Restart storm (issue 7): 5,000 clients reconnecting at the same instant to a freshly restarted
# Gather server with 500 stored documents.
#
#   1. starts sync-server (release) on a new data folder on the real disk and runs loadgen's
#      `storm` scenario against it with fixed document names, which stores content in the
#      500 documents (10 clients each, 1 writer making 2 edits a second);
#   2. stops the server (SIGTERM, clean) and starts a new one on the same data;
#   3. runs loadgen's `restart-storm` scenario: the 5,000 clients all connect at once to the
#      stored documents; clients closed as busy (4509) wait the hint plus full jitter and retry.
#
# The report (bench/out/restart-storm/) gives clients synced, time to synced p50/p99 (from each
# client's first attempt), busy closes, and the restarted server's peak memory (VmHWM).
#
# Usage: bench/restart-storm.sh [extra loadgen options for both runs, e.g. --docs 50]
# Server flags can be passed through GATHER_* variables (e.g. GATHER_MAX_HANDSHAKES=8).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
out="$here/out/restart-storm"
mkdir -p "$out"
rm -f "$out"/*.json "$out"/*.log "$out"/*.txt

echo "== building sync-server and loadgen (release)" >&2
(cd "$root" && cargo build --release -p sync-server -p loadgen >&2)
loadgen="$root/target/release/loadgen"

# 5,000 sockets in the load generator and as many in the server.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt 6000 ]; then
  echo "warning: open-files limit $(ulimit -n) is below the 5,000 sockets the storm opens" >&2
fi

port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')"
data="$(mktemp -d "$root/target/bench-data.XXXXXX")"
token="bench-$RANDOM$RANDOM"
prefix="restart-$RANDOM"

server_pid=""
stop_server() {
  if [ -n "$server_pid" ]; then
    kill -TERM "$server_pid" 2>/dev/null || true
    for _ in $(seq 1 200); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.05; done
    kill -KILL "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    server_pid=""
  fi
}
cleanup() { stop_server; rm -rf "$data"; }
trap cleanup EXIT

start_server() { # log file
  GATHER_LOG="${GATHER_LOG:-warn}" "$root/target/release/sync-server" \
    --addr "127.0.0.1:$port" --data "$data" --assets /nonexistent --admin-token "$token" \
    >"$1" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 200); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
    kill -0 "$server_pid" 2>/dev/null || { echo "server exited before listening" >&2; exit 1; }
    sleep 0.05
  done
  echo "server did not listen on port $port" >&2
  exit 1
}

echo "== storing the documents (storm scenario)" >&2
start_server "$out/first-server.log"
"$loadgen" --server gather --url "ws://127.0.0.1:$port/sync" --token "$token" --pid "$server_pid" \
  --scenario storm --seconds 3 --doc-prefix "$prefix" --json "$out/store.json" "$@" \
  | tee "$out/store.txt" >&2
stop_server

echo "== restarting the server; every client at once" >&2
start_server "$out/server.log"
"$loadgen" --server gather --url "ws://127.0.0.1:$port/sync" --token "$token" --pid "$server_pid" \
  --scenario restart-storm --doc-prefix "$prefix" --json "$out/restart-storm.json" "$@" \
  | tee "$out/restart-storm.txt"
stop_server

if [ "$(jq '.synced == .clients' "$out/restart-storm.json")" != true ]; then
  echo "only $(jq .synced "$out/restart-storm.json") of $(jq .clients "$out/restart-storm.json") clients synced (see $out/server.log)" >&2
  exit 1
fi
