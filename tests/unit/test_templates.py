"""Import templates made for the viewer (issue 13): the example row, filled as given, imports with
0 rejected rows through the real import path (read, check, commit) for a 甘肃 official, a 兵团
official, a university coordinator and the ministry; the XLSX has a named data sheet, an
instructions sheet, hidden lists feeding drop-downs, number and date cells and no formula; the
reader reads the data sheet by its name; download names follow the language; undo on the import
page asks for confirmation and says what it undid."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from conftest import AS_OF, make_tiny
from conftest import run_page as run

from dashboard_lib import build, ingest, ui
from dashboard_lib.ingest import RecordKind
from dashboard_lib.scope import Viewer
from dashboard_lib.store import Store

TODAY = date(2026, 11, 28)
GANSU = Viewer.province(620000, name="gansu")
CORPS = Viewer.province(660000, name="corps")
MINISTRY = Viewer.ministry()


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Store:
    """A writable demo database of its own (the templates are imported into it)."""
    path = tmp_path_factory.mktemp("tpl") / "demo.duckdb"
    build.build_database(path, build.spec_for(115, None, 2022, AS_OF), progress=lambda _m: None)
    s = Store(path)
    yield s
    s.close()


def coordinator(store: Store) -> Viewer:
    first = store.projects(MINISTRY).iloc[0]
    return Viewer.university([int(first["university_id"])], name="coordinator")


def _files(store, viewer, kind, lang):
    ref = ingest.load_reference(store, viewer, kind.value, TODAY)
    return ingest.template_xlsx(kind, lang, ref, viewer), ingest.template_csv(
        kind, lang, ref, viewer
    )


@pytest.mark.parametrize("who", ["gansu", "corps", "coordinator", "ministry"])
def test_each_template_imports_with_nothing_rejected(demo, who):
    viewer = {"gansu": GANSU, "corps": CORPS, "ministry": MINISTRY}.get(who) or coordinator(demo)
    for kind in ingest.import_kinds(viewer):  # comparison schools: not a coordinator's
        # every kind as the Chinese XLSX; the CSV and the English XLSX for two kinds (time)
        other = kind in (RecordKind.PROJECT, RecordKind.TRAINING)
        for lang, fmt in (
            (("zh", "xlsx"), ("zh", "csv"), ("en", "xlsx")) if other else [("zh", "xlsx")]
        ):
            own = set(demo.projects(viewer)["project_id"].astype(int))
            xlsx, csv = _files(demo, viewer, kind, lang)
            blob = xlsx if fmt == "xlsx" else csv
            name = ingest.template_file_name(kind, lang, fmt)
            pv, batch = ingest.import_file(demo, viewer, kind, blob, name, today=TODAY)
            assert (pv.total_rows, pv.n_accepted, pv.n_rejected) == (1, 1, 0), (
                who,
                kind,
                lang,
                fmt,
                ingest.problems_frame(pv, "en").values.tolist(),
            )
            assert batch is not None
            row = pv.accepted.iloc[0]
            if kind is RecordKind.PROJECT:
                if viewer.provinces is not None:
                    assert int(row["province_adcode"]) in viewer.provinces
                if viewer.universities is not None:
                    assert int(row["university_id"]) in viewer.universities
            elif kind is RecordKind.COMPARISON:  # a school outside the programme, in scope
                if viewer.provinces is not None:
                    assert int(row["province_adcode"]) in viewer.provinces
                assert not demo._scalar(
                    "SELECT count(*) FROM project WHERE school_zh = ? AND county_adcode = ?",
                    [row["school_zh"], int(row["county_adcode"])],
                )
            else:  # one of the viewer's own projects
                assert int(row["project_id"]) in own
            written = demo._scalar(
                "SELECT count(*) FROM import_batch WHERE import_batch_id = ? AND rows_accepted = 1",
                [batch],
            )
            assert written == 1


def test_the_example_row_is_the_viewers_own(tmp_path):
    """On the tiny database (甘肃: projects 1 published, 2 simulated) the examples name 甘肃's
    projects; the old fixed example (山西, 垣曲县) never appears."""
    s = make_tiny(tmp_path / "t.duckdb")
    try:
        for kind in RecordKind:
            ref = ingest.load_reference(s, GANSU, kind.value, TODAY)
            row = ingest.example_row(kind, ref, GANSU)
            assert row["province"] == "甘肃"
            if kind is RecordKind.PROJECT:  # the simulated 甘肃 project, as the annex writes it
                assert (row["school"], row["county"], row["university"]) == (
                    "靖远县第四中学",
                    "靖远县",
                    "北京师范大学",
                )
            elif kind is RecordKind.COMPARISON:  # a 甘肃 county school outside the programme
                assert row["county"] in ("榆中县", "靖远县")
                assert row["school"] not in ("榆中县恩玲中学", "靖远县第四中学")
            else:
                assert row["school"] in ("榆中县恩玲中学", "靖远县第四中学")
            frame = ingest.template_frame(kind, "zh", ref, GANSU)
            assert "山西" not in frame.values.tolist()[0]
        ref = ingest.load_reference(s, CORPS, "dispatch", TODAY)
        assert ingest.example_row("dispatch", ref, CORPS)["school"] == "塔里木高级中学"
        # English: English province and university names, canonical English choices
        ref = ingest.load_reference(s, GANSU, "training", TODAY)
        en = ingest.example_row("training", ref, GANSU, "en")
        assert (en["province"], en["mode"]) == ("Gansu", "online")
        assert en["university"] in ("LZU", "BNU")
    finally:
        s.close()


def test_a_viewer_without_projects_gets_no_foreign_example(tmp_path):
    s = make_tiny(tmp_path / "t.duckdb")
    try:
        beijing = Viewer.province(110000)  # no project in the tiny database
        ref = ingest.load_reference(s, beijing, "dispatch", TODAY)
        row = ingest.example_row("dispatch", ref, beijing)
        assert row["school"] == "" and row["province"] == "" and row["university"] == ""
    finally:
        s.close()


def test_the_csv_example_of_a_formula_name_is_text_and_imports_back(tmp_path):
    """A 甘肃 school named like a formula: the CSV template's example row holds it with the
    apostrophe every download gives such a cell (Excel shows text, runs nothing), and the
    template imported as it is reads the school back by its real name."""
    s = make_tiny(tmp_path / "t.duckdb")
    try:
        s._con.execute("UPDATE project SET school_zh = '=1+2' WHERE project_id = 1")
        s._con.execute("UPDATE project SET school_zh = '@SUM(1)' WHERE project_id = 2")
        ref = ingest.load_reference(s, GANSU, "dispatch", TODAY)
        blob = ingest.template_csv("dispatch", "zh", ref, GANSU)
        rows = list(csv.reader(io.StringIO(blob.decode("utf-8-sig"))))
        cells = [c for r in rows for c in r]
        assert not [c for c in cells if c.startswith(("=", "+", "-", "@"))], cells
        assert {"'=1+2", "'@SUM(1)"} & set(cells), rows
        pv, batch = ingest.import_file(s, GANSU, "dispatch", blob, "t.csv", today=TODAY)
        assert (pv.n_accepted, pv.n_rejected) == (1, 0), ingest.problems_frame(pv, "en")
        assert int(pv.accepted.iloc[0]["project_id"]) in (1, 2)
        assert batch is not None
    finally:
        s.close()


def _cells(ws):
    return [c for r in ws.iter_rows() for c in r if c.value is not None]


def test_xlsx_sheets_lists_types_and_no_formulas(tmp_path):
    s = make_tiny(tmp_path / "t.duckdb")
    try:
        # a school name that looks like a formula stays text (never a formula cell)
        s._con.execute("UPDATE project SET school_zh = '=1+2' WHERE project_id = 2")
        ref = ingest.load_reference(s, GANSU, "training", TODAY)
        blob = ingest.template_xlsx("training", "zh", ref, GANSU)
    finally:
        s.close()
    wb = openpyxl.load_workbook(io.BytesIO(blob))
    assert wb.sheetnames == ["培训教研", "说明", "选项"]
    data, help_, lists = wb.worksheets
    assert wb.active.title == "培训教研"
    assert (data.sheet_state, help_.sheet_state, lists.sheet_state) == (
        "visible",
        "visible",
        "hidden",
    )
    assert all(c.data_type != "f" for ws in wb.worksheets for c in _cells(ws))
    assert "=1+2" in [c.value for c in _cells(lists)]
    heads = [c.value for c in data[1]]
    assert heads == ingest.template_frame("training", "zh").columns.tolist()
    ex = {h: c for h, c in zip(heads, data[2])}
    assert isinstance(ex["开始日期"].value, datetime) and ex["开始日期"].is_date
    assert ex["开始日期"].number_format == "yyyy-mm-dd"
    assert ex["参训人数"].data_type == "n" and ex["参训人数"].value == 80
    assert ex["学时"].data_type == "n" and ex["学时"].number_format == "0.0"
    assert ex["形式"].value == "线上"
    # drop-downs: the mode column reads the lists sheet, whose column holds the two modes
    by_col = {str(dv.sqref).split(":")[0][:-1]: dv for dv in data.data_validations.dataValidation}
    mode_col = openpyxl.utils.get_column_letter(heads.index("形式") + 1)
    dv = by_col[mode_col]
    assert dv.type == "list" and dv.formula1.startswith("'选项'!$")
    rng = dv.formula1.split("!")[1].replace("$", "")
    modes = sorted(c.value for row in lists[rng] for c in row)
    assert modes == sorted(names[0] for names in ingest.MODE_NAMES.values())
    assert "线上" in modes and len(modes) == 2
    school_col = openpyxl.utils.get_column_letter(heads.index("帮扶县中") + 1)
    rng = by_col[school_col].formula1.split("!")[1].replace("$", "")
    assert sorted(c.value for row in lists[rng] for c in row) == sorted(["榆中县恩玲中学", "=1+2"])
    assert by_col[openpyxl.utils.get_column_letter(heads.index("参训人数") + 1)].type == "whole"
    # the instructions: one line per column, required as the kind says, and the size limit
    rows = [r for r in help_.iter_rows(values_only=True)]
    table = {r[0]: r for r in rows if r[0] in heads}
    assert set(table) == set(heads)
    required = set(ingest.KIND_FIELDS[RecordKind.TRAINING][0])
    for f in ingest.template_columns(RecordKind.TRAINING):
        assert table[ingest.field_label(f)][1] == ("是" if f in required else "否")
    assert "线上" in table["形式"][2]
    assert any(r[0] and "20 MB" in str(r[0]) for r in rows)
    # pandas reads the data sheet by name
    frame = pd.read_excel(io.BytesIO(blob), sheet_name="培训教研")
    assert frame.columns.tolist() == heads and len(frame) == 1


def test_english_template_has_english_sheets():
    blob = ingest.template_xlsx("outcome", "en")
    wb = openpyxl.load_workbook(io.BytesIO(blob))
    assert wb.sheetnames == ["Outcomes", "Instructions", "Lists"]
    assert [c.value for c in wb.worksheets[0][1]][:3] == ["University", "Province", "School"]


@pytest.mark.skipif(
    not shutil.which("soffice") or not Path("/usr/lib/libreoffice/program/libsclo.so").exists(),
    reason="LibreOffice Calc is not installed",
)
def test_libreoffice_opens_the_template(tmp_path):
    s = make_tiny(tmp_path / "t.duckdb")
    try:
        ref = ingest.load_reference(s, GANSU, "dispatch", TODAY)
        src = tmp_path / "tpl.xlsx"
        src.write_bytes(ingest.template_xlsx("dispatch", "zh", ref, GANSU))
    finally:
        s.close()
    out = tmp_path / "out"
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{tmp_path}/lo",
            "--headless",
            "--convert-to",
            "csv:Text - txt - csv (StarCalc):44,34,76",
            "--outdir",
            str(out),
            str(src),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    text = (out / "tpl.csv").read_text("utf-8-sig")
    lines = text.splitlines()
    assert lines[0].startswith("托管高校,省份,帮扶县中,开始日期")
    assert "甘肃" in lines[1] and len(lines) == 2


def test_the_reader_reads_the_data_sheet_by_name():
    """A workbook whose first sheet is the instructions: the data sheet is found by name."""
    blob = ingest.template_xlsx("dispatch", "zh")
    wb = openpyxl.load_workbook(io.BytesIO(blob))
    wb.move_sheet("派驻团队", offset=2)  # now the last sheet
    assert wb.sheetnames[0] != "派驻团队"
    buf = io.BytesIO()
    wb.save(buf)
    table = ingest.read_table(buf.getvalue(), "t.xlsx")
    assert table.rows == [2] and "start_date" in table.frame.columns
    # a workbook with no template sheet name: still its first sheet
    other = openpyxl.Workbook()
    other.active.append(["帮扶县中", "开始日期"])
    other.active.append(["某中学", "2023-01-01"])
    buf = io.BytesIO()
    other.save(buf)
    assert ingest.read_table(buf.getvalue(), "x.xlsx").frame.values.tolist() == [
        ["某中学", "2023-01-01"]
    ]


def test_download_names_follow_the_language():
    assert ingest.template_file_name("dispatch", "zh", "xlsx") == "导入模板_派驻团队.xlsx"
    assert ingest.template_file_name("outcome", "zh", "csv") == "导入模板_成效指标.csv"
    for kind in RecordKind:
        en = ingest.template_file_name(kind, "en", "xlsx")
        assert en.isascii() and en.startswith("import_template_")
        zh = ingest.template_file_name(kind, "zh", "xlsx")
        assert zh.startswith("导入模板_") and zh.endswith(".xlsx")


# ------------------------------------------------------------------ undo on the import page
@pytest.fixture
def fresh_db(tmp_path, monkeypatch):
    path = tmp_path / "undo.duckdb"
    build.build_database(path, build.spec_for(115, None, 2022, AS_OF), progress=lambda _m: None)
    monkeypatch.setenv("XZ_DB_PATH", str(path))
    return path


def test_undo_asks_for_confirmation_and_says_what_it_undid(fresh_db, monkeypatch):
    s = Store(fresh_db)
    try:
        xlsx, _ = _files(s, GANSU, RecordKind.GUIDANCE_VISIT, "zh")
        _pv, batch = ingest.import_file(s, GANSU, "guidance_visit", xlsx, "导入模板_到校指导.xlsx")
        assert batch is not None
    finally:
        s.close()
    monkeypatch.setattr(ui, "viewer", lambda: Viewer.province(620000, name="gansu"))
    at = run("data_import.py")
    assert not at.exception
    assert at.selectbox(key="ingest_undo_pick").value == batch
    shown = at.selectbox(key="ingest_undo_pick").format_func(batch)
    assert "导入模板_到校指导.xlsx" in shown and "到校指导" in shown and "1 行" in shown
    holds = [i.value for i in at.info if "撤销将删除" in i.value]
    assert len(holds) == 1 and "导入模板" in holds[0] and "1 行" in holds[0]
    assert at.button(key="ingest_undo").disabled  # not before the confirmation
    at.checkbox(key=f"ingest_undo_sure_{batch}").check().run()
    assert not at.button(key="ingest_undo").disabled
    at.button(key="ingest_undo").click().run()
    assert not at.exception
    done = [x.value for x in at.success]
    assert len(done) == 1 and f"已撤销批次 {batch}" in done[0] and "移除 1 行" in done[0]
    assert "到校指导" in done[0]
    assert all(w.key != "ingest_undo_pick" for w in at.selectbox), "nothing left to undo"
    s = Store(fresh_db)  # the same configuration as the page's connection in this process
    try:
        assert s._scalar("SELECT count(*) FROM activity WHERE import_batch_id = ?", [batch]) == 0
        assert s._scalar(
            "SELECT undone_at IS NOT NULL FROM import_batch WHERE import_batch_id = ?", [batch]
        )
    finally:
        s.close()
