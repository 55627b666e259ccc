# Sourced by scripts/scaleout.sh and scripts/deploy_local.sh: what both need to run Streamlit
# replicas behind nginx on one machine. The sourcing script sets ROOT (the repository), PY (the
# .venv's python) and, before start_nginx, WORK (its temporary folder, mode 755: nginx's workers,
# user nobody when started as root, read it).

# nginx installed, else stop before anything was started; sets NGINX
need_nginx() {
  NGINX=${NGINX:-$(command -v nginx || echo /usr/sbin/nginx)}
  if [ ! -x "$NGINX" ]; then
    echo "nginx is not installed (apt-get install nginx-light); nothing was started." >&2
    exit 2
  fi
}

need_venv() {
  [ -x "$PY" ] || { echo "run 'bash scripts/run.sh' or 'bash scripts/test.sh' once first (.venv)" >&2; exit 2; }
}

free_port() { "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# port_is_free PORT: nothing listens on 127.0.0.1:PORT
port_is_free() { "$PY" -c 'import socket,sys; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("127.0.0.1",int(sys.argv[1])))' "$1" 2>/dev/null; }

# wait_health URL: until URL/_stcore/health answers 200 (90 s), else say so and fail
wait_health() {
  for _ in $(seq 1 300); do
    if "$PY" -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('$1/_stcore/health',timeout=2).status!=200)" 2>/dev/null; then return 0; fi
    sleep 0.3
  done
  echo "no answer from $1" >&2; return 1
}

# start_nginx PORT UPSTREAMS: render deploy/nginx.conf into $WORK/nginx (listen 127.0.0.1:PORT,
# one "server host:port;" line per replica in UPSTREAMS), check it with nginx -t, start nginx and
# wait until it answers. Sets NPORT.
start_nginx() {
  NPORT=$1
  mkdir -p "$WORK/nginx/conf" "$WORK/nginx/logs" "$WORK/nginx/tmp"
  "$PY" - "$ROOT/deploy/nginx.conf" "$WORK/nginx/conf/nginx.conf" "$WORK/nginx" "127.0.0.1:$NPORT" "$2" <<'PYEOF'
import sys
src, dst, prefix, listen, upstreams = sys.argv[1:]
text = open(src).read().replace("@PREFIX@", prefix).replace("@LISTEN@", listen)
open(dst, "w").write(text.replace("@UPSTREAMS@", upstreams.rstrip("\n")))
PYEOF
  chmod -R a+rwX "$WORK/nginx/tmp"
  if ! "$NGINX" -t -q -p "$WORK/nginx" -c conf/nginx.conf -e "$WORK/nginx/logs/error.log" \
      >"$WORK/nginx/logs/config-test.log" 2>&1; then
    echo "nginx refused its configuration $WORK/nginx/conf/nginx.conf (made from deploy/nginx.conf):" >&2
    cat "$WORK/nginx/logs/config-test.log" >&2
    return 1
  fi
  "$NGINX" -p "$WORK/nginx" -c conf/nginx.conf -e "$WORK/nginx/logs/error.log"
  wait_health "http://127.0.0.1:$NPORT"
}

# stop_nginx: graceful quit, waiting (5 s) until its master has gone
stop_nginx() {
  if [ -n "${NGINX:-}" ] && [ -f "$WORK/nginx/nginx.pid" ]; then
    local pid
    pid=$(cat "$WORK/nginx/nginx.pid" 2>/dev/null || true)
    "$NGINX" -p "$WORK/nginx" -c conf/nginx.conf -e "$WORK/nginx/logs/error.log" -s quit 2>/dev/null || true
    for _ in $(seq 1 50); do
      [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
  fi
}
