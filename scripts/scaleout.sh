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
NGINX=${NGINX:-$(command -v nginx || echo /usr/sbin/nginx)}
if [ ! -x "$NGINX" ]; then
  echo "nginx is not installed (apt-get install nginx); nothing was started." >&2
  exit 2
fi
[ -x "$PY" ] || { echo "run 'bash scripts/run.sh' or 'bash scripts/test.sh' once first (.venv)" >&2; exit 2; }

WORK=$(mktemp -d /tmp/xz-scaleout.XXXXXX)
chmod 755 "$WORK"                        # nginx workers (user nobody when started as root) read it
PIDS=()
cleanup() {
  [ -f "$WORK/nginx/nginx.pid" ] && "$NGINX" -p "$WORK/nginx" -c conf/nginx.conf -s quit 2>/dev/null || true
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

free_port() { "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_health() {
  for _ in $(seq 1 300); do
    if "$PY" -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('$1/_stcore/health',timeout=2).status!=200)" 2>/dev/null; then return 0; fi
    sleep 0.3
  done
  echo "no answer from $1" >&2; return 1
}

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
NPORT=$(free_port)
mkdir -p "$WORK/nginx/conf" "$WORK/nginx/logs" "$WORK/nginx/tmp"
"$PY" - "$ROOT/deploy/nginx.conf" "$WORK/nginx/conf/nginx.conf" "$WORK/nginx" "127.0.0.1:$NPORT" "$UPSTREAMS" <<'PYEOF'
import sys
src, dst, prefix, listen, upstreams = sys.argv[1:]
text = open(src).read().replace("@PREFIX@", prefix).replace("@LISTEN@", listen)
open(dst, "w").write(text.replace("@UPSTREAMS@", upstreams.rstrip("\n")))
PYEOF
chmod -R a+rwX "$WORK/nginx/tmp"
"$NGINX" -p "$WORK/nginx" -c conf/nginx.conf -e "$WORK/nginx/logs/error.log"
wait_health "http://127.0.0.1:$NPORT"
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
