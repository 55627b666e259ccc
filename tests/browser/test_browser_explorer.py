"""The map explorer in headless Chromium: nation → click 甘肃 → only 甘肃's counties, helped ones
outlined → click a helped county → its card with provenance → back to the nation → a link
reopens the view. Clicks are real mouse clicks at a pixel inside the area's drawn polygon.
No request may leave localhost. Screenshots: artifacts/browser/explorer-*.png.
"""

from __future__ import annotations

import time

import pytest
from conftest import ARTIFACTS, AS_OF

from dashboard_lib import geo
from dashboard_lib.scope import Viewer
from dashboard_lib.store import Store
from devkit.browser import build_demo, start_server, stop_server, watched_page
from devkit.explorer_page import areas, click_area, frame_handle, frame_of, is_nation

SHOTS = ARTIFACTS / "browser"
GANSU = 620000


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    db = tmp_path_factory.mktemp("explorer") / "dashboard.duckdb"
    build_demo(db, AS_OF)
    store = Store(db, read_only=True)  # expected values, read before the server locks the file
    gansu = store.projects(Viewer.province(GANSU))
    store.close()
    proc, log, url = start_server(db, tmp_path_factory.mktemp("log") / "streamlit.log")
    yield url, gansu
    stop_server(proc, log)


@pytest.fixture
def page(browser):
    context, pg = watched_page(browser, 1500, 1300)
    yield pg
    context.close()


def shot(pg, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    time.sleep(0.8)
    pg.screenshot(path=str(SHOTS / name), full_page=True)


# ---------------------------------------------------------------------------- the walk
def test_drill_down_and_back(server, page):
    url, gansu = server
    page.goto(url + "/explorer")
    nation = areas(page, is_nation, timeout=60)
    assert nation and is_nation(nation), "the national view draws 35 provincial units"
    frame_of(page).get_by_text("南海诸岛").first.wait_for()
    shot(page, "explorer-nation.png")
    frame_handle(page).evaluate("() => { window.__xzSameMap = 1; }")

    # click 甘肃 → only its counties, helped ones outlined
    click_area(page, GANSU, geo.load_provinces().set_index("adcode").geometry[GANSU])
    counties = areas(page, lambda a: all(c // 10000 == 62 for c, _, _ in a))
    expected = set(geo.load_counties([GANSU])["adcode"].astype(int))
    assert {c for c, _, _ in counties} == expected, "exactly 甘肃's counties are drawn"
    helped = {c for c, h, s in counties if h and s == "#ff7f0e"}
    assert helped == set(gansu[gansu["has_boundary"]]["county_adcode"].astype(int))
    assert frame_handle(page).evaluate("() => window.__xzSameMap") == 1, "base map was not reloaded"
    page.wait_for_url("**province=620000**")
    shot(page, "explorer-province-620000.png")

    # click a helped county with a published project → its card with provenance and link
    published = gansu[(gansu["provenance"] == "published") & gansu["has_boundary"]]
    row = (published if len(published) else gansu[gansu["has_boundary"]]).iloc[0]
    code = int(row["county_adcode"])
    poly = geo.load_counties([GANSU]).set_index("adcode").geometry[code]
    click_area(page, code, poly)
    page.wait_for_url(f"**county={code}**")
    card = page.locator("div.xz-card", has_text=row["school_zh"]).first
    card.wait_for(timeout=30_000)
    text = card.inner_text()
    assert "数据来源" in text and ("公开报道" in text or "模拟" in text)
    # the dossier link keeps the view: the province and the county go with it (issue 13)
    dossier = (
        f"/dossier?project={int(row['project_id'])}&province={GANSU}&level=county&county={code}"
    )
    assert card.locator(f'a[href="{dossier}"]').count() == 1
    if row["provenance"] == "published":
        assert card.locator(f'a[href="{row["source_url"]}"]').count() == 1
    assert frame_handle(page).evaluate("() => window.__xzSameMap") == 1
    shot(page, "explorer-county.png")

    # back to the nation through the breadcrumb
    page.get_by_role("button", name="全国").click()
    back = areas(page, is_nation)
    assert back and is_nation(back)
    deadline = time.time() + 10
    while "province=" in page.url and time.time() < deadline:
        page.wait_for_timeout(200)  # lets Playwright take in the URL change
    assert "province=" not in page.url and "county=" not in page.url
    assert page.outside == [], f"requests left localhost: {page.outside}"


def test_link_reopens_the_view(server, page):
    url, gansu = server
    row = gansu[gansu["has_boundary"]].iloc[0]
    code = int(row["county_adcode"])
    page.goto(f"{url}/explorer?level=county&province={GANSU}&county={code}")
    counties = areas(page, lambda a: all(c // 10000 == 62 for c, _, _ in a), timeout=60)
    assert counties and {c for c, _, _ in counties} == set(
        geo.load_counties([GANSU])["adcode"].astype(int)
    )
    page.locator("div.xz-card", has_text=row["school_zh"]).first.wait_for(timeout=30_000)
    assert page.outside == [], f"requests left localhost: {page.outside}"


def test_link_outside_the_province_is_refused(server, page):
    url, _ = server
    page.goto(f"{url}/explorer?province={GANSU}&county=650102")  # a 新疆 county under 甘肃
    page.get_by_text("超出您的权限或无效").first.wait_for(timeout=60_000)
    counties = areas(page, lambda a: all(c // 10000 == 62 for c, _, _ in a))
    assert counties and all(c // 10000 == 62 for c, _, _ in counties)
    assert page.locator("div.xz-card").count() == 0
