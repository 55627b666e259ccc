"""The annex import of a second batch (issue 16, part 5): a ``周期`` column (or ``批次``) of 2 turns a
project row into the renewal of a registered project. Checked in the user's language (row,
column, reason), in scope (a province only its own projects, a university only its own with
itself), refused in the store too, and undone exactly, on DuckDB and on PostgreSQL.

The tiny database (tests/conftest.py ``make_tiny``): 甘肃 projects 1 榆中县恩玲中学 (兰州大学, id 1)
and 2 靖远县第四中学 (北京师范大学, id 2), 新疆 project 3 天山区某中学 (北京师范大学), 兵团 project 4
(兰州大学). No project records a cycle: each one's first cycle is 2022-09-01 – 2025-08-31.
"""

from __future__ import annotations

import csv
import io
from datetime import date

import pandas as pd
import pytest
from conftest import cycle_row, make_tiny, on_backend, table_fingerprints

from dashboard_lib import ingest
from dashboard_lib.ingest import RecordKind
from dashboard_lib.ingest.checks import Preview
from dashboard_lib.programme.cycles import all_cycles
from dashboard_lib.scope import Filters, Viewer
from dashboard_lib.store import StoreError

TODAY = date(2026, 11, 28)
GANSU = Viewer.province(620000, name="gansu-official")
LZU = Viewer.university([1], name="lzu-coordinator")
MINISTRY = Viewer.ministry("ministry-staff")
HEAD = ["托管高校", "省份", "县", "帮扶县中", "周期", "开始日期", "签约日期"]
CYCLE_TABLES = ["project_cycle", "cycle_milestone", "project", "milestone"]


def csv_bytes(rows: list[list]) -> bytes:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    return buf.getvalue().encode("utf-8")


@pytest.fixture(params=["duckdb", "postgresql"])
def store(tmp_path, request):
    s = on_backend(make_tiny(tmp_path / "cyc.duckdb"), request.param, request)
    yield s
    s.close()


def reasons(preview, lang: str = "zh") -> list[tuple]:
    frame = ingest.problems_frame(preview, lang)
    return [tuple(r) for r in frame.itertuples(index=False)]


def test_a_second_batch_renews_and_repairs(store):
    before = table_fingerprints(store, CYCLE_TABLES)
    data = csv_bytes(
        [
            HEAD,
            ["兰州大学", "甘肃", "榆中县", "榆中县恩玲中学", "2", "2025-09-01", "2025-07-20"],
            # the same school, now with 兰州大学 instead of 北京师范大学: re-paired; no start
            # given: the day after the first cycle's end
            ["兰州大学", "甘肃省", "靖远县", "靖远县第四中学", "第二轮", "", ""],
        ]
    )
    pv, batch = ingest.import_file(store, GANSU, "project", data, "batch2.csv", today=TODAY)
    assert (pv.n_accepted, pv.n_rejected) == (2, 0), reasons(pv, "en")
    assert batch is not None
    stored = store.project_cycles(MINISTRY)
    got = stored[stored["cycle_no"] == 2].set_index("project_id")
    assert sorted(got.index) == [1, 2]
    assert pd.Timestamp(got.loc[2, "start_date"]).date() == date(2025, 9, 1)
    assert pd.Timestamp(got.loc[2, "end_date"]).date() == date(2028, 8, 31)
    assert int(got.loc[2, "university_id"]) == 1
    assert set(got["provenance"]) == {"imported"}
    # the re-paired project's first cycle keeps its university in a row of its own
    (first_row,) = stored[stored["cycle_no"] == 1].itertuples(index=False)
    assert (first_row.project_id, first_row.university_id) == (2, 2)
    # the outcome of each first cycle, derived from the second
    projects = store.programme_projects(MINISTRY, Filters())
    cycles = all_cycles(projects, store.project_cycles(MINISTRY), TODAY)
    first = cycles[cycles["cycle_no"] == 1].set_index("project_id")["outcome"]
    assert first[1] == "renewed" and first[2] == "repaired"
    assert first[3] == "unrecorded"  # nothing recorded after its end
    # the renewal's signing is the second cycle's own milestone, against its own deadline
    ms = store.cycle_milestones(MINISTRY)
    assert ms[["project_id", "cycle_no", "kind"]].values.tolist() == [[1, 2, "signed"]]
    assert pd.Timestamp(ms["due_date"].iloc[0]).date() == date(2025, 7, 31)
    assert store.project_milestones(MINISTRY)["kind"].tolist().count("signed") == 4  # untouched
    # the same renewal again (another file): a duplicate, nothing added
    again, _ = ingest.import_file(store, GANSU, "project", data + b"\r\n", "again.csv", today=TODAY)
    assert again.n_accepted == 0 and {p.reason for p in again.problems} == {"ingest_r_dup_existing"}
    # undo restores exactly what was there
    store.undo_batch(GANSU, batch)
    assert table_fingerprints(store, CYCLE_TABLES) == before
    assert store.project_cycles(MINISTRY).empty


