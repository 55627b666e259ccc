"""Bad files and uploads (issue 17, part 5): every file the probe of the import page found
either reads right or is refused early with one sentence in the user's language naming the row
and column, within stated limits (``ingest.MAX_*``). The files are real, made here; the big ones
are written streaming (a zip bomb's 300 MB of shared strings never sits in memory). Bounded
behaviour is asserted by behaviour (openpyxl never called, rows parsed, peak memory with
tracemalloc), never by wall-clock time; ``scripts/bench_bad_files.py`` measures time.

The builders (``bomb_xlsx``, ``lying_dimension_xlsx``, …) are reused by that benchmark.
"""

from __future__ import annotations

import csv
import io
import re
import tracemalloc
import zipfile
from datetime import date, datetime

import openpyxl
import pytest
from conftest import AS_OF, make_tiny

from dashboard_lib import ingest
from dashboard_lib.scope import Viewer
from devkit.bad_files import (
    VISITS,
    XLS_BYTES,
    bomb_xlsx,
    csv_bytes,
    lying_dimension_xlsx,
    xlsm_bytes,
    xlsx_bytes,
)

# where ``prepare`` looks up ``read_table`` and ``validate``
CHECKS = ingest.checks
TODAY = date(2026, 11, 28)
MINISTRY = Viewer.ministry()
GANSU = Viewer.province(620000, name="gansu-official")
# English words that must never show inside a Chinese sentence (csv, zipfile, openpyxl, Python)
ENGLISH = re.compile(r"field|larger|limit|error|Error|line|quote|zip|File|unexpected|newline")


@pytest.fixture
def tiny(tmp_path):
    s = make_tiny(tmp_path / "limits.duckdb")
    yield s
    s.close()


def refusal(data: bytes, name: str) -> ingest.IngestError:
    with pytest.raises(ingest.IngestError) as e:
        ingest.read_table(data, name)
    return e.value


def zh(exc) -> str:
    text = ingest.error_text(exc, "zh")
    assert not ENGLISH.search(text), text
    assert ingest.error_text(exc, "en") != text
    return text


@pytest.fixture
def no_openpyxl(monkeypatch):
    """Records any call of openpyxl.load_workbook (the refusal must come before it); the test
    fails at its end if there was one."""
    calls = []
    real = openpyxl.load_workbook
    monkeypatch.setattr(openpyxl, "load_workbook", lambda *a, **k: calls.append(1) or real(*a, **k))
    yield calls
    assert calls == [], "openpyxl.load_workbook was called"


# ------------------------------------------------------------------ the zip is checked first
@pytest.fixture(scope="module")
def bomb():
    return bomb_xlsx(300)


def test_zip_bomb_refused_before_openpyxl_reads_anything(bomb, no_openpyxl):
    assert len(bomb) < 1 * 2**20  # 300 MB of shared strings in under 1 MB
    tracemalloc.start()
    try:
        exc = refusal(bomb, "bomb.xlsx")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert exc.key == "ingest_err_xlsx_expanded"
    assert peak < 5 * 2**20, peak  # the parts were never inflated
    text = zh(exc)
    assert "解压后" in text and "300" in text and f"{ingest.MAX_XLSX_EXPANDED // 2**20} MB" in text


