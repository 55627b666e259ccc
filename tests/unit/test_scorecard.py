"""The scorecard (issue 16, part 3): baseline, latest, speed class and data availability against
values worked out by hand; the dossier's head and the league view for the ministry, a province
and a university; a target set through the dossier's form; the demo's simulated targets.

Least-squares slopes below are computed by hand: slope = Σ(x − x̄)(y − ȳ) / Σ(x − x̄)².
"""

from __future__ import annotations

import re
from datetime import date

import pandas as pd
import pytest
from conftest import AS_OF, ROOT
from streamlit.testing.v1 import AppTest

from dashboard_lib import build, ui
from dashboard_lib.programme import scorecard as sc
from dashboard_lib.programme.scorecard import Availability as A
from dashboard_lib.programme.scorecard import Speed as S
from dashboard_lib.scope import Filters, Viewer
from dashboard_lib.store import Store

AS_OF_HAND = date(2024, 3, 1)  # school year 2023 running: the last completed one is 2022


# ------------------------------------------------------------------ 1. the rules, by hand
def test_school_years_are_named_by_the_year_they_start():
    assert sc.school_year_of(date(2022, 8, 1)) == 2022  # the autumn term starts 1 August
    assert sc.school_year_of(date(2022, 7, 31)) == 2021
    assert sc.school_year_of(date(2023, 2, 15)) == 2022
    assert sc.baseline_year(date(2022, 9, 1)) == 2021  # the programme's start: baseline 2021
    assert sc.baseline_year(pd.Timestamp("2023-02-15")) == 2021  # began in school year 2022
    assert sc.baseline_year(date(2025, 9, 1)) == 2024  # a second batch
    assert sc.baseline_year(None) == 2021 and sc.baseline_year(pd.NaT) == 2021
    assert sc.last_complete_year(AS_OF_HAND) == 2022
    assert sc.last_complete_year(date(2026, 11, 28)) == 2025
    assert sc.TARGET_SCHOOL_YEAR == 2024  # 2024–25, ending in summer 2025


def test_least_squares_by_hand():
    # x̄ = 2022.5, ȳ = 33; Σdxdy = (−1.5)(−3) + (−0.5)(−1) + 0.5·0 + 1.5·4 = 11; Σdx² = 5
    assert sc.least_squares([2021, 2022, 2023, 2024], [30, 32, 33, 37]) == pytest.approx(
        (2.2, 33.0)
    )


@pytest.mark.parametrize(
    "slope,latest,latest_year,projected,target,higher,expected",
    [
        (2.2, 37.0, 2024, 36.3, 36.0, True, S.ON_TRACK),  # already there
        (1.5, 83.0, 2023, 84.3, 84.0, True, S.ON_TRACK),  # projected to 2024: reaches it
        (1.5, 83.0, 2023, 84.3, 85.0, True, S.SLOW),  # projected short
        (1.5, 83.0, 2025, 86.0, 85.0, True, S.SLOW),  # the target year is past, not reached
        (0.0, 50.0, 2024, 50.0, 52.0, True, S.SLOW),  # flat, short of the target
        (-25.0, 1950.0, 2023, 1930.0, 1900.0, True, S.REGRESSING),  # above target, but falling
        (1.0, 50.0, 2024, 51.0, None, True, S.NO_TARGET),
        (-0.5, 50.0, 2024, 49.0, None, True, S.REGRESSING),  # regressing needs no target
        (None, 50.0, 2021, None, 40.0, True, S.TOO_FEW),
        # lower is better (none of the three is, but the rule turns round): falling improves
        (-1.0, 10.0, 2024, 10.0, 12.0, False, S.ON_TRACK),
        (-1.0, 14.0, 2023, 13.0, 12.0, False, S.SLOW),
        (1.0, 10.0, 2024, 10.0, 12.0, False, S.REGRESSING),
    ],
)
def test_speed_class(slope, latest, latest_year, projected, target, higher, expected):
    assert sc.speed_class(slope, latest, latest_year, projected, target, higher) is expected


@pytest.mark.parametrize(
    "years,expected",
    [
        (set(), A.NONE),
        ({2019, 2020}, A.NONE),  # before the baseline: not counted
        ({2021}, A.BASELINE_ONLY),
        ({2021, 2022}, A.COMPLETE),  # baseline 2021 to the last completed year 2022
        ({2021, 2022, 2023}, A.COMPLETE),  # a year after it counts when present
        ({2022}, A.PARTIAL),  # no baseline
        ({2021, 2023}, A.PARTIAL),  # 2022 missing
    ],
)
def test_availability(years, expected):
    assert sc.availability(years, 2021, 2022) is expected


# ------------------------------------------------------------------ 2. the frame, by hand
PROJECTS = pd.DataFrame(
    {
        "project_id": [1, 2, 3, 4],
        "cycle_start": [date(2022, 9, 1), date(2022, 9, 1), None, date(2023, 9, 1)],
    }
)


