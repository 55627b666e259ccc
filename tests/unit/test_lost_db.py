"""A lost database and damaged reference files (issue 17, part 6).

A database that ever held accounts or imports is never replaced silently: not when its file is
missing, damaged or replaced at start-up (the marker beside it says what it held), and not while
the server runs (the open Store notices, refuses every write, and writes an emergency backup
from its still-open connection). A demo database without user data is rebuilt as before. A
damaged boundary file costs only the views that draw it, in one sentence.
"""

from __future__ import annotations

import logging
import os
import shutil
from datetime import date
from pathlib import Path

import pytest
from conftest import ROOT, as_shown, hold_write_lock, make_tiny, table_fingerprints
from streamlit.testing.v1 import AppTest

from dashboard_lib import auth, backup, build, geo, ingest, present
from dashboard_lib.scope import Viewer
from dashboard_lib.store import Store, StoreError, open_store
from dashboard_lib.store.lifecycle import marker_path, read_marker

TODAY = date(2026, 11, 28)
GANSU = Viewer.province(620000, name="gansu-official")
PW = "correct-horse-42"
DISPATCH = (
    "托管高校,省份,帮扶县中,开始日期,人数,身份\n兰州大学,甘肃,榆中县恩玲中学,2023-03-01,2,教师\n"
).encode()


def tiny_builder(calls: list):
    def build_(path):
        calls.append(path)
        make_tiny(path).close()

    return build_


def never(path):
    pytest.fail(f"{path} must not be built")


def with_user_data(db: Path) -> Store:
    """A database with an account and an import, made through the public functions."""
    store = open_store(db, tiny_builder([])).store
    auth.create_user(store, "gansu", "province", PW, province_adcode=620000)
    _, batch = ingest.import_file(store, GANSU, "dispatch", DISPATCH, "d.csv", today=TODAY)
    assert batch is not None
    return store


# ---------------------------------------------------------------------- at start-up
def test_restore_drill(tmp_path, monkeypatch, caplog, capsys):
    """Accounts and an import, a backup, the file deleted: the app refuses to build a new one
    (because of the marker), the backup is restored, nothing is lost."""
    monkeypatch.setenv("XZ_BACKUP_DIR", str(tmp_path / "backups"))
    db = tmp_path / "dashboard.duckdb"
    store = with_user_data(db)
    marker = read_marker(db)
    assert marker["holds"] == ["accounts", "imports"] and marker["inode"] == os.stat(db).st_ino
    before = table_fingerprints(store)
    assert before["app_user"][0] == 1 and before["import_batch"][0] == 1
    store.close()  # the server stopped

    assert backup.main(["create", "--db", str(db)]) == 0
    made = backup.list_backups(db, tmp_path / "backups")
    assert len(made) == 1 and made[0].kind == "manual" and made[0].manifest["verified"]
    assert made[0].manifest["counts"] == {t: n for t, (n, _) in before.items()}

    db.unlink()
    calls = []
    caplog.set_level(logging.ERROR, logger="dashboard_lib")
    with pytest.raises(StoreError) as err:
        open_store(db, tiny_builder(calls))
    assert calls == [] and not db.exists()  # nothing built in its place
    assert "dashboard.duckdb 不见了" in err.value.zh and "账户和导入的数据" in err.value.zh
    assert "未自动重建" in err.value.zh and "backup restore" in err.value.zh
    assert err.value.zh.count("。") == 1 and "backup restore" in err.value.en
    logged = " ".join(r.getMessage() for r in caplog.records if r.name.startswith("dashboard_lib"))
    assert f"backup restore {made[0].path} --db {db}" in logged and "build --force" in logged

    # the marker is why: without it the same call builds a fresh (empty) database
    aside = tmp_path / "marker.aside"
    os.replace(marker_path(db), aside)
    open_store(db, tiny_builder(calls)).store.close()
    assert calls == [db]
    db.unlink()
    os.replace(aside, marker_path(db))

    assert backup.main(["restore", str(made[0].path), "--db", str(db)]) == 0
    assert "restored" in capsys.readouterr().out
    res = open_store(db, never)
    assert res.notices == []
    assert table_fingerprints(res.store) == before  # every table, row for row
    assert auth.authenticate(res.store, "gansu", PW).provinces == frozenset({620000})
    res.store.close()


def test_damaged_file_that_held_data_is_moved_aside_not_rebuilt(tmp_path):
    db = tmp_path / "d.duckdb"
    with_user_data(db).close()
    db.write_bytes(os.urandom(8192))
    calls = []
    with pytest.raises(StoreError) as err:
        open_store(db, tiny_builder(calls))
    assert calls == [] and not db.exists()
    moved = [p for p in tmp_path.iterdir() if p.name.startswith("d.duckdb.corrupt-")]
    assert len(moved) == 1 and moved[0].name in err.value.zh
    assert "损坏" in err.value.zh and "未自动重建" in err.value.zh and "not rebuilt" in err.value.en
    with pytest.raises(StoreError) as again:  # and the next start does not build either
        open_store(db, tiny_builder(calls))
    assert calls == [] and "不见了" in again.value.zh


