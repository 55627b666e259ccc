"""What goes wrong on a real machine ends in a clear sentence or a recovery, never a traceback."""

from __future__ import annotations

import os
import shutil
import stat

import pytest
from conftest import ROOT
from streamlit.testing.v1 import AppTest

from dashboard_lib import geo
from dashboard_lib.scope import Viewer
from dashboard_lib.store import open_store

running_as_root = hasattr(os, "geteuid") and os.geteuid() == 0


def overview(db_path, monkeypatch) -> AppTest:
    monkeypatch.setenv("XZ_DB_PATH", str(db_path))
    return AppTest.from_file(str(ROOT / "views" / "overview.py"), default_timeout=90).run()


def test_missing_database_is_rebuilt_on_first_page(tmp_path, monkeypatch):
    at = overview(tmp_path / "fresh.duckdb", monkeypatch)
    assert not at.exception
    assert any("重新生成" in i.value for i in at.info)
    assert next(m.value for m in at.metric if m.label == "托管项目") == "115"
    assert (tmp_path / "fresh.duckdb").exists()


def test_read_only_database_is_shown_and_said(demo_db, tmp_path, monkeypatch):
    ro = tmp_path / "ro"
    ro.mkdir()
    shutil.copy(demo_db, ro / "d.duckdb")
    os.chmod(ro / "d.duckdb", stat.S_IRUSR | stat.S_IRGRP)
    os.chmod(ro, stat.S_IRUSR | stat.S_IXUSR)
    try:
        if running_as_root:
            # root may write anything: check the branch through os.access instead
            monkeypatch.setattr(os, "access", lambda p, mode: mode != os.W_OK)
        res = open_store(ro / "d.duckdb", lambda p: pytest.fail("must not rebuild"))
        assert res.store.read_only
        assert "只读" in res.notices[0][0]
        assert res.store.metrics(Viewer.ministry()).iloc[0]["projects"] == 115
        res.store.close()
    finally:
        os.chmod(ro, stat.S_IRWXU)


def test_corrupted_boundary_file_is_one_sentence_on_screen(demo_db, tmp_path, monkeypatch):
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data, ignore=shutil.ignore_patterns("*.duckdb*"))
    (data / "geo" / "provinces.parquet").write_bytes(b"PAR1 garbage")
    monkeypatch.setattr(geo, "data_dir", lambda: data)
    at = overview(demo_db, monkeypatch)
    assert not at.exception
    assert at.error and "地图边界数据不可用" in at.error[0].value
    # the figures above the map still show
    assert next(m.value for m in at.metric if m.label == "托管项目") == "115"


def test_corrupted_county_file_costs_the_map_only(demo_db, tmp_path, monkeypatch):
    """Issue 17: a damaged counties.parquet used to take the KPI cards with it (the page's
    content read the county boundaries); now the cards, the headings and the project list stay
    and only the map says it is left out."""
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data, ignore=shutil.ignore_patterns("*.duckdb*"))
    (data / "geo" / "counties.parquet").write_bytes(b"PAR1 garbage")
    monkeypatch.setattr(geo, "data_dir", lambda: data)
    at = overview(demo_db, monkeypatch)
    assert not at.exception
    assert len(at.error) == 1 and "地图边界数据不可用" in at.error[0].value
    assert next(m.value for m in at.metric if m.label == "托管项目") == "115"
    assert len(at.metric) >= 6
    assert at.header[0].value == "全国概览"
    assert [s.value for s in at.subheader] == ["全国托管帮扶分布", "项目清单"]
    assert len(at.dataframe) == 1 and len(at.dataframe[0].value) == 115


def test_unreadable_database_moved_aside_page_still_works(tmp_path, monkeypatch):
    bad = tmp_path / "bad.duckdb"
    bad.write_bytes(os.urandom(4096))
    at = overview(bad, monkeypatch)
    assert not at.exception
    assert any("移至" in i.value for i in at.info)
    assert any(p.name.startswith("bad.duckdb.corrupt-") for p in tmp_path.iterdir())


def test_replica_switches_to_a_newly_published_snapshot(demo_db, tmp_path, monkeypatch):
    """A read-only replica notices the import job's new snapshot on the next run."""
    import duckdb

    from dashboard_lib.store.lifecycle import publish_snapshot

    live = tmp_path / "live.duckdb"
    shutil.copy(demo_db, live)
    snapshot = tmp_path / "snapshot.duckdb"
    publish_snapshot(live, snapshot)
    monkeypatch.setenv("XZ_DB_READONLY", "1")
    at = overview(snapshot, monkeypatch)
    assert next(m.value for m in at.metric if m.label == "托管项目") == "115"
    con = duckdb.connect(str(live))
    con.execute("DELETE FROM project WHERE project_id = (SELECT max(project_id) FROM project)")
    con.execute("CHECKPOINT")
    con.close()
    publish_snapshot(live, snapshot)
    at.run()
    assert not at.exception
    assert next(m.value for m in at.metric if m.label == "托管项目") == "114"
