"""Data-quality rules and flags (issue 16, part 7), without a browser: the rules against cases
worked out by hand, flags looked up against the previous school year (in the file, else
stored), the import's check (flagged rows accepted, impossible ones still rejected), the texts
in both languages, the demo's flags against the demo's outcome table read by hand, and the page
for each role (AppTest).
"""

from __future__ import annotations

import re

import pandas as pd
import pytest
from conftest import ROOT

from dashboard_lib import ingest, navigation
from dashboard_lib.ingest import RecordKind
from dashboard_lib.programme import quality
from dashboard_lib.programme.quality import RULES, Flag, broken_rules, flag_outcomes
from dashboard_lib.scope import Viewer
from dashboard_lib.vocab import Role

HAN = re.compile(r"[\u4e00-\u9fff]")
LATIN_WORD = re.compile(r"[A-Za-z]{3,}")


# ------------------------------------------------------------------ the rules, by hand
@pytest.mark.parametrize(
    ("indicator", "value", "previous", "expected"),
    [
        ("enrolment", 3000, 2800, []),  # +7 %
        ("enrolment", 3000, 2000, ["jump"]),  # +50 %
        ("enrolment", 1400, 2000, []),  # -30 % exactly: not more than 30 %
        ("enrolment", 1399, 2000, ["jump"]),  # -30.05 %
        ("enrolment", 250, None, ["range"]),  # below 300, no previous year
        ("enrolment", 250, 2000, ["range", "jump"]),
        ("enrolment", 12000, 11000, ["range"]),  # above 10,000, +9 %
        ("admission_rate", 45, 30, ["jump"]),  # 15 points
        ("admission_rate", 40, 30, []),  # 10 points exactly
        ("admission_rate", 3, 4, ["range"]),  # below 5 %
        ("admission_rate", 97, 96, ["range"]),  # above 95 %
        ("teacher_retention", 100, 95, []),  # no upper bound but 100 itself
        ("teacher_retention", 45, 60, ["range", "jump"]),
        ("teacher_retention", 80, None, []),
        ("happiness", 1e9, 0, []),  # not an indicator: no rule
    ],
)
def test_broken_rules_by_hand(indicator, value, previous, expected):
    assert broken_rules(indicator, value, previous) == expected


def test_the_rules_table_is_one_per_indicator_and_defensible():
    assert set(RULES) == {"enrolment", "teacher_retention", "admission_rate"}
    # the flags sit inside what an import accepts at all (impossible values are refused there)
    for ind, rule in RULES.items():
        low, high = ingest.OUTCOME_RANGES[ind]
        assert rule.low is not None and low <= rule.low
        assert rule.high is None or rule.high <= high
    assert RULES["enrolment"].relative and RULES["enrolment"].jump == 0.30
    assert not RULES["admission_rate"].relative and RULES["admission_rate"].jump == 10.0


def test_flags_look_up_the_previous_year_in_the_file_then_in_the_store():
    rows = pd.DataFrame(
        {
            "project_id": [1, 1, 2],
            "school_year": [2022, 2023, 2023],
            "indicator": ["admission_rate"] * 3,
            "value": [30.0, 45.0, 50.0],
            "row": [2, 3, 4],
        }
    )
    stored = pd.DataFrame(
        {
            "project_id": [1, 2],
            "school_year": [2021, 2022],
            "indicator": ["admission_rate"] * 2,
            "value": [50.0, 48.0],
        }
    )
    got = flag_outcomes(rows, stored)
    assert got == [
        Flag(1, 2022, "admission_rate", 30.0, "jump", 50.0, 2),  # vs stored 2021 (20 points)
        Flag(1, 2023, "admission_rate", 45.0, "jump", 30.0, 3),  # vs the file's 2022
    ]  # project 2: 50 vs stored 48, nothing
    assert flag_outcomes(rows.iloc[0:0], stored) == []


# ------------------------------------------------------------------ the import's check
def test_validate_flags_suspicious_rows_and_still_rejects_impossible_ones(tiny_store):
    table = ingest.read_table(
        "\r\n".join(
            [
                "托管高校,省份,帮扶县中,学年,指标,数值",
                "兰州大学,甘肃,榆中县恩玲中学,2022,在校生数,150",  # suspicious: imported, flagged
                "兰州大学,甘肃,榆中县恩玲中学,2022,本科上线率,130",  # impossible: rejected
                "兰州大学,甘肃,榆中县恩玲中学,2022,骨干教师留任率,85",  # fine
            ]
        ).encode("utf-8"),
        "o.csv",
    )
    viewer = Viewer.province(620000)
    ref = ingest.load_reference(tiny_store, viewer, "outcome")
    pv = ingest.validate(RecordKind.OUTCOME, table, ref, viewer)
    assert pv.n_accepted == 2 and pv.rejected_rows == [3]
    assert [(f.row, f.indicator, f.rule, f.value) for f in pv.flags] == [
        (2, "enrolment", "range", 150.0)
    ]
    frame = quality.preview_flags_frame(pv, "zh")
    assert frame.iloc[0].tolist() == [
        2,
        "数值",
        "榆中县恩玲中学",
        "2022",
        "在校生数",
        "150",
        "超出常见范围（300–10,000）",
        "—",
    ]
    en = quality.preview_flags_frame(pv, "en")
    assert list(en.columns)[:2] == ["Row", "Column"] and not any(HAN.search(c) for c in en.columns)
    assert en.iloc[0]["Rule"] == "Outside the usual range (300–10,000)"
    # an activity import has no flags at all
    assert ingest.Preview(RecordKind.DISPATCH, pd.DataFrame(), [], 0).flags == []