def test_file_replaced_by_one_without_the_data_is_refused(tmp_path, capsys):
    db = tmp_path / "r.duckdb"
    with_user_data(db).close()
    fresh = tmp_path / "fresh.duckdb"
    make_tiny(fresh).close()
    os.replace(fresh, db)  # e.g. an old `build` run over it
    with pytest.raises(StoreError) as err:
        open_store(db, never)
    assert "替换" in err.value.zh and "backup restore" in err.value.zh
    # the build command will not rebuild it either, unless told to start over
    assert build.main(["--db", str(db)]) == 1
    assert "--force" in capsys.readouterr().err
    assert build.main(["--db", str(db), "--force", "--as-of", "2026-11-28"]) == 0
    assert not marker_path(db).exists()
    res = open_store(db, never)
    assert res.store.count_users() == 0
    res.store.close()


def test_build_commands_respect_the_marker(tmp_path, capsys):
    db = tmp_path / "b.duckdb"
    with_user_data(db).close()
    db.unlink()
    # scripts/run.sh builds --if-missing before the server starts: it does not, and says why
    assert build.main(["--db", str(db), "--if-missing"]) == 0
    assert not db.exists() and "backup restore" in capsys.readouterr().err
    assert build.main(["--db", str(db)]) == 1 and not db.exists()


def test_build_refuses_a_file_the_running_server_holds(tmp_path, capsys):
    db = tmp_path / "held.duckdb"
    make_tiny(db).close()
    holder = hold_write_lock(db, tmp_path / "ready")
    try:
        before = os.stat(db).st_ino
        assert build.main(["--db", str(db), "--force"]) == 1
        assert "in use" in capsys.readouterr().err
        assert os.stat(db).st_ino == before
    finally:
        holder.kill()
        holder.wait()


def test_old_database_with_accounts_gets_its_marker_on_open(tmp_path):
    """A file made before markers existed (accounts written by another process): marked when
    the app first opens it, so a later loss is told from a first start."""
    db = tmp_path / "old.duckdb"
    with_user_data(db).close()
    marker_path(db).unlink()
    import duckdb

    con = duckdb.connect(str(db))
    con.execute("DELETE FROM meta WHERE key = 'file_token'")
    con.close()
    res = open_store(db, never)
    assert res.store.holds_data and read_marker(db)["holds"] == ["accounts", "imports"]
    res.store.close()
    db.unlink()
    with pytest.raises(StoreError):
        open_store(db, never)


# ---------------------------------------------------------------------- under a running server
def test_file_deleted_under_an_open_store(tmp_path, monkeypatch):
    monkeypatch.setenv("XZ_BACKUP_DIR", str(tmp_path / "bk"))
    db = tmp_path / "live.duckdb"
    store = with_user_data(db)
    try:
        before = table_fingerprints(store)
        assert store.writable() and store.check_file() is None
        db.unlink()
        with pytest.raises(StoreError) as err:
            auth.create_user(store, "late", "ministry", PW)
        zh = err.value.zh
        assert "live.duckdb 不见了" in zh and "已停止写入" in zh and "应急备份" in zh
        assert zh.count("。") == 1 and "emergency backup" in err.value.en
        with pytest.raises(StoreError) as again:  # every write, an import too
            ingest.import_file(
                store,
                GANSU,
                "dispatch",
                DISPATCH.replace(b"2023-03-01", b"2023-04-01"),
                "e.csv",
                today=TODAY,
            )
        assert again.value is err.value
        with pytest.raises(StoreError):
            store.log_event("someone", "login")
        assert not store.writable() and store.lost is err.value and not db.exists()
        # the emergency backup was written at once from the open connection, and holds it all
        emergency = list((tmp_path / "bk").glob("live-*-emergency.duckdb"))
        assert emergency == [store.emergency_backup] and str(emergency[0]) in zh
        assert table_fingerprints(store) == before  # reads still see the data
    finally:
        store.close()
    backup.restore(emergency[0], db)
    res = open_store(db, never)
    assert table_fingerprints(res.store) == before
    res.store.close()


def test_file_replaced_under_an_open_store(tmp_path, monkeypatch):
    monkeypatch.setenv("XZ_BACKUP_DIR", str(tmp_path / "bk"))
    db = tmp_path / "swap.duckdb"
    store = with_user_data(db)
    other = tmp_path / "other.duckdb"
    make_tiny(other).close()
    os.replace(other, db)
    try:
        with pytest.raises(StoreError) as err:
            store.set_meta("x", "y")
        assert "被替换了" in err.value.zh and store.emergency_backup.exists()
        assert backup.inspect(store.emergency_backup)["counts"]["app_user"] == 1
    finally:
        store.close()


