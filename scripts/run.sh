#!/usr/bin/env bash
# Set up (first time) and start the dashboard on http://localhost:8501 with the embedded demo
# database built from data/. Needs only Python 3.11 (with its venv module).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/_venv.sh requirements.txt
.venv/bin/python -m dashboard_lib.offline >/dev/null
.venv/bin/python -m dashboard_lib.build --if-missing
echo "Dashboard: http://localhost:${PORT:-8501}  (Ctrl+C to stop)"
exec .venv/bin/streamlit run app.py --server.port "${PORT:-8501}" "$@"
