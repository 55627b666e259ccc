#!/usr/bin/env bash
# The whole deployment on one machine, in one command: a private PostgreSQL 15 cluster (the
# system of record for every write), the snapshot job (builds the read-only DuckDB snapshot from
# PostgreSQL and republishes it after each committed write), REPLICAS Streamlit replicas that
# write to PostgreSQL and read the snapshot, all with the same server.cookieSecret, and nginx in
# front with sticky sessions (deploy/nginx.conf). Everything lives in one temporary folder on
# localhost ports; Ctrl-C stops it all and removes the folder. Installs nothing: it needs
# postgresql-15 and nginx-light (Debian) and the project's .venv. Runs as root or not (the
# cluster then runs as the postgres user). docs/DEPLOY.md does the same on several servers.
#
#   bash scripts/deploy_local.sh                  # prints the address to open, then waits
#   REPLICAS=3 PORT=8080 bash scripts/deploy_local.sh
#   DEPLOY_SMOKE=1 bash scripts/deploy_local.sh   # start, check, stop: exit 0 when all is well
#   KEEP=1 …                                      # keep the folder (logs, database) afterwards
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PY=$ROOT/.venv/bin/python
REPLICAS=${REPLICAS:-2}
source scripts/_deploy_common.sh              # need_nginx, free_port, wait_health, start_nginx, …
need_nginx
need_venv
if [ ! -x /usr/lib/postgresql/15/bin/initdb ]; then
  echo "PostgreSQL 15 is not installed (apt-get install postgresql-15); nothing was started." >&2
  exit 2
fi
if ! "$PY" -c "import importlib.util as u, sys; sys.exit(u.find_spec('dashboard_lib.pgsync') is None)"; then
  echo "dashboard_lib.pgsync (the snapshot job) is missing from this checkout; nothing was started." >&2
  exit 2
fi

WORK=$(mktemp -d /tmp/xz-deploy.XXXXXX)
chmod 755 "$WORK"   # the postgres user (when we are root) and nginx's workers pass through it
PIDS=()          # the deployment's processes: the job and the replicas
HELPER_PIDS=()   # background warm-ups
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  trap '' PIPE HUP INT   # finish the clean-up even when the terminal or a pipe reading us is gone
  set +e
  echo "stopping: nginx, replicas, snapshot job, PostgreSQL"
  stop_nginx
  for pid in "${HELPER_PIDS[@]}" "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  "$PY" -m devkit.pgcluster stop "$WORK/postgres" >/dev/null 2>&1 || true
  if [ -n "${KEEP:-}" ]; then echo "kept $WORK"; else rm -rf "$WORK"; fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP    # the terminal closed
# show_log NAME: the last lines of $WORK/NAME.log, after a failure
show_log() { echo "--- last lines of $1.log:" >&2; tail -n 30 "$WORK/$1.log" >&2 || true; }

echo "1. PostgreSQL 15: a private cluster in $WORK/postgres"
URL=$("$PY" -m devkit.pgcluster start "$WORK/postgres")
echo "   $URL"

echo "2. the schema and the demo data (pgsync init)"
"$PY" -m dashboard_lib.pgsync init --database-url "$URL" 2>&1 | sed 's/^/   /'

echo "3. the snapshot job (pgsync job): builds $WORK/snapshot.duckdb, republishes after each write"
SNAPSHOT=$WORK/snapshot.duckdb
"$PY" -m dashboard_lib.pgsync job --database-url "$URL" --snapshot "$SNAPSHOT" >"$WORK/job.log" 2>&1 &
JOB_PID=$!
PIDS+=("$JOB_PID")
for _ in $(seq 1 600); do
  [ -e "$SNAPSHOT" ] && break
  kill -0 "$JOB_PID" 2>/dev/null || { echo "the snapshot job stopped before publishing" >&2; show_log job; exit 1; }
  sleep 0.3
done
[ -e "$SNAPSHOT" ] || { echo "no snapshot published within 180 s" >&2; show_log job; exit 1; }
echo "   published $(basename "$(readlink "$SNAPSHOT")") (job pid $JOB_PID)"

echo "4. $REPLICAS replicas: XZ_DATABASE_URL for writes, the snapshot read-only, one cookie secret"
# one secret per deployment, readable by this user only; every replica signs and checks cookies
# with it, so a sign-in on one replica is valid on the others. Given in the environment
# (STREAMLIT_SERVER_COOKIE_SECRET, the same setting as --server.cookieSecret): a command line
# can be read by every user of the machine (ps), a process's environment cannot.
(umask 077; "$PY" -c 'import secrets; print(secrets.token_urlsafe(32))' >"$WORK/cookie_secret")
UPSTREAMS=""
REPLICA_PIDS=()
REPLICA_URLS=()
for n in $(seq 1 "$REPLICAS"); do
  port=$(free_port)
  STREAMLIT_SERVER_COOKIE_SECRET="$(cat "$WORK/cookie_secret")" \
  MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}" \
  XZ_DATABASE_URL="$URL" XZ_DB_PATH="$SNAPSHOT" XZ_DB_READONLY=1 \
    "$PY" -m streamlit run serve.py \
    --server.port "$port" --server.address 127.0.0.1 --server.headless true \
    --server.fileWatcherType none >"$WORK/replica$n.log" 2>&1 &
  PIDS+=($!); REPLICA_PIDS+=($!); REPLICA_URLS+=("http://127.0.0.1:$port")
  UPSTREAMS+="        server 127.0.0.1:$port;"$'\n'
