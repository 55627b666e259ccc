"""The programme pages in AppTest on the demo database, with filters set by widget and by URL."""

from __future__ import annotations

import pytest
from conftest import ROOT, metric
from conftest import run_page as run
from streamlit.testing.v1 import AppTest

from dashboard_lib import programme, school_calendar
from dashboard_lib.scope import Filters, Viewer

PAGES = ("progress.py", "exchanges.py", "internships.py", "dossier.py")


@pytest.fixture(autouse=True)
def _db(demo_db, monkeypatch):
    monkeypatch.setenv("XZ_DB_PATH", str(demo_db))


def qp(at: AppTest, key: str):
    v = at.query_params.get(key)
    return v[0] if isinstance(v, list) else v


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_in_both_languages(page):
    for lang in ("zh", "en"):
        at = run(page, {"lang": lang, "project": "1"})
        assert not at.exception, at.exception
        assert at.title


def test_exchanges_figures_for_one_province(demo_store):
    at = run("exchanges.py", {"province": "620000"})
    assert not at.exception
    g = demo_store.activity_agg(
        Viewer.province(620000), Filters(), by=("kind",), use_summary=False
    ).set_index("kind")
    assert metric(at, "派驻人次") == f"{g.loc['dispatch', 'people']:,.0f}"
    assert metric(at, "驻校人月") == f"{g.loc['dispatch', 'person_months']:,.0f}"
    assert metric(at, "培训教研（场）") == f"{g.loc['training', 'n']:,.0f}"
    by_province = next(d.value for d in at.dataframe if "省份" in d.value.columns)
    assert set(by_province["省份"]) == {"甘肃"}


def test_internships_with_widget_filters(demo_store):
    at = run("internships.py")
    at.selectbox(key="province_select").set_value(620000).run()
    at.multiselect(key="flt_kinds").set_value(["internship"]).run()
    assert not at.exception
    assert qp(at, "province") == "620000" and qp(at, "kind") == "internship"
    raw = demo_store.activities(Viewer.province(620000), Filters(kinds=("internship",)))
    assert metric(at, "实习支教学生（人次）") == f"{raw['people'].sum():,.0f}"
    by_project = next(d.value for d in at.dataframe if "帮扶县中" in d.value.columns)
    assert set(by_project["省份"]) == {"甘肃"}
    assert by_project["人次"].sum() == raw["people"].sum()


def test_term_range_from_the_url(demo_store):
    at = run("internships.py", {"term_from": "20231", "term_to": "20232"})
    assert not at.exception
    f = Filters(
        date_from=school_calendar.term_bounds(20231)[0],
        date_to=school_calendar.term_bounds(20232)[1],
        kinds=("internship",),
    )
    raw = demo_store.activities(Viewer.ministry(), f)
    assert metric(at, "实习支教学生（人次）") == f"{raw['people'].sum():,.0f}"


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize(
    "bad", [{"province": "110000"}, {"province": "620000 OR 1=1"}, {"university": "9999"}]
)
def test_out_of_scope_url_values_are_refused(page, bad):
    at = run(page, bad)
    assert not at.exception
    assert any("无权" in w.value for w in at.warning)
    assert qp(at, "province") is None and qp(at, "university") is None


@pytest.mark.parametrize(
    "bad",
    [{"kind": "drop table"}, {"term_from": "19991"}, {"prov": "x"}, {"prefecture": "不存在市"}],
)
def test_unknown_url_values_are_ignored_with_a_message(bad):
    at = run("progress.py", bad)
    assert not at.exception
    assert any("无法识别" in w.value for w in at.warning)


def test_published_only_hides_simulated_projects(demo_store):
    at = run("progress.py", {"prov": "published"})
    assert not at.exception
    published = demo_store.programme_projects(Viewer.ministry(), Filters(provenance=("published",)))
    cycle = next(d.value for d in at.dataframe if "周期开始" in d.value.columns)
    assert set(cycle["项目"]) == set(published["project_id"])


