#!/usr/bin/env bash
# Starts a throwaway Switchboard (embedded Postgres + Temporal dev server, fresh data directory, its
# own ports), runs the wakeup benchmarks (and, with BENCH_ISSUES set, the read-path one) against it,
# prints each result and the resident memory of the whole process tree, then stops it.
# usage: bash bench/run.sh
set -euo pipefail
cd "$(dirname "$0")/.."
HOME_DIR=$(mktemp -d /tmp/switchboard-bench-XXXX)
PORT=${BENCH_PORT:-3199}
export SWITCHBOARD_HOME="$HOME_DIR" PORT SWITCHBOARD_TEMPORAL_PORT=${BENCH_TEMPORAL_PORT:-7299} \
  SWITCHBOARD_TEMPORAL_UI_PORT=${BENCH_TEMPORAL_UI_PORT:-8299} SWITCHBOARD_EMBEDDED_PG_PORT=${BENCH_PG_PORT:-54399} LOG_LEVEL=warn
unset DATABASE_URL TEMPORAL_ADDRESS
node --import tsx cli/start.ts > "$HOME_DIR/server.log" 2>&1 &
SERVER=$!
trap 'kill -INT $SERVER 2>/dev/null; wait $SERVER 2>/dev/null; rm -rf "$HOME_DIR"' EXIT
for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$PORT/api/health" >/dev/null && break; sleep 0.5; done
BASE="http://127.0.0.1:$PORT"
node bench/wake-serial.mjs "$BASE" 20
node bench/wake-burst.mjs "$BASE" 20 5
node bench/wake-burst.mjs "$BASE" 100 1
# Read path (10,000 issues, 200 req/s open loop; ~4 min): BENCH_ISSUES=10000 bash bench/run.sh
if [ -n "${BENCH_ISSUES:-}" ]; then node bench/issues-read.mjs "$BASE" "$BENCH_ISSUES" "${BENCH_RATE:-200}" 20; fi
rss_kb=$(ps -o rss= --ppid $SERVER -p $SERVER | awk '{s+=$1} END {print s}')
pg_kb=$(ps -eo rss,args | grep "$HOME_DIR/postgres" | grep -v grep | awk '{s+=$1} END {print s+0}')
echo "{\"bench\":\"rss\",\"serverAndChildrenMb\":$(( (rss_kb + pg_kb) / 1024 ))}"
