#!/usr/bin/env bash
# Side-by-side benchmark: runs the same loadgen scenario against the y-websocket reference
# server, Hocuspocus (in memory) and Gather's sync-server (durable SQLite store), each started
# fresh, one after another, and writes a markdown table to stdout and bench/out/SCENARIO/results.md
# (copy the `class`, `storm` and `big-doc` tables into BENCHMARKS.md). Fails if any run produced
# no report, or if some server did not sync every client.
#
# Usage: bench/compare.sh [class|tiny|storm|big-doc] [extra loadgen options…]
#   e.g. bench/compare.sh storm --docs 100   or   bench/compare.sh big-doc --doc-bytes 2000000
# Needs node + npm (installs the pinned servers from bench/package-lock.json) and cargo.
# The load generator and the server share the machine's cores: numbers are comparative.
set -euo pipefail

scenario="${1:-class}"
[ $# -gt 0 ] && shift
case "$scenario" in
  class | tiny | storm | big-doc) ;;
  *) echo "unknown scenario '$scenario' (class, tiny, storm, big-doc)" >&2; exit 2 ;;
esac
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
out="$here/out/$scenario"
mkdir -p "$out"
rm -f "$out"/*.json "$out"/*.log

echo "== installing servers from npm" >&2
(cd "$here" && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error >&2)

echo "== building sync-server and loadgen (release)" >&2
(cd "$root" && cargo build --release -p sync-server -p loadgen >&2)
loadgen="$root/target/release/loadgen"
table="$root/target/release/loadgen-table"

# Each run opens thousands of sockets: `storm` 5,000 in the load generator and as many in the
# server (each process has its own limit), plus the server's files.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
if [ "$scenario" = storm ] && [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt 6000 ]; then
  echo "warning: open-files limit $(ulimit -n) is below the 5,000 sockets storm opens" >&2
fi

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

wait_port() { # port pid
  for _ in $(seq 1 200); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    kill -0 "$2" 2>/dev/null || { echo "server exited before listening" >&2; return 1; }
    sleep 0.05
  done
  echo "server did not listen on port $1" >&2
  return 1
}

server_pid=""
stop_server() {
  if [ -n "$server_pid" ]; then
    kill -TERM -- "-$server_pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.05; done
    kill -KILL -- "-$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    server_pid=""
  fi
}
trap stop_server EXIT

# Gather's operator token: it creates the benchmark's documents. The others ignore it.
bench_token="bench-$RANDOM$RANDOM"

# Server start commands; each gets the port as $1 and the data directory as $2.
start_y_websocket() { HOST=127.0.0.1 PORT="$1" exec node "$here/node_modules/y-websocket/bin/server.js"; }
start_hocuspocus() { PORT="$1" exec node "$here/hocuspocus-server.mjs"; }
start_gather() {
  GATHER_LOG=warn exec "$root/target/release/sync-server" \
    --addr "127.0.0.1:$1" --data "$2" --assets /nonexistent --admin-token "$bench_token"
}

# run NAME LOADGEN_KIND URL_PATH START_FUNCTION: starts the server fresh in its own process
# group ($! is the server's own pid: the subshell execs it), runs the scenario, stops the group.
run() {
  local name="$1" kind="$2" path="$3" start="$4"
  shift 4
  local port data
  port="$(free_port)"
  # On the real disk (not a tmpfs), so Gather's fsyncs cost what they cost.
  data="$(mktemp -d "$root/target/bench-data.XXXXXX")"
  echo "== $name on port $port" >&2
  setsid bash -c "$(declare -f "$start"); here='$here' root='$root' bench_token='$bench_token' $start $port '$data'" \
    >"$out/$name.log" 2>&1 &
  server_pid=$!
  wait_port "$port" "$server_pid"
  sleep 0.5
  "$loadgen" --server "$kind" --url "ws://127.0.0.1:$port$path" --token "$bench_token" --pid "$server_pid" \
    --scenario "$scenario" --json "$out/$name.json" "$@" | tee "$out/$name.txt" >&2 || true
  stop_server
  if [ ! -s "$out/$name.json" ]; then
    echo "loadgen produced no report for $name (see $out/$name.log)" >&2
    exit 1
  fi
  rm -rf "$data"
  sleep 1
}

extra=("$@")
run y-websocket y-websocket "" start_y_websocket "${extra[@]}"
run hocuspocus hocuspocus "" start_hocuspocus "${extra[@]}"
run gather gather "/sync" start_gather "${extra[@]}"

{
  echo "## loadgen \`$scenario\`: $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores shared by server and load generator"
  echo
  "$table" y-websocket "$out/y-websocket.json" "$out/hocuspocus.json" "$out/gather.json"
  echo
  echo "Load generator CPU (s): $(for n in y-websocket hocuspocus gather; do
    printf '%s %s  ' "$n" "$(jq -r '.loadgen_cpu_s // "–" | if type == "number" then (.*10|round/10) else . end' "$out/$n.json")"; done)"
  echo
  echo "Servers: y-websocket $(jq -r .version "$here/node_modules/y-websocket/package.json"), @hocuspocus/server $(jq -r .version "$here/node_modules/@hocuspocus/server/package.json") (in memory), both on node $(node --version); Gather sync-server (release build, SQLite with synchronous=FULL, on disk)."
} | tee "$out/results.md"

# A run in which some server synced nobody measured nothing: fail loudly (CI runs this).
for n in y-websocket hocuspocus gather; do
  if [ "$(jq '.synced == .clients' "$out/$n.json")" != true ]; then
    echo "$n: only $(jq .synced "$out/$n.json") of $(jq .clients "$out/$n.json") clients synced (see $out/$n.log)" >&2
    exit 1
  fi
done
