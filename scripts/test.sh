#!/usr/bin/env bash
# Set up (first time) and run the whole test suite. Browser tests use Debian's chromium
# (/usr/bin/chromium) and fonts-noto-cjk; .ci/run installs them.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/_venv.sh requirements-dev.txt
.venv/bin/python -m dashboard_lib.offline >/dev/null
bash scripts/check.sh
exec .venv/bin/python -m pytest -q "$@"