def rows(pid: int, indicator: str, values: dict[int, float]) -> list[tuple]:
    return [(pid, y, indicator, v) for y, v in values.items()]


OUTCOMES = pd.DataFrame(
    rows(1, "admission_rate", {2020: 99, 2021: 30, 2022: 32, 2023: 33})  # 2020: before baseline
    + rows(1, "teacher_retention", {2021: 80, 2022: 81, 2023: 83})
    + rows(1, "enrolment", {2021: 2000, 2022: 1990, 2023: 1950})
    + rows(2, "admission_rate", {2021: 40})  # baseline only
    + rows(2, "enrolment", {2022: 1000, 2023: 1100})  # no baseline
    + rows(4, "admission_rate", {2022: 20, 2023: 21}),  # baseline 2022 (cycle from 2023)
    columns=["project_id", "school_year", "indicator", "value"],
)
TARGETS = pd.DataFrame(
    {
        "project_id": [1, 1, 1, 4],
        "indicator": ["admission_rate", "teacher_retention", "enrolment", "admission_rate"],
        "target": [36.0, 84.0, 1900.0, 30.0],
        "provenance": ["entered", "simulated", "entered", "entered"],
    }
)


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    got = sc.scorecard(PROJECTS, OUTCOMES, TARGETS, AS_OF_HAND)
    return got.set_index(["project_id", "indicator"])


def test_one_row_per_project_and_indicator(frame):
    assert len(frame) == 12
    assert frame.loc[3].index.tolist() == ["enrolment", "teacher_retention", "admission_rate"]


def test_admission_rate_of_project_1(frame):
    r = frame.loc[(1, "admission_rate")]
    # 2021–2023: x̄ = 2022, ȳ = 31.667; Σdxdy = (−1)(−1.667) + 1·1.333 = 3; Σdx² = 2 → 1.5
    assert (r["baseline_year"], r["baseline"]) == (2021, 30.0)  # 2020 is before the baseline
    assert (r["latest_year"], r["latest"], r["n_years"]) == (2023, 33.0, 3)
    assert r["slope"] == pytest.approx(1.5)
    assert r["projected"] == pytest.approx(31.6667 + 1.5 * 2, abs=1e-3)  # 34.667 at 2024
    assert r["speed"] == "slow"  # 34.67 < 36
    assert r["availability"] == "complete"  # 2021 and 2022 (the last completed year)
    assert r["target_provenance"] == "entered"


def test_teacher_retention_projects_to_the_target(frame):
    r = frame.loc[(1, "teacher_retention")]
    # ȳ = 81.333; Σdxdy = (−1)(−1.333) + 1·1.667 = 3 → 1.5; at 2024: 81.333 + 3 = 84.333 ≥ 84
    assert r["slope"] == pytest.approx(1.5)
    assert r["projected"] == pytest.approx(84.3333, abs=1e-3)
    assert r["speed"] == "on_track" and r["target"] == 84.0


def test_enrolment_above_target_but_falling_regresses(frame):
    r = frame.loc[(1, "enrolment")]
    # ȳ = 1980; Σdxdy = (−1)(20) + 1·(−30) = −50 → −25 per year
    assert r["slope"] == pytest.approx(-25.0)
    assert r["speed"] == "regressing"


def test_sparse_and_missing_data(frame):
    assert frame.loc[(2, "admission_rate"), "speed"] == "too_few"
    assert frame.loc[(2, "admission_rate"), "availability"] == "baseline_only"
    no_base = frame.loc[(2, "enrolment")]
    assert pd.isna(no_base["baseline"]) and no_base["availability"] == "partial"
    assert no_base["slope"] == pytest.approx(100.0) and no_base["speed"] == "no_target"
    empty = frame.loc[(3, "enrolment")]
    assert empty["availability"] == "none" and empty["speed"] == "too_few"
    assert pd.isna(empty["latest"]) and empty["n_years"] == 0
    assert pd.isna(frame.loc[(2, "teacher_retention"), "target"])  # not set


def test_a_later_cycle_has_a_later_baseline(frame):
    r = frame.loc[(4, "admission_rate")]
    assert (r["baseline_year"], r["baseline"], r["latest"]) == (2022, 20.0, 21.0)
    # slope 1 per year, at 2024: 22 < 30 → slow; baseline 2022 = the last completed year
    assert r["slope"] == pytest.approx(1.0) and r["projected"] == pytest.approx(22.0)
    assert r["speed"] == "slow" and r["availability"] == "complete"


