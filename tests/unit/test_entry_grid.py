"""The coordinator's entry and correction (issue 13): an untouched form is refused with the date
named and nothing written; a missing date is refused by the store too; entered rows are labelled
填报 ('entered'), also in files written before that label existed; modes are one vocabulary
(现场 / 线上) in the form, the import and the grid; the correction grid shows labels in the
user's language, maps them back to codes, and says what it changed or which cell was wrong."""

from __future__ import annotations

import re
import shutil
from datetime import date

import pandas as pd
import pytest
from conftest import AS_OF, make_tiny
from conftest import run_page as run

from dashboard_lib import build, ingest, ui
from dashboard_lib.i18n import label, t
from dashboard_lib.ingest import entry
from dashboard_lib.ingest.checks import Preview
from dashboard_lib.programme.tables import vlabel
from dashboard_lib.scope import Viewer
from dashboard_lib.store import Store, StoreError, open_store
from dashboard_lib.vocab import MODE_LABEL_KEYS, RecordKind

TODAY = date(2026, 11, 28)
LZU = Viewer.university([1], name="lzu")  # 兰州大学: projects 1 (甘肃) and 4 (兵团)
MINISTRY = Viewer.ministry()
CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
RAW = ("activity_id", "school_zh", "guidance_visit", "training", "on_site", "online", "imported")


@pytest.fixture
def tiny(tmp_path):
    s = make_tiny(tmp_path / "entry.duckdb")
    yield s
    s.close()


def counts(store) -> tuple[int, int]:
    return (
        int(store._scalar("SELECT count(*) FROM activity")),
        int(store._scalar("SELECT count(*) FROM import_batch")),
    )


def enter(store, viewer, kind, pid, values) -> int:
    pv = ingest.entry_preview(store, viewer, kind, store.projects(viewer), pid, values, today=TODAY)
    assert pv.problems == [], pv.problems
    return store.import_commit(viewer, pv, None, None)


# ---------------------------------------------------------------------------- the form
@pytest.mark.parametrize("kind", [k for k in ingest.ENTRY_KINDS if k.is_activity])
def test_an_untouched_form_lacks_its_project_and_start_date(kind):
    problems = entry.missing(kind, None, {f: None for f in ingest.entry_fields(kind)})
    fields = [p.column for p in problems]
    assert fields[0] == "school" and "start_date" in fields
    text = " ".join(entry.form_refusal(problems, "zh"))
    assert "开始日期" in text and "项目" in text
    assert "Start date" in " ".join(entry.form_refusal(problems, "en"))
    # every kind's head count is asked for, a dispatch's too (a file's blank dispatch counts one
    # person; a form's is never filled in for the user)
    heads = "participants" if kind is RecordKind.TRAINING else "people"
    assert heads in fields


def test_a_filled_form_lacks_nothing():
    values = {"start_date": date(2024, 3, 1), "people": 2}
    assert entry.missing(RecordKind.DISPATCH, 1, values) == []
    assert [p.column for p in entry.missing(RecordKind.DISPATCH, 1, {"people": 2})] == [
        "start_date"
    ]


def test_the_store_refuses_a_missing_start_date(tiny):
    before = counts(tiny)
    acc = pd.DataFrame(
        [
            {
                "project_id": 1,
                "kind": "guidance_visit",
                "start_date": None,
                "end_date": None,
                "people": 3,
                "mode": "on_site",
                "direction": "to_county",
                "row": 1,
            }
        ]
    )
    forged = Preview(RecordKind.GUIDANCE_VISIT, acc, [], 1)
    with pytest.raises(StoreError) as exc:
        tiny.import_commit(LZU, forged, None, None)
    assert exc.value.key == "entry_store_date_missing" and "开始日期" in exc.value.message("zh")
    assert counts(tiny) == before
    batch = enter(tiny, LZU, "guidance_visit", 1, {"start_date": date(2024, 3, 5), "people": 6})
    aid = int(tiny._scalar("SELECT activity_id FROM activity WHERE import_batch_id = ?", [batch]))
    with pytest.raises(StoreError) as exc:
        tiny.update_activity(LZU, aid, {"start_date": None})
    assert exc.value.key == "entry_store_date_missing"
    assert tiny._scalar("SELECT start_date FROM activity WHERE activity_id = ?", [aid]) == date(
        2024, 3, 5
    )