def test_one_part_above_its_own_limit_and_a_crazy_ratio(no_openpyxl):
    big = bomb_xlsx(ingest.MAX_XLSX_PART // 2**20 + 8)  # under the total, above the per-part limit
    exc = refusal(big, "strings.xlsx")
    assert exc.key == "ingest_err_xlsx_part" and exc.values["part"] == "xl/sharedStrings.xml"
    assert "xl/sharedStrings.xml" in zh(exc)
    dense = bomb_xlsx(8)  # 8 MB: below every size limit, but 8 MB from a few kB
    exc = refusal(dense, "dense.xlsx")
    assert exc.key == "ingest_err_xlsx_ratio"
    assert "压缩比" in zh(exc)


def test_stated_sizes_bound_what_is_inflated():
    """A part whose zip entry understates its size is cut at the stated size (zipfile), so the
    size check cannot be fooled: the file is refused as damaged, in one sentence."""
    base = xlsx_bytes([["帮扶县中", "开始日期"], ["榆中县恩玲中学", "2023-01-01"]])
    raw = bytearray(base)
    pos, patched = 0, 0
    while (pos := raw.find(b"PK\x01\x02", pos)) >= 0:  # central directory entries
        n = int.from_bytes(raw[pos + 28 : pos + 30], "little")
        if raw[pos + 46 : pos + 46 + n] == b"xl/worksheets/sheet1.xml":
            raw[pos + 24 : pos + 28] = (10).to_bytes(4, "little")  # stated uncompressed size
            patched += 1
        pos += 46
    assert patched == 1
    exc = refusal(bytes(raw), "short.xlsx")
    assert exc.key in ("ingest_err_unreadable", "ingest_err_unreadable_at", "ingest_err_no_header")
    zh(exc)


# ------------------------------------------------------------------ rows: the dimension is not trusted
def test_lying_dimension_stops_at_the_row_limit(monkeypatch):
    from openpyxl.worksheet._reader import WorkSheetParser

    data = lying_dimension_xlsx(300_000)
    parsed = []
    real = WorkSheetParser.parse_row
    monkeypatch.setattr(
        WorkSheetParser, "parse_row", lambda self, el: parsed.append(1) or real(self, el)
    )
    monkeypatch.setattr(ingest.read, "MAX_ROWS", 1_000)
    exc = refusal(data, "lying.xlsx")
    assert exc.key == "ingest_err_too_many_rows"
    assert exc.values["row"] == 1_002  # header in row 1, the 1,001st data row is row 1,002
    assert len(parsed) <= 1_002 + 1, len(parsed)  # not 300,000: reading stopped right there
    text = zh(exc)
    assert "1,000" in text and "1002" in text


def test_a_dimension_that_understates_is_read_in_full():
    data = lying_dimension_xlsx(50)
    table = ingest.read_table(data, "small.xlsx")
    assert len(table.frame) == 50 and table.rows[-1] == 51
    assert set(table.frame["start_date"]) == {"44927"}


def test_a_value_far_to_the_right_is_refused_naming_the_cell():
    rows = [["帮扶县中", "开始日期", "人数"], ["榆中县恩玲中学", "2023-01-01", "1"]]
    wb = openpyxl.Workbook()
    ws = wb.active
    for r in rows:
        ws.append(r)
    ws.cell(row=2, column=ingest.MAX_COLUMNS + 5, value="x")
    buf = io.BytesIO()
    wb.save(buf)
    exc = refusal(buf.getvalue(), "wide.xlsx")
    assert exc.key == "ingest_err_too_many_columns"
    assert exc.values["row"] == 2 and exc.values["col"] == ingest.column_letter(
        ingest.MAX_COLUMNS + 4
    )
    assert "第 2 行" in zh(exc)
    wide = csv_bytes([rows[0], rows[1] + [""] * 200 + ["x"]])
    exc = refusal(wide, "wide.csv")
    assert exc.key == "ingest_err_too_many_columns" and exc.values["row"] == 2


def test_csv_row_limit_stops_reading(monkeypatch):
    monkeypatch.setattr(ingest.read, "MAX_ROWS", 10)
    data = csv_bytes([VISITS[0]] + [VISITS[1]] * 40, newline="\r")  # lone CR: no b"\n" to count
    exc = refusal(data, "many.csv")
    assert exc.key == "ingest_err_too_many_rows" and exc.values["row"] == 12


# ------------------------------------------------------------------ csv
@pytest.mark.parametrize("newline", ["\r", "\n", "\r\n"])
def test_every_line_ending_reads_the_same(newline):
    rows = VISITS + [["天山区某中学", "2023-06-01", "5", "两行\r\n备注"]]
    table = ingest.read_table(csv_bytes(rows, newline=newline), "v.csv")
    assert table.rows == [2, 3, 4, 5]
    assert list(table.frame["school"]) == [r[0] for r in rows[1:]]
    assert list(table.frame["note"]) == ["第一次", '含"引号",和逗号', "", "两行 备注"]


def test_mixed_line_endings():
    text = "帮扶县中,开始日期,人数\r榆中县恩玲中学,2023-03-01,3\n靖远县第四中学,2023-04-01,2\r\n天山区某中学,2023-05-01,1"
    table = ingest.read_table(text.encode("gbk"), "mixed.csv")
    assert table.rows == [2, 3, 4] and list(table.frame["people"]) == ["3", "2", "1"]


def test_a_huge_cell_is_refused_naming_row_and_column():
    rows = [VISITS[0], VISITS[1], ["榆中县恩玲中学", "2023-03-02", "3", "长" * 200_000]]
    exc = refusal(csv_bytes(rows), "long.csv")
    assert exc.key == "ingest_err_cell_too_long"
    assert (exc.values["row"], exc.values["col"]) == (3, "D")
    text = zh(exc)
    assert "第 3 行 D 列" in text and "备注" in text and "200,000" in text
    assert "field larger" not in ingest.error_text(exc, "en")
    # an unpaired quote swallows the rest of the file into one field: the same sentence
    unpaired = (
        '帮扶县中,开始日期,人数\n榆中县恩玲中学,"2023-03-01,3\n' + "x,2023-01-01,1\n" * 2000
    ).encode()
    exc = refusal(unpaired, "quote.csv")
    assert exc.key == "ingest_err_cell_too_long" and (exc.values["row"], exc.values["col"]) == (
        2,
        "B",
    )
    assert "引号" in zh(exc)


def test_a_long_cell_in_xlsx_too():
    data = xlsx_bytes(
        [VISITS[0], ["榆中县恩玲中学", "2023-03-02", "3", "长" * (ingest.MAX_CELL_CHARS + 1)]]
    )
    exc = refusal(data, "long.xlsx")
    assert exc.key == "ingest_err_cell_too_long" and (exc.values["row"], exc.values["col"]) == (
        2,
        "D",
    )


def test_duplicated_header_is_refused_naming_both_columns():
    rows = [
        ["帮扶县中", "开始日期", "人数", "派出人数"],
        ["榆中县恩玲中学", "2023-03-01", "3", "4"],
    ]
    exc = refusal(csv_bytes(rows), "dup.csv")
    assert exc.key == "ingest_err_dup_column"
    assert (exc.values["row"], exc.values["col"], exc.values["first"]) == (1, "D", "C")
    text = zh(exc)
    assert "D 列“派出人数”" in text and "C 列“人数”" in text
    assert "People" in ingest.error_text(exc, "en")
    same = [["帮扶县中", "人数", "开始日期", "人数"], ["榆中县恩玲中学", "3", "2023-03-01", "4"]]
    assert refusal(csv_bytes(same), "same.csv").key == "ingest_err_dup_column"


def test_a_header_merged_across_columns_is_not_a_duplicate():
    data = xlsx_bytes(
        [
            ["帮扶县中", "开始日期", "人数", "备注", None],
            ["榆中县恩玲中学", "2023-03-01", "3", "a", "b"],
        ],
        merges=["D1:E1"],
    )
    table = ingest.read_table(data, "merged.xlsx")
    assert list(table.frame["note"]) == ["a"]


@pytest.mark.parametrize(
    "char,code", [("\x00", "U+0000"), ("\x0b", "U+000B"), ("\x1b", "U+001B"), ("\x7f", "U+007F")]
)
def test_control_characters_are_refused_naming_the_cell(char, code):
    rows = [VISITS[0], VISITS[1], ["榆中县" + char + "恩玲中学", "2023-03-02", "3", ""]]
    exc = refusal(csv_bytes(rows), "ctl.csv")
    assert exc.key == "ingest_err_control_char"
    assert (exc.values["row"], exc.values["col"], exc.values["code"]) == (3, "A", code)
    text = zh(exc)
    assert "第 3 行 A 列" in text and "帮扶县中" in text and code in text


def test_tab_and_line_breaks_inside_text_are_fine():
    rows = [VISITS[0], ["榆中县恩玲中学", "2023-03-02", "3", "甲\t乙\n丙"]]
    assert list(ingest.read_table(csv_bytes(rows), "ok.csv").frame["note"]) == ["甲 乙 丙"]


def test_utf16_csv_from_excel_unicode_text():
    text = "\n".join("\t".join(r) for r in VISITS[:2])
    table = ingest.read_table(text.encode("utf-16"), "unicode.txt")
    assert list(table.frame["school"]) == ["榆中县恩玲中学"]


# ------------------------------------------------------------------ dates
def test_excel_serial_with_a_time_part_is_its_date():
    # Excel's 1900 system, as for 44760 = 2022-07-18: 45478 is 2024-07-05, .5 is noon
    assert ingest.parse_date("45478.5") == date(2024, 7, 5)
    assert ingest.parse_date("45478.999") == date(2024, 7, 5)
    assert ingest.parse_date("2024-07-05 12:00:00.500") == date(2024, 7, 5)


def test_serial_and_datetime_cells_with_time_are_accepted(tiny):
    data = xlsx_bytes(
        [
            ["帮扶县中", "开始日期", "人数"],
            ["榆中县恩玲中学", 45478.5, 3],
            ["靖远县第四中学", datetime(2024, 7, 6, 9, 30), 2],
        ]
    )
    pv = ingest.prepare(tiny, MINISTRY, "guidance_visit", data, "t.xlsx", today=TODAY)
    assert pv.problems == []
    assert list(pv.accepted["start_date"]) == [date(2024, 7, 5), date(2024, 7, 6)]
    csv_data = csv_bytes([["帮扶县中", "开始日期", "人数"], ["榆中县恩玲中学", "45478.5", "3"]])
    pv = ingest.prepare(tiny, MINISTRY, "guidance_visit", csv_data, "t.csv", today=TODAY)
    assert list(pv.accepted["start_date"]) == [date(2024, 7, 5)]


# ------------------------------------------------------------------ file types
def test_xlsm_reads_like_xlsx(tiny):
    data = xlsm_bytes(VISITS)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert "xl/vbaProject.bin" in z.namelist()
    pv = ingest.prepare(tiny, MINISTRY, "guidance_visit", data, "宏.xlsm", today=TODAY)
    assert pv.n_accepted == 3 and pv.problems == []


@pytest.mark.parametrize(
    "data,name,key",
    [
        (XLS_BYTES, "old.xls", "ingest_err_xls"),
        (XLS_BYTES, "renamed.xlsx", "ingest_err_xls"),
        (b"<html><table><tr><td>1</td></tr></table></html>", "export.xls", "ingest_err_type"),
        (b"%PDF-1.4 ...", "report.pdf", "ingest_err_type"),
        (b"PK\x03\x04garbage", "x.ods", "ingest_err_type"),
    ],
)
def test_other_types_get_a_chinese_sentence(data, name, key):
    exc = refusal(data, name)
    assert exc.key == key
    assert "请另存为 .xlsx 或 .csv" in zh(exc)


def test_a_broken_xlsx_is_one_chinese_sentence():
    for data in (b"PK\x03\x04garbage", xlsx_bytes(VISITS)[:3000]):
        exc = refusal(data, "broken.xlsx")
        assert exc.key in ("ingest_err_unreadable", "ingest_err_unreadable_at")
        assert "无法读取" in zh(exc)


def test_an_unexpected_error_becomes_one_sentence(tiny, monkeypatch):
    def bug(*a, **k):
        raise KeyError("internal")

    monkeypatch.setattr(CHECKS, "validate", bug)
    with pytest.raises(ingest.IngestError) as e:
        ingest.prepare(tiny, MINISTRY, "guidance_visit", csv_bytes(VISITS), "v.csv", today=TODAY)
    assert e.value.key == "ingest_err_unexpected"
    zh(e.value)


def test_limits_are_stated_in_one_sentence():
    from dashboard_lib.i18n import t

    text = t("ingest_limits", "zh", **ingest.limit_values())
    for v in ("20 MB", "250 MB", "200,000", "100 列", "2,000"):
        assert v in text, v
    assert ".xlsm" in text


# ------------------------------------------------------------------ the import page
@pytest.fixture
def page_db(tmp_path, monkeypatch):
    from dashboard_lib import build, ui

    path = tmp_path / "page.duckdb"
    build.build_database(path, build.spec_for(115, None, 2022, AS_OF), progress=lambda _m: None)
    monkeypatch.setenv("XZ_DB_PATH", str(path))
    monkeypatch.setattr(ui, "viewer", lambda: Viewer.province(620000, name="gansu"))
    return path


def _gansu_visits(path, n: int, note: str) -> bytes:
    from dashboard_lib.store import Store

    s = Store(path)
    try:
        schools = list(s.projects(Viewer.province(620000))["school_zh"])
    finally:
        s.close()
    rows = [["帮扶县中", "开始日期", "人数", "备注"]]
    rows += [
        [schools[i % len(schools)], f"2024-0{1 + i % 9}-1{i % 10}", str(1 + i % 7), note]
        for i in range(n)
    ]
    return csv_bytes(rows)


def test_page_commit_writes_the_checked_preview_without_reading_again(page_db, monkeypatch):
    from conftest import run_page

    from dashboard_lib.store import Store

    calls = {"read": 0, "validate": 0}
    real_read, real_validate = ingest.read_table, ingest.validate

    def read(*a, **k):
        calls["read"] += 1
        return real_read(*a, **k)

    def validate(*a, **k):
        calls["validate"] += 1
        return real_validate(*a, **k)

    monkeypatch.setattr(CHECKS, "read_table", read)
    monkeypatch.setattr(CHECKS, "validate", validate)
    at = run_page("data_import.py")
    assert not at.exception
    data = _gansu_visits(page_db, 30, "甲")
    at.file_uploader(key="ingest_file").set_value(("visits.csv", data, "text/csv")).run()
    assert not at.exception, at.exception
    assert calls == {"read": 1, "validate": 1}
    at.selectbox(key="ingest_kind").set_value(ingest.RecordKind.GUIDANCE_VISIT).run()
    assert calls == {"read": 2, "validate": 2}  # another kind: checked anew
    summary = [m.value for m in at.markdown if m.value.startswith("共 ")]
    assert summary == ["共 30 行：可接受 30 行，拒绝 0 行。"], summary
    at.button(key="ingest_commit").click().run()
    assert not at.exception, at.exception
    assert any("已导入" in s.value for s in at.success), [e.value for e in at.error]
    assert calls == {"read": 2, "validate": 2}  # the commit re-read nothing
    at.run()
    assert calls == {"read": 2, "validate": 2}
    assert any("已于" in w.value for w in at.warning)  # and says the file is in
    s = Store(page_db)
    try:
        assert s._scalar("SELECT count(*) FROM activity WHERE provenance = 'imported'") == 30
    finally:
        s.close()


def test_page_new_file_clears_the_old_result_and_bad_files_are_sentences(page_db):
    from conftest import run_page

    at = run_page("data_import.py")
    intro = " ".join(c.value for c in at.caption)
    assert "200,000" in intro and "2,000" in intro and ".xlsm" in intro  # the limits are stated
    at.selectbox(key="ingest_kind").set_value(ingest.RecordKind.GUIDANCE_VISIT).run()
    up = at.file_uploader(key="ingest_file")
    assert up.allowed_type == []  # the app checks the type, in the user's language
    up.set_value(("a.csv", _gansu_visits(page_db, 12, "甲"), "text/csv")).run()
    assert [m.value for m in at.markdown if m.value.startswith("共 ")] == [
        "共 12 行：可接受 12 行，拒绝 0 行。"
    ]
    # an .xls: one Chinese sentence, and nothing of a.csv's result stays
    at.file_uploader(key="ingest_file").set_value(
        ("old.xls", XLS_BYTES, "application/vnd.ms-excel")
    ).run()
    assert not at.exception
    assert [e.value for e in at.error] and "另存为" in at.error[0].value
    assert not [m for m in at.markdown if m.value.startswith("共 ")]
    assert all(b.key != "ingest_commit" for b in at.button) and not at.dataframe
    # an .xlsm is read like an xlsx
    rows = [["帮扶县中", "开始日期", "人数"]] + [
        r[:3] for r in csv.reader(io.StringIO(_gansu_visits(page_db, 5, "乙").decode()))
    ][1:]
    at.file_uploader(key="ingest_file").set_value(
        ("宏.xlsm", xlsm_bytes(rows), "application/octet-stream")
    ).run()
    assert not at.exception and not at.error
    assert [m.value for m in at.markdown if m.value.startswith("共 ")] == [
        "共 5 行：可接受 5 行，拒绝 0 行。"
    ]
    # a bomb and a NUL: sentences, never a traceback
    at.file_uploader(key="ingest_file").set_value(
        ("bomb.xlsx", bomb_xlsx(300), "application/zip")
    ).run()
    assert not at.exception and "解压后" in at.error[0].value
    nul = csv_bytes([["帮扶县中", "开始日期", "人数"], ["榆中\x00", "2024-01-01", "1"]])
    at.file_uploader(key="ingest_file").set_value(("nul.csv", nul, "text/csv")).run()
    assert not at.exception and "第 2 行 A 列" in at.error[0].value
    assert not [m for m in at.markdown if m.value.startswith("共 ")]
    # removing the file forgets the preview
    at.file_uploader(key="ingest_file").clear().run()
    assert "ingest_held" not in at.session_state


def test_page_in_english(page_db):
    from conftest import run_page

    at = run_page("data_import.py", {"lang": "en"})
    at.file_uploader(key="ingest_file").set_value(
        ("old.xls", XLS_BYTES, "application/vnd.ms-excel")
    ).run()
    assert not at.exception and "Save it as .xlsx or .csv" in at.error[0].value.replace("\\", "")