def test_the_dossier_table_says_not_set_and_names_years():
    scores = sc.scorecard(PROJECTS, OUTCOMES, TARGETS, AS_OF_HAND)
    zh = sc.card_table(scores[scores["project_id"] == 2], "zh")
    assert zh.columns.tolist() == [
        "指标",
        "基线",
        "最新",
        "目标",
        "趋势（每年）",
        "进展速度",
        "数据",
        "目标来源",
    ]
    assert zh["目标"].tolist() == ["未设定"] * 3
    assert zh["基线"].tolist() == ["—", "—", "40.0（2021–2022学年）"]
    assert zh["最新"].tolist()[0] == "1,100（2023–2024学年）"
    assert zh["进展速度"].tolist() == ["未设目标", "数据不足", "数据不足"]
    assert zh["数据"].tolist() == ["部分", "无数据", "仅基线"]
    en = sc.card_table(scores[scores["project_id"] == 1], "en")
    assert en["Target"].tolist() == ["1,900", "84.0", "36.0"]
    assert en["Speed"].tolist() == ["Regressing", "On track", "Slow"]
    assert en["Trend (per year)"].tolist() == ["-25", "+1.5", "+1.5"]
    assert not any(re.search(r"[\u4e00-\u9fff]", str(v)) for v in en.to_numpy().ravel())


def test_league_counts_by_hand():
    scores = sc.scorecard(PROJECTS, OUTCOMES, TARGETS, AS_OF_HAND)
    wide = sc.league_frame(scores).set_index("project_id")
    assert wide.loc[1, "regressing_n"] == 1 and wide.loc[1, "slow_n"] == 1
    assert wide.loc[1, "targets_set"] == 3 and wide.loc[3, "targets_set"] == 0
    projects = PROJECTS.assign(
        province_adcode=[620000, 620000, 650000, 650000],
        province_short=["甘肃", "甘肃", "新疆", "新疆"],
        province_en=["Gansu", "Gansu", "Xinjiang", "Xinjiang"],
    )
    prov = sc.by_province(scores, projects, "en").set_index("Province")
    # 甘肃: project 1 (regressing, on track, slow), project 2 (no target, too few × 2)
    assert prov.loc["Gansu"].to_dict() == {
        "Projects": 2,
        "Regressing": 1,
        "Slow": 1,
        "On track": 1,
        "No target": 1,
        "Too few data": 2,
    }
    # 新疆: project 3 (too few × 3), project 4 (slow, too few × 2)
    assert prov.loc["Xinjiang", "Slow"] == 1 and prov.loc["Xinjiang", "Too few data"] == 5


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_rule_is_one_sentence(lang):
    rule = sc.rule_text(lang)
    assert rule.count("。" if lang == "zh" else ". ") <= 1
    assert "2024–2025" in rule
    assert "2025–2026" in sc.years_text(date(2026, 11, 28), lang)


# ------------------------------------------------------------------ 3. the demo's targets
def test_demo_targets_are_simulated_and_modest(demo_store):
    scores = sc.project_scores(demo_store, Viewer.ministry(), Filters())
    assert len(scores) == 115 * 3
    assert set(scores["target_provenance"]) == {"simulated"}
    gain = scores["target"] - scores["baseline"]
    pct = scores["indicator"] != "enrolment"
    assert (gain[pct] >= 1.0 - 0.051).all() and (gain[pct] <= 5.0 + 0.051).all()
    rel = gain[~pct] / scores.loc[~pct, "baseline"]
    assert (rel > 0.01).all() and (rel < 0.06).all()
    counts = scores["speed"].value_counts()
    assert counts["on_track"] > counts.get("slow", 0) > 0  # a mix, mostly on track
    # the open demo viewer sees them too (simulated rows)
    assert len(demo_store.outcome_targets(Viewer.demo())) == 345


# ------------------------------------------------------------------ 4. the pages, each role
def run(monkeypatch, db, file: str, viewer: Viewer, query: dict | None = None) -> AppTest:
    monkeypatch.setenv("XZ_DB_PATH", str(db))
    monkeypatch.setattr(ui, "viewer", lambda: viewer)
    at = AppTest.from_file(str(ROOT / "views" / file), default_timeout=120)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    return at.run()


def viewers(store: Store) -> dict[str, Viewer]:
    p = store.projects(Viewer.ministry()).iloc[0]
    return {
        "ministry": Viewer.ministry("boss"),
        "province": Viewer.province(int(p["province_adcode"]), name="official"),
        "university": Viewer.university([int(p["university_id"])], name="coordinator"),
    }


def scorecard_frame(at: AppTest) -> pd.DataFrame:
    return next(d.value for d in at.dataframe if "进展速度" in d.value.columns)


