#!/usr/bin/env bash
# Set up (first time) and start the dashboard on http://localhost:8501 with the embedded demo
# database built from data/. Needs only Python 3.11 (with its venv module).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/_venv.sh requirements.txt
.venv/bin/python -m dashboard_lib.offline >/dev/null
.venv/bin/python -m dashboard_lib.build --if-missing
echo "Dashboard: http://localhost:${PORT:-8501}  (Ctrl+C to stop)"
# once it answers, open every page once in the background (imports, boundaries, national views):
# the first visitors then meet a warm server (scripts/warm.py)
.venv/bin/python scripts/warm.py --url "http://127.0.0.1:${PORT:-8501}" &
exec .venv/bin/streamlit run app.py --server.port "${PORT:-8501}" "$@"