def test_bad_rows_are_named_by_row_column_and_reason(store):
    data = csv_bytes(
        [
            HEAD,
            ["兰州大学", "甘肃", "榆中县", "榆中县恩玲中学", "3", "2028-09-01", ""],  # row 2: gap
            ["兰州大学", "甘肃", "榆中县", "榆中县恩玲中学", "2", "2025-05-01", ""],  # overlaps
            ["兰州大学", "甘肃", "榆中县", "榆中县新中学", "2", "", ""],  # no such project
            ["兰州大学", "甘肃", "榆中县", "榆中县恩玲中学", "十二", "", ""],  # not a cycle
        ]
    )
    pv = ingest.prepare(store, GANSU, "project", data, "bad.csv", today=TODAY)
    assert pv.n_accepted == 0
    got = {(p.row, p.column, p.reason) for p in pv.problems}
    assert got == {
        (2, "cycle", "cycle_r_gap"),
        (3, "start_date", "cycle_r_overlaps"),
        (4, "school", "cycle_r_no_project"),
        (5, "cycle", "cycle_r_bad_cycle"),
    }
    zh = reasons(pv, "zh")
    assert (2, "周期", "3", "周期不能跳号：该项目下一周期应为第 2 周期") in zh
    assert any(r[0] == 3 and r[1] == "开始日期" and "2025-08-31" in r[3] for r in zh)
    en = reasons(pv, "en")
    assert (
        2,
        "Cycle",
        "3",
        "cycles cannot skip a number: this project's next cycle is cycle 2",
    ) in en
    assert all(not any("\u4e00" <= ch <= "\u9fff" for ch in r[1] + r[3]) for r in en)


def test_scope_a_province_and_a_university(store):
    before = table_fingerprints(store, CYCLE_TABLES)
    # 甘肃's official: 新疆's school is another province's
    other = csv_bytes([HEAD, ["北京师范大学", "新疆", "天山区", "天山区某中学", "2", "", ""]])
    pv = ingest.prepare(store, GANSU, "project", other, "x.csv", today=TODAY)
    assert [(p.row, p.column, p.reason) for p in pv.problems] == [
        (2, "province", "ingest_r_out_of_scope")
    ]
    # 兰州大学's coordinator: not 北京师范大学's project, and not its own with another university
    theirs = csv_bytes([HEAD, ["兰州大学", "甘肃", "靖远县", "靖远县第四中学", "2", "", ""]])
    pv = ingest.prepare(store, LZU, "project", theirs, "y.csv", today=TODAY)
    assert [(p.column, p.reason) for p in pv.problems] == [("school", "cycle_r_out_of_scope")]
    handed = csv_bytes([HEAD, ["北京师范大学", "甘肃", "榆中县", "榆中县恩玲中学", "2", "", ""]])
    pv = ingest.prepare(store, LZU, "project", handed, "z.csv", today=TODAY)
    assert [(p.column, p.reason) for p in pv.problems] == [("university", "ingest_r_out_of_scope")]
    # its own project with itself: accepted
    own = csv_bytes([HEAD, ["兰州大学", "甘肃", "榆中县", "榆中县恩玲中学", "2", "", ""]])
    pv, batch = ingest.import_file(store, LZU, "project", own, "own.csv", today=TODAY)
    assert pv.n_accepted == 1 and batch is not None
    store.undo_batch(LZU, batch)
    assert table_fingerprints(store, CYCLE_TABLES) == before


def test_the_store_refuses_a_hand_made_renewal_outside_the_scope(store):
    """A Preview is plain data: one naming 新疆's project, committed as 甘肃's official, is
    refused inside the transaction and leaves the database as it was."""
    before = table_fingerprints(store)
    rows = pd.DataFrame([cycle_row(3, 2, 650000, 650102, "天山区某中学", "乌鲁木齐市")])
    with pytest.raises(StoreError):
        store.import_commit(GANSU, Preview(RecordKind.PROJECT, rows, [], 1), "hand.csv", "x")
    assert table_fingerprints(store) == before
    # and a cycle that skips one, even in scope
    rows.loc[0, ["project_id", "cycle_no", "province_adcode"]] = [1, 3, 620000]
    with pytest.raises(StoreError) as err:
        store.import_commit(MINISTRY, Preview(RecordKind.PROJECT, rows, [], 1), "hand.csv", "y")
    assert err.value.key == "cycle_store_gap"
    assert table_fingerprints(store) == before


