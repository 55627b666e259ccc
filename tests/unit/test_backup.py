"""Backups (issue 17, part 6): consistent copies from the command line and from the running
server's schedule, each verified; retention; a restore that refuses to overwrite data unasked
and swaps the file in atomically. The restore drill itself: tests/unit/test_lost_db.py."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
import textwrap
import threading
import time
from datetime import date
from pathlib import Path

import duckdb
import pytest
from conftest import ROOT, hold_write_lock, make_tiny

from dashboard_lib import auth, backup, ingest
from dashboard_lib.scope import Viewer
from dashboard_lib.settings import DATA_DIR, load_settings
from dashboard_lib.store import Store, open_store
from dashboard_lib.store.lifecycle import marker_path, read_marker

PW = "correct-horse-42"
GANSU = Viewer.province(620000, name="gansu-official")
DISPATCH = (
    "托管高校,省份,帮扶县中,开始日期,人数,身份\n兰州大学,甘肃,榆中县恩玲中学,2023-03-01,2,教师\n"
).encode()


def with_accounts(db: Path) -> Store:
    store = open_store(db, lambda p: make_tiny(p).close()).store
    auth.create_user(store, "boss", "ministry", PW)
    return store


def test_settings():
    s = load_settings({})
    assert s.backup_dir == DATA_DIR / "backups" and s.backup_hours == 24 and s.backup_keep == 14
    s = load_settings({"XZ_DB_PATH": "/srv/x/db.duckdb"})
    assert s.backup_dir == Path("/srv/x/backups")
    s = load_settings({"XZ_BACKUP_DIR": "/b", "XZ_BACKUP_HOURS": "6", "XZ_BACKUP_KEEP": "3"})
    assert (s.backup_dir, s.backup_hours, s.backup_keep) == (Path("/b"), 6.0, 3)
    assert "/data/backups/" in (ROOT / ".gitignore").read_text().splitlines()


def test_command_line_create_list_prune(tmp_path):
    db = tmp_path / "cli.duckdb"
    with_accounts(db).close()
    env = {**os.environ, "XZ_DB_PATH": str(db)}
    run = lambda *a: subprocess.run(
        [sys.executable, "-m", "dashboard_lib.backup", *a],
        cwd=ROOT,  # noqa: E731
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    made = run("create")
    assert made.returncode == 0, made.stderr
    assert "verified" in made.stdout
    folder = tmp_path / "backups"  # beside the database by default
    for _ in range(3):
        assert backup.main(["create", "--db", str(db)]) == 0
    found = backup.list_backups(db, folder)
    assert len(found) == 4 and all(b.kind == "manual" for b in found)
    assert [b.path for b in found] == sorted(b.path for b in found)  # names sort by time
    m = found[-1].manifest
    assert m["schema_version"] == 3 and m["holds"] == ["accounts"] and m["counts"]["app_user"] == 1
    assert m["file_token"] == read_marker(db)["file_token"]
    listed = run("list")
    assert (
        listed.returncode == 0
        and len(listed.stdout.splitlines()) == 4
        and "accounts" in listed.stdout
    )
    emergency = backup.copy_database(
        duckdb.connect(str(db), read_only=True), db, folder, "emergency"
    )
    assert backup.main(["prune", "--keep", "2", "--db", str(db)]) == 0
    left = backup.list_backups(db, folder)
    assert [b.path for b in left] == [found[2].path, found[3].path, emergency]  # emergency stays
    assert not backup.manifest_path(found[0].path).exists()


def test_create_while_the_server_holds_the_file_is_one_sentence(tmp_path):
    db = tmp_path / "busy.duckdb"
    with_accounts(db).close()
    holder = hold_write_lock(db, tmp_path / "ready")
    try:
        out = subprocess.run(
            [
                sys.executable,
                "-m",
                "dashboard_lib.backup",
                "create",
                "--db",
                str(db),
                "--wait",
                "1",
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
            env={**os.environ, "XZ_BACKUP_HOURS": "12"},
        )
    finally:
        holder.kill()
        holder.wait()
    assert not backup.request_path(db).exists()  # the unanswered request was withdrawn
    assert out.returncode == 2 and "Traceback" not in out.stderr
    lines = [ln for ln in out.stderr.splitlines() if ln.strip()]
    assert len(lines) == 2 and lines[0].count("。") == 1
    assert "正由运行中的看板服务使用" in lines[0] and "每 12 小时自行备份" in lines[0]
    assert (
        "in use by the running dashboard server" in lines[1] and "itself every 12 hours" in lines[1]
    )
    assert backup.list_backups(db, tmp_path / "backups") == []


def test_create_while_the_server_runs_is_made_by_the_server(tmp_path):
    """The file is locked by a process that runs the server's Store and its backup thread: the
    command line's request is answered with a verified backup holding the server's rows."""
    db = tmp_path / "live.duckdb"
    with_accounts(db).close()
    ready = tmp_path / "ready"
    code = textwrap.dedent(f"""
        import pathlib, time
        from dashboard_lib import auth, backup
        from dashboard_lib.settings import load_settings
        from dashboard_lib.store import Store
        store = Store(pathlib.Path({str(db)!r}))
        auth.create_user(store, "second", "ministry", {PW!r})  # written after the test's copy
        backup.ensure_schedule(store, load_settings(), first_delay=3600, tick=0.1)
        pathlib.Path({str(ready)!r}).touch()
        time.sleep(120)
    """)
    server = subprocess.Popen(
        [sys.executable, "-c", code], cwd=ROOT, env={**os.environ, "XZ_DB_PATH": str(db)}
    )
    try:
        deadline = time.time() + 60
        while not ready.exists():
            assert server.poll() is None and time.time() < deadline, "the server did not start"
            time.sleep(0.05)
        out = subprocess.run(
            [sys.executable, "-m", "dashboard_lib.backup", "create", "--db", str(db)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=90,
        )
        assert server.poll() is None  # the server still runs and still holds the file
    finally:
        server.kill()
        server.wait()
    assert out.returncode == 0, out.stderr
    found = backup.list_backups(db, tmp_path / "backups")
    assert len(found) == 1 and found[0].kind == "manual" and str(found[0].path) in out.stdout
    assert found[0].manifest["counts"]["app_user"] == 2 and found[0].manifest["verified"]
    assert not backup.request_path(db).exists()
    assert not list(tmp_path.glob("*.backup-done-*"))


def test_restore_refuses_to_overwrite_data_and_keeps_the_old_file_when_forced(tmp_path):
    db = tmp_path / "r.duckdb"
    store = with_accounts(db)
    store.close()
    first = backup.create(db, tmp_path / "bk")
    store = open_store(db, lambda p: pytest.fail("no build")).store
    auth.create_user(store, "second", "ministry", PW)
    store.close()
    with pytest.raises(backup.BackupError) as err:
        backup.restore(first, db)
    assert "--force" in err.value.zh and "--force" in err.value.en
    assert backup.main(["restore", str(first), "--db", str(db)]) == 2
    inode = os.stat(db).st_ino
    (tmp_path / "r.duckdb.wal").write_bytes(b"a stale log that must never replay onto the backup")
    seen = backup.restore(first, db, force=True)
    assert seen["counts"]["app_user"] == 1 and os.stat(db).st_ino != inode
    kept = [p for p in tmp_path.iterdir() if p.name.startswith("r.duckdb.before-restore-")]
    assert len(kept) == 1 and os.stat(kept[0]).st_ino == inode  # the old file, untouched
    assert not (tmp_path / "r.duckdb.wal").exists()
    assert read_marker(db)["inode"] == os.stat(db).st_ino
    res = open_store(db, lambda p: pytest.fail("no build"))
    assert res.store.count_users() == 1 and res.notices == []
    res.store.close()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".restoring")]


def test_restore_refuses_a_damaged_or_foreign_backup(tmp_path):
    db = tmp_path / "s.duckdb"
    with_accounts(db).close()
    good = backup.create(db, tmp_path / "bk")
    db.unlink()
    tampered = tmp_path / "bk" / "s-20000101-000000-000000-manual.duckdb"
    tampered.write_bytes(good.read_bytes()[:-4096] + os.urandom(4096))
    backup.manifest_path(tampered).write_bytes(backup.manifest_path(good).read_bytes())
    with pytest.raises(backup.BackupError) as err:
        backup.restore(tampered, db)
    assert "SHA-256" in err.value.en and not db.exists()
    old = tmp_path / "old.duckdb"
    make_tiny(old).close()
    con = duckdb.connect(str(old))
    con.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    con.close()
    with pytest.raises(backup.BackupError) as err:
        backup.restore(old, db)
    assert "schema version 1" in err.value.en and not db.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".restoring")]
    backup.restore(good, db)
    assert backup.inspect(db)["counts"]["app_user"] == 1


def test_a_backup_inside_the_server_is_one_consistent_state(tmp_path):
    """Writes go on beside the copy: the backup is one transaction's state, and checked."""
    db = tmp_path / "busy.duckdb"
    store = with_accounts(db)
    stop = threading.Event()
    errors = []

    def writer():
        i = 0
        while not stop.is_set():
            try:
                store.log_event("boss", "login", f"n={i}")
                i += 1
            except Exception as exc:  # noqa: BLE001
                errors.append(exc)
                return

    t = threading.Thread(target=writer)
    t.start()
    try:
        made = [backup.create_from_store(store, "manual", tmp_path / "bk") for _ in range(3)]
    finally:
        stop.set()
        t.join()
    assert errors == []
    for b in made:
        m = backup.read_manifest(b)
        assert backup.inspect(b)["counts"] == m["counts"] and m["verified"]
    audits = [backup.read_manifest(b)["counts"]["audit_log"] for b in made]
    assert (
        audits == sorted(audits) and store._scalar("SELECT count(*) FROM audit_log") >= audits[-1]
    )
    store.close()


