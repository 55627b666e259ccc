#!/usr/bin/env bash
# The project's static checks (pyproject.toml): lint, format, types. scripts/test.sh runs them
# before the tests; pre-commit runs the same on every commit. The import contract is a test
# (tests/unit/test_import_contract.py).
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy
