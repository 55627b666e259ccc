"""What every browser test shares: Debian's Chromium, a real Streamlit server on a free
localhost port, and pages that record every request leaving localhost.

Importing this module skips the importing test module when Chromium is missing (and fails in CI,
where .ci/run installs it)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
LOCAL = (
    "http://localhost",
    "http://127.0.0.1",
    "ws://localhost",
    "ws://127.0.0.1",
    "data:",
    "blob:",
    "about:",
)

if not Path(CHROMIUM).exists():
    if os.environ.get("CI"):
        raise RuntimeError("CI needs Debian's chromium at /usr/bin/chromium (.ci/run installs it)")
    pytest.skip(
        "Debian's chromium is not installed (apt-get install chromium fonts-noto-cjk)",
        allow_module_level=True,
    )

from playwright.sync_api import sync_playwright  # noqa: E402  (after the skip)

from devkit.stclient import wait_healthy  # noqa: E402


def build_demo(db: Path, as_of) -> Path:
    """The embedded default database at ``db``, built by the command a user runs
    (``python -m dashboard_lib.build``) with a fixed as-of date; returns ``db``."""
    subprocess.run(
        [
            sys.executable,
            "-m",
            "dashboard_lib.build",
            "--db",
            str(db),
            "--as-of",
            as_of.isoformat(),
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    return db


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(
    db: Path,
    log_path: Path,
    env_extra: dict | None = None,
    script: str = "app.py",
    port: int | None = None,
    timeout: float = 60,
):
    """Start the server (``streamlit run serve.py``, the ASGI entry with the sign-in cookie
    routes and security headers) for ``script`` on ``db``; return (process, log file, url) once
    healthy."""
    port = port or free_port()
    env = {**os.environ, "XZ_DB_PATH": str(db), "XZ_APP_SCRIPT": str(script), **(env_extra or {})}
    log = open(log_path, "w")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "serve.py",
            "--server.port",
            str(port),
            "--server.headless",
            "true",
            "--server.fileWatcherType",
            "none",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://localhost:{port}"
    if wait_healthy(url, timeout):
        return proc, log, url
    proc.kill()
    log.close()
    raise RuntimeError(f"streamlit did not start (see {log_path})")


def stop_server(proc, log) -> None:
    proc.terminate()
    proc.wait(10)
    log.close()


@contextmanager
def chromium():
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


def watched_page(browser, width: int = 1600, height: int = 1200, **context_args):
    """A new page whose ``outside`` list collects every request that leaves localhost."""
    context = browser.new_context(
        viewport={"width": width, "height": height}, locale="zh-CN", **context_args
    )
    pg = context.new_page()
    pg.outside = []
    pg.on("request", lambda r: pg.outside.append(r.url) if not r.url.startswith(LOCAL) else None)
    pg.on(
        "websocket", lambda ws: pg.outside.append(ws.url) if not ws.url.startswith(LOCAL) else None
    )
    return context, pg


def settle(pg, timeout: float = 60_000) -> None:
    """Wait until the page's script run is over and Streamlit's status widget is gone: a
    click made while a run redraws the page may land on an element the run replaces."""
    pg.wait_for_timeout(300)
    pg.locator('[data-testid="stApp"][data-test-script-state="notRunning"]').wait_for(
        timeout=timeout
    )
    pg.locator('[data-testid="stStatusWidget"]').wait_for(state="detached", timeout=timeout)
    pg.wait_for_timeout(300)
