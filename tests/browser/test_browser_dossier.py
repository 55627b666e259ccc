"""The dossier in headless Chromium, in Chinese, at 1366×768 and 1920×1080 (issue 13): the
pairing says 可信度 高 and the source's grade, the sources list grades each page, the timeline's
date axis reads in Chinese months (``2022年7月``, never ``Jul 2022``), no date shows 00:00:00 and
the outcome section is not titled an average. Each page is loaded once and read at both sizes.
Screenshots: artifacts/browser/dossier-*.png."""

from __future__ import annotations

import re
import time

import pytest
from conftest import ARTIFACTS, AS_OF
from viewport import resize, to_top

from dashboard_lib.scope import Viewer
from dashboard_lib.store import Store
from devkit.browser import build_demo, start_server, stop_server, watched_page

SHOTS = ARTIFACTS / "browser"
ENGLISH_MONTH = re.compile(r"\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\b")
CHINESE_TICK = re.compile(r"^\d{4}年(\d{1,2}月)?$|^\d{4}-\d{2}-\d{2}$")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    db = tmp_path_factory.mktemp("dossier") / "dashboard.duckdb"
    build_demo(db, AS_OF)
    store = Store(db, read_only=True)
    p = store.projects(Viewer.ministry())
    ids = {s: int(p.loc[p["school_zh"] == s, "project_id"].iloc[0]) for s in p["school_zh"]}
    store.close()
    proc, log, url = start_server(db, tmp_path_factory.mktemp("log") / "streamlit.log")
    yield url, ids
    stop_server(proc, log)


def _settle(pg, text: str) -> None:
    pg.get_by_text(text).first.wait_for(timeout=60_000)
    pg.locator(".js-plotly-plot .xtick text").first.wait_for(timeout=60_000)
    deadline = time.time() + 30
    while time.time() < deadline and pg.locator('[data-testid="stStatusWidget"]').count():
        time.sleep(0.3)
    pg.wait_for_timeout(1000)


SIZES = [(1366, 768), (1920, 1080)]


@pytest.mark.parametrize(
    "school,grade",
    [("延川县中学", "二手来源（转载）"), ("榆中县恩玲中学", "一手来源")],
)
def test_dossier_in_chinese(server, browser, school, grade):
    """The page is loaded once and read at each size (its text, grids and chart axis: one
    state), with the screenshots at each."""
    url, ids = server
    context, pg = watched_page(browser, *SIZES[0])
    try:
        pg.goto(f"{url}/dossier?project={ids[school]}")
        _settle(pg, "全部活动时间线")
        for width, height in SIZES:
            if (width, height) != SIZES[0]:
                to_top(pg)
                resize(pg, width, height)
            _check(pg, ids[school], grade, width, height)
    finally:
        context.close()


def _check(pg, project: int, grade: str, width: int, height: int) -> None:
    at = f"at {width}x{height}"
    main = pg.locator('[data-testid="stMain"]')
    text = main.inner_text()
    # the sources list: each page with its grade
    source_items = pg.locator('[data-testid="stMarkdownContainer"] li', has_text="http")
    assert source_items.count() >= 1, at
    assert all(grade in source_items.nth(i).inner_text() for i in range(source_items.count()))
    # the pairing table (a canvas grid: its cells are read from the grid's accessible table)
    cells = [
        c.strip()
        for c in pg.locator('[data-testid="stDataFrame"] [role="gridcell"]').all_inner_texts()
    ]
    assert "高" in cells and grade in cells and "high" not in cells and "None" not in cells, at
    # the timeline's date axis in Chinese months
    ticks = [
        t.strip()
        for t in pg.locator(".js-plotly-plot").first.locator(".xtick text").all_text_contents()
    ]
    assert ticks and all(CHINESE_TICK.match(t) for t in ticks), (at, ticks)
    assert any("月" in t or "年" in t for t in ticks), (at, ticks)
    assert not ENGLISH_MONTH.search(text) and "00:00:00" not in text, at
    assert "成效指标趋势（本项目）" in text and "各项目平均" not in text, at
    assert pg.outside == [], f"requests left localhost: {pg.outside}"
    SHOTS.mkdir(parents=True, exist_ok=True)
    name = f"dossier-{project}-{width}x{height}"
    pg.screenshot(path=str(SHOTS / f"{name}.png"))
    # what lies below the fold: the pairing's last rows, the timeline, the sources
    for part, anchor in (
        ("pairing", "三方协议"),
        ("timeline", "活动记录"),
        ("sources", "数据来源与链接"),
    ):
        pg.get_by_text(anchor, exact=True).first.scroll_into_view_if_needed()
        pg.wait_for_timeout(500)
        pg.screenshot(path=str(SHOTS / f"{name}-{part}.png"))
