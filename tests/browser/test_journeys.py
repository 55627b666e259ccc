"""The main journeys of each user, end to end in headless Chromium, on every CI run.

(a) a ministry leader signs in and explores the map: nation → 甘肃 → a county → its card → the
    dossier link;
(b) a 甘肃 province official signs in, narrows to a prefecture, downloads the project list (every
    row 甘肃's and that prefecture's), opens a dossier and downloads its activity;
(c) a presenter steps through the deck with the arrow key.

Accounts are made on the database before the server starts. Sign-in lasts for one browser
session, so after signing in the journeys move by clicking, never by ``page.goto``. Any request
leaving localhost fails the journey. Screenshots: artifacts/journeys/*.png (kept after the run).
"""

from __future__ import annotations

import csv
import io
import time
from pathlib import Path

import pytest
from conftest import ARTIFACTS, AS_OF, ROOT

from dashboard_lib import auth, geo, present
from dashboard_lib.i18n import t
from dashboard_lib.scope import Viewer
from dashboard_lib.store import Store
from devkit.browser import build_demo, start_server, stop_server, watched_page
from devkit.explorer_page import FRAME, areas, click_area, is_nation

SHOTS = ARTIFACTS / "journeys"
GANSU = 620000
PW = "journey-password-2026"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("journeys")
    db = tmp / "dashboard.duckdb"
    build_demo(db, AS_OF)
    store = Store(db)
    auth.create_user(store, "leader", "ministry", PW)
    auth.create_user(store, "gansu", "province", PW, province_adcode=GANSU)
    # what each journey must see, read before the server takes the file's lock
    truth = {
        "gansu": store.projects(Viewer.province(GANSU)),
        "nation": store.projects(Viewer.ministry()),
    }
    gansu_ids = truth["gansu"]["project_id"].astype(int).tolist()
    truth["activity"] = (
        store._df(
            "SELECT project_id, count(*) AS n FROM activity WHERE list_contains(?::INTEGER[], project_id) "
            "GROUP BY project_id",
            [gansu_ids],
        )
        .set_index("project_id")["n"]
        .to_dict()
    )
    store.checkpoint()
    store.close()
    proc, log, url = start_server(db, tmp / "streamlit.log")
    yield url, truth
    stop_server(proc, log)


@pytest.fixture
def page(browser):
    context, pg = watched_page(browser, 1600, 1100, accept_downloads=True)
    yield pg
    context.close()


# each map frame: left from an earlier run (stale), shown, kept hidden by Streamlit (retained),
# its place and height
MAP_STATES = f"""() => [...document.querySelectorAll("{FRAME}")]
  .map(f => ({{stale: f.closest('[data-stale]')?.getAttribute('data-stale'),
              shown: f.checkVisibility(),
              retained: !!f.closest('[data-retained]'),
              top: Math.round(f.getBoundingClientRect().top),
              height: Math.round(f.getBoundingClientRect().height)}}))"""


def shot(pg, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    time.sleep(0.6)
    pg.screenshot(path=str(SHOTS / name), full_page=True)


def sign_in(pg, url: str, user: str) -> None:
    pg.goto(url + "/")
    pg.get_by_role("link", name="登录").click()
    pg.get_by_label("用户名").fill(user)
    pg.get_by_label("密码").fill(PW)
    pg.get_by_role("button", name="登录").click()
    pg.get_by_text(f"当前用户：{user}").wait_for(timeout=30_000)


def csv_rows(download) -> list[dict]:
    raw = Path(download.value.path()).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "UTF-8 with BOM for Excel"
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))


def no_traceback(pg) -> None:
    assert pg.locator('[data-testid="stException"]').count() == 0
    assert "Traceback" not in pg.inner_text("body")


