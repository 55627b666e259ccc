"""Every cycle on the dossier in headless Chromium (issue 16, part 5), at 1366×768 and 1920×1080:
a renewed published project (first cycle published, its renewal simulated) and a re-paired one
show the section 帮扶周期 with both cycles and their outcomes, the simulated note, and the
second cycle's milestones in the agreement table; the Chinese page shows none of the English
outcome words, the English page none of the Chinese ones. Each Chinese page is loaded once and
read at both sizes. Screenshots:
artifacts/browser/cycles-*.png."""

from __future__ import annotations

import time

import pytest
from conftest import ARTIFACTS, AS_OF
from viewport import resize

from dashboard_lib.scope import Viewer
from dashboard_lib.store import Store
from devkit.browser import build_demo, start_server, stop_server, watched_page

SHOTS = ARTIFACTS / "browser"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    db = tmp_path_factory.mktemp("cycles") / "dashboard.duckdb"
    build_demo(db, AS_OF)
    store = Store(db, read_only=True)
    c = store.project_cycles(Viewer.ministry())
    repaired = int(c[(c["cycle_no"] == 1) & (c["status"] == "repaired")]["project_id"].iloc[0])
    store.close()
    proc, log, url = start_server(db, tmp_path_factory.mktemp("log") / "streamlit.log")
    yield url, {"renewed": 1, "repaired": repaired}  # project 1: published, renewed
    stop_server(proc, log)


def _settle(pg, text: str) -> None:
    pg.get_by_text(text).first.wait_for(timeout=60_000)
    deadline = time.time() + 30
    while time.time() < deadline and pg.locator('[data-testid="stStatusWidget"]').count():
        time.sleep(0.3)
    pg.wait_for_timeout(1500)


def _cells(pg, *wanted: str) -> list[str]:
    """The grids' cells, once each of ``wanted`` is in one of them (every grid renders its
    cells a while after the page, each in its own time)."""
    grid = '[data-testid="stDataFrame"] [role="gridcell"]'
    for text in wanted:
        pg.locator(grid, has_text=text).first.wait_for(state="attached", timeout=60_000)
    return [
        c.strip()
        for c in pg.locator('[data-testid="stDataFrame"] [role="gridcell"]').all_inner_texts()
    ]


SIZES = [(1366, 768), (1920, 1080)]


@pytest.mark.parametrize("which", ["renewed", "repaired"])
def test_dossier_cycles_in_chinese(server, browser, which):
    """The page is loaded once and read at each size (what is checked is its text and its
    grids' cells, the same state at both sizes), with a screenshot at each."""
    url, ids = server
    context, pg = watched_page(browser, *SIZES[0])
    try:
        pg.goto(f"{url}/dossier?project={ids[which]}")
        _settle(pg, "帮扶周期")
        for width, height in SIZES:
            if (width, height) != SIZES[0]:
                resize(pg, width, height)
            at = f"{which} at {width}x{height}"
            heading = pg.get_by_text("帮扶周期", exact=True).first
            heading.scroll_into_view_if_needed()
            pg.wait_for_timeout(800)
            cells = _cells(pg, "第 2 周期", "2025-09-30")
            outcome = {"renewed": "续签", "repaired": "更换帮扶高校"}[which]
            assert "第 1 周期" in cells and "第 2 周期" in cells, (at, cells)
            assert outcome in cells and "进行中" in cells, (at, cells)
            # the renewal's 签约/备案/启动 against its own deadlines
            assert {"2025-07-31", "2025-08-15", "2025-09-30"} <= set(cells), at
            text = pg.locator('[data-testid="stMain"]').inner_text()
            assert "标为“模拟”的周期是演示用的模拟数据" in text, at
            for word in ("Renewed", "Ongoing", "Re-paired", "Cycle", "None"):
                assert word not in text and word not in cells, (at, word)
            assert pg.outside == [], f"requests left localhost: {pg.outside}"
            SHOTS.mkdir(parents=True, exist_ok=True)
            pg.screenshot(path=str(SHOTS / f"cycles-{which}-{width}x{height}.png"))
    finally:
        context.close()


def test_dossier_cycles_in_english(server, browser):
    url, ids = server
    context, pg = watched_page(browser, 1366, 768)
    try:
        pg.goto(f"{url}/dossier?project={ids['repaired']}&lang=en")
        _settle(pg, "Agreement cycles")
        pg.get_by_text("Agreement cycles", exact=True).first.scroll_into_view_if_needed()
        pg.wait_for_timeout(800)
        cells = _cells(pg, "Cycle 2")
        assert "Cycle 2" in cells and "Re-paired with another university" in cells, cells
        assert "Ongoing" in cells
        for word in ("续签", "进行中", "更换帮扶高校", "第 2 周期", "帮扶周期"):
            assert word not in cells, word
        pg.screenshot(path=str(SHOTS / "cycles-repaired-en-1366x768.png"))
    finally:
        context.close()
