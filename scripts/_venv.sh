# Sourced by run.sh and test.sh: create .venv with Python 3.11 and install the pinned
# requirements file given as $1, only when it changed since the last install.
PY="${PYTHON:-$(command -v python3.11 || command -v python3)}"
if [ ! -x .venv/bin/python ]; then
  if ! "$PY" -m venv .venv; then
    echo "Could not create a virtual environment with $PY." >&2
    echo "On Debian: apt-get install python3-venv (or python3.11-venv), then run this again." >&2
    exit 1
  fi
fi
stamp=".venv/.installed-$(basename "$1")"
want="$(cat requirements*.txt pyproject.toml | sha256sum | cut -c1-16)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "Installing pinned packages from $1 …"
  .venv/bin/python -m pip install --disable-pip-version-check -q --upgrade pip
  .venv/bin/python -m pip install --disable-pip-version-check -q -r "$1"
  .venv/bin/python -m pip install --disable-pip-version-check -q --no-deps -e .  # the project
  echo "$want" > "$stamp"
fi
