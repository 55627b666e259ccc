"""Data-quality flags in the store (issue 16, part 7), on DuckDB and on PostgreSQL: stored with
the import in its transaction (only flags of the batch's own values), removed by its undo, read
in the viewer's scope, confirmed or corrected (the value written to ``outcome``, re-checked,
audit-logged old → new), every refusal in words with the database unchanged — the scope matrix,
read-only viewers, a closed flag, an impossible value, and an approved (locked) term.

The tiny database of conftest.make_tiny: projects 1 (兰州大学, 榆中县恩玲中学) and 2 (北京师范大学,
靖远县第四中学) in 甘肃 620000, 3 in 新疆 650000, 4 in the Corps 660000; no outcome to begin with.
The values below are chosen against the rules by hand: an admission rate from 30 to 45 is a
15-point move (> 10), 150 students is below the usual 300.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime

import pytest
from conftest import make_tiny, on_backend, run_sql, table_fingerprints

from dashboard_lib import ingest
from dashboard_lib.errors import UserError
from dashboard_lib.ingest import RecordKind
from dashboard_lib.programme import quality
from dashboard_lib.programme.quality import Flag
from dashboard_lib.scope import Filters, Viewer
from dashboard_lib.store import StoreError
from dashboard_lib.store import quality as store_quality

HAN = re.compile(r"[\u4e00-\u9fff]")
TODAY = date(2026, 11, 28)
GANSU = Viewer.province(620000, name="gansu-official")
XINJIANG = Viewer.province(650000, name="xinjiang-official")
LZU = Viewer.university([1], name="lzu-coordinator")
BNU = Viewer.university([2], name="bnu-coordinator")
MINISTRY = Viewer.ministry("ministry-boss")
AT = datetime(2026, 11, 30, 9, 30)
HEADER = ["托管高校", "省份", "帮扶县中", "学年", "指标", "数值"]
P1 = ["兰州大学", "甘肃", "榆中县恩玲中学"]
P2 = ["北京师范大学", "甘肃", "靖远县第四中学"]


@pytest.fixture(params=["duckdb", "postgresql"])
def store(tmp_path, request, monkeypatch):
    monkeypatch.setattr(store_quality, "_now", lambda: AT)
    s = on_backend(make_tiny(tmp_path / "quality.duckdb"), request.param, request)
    yield s
    s.close()


def csv_bytes(rows: list[list]) -> bytes:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows([HEADER, *rows])
    return buf.getvalue().encode("utf-8")


FIRST = csv_bytes(
    [
        [*P1, "2021", "本科上线率", "30"],
        [*P1, "2022", "本科上线率", "45"],  # 15 points above 2021: jump
        [*P1, "2022", "在校生数", "150"],  # below 300: range
        [*P2, "2022", "骨干教师留任率", "80"],  # nothing to say
    ]
)


def import_rows(store, data: bytes = FIRST, viewer: Viewer = GANSU, name: str = "o.csv"):
    preview, batch = ingest.import_file(store, viewer, RecordKind.OUTCOME, data, name, TODAY)
    assert preview.problems == [] and batch is not None
    return preview, batch


def flags_of(store, viewer) -> list[tuple]:
    got = store.quality_flags(viewer)
    return sorted(
        (
            int(r.project_id),
            int(r.school_year),
            r.indicator,
            float(r.value),
            r.rule,
            None if r.previous != r.previous or r.previous is None else float(r.previous),
            r.status,
        )
        for r in got.itertuples()
    )


def flag_id(store, indicator: str, status: str = "flagged") -> int:
    got = store.quality_flags(MINISTRY)
    got = got[(got["indicator"] == indicator) & (got["status"] == status)]
    assert len(got) == 1, got
    return int(got.iloc[0]["flag_id"])


def refused(fn, *args, key: str, **kwargs) -> StoreError:
    with pytest.raises(StoreError) as e:
        fn(*args, **kwargs)
    assert e.value.key == key, e.value.key
    assert HAN.search(e.value.zh) and not HAN.search(e.value.en)
    return e.value


def outcome_value(store, pid: int, year: int, indicator: str) -> float:
    return float(
        store._sor_scalar(
            "SELECT value FROM outcome WHERE project_id = ? AND school_year = ? AND indicator = ?",
            [pid, year, indicator],
        )
    )


EXPECTED = [
    (1, 2022, "admission_rate", 45.0, "jump", 30.0, "flagged"),
    (1, 2022, "enrolment", 150.0, "range", None, "flagged"),
]


def test_import_flags_suspicious_rows_imports_them_and_undo_removes_the_flags(store):
    preview, batch = import_rows(store)
    assert preview.n_accepted == 4  # flagged rows are imported all the same
    assert sorted((f.row, f.indicator, f.rule, f.previous) for f in preview.flags) == [
        (3, "admission_rate", "jump", 30.0),
        (4, "enrolment", "range", None),
    ]
    assert flags_of(store, GANSU) == EXPECTED
    got = store.quality_flags(GANSU)
    assert set(got["import_batch_id"].astype(int)) == {batch}
    assert set(got["provenance"]) == {"imported"} and set(got["outcome_provenance"]) == {"imported"}
    assert all(v.to_pydatetime() == AT for v in got["flagged_at"])
    # the scope of the reads
    assert flags_of(store, MINISTRY) == EXPECTED
    assert flags_of(store, LZU) == EXPECTED  # project 1 is 兰州大学's
    assert flags_of(store, XINJIANG) == [] and flags_of(store, BNU) == []
    assert store.quality_flag(XINJIANG, int(got.iloc[0]["flag_id"])) is None
    # a later batch's previous value comes from the stored rows: 2023 at 70 is 25 above 2022
    _, later = import_rows(store, csv_bytes([[*P1, "2023", "本科上线率", "70"]]), name="o2.csv")
    assert (1, 2023, "admission_rate", 70.0, "jump", 45.0, "flagged") in flags_of(store, GANSU)
    store.undo_batch(GANSU, later)
    store.undo_batch(GANSU, batch)
    assert store._sor_scalar("SELECT count(*) FROM quality_flag") == 0


def test_a_refused_import_stores_no_flag_and_a_stray_flag_is_left_out(store):
    before = table_fingerprints(store)
    data = FIRST
    preview = ingest.prepare(store, GANSU, RecordKind.OUTCOME, data, "o.csv", TODAY)
    assert len(preview.flags) == 2
    refused(
        store.import_commit,
        XINJIANG,
        preview,
        "o.csv",
        ingest.file_sha256(data),
        key="store_out_of_scope_projects",
    )
    assert table_fingerprints(store) == before
    # a preview is plain data: a flag naming a value the batch did not write is not stored
    preview.flags.append(Flag(3, 2022, "enrolment", 99.0, "range"))
    store.import_commit(GANSU, preview, "o.csv", ingest.file_sha256(data))
    assert flags_of(store, MINISTRY) == EXPECTED


def test_confirm_and_correct_write_through_the_store_with_the_audit_log(store):
    import_rows(store)
    jump, low = flag_id(store, "admission_rate"), flag_id(store, "enrolment")
    store.confirm_quality_flag(GANSU, jump, "  中考扩招，属实  ")
    row = store.quality_flag(GANSU, jump)
    assert row is not None
    assert (row["status"], row["status_by"], row["comment"]) == (
        "confirmed",
        "gansu-official",
        "中考扩招，属实",
    )
    assert outcome_value(store, 1, 2022, "admission_rate") == 45.0  # unchanged
    refused(store.confirm_quality_flag, GANSU, jump, key="dq_flag_closed")
    refused(store.correct_quality_flag, GANSU, jump, 40.0, key="dq_flag_closed")
    # corrected: 150 was a typing error for 1500 (re-checked: nothing left to flag)
    assert quality.correct(store, GANSU, low, "1500", "录入时少打一个0") == []
    assert outcome_value(store, 1, 2022, "enrolment") == 1500.0
    row = store.quality_flag(GANSU, low)
    assert row is not None
    assert (row["status"], float(row["value"]), float(row["corrected_value"])) == (
        "corrected",
        150.0,
        1500.0,
    )
    audit = store._sor_df(
        "SELECT action, detail FROM audit_log WHERE action LIKE 'quality_%' ORDER BY action"
    )
    assert audit["action"].tolist() == ["quality_confirm", "quality_correct"]
    assert "150 -> 1500" in audit.iloc[1]["detail"] and f"flag={low}" in audit.iloc[1]["detail"]
    # a correction that still breaks a rule is flagged again, open, against the same previous
    _, _ = import_rows(store, csv_bytes([[*P1, "2023", "本科上线率", "70"]]), name="o2.csv")
    later = flag_id(store, "admission_rate")
    assert quality.correct(store, GANSU, later, 60) == ["jump"]  # 60 is still 15 above 45
    again = store.quality_flags(GANSU)
    again = again[(again["status"] == "flagged")]
    assert [(float(v), float(p)) for v, p in zip(again["value"], again["previous"])] == [
        (60.0, 45.0)
    ]
    assert outcome_value(store, 1, 2023, "admission_rate") == 60.0


def test_an_impossible_or_unreadable_correction_is_refused_and_changes_nothing(store):
    import_rows(store)
    jump = flag_id(store, "admission_rate")
    before = table_fingerprints(store)
    for value in ("120", "-3", "abc", ""):
        with pytest.raises(UserError) as e:
            quality.correct(store, GANSU, jump, value)
        assert e.value.key in ("dq_impossible", "dq_not_number"), e.value.key
        assert HAN.search(e.value.message("zh")) and not HAN.search(e.value.message("en"))
    with pytest.raises(UserError) as e:
        quality.correct(store, GANSU, flag_id(store, "enrolment"), "1500.5")
    assert e.value.key == "dq_not_integer"
    # the store refuses an impossible value itself too (a caller that skipped the check)
    refused(store.correct_quality_flag, GANSU, jump, 120.0, key="dq_impossible")
    refused(store.correct_quality_flag, GANSU, jump, float("nan"), key="dq_not_number")
    refused(store.confirm_quality_flag, GANSU, jump, "长" * 501, key="dq_comment_too_long")
    assert table_fingerprints(store) == before


def test_who_may_confirm_or_correct_which_flag_a_matrix(store):
    """Each viewer against a flag of 甘肃's project 1: the out-of-scope ones and the read-only
    ones are refused with the database unchanged; the allowed ones go through."""
    import_rows(store)
    jump = flag_id(store, "admission_rate")
    refusals = {
        XINJIANG: "dq_flag_not_found",
        BNU: "dq_flag_not_found",  # project 1 is not 北京师范大学's
        Viewer.province(660000, name="corps"): "dq_flag_not_found",
        Viewer.demo(): "store_read_only_mode",
        Viewer.presenter(): "store_read_only_mode",
    }
    before = table_fingerprints(store)
    for viewer, key in refusals.items():
        refused(store.confirm_quality_flag, viewer, jump, key=key)
        refused(store.correct_quality_flag, viewer, jump, 40.0, key=key)
        assert table_fingerprints(store) == before, viewer
    allowed = [GANSU, LZU, MINISTRY]
    for viewer in allowed:  # each confirms, then reopens nothing: one flag per viewer
        preview, batch = import_rows(
            store,
            csv_bytes([[*P1, str(2015 + allowed.index(viewer)), "在校生数", "100"]]),
            name=f"{viewer.name}.csv",
        )
        fid = int(
            store.quality_flags(MINISTRY).query("import_batch_id == @batch").iloc[0]["flag_id"]
        )
        store.confirm_quality_flag(viewer, fid)
        assert store.quality_flag(MINISTRY, fid)["status_by"] == viewer.name
    store.correct_quality_flag(LZU, jump, 40.0)
    assert outcome_value(store, 1, 2022, "admission_rate") == 40.0


def test_a_correction_of_an_approved_term_is_refused_by_name(store):
    """School year 2022 lies in autumn 2022 and spring 2023: the ministry approved 甘肃's
    spring 2023, so its 2022 values are locked; a confirmation changes no figure and goes."""
    import_rows(store)
    jump, low = flag_id(store, "admission_rate"), flag_id(store, "enrolment")
    store.term_approvals(MINISTRY)  # the reporting tables exist
    run_sql(
        store,
        "INSERT INTO term_approval (term, province_adcode, approved_by, approved_at) "
        "VALUES (?, ?, ?, ?)",
        [20231, 620000, "ministry-boss", datetime(2023, 9, 12, 16, 45)],
    )
    before = table_fingerprints(store)
    e = refused(store.correct_quality_flag, GANSU, low, 1500.0, key="reporting_locked")
    assert "ministry-boss" in e.zh and "2023-09-12 16:45" in e.zh and "2023春" in e.zh
    assert "Spring 2023" in e.en
    assert table_fingerprints(store) == before
    store.confirm_quality_flag(GANSU, jump, "属实")
    assert store.quality_flag(GANSU, jump)["status"] == "confirmed"


def test_a_file_made_before_the_table(tmp_path):
    s = make_tiny(tmp_path / "old.duckdb")
    try:
        s._con.execute("DROP TABLE quality_flag")
        s._tables_cache = None
        assert s.quality_flags(MINISTRY).empty
        assert "outcome_provenance" in s.quality_flags(MINISTRY).columns
        import_rows(s)
        assert flags_of(s, GANSU) == EXPECTED
    finally:
        s.close()


def _open_jumps(store, year: int) -> list[tuple[float, float]]:
    got = store.quality_flags(MINISTRY)
    got = got[
        (got["indicator"] == "admission_rate")
        & (got["school_year"] == year)
        & (got["rule"] == "jump")
        & (got["status"] == "flagged")
    ]
    return [(float(v), float(p)) for v, p in zip(got["value"], got["previous"])]


@pytest.mark.parametrize(
    ("next_value", "marker", "open_after"),
    [
        # 33 jumped 12 points from the wrong 45; from the corrected 32 it is 1: settled
        ("33", store_quality.NEXT_SETTLED, []),
        # 48 was 3 from the wrong 45; from the corrected 32 it is 16: flagged now
        ("48", store_quality.NEXT_FLAGGED, [(48.0, 32.0)]),
    ],
)
def test_a_correction_judges_the_next_years_jump_again(store, next_value, marker, open_after):
    """本科上线率 2021 30, 2022 45 (a 15-point jump: flagged), 2023 ``next_value``. 2022 was a
    typing error for 32: corrected, the 2023 value is judged again against 32."""
    import_rows(store, csv_bytes([[*P1, "2021", "本科上线率", "30"]]), name="a.csv")
    import_rows(store, csv_bytes([[*P1, "2022", "本科上线率", "45"]]), name="b.csv")
    import_rows(store, csv_bytes([[*P1, "2023", "本科上线率", next_value]]), name="c.csv")
    assert _open_jumps(store, 2023) == ([(33.0, 45.0)] if next_value == "33" else [])
    fid = int(store.quality_flags(MINISTRY).query("school_year == 2022").iloc[0]["flag_id"])
    rules = quality.correct(store, GANSU, fid, "32")
    assert rules == [marker]
    assert _open_jumps(store, 2023) == open_after
    assert outcome_value(store, 1, 2023, "admission_rate") == float(next_value)  # untouched
    text = quality.again_text(rules, "zh", year=2022)
    assert "2023–2024学年" in text
    assert ("已标记待核实" in text) == (marker == store_quality.NEXT_FLAGGED)
    en = quality.again_text(rules, "en", year=2022)
    assert "2023–2024" in en and not HAN.search(en)


def test_the_term_range_narrows_the_flags_to_its_school_years(store):
    """The sidebar's 学期 range (autumn 2023 – spring 2024 is school year 2023; spring 2023 alone
    lies in school year 2022): only the flags of the school years it touches."""
    import_rows(store)  # flags of 2022 (a jump, a range)
    import_rows(store, csv_bytes([[*P1, "2023", "本科上线率", "70"]]), name="o2.csv")  # a jump

    def years(filters):
        return sorted(int(y) for y in store.quality_flags(MINISTRY, filters)["school_year"])

    assert years(Filters()) == [2022, 2022, 2023]
    assert years(Filters(date_from=date(2023, 8, 1), date_to=date(2024, 7, 31))) == [2023]
    assert years(Filters(date_from=date(2023, 2, 1), date_to=date(2023, 7, 31))) == [2022, 2022]
    assert years(Filters(date_from=date(2024, 8, 1))) == []
