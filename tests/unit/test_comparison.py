"""Compared with whom (issue 16, part 4): the matching and the difference in differences against
numbers worked out by hand; the t quantile; the demo's comparison schools (simulated, labelled,
never a programme school); the scoped reads for each role; the section of the 成效记分卡 page.

The hand case (one indicator, 本科上线率; the programme's baseline school year 2021):

    programme  province  2021   later         change
    P1         甘肃      30.0   2024: 36.0     +6.0
    P2         甘肃      40.0   2023: 43.0     +3.0   (latest 2023: compared over 2021→2023)
    P3         新疆      20.0   2024: 30.0    +10.0
    P5         甘肃      90.0   2024: 95.0     +5.0   (no school near 90: not paired)
    P4         甘肃      —      2023: 50.0            (no baseline: no change at all)

    comparison province  2021   2023   2024
    C1         甘肃      31.0   32.0   33.0    P1: distance 1.0, change +2.0
    C2         甘肃      28.0          29.0    P1: distance 2.0 — the 4th nearest, not taken
    C3         甘肃      41.0   42.0           P2: distance 1.0, change +1.0 (no 2024: not P1's)
    C4         甘肃      36.0          40.0    P1: distance 6.0 > 5 points: outside the caliper
    C5         新疆      22.0          24.0    P3: distance 2.0, change +2.0
    C6         北京      20.0          20.0    another province: never P3's
    C7         甘肃      30.5          34.5    P1: distance 0.5, change +4.0
    C8         甘肃      29.0          29.5    P1: distance 1.0 (tie with C1: C1 first), +0.5
"""

from __future__ import annotations

import math
import re
from datetime import date

import pandas as pd
import pytest
from conftest import ROOT, make_tiny
from streamlit.testing.v1 import AppTest

from dashboard_lib import ui
from dashboard_lib.i18n import t
from dashboard_lib.programme import comparison as cmp
from dashboard_lib.scope import Filters, Viewer
from dashboard_lib.textsafe import md
from dashboard_lib.ui import downloads

GANSU, XINJIANG, BEIJING = 620000, 650000, 110000
START = date(2022, 9, 1)

PROJECTS = pd.DataFrame(
    {
        "project_id": [1, 2, 3, 4, 5],
        "province_adcode": [GANSU, GANSU, XINJIANG, GANSU, GANSU],
        "cycle_start": [START] * 5,
    }
)
OUTCOMES = pd.DataFrame(
    [
        (1, 2021, 30.0),
        (1, 2024, 36.0),
        (2, 2021, 40.0),
        (2, 2023, 43.0),
        (3, 2021, 20.0),
        (3, 2024, 30.0),
        (4, 2023, 50.0),
        (5, 2021, 90.0),
        (5, 2024, 95.0),
    ],
    columns=["project_id", "school_year", "value"],
).assign(indicator="admission_rate")
_C = [  # school, province, {year: value}
    (1, GANSU, {2021: 31.0, 2023: 32.0, 2024: 33.0}),
    (2, GANSU, {2021: 28.0, 2024: 29.0}),
    (3, GANSU, {2021: 41.0, 2023: 42.0}),
    (4, GANSU, {2021: 36.0, 2024: 40.0}),
    (5, XINJIANG, {2021: 22.0, 2024: 24.0}),
    (6, BEIJING, {2021: 20.0, 2024: 20.0}),
    (7, GANSU, {2021: 30.5, 2024: 34.5}),
    (8, GANSU, {2021: 29.0, 2024: 29.5}),
]
COMPARISON = pd.DataFrame(
    [(s, p, y, "admission_rate", v) for s, p, vals in _C for y, v in vals.items()],
    columns=["school_id", "province_adcode", "school_year", "indicator", "value"],
)


def row(results: pd.DataFrame, area: int, indicator: str = "admission_rate") -> pd.Series:
    return results[(results["area"] == area) & (results["indicator"] == indicator)].iloc[0]


