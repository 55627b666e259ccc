"""The metric catalogue (dashboard_lib/metrics.py): every figure it declares comes out the same
from the summary table, from the activity table and from pandas over the raw tables (computed
here from the tables, written figure by figure, not from the catalogue); every label and unit
has Chinese and English text; the overview and the explorer show the catalogue's lists."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest
from conftest import make_tiny

from dashboard_lib import explorer, metrics, overview
from dashboard_lib.i18n import LABELS, STRINGS
from dashboard_lib.scope import Filters, Viewer
from dashboard_lib.store import summary

TERMS = dict(date_from=date(2023, 8, 1), date_to=date(2025, 7, 31))  # four whole school terms
VIEWERS = {
    "ministry": Viewer.ministry(),
    "gansu": Viewer.province(620000),
    "corps": Viewer.province(660000),
    "universities-1-2": Viewer.university([1, 2]),
    "demo": Viewer.demo(),
}
FILTERS = {
    "none": Filters(),
    "terms": Filters(**TERMS),
    "kinds+terms": Filters(kinds=("dispatch", "training"), **TERMS),
    "published": Filters(provenance=("published",)),
    "gansu+internship": Filters(provinces=(620000,), kinds=("internship",)),
    "lanzhou": Filters(prefectures=("兰州市",)),
    "since-spring-2023": Filters(date_from=date(2023, 2, 1)),
}
GROUPS = {None: None, "province": "province_adcode", "project": "project_id"}
SIGNED_DUE = pd.Timestamp("2022-07-31")  # 教基厅函〔2022〕13号


# ---------------------------------------------------------------------------- pandas, by hand
def _of(a: pd.DataFrame, kind: str, column: str | None = None) -> pd.Series:
    """Per activity row: its ``column`` (1 when None: a count) if it is of ``kind``, else 0."""
    value = a[column].astype(float).fillna(0) if column else pd.Series(1.0, index=a.index)
    return value.where(a["kind"] == kind, 0.0)


# per activity row, what it adds to the figure (summed per group)
ACTIVITY_FIGURES = {
    "people_dispatched": lambda a: _of(a, "dispatch", "people"),
    "person_months": lambda a: _of(a, "dispatch", "person_months"),
    "guidance_visits": lambda a: _of(a, "guidance_visit"),
    "trainings": lambda a: _of(a, "training"),
    "training_participants": lambda a: _of(a, "training", "participants"),
    "interns": lambda a: _of(a, "internship", "people"),
    "shadowing_people": lambda a: _of(a, "shadowing", "people"),
    "activities": lambda a: pd.Series(1.0, index=a.index),
    "simulated_activities": lambda a: (a["provenance"] == "simulated").astype(float),
}
# over the projects of a group (a pandas GroupBy of the project rows)
PROJECT_FIGURES = {
    "projects": lambda g: g.size(),
    # a professional body (kind 'society') hosts schools but is no university
    "universities": lambda g: g["university_only"].nunique(),
    "provinces": lambda g: g["province_adcode"].nunique(),
    "counties": lambda g: g["county_adcode"].nunique(),
}
# per project, from its signed milestone's on_time (1, 0 or NaN), summed per group
SIGNED_FIGURES = {
    "signed_on_time": lambda s: (s["on_time"] == 1).astype(float),
    "signed_known": lambda s: s["on_time"].notna().astype(float),
}
SHARE_FIGURES = {"milestone_share"}  # per area, by hand in test_milestone_share_equals_pandas


def test_every_metric_has_a_pandas_computation_here():
    by_hand = {*ACTIVITY_FIGURES, *PROJECT_FIGURES, *SIGNED_FIGURES, *SHARE_FIGURES}
    assert by_hand == {m.key for m in metrics.CATALOGUE}


def _tables(store) -> dict[str, pd.DataFrame]:
    out = {t: store._df(f"SELECT * FROM {t}") for t in ("project", "activity", "milestone")}
    kind = store._df("SELECT university_id, kind FROM university").set_index("university_id")
    p = out["project"]
    p["university_only"] = p["university_id"].where(
        p["university_id"].map(kind["kind"]) == "university"
    )
    return out


def _projects(tables, viewer: Viewer, f: Filters) -> pd.DataFrame:
    p = tables["project"]
    keep = pd.Series(True, index=p.index)
    if viewer.provinces is not None:
        keep &= p["province_adcode"].isin(viewer.provinces)
    if viewer.universities is not None:
        keep &= p["university_id"].isin(viewer.universities)
    if viewer.provenances is not None:
        keep &= p["provenance"].isin(viewer.provenances)
    if f.provinces:
        keep &= p["province_adcode"].isin(f.provinces)
    if f.prefectures:
        keep &= p["prefecture_zh"].isin(f.prefectures)
    if f.universities:
        keep &= p["university_id"].isin(f.universities)
    if f.provenance:
        keep &= p["provenance"].isin(f.provenance)
    return p[keep]


def _activities(tables, viewer: Viewer, f: Filters, p: pd.DataFrame) -> pd.DataFrame:
    a = tables["activity"]
    start = pd.to_datetime(a["start_date"])
    keep = a["project_id"].isin(p["project_id"])
    if viewer.provenances is not None:
        keep &= a["provenance"].isin(viewer.provenances)
    if f.date_from is not None:
        keep &= start >= pd.Timestamp(f.date_from)
    if f.date_to is not None:
        keep &= start <= pd.Timestamp(f.date_to)
    if f.kinds:
        keep &= a["kind"].isin(f.kinds)
    if f.provenance:
        keep &= a["provenance"].isin(f.provenance)
    return a[keep]


def _done_as_day(m: pd.DataFrame) -> pd.Series:
    """The done date, a month-precision date taken as the month's last day."""
    done = pd.to_datetime(m["done_date"])
    return done.where(m["date_precision"] != "month", done + pd.offsets.MonthEnd(0))


