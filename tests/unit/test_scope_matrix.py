"""Scope as a matrix: every role × every query. A province viewer gets exactly its own rows."""

from __future__ import annotations

from datetime import date

import pytest

from dashboard_lib.scope import Filters, Viewer
from dashboard_lib.vocab import CORPS_ADCODE, XINJIANG_ADCODE

PROGRAMME_UNITS = [
    140000,
    340000,
    360000,
    410000,
    420000,
    430000,
    150000,
    450000,
    500000,
    510000,
    520000,
    530000,
    540000,
    610000,
    620000,
    630000,
    640000,
    650000,
    210000,
    220000,
    230000,
    130000,
    460000,
    CORPS_ADCODE,
]

# each query: name -> function(store, viewer, filters) returning a frame with province_adcode
ROW_QUERIES = {
    "projects": lambda s, v, f: s.projects(v, f),
    "activities": lambda s, v, f: s.activities(v, f),
    "milestones": lambda s, v, f: s.milestones(v, f),
    "outcomes": lambda s, v, f: s.outcomes(v, f),
    "metrics_by_province": lambda s, v, f: s.metrics(v, f, by="province").rename(
        columns={"key": "province_adcode"}
    ),
}


def viewers():
    yield "ministry", Viewer.ministry(), None
    yield "presenter", Viewer.presenter(), None
    for code in PROGRAMME_UNITS:
        yield f"province-{code}", Viewer.province(code), {code}


@pytest.fixture(scope="module")
def truth(demo_store):
    """Every project's province, read once as the ministry (the unscoped reference)."""
    return demo_store.projects(Viewer.ministry())


@pytest.mark.parametrize("query", sorted(ROW_QUERIES))
@pytest.mark.parametrize("name,viewer,allowed", list(viewers()), ids=[v[0] for v in viewers()])
def test_rows_stay_inside_scope(demo_store, truth, query, name, viewer, allowed):
    rows = ROW_QUERIES[query](demo_store, viewer, None)
    assert not rows.empty, f"{name} sees nothing in {query}"
    seen = set(rows["province_adcode"].astype(int))
    if allowed is None:
        assert seen == set(truth["province_adcode"])
    else:
        assert seen == allowed


@pytest.mark.parametrize("code", PROGRAMME_UNITS)
def test_province_totals_equal_its_own_projects(demo_store, truth, code):
    viewer = Viewer.province(code)
    total = demo_store.metrics(viewer).iloc[0]
    assert total["projects"] == (truth["province_adcode"] == code).sum()
    everyone = demo_store.metrics(Viewer.ministry(), by="province").set_index("key")
    assert total["person_months"] == pytest.approx(everyone.loc[code, "person_months"])
    assert total["provinces"] == 1


@pytest.mark.parametrize("code", PROGRAMME_UNITS)
def test_filter_for_another_province_returns_nothing(demo_store, code):
    other = PROGRAMME_UNITS[(PROGRAMME_UNITS.index(code) + 1) % len(PROGRAMME_UNITS)]
    viewer = Viewer.province(code)
    f = Filters(provinces=(other,))
    for query, fn in ROW_QUERIES.items():
        assert fn(demo_store, viewer, f).empty, query
    assert demo_store.provenance_counts(viewer, f)["n"].sum() == 0
    assert demo_store.metrics(viewer, f).iloc[0]["projects"] == 0


@pytest.mark.parametrize("code", PROGRAMME_UNITS)
def test_scope_provinces_offers_only_own(demo_store, code):
    assert demo_store.scope_provinces(Viewer.province(code))["adcode"].tolist() == [code]


def test_corps_is_never_folded_into_xinjiang(demo_store):
    corps = demo_store.projects(Viewer.province(CORPS_ADCODE))
    xinjiang = demo_store.projects(Viewer.province(XINJIANG_ADCODE))
    assert set(corps["project_id"]).isdisjoint(xinjiang["project_id"])
    assert "新疆生产建设兵团第一师塔里木高级中学" in set(corps["school_zh"])
    assert "新疆生产建设兵团第一师塔里木高级中学" not in set(xinjiang["school_zh"])
    assert corps["county_adcode"].astype(int).map(lambda c: c // 100 == 6590).all()
    assert not xinjiang["county_adcode"].astype(int).map(lambda c: c // 100 == 6590).any()


def test_university_viewer_matrix(demo_store, truth):
    for uni_id in sorted(truth["university_id"].unique())[:10]:
        viewer = Viewer.university([int(uni_id)])
        mine = set(truth.loc[truth["university_id"] == uni_id, "project_id"])
        for query in ("projects", "activities", "milestones", "outcomes"):
            rows = ROW_QUERIES[query](demo_store, viewer, None)
            assert set(rows["project_id"]) <= mine and not rows.empty, (uni_id, query)


# issue 16 part 6: every as-of read keeps the scope (the demo's signings run 1 Jul – 20 Aug 2022)
AS_OF_DAYS = [date(2022, 7, 31), date(2024, 1, 31), date(2024, 3, 15)]


@pytest.mark.parametrize("as_of", AS_OF_DAYS, ids=str)
@pytest.mark.parametrize("query", sorted(ROW_QUERIES))
def test_as_of_rows_stay_inside_scope(demo_store, query, as_of):
    f = Filters(as_of=as_of)
    everyone = ROW_QUERIES[query](demo_store, Viewer.ministry(), f)
    assert not everyone.empty and len(everyone) <= len(
        ROW_QUERIES[query](demo_store, Viewer.ministry(), None)
    )
    for name, viewer, allowed in viewers():
        rows = ROW_QUERIES[query](demo_store, viewer, f)
        seen = set(rows["province_adcode"].astype(int))
        if allowed is None:
            assert seen == set(everyone["province_adcode"].astype(int)), name
        else:
            assert seen <= allowed, name
            mine = everyone[everyone["province_adcode"].astype(int).isin(allowed)]
            assert len(rows) == len(mine), name
    uni = int(everyone["university_id"].iloc[0]) if "university_id" in everyone else None
    if uni is not None:
        rows = ROW_QUERIES[query](demo_store, Viewer.university([uni]), f)
        assert set(rows["university_id"].astype(int)) <= {uni}
        assert len(rows) == int((everyone["university_id"] == uni).sum())