def test_progress_lists_lagging_projects_with_reasons():
    at = run("progress.py", {"province": "530000"})
    assert not at.exception
    attention = next(d.value for d in at.dataframe if "原因" in d.value.columns)
    assert len(attention) > 0 and attention["原因"].str.len().min() > 0
    assert attention["档案"].str.startswith("/dossier?project=").all()
    assert attention["档案"].str.contains("province=530000").all()
    assert (attention["关注分值"].diff().dropna() <= 0).all()


def test_filter_holds_on_the_next_page():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90).run()
    at.switch_page("views/progress.py").run()
    at.selectbox(key="province_select").set_value(450000).run()
    at.multiselect(key="flt_kinds").set_value(["dispatch", "training"]).run()
    at.switch_page("views/exchanges.py").run()
    assert not at.exception
    assert at.selectbox(key="province_select").value == 450000
    by_province = next(d.value for d in at.dataframe if "省份" in d.value.columns)
    assert set(by_province["省份"]) == {"广西"}
    assert at.multiselect(key="flt_kinds").value == ["dispatch", "training"]


def test_dossier(demo_store):
    project = demo_store.projects(Viewer.ministry()).iloc[0]
    at = run("dossier.py", {"project": str(project["project_id"])})
    assert not at.exception
    assert at.header[0].value == project["school_zh"]
    n = len(demo_store.project_activities(Viewer.ministry(), Filters(), int(project["project_id"])))
    acts = next(d.value for d in at.dataframe if "帮扶方式" in d.value.columns)
    assert len(acts) == n
    if project["source_url"]:
        assert any(project["source_url"] in m.value for m in at.markdown)


@pytest.mark.parametrize("value,message", [("abc", "无效"), ("999999", "不存在")])
def test_dossier_bad_project(value, message):
    at = run("dossier.py", {"project": value})
    assert not at.exception
    assert any(message in w.value for w in at.warning)


P = programme.PickState


@pytest.mark.parametrize(
    "wanted,ids,previous,shown,warning,state,set_url",
    [
        # first run: the URL's project, in the pick-list when the viewer may pick it
        (None, [1, 2], None, None, None, P(None, None), None),
        ("2", [1, 2], None, 2, None, P(2, "2"), None),
        ("999", [1, 2], None, 999, None, P(None, "999"), None),  # shown → "does not exist"
        ("abc", [1, 2], None, None, "prog_dossier_bad_id", P(None, "abc"), None),
        # the viewer picks another project: it is shown and goes to the URL
        ("1", [1, 2], P(2, "1"), 2, None, P(2, "2"), "2"),
        (None, [1, 2], P(2, None), 2, None, P(2, "2"), "2"),
        # the pick-list emptied: the URL's project stays
        ("1", [1, 2], P(None, "1"), 1, None, P(None, "1"), None),
        # a new ?project= (a link followed) wins over the remembered pick
        ("2", [1, 2], P(1, "1"), 2, None, P(2, "2"), None),
        ("abc", [1, 2], P(2, "2"), None, "prog_dossier_bad_id", P(None, "abc"), None),
        # a remembered pick no longer in the list is dropped
        ("1", [1], P(5, "1"), 1, None, P(None, "1"), None),
    ],
)
def test_dossier_pick(wanted, ids, previous, shown, warning, state, set_url):
    pick = programme.pick_project(wanted, ids, previous)
    assert (pick.project_id, pick.warning, pick.state, pick.set_url) == (
        shown,
        warning,
        state,
        set_url,
    )


def test_dossier_of_another_province_is_refused(demo_store):
    other = demo_store.projects(Viewer.province(650000)).iloc[0]["project_id"]
    at = AppTest.from_file(str(ROOT / "views" / "dossier.py"), default_timeout=90)
    at.query_params["project"] = str(other)
    # a province official: the app's viewer is the demo ministry viewer, so check the logic directly
    assert (
        programme.dossier_content(demo_store, Viewer.province(620000), Filters(), int(other))
        is None
    )