def _signed(tables, viewer: Viewer, p: pd.DataFrame) -> pd.DataFrame:
    m = tables["milestone"]
    m = m[m["kind"] == "signed"]
    if viewer.provenances is not None:
        m = m[m["provenance"].isin(viewer.provenances)]
    done = _done_as_day(m)
    on_time = pd.Series(np.where(done <= SIGNED_DUE, 1.0, 0.0), index=m.index).where(done.notna())
    signed = pd.DataFrame({"project_id": m["project_id"], "on_time": on_time})
    return p[["project_id"]].merge(signed, on="project_id", how="left")


def by_pandas(tables, viewer: Viewer, f: Filters, by: str | None) -> pd.DataFrame:
    """Every figure of ``Store.metrics`` (and of the cards) per group, from the raw tables."""
    p = _projects(tables, viewer, f)
    a = _activities(tables, viewer, f, p)
    s = _signed(tables, viewer, p)
    col = GROUPS[by]
    group_of = pd.Series(p[col].to_numpy() if col else 0, index=p["project_id"].to_numpy())
    groups = sorted(set(group_of)) if col else [0]
    out = pd.DataFrame(index=groups)
    projects = p.assign(_g=p["project_id"].map(group_of)).groupby("_g")
    for k, fig in PROJECT_FIGURES.items():
        out[k] = fig(projects)
    a_group = a["project_id"].map(group_of)
    for k, fig in ACTIVITY_FIGURES.items():
        out[k] = fig(a).groupby(a_group).sum()
    s_group = s["project_id"].map(group_of)
    for k, fig in SIGNED_FIGURES.items():
        out[k] = fig(s).groupby(s_group).sum()
    return out.fillna(0.0).astype(float)


# ---------------------------------------------------------------------------- the three paths
CASES = [(v, f, by) for v in VIEWERS for f in FILTERS for by in GROUPS]


def _results(store) -> dict[tuple, tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]]:
    """(summary path, activity-table path, pandas) per case, each indexed by group key."""
    tables = _tables(store)
    out = {}
    for v, f, by in CASES:
        viewer, filters = VIEWERS[v], FILTERS[f]
        paths = []
        for use_summary in (True, False):
            df = store.metrics(viewer, filters, by=by, use_summary=use_summary)
            paths.append(df.set_index("key") if by else df.set_index(pd.Index([0])))
        out[v, f, by] = (*paths, by_pandas(tables, viewer, filters, by))
    return out


@pytest.fixture(scope="module")
def tiny_results(tmp_path_factory):
    s = make_tiny(tmp_path_factory.mktemp("metrics") / "tiny.duckdb")
    s.refresh_summaries()
    assert s.summary_current()
    yield s, _results(s)
    s.close()


@pytest.fixture(scope="module")
def demo_results(demo_store):
    assert demo_store.summary_current()
    return _results(demo_store)


