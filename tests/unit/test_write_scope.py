"""No write outside the viewer's scope (issue 17): import of every record kind, single-row entry,
correction and undo, each refused in the preview and again in the store.

The tiny database of conftest.make_tiny, with project 4 made simulated here so that every target
can be replaced by a viewer whose scope covers it:

    project 1 兰州大学(1)     榆中县恩玲中学  榆中县   甘肃 620000  published
    project 2 北京师范大学(2) 靖远县第四中学  靖远县   甘肃 620000  simulated
    project 3 北京师范大学(2) 天山区某中学    天山区   新疆 650000  simulated
    project 4 兰州大学(1)     塔里木高级中学  阿拉尔市 兵团 660000  simulated (here)

Viewers: the 甘肃 official (projects 1, 2), the 兰州大学 coordinator (projects 1, 4), the ministry
(everything). The expected scope of each viewer below is written by hand from that table.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date

import pandas as pd
import pytest
from conftest import make_tiny, on_backend, run_sql, table_fingerprints

from dashboard_lib import ingest
from dashboard_lib.i18n import t
from dashboard_lib.ingest import Preview, RecordKind
from dashboard_lib.scope import Viewer
from dashboard_lib.store import StoreError

TODAY = date(2026, 11, 28)
GANSU = Viewer.province(620000, name="gansu-official")
LZU = Viewer.university([1], name="lzu-coordinator")
MINISTRY = Viewer.ministry("ministry-staff")
VIEWERS = {"gansu": GANSU, "lzu": LZU, "ministry": MINISTRY}
IN_SCOPE = {
    "gansu": {1, 2},
    "lzu": {1, 4},
    "ministry": {1, 2, 3, 4},
}  # by hand, from the table above

TARGETS = {  # university, province, county, school, as a person would write them
    2: ("北京师范大学", "甘肃省", "靖远县", "靖远县第四中学"),
    3: ("北京师范大学", "新疆维吾尔自治区", "天山区", "天山区某中学"),
    4: ("兰州大学", "新疆生产建设兵团", "阿拉尔市", "塔里木高级中学"),
}
DATA_TABLES = (
    "project",
    "milestone",
    "activity",
    "outcome",
    "ingest_shelf_project",
    "ingest_shelf_milestone",
    "ingest_shelf_activity",
    "ingest_shelf_outcome",
)
SCOPE_REASONS = {
    "ingest_r_out_of_scope",
    "ingest_r_project_not_found",
    "ingest_r_replace_out_of_scope",
    "ingest_r_project_out_of_scope",
    "ingest_r_record_out_of_scope",
}
HAN = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(params=["duckdb", "postgresql"])
def store(tmp_path, request):
    """The tiny database on each backend: the embedded DuckDB file, and PostgreSQL as the
    system of record (issue 15) — every write test of this module runs on both."""
    s = make_tiny(tmp_path / "scope.duckdb")
    s._con.execute("UPDATE project SET provenance = 'simulated' WHERE project_id = 4")
    s = on_backend(s, request.param, request)
    yield s
    s.close()


# ------------------------------------------------------------------ helpers
def csv_bytes(rows: list[list]) -> bytes:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    return buf.getvalue().encode("utf-8")


def claim(viewer_name: str, target: int, disguised: bool) -> tuple[str, str, str, str]:
    """The target's own names, or names that pretend it is inside the viewer's scope."""
    uni, prov, county, school = TARGETS[target]
    if disguised and viewer_name == "gansu":
        prov = "甘肃"
    if disguised and viewer_name == "lzu":
        uni = "兰州大学"
    return uni, prov, county, school


ACTIVITY_COUNTS = {
    "dispatch": ("人数", "1"),
    "guidance_visit": ("人数", "3"),
    "shadowing": ("人数", "2"),
    "training": ("参训人数", "30"),
    "internship": ("人数", "4"),
}


def file_for(kind: RecordKind, names: tuple[str, str, str, str]) -> bytes:
    uni, prov, county, school = names
    if kind is RecordKind.PROJECT:
        return csv_bytes(
            [
                ["托管高校", "省份", "县", "帮扶县中", "签约日期"],
                [uni, prov, county, school, "2022-07-20"],
            ]
        )
    if kind is RecordKind.OUTCOME:
        return csv_bytes(
            [
                ["托管高校", "省份", "帮扶县中", "学年", "指标", "数值"],
                [uni, prov, school, "2024", "本科上线率", "40"],
            ]
        )
    head, n = ACTIVITY_COUNTS[kind.value]
    return csv_bytes(
        [
            ["托管高校", "省份", "帮扶县中", "开始日期", "结束日期", head],
            [uni, prov, school, "2024-10-08", "2024-10-09", n],
        ]
    )


def assert_scope_refusal(problems, row: int, extra_reasons=()) -> None:
    mine = [p for p in problems if p.row == row]
    assert mine, f"row {row} was not rejected"
    scoped = [p for p in mine if p.reason in SCOPE_REASONS | set(extra_reasons)]
    assert scoped, [(p.column, p.reason) for p in mine]
    for p in scoped:
        assert p.column in ingest.FIELDS, p  # names a column of the file
        zh, en = (
            t(p.reason, "zh", detail="…"),
            t(p.reason, "en", detail="…"),
        )  # a sentence in each language
        assert HAN.search(zh) and not HAN.search(en) and zh != p.reason


def cells():
    for vname in VIEWERS:
        for target in TARGETS:
            for disguised in (False, True):
                if disguised and (target in IN_SCOPE[vname] or vname == "ministry"):
                    continue  # a disguise only matters for a target outside the scope
                for kind in RecordKind:
                    if kind is RecordKind.COMPARISON:  # no project: test_comparison_import.py
                        continue
                    yield pytest.param(
                        vname,
                        target,
                        disguised,
                        kind,
                        id=f"{vname}-P{target}-{'disguised' if disguised else 'honest'}-{kind.value}",
                    )


# ------------------------------------------------------------------ 1. the matrix
@pytest.mark.parametrize("vname, target, disguised, kind", list(cells()))
def test_import_matrix(store, vname, target, disguised, kind):
    viewer = VIEWERS[vname]
    data = file_for(kind, claim(vname, target, disguised))
    allowed = target in IN_SCOPE[vname] and not disguised
    before = table_fingerprints(store, DATA_TABLES)
    preview, batch = ingest.import_file(store, viewer, kind, data, f"{kind.value}.csv", today=TODAY)
    if allowed:
        assert preview.problems == [] and preview.n_accepted == 1
        if kind is RecordKind.PROJECT:
            assert preview.replaces == [target]
            row = store._df(
                "SELECT provenance, import_batch_id FROM project WHERE project_id = ?", [target]
            )
            assert (row.iloc[0]["provenance"], int(row.iloc[0]["import_batch_id"])) == (
                "imported",
                batch,
            )
        else:
            table = "outcome" if kind is RecordKind.OUTCOME else "activity"
            written = store._df(
                f"SELECT project_id FROM {table} WHERE import_batch_id = ?", [batch]
            )
            assert written["project_id"].tolist() == [target]
    else:
        assert preview.n_accepted == 0
        assert preview.replaces == []
        extra = (
            {"ingest_r_unknown_county"}
            if (kind is RecordKind.PROJECT and disguised and vname == "gansu")
            else set()
        )
        assert_scope_refusal(preview.problems, 2, extra)
        assert table_fingerprints(store, DATA_TABLES) == before


@pytest.mark.parametrize("county", ["天山区", "650102", "阿拉尔市", "659002"])
def test_province_official_cannot_reach_another_province_through_the_county(store, county):
    """甘肃 named as the province, a county (by name or code) of 新疆 or the Corps."""
    school = "天山区某中学" if county in ("天山区", "650102") else "塔里木高级中学"
    data = csv_bytes(
        [["托管高校", "省份", "县", "帮扶县中"], ["北京师范大学", "甘肃", county, school]]
    )
    before = table_fingerprints(store, DATA_TABLES)
    preview = ingest.prepare(store, GANSU, "project", data, "p.csv", today=TODAY)
    assert preview.n_accepted == 0 and preview.replaces == []
    assert {p.column for p in preview.problems} == {"county"}
    assert table_fingerprints(store, DATA_TABLES) == before


# ------------------------------------------------------------------ 2. one test per path: nothing changes
def test_import_refusal_leaves_database_unchanged(store):
    """The probe: 兰州大学 claims 北京师范大学's simulated project 2 (甘肃) and 3 (新疆)."""
    data = csv_bytes(
        [
            ["托管高校", "省份", "县", "帮扶县中"],
            ["兰州大学", "甘肃", "靖远县", "靖远县第四中学"],
            ["兰州大学", "新疆", "天山区", "天山区某中学"],
        ]
    )
    before = table_fingerprints(store)
    preview = ingest.prepare(store, LZU, "project", data, "p.csv", today=TODAY)
    assert preview.n_accepted == 0 and preview.replaces == []
    assert_scope_refusal(preview.problems, 2)
    assert_scope_refusal(preview.problems, 3)
    assert table_fingerprints(store) == before
    # the same rows previewed by the ministry (who may give project 2 to 兰州大学) and then
    # committed by the coordinator: refused in the store, nothing written
    ministry_preview = ingest.prepare(store, MINISTRY, "project", data, "p.csv", today=TODAY)
    assert ministry_preview.replaces == [2, 3]
    with pytest.raises(StoreError) as e:
        store.import_commit(LZU, ministry_preview, "p.csv", ingest.file_sha256(data))
    assert HAN.search(e.value.zh) and not HAN.search(e.value.en)
    assert table_fingerprints(store) == before