def test_the_server_schedule(tmp_path, monkeypatch):
    settings = dataclasses.replace(
        load_settings(), backup_dir=tmp_path / "bk", backup_hours=0.5 / 3600, backup_keep=2
    )
    demo = open_store(tmp_path / "demo.duckdb", lambda p: make_tiny(p).close()).store
    ro_path = tmp_path / "ro.duckdb"
    make_tiny(ro_path).close()
    ro = Store(ro_path, read_only=True)
    store = with_accounts(tmp_path / "live.duckdb")
    try:
        assert (
            backup.ensure_schedule(demo, settings, first_delay=0, tick=0.05) is None
        )  # nothing people made
        assert backup.ensure_schedule(ro, settings, first_delay=0, tick=0.05) is None
        assert backup.ensure_schedule(store, dataclasses.replace(settings, backup_hours=0)) is None
        schedule = backup.ensure_schedule(store, settings, first_delay=0, tick=0.05)
        assert backup.ensure_schedule(store, settings) is schedule  # once per process
        deadline = time.time() + 60
        while len(schedule.made) < 4 and time.time() < deadline:
            time.sleep(0.1)
        assert len(schedule.made) >= 4
        kept = backup.list_backups(store.path, tmp_path / "bk")
        assert 1 <= len(kept) <= 3 and all(
            b.kind == "scheduled" for b in kept
        )  # newest 2 (+ one in flight)
        assert all(b.manifest["verified"] and b.manifest["counts"]["app_user"] == 1 for b in kept)
        # a file lost under the schedule: the thread writes the emergency backup and stops
        os.unlink(store.path)
        schedule.join(timeout=30)
        assert not schedule.is_alive() and store.lost is not None
        assert store.emergency_backup and store.emergency_backup.exists()
    finally:
        for s in (demo, ro, store):
            s.close()
    assert "demo" not in " ".join(p.name for p in (tmp_path / "bk").iterdir())


def test_new_accounts_and_imports_mark_the_file(tmp_path):
    """The first account writes the marker beside the file, the first import adds to it."""
    db = tmp_path / "m.duckdb"
    store = open_store(db, lambda p: make_tiny(p).close()).store
    try:
        assert read_marker(db) is None and not store.holds_data
        store.log_event(None, "nothing people made")
        assert read_marker(db) is None
        auth.create_user(store, "gansu", "province", PW, province_adcode=620000)
        assert read_marker(db)["holds"] == ["accounts"] and store.holds_data
        ingest.import_file(store, GANSU, "dispatch", DISPATCH, "d.csv", today=date(2026, 11, 28))
        marker = read_marker(db)
        assert marker["holds"] == ["accounts", "imports"]
        assert (
            marker["file_token"] == store.meta()["file_token"]
            and marker["inode"] == os.stat(db).st_ino
        )
        assert marker_path(db).name == "m.duckdb.holds-data"
    finally:
        store.close()