@pytest.fixture
def fresh_db(tmp_path, monkeypatch):
    path = tmp_path / "entry.duckdb"
    build.build_database(path, build.spec_for(115, None, 2022, AS_OF), progress=lambda _m: None)
    monkeypatch.setenv("XZ_DB_PATH", str(path))
    return path


def test_entry_page_refuses_an_untouched_form_and_names_the_date(fresh_db, monkeypatch):
    s = Store(fresh_db)
    try:
        uni = int(s.projects(MINISTRY).iloc[0]["university_id"])
        before = counts(s)
    finally:
        s.close()
    monkeypatch.setattr(ui, "viewer", lambda: Viewer.university([uni], name="coordinator"))
    at = run("data_entry.py")
    assert not at.exception
    # nothing is preselected: no project, no date, no number
    assert at.selectbox(key="entry_project").value is None
    assert at.date_input(key="entry_start_date").value is None
    assert at.number_input(key="entry_people").value is None
    next(b for b in at.button if b.label == "保存").click().run()
    assert not at.exception
    assert not at.success
    said = " ".join(e.value for e in at.error)
    assert "开始日期" in said and "项目" in said and "未保存" in said, said
    # the project chosen, the date still missing: refused again, naming only the date
    at.selectbox(key="entry_project").set_value(s_first(fresh_db, uni))
    at.number_input(key="entry_people").set_value(2)
    next(b for b in at.button if b.label == "保存").click().run()
    said = " ".join(e.value for e in at.error)
    assert "开始日期" in said and "项目（帮扶县中）" not in said, said
    s = Store(fresh_db)
    try:
        assert counts(s) == before  # nothing written
    finally:
        s.close()
    at.date_input(key="entry_start_date").set_value(date(2024, 3, 1))
    next(b for b in at.button if b.label == "保存").click().run()
    # (Markdown-safe text: the page escapes "-" as "\\-")
    assert any(
        "填报" in m.value and "2024-03-01" in m.value.replace("\\", "") for m in at.success
    ), [e.value for e in at.error]
    s = Store(fresh_db)
    try:
        row = s._df("SELECT * FROM activity ORDER BY activity_id DESC LIMIT 1").iloc[0]
        assert (row["provenance"], row["start_date"], int(row["people"])) == (
            "entered",
            pd.Timestamp(2024, 3, 1),
            2,
        )
    finally:
        s.close()


def s_first(path, uni: int) -> int:
    s = Store(path)
    try:
        return int(s.projects(Viewer.university([uni])).iloc[0]["project_id"])
    finally:
        s.close()


# ---------------------------------------------------------------------------- provenance
def test_entered_rows_say_entered_and_file_rows_say_imported(tiny):
    batch = enter(tiny, LZU, "guidance_visit", 1, {"start_date": date(2024, 3, 5), "people": 6})
    prov = tiny._df("SELECT provenance FROM activity WHERE import_batch_id = ?", [batch])
    assert prov["provenance"].tolist() == ["entered"]
    assert (label("entered", "zh"), label("entered", "en")) == ("填报", "Entered")
    assert label("imported", "zh") == "导入"
    data = "帮扶县中,开始日期,人数\n榆中县恩玲中学,2024-04-01,3\n".encode()
    _, fb = ingest.import_file(tiny, LZU, "guidance_visit", data, "v.csv", today=TODAY)
    assert tiny._scalar("SELECT provenance FROM activity WHERE import_batch_id = ?", [fb]) == (
        "imported"
    )
    # both kinds of row can be corrected, and undone with their batch
    assert set(tiny.editable_activities(LZU)["provenance"]) == {"entered", "imported"}
    tiny.undo_batch(LZU, batch)
    assert tiny._scalar("SELECT count(*) FROM activity WHERE provenance = 'entered'") == 0


def test_files_written_before_entered_existed_are_relabelled_on_open(tmp_path):
    path = tmp_path / "old.duckdb"
    s = make_tiny(path)
    try:
        batch = enter(s, LZU, "guidance_visit", 1, {"start_date": date(2024, 3, 5), "people": 6})
        data = "帮扶县中,开始日期,人数\n榆中县恩玲中学,2024-04-01,3\n".encode()
        _, fb = ingest.import_file(s, LZU, "guidance_visit", data, "v.csv", today=TODAY)
        with s._con.cursor() as cur:  # how the entry form stored its rows before issue 13
            cur.execute(
                "UPDATE activity SET provenance = 'imported' WHERE import_batch_id = ?", [batch]
            )
        s.checkpoint()
    finally:
        s.close()
    copy = tmp_path / "copy.duckdb"
    shutil.copy(path, copy)
    opened = open_store(copy, builder=lambda p: pytest.fail("must not rebuild"), read_only=False)
    try:
        st = opened.store
        got = dict(
            zip(
                *st._df(
                    "SELECT import_batch_id, provenance FROM activity WHERE import_batch_id IS NOT NULL"
                ).T.values
            )
        )
        assert got == {batch: "entered", fb: "imported"}
        assert st.label_entered_rows() == 0  # idempotent
    finally:
        opened.store.close()


