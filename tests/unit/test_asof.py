"""The as-of date ("数据截至", issue 16 part 6): every read shows the programme as it was that day.

By hand on the tiny fixture (which project existed, which activity counted, which milestone was
done), against pandas over the raw rows of the demo for many days and viewers (summary path and
base-table path alike), the term reports and approvals as their timestamps stood (both backends),
and the URL's ``asof`` / ``term`` parameters.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, datetime

import pandas as pd
import pytest
from conftest import ROOT, make_tiny, on_backend, run_sql

from dashboard_lib import explorer, urlstate
from dashboard_lib.i18n import t
from dashboard_lib.programme import progress_content, reporting, vlabel
from dashboard_lib.programme.scorecard import league_content, project_card, project_scores
from dashboard_lib.school_calendar import term_bounds
from dashboard_lib.scope import Filters, Viewer, effective_as_of, last_complete_school_year
from dashboard_lib.store import reporting as store_reporting
from dashboard_lib.store.summary import summary_predicate, summary_terms
from dashboard_lib.ui import filters as filters_ui

M = Viewer.ministry()
VIEWERS = [M, Viewer.province(620000), Viewer.province(660000), Viewer.university([1, 2])]
VIEWERS += [Viewer.demo()]


@pytest.fixture
def tiny(tmp_path):
    s = make_tiny(tmp_path / "tiny.duckdb")
    s.refresh_summaries()
    yield s
    s.close()


# ---------------------------------------------------------------------- the rules, by hand
def test_last_complete_school_year():
    assert last_complete_school_year(date(2024, 7, 31)) == 2023  # 2023-24 ends that day
    assert last_complete_school_year(date(2024, 7, 30)) == 2022
    assert last_complete_school_year(date(2024, 1, 31)) == 2022
    assert last_complete_school_year(date(2024, 8, 1)) == 2023


def test_summary_answers_only_at_a_terms_last_day():
    assert summary_terms(Filters(as_of=date(2024, 1, 31))) == (None, 20232)
    assert summary_terms(Filters(as_of=date(2024, 7, 31))) == (None, 20241)
    assert summary_terms(Filters(as_of=date(2024, 1, 30))) is None  # not a term's end
    assert summary_predicate(Filters(as_of=date(2024, 1, 30))) is None
    # a date range ending later is cut at the as-of term; one ending earlier stays
    wide = Filters(date_from=date(2022, 8, 1), date_to=date(2025, 7, 31), as_of=date(2024, 1, 31))
    assert summary_terms(wide) == (20222, 20232)
    narrow = Filters(date_to=date(2023, 7, 31), as_of=date(2024, 7, 31))
    assert summary_terms(narrow) == (None, 20231)


def test_tiny_by_hand(tiny):
    # 2022-07-15: only project 1 is signed (07-01); 3 signs 07-31, 2 on 08-05, 4 never (no
    # signing, no cycle start): no activity has started yet
    early = Filters(as_of=date(2022, 7, 15))
    assert tiny.projects(M, early)["project_id"].tolist() == [1]
    row = tiny.metrics(M, early).iloc[0]
    assert (row["projects"], row["activities"]) == (1, 0)
    # the end of autumn 2022: projects 1, 2, 3; activities 1, 3 (project 1) and 6 (project 3)
    jan = Filters(as_of=date(2023, 1, 31))
    assert tiny.projects(M, jan)["project_id"].tolist() == [1, 2, 3]
    for use_summary in (True, False):
        row = tiny.metrics(M, jan, use_summary=use_summary).iloc[0]
        assert (row["projects"], row["activities"]) == (3, 3)
        assert row["people_dispatched"] == 2 and row["person_months"] == 8.0
        assert row["trainings"] == 1 and row["training_participants"] == 40
    assert sorted(tiny.activities(M, jan)["activity_id"]) == [1, 3, 6]
    gansu = tiny.metrics(Viewer.province(620000), jan).iloc[0]
    assert (gansu["projects"], gansu["activities"]) == (2, 2)
    # a milestone done after the day reads as not yet done: project 2 signed 2022-08-05
    ms = tiny.milestones(M, Filters(as_of=date(2022, 8, 1))).set_index("project_id")
    assert list(ms.index) == [1, 3] and ms["done_date"].notna().all()
    # with the project of the day in view, its signing shown only once it happened
    shown = tiny.project_milestones(M, Filters(as_of=date(2022, 8, 10)))
    assert shown.set_index("project_id").loc[2, "done_date"] == pd.Timestamp(2022, 8, 5)
    # no as-of: today, every row (the fixture's four projects, eight activities)
    assert tiny.metrics(M).iloc[0]["activities"] == 8 and len(tiny.projects(M)) == 4


def test_milestone_done_after_the_day_is_not_done(tiny):
    run_sql(
        tiny,
        "INSERT INTO milestone (project_id, kind, due_date, done_date, provenance) "
        "VALUES (1, 'filed', DATE '2022-09-30', DATE '2022-09-01', 'simulated')",
    )
    before, after = Filters(as_of=date(2022, 8, 31)), Filters(as_of=date(2022, 9, 1))
    ms = tiny.milestones(M, before).set_index(["project_id", "kind"])
    assert pd.isna(ms.loc[(1, "filed"), "done_date"])
    assert ms.loc[(1, "signed"), "done_date"] == pd.Timestamp(2022, 7, 1)
    ms = tiny.milestones(M, after).set_index(["project_id", "kind"])
    assert ms.loc[(1, "filed"), "done_date"] == pd.Timestamp(2022, 9, 1)
    pm = tiny.project_milestones(M, before).set_index(["project_id", "kind"])
    assert pd.isna(pm.loc[(1, "filed"), "done_date"])
    # the explorer's milestone share on 31 Aug: the filing is not due yet, the signings are met
    share = tiny.explorer_milestone_share(M, before).set_index("key")
    assert share.loc[620000, "due"] == 2 and share.loc[620000, "met"] == 1  # project 2: late
    share = tiny.explorer_milestone_share(M, Filters(as_of=date(2022, 9, 30)))
    assert share.set_index("key").loc[620000, "due"] == 3
    assert share.set_index("key").loc[620000, "met"] == 2  # filed on 1 Sep, due 30 Sep
    cards = tiny.explorer_cards(M, before).set_index("project_id")
    assert sorted(cards.index) == [1, 2, 3] and cards.loc[1, "signed_date"] == pd.Timestamp(
        2022, 7, 1
    )


def test_outcomes_of_complete_school_years(tiny):
    run_sql(
        tiny,
        "INSERT INTO outcome VALUES (1, 2022, 'ben_rate', 40, 'simulated', NULL, NULL), "
        "(1, 2023, 'ben_rate', 44, 'simulated', NULL, NULL)",
    )
    years = lambda d: sorted(tiny.outcomes(M, Filters(as_of=d))["school_year"])  # noqa: E731
    assert years(date(2023, 7, 30)) == []
    assert years(date(2023, 7, 31)) == [2022]
    assert years(date(2024, 7, 31)) == [2022, 2023]
    assert sorted(tiny.project_outcomes(M, Filters(as_of=date(2024, 1, 31)))["school_year"]) == [
        2022
    ]
    trend = tiny.outcome_trend(M, Filters(as_of=date(2024, 1, 31)))
    assert trend["school_year"].tolist() == [2022] and trend["mean"].tolist() == [40.0]


# ---------------------------------------------------------------------- the demo, against pandas
def _by_hand(store, viewer: Viewer, as_of: date) -> dict[str, float]:
    """Projects, activities and person-months of the viewer on ``as_of``, from the raw tables."""
    con = store._con
    p = con.execute("SELECT * FROM project").df()
    ms = con.execute("SELECT project_id, done_date FROM milestone WHERE kind = 'signed'").df()
    a = con.execute("SELECT * FROM activity").df()
    p = p.merge(ms, on="project_id", how="left")
    signed = pd.to_datetime(p["done_date"]).fillna(pd.to_datetime(p["cycle_start"]))
    p = p[signed <= pd.Timestamp(as_of)]
    if viewer.provinces is not None:
        p = p[p["province_adcode"].isin(viewer.provinces)]
    if viewer.universities is not None:
        p = p[p["university_id"].isin(viewer.universities)]
    if viewer.provenances is not None:
        p = p[p["provenance"].isin(viewer.provenances)]
        a = a[a["provenance"].isin(viewer.provenances)]
    a = a[
        a["project_id"].isin(p["project_id"])
        & (pd.to_datetime(a["start_date"]) <= pd.Timestamp(as_of))
    ]
    return {
        "projects": len(p),
        "activities": len(a),
        "person_months": float(a.loc[a["kind"] == "dispatch", "person_months"].fillna(0).sum()),
    }


DAYS = [date(2022, 7, 31), date(2022, 8, 10), date(2023, 1, 31), date(2024, 3, 15)]
DAYS += [date(2024, 7, 31), date(2025, 1, 31)]


@pytest.mark.parametrize("as_of", DAYS, ids=str)
def test_demo_figures_equal_a_direct_computation(demo_store, as_of):
    for viewer in [*VIEWERS, Viewer.province(530000)]:
        want = _by_hand(demo_store, viewer, as_of)
        f = Filters(as_of=as_of)
        for use_summary in (True, False):
            row = demo_store.metrics(viewer, f, use_summary=use_summary).iloc[0]
            got = {k: row[k] for k in want}
            assert got["projects"] == want["projects"], (viewer, use_summary)
            assert got["activities"] == want["activities"], (viewer, use_summary)
            assert got["person_months"] == pytest.approx(want["person_months"])
        by = demo_store.metrics(viewer, f, by="province", use_summary=True)
        base = demo_store.metrics(viewer, f, by="province", use_summary=False)
        pd.testing.assert_frame_equal(by, base)


def test_summary_is_used_at_a_terms_last_day(demo_store, monkeypatch):
    """At a term's end the per-term summary answers (the playback's days); else the base table."""
    seen: list[str] = []
    real = type(demo_store)._df

    def spy(self, sql, params=()):
        seen.append(sql)
        return real(self, sql, params)

    monkeypatch.setattr(type(demo_store), "_df", spy)
    demo_store.metrics(M, Filters(as_of=term_bounds(20232)[1]))
    assert "activity_summary" in seen[-1]
    demo_store.metrics(M, Filters(as_of=date(2024, 1, 30)))
    assert "activity_summary" not in seen[-1] and "FROM activity a" in seen[-1]


def test_programme_aggregates_equal_both_paths(demo_store):
    f = Filters(as_of=date(2024, 1, 31))
    a = demo_store.activity_agg(M, f, by=("province_adcode", "kind"), use_summary=True)
    b = demo_store.activity_agg(M, f, by=("province_adcode", "kind"), use_summary=False)
    pd.testing.assert_frame_equal(a, b)
    assert a["n"].sum() == _by_hand(demo_store, M, date(2024, 1, 31))["activities"]


# ---------------------------------------------------------------------- reports and approvals
@pytest.fixture(params=["duckdb", "postgresql"])
def store(tmp_path, request):
    s = on_backend(make_tiny(tmp_path / "asof.duckdb"), request.param, request)
    yield s
    s.close()


def test_reports_and_approvals_as_they_stood(store, monkeypatch):
    now = {"at": datetime(2023, 8, 20, 10, 0)}
    monkeypatch.setattr(store_reporting, "_now", lambda: now["at"])
    lzu, gansu = Viewer.university([1]), Viewer.province(620000)
    store.submit_term_report(lzu, 1, 20231)  # 20 Aug
    now["at"] = datetime(2023, 8, 25, 9, 0)
    store.review_term_report(gansu, 1, 20231, False, "缺少名单")  # returned 25 Aug
    now["at"] = datetime(2023, 9, 3, 9, 0)
    store.submit_term_report(lzu, 1, 20231)
    store.review_term_report(gansu, 1, 20231, True)  # accepted 3 Sep
    store.submit_term_report(Viewer.university([2]), 2, 20231)  # Gansu's other project
    store.review_term_report(gansu, 2, 20231, True)
    now["at"] = datetime(2023, 9, 10, 9, 0)
    store.approve_term(M, 20231, 620000)
    now["at"] = datetime(2023, 10, 1, 9, 0)
    store.reopen_term(M, 20231, 620000, "更正派驻人数")
    # the audit log keeps the wall clock: its line of the return written as on 25 Aug
    run_sql(
        store,
        "UPDATE audit_log SET logged_at = ? WHERE action = 'term_report_return'",
        [datetime(2023, 8, 25, 9, 0)],
    )

    def report(day: date) -> dict | None:
        rows = store.term_reports(M, 20231, as_of=day)
        rows = rows[rows["project_id"] == 1]
        return None if rows.empty else rows.iloc[0].to_dict()

    assert report(date(2023, 8, 19)) is None  # not yet submitted: missing
    first = report(date(2023, 8, 20))
    assert first is not None and first["status"] == "submitted"
    assert pd.isna(first["reviewed_at"])
    assert report(date(2023, 8, 24))["status"] == "submitted"  # type: ignore[index]
    assert report(date(2023, 8, 31))["status"] == "returned"  # type: ignore[index]
    assert report(date(2023, 9, 3))["status"] == "accepted"  # type: ignore[index]
    assert report(date(2023, 9, 3)) == report(None)  # type: ignore[arg-type]

    assert store.term_approvals(M, as_of=date(2023, 9, 9)).empty
    locked = store.term_approvals(M, as_of=date(2023, 9, 30))
    assert locked["locked"].tolist() == [True] and locked["reopened_at"].isna().all()
    assert store.approved_pairs(M, as_of=date(2023, 9, 30)) == {(20231, 620000)}
    assert store.approved_pairs(M, as_of=date(2023, 10, 1)) == frozenset()
    assert store.approved_pairs(M) == frozenset()
    # scope holds: another province sees nothing of Gansu's, as of any day
    assert store.term_approvals(Viewer.province(650000), as_of=date(2023, 9, 30)).empty
    assert store.term_reports(Viewer.province(650000), as_of=date(2023, 9, 30)).empty
    mine = store.term_reports(Viewer.university([2]), as_of=date(2023, 9, 30))
    assert mine["project_id"].tolist() == [2]


# ---------------------------------------------------------------------- the URL
def _ref() -> urlstate.Reference:
    terms = (20221, 20222, 20231, 20232, 20241)
    return urlstate.Reference(
        (620000, 650000),
        terms,
        lambda _p: urlstate.Choices(("兰州市",), (1, 2)),
        latest=date(2024, 5, 1),
    )


def test_url_as_of_round_trip():
    f, warnings = urlstate.filters_from_url({"asof": "2024-01-31"}, M, _ref())
    assert f.as_of == date(2024, 1, 31) and warnings == ()
    sel, _ = urlstate.resolve({"asof": "2024-01-31"}, M, _ref())
    assert urlstate.to_params(sel, _ref().terms)["asof"] == "2024-01-31"
    none, _ = urlstate.filters_from_url({}, M, _ref())
    assert none.as_of is None
    sel, _ = urlstate.resolve({}, M, _ref())
    assert urlstate.to_params(sel, _ref().terms)["asof"] is None


@pytest.mark.parametrize("bad", ["2024-13-01", "yesterday", "2019-01-01", "2099-01-01"])
def test_url_as_of_refused(bad):
    f, warnings = urlstate.filters_from_url({"asof": bad}, M, _ref())
    assert f.as_of is None and warnings == (urlstate.BAD_FILTER,)


# ---------------------------------------------------------------------- the map's playback
TERMS_PLAY = [20222, 20231, 20232, 20241]


def test_step_term_and_at_term():
    assert explorer.step_term(None, TERMS_PLAY, 1) == 20222  # ▶ from the latest view: the first
    assert explorer.step_term(None, TERMS_PLAY, -1) == 20241
    assert explorer.step_term(20231, TERMS_PLAY, 1) == 20232
    assert explorer.step_term(20231, TERMS_PLAY, -1) == 20222
    assert explorer.step_term(20241, TERMS_PLAY, 1) is None  # the play button stops there
    assert explorer.step_term(20222, TERMS_PLAY, -1) is None
    latest = date(2024, 5, 1)
    assert explorer.at_term(Filters(), 20231, latest).as_of == date(2023, 7, 31)
    assert explorer.at_term(Filters(), 20232, latest).as_of == date(2024, 1, 31)
    assert explorer.at_term(Filters(), 20241, latest) == Filters()  # the current term: latest
    assert explorer.at_term(Filters(), None, latest) == Filters()
    # never past the sidebar's own as-of day
    mine = Filters(provinces=(620000,), as_of=date(2023, 10, 1))
    assert explorer.at_term(mine, 20232, latest) == mine
    assert explorer.at_term(mine, 20231, latest).as_of == date(2023, 7, 31)


def test_term_in_the_url():
    county_province = {620123: 620000}
    parsed = explorer.parse_view(
        {"term": "20231"}, M, [620000, 650000], county_province, TERMS_PLAY
    )
    assert parsed.state.term == 20231 and not parsed.refused
    assert parsed.state.to_params()["term"] == "20231"
    assert explorer.url_agrees({"term": "20231"}, parsed)
    assert not explorer.url_agrees({}, parsed)  # the page writes the term back
    back = explorer.view_query({"lang": "en", "term": "20222"}, parsed.state)
    assert back["term"] == "20231" and back["lang"] == "en"
    for bad in ("20299", "2023", "x", "20211"):
        got = explorer.parse_view({"term": bad}, M, [620000, 650000], county_province, TERMS_PLAY)
        assert got.state.term is None and got.refused, bad
    # a drill-down keeps the term (Back and Forward walk both)
    down = explorer.drill(parsed.state, 620000, [620000, 650000], county_province)
    assert down is not None and down.term == 20231 and down.province == 620000


def test_map_values_per_term_equal_a_direct_computation(demo_store):
    latest = demo_store.as_of()
    for term in (20222, 20232, 20251):
        f = explorer.at_term(Filters(), term, latest)
        got = explorer.metric_values(demo_store, M, f, "activities", "province")
        end = pd.Timestamp(term_bounds(term)[1])
        raw = demo_store._con.execute(
            "SELECT a.start_date, p.province_adcode FROM activity a JOIN project p USING "
            "(project_id)"
        ).df()
        want = raw[pd.to_datetime(raw["start_date"]) <= end].groupby("province_adcode").size()
        assert len(want) > 0
        for code, n in want.items():
            assert float(got[int(code)]) == float(n), (term, code)


# ---------------------------------------------------------------------- judgements on the as-of day
# Overdue, late, the terms offered and the school years assessed are judged on the sidebar's
# as-of date, not on the data's own date (``scope.effective_as_of``).
LATEST = date(2024, 11, 28)  # the tiny fixture's own date in these tests


@pytest.fixture
def dated(tmp_path):
    s = make_tiny(tmp_path / "dated.duckdb")
    run_sql(s, "INSERT INTO meta VALUES ('as_of', ?)", [LATEST.isoformat()])
    yield s
    s.close()


def test_effective_as_of(dated):
    assert effective_as_of(dated, None) == LATEST
    assert effective_as_of(dated, Filters()) == LATEST
    assert effective_as_of(dated, Filters(as_of=date(2023, 3, 1))) == date(2023, 3, 1)
    assert effective_as_of(dated, Filters(as_of=date(2025, 3, 1))) == LATEST  # never later


def _late_rows(view, lang="en") -> pd.DataFrame:
    assert view.late is not None
    frame = view.late.frame
    return frame.rename(
        columns={
            t("prog_project", lang): "project_id",
            t("prog_milestone", lang): "milestone",
            t("prog_days_late", lang): "days_late",
            t("prog_status", lang): "status",
        }
    )


def test_milestone_due_after_the_day_is_not_overdue(dated):
    # project 1 never files (due 2022-08-15); project 2 signs on 2022-08-05 (due 2022-07-31)
    run_sql(
        dated,
        "INSERT INTO milestone (project_id, kind, due_date, done_date, provenance) "
        "VALUES (1, 'filed', DATE '2022-08-15', NULL, 'simulated')",
    )
    filed, signed = vlabel("ms_filed", "en"), vlabel("ms_signed", "en")
    overdue, late = vlabel("ms_overdue", "en"), vlabel("ms_late", "en")
    # no as-of: judged on the data's date, the filing is overdue by the days since its deadline
    now = _late_rows(progress_content(dated, M, Filters(), "en"))
    row = now[(now["project_id"] == 1) & (now["milestone"] == filed)].iloc[0]
    assert row["status"] == overdue and row["days_late"] == (LATEST - date(2022, 8, 15)).days
    # project 4 never signed (due 2022-07-31): overdue by the days since then
    four = now[now["project_id"] == 4].iloc[0]
    assert four["status"] == overdue and four["days_late"] == (LATEST - date(2022, 7, 31)).days
    # on 2022-08-10 the filing is not due yet: not in the list; the late signing is (5 days)
    view = progress_content(dated, M, Filters(as_of=date(2022, 8, 10)), "en")
    assert view.as_of == date(2022, 8, 10)
    then = _late_rows(view)
    assert then[then["milestone"] == filed].empty
    assert then["project_id"].tolist() == [2]  # 1 and 3 signed on time, 4 not yet existing
    assert then.iloc[0]["milestone"] == signed and then.iloc[0]["status"] == late
    assert then.iloc[0]["days_late"] == 5
    # on 2022-08-20 it is: overdue by 5 days, not by the days to the data's date
    then = _late_rows(progress_content(dated, M, Filters(as_of=date(2022, 8, 20)), "en"))
    row = then[(then["project_id"] == 1) & (then["milestone"] == filed)].iloc[0]
    assert row["status"] == overdue and row["days_late"] == 5


def _submit(store, monkeypatch, at: datetime, project_id: int, university: int, term: int):
    monkeypatch.setattr(store_reporting, "_now", lambda: at)
    store.submit_term_report(Viewer.university([university]), project_id, term)


def test_report_due_after_the_day_is_not_late(dated, monkeypatch):
    # spring 2023 (20231) ends 2023-07-31 and is due 30 days later, on 2023-08-30
    assert reporting.default_due(20231) == date(2023, 8, 30)
    _submit(dated, monkeypatch, datetime(2023, 8, 10, 9, 0), 3, 2, 20231)  # on time
    _submit(dated, monkeypatch, datetime(2023, 9, 5, 9, 0), 1, 1, 20231)  # after the due day
    # projects 2 and 4 never report
    now = reporting.term_reports_content(dated, M, Filters(), 20231).totals
    assert now is not None
    got = now.iloc[0][["on_time", "late", "missing", "pending"]].tolist()
    assert got == [1, 1, 2, 0]
    # on 2023-08-20 the term is not due yet: project 1 had not filed, nothing is late or missing
    day = Filters(as_of=date(2023, 8, 20))
    view = reporting.term_reports_content(dated, M, day, 20231)
    assert view.totals is not None and view.term == 20231
    got = view.totals.iloc[0][["on_time", "late", "missing", "pending"]].tolist()
    assert got == [1, 0, 0, 2]  # projects 1, 2, 3 existed (4 never signed)
    # on 2023-09-01 the due day has passed: project 1 is missing (its late report came later)
    view = reporting.term_reports_content(dated, M, Filters(as_of=date(2023, 9, 1)), 20231)
    assert view.totals is not None
    got = view.totals.iloc[0][["on_time", "late", "missing", "pending"]].tolist()
    assert got == [1, 0, 2, 0]
    assert set(view.worklist[t("prog_project", "zh")]) == {1, 2}


def test_terms_offered_end_at_the_day(dated):
    # the data's date 2024-11-28: autumn 2022 to spring 2024 have ended (autumn 2024 runs)
    assert reporting.reporting_terms(dated) == [20222, 20231, 20232, 20241]
    assert reporting.reporting_terms(dated, Filters()) == [20222, 20231, 20232, 20241]
    # on 2024-03-01 spring 2024 is running: the last term to report is autumn 2023
    day = Filters(as_of=date(2024, 3, 1))
    assert reporting.reporting_terms(dated, day) == [20222, 20231, 20232]
    view = reporting.term_reports_content(dated, M, day, 20241)  # a later term is not offered
    assert view.terms == [20222, 20231, 20232] and view.term == 20232
    # the sidebar's term menus: up to the term holding the day (spring 2024), not autumn 2024
    every = [20222, 20231, 20232, 20241, 20242]
    assert filters_ui.term_menu(every, None) == every
    assert filters_ui.term_menu(every, date(2024, 3, 1)) == [20222, 20231, 20232, 20241]
    assert filters_ui.term_menu(every, date(2024, 1, 31)) == [20222, 20231, 20232]
    assert filters_ui.full_terms(dated) == (date(2022, 8, 1), date(2025, 1, 31))
    assert filters_ui.full_terms(dated, day) == (date(2022, 8, 1), date(2024, 7, 31))


def test_term_range_kept_within_the_menu():
    every = [20222, 20231, 20232, 20241, 20242]
    menu = filters_ui.term_menu(every, date(2023, 3, 1))
    assert menu == [20222, 20231]
    sel = urlstate.Selection(urlstate.ALL, (), (), 20222, 20242, (), "all", date(2023, 3, 1))
    inside = filters_ui.within_menu(sel, menu)
    assert (inside.term_from, inside.term_to) == (20222, 20231)
    later = filters_ui.within_menu(replace(sel, term_from=20241), menu)
    assert (later.term_from, later.term_to) == (20231, 20231)
    # a range to the day's term is kept as "to the end": clearing the day shows every term again
    kept = filters_ui.held_range(inside, menu, every)
    assert (kept.term_from, kept.term_to) == (20222, 20242)
    short = replace(sel, term_to=20222)
    assert filters_ui.held_range(short, menu, every).term_to == 20222
    assert filters_ui.held_range(replace(sel, as_of=None), every, every).term_to == 20242
    # a start after the day's term is moved, and said so in each language; a range that only
    # runs past the day is cut without a word (the day asked for it)
    assert filters_ui.term_cut_warning(sel, menu, "zh") is None
    said = filters_ui.term_cut_warning(replace(sel, term_from=20241), menu, "zh")
    assert said is not None
    zh = t(said.key, "zh", **dict(said.values))
    assert "2024春" in zh and "2023春" in zh, zh
    said_en = filters_ui.term_cut_warning(replace(sel, term_from=20241), menu, "en")
    assert said_en is not None
    en = t(said_en.key, "en", **dict(said_en.values))
    assert "Spring 2024" in en and "Spring 2023" in en and not re.search(r"[\u4e00-\u9fff]", en)


def test_scorecard_assesses_the_years_ended_by_the_day(dated):
    # project 1 (no cycle start: baseline 2021-22) holds 2021-22 and 2022-23, not 2023-24
    run_sql(
        dated,
        "INSERT INTO outcome VALUES (1, 2021, 'admission_rate', 40, 'simulated', NULL, NULL), "
        "(1, 2022, 'admission_rate', 44, 'simulated', NULL, NULL)",
    )

    def flag(filters: Filters) -> str:
        scores = project_scores(dated, M, filters).set_index(["project_id", "indicator"])
        return str(scores.loc[(1, "admission_rate"), "availability"])

    # on the data's date (2024-11-28) 2023-24 has ended too and holds nothing: partial
    assert flag(Filters()) == "partial"
    # on 2024-03-01 2023-24 is still running: the years assessed (2021, 2022) are complete
    day = Filters(as_of=date(2024, 3, 1))
    assert flag(day) == "complete"
    card = project_card(dated, M, day, 1, "en")
    assert card is not None
    shown = card.table.set_index(t("score_col_indicator", "en"))
    avail = shown.loc[vlabel("admission_rate", "en"), t("score_col_availability", "en")]
    assert avail == t("score_avail_complete", "en")
    assert "2022–2023" in card.years_note and "2023–2024" not in card.years_note
    now = project_card(dated, M, Filters(), 1, "en")
    assert now is not None and "2023–2024" in now.years_note
    league = league_content(dated, M, day, "en")
    assert "2022–2023" in league.years_note and "2023–2024" not in league.years_note


def test_demo_on_a_past_day_against_the_raw_rows(demo_store):
    """2024-03-01 on the demo: autumn 2023 (20232) is due that very day, so no report of it is
    late or missing yet; the reports counted are those first submitted by the end of the day."""
    day = date(2024, 3, 1)
    f = Filters(as_of=day)
    assert reporting.default_due(20232) == day
    raw = demo_store._con.execute(
        "SELECT project_id, first_submitted_at FROM term_report WHERE term = 20232"
    ).df()
    signed = demo_store._con.execute(
        "SELECT project_id FROM milestone WHERE kind = 'signed' AND done_date <= ?", [day]
    ).df()
    first = pd.to_datetime(raw["first_submitted_at"])
    by_then = raw[first < pd.Timestamp(2024, 3, 2)]
    n = len(signed)
    view = reporting.term_reports_content(demo_store, M, f, 20232)
    assert view.totals is not None
    got = view.totals.iloc[0][["expected", "on_time", "late", "missing", "pending"]].tolist()
    assert got == [n, len(by_then), 0, 0, n - len(by_then)]
    assert 0 < len(by_then) < n  # the day cuts the term's filings in two
    # without the day, the later filings are late and the others missing
    now = reporting.term_reports_content(demo_store, M, Filters(), 20232).totals
    assert now is not None
    all_ids = demo_store._con.execute("SELECT count(*) FROM project").fetchone()[0]
    assert now.iloc[0]["late"] == int((first >= pd.Timestamp(2024, 3, 2)).sum()) > 0
    assert now.iloc[0]["missing"] == all_ids - len(raw)
    # the scorecard's latest year is one ended by the day (2022-23), never a later one
    scores = project_scores(demo_store, M, f)
    assert scores["latest_year"].dropna().max() == 2022
    # 2022-08-10: the filing (due 08-15) and the launch (09-30) are not due; only signings
    # after 07-31 are late, by their own delay, and nothing is overdue
    early = date(2022, 8, 10)
    sg = demo_store._con.execute(
        "SELECT project_id, done_date FROM milestone WHERE kind = 'signed' AND done_date <= ?",
        [early],
    ).df()
    sg["done_date"] = pd.to_datetime(sg["done_date"]).dt.date
    want = sg[sg["done_date"] > date(2022, 7, 31)]
    assert len(want) > 0
    late = _late_rows(progress_content(demo_store, M, Filters(as_of=early), "en"))
    assert set(late["status"]) == {vlabel("ms_late", "en")}
    assert set(late["milestone"]) == {vlabel("ms_signed", "en")}
    expect = {
        int(p): (d - date(2022, 7, 31)).days for p, d in zip(want["project_id"], want["done_date"])
    }
    assert dict(zip(late["project_id"].astype(int), late["days_late"].astype(int))) == expect
    # without the day, filings and launches done after their deadlines are late too
    now = _late_rows(progress_content(demo_store, M, Filters(), "en"))
    assert vlabel("ms_filed", "en") in set(now["milestone"])


def test_sidebar_term_menus_end_at_the_day(demo_db, monkeypatch):
    """The sidebar on a past day offers the terms up to the day's own (spring 2024 for
    2024-03-01), a term range in the URL past it is cut there, and the term reports page offers
    only the terms finished by then (autumn 2023 the last)."""
    from streamlit.testing.v1 import AppTest

    from dashboard_lib import ui

    monkeypatch.setenv("XZ_DB_PATH", str(demo_db))
    monkeypatch.setattr(ui, "viewer", lambda: Viewer.ministry("boss"))

    def run(query: dict):
        at = AppTest.from_file(str(ROOT / "views" / "reporting.py"), default_timeout=120)
        for k, v in query.items():
            at.query_params[k] = v
        return at.run()

    spring_2024 = term_bounds(20241)
    assert spring_2024[0] <= date(2024, 3, 1) <= spring_2024[1]
    at = run({"asof": "2024-03-01", "term_to": "20252"})
    assert not at.exception, at.exception
    to = at.selectbox(key="flt_term_to")
    assert list(to.options) == list(at.selectbox(key="flt_term_from").options)
    assert len(to.options) == 4 and to.value == 20241  # autumn 2022 to spring 2024
    assert at.query_params.get("asof") in ("2024-03-01", ["2024-03-01"])
    assert not at.query_params.get("term_to")  # the whole menu: the range runs to the day
    rep = at.selectbox(key="rep_term")
    assert rep.value == 20232 and len(rep.options) == 3  # autumn 2022, spring and autumn 2023
    # the day moved back to the data's own: the range runs to the last term again
    at.date_input(key="flt_asof").set_value(date(2026, 11, 28)).run()
    assert not at.exception, at.exception
    assert at.selectbox(key="flt_term_to").value == 20262
    assert not at.query_params.get("asof") and not at.query_params.get("term_to")
    # no day: every term to the data's own (autumn 2026, 2026-11-28)
    at = run({})
    assert not at.exception, at.exception
    assert at.selectbox(key="flt_term_to").value == 20262
    assert at.selectbox(key="rep_term").value == 20261
