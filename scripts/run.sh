#!/usr/bin/env bash
# Set up (first time) and start the dashboard on http://localhost:8501 with the embedded demo
# database built from data/. Needs only Python 3.11 (with its venv module).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/_venv.sh requirements.txt
.venv/bin/python -m dashboard_lib.offline >/dev/null
.venv/bin/python -m dashboard_lib.build --if-missing
# Streamlit runs every script run on a new thread; glibc's default of up to 8 malloc arenas per
# core then keeps freed memory in many arenas. Two arenas keep the server's memory level under
# load (scripts/loadtest.py); set MALLOC_ARENA_MAX yourself to override.
export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}"
echo "Dashboard: http://localhost:${PORT:-8501}  (Ctrl+C to stop)"
# once it answers, open every page once in the background (imports, boundaries, national views):
# the first visitors then meet a warm server (scripts/warm.py)
.venv/bin/python scripts/warm.py --url "http://127.0.0.1:${PORT:-8501}" &
# serve.py: app.py behind the sign-in cookie routes and security headers (dashboard_lib/ui/web.py)
exec .venv/bin/streamlit run serve.py --server.port "${PORT:-8501}" "$@"