def test_demo_file_deleted_under_an_open_store_is_only_stale(tmp_path):
    db = tmp_path / "demo.duckdb"
    store = open_store(db, tiny_builder([])).store
    try:
        db.unlink()
        assert store.check_file() is None and store.stale and not store.writable()
        with pytest.raises(StoreError) as err:
            store.log_event(None, "x")
        assert "刷新" in err.value.zh
        assert not (tmp_path / "backups").exists()  # nothing people made: no emergency copy
    finally:
        store.close()


def _page(name: str) -> AppTest:
    return AppTest.from_file(str(ROOT / "views" / name), default_timeout=120)


def test_every_page_says_it_when_the_file_goes_under_the_server(demo_db, tmp_path, monkeypatch):
    db = tmp_path / "served.duckdb"
    shutil.copy(demo_db, db)
    monkeypatch.setenv("XZ_DB_PATH", str(db))
    monkeypatch.setenv("XZ_BACKUP_DIR", str(tmp_path / "bk"))
    s = open_store(db, never).store
    auth.create_user(s, "boss", "ministry", PW)
    s.close()
    at = _page("overview.py").run()
    assert not at.exception and next(m.value for m in at.metric if m.label == "托管项目") == "115"
    db.unlink()
    at.run()
    assert not at.exception and not at.metric
    assert len(at.error) == 1 and "served.duckdb 不见了" in as_shown(at.error[0].value)
    assert "应急备份" in as_shown(at.error[0].value)
    about = _page("about.py").run()
    assert (
        not about.exception and len(about.error) == 1 and "不见了" in as_shown(about.error[0].value)
    )
    assert not db.exists()
    emergency = list((tmp_path / "bk").glob("served-*-emergency.duckdb"))
    assert len(emergency) == 1 and backup.inspect(emergency[0])["counts"]["app_user"] == 1


def test_demo_database_deleted_under_the_server_is_rebuilt(demo_db, tmp_path, monkeypatch):
    db = tmp_path / "demo-served.duckdb"
    shutil.copy(demo_db, db)
    monkeypatch.setenv("XZ_DB_PATH", str(db))
    at = _page("overview.py").run()
    assert next(m.value for m in at.metric if m.label == "托管项目") == "115"
    db.unlink()
    at.run()
    assert not at.exception and not at.error
    assert next(m.value for m in at.metric if m.label == "托管项目") == "115"
    assert db.exists()


# ---------------------------------------------------------------------- a damaged reference file
@pytest.fixture
def broken_counties(tmp_path, monkeypatch):
    data = tmp_path / "data"
    for sub in ("geo", "reference"):
        shutil.copytree(ROOT / "data" / sub, data / sub)
    (data / "geo" / "counties.parquet").write_bytes(b"PAR1 this is not a parquet file PAR1")
    monkeypatch.setattr(geo, "data_dir", lambda: data)
    return data


def test_presenter_shows_its_deck_without_the_map(demo_db, broken_counties, monkeypatch):
    monkeypatch.setenv("XZ_DB_PATH", str(demo_db))
    at = _page("presenter.py").run()
    assert not at.exception and not at.error
    said = [w.value for w in at.warning if "地图从略" in w.value]
    assert len(said) == 1 and "counties.parquet" in said[0]
    assert at.code and "slides=" in at.code[0].value  # the rest of the page is there


def test_deck_leaves_out_only_the_map_and_takes_it_back(demo_store, broken_counties):
    from dashboard_lib.ui import presenter as deck_ui

    choice = present.DeckChoice(("numbers", "map", "progress"), None, 0)
    slides = deck_ui.slides(demo_store, Viewer.ministry(), choice, "en")
    numbers, map_, progress = slides
    assert numbers.numbers and progress.figure is not None
    assert map_.map_html is None and map_.still() is None
    assert present.map_left_out(slides, "en") == map_.empty and "counties.parquet" in map_.empty
    # the file is repaired: the next deck has its map again
    shutil.copy(
        ROOT / "data" / "geo" / "counties.parquet", broken_counties / "geo" / "counties.parquet"
    )
    again = deck_ui.slides(demo_store, Viewer.ministry(), choice, "en")
    assert again[1].map_html and present.map_left_out(again, "en") is None


def test_overview_needs_counties_and_says_so_in_one_sentence(demo_db, broken_counties, monkeypatch):
    """The overview's content lists the helped counties without a boundary, so it needs the file:
    one sentence (``ui.geo_guard``), no traceback."""
    monkeypatch.setenv("XZ_DB_PATH", str(demo_db))
    at = _page("overview.py").run()
    assert not at.exception and at.title
    assert len(at.error) == 1 and "地图边界数据不可用" in at.error[0].value
    assert "counties.parquet" in at.error[0].value and "Traceback" not in at.error[0].value


@pytest.mark.parametrize("page", ["progress.py", "about.py"])
def test_pages_without_a_map_do_not_notice(demo_db, broken_counties, monkeypatch, page):
    monkeypatch.setenv("XZ_DB_PATH", str(demo_db))
    at = _page(page).run()
    assert not at.exception and not at.error
    assert at.title
