"""Programme queries and domain logic against values added up by hand on the tiny fixture, and the
summary table against the base table on the demo database."""

from __future__ import annotations

import io
from datetime import date

import openpyxl
import pandas as pd
import pytest
from conftest import AS_OF

from dashboard_lib import exports, programme, school_calendar
from dashboard_lib.scope import Filters, Viewer

M = Viewer.ministry()


@pytest.fixture
def tiny(tiny_store):
    tiny_store.refresh_summaries()
    return tiny_store


@pytest.mark.parametrize("use_summary", [True, False])
def test_totals_by_hand(tiny, use_summary):
    row = tiny.activity_agg(M, Filters(), use_summary=use_summary).iloc[0]
    assert row["n"] == 8
    assert row["people"] == 1 + 1 + 9 + 1 + 6 + 5
    assert row["person_months"] == 5 + 4 + 18 + 3 + 10
    assert row["participants"] == 40 + 25


@pytest.mark.parametrize("use_summary", [True, False])
def test_scope_and_the_corps_by_hand(tiny, use_summary):
    gansu = tiny.activity_agg(Viewer.province(620000), Filters(), use_summary=use_summary).iloc[0]
    assert (gansu["n"], gansu["people"], gansu["participants"]) == (5, 11, 65)
    corps = tiny.activity_agg(Viewer.province(660000), Filters(), use_summary=use_summary).iloc[0]
    assert (corps["n"], corps["people"]) == (2, 11)
    xinjiang = tiny.activity_agg(Viewer.province(650000), Filters(), use_summary=use_summary).iloc[
        0
    ]
    assert (xinjiang["n"], xinjiang["people"]) == (1, 1)  # the Corps is never folded into 新疆
    # a filter cannot widen the scope
    other = tiny.activity_agg(
        Viewer.province(620000), Filters(provinces=(650000,)), use_summary=use_summary
    )
    assert other.iloc[0]["n"] == 0


@pytest.mark.parametrize("use_summary", [True, False])
def test_terms_by_hand(tiny, use_summary):
    per = tiny.activity_agg(M, Filters(), by=("project_id", "term_code"), use_summary=use_summary)
    p1 = dict(zip(per[per.project_id == 1].term_code, per[per.project_id == 1].n))
    assert p1 == {
        20222: 2,
        20231: 1,
    }  # 2022-09-01 and 2022-10-10 in autumn 2022, 2023-02-20 in spring 2023
    spring = Filters(date_from=date(2023, 2, 1), date_to=date(2023, 7, 31))
    assert tiny.activity_agg(M, spring, use_summary=use_summary).iloc[0]["n"] == 4  # ids 2, 4, 5, 7


def test_odd_date_range_falls_back_to_the_base_table(tiny):
    f = Filters(date_from=date(2023, 3, 1), date_to=date(2023, 3, 10))
    assert tiny.activity_agg(M, f).iloc[0]["n"] == 2  # ids 4 and 5; id 7 starts 2023-03-15


def test_published_only_by_hand(tiny):
    f = Filters(provenance=("published",))
    # the one published activity (id 5) belongs to a simulated project, so nothing is left
    assert tiny.activity_agg(M, f).iloc[0]["n"] == 0
    assert set(tiny.programme_projects(M, f)["project_id"]) == {1, 4}


def test_breakdown_by_level_and_kind(tiny):
    kinds = tiny.activity_agg(M, Filters(), by=("kind",))
    got = dict(zip(kinds["kind"], kinds["people"]))
    assert got["internship"] == 14 and got["dispatch"] == 3 and got["guidance_visit"] == 6


def test_term_codes_tile_the_calendar():
    assert school_calendar.term_code(date(2022, 9, 1)) == 20222
    assert school_calendar.term_code(date(2023, 1, 31)) == 20222
    assert school_calendar.term_code(date(2023, 2, 1)) == 20231
    assert school_calendar.term_code(date(2023, 7, 31)) == 20231
    assert school_calendar.term_bounds(20222) == (date(2022, 8, 1), date(2023, 1, 31))
    assert school_calendar.terms_until(date(2023, 3, 1)) == [20222, 20231]
    assert school_calendar.term_label(20231, "zh") == "2023春"


def test_milestones_against_deadlines_by_hand(tiny):
    st = programme.milestone_status(tiny.project_milestones(M), AS_OF).set_index("project_id")
    assert st.loc[1, "status"] == "ms_on_time"  # 2022-07 (month) counts as 07-31: on time
    assert (st.loc[2, "status"], st.loc[2, "days_late"]) == ("ms_late", 5)  # 2022-08-05
    assert st.loc[3, "status"] == "ms_on_time"  # on the day
    assert st.loc[4, "status"] == "ms_overdue"  # never signed
    counts = programme.milestone_counts(st.reset_index(), 4).set_index("kind")
    assert counts.loc["signed", "ms_late"] == 1 and counts.loc["filed", "ms_no_record"] == 4