# ------------------------------------------------------------------ the texts
def test_rule_texts_in_both_languages():
    assert quality.rule_text("jump", "enrolment", "zh") == "较上一学年变化超过 30%"
    assert quality.rule_text("jump", "admission_rate", "zh") == "较上一学年变化超过 10 个百分点"
    assert quality.rule_text("range", "admission_rate", "zh") == "超出常见范围（5%–95%）"
    assert quality.rule_text("range", "teacher_retention", "zh") == "超出常见范围（不低于 50%）"
    assert quality.rule_text("range", "teacher_retention", "en") == (
        "Outside the usual range (at least 50%)"
    )
    zh = quality.rules_frame("zh")
    en = quality.rules_frame("en")
    assert len(zh) == len(en) == 3
    assert not any(LATIN_WORD.search(str(v)) for v in [*zh.columns, *zh.to_numpy().ravel()])
    assert not any(HAN.search(str(v)) for v in [*en.columns, *en.to_numpy().ravel()])
    assert quality.again_text(["range", "jump"], "zh") == (
        "更正后的数值仍不符合规则（常见范围、与上一学年相比），已再次标记待核实。"
    )


# ------------------------------------------------------------------ the demo
def test_the_demo_flags_exactly_its_rule_breaking_outcome_rows(demo_store):
    """Read by hand from the demo's outcome table: every value outside its usual range and
    every move beyond the limit from the same project's previous school year."""
    o = demo_store._df("SELECT project_id, school_year, indicator, value FROM outcome")
    prev = o.assign(school_year=o["school_year"] + 1).rename(columns={"value": "previous"})
    m = o.merge(prev, on=["project_id", "school_year", "indicator"], how="left")
    expected = set()
    for r in m.itertuples():
        rule = RULES[r.indicator]
        if r.value < rule.low or (rule.high is not None and r.value > rule.high):
            expected.add((r.project_id, r.school_year, r.indicator, "range"))
        if r.previous == r.previous:  # not NaN
            move = abs(r.value - r.previous)
            limit = rule.jump * r.previous if rule.relative else rule.jump
            if move > limit:
                expected.add((r.project_id, r.school_year, r.indicator, "jump"))
    flags = demo_store.quality_flags(Viewer.ministry())
    got = {
        (int(p), int(y), i, r)
        for p, y, i, r in zip(
            flags["project_id"], flags["school_year"], flags["indicator"], flags["rule"]
        )
    }
    assert got == expected and len(got) > 0  # the page is not empty
    assert set(flags["status"]) == {"flagged"} and set(flags["provenance"]) == {"simulated"}
    assert set(flags["outcome_provenance"]) == {"simulated"}


def test_the_page_is_for_staff_and_offers_no_write_to_the_demo():
    spec = next(p for p in navigation.PAGES if p.file == "views/quality.py")
    assert spec.writes and spec.roles == navigation.STAFF and (ROOT / spec.file).exists()
    assert spec in navigation.pages_for(Viewer.province(620000))
    assert spec in navigation.pages_for(Viewer.university([1]))
    assert spec not in navigation.pages_for(Viewer.demo())
    assert spec not in navigation.pages_for(Viewer.presenter())
    assert not quality_may(Viewer.demo()) and quality_may(Viewer.ministry())


def quality_may(viewer: Viewer) -> bool:
    from dashboard_lib.store import Store

    return Store.may_review_quality(viewer)


def test_page_content_per_role(demo_store):
    """The ministry sees every province's flags with the counts; a province official its own
    (none elsewhere); the table and its counts agree."""
    all_flags = demo_store.quality_flags(Viewer.ministry())
    province = int(
        demo_store._df(
            "SELECT p.province_adcode FROM project p WHERE p.project_id = ?",
            [int(all_flags.iloc[0]["project_id"])],
        ).iloc[0, 0]
    )
    view = quality.quality_content(demo_store, Viewer.ministry(), None, "zh")
    assert view.table is not None and len(view.table.frame) == len(all_flags)
    assert int(view.by_province["合计"].sum()) == len(all_flags)
    assert view.n_flagged == len(all_flags) and len(view.open_flags) == len(all_flags)
    assert view.simulated_note is not None and str(len(all_flags)) in view.simulated_note
    own = quality.quality_content(demo_store, Viewer.province(province), None, "en")
    assert own.table is not None
    mine = all_flags.merge(
        demo_store._df("SELECT project_id, province_adcode FROM project"), on="project_id"
    )
    assert len(own.table.frame) == int((mine["province_adcode"] == province).sum())
    assert not any(HAN.search(c) for c in own.table.frame.columns)
    assert own.by_province["Province"].nunique() == 1
    # the demo viewer may open no such page; if asked, it is offered no action
    demo = quality.quality_content(demo_store, Viewer.demo(), None, "zh")
    assert demo.open_flags == {}
    assert Role.PRESENTER not in navigation.STAFF