done
for n in $(seq 1 "$REPLICAS"); do
  wait_health "${REPLICA_URLS[n-1]}" || { show_log "replica$n"; exit 1; }
  echo "   replica $n: pid ${REPLICA_PIDS[n-1]}, ${REPLICA_URLS[n-1]}"
done

echo "5. nginx in front (sticky by route cookie, websocket upgrade)"
if [ -z "${PORT:-}" ]; then
  if port_is_free 8080; then PORT=8080; else PORT=$(free_port); fi
fi
start_nginx "$PORT" "$UPSTREAMS"
echo "   nginx on 127.0.0.1:$NPORT"

if [ -z "${DEPLOY_SMOKE:-}" ]; then
  for n in $(seq 1 "$REPLICAS"); do   # first visitors meet warm replicas (scripts/warm.py)
    "$PY" scripts/warm.py --url "${REPLICA_URLS[n-1]}" >>"$WORK/replica$n.log" 2>&1 &
    HELPER_PIDS+=($!)
  done
  echo
  echo "Open http://127.0.0.1:$NPORT   (Ctrl-C stops everything; logs in $WORK)"
  set +e
  wait -n -p dead "${PIDS[@]}"
  code=$?
  name=job
  for n in $(seq 1 "$REPLICAS"); do [ "${REPLICA_PIDS[n-1]}" = "$dead" ] && name=replica$n; done
  echo "the deployment's $name (pid $dead) stopped with exit status $code; stopping the rest" >&2
  show_log "$name"
  exit 1
fi

echo "6. smoke check"
fail=0
check() {  # check WHAT COMMAND…: run it, print ok/FAILED
  local what=$1; shift
  if out=$("$@" 2>&1); then echo "   ok: $what${out:+ ($out)}"; else echo "   FAILED: $what: $out"; fail=1; fi
}
health() { "$PY" -c "import urllib.request,sys; sys.exit(urllib.request.urlopen(sys.argv[1]+'/_stcore/health',timeout=5).status!=200)" "$1"; }
check "nginx health" health "http://127.0.0.1:$NPORT"
for n in $(seq 1 "$REPLICAS"); do
  check "replica $n health" health "${REPLICA_URLS[n-1]}"
  check "replica $n pages (warm-up)" "$PY" scripts/warm.py --url "${REPLICA_URLS[n-1]}" --nation-only
done
# one page through nginx: the HTML with its route cookie, then the overview page's script over
# the websocket (through the proxy's Upgrade), with no exception on the page
check "a page through nginx" "$PY" - "http://127.0.0.1:$NPORT" <<'PYEOF'
import asyncio, sys, urllib.request
from devkit.stclient import connect, one_run
url = sys.argv[1]
r = urllib.request.urlopen(url + "/", timeout=10)
body = r.read().decode()
assert r.status == 200 and "<html" in body.lower(), r.status
cookies = r.headers.get_all("Set-Cookie") or []
assert any(c.startswith("xz_route=") for c in cookies), cookies
async def run():
    async with connect(url.replace("http://", "ws://") + "/_stcore/stream", route="smoke") as ws:
        return await one_run(ws, "overview", "", 120)
secs, problem = asyncio.run(run())
assert problem is None, problem
print(f"overview in {secs:.1f} s")
PYEOF
# sticky sessions: 20 browsers (route cookies) asking 3 times each; nginx's access log must show
# each browser on one replica throughout, and the browsers spread over more than one replica
check "sticky sessions" "$PY" - "http://127.0.0.1:$NPORT" "$WORK/nginx/logs/access.log" "$REPLICAS" <<'PYEOF'
import collections, sys, time, urllib.request
url, log, replicas = sys.argv[1], sys.argv[2], int(sys.argv[3])
for i in range(20):
    for _ in range(3):
        req = urllib.request.Request(url + "/_stcore/health", headers={"Cookie": f"xz_route=sticky{i}"})
        assert urllib.request.urlopen(req, timeout=10).status == 200
time.sleep(0.5)  # nginx writes its access log line after the response
seen = collections.defaultdict(set)
ws = [line for line in open(log) if " /_stcore/stream " in line and " 101 " in line]
for line in open(log):
    upstream, status, method, uri, route = line.split()[:5]
    if route.startswith("sticky"):
        seen[route].add(upstream)
assert len(seen) == 20, f"{len(seen)} of 20 browsers in the access log"
assert all(len(u) == 1 for u in seen.values()), dict(seen)
used = {u for ups in seen.values() for u in ups}
assert replicas == 1 or len(used) > 1, f"every browser on {used}"
assert ws, "no websocket (101) through nginx in its access log"
print(f"20 browsers on {len(used)} replicas, each on one; {len(ws)} websockets through nginx")
PYEOF
check "snapshot job running" kill -0 "$JOB_PID"
check "snapshot published" test -e "$SNAPSHOT"
for n in $(seq 1 "$REPLICAS"); do
  rss=$(ps -o rss= -p "${REPLICA_PIDS[n-1]}" | tr -d ' ')
  echo "   replica $n memory after warm-up: rss $(( ${rss:-0} / 1024 )) MiB"
done
if [ "$fail" -ne 0 ]; then
  for n in $(seq 1 "$REPLICAS"); do show_log "replica$n"; done
  show_log job
  echo "smoke: FAILED"
  exit 1
fi
echo "smoke: ok"