def test_cycle_position():
    projects = pd.DataFrame(
        {"project_id": [1], "cycle_start": [date(2022, 9, 1)], "cycle_end": [date(2025, 8, 31)]}
    )
    assert programme.cycle_position(projects, date(2023, 10, 1)).iloc[0]["stage"] == "cycle_year_2"
    assert programme.cycle_position(projects, AS_OF).iloc[0]["stage"] == "cycle_ended"


def test_summary_equals_base_on_the_demo(demo_store):
    assert demo_store.summary_current()
    cases = [
        (M, Filters(), ("province_adcode", "kind"), ""),
        (Viewer.province(620000), Filters(), ("project_id", "term_code"), ""),
        (
            M,
            Filters(date_from=date(2023, 2, 1), date_to=date(2025, 1, 31)),
            ("university_id", "mode"),
            "",
        ),
        (M, Filters(kinds=("internship",)), ("value", "term_code"), "level"),
        (M, Filters(), ("value", "kind"), "subject"),
        (M, Filters(), ("value",), "role"),
    ]
    for viewer, f, by, dim in cases:
        a = demo_store.activity_agg(viewer, f, by=by, dim=dim, use_summary=True)
        b = demo_store.activity_agg(viewer, f, by=by, dim=dim, use_summary=False)
        pd.testing.assert_frame_equal(
            a.reset_index(drop=True), b.reset_index(drop=True), check_dtype=False
        )


def test_summary_equals_raw_rows_in_pandas(demo_store):
    raw = demo_store.activities(M, Filters(), limit=10_000_000)
    expect = raw.groupby("kind").agg(
        n=("activity_id", "size"), people=("people", "sum"), person_months=("person_months", "sum")
    )
    got = demo_store.activity_agg(M, Filters(), by=("kind",), use_summary=True).set_index("kind")
    for kind in expect.index:
        assert got.loc[kind, "n"] == expect.loc[kind, "n"]
        assert got.loc[kind, "people"] == expect.loc[kind, "people"]
        assert got.loc[kind, "person_months"] == pytest.approx(expect.loc[kind, "person_months"])
    days = (
        pd.to_datetime(raw["end_date"].fillna(raw["start_date"]))
        - pd.to_datetime(raw["start_date"])
    ).dt.days + 1
    assert (
        demo_store.activity_agg(M, Filters(), use_summary=True).iloc[0]["person_days"]
        == (raw["people"].fillna(0).astype(float) * days).sum()
    )


def test_stale_summary_is_not_used(tiny):
    with tiny._con.cursor() as cur:
        cur.execute("DELETE FROM activity WHERE activity_id = 8")
    assert not tiny.summary_current()
    assert tiny.activity_agg(M, Filters()).iloc[0]["n"] == 7


@pytest.mark.parametrize("bad", ["=1+1", "+cmd", "-2+3", "@SUM(A1)", '=HYPERLINK("http://x")'])
def test_formula_injection_is_neutralised(bad):
    frame = pd.DataFrame({"学校": [bad, "正常"], "n": [1, 2]})
    text = exports.csv_bytes(frame).decode("utf-8-sig")
    assert f"'{bad}" in text.replace('""', '"')
    wb = openpyxl.load_workbook(io.BytesIO(exports.xlsx_bytes(frame, "t")))
    ws = wb.active
    assert ws["A1"].value == "学校"
    assert ws["A2"].value == "'" + bad and ws["A2"].data_type == "s"
    assert ws["A3"].value == "正常" and ws["B3"].value == 2
    # a column named from data (a school per column, say) is neutralised like a cell
    wide = pd.DataFrame({bad: [1], "正常": [2]})
    head = exports.csv_bytes(wide).decode("utf-8-sig").splitlines()[0]
    assert head.replace('""', '"').lstrip('"').startswith(f"'{bad}"), head
    ws = openpyxl.load_workbook(io.BytesIO(exports.xlsx_bytes(wide, "t"))).active
    assert ws["A1"].value == "'" + bad and ws["A1"].data_type == "s"


def test_dossier_respects_scope(tiny):
    assert programme.dossier_content(tiny, Viewer.province(650000), Filters(), 1) is None
    d = programme.dossier_content(tiny, Viewer.province(620000), Filters(), 1)
    assert d is not None
    assert d.sources == ["https://example.org/a"]
    assert len(d.activities.frame) == 3
