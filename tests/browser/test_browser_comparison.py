"""The "compared with whom" section of 成效记分卡 in headless Chromium (issue 16, part 4), on the
demo as the open demo viewer, at 1366×768 and 1920×1080: the section renders (heading, chart,
the claim sentence, the 模拟数据 marker, the table), its national figures equal a hand
computation from the database made here (SQL and a loop, not the page's code), and the Chinese
page shows no English. The page is loaded once and read at both sizes.
Screenshots: artifacts/comparison/*.png.
"""

from __future__ import annotations

import math
import re

import duckdb
import pytest
from conftest import ARTIFACTS, AS_OF
from test_browser_chrome import VISIBLE_TEXT, problems, settle
from viewport import resize

from devkit.browser import build_demo, start_server, stop_server, watched_page

SHOTS = ARTIFACTS / "comparison"
NAMES = {
    "enrolment": "在校生数",
    "teacher_retention": "骨干教师留任率（%）",
    "admission_rate": "本科上线率（%）",
}
CALIPER = {"enrolment": None, "teacher_retention": 5.0, "admission_rate": 5.0}  # None: 20%


def by_hand(db) -> dict[str, dict]:
    """Per indicator: n programme, n comparison, the DiD and its two-sample SE, from the tables."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        prog = con.execute(
            """WITH p AS (SELECT project_id, province_adcode,
                   CAST(coalesce(cycle_start, DATE '2022-09-01') AS DATE) AS s FROM project),
               b AS (SELECT project_id, province_adcode,
                   (CASE WHEN month(s) >= 8 THEN year(s) ELSE year(s) - 1 END) - 1 AS by FROM p)
               SELECT b.project_id, b.province_adcode, o.indicator, b.by, o.school_year, o.value
               FROM b JOIN outcome o USING (project_id) WHERE o.school_year >= b.by"""
        ).fetchall()
        comp = con.execute(
            """SELECT c.school_id, c.province_adcode, o.indicator, o.school_year, o.value
               FROM comparison_outcome o JOIN comparison_school c USING (school_id)"""
        ).fetchall()
    finally:
        con.close()
    series: dict = {}
    for pid, prov, ind, by, year, value in prog:
        series.setdefault((pid, ind), {"prov": prov, "by": by, "v": {}})["v"][year] = value
    cv: dict = {}
    for sid, prov, ind, year, value in comp:
        cv.setdefault((prov, ind), {}).setdefault(sid, {})[year] = value
    out = {}
    for ind in NAMES:
        d_p, units = [], {}
        for (_pid, i), s in series.items():
            if i != ind or s["by"] not in s["v"]:
                continue
            later = [y for y in s["v"] if y > s["by"]]
            if not later:
                continue
            b, ly = s["v"][s["by"]], max(later)
            width = 0.2 * abs(b) if CALIPER[ind] is None else CALIPER[ind]
            found = []
            for sid, vals in cv.get((s["prov"], ind), {}).items():
                if s["by"] in vals and ly in vals and abs(vals[s["by"]] - b) <= width + 1e-9:
                    found.append((abs(vals[s["by"]] - b), sid, vals[ly] - vals[s["by"]]))
            if not found:
                continue
            d_p.append(s["v"][ly] - b)
            for _, sid, change in sorted(found)[:3]:
                units[(sid, s["by"], ly)] = change
        d_c = list(units.values())
        mp, mc = sum(d_p) / len(d_p), sum(d_c) / len(d_c)
        vp = sum((x - mp) ** 2 for x in d_p) / (len(d_p) - 1)
        vc = sum((x - mc) ** 2 for x in d_c) / (len(d_c) - 1)
        out[ind] = {
            "n_p": len(d_p),
            "n_c": len({u[0] for u in units}),
            "did": mp - mc,
            "se": math.sqrt(vp / len(d_p) + vc / len(d_c)),
        }
    return out


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("comparison")
    db = build_demo(tmp / "dashboard.duckdb", AS_OF)
    hand = by_hand(db)  # read before the server holds the file
    proc, log, url = start_server(db, tmp / "server.log")
    try:
        yield url, hand
    finally:
        stop_server(proc, log)


# the page's own area (the sidebar's menu is the chrome's, scanned by test_browser_chrome.py)
MAIN_TEXT = VISIBLE_TEXT.replace(
    "document.body", "document.querySelector('[data-testid=\"stMain\"]')"
)
LINE = re.compile(
    r"^全国 · (?P<name>.+?)：差值 (?P<did>[+-][\d,.]+) \S+（95%区间 (?P<low>[+-][\d,.]+) 至 "
    r"(?P<high>[+-][\d,.]+)；项目学校 (?P<np>\d+) 所，对照学校 (?P<nc>\d+) 所）$"
)


def number(text: str) -> float:
    return float(text.replace(",", ""))


SIZES = [(1366, 768), (1920, 1080)]


def test_the_section_renders_with_the_numbers_of_the_database(server, browser):
    """The page is loaded once and read at each size (its text, tables and chart: one state,
    the chart redrawn at the new width), with the screenshots at each."""
    url, hand = server
    SHOTS.mkdir(parents=True, exist_ok=True)
    context, pg = watched_page(browser, *SIZES[0])
    try:
        pg.goto(url + "/scorecard")
        settle(pg)
        for size in SIZES:
            if size != SIZES[0]:
                resize(pg, *size)
            _check(pg, hand, size)
    finally:
        context.close()


def _check(pg, hand: dict, size: tuple[int, int]) -> None:
    at = f"at {size[0]}x{size[1]}"
    heading = pg.get_by_text("与同类学校比较（双重差分）", exact=True)
    heading.wait_for(timeout=60_000)
    heading.scroll_into_view_if_needed()
    pg.locator('[data-testid="stPlotlyChart"]').last.wait_for(timeout=60_000)
    pg.wait_for_timeout(1000)
    pg.screenshot(path=str(SHOTS / f"section_{size[0]}x{size[1]}.png"), full_page=False)
    pg.locator('[data-testid="stPlotlyChart"]').last.scroll_into_view_if_needed()
    pg.wait_for_timeout(1000)
    pg.screenshot(path=str(SHOTS / f"chart_{size[0]}x{size[1]}.png"))
    texts = pg.evaluate(MAIN_TEXT)
    lines = {}
    for text in texts:
        m = LINE.match(text)
        if m:
            lines[m["name"]] = m
    assert set(lines) == set(NAMES.values()), (at, texts[-40:])
    for ind, name in NAMES.items():
        m, h = lines[name], hand[ind]
        assert (int(m["np"]), int(m["nc"])) == (h["n_p"], h["n_c"]), (at, ind)
        assert number(m["did"]) == pytest.approx(h["did"], abs=0.051), (at, ind)
        half = (number(m["high"]) - number(m["low"])) / 2
        assert 1.95 * h["se"] - 0.1 <= half <= 2.0 * h["se"] + 0.1, (at, ind)  # t at df > 60
    joined = " ".join(texts)
    assert "不能证明" in joined, at  # the claim sentence
    assert "模拟数据" in joined, at  # the marker
    assert "比较明细" in joined, at  # the table (a canvas: its cells are not DOM text)
    assert pg.locator('[data-testid="stDataFrame"]').count() >= 3, at
    assert pg.locator('[data-testid="stPlotlyChart"]').count() >= 1, at
    assert problems(texts, "zh") == [], at
    assert "Traceback" not in joined, at
    assert pg.outside == [], at
