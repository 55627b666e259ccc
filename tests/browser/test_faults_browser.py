"""A server killed under an open page: the page reconnects by itself, keeps its filters and
loses nothing (moved from tests/unit/test_faults_runtime.py so the browser tests live together)."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest
from conftest import AS_OF, ROOT

from dashboard_lib import build
from dashboard_lib.scope import Viewer
from dashboard_lib.store import Store
from devkit.browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    start_server,
    stop_server,
)
from devkit.browser import (
    free_port as _free_port,
)
from devkit.explorer_page import FRAME

PY = sys.executable


def _build(path: Path) -> Path:
    build.build_database(path, build.spec_for(115, None, 2022, AS_OF), progress=lambda _m: None)
    return path


# ---------------------------------------------------------------------- server restarted mid-session


@pytest.mark.skipif(
    not Path(CHROMIUM).exists() and not os.environ.get("CI"),
    reason="Debian's chromium is not installed",
)
def test_server_restarted_during_a_session_page_recovers(tmp_path):
    """The server dies (SIGKILL) under an open page while the page's map is still loading, and
    comes back on the same port. The page reconnects by itself and keeps its view; the map whose
    load was cut is drawn again by the first run the new server makes for the page, with no
    reload. The cut is made deterministic: the browser is refused Leaflet's script until the
    server is killed (what a browser sees when the server dies in the middle of that request).
    Streamlit reruns a reconnected page only when a run was cut, so the test then asks for a
    run as a user would, with R (any click does the same)."""
    from playwright.sync_api import sync_playwright

    db = _build(tmp_path / "restart.duckdb")
    store = Store(db, read_only=True)
    gansu = len(store.projects(Viewer.province(620000)))
    store.close()
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    server, log, _ = start_server(db, tmp_path / "streamlit.log", port=port)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
            outside, sockets = [], []
            page.on(
                "request",
                lambda r: (
                    outside.append(r.url)
                    if not r.url.startswith(
                        ("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:", "about:")
                    )
                    else None
                ),
            )
            page.on("websocket", lambda ws: sockets.append(ws))
            navigations = []
            page.on(
                "framenavigated",
                lambda f: navigations.append(f.url) if f == page.main_frame else None,
            )
            page.route("**/leaflet.js", lambda route: route.abort("connectionreset"))

            page.goto(url + "/?province=620000")
            metric = page.locator('[data-testid="stMetric"]', has_text="托管项目").first
            metric.locator('[data-testid="stMetricValue"]', has_text=str(gansu)).wait_for(
                timeout=60_000
            )
            frame = page.frame_locator(FRAME)
            frame.locator("#map_div").wait_for(state="attached", timeout=60_000)
            time.sleep(3)
            assert frame.locator("path.leaflet-interactive").count() == 0  # the cut map is blank
            page.screenshot(path=str(tmp_path / "map-cut.png"), full_page=True)

            server.kill()  # the server dies under the open page (SIGKILL: no goodbye)
            server.wait()
            log.close()
            page.unroute("**/leaflet.js")
            time.sleep(2)
            # and comes back on the same port
            server, log, _ = start_server(db, tmp_path / "streamlit-restarted.log", port=port)

            # the page reconnects by itself (a new websocket; the frontend retries with a back-off)
            deadline = time.time() + 120
            while len(sockets) < 2 and time.time() < deadline:
                page.wait_for_timeout(500)
            assert len(sockets) >= 2, "the page did not reconnect to the restarted server"
            page.wait_for_timeout(2000)
            for attempt in range(3):  # a run on the new server, as a user would ask for it
                page.locator("body").press("r")
                try:  # (again if the key press came before the socket was open)
                    frame.locator("path.leaflet-interactive").first.wait_for(
                        state="attached", timeout=40_000
                    )
                    break
                except Exception:
                    if attempt == 2:
                        raise
            metric.locator('[data-testid="stMetricValue"]', has_text=str(gansu)).wait_for(
                timeout=60_000
            )
            time.sleep(1)
            body = page.inner_text("body")
            page.screenshot(path=str(tmp_path / "after-restart.png"), full_page=True)
            shots = ROOT / "artifacts" / "journeys"
            shots.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(shots / "server-restarted.png"), full_page=True)
            browser.close()
    finally:
        stop_server(server, log)
    assert navigations == [url + "/?province=620000"]  # recovered without a reload
    assert "Traceback" not in body and "Error" not in body.split("托管项目")[0][-200:]
    assert page.url.endswith("province=620000")
    assert outside == [], outside