def test_entry_refusal_leaves_database_unchanged(store):
    values = {
        "start_date": date(2024, 10, 8),
        "end_date": None,
        "people": 3.0,
        "role": "",
        "subject": "",
        "note": "",
    }
    before = table_fingerprints(store)
    # project 2 picked from a list that holds it (e.g. a page built for another viewer)
    pv = ingest.entry_preview(
        store, LZU, "guidance_visit", store.projects(MINISTRY), 2, values, today=TODAY
    )
    assert pv.n_accepted == 0
    assert_scope_refusal(pv.problems, 1)
    # project 3 (新疆) sent by the 甘肃 official although its own list does not hold it
    pv = ingest.entry_preview(
        store, GANSU, "guidance_visit", store.projects(GANSU), 3, values, today=TODAY
    )
    assert pv.n_accepted == 0
    assert_scope_refusal(pv.problems, 1)
    assert table_fingerprints(store) == before
    # the ministry's valid entry for project 2, committed by the coordinator
    ok = ingest.entry_preview(
        store, MINISTRY, "guidance_visit", store.projects(MINISTRY), 2, values, today=TODAY
    )
    assert ok.n_accepted == 1
    with pytest.raises(StoreError):
        store.import_commit(LZU, ok, None, None)
    assert table_fingerprints(store) == before
    # control: the coordinator's own project 4
    mine = ingest.entry_preview(
        store, LZU, "guidance_visit", store.projects(LZU), 4, values, today=TODAY
    )
    assert mine.problems == [] and mine.accepted["project_id"].tolist() == [4]