# ---------------------------------------------------------------------------- one vocabulary
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_modes_have_one_name_in_form_import_grid_and_tables(lang):
    for mode, key in MODE_LABEL_KEYS.items():
        name = t(key, lang)
        assert entry.choice_options("mode", lang)[mode] == name  # the form and the grid
        assert vlabel(mode, lang) == name  # the programme tables and charts
        assert ingest.form_options("mode", lang)[mode] == name  # the older option list
        assert ingest.MODE_NAMES[mode][0 if lang == "zh" else 1] == name  # the import
    assert entry.choice_options("mode", "zh") == {"on_site": "现场", "online": "线上"}


def test_import_reads_both_spellings_and_names_the_product_words(tiny):
    rows = "帮扶县中,开始日期,参训人数,形式\n" + "".join(
        f"榆中县恩玲中学,2024-04-0{i},{10 + i},{m}\n"
        for i, m in enumerate(["现场", "线下", "线上", "面授"], 1)
    )
    pv = ingest.prepare(tiny, LZU, "training", rows.encode(), "t.csv", today=TODAY)
    assert pv.accepted["mode"].tolist() == ["on_site", "on_site", "online"]
    [bad] = pv.problems
    assert (bad.row, bad.column, bad.detail) == (5, "mode", "现场、线上")


# ---------------------------------------------------------------------------- the grid
def _grid(tiny, lang="zh"):
    ed = tiny.editable_activities(LZU)
    return ed, entry.grid_frame(ed, lang)


def test_grid_is_headed_and_named_in_the_users_language(tiny):
    enter(
        tiny,
        LZU,
        "training",
        1,
        {"start_date": date(2024, 5, 1), "participants": 30, "mode": "online"},
    )
    enter(tiny, LZU, "guidance_visit", 1, {"start_date": date(2024, 3, 5), "people": 6})
    for lang in ("zh", "en"):
        ed, frame = _grid(tiny, lang)
        cells = " ".join(map(str, frame.columns)) + " " + frame.astype(str).to_string()
        for raw in RAW:
            assert raw not in cells, (lang, raw)
        if lang == "en":
            assert not CJK.search(" ".join(map(str, frame.columns)))
    ed, frame = _grid(tiny, "zh")
    assert {"记录编号", "来源", "帮扶县中", "类型", "开始日期", "形式"} <= set(frame.columns)
    row = frame.loc[frame["类型"] == "培训教研"].iloc[0]
    assert (row["来源"], row["形式"], row["开始日期"]) == ("填报", "线上", date(2024, 5, 1))
    assert set(frame["形式"]) == {"线上", "现场"}
    cols = {c.field: c for c in entry.grid_columns("zh")}
    assert cols["start_date"].type == "date" and cols["start_date"].editable
    assert cols["mode"].type == "select" and cols["mode"].options == ("现场", "线上")
    assert not any(cols[f].editable for f in ("activity_id", "provenance", "school", "kind"))


def test_grid_saves_a_date_and_a_mode_and_says_what_changed(tiny):
    b = enter(
        tiny,
        LZU,
        "training",
        1,
        {"start_date": date(2024, 5, 1), "participants": 30, "mode": "online"},
    )
    aid = int(tiny._scalar("SELECT activity_id FROM activity WHERE import_batch_id = ?", [b]))
    ed, before = _grid(tiny)
    after = before.copy()
    after.loc[aid, "开始日期"] = date(2024, 5, 3)
    after.loc[aid, "形式"] = "现场"
    res = entry.grid_corrections(tiny, LZU, ed, before, after, "zh", today=TODAY)
    assert res.problems == []
    [(got_id, vals)] = res.changes
    assert got_id == aid and vals["mode"] == "on_site" and vals["start_date"] == date(2024, 5, 3)
    assert res.changed_fields == {aid: ["start_date", "mode"]}
    tiny.update_activity(LZU, got_id, vals)
    stored = tiny._df(
        "SELECT start_date, mode, participants FROM activity WHERE activity_id = ?", [aid]
    )
    assert stored.iloc[0].tolist() == [pd.Timestamp(2024, 5, 3), "on_site", 30]
    said = entry.grid_saved_text(res, [aid], "zh")
    assert "已更正 1 条记录" in said and "开始日期、形式" in said and f"记录 {aid}" in said
    assert "start_date" not in entry.grid_saved_text(res, [aid], "en")