@pytest.mark.parametrize("role", ["ministry", "province", "university"])
def test_dossier_head_for_each_role(demo_db, demo_store, monkeypatch, role):
    viewer = viewers(demo_store)[role]
    pid = int(demo_store.projects(viewer).iloc[0]["project_id"])
    at = run(monkeypatch, demo_db, "dossier.py", viewer, {"project": str(pid)})
    assert not at.exception, at.exception
    assert not at.error
    card = scorecard_frame(at)
    expected = sc.scorecard(
        demo_store.programme_projects(viewer, Filters(), project_id=pid),
        demo_store.outcomes(viewer).query("project_id == @pid"),
        demo_store.outcome_targets(viewer, project_id=pid),
        AS_OF,
    )
    assert card["进展速度"].tolist() == [sc.speed_name(s) for s in expected["speed"]]
    assert card["目标来源"].tolist() == ["模拟"] * 3  # the demo's targets say so
    captions = " ".join(str(c.value) for c in at.caption)
    assert "最小二乘" in captions and "模拟数据" in captions
    form = [b for b in at.button if b.label == "保存目标"]
    assert bool(form) == (role != "university")  # only the province and the ministry


@pytest.mark.parametrize("role", ["ministry", "province", "university"])
def test_league_view_for_each_role(demo_db, demo_store, monkeypatch, role):
    viewer = viewers(demo_store)[role]
    at = run(monkeypatch, demo_db, "scorecard.py", viewer)
    assert not at.exception, at.exception
    league = next(d.value for d in at.dataframe if "倒退数" in d.value.columns)
    mine = demo_store.projects(viewer)
    assert league["档案"].str.startswith("/dossier?project=").all()
    linked = league["档案"].str.extract(r"project=(\d+)")[0].astype(int)
    assert sorted(linked) == sorted(mine["project_id"])  # exactly the scope
    # the screen leaves out the county and the project number (1366×768); the download keeps them
    assert "县" not in league.columns and "项目" not in league.columns
    download = sc.league_content(demo_store, viewer, Filters(), "zh").table.download
    assert {"县", "项目", "倒退数", "偏慢数"} <= set(download.columns)
    assert sorted(download["项目"]) == sorted(mine["project_id"])
    # grouped by province, worst first within each
    assert league["省份"].tolist() == sorted(league["省份"], key=league["省份"].tolist().index)
    provinces = next(d.value for d in at.dataframe if "项目数" in d.value.columns)
    assert provinces["项目数"].sum() == len(mine)
    assert len(provinces) == mine["province_adcode"].nunique()
    for _, part in league.groupby("省份", sort=False):
        assert part["倒退数"].is_monotonic_decreasing
    # CSV and XLSX, the product's own export: the league's and the comparison section's
    assert len(at.get("download_button")) == 4
    headers = " ".join(str(c) for d in at.dataframe for c in d.value.columns)
    assert not re.search(r"[A-Za-z]{3,}", headers), headers
    en = run(monkeypatch, demo_db, "scorecard.py", viewer, {"lang": "en"})
    assert not en.exception
    assert any("Regressing" in d.value.columns for d in en.dataframe)


def test_league_of_another_province_in_the_url_is_refused(demo_db, demo_store, monkeypatch):
    at = run(monkeypatch, demo_db, "scorecard.py", Viewer.province(620000), {"province": "650000"})
    assert not at.exception
    assert any("无权" in w.value for w in at.warning)
    league = next(d.value for d in at.dataframe if "倒退数" in d.value.columns)
    assert set(league["省份"]) == {"甘肃"}


def test_a_province_sets_a_target_through_the_dossier(tmp_path, monkeypatch):
    db = tmp_path / "form.duckdb"
    build.build_database(db, build.spec_for(115, None, 2022, AS_OF), progress=lambda _m: None)
    s = Store(db)
    try:
        p = s.projects(Viewer.ministry()).iloc[0]
    finally:
        s.close()
    pid = int(p["project_id"])
    viewer = Viewer.province(int(p["province_adcode"]), name="official")
    at = run(monkeypatch, db, "dossier.py", viewer, {"project": str(pid)})
    at.selectbox(key="score_indicator").set_value("admission_rate")
    at.number_input(key="score_value").set_value(101.0)
    next(b for b in at.button if b.label == "保存目标").click().run()
    assert not at.exception
    assert any("超出范围" in e.value for e in at.error)  # refused in words
    at.number_input(key="score_value").set_value(99.0)
    next(b for b in at.button if b.label == "保存目标").click().run()
    assert not at.exception, at.exception
    assert any("99.0" in m.value for m in at.success), [e.value for e in at.error]
    card = scorecard_frame(at).set_index("指标")
    assert card.loc["本科上线率（%）", "目标"] == "99.0"
    assert card.loc["本科上线率（%）", "目标来源"] == "填报"
    s = Store(db)
    try:
        got = s.outcome_targets(viewer, project_id=pid).set_index("indicator")
        assert got.loc["admission_rate", "target"] == 99.0
        assert got.loc["admission_rate", "set_by"] == "official"
    finally:
        s.close()