def _entered(store, viewer, pid: int, people: int) -> int:
    pv = ingest.entry_preview(
        store,
        viewer,
        "guidance_visit",
        store.projects(viewer),
        pid,
        {"start_date": date(2024, 5, people), "people": people},
        today=TODAY,
    )
    assert pv.problems == []
    batch = store.import_commit(viewer, pv, None, None)
    return int(store._scalar("SELECT activity_id FROM activity WHERE import_batch_id = ?", [batch]))


def test_correction_refusal_leaves_database_unchanged(store):
    theirs = _entered(store, MINISTRY, 2, 5)  # 北京师范大学's project 2
    mine = _entered(store, LZU, 1, 6)  # 兰州大学's project 1
    before = table_fingerprints(store)
    # a row of another university's project, in a table the page never showed the coordinator
    forged = ingest.editable_view(store.editable_activities(MINISTRY))
    forged = forged[forged["activity_id"] == theirs].reset_index(drop=True)
    edited = forged.copy()
    edited.loc[0, "people"] = 9
    changes, problems = ingest.corrections(store, LZU, forged, edited, today=TODAY)
    assert changes == []
    assert_scope_refusal(problems, 1)
    with pytest.raises(StoreError):
        store.update_activity(LZU, theirs, {"people": 9})
    # the coordinator's own row, moved to project 2 by its new values
    shown = ingest.editable_view(store.editable_activities(LZU))
    assert shown["activity_id"].tolist() == [mine]
    moved = shown.copy()
    moved.loc[0, "school_zh"] = "靖远县第四中学"
    changes, problems = ingest.corrections(store, LZU, shown, moved, today=TODAY)
    assert changes == []
    assert [p.column for p in problems] == ["school"]
    assert_scope_refusal(problems, 1)
    for values in ({"project_id": 2, "people": 7}, {"project_id": 3}):
        with pytest.raises(StoreError):
            store.update_activity(LZU, mine, values)
    # a 甘肃 official cannot correct 兰州大学's row in 兵团 either
    far = _entered(store, LZU, 4, 7)
    before = table_fingerprints(store)
    with pytest.raises(StoreError):
        store.update_activity(GANSU, far, {"people": 2})
    assert table_fingerprints(store) == before
    # controls: the coordinator may correct its own row; the ministry any row
    ok = shown.copy()
    ok.loc[0, "people"] = 8
    changes, problems = ingest.corrections(store, LZU, shown, ok, today=TODAY)
    assert problems == [] and [c[0] for c in changes] == [mine]
    store.update_activity(LZU, *changes[0])
    store.update_activity(MINISTRY, theirs, {"people": 4})
    got = store._df(
        "SELECT activity_id, people FROM activity WHERE activity_id IN (?, ?) ORDER BY 1",
        [theirs, mine],
    )
    assert dict(zip(got["activity_id"], got["people"])) == {theirs: 4, mine: 8}


