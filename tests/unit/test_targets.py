"""Outcome targets in the store (issue 16, part 3), on DuckDB and on PostgreSQL: read in the
viewer's scope, set by the province for its own projects and by the ministry, every refusal in
words with the database unchanged, the range per indicator, the audit line before → after, the
default "not set" (no row), and a file made before the table existed.

The tiny database of conftest.make_tiny: projects 1 and 2 in 甘肃 620000, 3 in 新疆 650000, 4 in
the Corps 660000; no target anywhere to begin with.
"""

from __future__ import annotations

import re
from datetime import datetime

import pytest
from conftest import make_tiny, on_backend, table_fingerprints

from dashboard_lib.scope import Viewer
from dashboard_lib.store import StoreError
from dashboard_lib.store import targets as store_targets

HAN = re.compile(r"[\u4e00-\u9fff]")
GANSU = Viewer.province(620000, name="gansu-official")
XINJIANG = Viewer.province(650000, name="xinjiang-official")
LZU = Viewer.university([1], name="lzu-coordinator")
MINISTRY = Viewer.ministry("ministry-boss")
AT = datetime(2026, 3, 2, 9, 30)


@pytest.fixture(params=["duckdb", "postgresql"])
def store(tmp_path, request, monkeypatch):
    monkeypatch.setattr(store_targets, "_now", lambda: AT)
    s = on_backend(make_tiny(tmp_path / "targets.duckdb"), request.param, request)
    yield s
    s.close()


def refused(fn, *args, key: str) -> StoreError:
    with pytest.raises(StoreError) as e:
        fn(*args)
    assert e.value.key == key, e.value.key
    assert HAN.search(e.value.zh) and not HAN.search(e.value.en)
    return e.value


def targets_of(store, viewer) -> dict[tuple[int, str], float]:
    got = store.outcome_targets(viewer)
    return {
        (int(p), i): float(v) for p, i, v in zip(got["project_id"], got["indicator"], got["target"])
    }


def audit(store) -> list[str]:
    rows = store._sor_df(
        "SELECT detail FROM audit_log WHERE action = 'outcome_target_set' ORDER BY logged_at"
    )
    return rows["detail"].tolist()


def test_no_row_means_not_set(store):
    assert store.outcome_targets(MINISTRY).empty
    assert list(store.outcome_targets(MINISTRY).columns) == store_targets.TARGET_COLUMNS


def test_province_sets_changes_and_clears_its_own(store):
    assert store.set_target(GANSU, 1, "admission_rate", 45) is None  # before: not set
    got = store.outcome_targets(GANSU).iloc[0]
    assert (int(got["project_id"]), got["indicator"], float(got["target"])) == (
        1,
        "admission_rate",
        45.0,
    )
    assert got["set_by"] == "gansu-official" and got["provenance"] == "entered"
    assert got["set_at"].to_pydatetime() == AT
    assert store.set_target(GANSU, 1, "admission_rate", 47.5) == 45.0
    assert store.set_target(GANSU, 2, "enrolment", 2400) is None
    assert targets_of(store, GANSU) == {(1, "admission_rate"): 47.5, (2, "enrolment"): 2400.0}
    assert store.set_target(GANSU, 1, "admission_rate", None) == 47.5  # cleared
    assert targets_of(store, GANSU) == {(2, "enrolment"): 2400.0}
    assert audit(store) == [
        "project_id=1 indicator=admission_rate not set -> 45",
        "project_id=1 indicator=admission_rate 45 -> 47.5",
        "project_id=2 indicator=enrolment not set -> 2400",
        "project_id=1 indicator=admission_rate 47.5 -> not set",
    ]


def test_reads_keep_to_the_scope(store):
    store.set_target(GANSU, 1, "teacher_retention", 88)
    store.set_target(MINISTRY, 3, "teacher_retention", 90)  # the ministry: any province
    store.set_target(MINISTRY, 4, "enrolment", 1500)
    assert targets_of(store, GANSU) == {(1, "teacher_retention"): 88.0}
    assert targets_of(store, XINJIANG) == {(3, "teacher_retention"): 90.0}
    assert targets_of(store, LZU) == {(1, "teacher_retention"): 88.0, (4, "enrolment"): 1500.0}
    assert len(targets_of(store, MINISTRY)) == 3
    assert store.outcome_targets(MINISTRY, project_id=3)["project_id"].tolist() == [3]
    # the open demo sees published and simulated rows only: no target a person entered
    assert store.outcome_targets(Viewer.demo()).empty


def test_refusals_say_why_and_change_nothing(store):
    before = table_fingerprints(store)
    refused(store.set_target, GANSU, 3, "admission_rate", 40, key="score_project_out_of_scope")
    refused(store.set_target, XINJIANG, 1, "admission_rate", 40, key="score_project_out_of_scope")
    refused(store.set_target, GANSU, 999, "admission_rate", 40, key="score_project_out_of_scope")
    refused(store.set_target, LZU, 1, "admission_rate", 40, key="score_only_province")
    refused(store.set_target, Viewer.demo(), 1, "admission_rate", 40, key="store_read_only_mode")
    refused(store.set_target, Viewer.presenter(), 1, "enrolment", 40, key="store_read_only_mode")
    refused(store.set_target, GANSU, 1, "happiness", 40, key="score_bad_indicator")
    refused(store.set_target, GANSU, 1, "admission_rate", "abc", key="score_target_not_number")
    refused(
        store.set_target, GANSU, 1, "admission_rate", float("inf"), key="score_target_not_number"
    )
    e = refused(
        store.set_target, GANSU, 1, "admission_rate", 100.5, key="score_target_out_of_range"
    )
    assert "100.5" in e.zh and "0" in e.zh and "100" in e.en
    refused(store.set_target, GANSU, 1, "teacher_retention", -1, key="score_target_out_of_range")
    refused(store.set_target, GANSU, 1, "enrolment", -5, key="score_target_negative")
    assert table_fingerprints(store) == before


def test_the_bounds_themselves_are_allowed(store):
    store.set_target(GANSU, 1, "admission_rate", 100)
    store.set_target(GANSU, 1, "teacher_retention", 0)
    store.set_target(GANSU, 2, "enrolment", 0)
    store.set_target(GANSU, 2, "admission_rate", "62.5")  # a number typed as text
    assert targets_of(store, GANSU) == {
        (1, "admission_rate"): 100.0,
        (1, "teacher_retention"): 0.0,
        (2, "enrolment"): 0.0,
        (2, "admission_rate"): 62.5,
    }


def test_who_may_set_targets():
    assert store_targets.TargetOps.may_set_targets(GANSU)
    assert store_targets.TargetOps.may_set_targets(MINISTRY)
    assert not store_targets.TargetOps.may_set_targets(LZU)
    assert not store_targets.TargetOps.may_set_targets(Viewer.demo())
    assert not store_targets.TargetOps.may_set_targets(Viewer.presenter())


def test_an_old_file_without_the_table(tmp_path):
    """A file built before the targets existed: the first read adds the table (same schema
    version), and a target can be set."""
    s = make_tiny(tmp_path / "old.duckdb")
    try:
        s._con.execute("DROP TABLE outcome_target")
        version = s.schema_version()
        assert s.outcome_targets(MINISTRY).empty
        assert s.schema_version() == version
        s.set_target(GANSU, 1, "enrolment", 3000)
        assert targets_of(s, MINISTRY) == {(1, "enrolment"): 3000.0}
    finally:
        s.close()
