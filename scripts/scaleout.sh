#!/usr/bin/env bash
# Scale-out on one machine: two Streamlit replicas sharing one read-only DuckDB snapshot, behind
# nginx with sticky sessions, then the load test through nginx. Installs nothing: it needs nginx
# (apt-get install nginx) and the project's .venv. Everything lives in a temporary folder on
# localhost ports and is stopped at the end. See docs/SCALE_OUT.md.
#
#   bash scripts/scaleout.sh                      # 30 sessions for 60 s
#   SESSIONS=30 DURATION=180 bash scripts/scaleout.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PY=$ROOT/.venv/bin/python
SESSIONS=${SESSIONS:-30}
DURATION=${DURATION:-60}
source scripts/_deploy_common.sh         # need_nginx, free_port, wait_health, start_nginx, …
need_nginx
need_venv

WORK=$(mktemp -d /tmp/xz-scaleout.XXXXXX)
chmod 755 "$WORK"                        # nginx workers (user nobody when started as root) read it
PIDS=()
cleanup() {
  stop_nginx
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

echo "1. the import job builds the database and publishes a read-only snapshot"
"$PY" -m dashboard_lib.build --db "$WORK/job.duckdb" >/dev/null
publish() {
  "$PY" -c "import sys; from dashboard_lib.store.core import publish_snapshot; print(publish_snapshot(sys.argv[1], sys.argv[2]).name)" \
    "$WORK/job.duckdb" "$WORK/snapshot.duckdb"
}
echo "   published $(publish)"

echo "2. two replicas read it (XZ_DB_READONLY=1)"
UPSTREAMS=""
REPLICA_PIDS=()
for n in 1 2; do
  port=$(free_port)
  MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}" XZ_DB_PATH="$WORK/snapshot.duckdb" XZ_DB_READONLY=1 "$PY" -m streamlit run serve.py \
    --server.port "$port" --server.address 127.0.0.1 --server.headless true --server.fileWatcherType none \
    >"$WORK/replica$n.log" 2>&1 &
  PIDS+=($!); REPLICA_PIDS+=($!)
  UPSTREAMS+="        server 127.0.0.1:$port;"$'\n'
  wait_health "http://127.0.0.1:$port"
  echo "   replica $n: pid $!, port $port; $("$PY" scripts/warm.py --url "http://127.0.0.1:$port")"
done

echo "3. nginx in front (sticky by route cookie, websocket upgrade)"
start_nginx "$(free_port)" "$UPSTREAMS"
echo "   nginx on 127.0.0.1:$NPORT"

echo "4. load test through nginx: $SESSIONS sessions, $DURATION s (a new snapshot is published half-way)"
( sleep $(( DURATION / 2 )); echo "   published $(publish) during the run" ) &
PIDS+=($!)
PIDARGS=()
for pid in "${REPLICA_PIDS[@]}"; do PIDARGS+=(--server-pid "$pid"); done
set +e
"$PY" scripts/loadtest.py --url "http://127.0.0.1:$NPORT" "${PIDARGS[@]}" \
  --sessions "$SESSIONS" --duration "$DURATION"
status=$?
set -e

echo
echo "websocket connections per replica (from nginx's access log):"
grep " /_stcore/stream " "$WORK/nginx/logs/access.log" | awk '{print $1}' | sort | uniq -c || true
exit $status