# ---------------------------------------------------------------------- (a) the leader explores
def test_leader_explores_the_map(server, page):
    url, truth = server
    sign_in(page, url, "leader")
    page.get_by_role("link", name="地图探索").click()
    nation = areas(page, is_nation, timeout=60)
    assert nation and is_nation(nation), "the national view draws 35 provincial units"
    shot(page, "a1-leader-nation.png")

    click_area(page, GANSU, geo.load_provinces().set_index("adcode").geometry[GANSU])
    counties = areas(page, lambda a: all(c // 10000 == 62 for c, _, _ in a))
    assert {c for c, _, _ in counties} == set(geo.load_counties([GANSU])["adcode"].astype(int))
    page.wait_for_url("**province=620000**")
    shot(page, "a2-leader-gansu.png")

    gansu = truth["gansu"]
    row = gansu[gansu["has_boundary"]].iloc[0]
    code = int(row["county_adcode"])
    click_area(page, code, geo.load_counties([GANSU]).set_index("adcode").geometry[code])
    page.wait_for_url(f"**county={code}**")
    card = page.locator("div.xz-card", has_text=row["school_zh"]).first
    card.wait_for(timeout=30_000)
    assert "数据来源" in card.inner_text()
    page.get_by_text("当前用户：leader").wait_for()  # still signed in after three clicks
    shot(page, "a3-leader-county-card.png")

    # the link keeps the view (issue 13): the project first, then the province and the county
    link = card.locator(f'a[href^="/dossier?project={int(row["project_id"])}&province={GANSU}"]')
    assert link.count() == 1
    link.click()
    page.wait_for_url(f"**/dossier?project={int(row['project_id'])}**")
    page.get_by_role("heading", name=row["school_zh"]).wait_for(timeout=60_000)
    page.locator('[data-testid="stDataFrame"]').first.wait_for(timeout=60_000)
    page.locator('[data-testid="stPlotlyChart"]').first.wait_for(timeout=60_000)
    no_traceback(page)
    shot(page, "a4-leader-dossier.png")
    assert page.outside == [], f"requests left localhost: {page.outside}"
    # the card's link is a full page load (a new Streamlit session): the sign-in cookie keeps
    # the leader signed in
    page.get_by_text("当前用户：leader").first.wait_for(timeout=30_000)


# ---------------------------------------------------------------------- (b) the province official
def test_province_official_filters_opens_a_dossier_and_downloads(server, page):
    url, truth = server
    gansu = truth["gansu"]
    sign_in(page, url, "gansu")
    page.get_by_role("link", name="概览").click()
    page.locator('[data-testid="stMetricValue"]', has_text=str(len(gansu))).first.wait_for(
        timeout=60_000
    )

    # the prefecture with the most projects (ties: the first by name), computed from the rows
    counts = gansu.groupby("prefecture_zh")["project_id"].count()
    prefecture = sorted(counts[counts == counts.max()].index)[0]
    in_pref = gansu[gansu["prefecture_zh"] == prefecture]
    page.locator('[data-testid="stMultiSelect"]', has_text="地市").click()
    page.get_by_role("option", name=prefecture, exact=True).click()
    page.keyboard.press("Escape")
    page.locator('[data-testid="stMetricValue"]', has_text=str(len(in_pref))).first.wait_for(
        timeout=60_000
    )
    # while the page runs, the map drawn before the filter stays beside the new one, marked
    # stale (Streamlit shows the last run's elements until the run ends; its status widget can
    # be gone a moment before the run is: CI once found the only map shown still stale there).
    # Streamlit's frontend may also keep a replaced element in the page, hidden ("retained",
    # display:none), so it can come back without reloading. Once the app says its run has ended,
    # the user must see one map, of this run, drawn.
    ended = page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]')
    deadline = time.time() + 60
    while True:
        done = ended.count() == 1  # read before the maps: their states are then the ended run's
        states = page.evaluate(MAP_STATES)
        shown = [s for s in states if s["shown"]]
        if (done and len(shown) == 1) or time.time() > deadline:
            break
        page.wait_for_timeout(200)
    assert done, f"the page still runs 60 s after the filter: {states}"
    assert len(shown) == 1, f"{len(shown)} maps shown once the run ended: {states}"
    assert shown[0]["stale"] == "false", f"the map shown is an earlier run's: {states}"
    page.frame_locator(f"{FRAME}:visible").locator("path.leaflet-interactive").first.wait_for(
        state="attached", timeout=60_000
    )
    page.wait_for_timeout(1000)
    shot(page, "b1-gansu-prefecture.png")

    with page.expect_download() as dl:
        page.get_by_role("button", name="下载 CSV").first.click()
    rows = csv_rows(dl)
    col_p, col_s = t("col_province", "zh"), t("col_school", "zh")
    assert len(rows) == len(in_pref)
    assert {r[col_p] for r in rows} == {"甘肃"}, "every downloaded row is 甘肃's"
    assert sorted(r[col_s] for r in rows) == sorted(in_pref["school_zh"])

    # a dossier of one of the prefecture's projects, and its activity as CSV
    page.get_by_role("link", name="项目档案").click()
    page.get_by_role("heading", name=t("prog_dossier_title", "zh")).wait_for(timeout=60_000)
    pick = page.locator('[data-testid="stSelectbox"]', has_text=t("prog_dossier_pick", "zh"))
    try:
        pick.wait_for(timeout=60_000)
    finally:
        shot(page, "b2-gansu-dossier-pick.png")
    pick.click()
    options = page.get_by_role("option")
    names = [o.inner_text() for o in options.all()]
    assert names and names[0] == "—"
    # the list holds exactly the filtered projects (the filter holds across pages)
    assert sorted(int(n.split(" · ")[0]) for n in names[1:]) == sorted(
        in_pref["project_id"].astype(int)
    )
    options.nth(1).click()
    pid = int(names[1].split(" · ")[0])
    school = in_pref.set_index("project_id").loc[pid, "school_zh"]
    page.get_by_role("heading", name=school).wait_for(timeout=60_000)
    page.get_by_text("当前用户：gansu").wait_for()
    with page.expect_download() as dl2:
        # the activities' own button (the cycles' table, new in issue 16, comes before it)
        page.locator(".st-key-dl_activities_csv button").click()
    assert dl2.value.suggested_filename == f"project_{pid}_activities.csv"
    acts = csv_rows(dl2)
    assert len(acts) == truth["activity"][pid], "the download holds every activity of the project"
    no_traceback(page)
    shot(page, "b3-gansu-dossier.png")
    assert page.outside == [], f"requests left localhost: {page.outside}"


# ---------------------------------------------------------------------- (c) the presenter
@pytest.mark.skipif(not (ROOT / "views" / "presenter.py").exists(), reason="no presenter page yet")
def test_presenter_steps_through_the_deck(server, page):
    url, _ = server
    page.goto(url + "/presenter")
    deck = None
    deadline = time.time() + 60
    while time.time() < deadline and deck is None:
        for frame in page.frames:
            try:
                if frame.evaluate("() => document.body && document.body.dataset.key || ''"):
                    deck = frame
                    break
            except Exception:  # a frame still loading
                pass
        time.sleep(0.3)
    assert deck is not None, "the deck did not render"
    seen = [deck.evaluate("() => document.body.dataset.key")]
    shot(page, "c1-deck-first.png")
    for _ in range(len(present.SLIDES) - 1):
        deck.locator("body").click(position={"x": 5, "y": 5})
        deck.page.keyboard.press("ArrowRight")
        before = seen[-1]
        end = time.time() + 10
        while time.time() < end and deck.evaluate("() => document.body.dataset.key") == before:
            time.sleep(0.1)
        seen.append(deck.evaluate("() => document.body.dataset.key"))
    assert seen == list(present.SLIDES), seen
    shot(page, "c2-deck-last.png")
    no_traceback(page)
    assert page.outside == [], f"requests left localhost: {page.outside}"
