#!/usr/bin/env bash
# Set up (first time) and run the whole test suite. Browser tests use Debian's chromium
# (/usr/bin/chromium) and fonts-noto-cjk; .ci/run installs them.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/_venv.sh requirements-dev.txt
.venv/bin/python -m dashboard_lib.offline >/dev/null
bash scripts/check.sh
# three worker processes, each taking whole test files (module servers stay one per file);
# browser journeys mostly wait on servers and Chromium, so 3 workers pay on 2 cores.
# XZ_TEST_WORKERS=0 runs in this process (pytest -n 0), for debugging.
exec .venv/bin/python -m pytest -q -n "${XZ_TEST_WORKERS:-3}" --dist loadfile --durations=25 "$@"