def test_undo_refusal_leaves_database_unchanged(store):
    visits = csv_bytes([["帮扶县中", "开始日期", "人数"], ["榆中县恩玲中学", "2024-04-01", "4"]])
    _, ministry_batch = ingest.import_file(
        store, MINISTRY, "guidance_visit", visits, "v.csv", today=TODAY
    )
    # the ministry gives project 2 to 兰州大学; the batch is then recorded as the coordinator's
    # (what a coordinator's import could do before the fix)
    annex = csv_bytes(
        [["托管高校", "省份", "县", "帮扶县中"], ["兰州大学", "甘肃", "靖远县", "靖远县第四中学"]]
    )
    _, legacy = ingest.import_file(store, MINISTRY, "project", annex, "a.csv", today=TODAY)
    run_sql(
        store,
        "UPDATE ingest_batch_scope SET role = 'university', universities = ARRAY[1] "
        "WHERE import_batch_id = ?",
        [legacy],
    )
    assert store._scalar("SELECT university_id FROM project WHERE project_id = 2") == 1
    before = table_fingerprints(store)
    with pytest.raises(StoreError):
        store.undo_batch(GANSU, ministry_batch)  # a ministry batch, a province official
    with pytest.raises(StoreError):
        store.undo_batch(LZU, legacy)  # would restore 北京师范大学's project 2
    with pytest.raises(StoreError):
        store.undo_batch(Viewer.province(650000), ministry_batch)
    assert table_fingerprints(store) == before
    # controls: the coordinator's own batch, then the ministry's
    own = csv_bytes([["帮扶县中", "开始日期", "人数"], ["塔里木高级中学", "2024-04-02", "2"]])
    _, lzu_batch = ingest.import_file(store, LZU, "guidance_visit", own, "o.csv", today=TODAY)
    store.undo_batch(LZU, lzu_batch)
    store.undo_batch(MINISTRY, legacy)
    store.undo_batch(MINISTRY, ministry_batch)
    assert store._scalar("SELECT university_id FROM project WHERE project_id = 2") == 2
    assert store._scalar("SELECT count(*) FROM activity WHERE import_batch_id IS NOT NULL") == 0


# ------------------------------------------------------------------ 3. forged previews
def _project_row(uid, school, county, prov, pref, replaces):
    return {
        "university_id": uid,
        "school_zh": school,
        "county_adcode": county,
        "province_adcode": prov,
        "prefecture_zh": pref,
        "signed_date": None,
        "note": None,
        "replaces": replaces,
        "row": 2,
    }