# ------------------------------------------------------------------ 1. pure: by hand
def test_programme_changes_from_the_baseline_to_the_latest_year():
    ch = cmp.programme_changes(PROJECTS, OUTCOMES).set_index("unit_id")
    assert sorted(ch.index) == [1, 2, 3, 5]  # P4 has no baseline value
    assert ch.loc[2, ["baseline_year", "latest_year", "change"]].tolist() == [2021, 2023, 3.0]
    assert ch.loc[1, "change"] == 6.0 and ch.loc[3, "change"] == 10.0
    # a second cycle starting in autumn 2023: baseline 2022 (the scorecard's rule)
    later = pd.DataFrame(
        {"project_id": [9], "province_adcode": [GANSU], "cycle_start": [date(2023, 9, 1)]}
    )
    oc = pd.DataFrame(
        {
            "project_id": 9,
            "school_year": [2021, 2022, 2024],
            "indicator": "enrolment",
            "value": [50.0, 60.0, 62.0],
        }
    )
    got = cmp.programme_changes(later, oc).iloc[0]
    assert (got["baseline_year"], got["baseline"], got["change"]) == (2022, 60.0, 2.0)


def test_matching_same_province_same_years_within_the_caliper_three_nearest():
    pairs = cmp.match(cmp.programme_changes(PROJECTS, OUTCOMES), COMPARISON)
    got = {u: list(p["school_id"]) for u, p in pairs.groupby("unit_id")}
    assert got == {1: [7, 1, 8], 2: [3], 3: [5]}  # C2 4th, C4 too far, C6 elsewhere, P5 alone
    p1 = pairs[pairs["unit_id"] == 1].set_index("school_id")
    assert p1["c_change"].to_dict() == {7: 4.0, 1: 2.0, 8: 0.5}
    assert p1["distance"].to_dict() == {7: 0.5, 1: 1.0, 8: 1.0}


def test_enrolment_caliper_is_twenty_percent_of_the_baseline():
    prog = pd.DataFrame(
        {
            "project_id": [1, 1],
            "school_year": [2021, 2024],
            "indicator": "enrolment",
            "value": [1000.0, 1100.0],
        }
    )
    comp = pd.DataFrame(
        [(1, GANSU, y, "enrolment", v) for y, v in ((2021, 1200.0), (2024, 1250.0))]
        + [(2, GANSU, y, "enrolment", v) for y, v in ((2021, 1201.0), (2024, 1300.0))],
        columns=["school_id", "province_adcode", "school_year", "indicator", "value"],
    )
    pairs = cmp.match(cmp.programme_changes(PROJECTS.iloc[:1], prog), comp)
    assert pairs["school_id"].tolist() == [1]  # 200 = 20% of 1,000 is in, 201 is out


def test_difference_in_differences_and_its_interval_by_hand():
    res = cmp.estimate(PROJECTS, OUTCOMES, COMPARISON)
    assert set(res["area"]) == {cmp.ALL, GANSU, XINJIANG}
    # 甘肃: programme P1 +6, P2 +3 (P5 not paired); comparison C7 +4, C1 +2, C8 +0.5, C3 +1
    g = row(res, GANSU)
    assert (g["n_programme"], g["n_comparison"], g["n_unmatched"]) == (2, 4, 1)
    assert g["change_programme"] == pytest.approx(4.5)
    assert g["change_comparison"] == pytest.approx(7.5 / 4)
    assert g["did"] == pytest.approx(2.625)
    assert g["baseline_programme"] == pytest.approx(35.0)
    assert g["baseline_comparison"] == pytest.approx((30.5 + 31.0 + 29.0 + 41.0) / 4)
    a = 4.5 / 2  # s² of {6, 3} = 4.5, over n = 2
    b = (7.1875 / 3) / 4  # squared deviations from 1.875 sum to 7.1875; s² over n = 4
    se = math.sqrt(a + b)
    df = (a + b) ** 2 / (a * a / 1 + b * b / 3)  # Welch–Satterthwaite: 1.57 → 1
    assert g["se"] == pytest.approx(se) and g["df"] == pytest.approx(df)
    assert g["low"] == pytest.approx(2.625 - 12.706 * se)
    assert g["high"] == pytest.approx(2.625 + 12.706 * se)
    # everything in view: programme +6, +3, +10; comparison +4, +2, +0.5, +1, +2
    n = row(res, cmp.ALL)
    assert (n["n_programme"], n["n_comparison"], n["n_unmatched"]) == (3, 5, 1)
    assert n["did"] == pytest.approx(19 / 3 - 1.9)
    a, b = (74 / 6) / 3, (7.2 / 4) / 5  # s² 12.333 over 3; s² 1.8 over 5
    se = math.sqrt(a + b)
    assert n["low"] == pytest.approx(19 / 3 - 1.9 - 4.303 * se)  # df 2.36 → 2
    # 新疆: one school a side: a difference, no interval
    x = row(res, XINJIANG)
    assert x["did"] == pytest.approx(8.0) and math.isnan(x["low"]) and math.isnan(x["se"])
    # an indicator without data: nothing claimed
    e = row(res, cmp.ALL, "enrolment")
    assert e["n_programme"] == 0 and math.isnan(e["did"])


