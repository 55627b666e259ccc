"""The import and entry pages with Streamlit's AppTest: the read-only demo is refused; a
coordinator's form entry lands in the database (checked with a query of our own)."""

from __future__ import annotations

from datetime import date

import pytest
from conftest import AS_OF
from conftest import run_page as run

from dashboard_lib import build, ui
from dashboard_lib.ingest import RecordKind
from dashboard_lib.scope import Viewer
from dashboard_lib.store import Store


@pytest.fixture
def fresh_db(tmp_path, monkeypatch):
    path = tmp_path / "entry.duckdb"
    build.build_database(path, build.spec_for(115, None, 2022, AS_OF), progress=lambda _m: None)
    monkeypatch.setenv("XZ_DB_PATH", str(path))
    return path


@pytest.mark.parametrize("page", ["data_import.py", "data_entry.py"])
def test_read_only_demo_cannot_import(fresh_db, page):
    at = run(page)
    assert not at.exception
    assert any("只读" in w.value for w in at.warning)
    assert not at.get("file_uploader") and not at.button  # nothing to write with


def test_import_page_for_a_province_official(fresh_db, monkeypatch):
    monkeypatch.setattr(ui, "viewer", lambda: Viewer.province(620000, name="gansu"))
    at = run("data_import.py")
    assert not at.exception
    assert not at.warning
    assert any("甘肃省" in i.value for i in at.info)  # the scope is stated
    at.selectbox(key="ingest_kind").set_value(RecordKind.SHADOWING).run()
    assert not at.exception
    assert at.selectbox(key="ingest_kind").value is RecordKind.SHADOWING


def test_entry_form_adds_a_record(fresh_db, monkeypatch):
    s = Store(fresh_db)
    try:
        first = s.projects(Viewer.ministry()).iloc[0]
        before = s._scalar("SELECT count(*) FROM activity WHERE provenance = 'entered'")
    finally:
        s.close()
    uni = int(first["university_id"])
    monkeypatch.setattr(ui, "viewer", lambda: Viewer.university([uni], name="coordinator"))
    at = run("data_entry.py")
    assert not at.exception
    # every project of the coordinator's university, each named school · university · #id
    shown = at.selectbox(key="entry_project").options
    s = Store(fresh_db)
    try:
        own = s.projects(Viewer.university([uni]))
    finally:
        s.close()
    assert shown == [
        f"{r.school_zh} · {r.university_zh} · #{r.project_id}" for r in own.itertuples()
    ]
    at.selectbox(key="entry_project").set_value(int(first["project_id"]))
    at.date_input(key="entry_start_date").set_value(date(2024, 3, 1))
    at.date_input(key="entry_end_date").set_value(date(2024, 7, 1))
    at.number_input(key="entry_people").set_value(2)
    at.text_input(key="entry_role").set_value("执行校长")
    next(b for b in at.button if b.label == "保存").click().run()
    assert not at.exception
    assert any("已保存" in m.value for m in at.success), [e.value for e in at.error]
    # a wrong entry is refused with its reasons
    at.date_input(key="entry_end_date").set_value(date(2024, 2, 1))
    next(b for b in at.button if b.label == "保存").click().run()
    assert any("结束日期早于开始日期" in e.value for e in at.error)
    s = Store(fresh_db)
    try:
        rows = s._df("SELECT * FROM activity WHERE provenance = 'entered'")  # 填报, not 导入
        assert len(rows) == before + 1
        r = rows.iloc[0]
        assert (int(r["project_id"]), r["kind"], int(r["people"]), r["role"]) == (
            int(first["project_id"]),
            "dispatch",
            2,
            "执行校长",
        )
        assert s._scalar("SELECT count(*) FROM audit_log WHERE action = 'import'") == 1
    finally:
        s.close()