def _activity_row(pid):
    return {
        "project_id": pid,
        "kind": "guidance_visit",
        "start_date": date(2024, 10, 8),
        "end_date": None,
        "people": 3,
        "person_months": None,
        "participants": None,
        "hours": None,
        "mode": "on_site",
        "role": None,
        "subject": None,
        "level": None,
        "direction": "to_county",
        "note": None,
        "row": 2,
    }


FORGED = {
    # 兰州大学 takes over 北京师范大学's simulated projects (甘肃, 新疆)
    "lzu-replaces-P2": (
        LZU,
        RecordKind.PROJECT,
        [_project_row(1, "靖远县第四中学", 620421, 620000, "白银市", 2)],
    ),
    "lzu-replaces-P3": (
        LZU,
        RecordKind.PROJECT,
        [_project_row(1, "天山区某中学", 650102, 650000, "乌鲁木齐市", 3)],
    ),
    # 甘肃 pulls 新疆's project 3 into 甘肃 by replacing it with a 甘肃 school
    "gansu-replaces-P3": (
        GANSU,
        RecordKind.PROJECT,
        [_project_row(2, "靖远县新中学", 620421, 620000, "白银市", 3)],
    ),
    # a new project said to be in 甘肃 but in a 新疆 county / in 新疆
    "gansu-new-in-xinjiang-county": (
        GANSU,
        RecordKind.PROJECT,
        [_project_row(1, "新中学", 650102, 620000, "乌鲁木齐市", None)],
    ),
    "gansu-new-in-xinjiang": (
        GANSU,
        RecordKind.PROJECT,
        [_project_row(1, "新中学", 650102, 650000, "乌鲁木齐市", None)],
    ),
    "lzu-new-for-bnu": (
        LZU,
        RecordKind.PROJECT,
        [_project_row(2, "榆中县新中学", 620123, 620000, "兰州市", None)],
    ),
    # activity and outcome rows of another university's / province's project, or of none
    "lzu-activity-P2": (LZU, RecordKind.GUIDANCE_VISIT, [_activity_row(2)]),
    "lzu-activity-missing-project": (LZU, RecordKind.GUIDANCE_VISIT, [_activity_row(999)]),
    "gansu-activity-P4-among-own": (
        GANSU,
        RecordKind.GUIDANCE_VISIT,
        [_activity_row(1), _activity_row(4)],
    ),
    "gansu-outcome-P3": (
        GANSU,
        RecordKind.OUTCOME,
        [
            {
                "project_id": 3,
                "school_year": 2024,
                "indicator": "admission_rate",
                "value": 40.0,
                "row": 2,
            }
        ],
    ),
}


@pytest.mark.parametrize("case", list(FORGED))
def test_forged_preview_is_refused_by_the_store(store, case):
    viewer, kind, rows = FORGED[case]
    accepted = pd.DataFrame(rows)
    replaces = (
        sorted(int(x) for x in accepted["replaces"].dropna()) if "replaces" in accepted else []
    )
    preview = Preview(kind, accepted, [], len(rows), replaces)
    store.ingest_reference(MINISTRY, "project")  # every table exists before the fingerprint
    before = table_fingerprints(store)
    with pytest.raises(StoreError) as e:
        store.import_commit(viewer, preview, "forged.csv", "0" * 64)
    assert HAN.search(e.value.zh) and e.value.en
    assert table_fingerprints(store) == before


def test_forged_previews_are_written_for_the_ministry(store):
    """Control: the same kind of rows inside the scope are written (the refusals above are about scope)."""
    for kind, rows, table in (
        (
            RecordKind.PROJECT,
            [_project_row(1, "靖远县第四中学", 620421, 620000, "白银市", 2)],
            "project",
        ),
        (RecordKind.GUIDANCE_VISIT, [_activity_row(3)], "activity"),
    ):
        batch = store.import_commit(
            MINISTRY,
            Preview(kind, pd.DataFrame(rows), [], 1, [2] if kind is RecordKind.PROJECT else []),
            None,
            None,
        )
        assert (
            store._scalar(f"SELECT count(*) FROM {table} WHERE import_batch_id = ?", [batch]) == 1
        )