def test_t_quantile():
    assert cmp.t975(1.57) == 12.706  # rounded down
    assert cmp.t975(30) == 2.042
    assert cmp.t975(60) == pytest.approx(2.000, abs=0.001)
    assert cmp.t975(120) == pytest.approx(1.980, abs=0.001)
    assert cmp.t975(0.3) == 12.706


def test_the_table_and_the_sentences_in_both_languages():
    res = cmp.estimate(PROJECTS, OUTCOMES, COMPARISON)
    names = {cmp.ALL: "全国", GANSU: "甘肃", XINJIANG: "新疆"}
    zh = cmp.result_table(res, names, "zh")
    g = zh[(zh["范围"] == "甘肃") & (zh["指标"] == "本科上线率（%）")].iloc[0]
    assert (g["项目学校数"], g["对照学校数"], g["双重差分"]) == (2, 4, 2.6)
    x = zh[(zh["范围"] == "新疆") & (zh["指标"] == "本科上线率（%）")].iloc[0]
    assert x["说明"] == "学校太少，无区间"
    line = cmp.summary_line(row(res, GANSU), "甘肃", "zh")
    assert (
        line.startswith("甘肃 · 本科上线率") and "+2.6 百分点" in line and "项目学校 2 所" in line
    )
    en = cmp.result_table(res, {cmp.ALL: "Nationwide", GANSU: "Gansu", XINJIANG: "Xinjiang"}, "en")
    assert not any(re.search(r"[\u4e00-\u9fff]", str(c)) for c in en.columns)
    for lang in ("zh", "en"):
        claim = cmp.claim_text(lang)
        assert claim.count("。" if lang == "zh" else ". ") <= 1  # one sentence
    assert "不能证明" in cmp.claim_text("zh") and "随机" in cmp.claim_text("zh")
    assert "not prove" in cmp.claim_text("en")


def test_the_figure_has_a_point_and_an_interval_per_area_and_indicator():
    res = cmp.estimate(PROJECTS, OUTCOMES, COMPARISON)
    fig = cmp.figure(res, {cmp.ALL: "全国", GANSU: "甘肃", XINJIANG: "新疆"}, "zh")
    adm = fig.data[2]  # the third panel: 本科上线率
    assert list(adm.y) == ["全国", "甘肃", "新疆"]
    assert adm.x[1] == pytest.approx(2.625)
    g = row(res, GANSU)
    assert adm.error_x.array[1] == pytest.approx(g["high"] - 2.625)
    assert fig.layout.xaxis3.title.text == "差值（百分点）"
    assert fig.layout.xaxis.title.text == "差值（人）"


# ------------------------------------------------------------------ 2. the demo and the store
def test_demo_comparison_schools_are_simulated_and_never_programme_schools(demo_store):
    m = Viewer.ministry()
    schools = demo_store.comparison_schools(m)
    rows = demo_store.comparison_outcomes(m)
    assert len(schools) == 115 * 3
    assert set(schools["provenance"]) == {"simulated"} and set(rows["provenance"]) == {"simulated"}
    assert (
        demo_store._scalar("SELECT count(*) FROM comparison_outcome WHERE source_url IS NOT NULL")
        == 0
    )
    clash = demo_store._scalar(
        """SELECT count(*) FROM comparison_school c JOIN project p
           ON p.school_zh = c.school_zh AND p.county_adcode = c.county_adcode"""
    )
    assert clash == 0
    # every school in a programme province, in a county of that province
    bad = demo_store._scalar(
        """SELECT count(*) FROM comparison_school c LEFT JOIN county k ON k.adcode = c.county_adcode
           WHERE k.province_adcode IS DISTINCT FROM c.province_adcode
              OR c.province_adcode NOT IN (SELECT province_adcode FROM project)"""
    )
    assert bad == 0
    # the page's figure: every project paired, the section marked simulated
    view = cmp.content(demo_store, Viewer.demo(), Filters(), "zh")
    assert view.simulated and view.simulated_lines[0].startswith("模拟数据")
    first = view.results[view.results["area"] == cmp.ALL]
    assert (first["n_programme"] > 100).all()