def _same(got: pd.Series, want: pd.Series, what: str) -> None:
    got = got.astype(float).sort_index()
    want = want.astype(float).sort_index()
    assert list(got.index) == list(want.index), what
    np.testing.assert_allclose(got.to_numpy(), want.to_numpy(), rtol=1e-9, atol=1e-9, err_msg=what)


def test_the_summary_path_is_taken_where_it_can_answer(demo_store):
    """Else "summary = activity table" would compare the activity table with itself."""
    for name in ("none", "terms", "kinds+terms", "published", "lanzhou", "since-spring-2023"):
        assert demo_store._activity_source(VIEWERS["demo"], FILTERS[name], True)[3] is True, name
    assert demo_store._activity_source(VIEWERS["ministry"], FILTERS["terms"], False)[3] is False


STORE_METRICS = metrics.keys(metrics.computed_by("metrics"))


@pytest.mark.parametrize("key", STORE_METRICS)
@pytest.mark.parametrize("fixture", ["tiny_results", "demo_results"])
def test_summary_equals_activity_table_equals_pandas(key, fixture, request):
    results = request.getfixturevalue(fixture)
    results = results[1] if fixture == "tiny_results" else results
    for case, (from_summary, from_table, from_pandas) in results.items():
        what = f"{key} {case}"
        _same(from_summary[key], from_table[key], f"summary vs table: {what}")
        _same(from_table[key], from_pandas[key], f"table vs pandas: {what}")


def test_the_figures_are_not_all_zero(tiny_results, demo_results):
    """The comparison above means something: every figure is non-zero in the demo, and all but
    the shadowing people (no such rows) on the tiny database."""
    tiny = tiny_results[1]["ministry", "none", None][0].iloc[0]
    assert [k for k in STORE_METRICS if not tiny[k] > 0] == ["shadowing_people"]
    demo = demo_results["ministry", "none", None][0].iloc[0]
    assert all(demo[k] > 0 for k in STORE_METRICS), demo


CARD_METRICS = metrics.keys(metrics.card_metrics())


@pytest.mark.parametrize("v", ["ministry", "gansu", "demo"])
def test_card_figures_equal_pandas(demo_store, v):
    tables = _tables(demo_store)
    for f in FILTERS:
        want = by_pandas(tables, VIEWERS[v], FILTERS[f], "project")
        for use_summary in (True, False):
            cards = demo_store.explorer_cards(VIEWERS[v], FILTERS[f], use_summary=use_summary)
            cards = cards.set_index("project_id")
            for key in CARD_METRICS:
                _same(cards[key], want[key], f"{key} {v} {f} summary={use_summary}")
        flows = demo_store.explorer_flows(VIEWERS[v], FILTERS[f]).set_index("project_id")
        with_point = want.loc[flows.index]  # flows: projects whose university has a point
        _same(flows["activities"], with_point["activities"], f"flows {v} {f}")


def _share_by_pandas(tables, viewer: Viewer, f: Filters, col: str, as_of: str) -> pd.Series:
    p = _projects(tables, viewer, f)
    m = tables["milestone"].merge(p[["project_id", col]], on="project_id")
    due_date = pd.to_datetime(m["due_date"])
    is_due = due_date.notna() & (due_date <= pd.Timestamp(as_of))
    done = _done_as_day(m)
    met = is_due & done.notna() & (done <= due_date)
    g = pd.DataFrame({"key": m[col], "due": is_due, "met": met}).groupby("key").sum()
    return (g["met"] / g["due"]).where(g["due"] > 0)


@pytest.mark.parametrize("key", sorted(SHARE_FIGURES))
def test_milestone_share_equals_pandas(demo_store, key):
    """Not an activity figure: one path only (``Store.explorer_milestone_share``)."""
    m = metrics.by_key(key)
    assert not m.from_activity and m.store_method == "explorer_milestone_share"
    tables = _tables(demo_store)
    as_of = demo_store.meta()["as_of"]
    for v in VIEWERS:
        for f in FILTERS:
            for by, col in (("province", "province_adcode"), ("county", "county_adcode")):
                got = demo_store.explorer_milestone_share(VIEWERS[v], FILTERS[f], by=by)
                got = got.set_index("key")["share"]
                want = _share_by_pandas(tables, VIEWERS[v], FILTERS[f], col, as_of)
                assert list(got.index) == list(want.index)
                np.testing.assert_allclose(got.astype(float), want.astype(float), rtol=1e-12)