def test_undoing_the_first_batch_waits_for_the_second(store):
    """A project registered by one import and renewed by a later one: the first cannot be
    undone before the second (it would leave a cycle without its project)."""
    new = csv_bytes([HEAD, ["兰州大学", "甘肃", "榆中县", "榆中县第九中学", "1", "", ""]])
    _, first = ingest.import_file(store, GANSU, "project", new, "b1.csv", today=TODAY)
    renew = csv_bytes([HEAD, ["兰州大学", "甘肃", "榆中县", "榆中县第九中学", "2", "", ""]])
    pv, second = ingest.import_file(store, GANSU, "project", renew, "b2.csv", today=TODAY)
    assert pv.n_accepted == 1, reasons(pv, "en")
    with pytest.raises(StoreError) as err:
        store.undo_batch(GANSU, first)
    assert err.value.key == "store_undo_later_first"
    store.undo_batch(GANSU, second)
    store.undo_batch(GANSU, first)
    assert store.project_cycles(MINISTRY).empty


def _hosts(store) -> dict[int, int]:
    projects = store.programme_projects(MINISTRY, Filters())
    return dict(zip(projects["project_id"].astype(int), projects["university_id"].astype(int)))


def _scope_ids(store, viewer) -> set[int]:
    return set(store.programme_projects(viewer, Filters())["project_id"].astype(int))


def test_a_re_paired_project_moves_to_its_new_university_and_back_on_undo(store):
    """靖远县第四中学 (project 2, 北京师范大学) re-paired with 兰州大学 from 2025-09-01: 兰州大学
    sees it, files its term report and is named as its university; 北京师范大学 no longer
    sees it or writes for it. The first cycle still names 北京师范大学. Undone: as before."""
    bnu = Viewer.university([2], name="bnu-coordinator")
    assert _hosts(store)[2] == 2 and 2 in _scope_ids(store, bnu)
    before = table_fingerprints(store)
    data = csv_bytes(
        [HEAD, ["兰州大学", "甘肃", "靖远县", "靖远县第四中学", "2", "2025-09-01", ""]]
    )
    pv, batch = ingest.import_file(store, GANSU, "project", data, "repair.csv", today=TODAY)
    assert batch is not None, reasons(pv, "en")
    assert _hosts(store)[2] == 1
    assert 2 in _scope_ids(store, LZU) and 2 not in _scope_ids(store, bnu)
    assert _scope_ids(store, Viewer.university([1, 2])) >= {1, 2, 3}
    projects = store.programme_projects(MINISTRY, Filters())
    cycles = all_cycles(projects, store.project_cycles(MINISTRY), TODAY)
    mine = cycles[cycles["project_id"] == 2].sort_values("cycle_no")
    assert mine[["cycle_no", "university_id", "outcome"]].values.tolist() == [
        [1, 2, "repaired"],
        [2, 1, "ongoing"],
    ]
    # writes follow the host: the old university is refused, the database unchanged
    after_import = table_fingerprints(store)
    with pytest.raises(StoreError):
        store.submit_term_report(bnu, 2, 20261)
    assert table_fingerprints(store) == after_import
    store.submit_term_report(LZU, 2, 20261)
    # the undo puts the project back with 北京师范大学 (the report filed meanwhile stays: it
    # is the project's, whoever hosts it)
    store.undo_batch(GANSU, batch)
    assert _hosts(store)[2] == 2
    assert 2 in _scope_ids(store, bnu) and 2 not in _scope_ids(store, LZU)
    assert store.project_cycles(MINISTRY).empty
    for table in ("project", "project_cycle", "cycle_milestone", "ingest_shelf_project"):
        assert table_fingerprints(store, [table]) == {table: before[table]}, table


def test_a_re_pairing_is_undone_only_after_the_new_hosts_later_rows(store):
    """After the re-pairing, 兰州大学 imports an exchange for its new school: the re-pairing
    cannot be undone first (the exchange would be left with a university that never hosted
    the school); once the exchange is undone, it can."""
    data = csv_bytes(
        [HEAD, ["兰州大学", "甘肃", "靖远县", "靖远县第四中学", "2", "2025-09-01", ""]]
    )
    _, repair = ingest.import_file(store, GANSU, "project", data, "repair.csv", today=TODAY)
    assert repair is not None
    head = ["托管高校", "省份", "帮扶县中", "开始日期", "人数", "身份"]
    act = csv_bytes([head, ["兰州大学", "甘肃", "靖远县第四中学", "2026-03-01", "2", "教师"]])
    pv, later = ingest.import_file(store, LZU, "dispatch", act, "act.csv", today=TODAY)
    assert later is not None, reasons(pv, "en")
    with pytest.raises(StoreError) as err:
        store.undo_batch(GANSU, repair)
    assert err.value.key == "store_undo_later_first"
    assert _hosts(store)[2] == 1
    store.undo_batch(LZU, later)
    store.undo_batch(GANSU, repair)
    assert _hosts(store)[2] == 2