def test_each_role_sees_the_comparison_schools_of_its_scope(demo_store):
    all_ = demo_store.comparison_schools(Viewer.ministry())
    gansu = demo_store.comparison_schools(Viewer.province(GANSU))
    assert len(gansu) and set(gansu["province_adcode"]) == {GANSU}
    assert len(gansu) == int((all_["province_adcode"] == GANSU).sum())
    uni = int(demo_store.projects(Viewer.ministry()).iloc[0]["university_id"])
    theirs = set(demo_store.projects(Viewer.university([uni]))["province_adcode"].astype(int))
    seen = demo_store.comparison_schools(Viewer.university([uni]))
    assert set(seen["province_adcode"].astype(int)) == theirs
    # the filters narrow: a province in the sidebar; published only (the demo's are simulated)
    assert set(
        demo_store.comparison_schools(Viewer.ministry(), Filters(provinces=(GANSU,)))[
            "province_adcode"
        ]
    ) == {GANSU}
    assert demo_store.comparison_schools(
        Viewer.ministry(), Filters(provenance=("published",))
    ).empty
    # the figure of a province official is its province only
    view = cmp.content(demo_store, Viewer.province(GANSU), Filters(), "zh")
    assert set(view.results["area"]) == {GANSU}


def test_a_database_made_before_the_tables_gets_them(tmp_path):
    s = make_tiny(tmp_path / "old.duckdb")
    try:
        for table in ("comparison_outcome", "comparison_school"):
            s._con.execute(f"DROP TABLE {table}")
        assert s.comparison_schools(Viewer.ministry()).empty
        assert "comparison_school" in set(
            s._df("SELECT table_name FROM information_schema.tables")["table_name"]
        )
    finally:
        s.close()


# ------------------------------------------------------------------ 3. the page
def run(monkeypatch, db, viewer: Viewer, query: dict | None = None) -> AppTest:
    monkeypatch.setenv("XZ_DB_PATH", str(db))
    monkeypatch.setattr(ui, "viewer", lambda: viewer)
    monkeypatch.setattr(downloads, "current_viewer", lambda: viewer)  # the buttons ask it
    at = AppTest.from_file(str(ROOT / "views" / "scorecard.py"), default_timeout=120)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    return at.run()


@pytest.mark.parametrize("who", ["demo", "province", "presenter"])
def test_the_section_on_the_scorecard_page(demo_db, demo_store, monkeypatch, who):
    viewer = {
        "demo": Viewer.demo(),
        "province": Viewer.province(GANSU, name="gansu"),
        "presenter": Viewer.presenter(),
    }[who]
    at = run(monkeypatch, demo_db, viewer)
    assert not at.exception, at.exception
    assert any(s.value == t("cmp_heading", "zh") for s in at.subheader)
    table = next(d.value for d in at.dataframe if "双重差分" in d.value.columns)
    view = cmp.content(demo_store, viewer, Filters(), "zh")
    pd.testing.assert_frame_equal(table.reset_index(drop=True), view.table, check_dtype=False)
    assert any(i.value == cmp.claim_text("zh") for i in at.info)
    assert any(w.value.startswith("模拟数据") for w in at.warning)
    shown = [m.value for m in at.markdown]
    assert len(view.lines) == 3 and all(md(line) in shown for line in view.lines)
    buttons = [b for b in at.get("download_button")]
    if who == "presenter":  # no row-level files for presenters
        assert not buttons
    else:
        assert len(buttons) == 4  # the league's two and the comparison's two
    if who == "province":
        assert set(table["范围"]) == {"甘肃"}
    en = run(monkeypatch, demo_db, viewer, {"lang": "en"})
    assert not en.exception
    assert any("Difference in differences" in d.value.columns for d in en.dataframe)
