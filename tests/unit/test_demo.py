"""The generator: same spec, same rows; scales; simulated marking."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from dashboard_lib import build, demo


@pytest.fixture(scope="module")
def inputs():
    ref = build.read_reference()
    projects, milestones, _ = build.read_published(ref)
    return ref, projects, set(zip(milestones["project_id"], milestones["kind"]))


def gen(inputs, **kw):
    ref, projects, known = inputs
    spec = demo.DemoSpec(as_of=date(2026, 11, 28), **kw)
    return demo.generate(
        spec,
        ref["county"],
        ref["university"],
        projects,
        known,
        first_project_id=len(projects) + 1,
        first_activity_id=100,
    )


def test_same_seed_same_rows(inputs):
    a, b = gen(inputs, seed=7), gen(inputs, seed=7)
    for table in a:
        pd.testing.assert_frame_equal(a[table], b[table])


def test_other_seed_other_rows(inputs):
    a, b = gen(inputs, seed=7), gen(inputs, seed=8)
    assert not a["activity"]["start_date"].equals(b["activity"]["start_date"])


def test_national_scale(inputs):
    out = gen(inputs, seed=1, projects=2000, activity_scale=4.0)
    ref, published, _ = inputs
    assert len(out["project"]) + len(published) == 2000
    per = (
        out["project"]
        .groupby("province_adcode")
        .size()
        .add(published.groupby("province_adcode").size(), fill_value=0)
    )
    for code, n in demo.PROVINCE_TOTALS_115.items():
        assert per[code] >= n
    assert len(out["activity"]) > 300_000
    assert out["activity"]["activity_id"].is_unique


def test_everything_generated_is_marked(inputs):
    out = gen(inputs, seed=3)
    for table, frame in out.items():
        assert (frame["provenance"] == "simulated").all(), table
        if table in ("term_report", "outcome_target"):  # tables without a source column
            assert "source_url" not in frame, table
            continue
        assert frame["source_url"].isna().all(), table


def test_terms_cover_autumn_2022_to_as_of():
    ts = demo.terms(date(2022, 9, 1), date(2026, 11, 28))
    assert ts["term"].iloc[0] == "2022秋" and ts["term"].iloc[-1] == "2026秋"
    assert len(ts) == 9
    assert ts["term_end"].iloc[-1] == date(2026, 11, 28)
