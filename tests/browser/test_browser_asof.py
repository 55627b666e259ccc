"""The as-of date and the map's term playback in a real browser (issue 16 part 6), at 1366×768
and 1920×1080, in headless Chromium on the demo database.

- On the overview a user types a past day into the sidebar's 数据截至: the URL keeps ``asof``, the
  page says it shows a past state, and the KPI cards equal the figures computed by hand from the
  database's raw tables (plain SQL here, not the store's queries); the Chinese page shows no
  English of the date input.
- On the map explorer ▶ steps one term, the URL keeps ``term``, a reload shows the same term,
  Back steps back, and Play advances on its own (then Pause holds it).

Screenshots: artifacts/asof/*.png (looked at).
"""

from __future__ import annotations

import re
import time
from datetime import date

import duckdb
import pytest
from conftest import ARTIFACTS, AS_OF

from dashboard_lib.fmt import format_number
from devkit.browser import build_demo, start_server, stop_server, watched_page
from devkit.explorer_page import areas, is_nation, query, wait_query

SHOTS = ARTIFACTS / "asof"
SIZES = [(1366, 768), (1920, 1080)]
DAY = date(2024, 1, 31)  # the end of autumn 2023
LATIN = re.compile(r"[A-Za-z]{3,}")


def by_hand(db, day: date) -> dict[str, float]:
    """Projects signed by ``day`` (the signing, else the cycle's start), and the dispatch rows
    that started by then: people and person-months (the raw tables, in plain SQL)."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        signed = """
            SELECT p.project_id FROM project p
            LEFT JOIN milestone m ON m.project_id = p.project_id AND m.kind = 'signed'
            WHERE coalesce(m.done_date, p.cycle_start) <= ?"""
        (projects,) = con.execute(f"SELECT count(*) FROM ({signed})", [day]).fetchone()
        people, months = con.execute(
            f"""SELECT sum(people), sum(person_months) FROM activity
                WHERE kind = 'dispatch' AND start_date <= ? AND project_id IN ({signed})""",
            [day, day],
        ).fetchone()
        (total,) = con.execute("SELECT count(*) FROM project").fetchone()
    finally:
        con.close()
    return {"projects": projects, "people": people, "months": months, "all_projects": total}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("asof")
    db = build_demo(tmp / "dashboard.duckdb", AS_OF)
    truth = by_hand(db, DAY)
    proc, log, url = start_server(db, tmp / "streamlit.log")
    yield url, truth
    stop_server(proc, log)


def shot(pg, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    pg.wait_for_timeout(600)
    pg.screenshot(path=str(SHOTS / name))


def kpi(pg, label: str) -> str:
    box = pg.locator('[data-testid="stMetric"]', has_text=label).first
    return box.locator('[data-testid="stMetricValue"]').inner_text().strip()


def wait_kpi(pg, label: str, want: str, timeout: float = 30.0) -> str:
    deadline = time.time() + timeout
    got = ""
    while time.time() < deadline:
        got = kpi(pg, label)
        if got == want:
            return got
        pg.wait_for_timeout(200)
    return got


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_as_of_on_the_overview(server, browser, size):
    url, truth = server
    w, h = size
    context, pg = watched_page(browser, w, h)
    try:
        pg.goto(url + "/")
        pg.locator('[data-testid="stMetric"]').first.wait_for(timeout=60_000)
        assert wait_kpi(pg, "托管项目", str(truth["all_projects"])) == str(truth["all_projects"])
        box = pg.locator('[data-testid="stDateInput"]', has_text="数据截至")
        assert box.count() == 1, "the sidebar has the as-of date"
        assert box.locator("input").input_value() == AS_OF.isoformat(), "the default: the data's"
        box.scroll_into_view_if_needed()
        # the field's segments, typed as a user types a day: year, month, day; then a click
        # elsewhere on the page (the field commits its value when it loses the focus)
        box.locator('[data-type="year"]').click()
        pg.keyboard.type(f"{DAY.year}")
        box.locator('[data-type="month"]').click()
        pg.keyboard.type(f"{DAY.month:02d}")
        box.locator('[data-type="day"]').click()
        pg.keyboard.type(f"{DAY.day:02d}")
        pg.locator("h1").first.click()
        q = wait_query(pg, lambda q: q.get("asof") == DAY.isoformat())
        assert q["asof"] == DAY.isoformat()
        pg.get_by_text("数据截至 2024年1月31日").first.wait_for(timeout=30_000)
        assert pg.get_by_text("历史状况").count() >= 1, "the page says it shows a past state"
        # the cards are redrawn once the run with the new day is through: wait for them
        people = format_number(truth["people"])
        assert wait_kpi(pg, "派驻人员（人次）", people, timeout=60) == people
        assert kpi(pg, "驻校人月") == format_number(truth["months"])
        want = str(truth["projects"])
        assert kpi(pg, "托管项目") == want
        # the date input's own words (its text, and what a screen reader is told) are Chinese
        said = box.evaluate(
            """e => [e.innerText, ...[...e.querySelectorAll('[aria-label],[title],[placeholder]')]
                .map(x => [x.getAttribute('aria-label'), x.getAttribute('title'),
                           x.getAttribute('placeholder')].join(' '))].join(' ')"""
        )
        assert LATIN.findall(said) == [], f"English in the Chinese date input: {said}"
        shot(pg, f"overview-asof-{w}x{h}.png")

        # a reload (a shared link) shows the same past state
        pg.reload()
        pg.get_by_text("数据截至 2024年1月31日").first.wait_for(timeout=60_000)
        assert wait_kpi(pg, "派驻人员（人次）", people, timeout=60) == people
        # another page keeps it: the menu's links carry the filters
        pg.goto(url + "/explorer?asof=" + DAY.isoformat())
        pg.get_by_text("数据截至 2024年1月31日").first.wait_for(timeout=60_000)
        assert pg.outside == [], f"requests left localhost: {pg.outside}"
    finally:
        context.close()


def term_shown(pg) -> str:
    """What the playback's term selector shows (its combobox's value)."""
    return pg.locator(".st-key-explorer_term input").first.input_value()


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_term_playback_on_the_map(server, browser, size):
    url, _truth = server
    w, h = size
    context, pg = watched_page(browser, w, h)
    try:
        pg.goto(url + "/explorer")
        assert is_nation(areas(pg, is_nation, timeout=60) or [])
        assert "term" not in query(pg)
        pg.get_by_role("button", name="下一学期 ▶").click()
        wait_query(pg, lambda q: q.get("term") == "20222")
        pg.get_by_text("地图显示 2022秋 学期末（2023年1月31日）").first.wait_for(timeout=30_000)
        pg.get_by_role("button", name="下一学期 ▶").click()
        wait_query(pg, lambda q: q.get("term") == "20231")
        pg.get_by_text("地图显示 2023春 学期末（2023年7月31日）").first.wait_for(timeout=30_000)
        assert term_shown(pg) == "2023春"
        assert is_nation(areas(pg, is_nation) or [])
        shot(pg, f"explorer-term-{w}x{h}.png")

        pg.reload()  # a reload (or a shared link) shows the same term
        pg.get_by_text("地图显示 2023春 学期末").first.wait_for(timeout=60_000)
        assert query(pg).get("term") == "20231" and term_shown(pg) == "2023春"

        pg.go_back()  # Back steps back one term
        wait_query(pg, lambda q: q.get("term") == "20222")
        pg.get_by_text("地图显示 2022秋 学期末").first.wait_for(timeout=30_000)

        pg.get_by_role("button", name="▶ 播放").click()
        pg.get_by_role("button", name="⏸ 暂停").wait_for(timeout=30_000)
        # One term per step, each held on screen: the URL passes 20231 on its way to 20232
        # (no jump), and the map stays on 20231 for a good part of the 2 s step. The margin
        # is wide on purpose: a loaded machine sees the first step late (speed is for the
        # benchmarks; this is about "step by step, not all at once").
        wait_query(pg, lambda q: q.get("term") == "20231", timeout=30)
        first_step = time.time()
        wait_query(pg, lambda q: q.get("term") == "20232", timeout=30)
        held_for = time.time() - first_step
        assert held_for >= 1.0, f"the map left 2023春 after {held_for:.1f} s (a step is ~2 s)"
        pg.get_by_text("地图显示 2023秋 学期末").first.wait_for(timeout=30_000)
        pg.get_by_role("button", name="⏸ 暂停").click()
        pg.get_by_role("button", name="▶ 播放").wait_for(timeout=30_000)
        held = query(pg).get("term")
        pg.wait_for_timeout(4500)
        assert query(pg).get("term") == held, "paused: the term stays"
        shot(pg, f"explorer-paused-{w}x{h}.png")
        assert pg.outside == [], f"requests left localhost: {pg.outside}"
    finally:
        context.close()
