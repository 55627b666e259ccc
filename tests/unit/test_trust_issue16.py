"""Issue 17's rules on issue 16's surfaces (comparison schools, cycles, data-quality flags, term
reports, targets, the league): probed as an attacker and as a careless user.

1. Writes outside the scope — the holes left by test_quality_store.py, test_comparison_import.py,
   test_cycles_import.py, test_reporting.py and test_targets.py: forged cycle and comparison
   previews by the roles those files do not try, undoing another viewer's cycle batch, a
   correction through ``programme.quality.correct`` out of scope; each refused, the database
   unchanged. A re-paired project's write scope follows its new university: test_cycles_import.py
   (``test_a_re_paired_project_moves_to_its_new_university_and_back_on_undo``).
2. Markup from data — a school name, a flag comment and a typed correction holding a link, an
   image, HTML and bold are shown as text on the 上报与审核 / 数据质量 / 成效记分卡 pages and in
   the dossier's cycles section (AppTest, as test_markup.py). Found and fixed: the reporting
   page's sentence after a write (已报送：{project}…) put the school name into st.success as
   Markdown; the data-quality page's refusal put the typed value into st.error as Markdown.
3. Formulas in downloads — every table these pages hand to ``download_buttons`` (quality flags,
   league, term reports, the not-reported worklist, comparison, cycles) leaves no live formula
   in its CSV or XLSX; a presenter is offered none of these files.
4. Bad input — a comparison import and a cycle (周期) import with a 200,000-character cell, a NUL
   byte, a duplicated column (or two names of one column): one sentence naming row and column,
   in both languages, the database unchanged.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
from datetime import date, datetime

import openpyxl
import pandas as pd
import pytest
from conftest import (
    AS_OF,
    ROOT,
    as_shown,
    assert_no_raw_markup,
    cycle_row,
    make_tiny,
    markdown_bodies,
    table_fingerprints,
)
from streamlit.testing.v1 import AppTest

from dashboard_lib import auth, build, exports, ingest
from dashboard_lib.errors import UserError
from dashboard_lib.ingest import RecordKind
from dashboard_lib.ingest.checks import Preview
from dashboard_lib.programme import comparison, dossier, quality, reporting, scorecard
from dashboard_lib.scope import Filters, Viewer
from dashboard_lib.store import Store

HAN = re.compile(r"[\u4e00-\u9fff]")
JOINER = "\u2060"
TODAY = date(2026, 11, 28)
GANSU = Viewer.province(620000, name="gansu-official")
XINJIANG = Viewer.province(650000, name="xinjiang-official")
CORPS = Viewer.province(660000, name="corps-official")
LZU = Viewer.university([1], name="lzu-coordinator")
BNU = Viewer.university([2], name="bnu-coordinator")
MINISTRY = Viewer.ministry("ministry-boss")
PASSWORD = "Correct-Horse-42x"

# one name holding every marker of the brief (a school name, a comment, a typed value)
EVIL = "[x](javascript:alert(1))![i](http://evil/x.png)<img src=x onerror=alert(1)>**bold**中学"
RAW_MARKERS = ("](javascript", "![i]", "](http://evil", "<img", "**bold**")
FORMULAS = ["=1+1", "+cmd|' /C calc'!A0", "@SUM(1)", "-2+3"]


# ---------------------------------------------------------------------- helpers
def refused(fn, *args, **kwargs) -> UserError:
    with pytest.raises(UserError) as e:
        fn(*args, **kwargs)
    assert HAN.search(e.value.message("zh")) and not HAN.search(e.value.message("en"))
    return e.value


def csv_of(rows: list[list]) -> bytes:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    return buf.getvalue().encode("utf-8")


# ====================================================================== 1. scope of writes
@pytest.fixture
def tiny(tmp_path):
    s = make_tiny(tmp_path / "tiny.duckdb")
    yield s
    s.close()


FORGED_CYCLES = {
    # 兰州大学's coordinator hands its own project 1 to 北京师范大学 as cycle 2
    "lzu_hands_own_project_away": (LZU, cycle_row(1, 2, 620000, 620123, "榆中县恩玲中学")),
    # … or renews 北京师范大学's project 2 with itself (same province)
    "lzu_takes_another_universitys_project": (
        LZU,
        cycle_row(2, 1, 620000, 620421, "靖远县第四中学"),
    ),
    # 甘肃's official renews the Corps' project 4, its row disguised as 甘肃's
    "gansu_renews_the_corps_project_disguised": (
        GANSU,
        cycle_row(4, 1, 620000, 620123, "塔里木高级中学"),
    ),
    "presenter": (Viewer.presenter(), cycle_row(1, 1, 620000, 620123, "榆中县恩玲中学")),
    "demo": (Viewer.demo(), cycle_row(1, 1, 620000, 620123, "榆中县恩玲中学")),
}


@pytest.mark.parametrize("case", list(FORGED_CYCLES))
def test_a_forged_cycle_preview_is_refused_by_the_store(tiny, case):
    viewer, row = FORGED_CYCLES[case]
    preview = Preview(RecordKind.PROJECT, pd.DataFrame([row]), [], 1)
    before = table_fingerprints(tiny)
    e = refused(tiny.import_commit, viewer, preview, "forged.csv", f"sha-{case}")
    assert e.key in ("store_out_of_scope_projects", "store_read_only_mode"), e.key
    assert table_fingerprints(tiny) == before


@pytest.mark.parametrize(
    "viewer, key",
    [
        (Viewer.presenter(), "store_read_only_mode"),
        (Viewer.demo(), "store_read_only_mode"),
        (CORPS, "cmp_out_of_scope"),  # 兵团's official, a 甘肃 county
        (BNU, "cmp_only_province"),  # a university that is in 甘肃
    ],
)
def test_a_forged_comparison_preview_by_the_other_roles_is_refused(tiny, viewer, key):
    rows = pd.DataFrame(
        [
            {
                "school_zh": "榆中县第二中学",
                "county_adcode": 620123,
                "province_adcode": 620000,
                "school_year": 2021,
                "indicator": "admission_rate",
                "value": 30.0,
                "row": 2,
            }
        ]
    )
    before = table_fingerprints(tiny)
    e = refused(
        tiny.import_commit, viewer, Preview(RecordKind.COMPARISON, rows, [], 1), "c.csv", "sha"
    )
    assert e.key == key
    assert table_fingerprints(tiny) == before


def test_another_viewers_cycle_batch_cannot_be_undone(tiny):
    """甘肃's official re-pairs project 2 (北京师范大学) with 兰州大学; nobody outside 甘肃's scope —
    not even the two universities the batch names — may undo it."""
    head = ["托管高校", "省份", "县", "帮扶县中", "周期", "开始日期", "签约日期"]
    data = csv_of([head, ["兰州大学", "甘肃", "靖远县", "靖远县第四中学", "2", "2025-09-01", ""]])
    pv, batch = ingest.import_file(tiny, GANSU, "project", data, "repair.csv", today=TODAY)
    assert pv.problems == [] and batch is not None
    cycles = tiny.project_cycles(MINISTRY)
    assert cycles[["cycle_no", "university_id"]].values.tolist() == [[1, 2], [2, 1]]
    before = table_fingerprints(tiny)
    for viewer, key in (
        (XINJIANG, "store_batch_not_found"),
        (LZU, "store_batch_not_found"),
        (BNU, "store_batch_not_found"),
        (Viewer.presenter(), "store_read_only_mode"),
        (Viewer.demo(), "store_read_only_mode"),
    ):
        assert refused(tiny.undo_batch, viewer, batch).key == key, viewer
        assert table_fingerprints(tiny) == before, viewer
    tiny.undo_batch(GANSU, batch)
    assert tiny.project_cycles(MINISTRY).empty


def test_a_correction_through_the_page_function_out_of_scope_changes_nothing(tiny):
    """``programme.quality.correct`` (what the page calls) for a flag of 甘肃's project 1, by 新疆's
    official, 北京师范大学, the presenter: refused before any number is even read."""
    head = ["托管高校", "省份", "帮扶县中", "学年", "指标", "数值"]
    rows = [
        ["兰州大学", "甘肃", "榆中县恩玲中学", "2021", "本科上线率", "30"],
        ["兰州大学", "甘肃", "榆中县恩玲中学", "2022", "本科上线率", "45"],  # a 15-point jump
    ]
    _, batch = ingest.import_file(tiny, GANSU, "outcome", csv_of([head, *rows]), "o.csv", TODAY)
    assert batch is not None
    (fid,) = tiny.quality_flags(MINISTRY)["flag_id"].astype(int).tolist()
    before = table_fingerprints(tiny)
    for viewer in (XINJIANG, BNU, CORPS):
        assert refused(quality.correct, tiny, viewer, fid, "40").key == "dq_flag_not_found"
    e = refused(quality.correct, tiny, Viewer.presenter(), fid, "40")
    assert e.key in ("dq_flag_not_found", "store_read_only_mode")
    assert table_fingerprints(tiny) == before


# ====================================================================== 2. markup (pages)
@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """The demo database with projects renamed behind the app's back (the import takes such
    names as they are: test_markup.make_evil_db): two ``EVIL`` (one with no spring-2026 report,
    one with an open quality flag), one per formula of ``FORMULAS`` (the first with a flag); users
    for each role."""
    path = tmp_path_factory.mktemp("trust16") / "demo.duckdb"
    build.build_database(path, build.spec_for(115, None, 2022, AS_OF), progress=lambda _m: None)
    s = Store(path)
    try:
        flagged = set(s._df("SELECT DISTINCT project_id FROM quality_flag")["project_id"])
        open_ = s._df(
            """SELECT p.project_id, p.university_id, p.province_adcode FROM project p
               LEFT JOIN term_report r ON r.project_id = p.project_id AND r.term = 20261
               WHERE r.project_id IS NULL ORDER BY p.project_id"""
        )
        evil = open_.iloc[0]
        evil_flagged = min(int(p) for p in flagged if p != evil["project_id"])
        taken = {int(evil["project_id"]), evil_flagged}
        first = min(int(p) for p in flagged if p not in taken)  # a flag to comment on
        rest = [int(p) for p in open_["project_id"] if int(p) not in taken | {first}]
        others = [first, *rest[: len(FORMULAS) - 1]]  # unreported: on the worklist too
        with s._con.cursor() as cur:
            for pid in (int(evil["project_id"]), evil_flagged):
                cur.execute("UPDATE project SET school_zh = ? WHERE project_id = ?", [EVIL, pid])
            for pid, name in zip(others, FORMULAS):
                cur.execute("UPDATE project SET school_zh = ? WHERE project_id = ?", [name, pid])
        auth.create_user(s, "boss", "ministry", PASSWORD)
        auth.create_user(
            s, "coordinator", "university", PASSWORD, university_ids=[int(evil["university_id"])]
        )
        auth.create_user(
            s, "official", "province", PASSWORD, province_adcode=int(evil["province_adcode"])
        )
        auth.create_user(s, "presenter", "presenter", PASSWORD)
    finally:
        s.close()
    return {
        "path": path,
        "evil": int(evil["project_id"]),
        "evil_flagged": evil_flagged,
        "formula_projects": others,
    }


@pytest.fixture
def db(world, tmp_path):
    """A copy of the world for a test that writes."""
    copy = tmp_path / "w.duckdb"
    shutil.copy(world["path"], copy)
    return copy


def open_page(db_path, monkeypatch, file: str, user: str, query: dict | None = None) -> AppTest:
    monkeypatch.setenv("XZ_DB_PATH", str(db_path))
    at = AppTest.from_file(str(ROOT / "views" / file), default_timeout=120)
    at.session_state["auth"] = {"user": user, "last": datetime.now()}
    for k, v in (query or {}).items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, at.exception
    return at


def test_reporting_sentence_after_filing_shows_the_school_name_as_text(world, db, monkeypatch):
    at = open_page(db, monkeypatch, "reporting.py", "coordinator")
    at.selectbox(key="rep_submit_project").set_value(world["evil"])
    next(b for b in at.button if b.label == "报送").click().run()
    assert not at.exception, at.exception
    said = [str(m.value) for m in at.success if "已报送" in str(m.value)]
    assert said and EVIL in as_shown(said[0]), said  # the name is in the sentence …
    assert_no_raw_markup(markdown_bodies(at), RAW_MARKERS)  # … as text only
    s = Store(db)
    try:
        got = s.term_reports(Viewer.ministry(), 20261).set_index("project_id")
    finally:
        s.close()
    assert got.loc[world["evil"], "status"] == "submitted"


def test_reporting_sentence_after_review_shows_the_school_name_as_text(world, db, monkeypatch):
    s = Store(db)
    try:
        p = s.projects(Viewer.ministry()).set_index("project_id").loc[world["evil"]]
        s.submit_term_report(Viewer.university([int(p["university_id"])]), world["evil"], 20261)
    finally:
        s.close()
    at = open_page(db, monkeypatch, "reporting.py", "official")
    at.selectbox(key="rep_review_project").set_value(world["evil"])
    next(b for b in at.button if b.label == "通过").click().run()
    assert not at.exception, at.exception
    said = [str(m.value) for m in at.success if "已通过" in str(m.value)]
    assert said and EVIL in as_shown(said[0]), said
    assert_no_raw_markup(markdown_bodies(at), RAW_MARKERS)


def flag_of(db_path, project_id: int) -> int:
    s = Store(db_path)
    try:
        got = s.quality_flags(Viewer.ministry())
    finally:
        s.close()
    mine = got[(got["project_id"] == project_id) & (got["status"] == "flagged")]
    return int(mine.iloc[0]["flag_id"])


def test_quality_page_shows_the_name_the_comment_and_a_typed_value_as_text(world, db, monkeypatch):
    fid = flag_of(db, world["evil_flagged"])
    at = open_page(db, monkeypatch, "quality.py", "boss")
    # a typed value that is no number: refused in a sentence showing it as text, nothing written
    s = Store(db)
    before = table_fingerprints(s, ["quality_flag", "outcome", "audit_log"])
    s.close()
    at.selectbox(key="dq_pick").set_value(fid)
    at.text_input(key="dq_value").set_value(EVIL)
    next(b for b in at.button if b.label == "更正数值").click().run()
    assert not at.exception, at.exception
    errors = [str(e.value) for e in at.error]
    assert any(EVIL in as_shown(e) for e in errors), errors
    assert_no_raw_markup(markdown_bodies(at), RAW_MARKERS)
    s = Store(db)
    assert table_fingerprints(s, ["quality_flag", "outcome", "audit_log"]) == before
    s.close()
    # confirmed with the comment: the list shows it (a table cell, exactly) and no body as markup
    at.selectbox(key="dq_pick").set_value(fid)
    at.text_input(key="dq_comment").set_value(EVIL)
    at.text_input(key="dq_value").set_value("")
    next(b for b in at.button if b.label == "确认数值无误").click().run()
    assert not at.exception, at.exception
    at.selectbox(key="dq_status").set_value("all").run()
    assert_no_raw_markup(markdown_bodies(at), RAW_MARKERS)
    cells = {str(v) for d in at.dataframe for col in d.value.columns for v in d.value[col]}
    assert EVIL in cells


@pytest.mark.parametrize("file", ["scorecard.py", "dossier.py"])
def test_league_and_dossier_cycles_show_the_name_as_text(world, monkeypatch, file):
    query = {"project": str(world["evil"])} if file == "dossier.py" else {}
    at = open_page(world["path"], monkeypatch, file, "boss", query)
    assert_no_raw_markup(markdown_bodies(at), RAW_MARKERS)
    cells = {str(v) for d in at.dataframe for col in d.value.columns for v in d.value[col]}
    if file == "scorecard.py":
        assert EVIL in cells  # the league lists the project by its name, as text


# ====================================================================== 3. formulas in files
def _page_downloads(path, project_id: int) -> dict[str, pd.DataFrame]:
    """The frames the pages hand to ``download_buttons``, built by the same content functions."""
    s = Store(path)
    try:
        m, f = Viewer.ministry("boss"), Filters()
        rep = reporting.term_reports_content(s, m, f, 20261, "zh", {})
        qv = quality.quality_content(s, m, f, "zh", {}, None)
        league = scorecard.league_content(s, m, f, "zh", {})
        dv = dossier.dossier_content(s, m, f, project_id, "zh")
        assert qv.table is not None and league.table is not None and dv is not None
        return {
            "quality": qv.table.download,
            "league": league.table.download,
            "term_reports": rep.table.download,
            "worklist": rep.worklist,
            "comparison": comparison.content(s, m, f, "zh").table,
            "cycles": dv.cycles,
        }
    finally:
        s.close()


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def test_every_download_of_these_pages_neutralises_formulas(world, db):
    s = Store(db)
    try:  # a comment and a university name that are formulas too
        fid = flag_of(db, world["formula_projects"][0])
        s.confirm_quality_flag(Viewer.ministry("boss"), fid, '=HYPERLINK("http://evil/x")')
        s._con.execute(
            "UPDATE university SET name_zh = ? WHERE university_id = "
            "(SELECT university_id FROM project WHERE project_id = ?)",
            ["@SUM(1)大学", world["formula_projects"][0]],
        )
    finally:
        s.close()
    frames = _page_downloads(db, world["formula_projects"][0])
    seen: set[str] = set()
    for name, frame in frames.items():
        assert frame is not None and len(frame), name
        text = exports.csv_bytes(frame).decode("utf-8-sig")
        cells = [c for row in csv.reader(io.StringIO(text)) for c in row]
        live = [c for c in cells if c[:1] in ("=", "+", "-", "@") and not _is_number(c)]
        assert not live, (name, live[:5])
        book = openpyxl.load_workbook(io.BytesIO(exports.xlsx_bytes(frame, name)))
        for cell in (c for r in book.active.iter_rows() for c in r):
            assert cell.data_type != "f", (name, cell.value)
            if isinstance(cell.value, str):
                assert cell.value[:1] not in ("=", "+", "-", "@"), (name, cell.value)
        seen |= {c for c in cells if c.startswith("'")}
    # the injected values are in the files, neutralised (else the checks above prove nothing)
    for bad in [*FORMULAS, '=HYPERLINK("http://evil/x")', "@SUM(1)大学"]:
        assert "'" + bad in seen, bad


@pytest.mark.parametrize("file", ["scorecard.py", "dossier.py"])
def test_a_presenter_is_offered_none_of_these_files(world, monkeypatch, file):
    query = {"project": str(world["evil"])} if file == "dossier.py" else {}
    at = open_page(world["path"], monkeypatch, file, "presenter", query)
    assert not at.get("download_button"), [b.proto.label for b in at.get("download_button")]
    assert any("不提供明细数据下载" in str(c.value) for c in at.caption)
    boss = open_page(world["path"], monkeypatch, file, "boss", query)
    assert boss.get("download_button")  # the same page offers them to staff


# ====================================================================== 4. bad input
CMP_HEAD = ["省份", "县", "学校名称", "学年", "指标", "数值"]
CMP_ROW = ["甘肃", "榆中县", "榆中县第二中学", "2021", "本科上线率", "30.0"]
CYC_HEAD = ["托管高校", "省份", "县", "帮扶县中", "周期", "开始日期", "签约日期"]
CYC_ROW = ["兰州大学", "甘肃", "榆中县", "榆中县恩玲中学", "2", "2025-09-01", "2025-07-20"]
BAD_FILES = {
    "comparison_long_cell": (
        "comparison",
        [CMP_HEAD, CMP_ROW, [*CMP_ROW[:2], "长" * 200_000, *CMP_ROW[3:]]],
        "ingest_err_cell_too_long",
        (3, "C"),
    ),
    "comparison_nul": (
        "comparison",
        [CMP_HEAD, CMP_ROW, [*CMP_ROW[:2], "榆中县\x00中学", *CMP_ROW[3:]]],
        "ingest_err_control_char",
        (3, "C"),
    ),
    "comparison_duplicated_column": (
        "comparison",
        [[*CMP_HEAD, "数值"], [*CMP_ROW, "31"]],
        "ingest_err_dup_column",
        (1, "G"),
    ),
    "comparison_two_names_of_the_school": (
        "comparison",
        [[*CMP_HEAD, "帮扶县中"], [*CMP_ROW, "另一中学"]],
        "ingest_err_dup_column",
        (1, "G"),
    ),
    "cycle_long_note": (
        "project",
        [[*CYC_HEAD, "备注"], [*CYC_ROW, "长" * 200_000]],
        "ingest_err_cell_too_long",
        (2, "H"),
    ),
    "cycle_nul_in_the_cycle": (
        "project",
        [CYC_HEAD, [*CYC_ROW[:4], "2\x00", *CYC_ROW[5:]]],
        "ingest_err_control_char",
        (2, "E"),
    ),
    "cycle_批次_and_周期": (
        "project",
        [[*CYC_HEAD, "批次"], [*CYC_ROW, "3"]],
        "ingest_err_dup_column",
        (1, "H"),
    ),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_a_bad_comparison_or_cycle_file_is_one_sentence_and_writes_nothing(tiny, case):
    kind, rows, key, (row, col) = BAD_FILES[case]
    before = table_fingerprints(tiny)
    with pytest.raises(UserError) as e:
        ingest.import_file(tiny, GANSU, kind, csv_of(rows), "bad.csv", today=TODAY)
    exc = e.value
    assert exc.key == key
    assert (exc.values["row"], exc.values["col"]) == (row, col)
    zh, en = ingest.error_text(exc, "zh"), ingest.error_text(exc, "en")
    assert f"第 {row} 行" in zh and f"{col} 列" in zh, zh
    assert (f"Row {row}, column {col}" in en or f"row {row}" in en) and f"column {col}" in en, en
    assert "field larger" not in en and "Traceback" not in en
    assert table_fingerprints(tiny) == before