# ---------------------------------------------------------------------------- the catalogue
def test_the_store_returns_one_column_per_catalogue_metric(tiny_results):
    store, _ = tiny_results
    assert list(store.metrics(Viewer.ministry()).columns) == list(STORE_METRICS)
    assert list(store.metrics(Viewer.ministry(), by="county").columns) == ["key", *STORE_METRICS]
    cards = store.explorer_cards(Viewer.ministry())
    assert set(CARD_METRICS) <= set(cards.columns)
    assert {m.store_method for m in metrics.CATALOGUE} == {"metrics", "explorer_milestone_share"}


def test_activity_figures_are_sums_of_summary_columns():
    assert summary.MEASURES == tuple(m.name for m in metrics.SUMMARY_MEASURES)
    assert summary.MEASURES_SQL["n"] == "count(*)"
    assert summary.MEASURES_SQL["people"] == "sum(a.people)"
    for m in metrics.CATALOGUE:
        if m.from_activity:
            assert m.summary_measure.name in summary.MEASURES, m.key
            assert m.activity_sql(True).startswith(f"sum(a.{m.summary_measure.name})")
    d = metrics.by_key("people_dispatched")
    assert d.activity_sql(False) == "sum(a.people) FILTER (WHERE a.kind = 'dispatch')"
    assert d.activity_sql(True) == "sum(a.people) FILTER (WHERE a.kind = 'dispatch')"
    rows = metrics.by_key("activities")
    assert (rows.activity_sql(False), rows.activity_sql(True)) == ("count(*)", "sum(a.n)")


def test_every_label_and_unit_has_chinese_and_english():
    for m in metrics.CATALOGUE:
        for pair in (LABELS[m.label_key], STRINGS[m.unit]):
            assert len(pair) == 2 and all(isinstance(x, str) and x.strip() for x in pair), m.key
        if m.kpi:
            zh, en = STRINGS[m.kpi_label_key]
            assert zh.strip() and en.strip(), m.key
        else:
            assert m.kpi_label_key is None or m.kpi_label_key in STRINGS
        if m.out_of:
            assert metrics.by_key(m.out_of).store_method == m.store_method
    assert STRINGS["metric_value_out_of"] == ("{value}/{of}", "{value}/{of}")


def test_menu_metrics_are_labelled_by_their_key():
    """The menus and maps.py name a choice ``label(key)``: its label_key must be its key."""
    for m in (*metrics.map_metrics(), *metrics.explorer_metrics()):
        assert m.label_key == m.key


def test_the_pages_show_the_catalogues_lists(tiny_results):
    store, _ = tiny_results
    # the lists as they were before the catalogue (menu order is what people see)
    assert (
        overview.MAP_METRICS
        == metrics.keys(metrics.map_metrics())
        == (
            "projects",
            "people_dispatched",
            "person_months",
            "guidance_visits",
            "trainings",
            "training_participants",
            "interns",
            "shadowing_people",
        )
    )
    assert (
        explorer.METRICS
        == metrics.keys(metrics.explorer_metrics())
        == (
            *overview.MAP_METRICS,
            "milestone_share",
        )
    )
    assert (
        overview.KPI_KEYS
        == metrics.keys(metrics.kpis())
        == (
            "projects",
            "universities",
            "provinces",
            "people_dispatched",
            "person_months",
            "trainings",
            "interns",
            "signed_on_time",
        )
    )
    assert explorer.CARD_METRICS == metrics.keys(metrics.card_metrics())
    cards = overview.kpis(store, Viewer.ministry(), Filters())
    assert [c.key for c in cards] == list(overview.KPI_KEYS)
    shown = {c.key: (c.label, c.value) for c in cards}
    assert shown["people_dispatched"] == ("派驻人员（人次）", "3")
    assert shown["signed_on_time"] == ("按期签约", "2/3")
    en = {c.key: c.label for c in overview.kpis(store, Viewer.ministry(), Filters(), "en")}
    assert en["projects"] == "Projects" and en["signed_on_time"] == "Signed on time"


def test_lookups():
    assert metrics.by_key("interns").activity_kind.value == "internship"
    with pytest.raises(KeyError):
        metrics.by_key("nope")
    assert len({m.key for m in metrics.CATALOGUE}) == len(metrics.CATALOGUE)
    with pytest.raises(ValueError):
        _ = metrics.by_key("projects").summary_measure
    with pytest.raises(ValueError):
        metrics.by_key("milestone_share").total_sql()