def test_grid_refuses_bad_cells_with_row_column_and_reason(tiny):
    b1 = enter(tiny, LZU, "guidance_visit", 1, {"start_date": date(2024, 3, 5), "people": 6})
    b2 = enter(tiny, LZU, "training", 1, {"start_date": date(2024, 5, 1), "participants": 30})
    ids = {
        b: int(tiny._scalar("SELECT activity_id FROM activity WHERE import_batch_id = ?", [b]))
        for b in (b1, b2)
    }
    ed, before = _grid(tiny)
    after = before.copy()
    after.loc[ids[b1], "形式"] = "线上"  # a guidance visit has no mode to choose
    after.loc[ids[b2], "开始日期"] = None  # a required date cleared
    res = entry.grid_corrections(tiny, LZU, ed, before, after, "zh", today=TODAY)
    assert res.changes == []
    rows = {rid: row for row, rid in res.row_ids.items()}
    by = {(p.row, p.column, p.reason) for p in res.problems}
    assert by == {
        (rows[ids[b1]], "mode", "entry_r_not_for_kind"),
        (rows[ids[b2]], "start_date", "ingest_r_missing"),
    }
    text = entry.grid_problem_sentences(res, "zh")
    assert any(f"第 {rows[ids[b1]]} 行" in s and "“形式”" in s and "到校指导" in s for s in text)
    assert any(f"第 {rows[ids[b2]]} 行" in s and "“开始日期”" in s for s in text)
    en = " ".join(entry.grid_problem_sentences(res, "en"))
    assert "Start date" in en and not CJK.search(en.replace("Row", ""))
    # a future date, too
    after = before.copy()
    after.loc[ids[b2], "开始日期"] = date(2027, 1, 1)
    res = entry.grid_corrections(tiny, LZU, ed, before, after, "zh", today=TODAY)
    assert [(p.column, p.reason) for p in res.problems] == [("start_date", "ingest_r_future")]
    # nothing changed: nothing to save
    res = entry.grid_corrections(tiny, LZU, ed, before, before.copy(), "zh", today=TODAY)
    assert res.changes == [] and res.problems == []


def test_grid_keeps_the_scope_check(tiny):
    theirs = enter(
        tiny, MINISTRY, "guidance_visit", 2, {"start_date": date(2024, 3, 5), "people": 5}
    )
    aid = int(tiny._scalar("SELECT activity_id FROM activity WHERE import_batch_id = ?", [theirs]))
    ed = tiny.editable_activities(MINISTRY)
    ed = ed[ed["activity_id"] == aid].reset_index(drop=True)  # a table LZU was never shown
    before = entry.grid_frame(ed, "zh")
    after = before.copy()
    after.loc[aid, "人数"] = 9
    res = entry.grid_corrections(tiny, LZU, ed, before, after, "zh", today=TODAY)
    assert res.changes == []
    assert [p.reason for p in res.problems] == ["ingest_r_record_out_of_scope"]
    with pytest.raises(StoreError):
        tiny.update_activity(LZU, aid, {"people": 9})
    assert tiny._scalar("SELECT people FROM activity WHERE activity_id = ?", [aid]) == 5


def test_the_dossier_and_the_history_say_entered(tiny):
    from dashboard_lib.programme.dossier import dossier_content
    from dashboard_lib.scope import Filters

    batch = enter(tiny, LZU, "guidance_visit", 1, {"start_date": date(2024, 3, 5), "people": 6})
    d = dossier_content(tiny, LZU, Filters(), 1, "zh")
    assert d is not None
    acts = d.activities.frame
    source = t("col_provenance", "zh")
    assert "填报" in set(acts[source]), acts[source].tolist()
    en = dossier_content(tiny, LZU, Filters(), 1, "en")
    assert en is not None and "Entered" in set(en.activities.frame[t("col_provenance", "en")])
    hist = ingest.history_frame(tiny.import_history(LZU), "zh")
    row = hist[hist[t("ingest_h_batch", "zh")] == batch].iloc[0]
    assert "填报" in row[t("ingest_h_file", "zh")]
