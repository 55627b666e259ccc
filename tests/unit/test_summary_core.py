"""The summary table answers the overview's and the explorer's activity figures with exactly the
numbers the activity table gives: by hand on the tiny fixture, against the base-table path and
against pandas over the raw rows on the demo, for every kind of viewer and filter."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest
from conftest import make_tiny

from dashboard_lib import build, demo
from dashboard_lib.scope import Filters, Viewer

M = Viewer.ministry()
TERMS = dict(date_from=date(2023, 8, 1), date_to=date(2025, 7, 31))  # four whole school terms
VIEWERS = [
    M,
    Viewer.province(620000),
    Viewer.province(660000),
    Viewer.province(650000),
    Viewer.university([1, 2]),
    Viewer.demo(),
    Viewer.presenter(),
]
FILTERS = [
    Filters(),
    Filters(provinces=(620000,)),
    Filters(**TERMS),
    Filters(kinds=("dispatch", "training")),
    Filters(provenance=("published",)),
    Filters(provinces=(530000,), kinds=("internship",), **TERMS),
    Filters(date_from=date(2023, 2, 1)),
    Filters(prefectures=("兰州市",)),
]


@pytest.fixture
def tiny(tmp_path):
    s = make_tiny(tmp_path / "tiny.duckdb")
    s.refresh_summaries()
    yield s
    s.close()


def test_tiny_by_hand_from_the_summary(tiny):
    assert tiny.summary_current()
    row = tiny.metrics(M, use_summary=True).iloc[0]
    # dispatch rows 1, 2, 6: 1 + 1 + 1 people, 5 + 4 + 3 person-months; training 3 and 4: 40 + 25
    assert row["people_dispatched"] == 3 and row["person_months"] == 12.0
    assert row["trainings"] == 2 and row["training_participants"] == 65
    assert row["interns"] == 9 + 5 and row["guidance_visits"] == 1 and row["activities"] == 8
    gansu = tiny.metrics(Viewer.province(620000), use_summary=True).iloc[0]
    assert (gansu["projects"], gansu["activities"], gansu["interns"]) == (2, 5, 9)
    corps = tiny.metrics(Viewer.province(660000), use_summary=True).iloc[
        0
    ]  # never folded into 新疆
    assert (corps["projects"], corps["activities"], corps["guidance_visits"]) == (1, 2, 1)
    # autumn 2023 onwards (a whole-term range): only row 8 (2024-03-01)
    later = tiny.metrics(M, Filters(date_from=date(2023, 8, 1)), use_summary=True).iloc[0]
    assert later["activities"] == 1 and later["interns"] == 5
    counts = tiny.provenance_counts(M, use_summary=True)
    act = counts[counts["what"] == "activity"].set_index("provenance")["n"]
    assert act.to_dict() == {"published": 1, "simulated": 7}


@pytest.mark.parametrize(
    "viewer", VIEWERS, ids=lambda v: f"{v.role.value}-{sorted(v.provinces or [])}"
)
def test_summary_equals_base_table_on_tiny(tiny, viewer):
    for f in FILTERS:
        for by in (None, "province", "county", "university", "project"):
            a = tiny.metrics(viewer, f, by=by, use_summary=True)
            b = tiny.metrics(viewer, f, by=by, use_summary=False)
            pd.testing.assert_frame_equal(a, b)
        pd.testing.assert_frame_equal(
            tiny.provenance_counts(viewer, f, use_summary=True),
            tiny.provenance_counts(viewer, f, use_summary=False),
        )


@pytest.mark.parametrize(
    "viewer", VIEWERS, ids=lambda v: f"{v.role.value}-{sorted(v.provinces or [])}"
)
def test_summary_equals_base_table_on_the_demo(demo_store, viewer):
    assert demo_store.summary_current()
    for f in FILTERS:
        for by in (None, "province", "county"):
            pd.testing.assert_frame_equal(
                demo_store.metrics(viewer, f, by=by, use_summary=True),
                demo_store.metrics(viewer, f, by=by, use_summary=False),
            )
        pd.testing.assert_frame_equal(
            demo_store.provenance_counts(viewer, f, use_summary=True),
            demo_store.provenance_counts(viewer, f, use_summary=False),
        )
        pd.testing.assert_frame_equal(
            demo_store.explorer_cards(viewer, f, use_summary=True),
            demo_store.explorer_cards(viewer, f, use_summary=False),
        )
        pd.testing.assert_frame_equal(
            demo_store.explorer_flows(viewer, f, use_summary=True),
            demo_store.explorer_flows(viewer, f, use_summary=False),
        )


def test_metrics_by_province_equal_pandas_over_raw_rows(demo_store):
    """Independent of the SQL: group the raw activity rows in pandas."""
    f = Filters(**TERMS)
    raw = demo_store.activities(M, f, limit=10_000_000)
    expect = (
        pd.DataFrame(
            {
                "people_dispatched": raw[raw["kind"] == "dispatch"]
                .groupby("province_adcode")["people"]
                .sum(),
                "trainings": raw[raw["kind"] == "training"].groupby("province_adcode").size(),
                "interns": raw[raw["kind"] == "internship"]
                .groupby("province_adcode")["people"]
                .sum(),
                "activities": raw.groupby("province_adcode").size(),
            }
        )
        .fillna(0)
        .astype("int64")
    )
    got = demo_store.metrics(M, f, by="province", use_summary=True).set_index("key")
    got = got.loc[expect.index, list(expect.columns)].astype("int64")
    pd.testing.assert_frame_equal(got, expect, check_names=False)
    pm = raw[raw["kind"] == "dispatch"]["person_months"].sum()
    assert demo_store.metrics(M, f, use_summary=True).iloc[0]["person_months"] == pytest.approx(pm)


def test_default_path_uses_the_summary_only_for_whole_terms(tiny):
    # a range that is not whole terms cannot come from the summary: the default path must still
    # give the base table's figure (2023-03-01..2023-03-15: rows 4, 5 and 7)
    f = Filters(date_from=date(2023, 3, 1), date_to=date(2023, 3, 15))
    assert tiny.metrics(M, f).iloc[0]["activities"] == 3
    with tiny._con.cursor() as cur:  # behind the app's back: the summary is stale now
        cur.execute("DELETE FROM activity WHERE activity_id = 8")
    assert not tiny.summary_current()
    assert tiny.metrics(M).iloc[0]["activities"] == 7
    assert tiny.explorer_flows(M)["activities"].sum() == 7


def test_chunked_generation_is_reproducible_and_complete():
    ref = build.read_reference()
    projects, milestones, _ = build.read_published(ref)
    spec = demo.DemoSpec(seed=5, projects=200, activity_scale=1.0, as_of=date(2026, 11, 28))

    def chunks(size):
        rng = np.random.default_rng(1)
        return [
            c() for c in demo._activity_chunks(rng, spec, np.arange(1, 201), 10, chunk_rows=size)
        ]

    one, again = chunks(10**9), chunks(10**9)
    assert len(one) == 1 and len(again) == 1
    pd.testing.assert_frame_equal(one[0], again[0])
    many, many_again = chunks(5_000), chunks(5_000)
    assert len(many) > 2
    for a, b in zip(many, many_again):
        pd.testing.assert_frame_equal(a, b)
    allrows = pd.concat(many, ignore_index=True)
    assert allrows["activity_id"].tolist() == list(range(10, 10 + len(allrows)))
    assert set(allrows["project_id"]) <= set(range(1, 201))
    assert (allrows["start_date"] <= spec.as_of).all() and (
        allrows["provenance"] == "simulated"
    ).all()
    # the single-chunk path is the generator as it always was (same rng draws)
    pd.testing.assert_frame_equal(
        one[0], demo._activities(np.random.default_rng(1), spec, np.arange(1, 201), 10)
    )
    # a chunked build of the same size is about as large as the single one (same rates)
    assert abs(len(allrows) - len(one[0])) < 0.2 * len(one[0])
