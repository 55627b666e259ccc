"""The dashboard in a real browser: Debian's headless Chromium driven by Playwright.

A Streamlit server runs on a free localhost port against its own freshly built database. Every
request the page makes is recorded; any that leaves localhost fails the test. Screenshots are
saved under artifacts/browser/.
"""

from __future__ import annotations

import csv
import io
import time
from pathlib import Path

import pytest
from conftest import ARTIFACTS, AS_OF

from dashboard_lib.scope import Viewer
from dashboard_lib.store import Store
from devkit.browser import build_demo, start_server, stop_server, watched_page
from devkit.explorer_page import FRAME

SHOTS = ARTIFACTS / "browser"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    db = tmp_path_factory.mktemp("browser") / "dashboard.duckdb"
    build_demo(db, AS_OF)
    # the expected figures, read before the server takes the file's lock
    store = Store(db, read_only=True)
    truth = {
        "gansu": store.projects(Viewer.province(620000)),
        "gansu_metrics": store.metrics(Viewer.province(620000)).iloc[0],
    }
    store.close()
    proc, log, url = start_server(db, tmp_path_factory.mktemp("log") / "streamlit.log")
    yield url, truth
    stop_server(proc, log)


@pytest.fixture
def page(browser):
    context, pg = watched_page(browser, 1600, 1200, accept_downloads=True)
    yield pg
    context.close()


def map_frame(pg):
    return pg.frame_locator(FRAME)


def wait_for_polygons(pg, at_least: int) -> int:
    frame = map_frame(pg)
    frame.locator("path.leaflet-interactive").first.wait_for(state="attached", timeout=60_000)
    deadline = time.time() + 30
    while time.time() < deadline:
        n = frame.locator("path.leaflet-interactive").count()
        if n >= at_least:
            return n
        time.sleep(0.2)
    return frame.locator("path.leaflet-interactive").count()


def kpi(pg, label: str) -> str:
    box = pg.locator('[data-testid="stMetric"]', has_text=label).first
    return box.locator('[data-testid="stMetricValue"]').inner_text().strip()


def test_overview_draws_the_nation_offline(server, page):
    url, _ = server
    page.goto(url + "/")
    n = wait_for_polygons(page, 35)
    assert n >= 35, f"only {n} polygons drawn"
    assert kpi(page, "托管项目") == "115"
    assert kpi(page, "托管高校") == "48"
    page.get_by_text("模拟生成").first.wait_for()
    time.sleep(1)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "overview.png"), full_page=True)
    assert page.outside == [], f"requests left localhost: {page.outside}"


def test_one_province_every_figure_and_feature_is_its_own(server, page, tmp_path):
    url, truth = server
    gansu, figures = truth["gansu"], truth["gansu_metrics"]
    page.goto(url + "/?province=620000")
    wait_for_polygons(page, 35)
    page.locator('[data-testid="stMetricValue"]', has_text=str(len(gansu))).first.wait_for()
    assert kpi(page, "托管项目") == str(len(gansu))
    assert kpi(page, "驻校人月") == f"{figures['person_months']:,.0f}"
    assert kpi(page, "省份/兵团") == "1"
    # one province's map is its counties: the helped ones coloured by the metric (drawn as the
    # map's own areas, dark-edged), the others grey: exactly 甘肃's helped counties
    helped = map_frame(page).locator('path.leaflet-interactive[stroke="#555"]').count()
    with_boundary = gansu[gansu["has_boundary"]]["county_adcode"].nunique()
    assert helped == with_boundary
    assert map_frame(page).locator('path.leaflet-interactive[stroke="#aaa"]').count() > helped
    # the download holds exactly the rows on screen, all of them 甘肃's
    with page.expect_download() as dl:
        page.get_by_role("button", name="下载 CSV").click()
    raw = Path(dl.value.path()).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "UTF-8 with BOM for Excel"
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert len(rows) == len(gansu)
    assert {r["省份"] for r in rows} == {"甘肃"}
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "province-620000.png"), full_page=True)
    assert page.outside == [], f"requests left localhost: {page.outside}"
