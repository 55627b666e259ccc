"""What only a browser shows (issue 17, parts 2 and 3): in real Chromium, names from an imported
file make no link and no image, and Streamlit's own table toolbar offers no download or copy —
every file leaves through the product's exports.

The server runs a small wrapper (written into the test's folder) that sets a ministry viewer and
runs the page unchanged, as ``tests/browser/test_ingest_browser.py`` does."""

from __future__ import annotations

import shutil

import pytest
from conftest import ARTIFACTS, ROOT
from test_markup import EVIL, make_evil_db

from devkit.browser import start_server, stop_server, watched_page  # noqa: E402

SHOTS = ARTIFACTS / "browser"
WRAPPER = """
import runpy, sys
from dashboard_lib import ui
from dashboard_lib.scope import Viewer
ui.viewer = lambda: Viewer.ministry(name="boss")
runpy.run_path({page!r}, run_name="__main__")
"""


@pytest.fixture(scope="module")
def evil_server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("evil_browser")
    db = folder / "m.duckdb"
    ids = make_evil_db(db)
    servers = {}
    for page in ("dossier", "progress"):
        wrapper = folder / f"{page}_as_ministry.py"
        wrapper.write_text(WRAPPER.format(root=str(ROOT), page=str(ROOT / "views" / f"{page}.py")))
        own = folder / f"{page}.duckdb"  # one file per server: DuckDB lets one process write a file
        shutil.copy(db, own)
        servers[page] = start_server(own, folder / f"{page}.log", script=str(wrapper))
    yield servers, ids
    for proc, log, _url in servers.values():
        stop_server(proc, log)


def _settle(pg, heading: str, tables: int) -> None:
    """Wait for the page's heading ``heading`` and at least ``tables`` tables to be drawn."""
    pg.locator(f"[data-testid='stHeading']:has-text('{heading}')").first.wait_for(timeout=90_000)
    pg.locator("[data-testid='stDataFrame']").nth(tables - 1).wait_for(timeout=90_000)
    pg.wait_for_timeout(1000)
    assert pg.locator("[data-testid='stException']").count() == 0


def _links_and_images_from_data(pg) -> list[str]:
    return pg.evaluate("""() => [...document.querySelectorAll('a[href], img[src]')]
        .map(e => e.getAttribute('href') || e.getAttribute('src'))
        .filter(u => u.includes('evil.example'))""")


def _toolbar_actions(pg, table) -> list[str]:
    """The labels of the buttons Streamlit's toolbar shows over ``table`` when hovered."""
    table.hover()
    pg.wait_for_timeout(600)
    toolbar = pg.locator("[data-testid='stElementToolbar']")
    return [
        b.get_attribute("aria-label") or b.inner_text()
        for b in toolbar.locator("button").all()
        if b.is_visible()
    ]


@pytest.mark.parametrize("i", [0, 1, 3])
def test_dossier_of_an_evil_name_has_no_link_image_or_table_download(browser, evil_server, i):
    servers, ids = evil_server
    url = servers["dossier"][2]
    context, pg = watched_page(browser, 1366, 768)
    try:
        pg.goto(f"{url}/?project={ids[i]}")
        _settle(pg, "三方协议", tables=2)
        header = pg.locator("[data-testid='stHeading'] h2").first.inner_text()
        assert header.replace("\u2060", "") == EVIL[i]  # the name, as it was typed
        assert _links_and_images_from_data(pg) == []
        assert pg.evaluate("() => window.__xss === undefined")
        tables = pg.locator("[data-testid='stDataFrame']")
        actions = _toolbar_actions(pg, tables.first)
        assert actions, "the toolbar itself is still there (search, full screen)"
        assert not [a for a in actions if "download" in a.lower() or "下载" in a], actions
        SHOTS.mkdir(parents=True, exist_ok=True)
        pg.screenshot(path=str(SHOTS / f"markup-dossier-{i}.png"), full_page=True)
        assert pg.outside == []
    finally:
        context.close()


def test_progress_lists_evil_names_as_text(browser, evil_server):
    servers, _ids = evil_server
    context, pg = watched_page(browser, 1920, 1080)
    try:
        pg.goto(f"{servers['progress'][2]}/?province=620000")
        _settle(pg, "需要关注的项目", tables=2)
        main = pg.locator("[data-testid='stMain']").inner_text().replace("\u2060", "")
        assert any(name in main for name in EVIL)
        assert _links_and_images_from_data(pg) == []
        dossier_links = pg.locator("[data-testid='stMarkdownContainer'] a[href*='/dossier?']")
        assert dossier_links.count() >= 1  # our own links still work
        assert pg.outside == []
    finally:
        context.close()
