"""Import (issue 5): a corpus of real-looking files built here, each with its exact expected
outcome computed by hand from the tiny database of conftest.make_tiny:

    project 1 兰州大学(1)     榆中县恩玲中学  榆中县 620123  甘肃 620000  published
    project 2 北京师范大学(2) 靖远县第四中学  靖远县 620421  甘肃 620000  simulated (activity 4 simulated, 5 published)
    project 3 北京师范大学(2) 天山区某中学    天山区 650102  新疆 650000  simulated
    project 4 兰州大学(1)     塔里木高级中学  阿拉尔市 659002 兵团 660000  published
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

import openpyxl
import pandas as pd
import pytest
from conftest import make_tiny, on_backend, run_sql

from dashboard_lib import ingest
from dashboard_lib.scope import Viewer
from dashboard_lib.store import StoreError

TODAY = date(2026, 11, 28)
GANSU = Viewer.province(620000, name="gansu-official")
MINISTRY = Viewer.ministry()
DATA_TABLES = ("project", "milestone", "activity", "outcome")


@pytest.fixture(params=["duckdb", "postgresql"])
def tiny(tmp_path, request):
    """The tiny database on each backend (issue 15: every write runs on both)."""
    s = on_backend(make_tiny(tmp_path / "ingest.duckdb"), request.param, request)
    yield s
    s.close()


def csv_bytes(rows: list[list], encoding: str = "utf-8") -> bytes:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    return buf.getvalue().encode(encoding)


def snapshot(store, tables=DATA_TABLES) -> dict[str, pd.DataFrame]:
    def rows(t: str) -> pd.DataFrame:
        df = store._df(f"SELECT * FROM {t}")
        return df.loc[df.astype(str).sort_values(list(df.columns)).index].reset_index(drop=True)

    return {t: rows(t) for t in tables}


def assert_same(a: dict, b: dict) -> None:
    assert a.keys() == b.keys()
    for t in a:
        pd.testing.assert_frame_equal(a[t], b[t], check_dtype=False, obj=t)


def reasons(preview) -> dict[int, list[tuple[str, str]]]:
    out: dict[int, list[tuple[str, str]]] = {}
    for p in preview.problems:
        out.setdefault(p.row, []).append((p.column, p.reason))
    return out


def prepare(store, viewer, kind, data, name):
    return ingest.prepare(store, viewer, kind, data, name, today=TODAY)


# ------------------------------------------------------------------ the official annex
ANNEX = [
    ["部属高校托管帮扶县中名单（附件）", "", "", "", ""],  # row 1: title
    ["序号", "托管高校", "省份", "县", "帮扶县中"],  # row 2: header
    ["1", "兰州大学", "甘肃", "榆中", "榆中县第二中学"],  # 3 ok, county without 县
    ["2", "北京师范大学", "甘肃省", "靖远县", "靖远县第四中学"],  # 4 ok, replaces simulated 2
    ["3", "兰州大学", "新疆生产建设兵团", "阿拉尔市", "阿拉尔市高级中学"],  # 5 ok, Corps
    ["", "", "", "", ""],  # 6 blank
    ["4", "清华大学", "甘肃", "榆中县", "榆中县第三中学"],  # 7 unknown university
    ["5", "兰州大学", "甘肃", "永登县", "永登县第一中学"],  # 8 county not in database
    ["6", "兰州大学", "甘肃", "榆中县", "榆中县恩玲中学"],  # 9 duplicate of published 1
    ["7", "兰州大学", "Gansu", "榆中县", "榆中县第二中学"],  # 10 duplicate of row 3
    ["8", "兰州大学", "火星", "榆中县", "某中学"],  # 11 unknown province
]
ANNEX_REJECTED = {
    7: [("university", "ingest_r_unknown_university")],
    8: [("county", "ingest_r_unknown_county")],
    9: [("school", "ingest_r_dup_existing")],
    10: [("", "ingest_r_dup_in_file")],
    11: [("province", "ingest_r_unknown_province")],
}


def test_annex_gbk_csv_with_title_row(tiny):
    data = csv_bytes(ANNEX, "gbk")
    pv = prepare(tiny, MINISTRY, "project", data, "附件.csv")
    assert pv.total_rows == 8  # the blank row 6 is not a row
    assert list(pv.accepted["row"]) == [3, 4, 5]
    assert list(pv.accepted["county_adcode"]) == [620123, 620421, 659002]
    assert list(pv.accepted["province_adcode"]) == [
        620000,
        620000,
        660000,
    ]  # the Corps, never 650000
    assert pv.replaces == [2]
    assert reasons(pv) == ANNEX_REJECTED
    cand = next(p for p in pv.problems if p.row == 7)
    assert "兰州大学" in cand.detail  # closest candidates listed
    assert next(p for p in pv.problems if p.row == 10).detail == "3"


def test_annex_commit_replace_and_undo(tiny):
    data = csv_bytes(ANNEX, "gb18030")
    before = snapshot(tiny)
    pv = prepare(tiny, MINISTRY, "project", data, "附件.csv")
    batch = tiny.import_commit(MINISTRY, pv, "附件.csv", ingest.file_sha256(data))
    p = tiny._df(
        "SELECT project_id, school_zh, province_adcode, provenance, import_batch_id "
        "FROM project ORDER BY project_id"
    )
    assert len(p) == 6
    assert list(p["provenance"]) == [
        "published",
        "imported",
        "simulated",
        "published",
        "imported",
        "imported",
    ]
    assert list(p["import_batch_id"].fillna(0)) == [0, batch, 0, 0, batch, batch]
    assert list(p[p.project_id > 4]["school_zh"]) == ["榆中县第二中学", "阿拉尔市高级中学"]
    assert list(p[p.project_id > 4]["province_adcode"]) == [620000, 660000]
    # the replaced project's simulated rows are set aside, the published activity 5 stays
    acts = tiny._df("SELECT activity_id FROM activity WHERE project_id = 2 ORDER BY 1")
    assert list(acts["activity_id"]) == [5]
    assert tiny._scalar("SELECT count(*) FROM milestone WHERE project_id = 2") == 0
    b = tiny._df("SELECT * FROM import_batch")
    assert (b.iloc[0]["rows_accepted"], b.iloc[0]["rows_rejected"]) == (3, 5)
    assert b.iloc[0]["file_sha256"] == ingest.file_sha256(data)
    assert (
        tiny._scalar("SELECT count(*) FROM ingest_rejected WHERE import_batch_id = ?", [batch]) == 5
    )
    assert tiny._scalar("SELECT count(*) FROM audit_log WHERE action = 'import'") == 1
    # the same file again: nothing added
    assert (
        tiny.already_imported(MINISTRY, ingest.file_sha256(data), "project")["import_batch_id"]
        == batch
    )
    with pytest.raises(StoreError):
        tiny.import_commit(MINISTRY, pv, "附件.csv", ingest.file_sha256(data))
    # the same rows in another file: every row is now a duplicate
    again = prepare(tiny, MINISTRY, "project", csv_bytes(ANNEX, "utf-8"), "copy.csv")
    assert again.n_accepted == 0
    assert {r for r, v in reasons(again).items() if v[0][1] == "ingest_r_dup_existing"} == {
        3,
        4,
        5,
        9,
        10,
    }
    # undo restores everything, the simulated project 2 with its rows
    tiny.undo_batch(MINISTRY, batch)
    assert_same(snapshot(tiny), before)
    assert tiny._scalar(
        "SELECT undone_at IS NOT NULL FROM import_batch WHERE import_batch_id = ?", [batch]
    )
    with pytest.raises(StoreError):
        tiny.undo_batch(MINISTRY, batch)
    # after undo the file may be imported again
    assert tiny.already_imported(MINISTRY, ingest.file_sha256(data), "project") is None


def test_annex_for_gansu_official_rejects_other_provinces(tiny):
    pv = prepare(tiny, GANSU, "project", csv_bytes(ANNEX, "gbk"), "附件.csv")
    assert list(pv.accepted["row"]) == [3, 4]
    assert reasons(pv)[5] == [("province", "ingest_r_out_of_scope")]


def test_annex_xlsx_title_row_merged_cells_spaces_fullwidth(tiny):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["部属高校托管帮扶县中名单"])
    ws.merge_cells("A1:F1")
    ws.append(["序号", "托管高校 ", "省份", "县（市、区）", "帮扶县中", "签约日期"])
    ws.append([1, "兰州大学", "甘肃", "榆中县", "榆中县第二中学", datetime(2022, 7, 18)])
    ws.append([2, None, None, "靖远县 ", "  靖远县第四中学 ", 44760])  # merged from above
    ws.merge_cells("B3:B4")
    ws.merge_cells("C3:C4")
    ws.append([None, None, None, None, None, None])  # blank row 5
    ws.append(["３", "北京师范大学", "甘肃", "榆中县", "榆中县第三中学", "2022年7月18日"])
    ws.append(["4", "北京师范大学", "甘肃", "榆中县", "榆中县第五中学", "2022/7/32"])
    buf = io.BytesIO()
    wb.save(buf)
    pv = prepare(tiny, MINISTRY, "project", buf.getvalue(), "annex.xlsx")
    assert list(pv.accepted["row"]) == [3, 4, 6]
    assert list(pv.accepted["university_id"]) == [
        1,
        1,
        2,
    ]  # row 4 took 兰州大学 from the merged cell
    assert list(pv.accepted["school_zh"]) == ["榆中县第二中学", "靖远县第四中学", "榆中县第三中学"]
    assert list(pv.accepted["signed_date"]) == [date(2022, 7, 18)] * 3
    assert reasons(pv) == {7: [("signed_date", "ingest_r_bad_date")]}


def test_english_headers_utf8_bom(tiny):
    data = csv_bytes(
        [
            ["University", "Province", "County", "School"],
            ["Lanzhou University", "Gansu", "榆中县", "榆中县第二中学"],
        ],
        "utf-8-sig",
    )
    tiny.bulk_insert(
        "university",
        pd.DataFrame(
            {
                "university_id": [3],
                "name_zh": ["清华大学"],
                "name_en": ["Tsinghua"],
                "kind": ["university"],
                "host_basis": ["published"],
            }
        ),
    )
    run_sql(tiny, "UPDATE university SET name_en = 'Lanzhou University' WHERE university_id = 1")
    pv = prepare(tiny, MINISTRY, "project", data, "list.csv")
    assert pv.n_accepted == 1 and pv.n_rejected == 0
    assert pv.accepted.iloc[0]["university_id"] == 1


# ------------------------------------------------------------------ activity reports
DISPATCH = [
    ["托管高校", "省份", "帮扶县中", "开始日期", "结束日期", "人数", "人月", "身份"],
    ["兰州大学", "甘肃", "榆中县恩玲中学", "2023-03-01", "2023-07-01", "2", "", "教师"],  # 2 ok
    ["兰州大学", "甘肃", "榆中县恩玲中学", "2023/3/15", "", "１", "", "教师"],  # 3 ok
    ["兰州大学", "甘肃", "榆中县恩玲中学", "2023年9月1日", "2023-08-01", "1", "", "教师"],  # 4
    ["北京师范大学", "甘肃", "榆中县恩玲中学", "2023-09-01", "", "1", "", "教师"],  # 5
    ["北京师范大学", "新疆", "天山区某中学", "2023-09-01", "", "1", "", "教师"],  # 6
    ["兰州大学", "兵团", "塔里木高级中学", "2023-09-01", "", "1", "", "教师"],  # 7
    ["兰州大学", "甘肃", "榆中县恩玲中学", "2030-01-01", "", "1", "", "教师"],  # 8
    ["兰州大学", "甘肃", "榆中县恩玲中学", "2023-10-01", "", "-3", "", "教师"],  # 9
    ["兰州大学", "甘肃", "榆中县恩玲中学", "2023-10-02", "", "5000", "", "教师"],  # 10
    ["兰州大学", "甘肃", "榆中县恩玲中学", "2022-09-01", "", "1", "", ""],  # 11
    ["兰州大学", "甘肃", "某不存在中学", "2023-10-03", "", "1", "", "教师"],  # 12
    ["兰州大学", "甘肃", "榆中县恩玲中学", "2023/3/15", "", "1", "", "教师"],  # 13
    ["兰州大学", "甘肃", "榆中县恩玲中学", "2023-13-45", "", "1", "", "教师"],  # 14
    ["兰州大学", "甘肃", "榆中县恩玲中学", "2023-10-05", "", "abc", "", "教师"],  # 15
]
DISPATCH_REJECTED = {
    4: [("end_date", "ingest_r_end_before_start")],
    5: [("university", "ingest_r_wrong_university")],
    6: [("province", "ingest_r_out_of_scope")],
    7: [("province", "ingest_r_out_of_scope")],
    8: [("start_date", "ingest_r_future")],
    9: [("people", "ingest_r_negative")],
    10: [("people", "ingest_r_absurd")],
    11: [("", "ingest_r_dup_existing")],
    12: [("school", "ingest_r_project_not_found")],
    13: [("", "ingest_r_dup_in_file")],
    14: [("start_date", "ingest_r_bad_date")],
    15: [("people", "ingest_r_not_number")],
}


def test_dispatch_report_rows(tiny):
    data = csv_bytes(DISPATCH, "utf-8-sig")
    pv = prepare(tiny, GANSU, "dispatch", data, "report.csv")
    assert list(pv.accepted["row"]) == [2, 3]
    assert list(pv.accepted["people"]) == [2, 1]
    assert list(pv.accepted["start_date"]) == [date(2023, 3, 1), date(2023, 3, 15)]
    # 2 people from 1 March to 1 July (123 days): 2 * 123 / 30.44
    assert pv.accepted.iloc[0]["person_months"] == pytest.approx(8.1, abs=0.05)
    assert reasons(pv) == DISPATCH_REJECTED
    frame = ingest.problems_frame(pv, "en")
    row4 = frame[frame["Row"] == 4].iloc[0]
    assert (row4["Column"], row4["Value"], row4["Reason"]) == (
        "End date",
        "2023-08-01",
        "end date is before the start date",
    )
    assert "超出您的权限范围" in ingest.problems_frame(pv, "zh")["原因"].tolist()


def test_dispatch_commit_and_reimport(tiny):
    data = csv_bytes(DISPATCH, "utf-8-sig")
    before = snapshot(tiny)
    pv, batch = ingest.import_file(tiny, GANSU, "dispatch", data, "report.csv", today=TODAY)
    new = tiny._df("SELECT * FROM activity WHERE import_batch_id = ? ORDER BY activity_id", [batch])
    assert len(new) == 2
    assert set(new["provenance"]) == {"imported"} and set(new["project_id"]) == {1}
    assert list(new["activity_id"]) == [9, 10]
    assert set(new["direction"]) == {"to_county"}
    again_pv, again = ingest.import_file(tiny, GANSU, "dispatch", data, "report.csv", today=TODAY)
    assert again is None
    assert tiny._scalar("SELECT count(*) FROM activity") == 10
    # a copy under another name: the rows are duplicates now, nothing is added
    _, other = ingest.import_file(tiny, GANSU, "dispatch", data + b"\r\n", "copy.csv", today=TODAY)
    assert tiny._scalar("SELECT count(*) FROM activity") == 10
    assert (
        tiny._scalar("SELECT rows_accepted FROM import_batch WHERE import_batch_id = ?", [other])
        == 0
    )
    tiny.undo_batch(GANSU, other)
    tiny.undo_batch(GANSU, batch)
    assert_same(snapshot(tiny), before)


def test_training_for_university_coordinator(tiny):
    lzu = Viewer.university([1], name="lzu")
    data = csv_bytes(
        [
            ["帮扶县中", "托管高校", "开始日期", "参训人数", "学时", "形式"],
            ["榆中县恩玲中学", "", "2023-05-12", "80", "4", "线上"],  # 2 ok
            ["靖远县第四中学", "", "2023-05-12", "80", "4", "线上"],  # 3 not theirs
            ["靖远县第四中学", "北京师范大学", "2023-05-12", "80", "4", "线下"],  # 4 out of scope
            ["塔里木高级中学", "", "2023-05-12", "80", "4", "飞行"],  # 5 bad mode
            ["塔里木高级中学", "", "2023-05-12", "0", "4", "线下"],  # 6 absurd
            ["塔里木高级中学", "", "2023-05-12", "30", "", "现场"],
        ],  # 7 ok
        "gbk",
    )
    pv = prepare(tiny, lzu, "training", data, "training.csv")
    assert list(pv.accepted["row"]) == [2, 7]
    assert list(pv.accepted["mode"]) == ["online", "on_site"]
    assert list(pv.accepted["project_id"]) == [1, 4]
    assert reasons(pv) == {
        3: [("school", "ingest_r_project_not_found")],
        4: [("university", "ingest_r_out_of_scope")],
        5: [("mode", "ingest_r_bad_choice")],
        6: [("participants", "ingest_r_absurd")],
    }


def test_outcomes(tiny):
    data = csv_bytes(
        [
            ["帮扶县中", "学年", "指标", "数值"],
            ["榆中县恩玲中学", "2023", "本科上线率", "45.5"],  # 2 ok
            ["榆中县恩玲中学", "2023", "本科上线率", "120"],  # 3 absurd (%)
            ["榆中县恩玲中学", "2023", "在校生数", "12.5"],  # 4 not integer
            ["榆中县恩玲中学", "2023", "幸福指数", "3"],  # 5 unknown indicator
            ["榆中县恩玲中学", "2031", "在校生数", "1200"],  # 6 future year
            ["靖远县第四中学", "２０２４", "在校生数", "1,200"],
        ],  # 7 ok
        "utf-8",
    )
    pv = prepare(tiny, GANSU, "outcome", data, "o.csv")
    assert list(pv.accepted["row"]) == [2, 7]
    assert list(pv.accepted["value"]) == [45.5, 1200.0]
    assert list(pv.accepted["indicator"]) == ["admission_rate", "enrolment"]
    assert reasons(pv) == {
        3: [("value", "ingest_r_absurd")],
        4: [("value", "ingest_r_not_integer")],
        5: [("indicator", "ingest_r_bad_choice")],
        6: [("school_year", "ingest_r_absurd")],
    }
    batch = tiny.import_commit(GANSU, pv, "o.csv", ingest.file_sha256(data))
    assert tiny._scalar("SELECT count(*) FROM outcome WHERE import_batch_id = ?", [batch]) == 2
    pv2 = prepare(tiny, GANSU, "outcome", data, "o.csv")
    assert pv2.n_accepted == 0 and reasons(pv2)[2] == [("", "ingest_r_dup_existing")]


# ------------------------------------------------------------------ dates and values
@pytest.mark.parametrize(
    "text,expected",
    [
        ("2022-07-18", date(2022, 7, 18)),
        ("2022/7/18", date(2022, 7, 18)),
        ("2022年7月18日", date(2022, 7, 18)),
        ("44760", date(2022, 7, 18)),
        ("２０２２－０７－１８", date(2022, 7, 18)),
        ("２０２２/７/１８", date(2022, 7, 18)),
        ("2022.7.18", date(2022, 7, 18)),
        ("20220718", date(2022, 7, 18)),
        ("2022-02-30", None),
        ("昨天", None),
        ("", None),
    ],
)
def test_parse_date(text, expected):
    assert ingest.parse_date(text) == expected


# ------------------------------------------------------------------ file-level refusals
def test_limits_and_unreadable_files(tiny, monkeypatch):
    with pytest.raises(ingest.IngestError) as e:
        ingest.read_table(b"x" * (ingest.MAX_BYTES + 1), "big.csv")
    assert e.value.key == "ingest_err_too_big"
    monkeypatch.setattr(ingest.read, "MAX_ROWS", 10)
    many = csv_bytes(
        [["帮扶县中", "开始日期", "人数"]] + [["榆中县恩玲中学", "2023-01-01", "1"]] * 40
    )
    with pytest.raises(ingest.IngestError) as e:
        ingest.read_table(many, "many.csv")
    assert e.value.key == "ingest_err_too_many_rows"
    for data, name, key in [
        (b"", "e.csv", "ingest_err_empty"),
        (b"PK\x03\x04garbage", "x.xlsx", "ingest_err_unreadable"),
        (csv_bytes([["a", "b"], ["1", "2"]]), "x.csv", "ingest_err_no_header"),
    ]:
        with pytest.raises(ingest.IngestError) as e:
            ingest.read_table(data, name)
        assert e.value.key == key
    with pytest.raises(ingest.IngestError) as e:
        prepare(tiny, GANSU, "dispatch", csv_bytes([["帮扶县中", "人数"], ["x", "1"]]), "x.csv")
    assert e.value.key == "ingest_err_missing_columns"
    assert ingest.error_text(e.value, "zh") == "缺少必填列：开始日期。"
    assert ingest.error_text(e.value, "en") == "Required columns are missing: Start date."


# ------------------------------------------------------------------ transactions and permissions
def test_failed_commit_leaves_database_untouched(tiny, monkeypatch):
    from dashboard_lib.store import core as store_core

    data = csv_bytes(DISPATCH, "utf-8")
    pv = prepare(tiny, GANSU, "dispatch", data, "r.csv")
    everything = tiny.tables()
    before = snapshot(tiny, everything)

    def boom(self, cur, what="programme"):
        raise RuntimeError("summaries failed")  # the last step inside the transaction

    monkeypatch.setattr(store_core.CoreStore, "_after_write", boom)
    with pytest.raises(RuntimeError):
        tiny.import_commit(GANSU, pv, "r.csv", ingest.file_sha256(data))
    assert_same(snapshot(tiny, everything), before)


@pytest.mark.parametrize("kind", ["dispatch", "outcome"])
def test_a_row_recorded_by_someone_else_after_the_check_refuses_the_commit(tiny, kind):
    """Two tabs (or two replicas, before the snapshot shows the first) check the same rows; the
    second commit finds them recorded already. It used to store nothing and still say saved
    (the writer load test counted 3 such rows of 279 as lost): it is refused in words, with the
    database as it was, and checking again marks those rows as duplicates."""
    outcomes = [
        ["帮扶县中", "学年", "指标", "数值"],
        ["榆中县恩玲中学", "2023", "在校生数", "1500"],
    ]
    data_a = csv_bytes(DISPATCH if kind == "dispatch" else outcomes, "utf-8")
    data_b = data_a + b"\r\n"  # the same rows in another file (another tab's own file)
    first = prepare(tiny, GANSU, kind, data_a, "a.csv")
    second = prepare(tiny, GANSU, kind, data_b, "b.csv")
    assert len(first.accepted) == len(second.accepted) > 0  # both checks found the rows new
    tiny.import_commit(GANSU, first, "a.csv", ingest.file_sha256(data_a))
    everything = tiny.tables()
    before = snapshot(tiny, everything)
    with pytest.raises(StoreError) as refused:
        tiny.import_commit(GANSU, second, "b.csv", ingest.file_sha256(data_b))
    assert refused.value.key == "store_recorded_since_check"
    assert f"有 {len(second.accepted)} 条记录" in refused.value.message("zh")
    assert "nothing was changed" in refused.value.message("en")
    assert_same(snapshot(tiny, everything), before)
    again = prepare(tiny, GANSU, kind, data_b, "b.csv")
    assert again.accepted.empty
    said = reasons(again)
    for row in second.accepted["row"]:
        assert ("", "ingest_r_dup_existing") in said[int(row)], said


def test_scope_is_checked_again_in_the_transaction(tiny):
    """A preview made for the ministry cannot be committed by a Gansu official."""
    data = csv_bytes(ANNEX, "utf-8")
    pv = prepare(tiny, MINISTRY, "project", data, "a.csv")
    before = snapshot(tiny, tiny.tables())
    with pytest.raises(StoreError):
        tiny.import_commit(GANSU, pv, "a.csv", ingest.file_sha256(data))
    assert_same(snapshot(tiny, tiny.tables()), before)


def test_read_only_viewer_cannot_write(tiny):
    demo = Viewer(MINISTRY.role, None, None, "demo", read_only=True)
    data = csv_bytes(DISPATCH, "utf-8")
    pv = prepare(tiny, GANSU, "dispatch", data, "r.csv")
    with pytest.raises(StoreError):
        tiny.import_commit(demo, pv, "r.csv", ingest.file_sha256(data))
    with pytest.raises(StoreError):
        tiny.undo_batch(demo, 1)
    assert tiny._scalar("SELECT count(*) FROM import_batch") == 0


def test_history_and_undo_are_scoped(tiny):
    data = csv_bytes(DISPATCH, "utf-8")
    _, batch = ingest.import_file(tiny, GANSU, "dispatch", data, "r.csv", today=TODAY)
    assert list(tiny.import_history(GANSU)["import_batch_id"]) == [batch]
    assert list(tiny.import_history(MINISTRY)["import_batch_id"]) == [batch]
    xinjiang = Viewer.province(650000)
    assert tiny.import_history(xinjiang).empty
    with pytest.raises(StoreError):
        tiny.undo_batch(xinjiang, batch)
    assert len(tiny.import_rejected(GANSU, batch)) == len(DISPATCH_REJECTED)
    assert tiny.import_rejected(xinjiang, batch).empty


def test_undo_refused_while_a_later_batch_uses_the_projects(tiny):
    annex = csv_bytes(ANNEX, "utf-8")
    _, b1 = ingest.import_file(tiny, MINISTRY, "project", annex, "a.csv", today=TODAY)
    visits = csv_bytes([["帮扶县中", "开始日期", "人数"], ["榆中县第二中学", "2024-04-01", "4"]])
    _, b2 = ingest.import_file(tiny, MINISTRY, "guidance_visit", visits, "v.csv", today=TODAY)
    assert tiny._scalar("SELECT count(*) FROM activity WHERE import_batch_id = ?", [b2]) == 1
    with pytest.raises(StoreError) as e:
        tiny.undo_batch(MINISTRY, b1)
    assert str(b2) in e.value.zh
    tiny.undo_batch(MINISTRY, b2)
    tiny.undo_batch(MINISTRY, b1)
    assert tiny._scalar("SELECT count(*) FROM project") == 4


# ------------------------------------------------------------------ entry form and corrections
def test_project_options_label_every_project_in_order(tiny):
    projects = tiny.projects(Viewer.ministry())
    by_id = projects.set_index("project_id")
    for lang, uni_col in (("zh", "university_zh"), ("en", "university_en")):
        options = ingest.project_options(projects, lang)
        assert (
            list(options) == projects["project_id"].astype(int).tolist()
        )  # the list keeps its order
        for pid, text in options.items():
            r = by_id.loc[pid]
            assert text == f"{r['school_zh']} · {r[uni_col]} · #{pid}"
            assert ingest.project_option(projects, pid, lang) == text
    assert ingest.project_options(projects, "zh")[1] == "榆中县恩玲中学 · 兰州大学 · #1"
    assert ingest.project_options(projects, "en")[3] == "天山区某中学 · BNU · #3"
    assert ingest.project_options(projects.iloc[0:0]) == {}


def test_entry_form_and_correction(tiny):
    lzu = Viewer.university([1], name="lzu")
    projects = tiny.projects(lzu)
    pv = ingest.entry_preview(
        tiny,
        lzu,
        "guidance_visit",
        projects,
        1,
        {
            "start_date": date(2024, 3, 5),
            "end_date": None,
            "people": 6.0,
            "role": "教师",
            "subject": "数学",
            "note": "",
        },
        today=TODAY,
    )
    assert pv.n_accepted == 1 and not pv.problems
    batch = tiny.import_commit(lzu, pv, None, None)
    row = tiny._df("SELECT * FROM activity WHERE import_batch_id = ?", [batch]).iloc[0]
    assert (row["kind"], row["people"], row["subject"], row["provenance"]) == (
        "guidance_visit",
        6,
        "数学",
        "entered",  # a form entry is labelled 填报, not 导入 (issue 13)
    )
    bad = ingest.entry_preview(
        tiny,
        lzu,
        "guidance_visit",
        projects,
        1,
        {"start_date": date(2024, 3, 5), "end_date": date(2024, 3, 1), "people": -1},
        today=TODAY,
    )
    assert reasons(bad) == {
        1: [("end_date", "ingest_r_end_before_start"), ("people", "ingest_r_negative")]
    }
    shown = ingest.editable_view(tiny.editable_activities(lzu))
    assert list(shown["activity_id"]) == [int(row["activity_id"])]
    edited = shown.copy()
    edited.loc[0, "people"] = 8
    changes, problems = ingest.corrections(tiny, lzu, shown, edited, today=TODAY)
    assert (
        problems == [] and changes[0][0] == int(row["activity_id"]) and changes[0][1]["people"] == 8
    )
    tiny.update_activity(lzu, *changes[0])
    assert (
        tiny._scalar("SELECT people FROM activity WHERE activity_id = ?", [int(row["activity_id"])])
        == 8
    )
    assert tiny._scalar("SELECT count(*) FROM audit_log WHERE action = 'correct_activity'") == 1
    edited.loc[0, "people"] = -2
    changes, problems = ingest.corrections(tiny, lzu, shown, edited, today=TODAY)
    assert changes == [] and [(p.row, p.column, p.reason) for p in problems] == [
        (1, "people", "ingest_r_negative")
    ]
    # another university cannot touch it, nor a simulated row
    with pytest.raises(StoreError):
        tiny.update_activity(Viewer.university([2]), int(row["activity_id"]), {"people": 3})
    with pytest.raises(StoreError):
        tiny.update_activity(lzu, 1, {"people": 3})  # activity 1 is simulated


def test_templates_read_back_as_their_own_kind(tiny):
    for kind in ingest.RecordKind:
        for blob, name in (
            (ingest.template_csv(kind), "t.csv"),
            (ingest.template_xlsx(kind), "t.xlsx"),
        ):
            table = ingest.read_table(blob, name)
            assert table.rows == [2]
            assert set(ingest.KIND_FIELDS[kind][0]) <= set(table.frame.columns)
        head = ingest.template_frame(kind, "zh").columns
        assert (
            all(any("\u4e00" <= ch <= "\u9fff" for ch in h) for h in head if h != "序号")
            and len(head) >= 4
        )


def test_preview_shows_accepted_rows_as_written(tiny):
    pv = prepare(tiny, MINISTRY, "project", csv_bytes(ANNEX, "gbk"), "附件.csv")
    shown = ingest.accepted_frame(pv, "zh")
    assert list(shown.columns) == ["行号", "托管高校", "省份", "县", "帮扶县中", "替换模拟项目"]
    assert shown.values.tolist() == [
        [3, "兰州大学", "甘肃", "榆中", "榆中县第二中学", ""],
        [4, "北京师范大学", "甘肃省", "靖远县", "靖远县第四中学", "#2"],
        [5, "兰州大学", "新疆生产建设兵团", "阿拉尔市", "阿拉尔市高级中学", ""],
    ]
    assert list(ingest.accepted_frame(pv, "en").columns)[:2] == ["Row", "University"]
