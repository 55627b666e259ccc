"""Faults that happen while things run: a database locked by another process, an import killed
with SIGKILL in the middle of its transaction, the server restarted under an open page, and an
older schema version. Each ends in one clear sentence or a recovery, never a traceback, never
lost data. (Missing, damaged and read-only files and a broken boundary file: tests/unit/test_faults.py.)
"""

from __future__ import annotations

import csv
import io
import os
import signal
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pytest
from conftest import AS_OF, ROOT, hold_write_lock
from streamlit.testing.v1 import AppTest

from dashboard_lib import build
from dashboard_lib.scope import Viewer
from dashboard_lib.store import SCHEMA_VERSION, Store, StoreError, open_store

PY = sys.executable


def _build(path: Path) -> Path:
    build.build_database(path, build.spec_for(115, None, 2022, AS_OF), progress=lambda _m: None)
    return path


def _wait_for(path: Path, seconds: float = 60) -> None:
    deadline = time.time() + seconds
    while not path.exists():
        if time.time() > deadline:
            raise AssertionError(f"{path.name} did not appear within {seconds} s")
        time.sleep(0.05)


def _table_contents(db: Path) -> dict[str, pd.DataFrame]:
    """Every table of the file, rows sorted: what 'the database equals its state before' means."""
    store = Store(db)
    try:
        names = store._df(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = 'main' ORDER BY table_name"
        )["table_name"]
        return {
            n: store._df(f'SELECT * FROM "{n}" ORDER BY ALL').reset_index(drop=True) for n in names
        }
    finally:
        store.close()


# ---------------------------------------------------------------------- locked by another process
def test_locked_database_is_one_sentence_then_recovers(tmp_path, monkeypatch):
    db = _build(tmp_path / "locked.duckdb")
    holder = hold_write_lock(db, tmp_path / "ready")
    try:
        with pytest.raises(StoreError) as err:
            open_store(db, lambda p: pytest.fail("a locked file must never be rebuilt"))
        assert "占用" in err.value.zh and "in use" in err.value.en
        assert err.value.zh.count("。") == 1  # one sentence

        monkeypatch.setenv("XZ_DB_PATH", str(db))
        at = AppTest.from_file(str(ROOT / "views" / "overview.py"), default_timeout=90).run()
        assert not at.exception
        assert len(at.error) == 1 and "占用" in at.error[0].value
        assert "Traceback" not in at.error[0].value
        assert not at.metric  # nothing half-shown
    finally:
        holder.kill()
        holder.wait()
    # the import ended (its transaction rolled back): the next run of the same page shows the data
    at.run()
    assert not at.exception and not at.error
    assert next(m.value for m in at.metric if m.label == "托管项目") == "115"
    # the holder's transaction never committed, and nothing was moved aside or rebuilt
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith("locked.duckdb.")] == []


def test_account_command_while_the_app_holds_the_database(tmp_path):
    """The dashboard's own write commands, run while another process (the server) holds the
    file: one sentence in both languages on stderr, exit status 2, no traceback, file untouched."""
    db = _build(tmp_path / "busy.duckdb")
    before = _table_contents(db)
    holder = hold_write_lock(db, tmp_path / "ready")
    try:
        out = subprocess.run(
            [
                PY,
                "-m",
                "dashboard_lib.auth",
                "create-user",
                "--user",
                "x",
                "--role",
                "ministry",
                "--password-stdin",
            ],
            input="a-long-password-1\n",
            cwd=ROOT,
            env={**os.environ, "XZ_DB_PATH": str(db)},
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        holder.kill()
        holder.wait()
    assert out.returncode == 2, out.stderr
    assert "Traceback" not in out.stderr
    lines = [ln for ln in out.stderr.splitlines() if ln.strip()]
    assert len(lines) == 2 and "占用" in lines[0] and "in use" in lines[1]
    after = _table_contents(db)
    assert after.keys() == before.keys()
    for name in before:
        pd.testing.assert_frame_equal(after[name], before[name], check_dtype=False)


# ---------------------------------------------------------------------- import killed midway
def _big_dispatch_file(db: Path, rows: int) -> bytes:
    """A large, valid dispatch report for 甘肃's projects (every row distinct)."""
    store = Store(db, read_only=True)
    try:
        gansu = store.projects(Viewer.ministry())
    finally:
        store.close()
    gansu = gansu[gansu["province_adcode"] == 620000]
    assert len(gansu) >= 1
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(["托管高校", "省份", "帮扶县中", "开始日期", "结束日期", "人数", "人月", "身份"])
    start = date(2022, 9, 1)
    recs = gansu[["university_zh", "province_short", "school_zh"]].to_numpy()
    for i in range(rows):
        uni, prov, school = recs[i % len(recs)]
        d = start + timedelta(days=i % 1400)
        end = d + timedelta(days=30 + i // 1400)  # (start, end) differs on every row
        w.writerow([uni, prov, school, d.isoformat(), end.isoformat(), "1", "", "教师"])
    return buf.getvalue().encode("utf-8")


KILLABLE_IMPORT = """
import pathlib, sys, time
from datetime import date
from dashboard_lib import ingest
from dashboard_lib.scope import Viewer
from dashboard_lib.store import Store

db, data, marker = sys.argv[1], pathlib.Path(sys.argv[2]).read_bytes(), pathlib.Path(sys.argv[3])

def progress(f):
    if f >= 0.8:      # every row written inside the transaction, COMMIT not yet reached
        marker.touch()
        time.sleep(120)

store = Store(db)
ingest.import_file(store, Viewer.province(620000, name="gansu-official"), "dispatch", data,
                   "big.csv", today=date(2026, 11, 28), progress=progress)
print("COMMITTED")
"""


@pytest.mark.slow
def test_import_killed_midway_leaves_the_database_as_before(tmp_path):
    db = _build(tmp_path / "kill.duckdb")
    data_file = tmp_path / "big.csv"
    data_file.write_bytes(_big_dispatch_file(db, 60_000))
    before = _table_contents(db)
    size_before = db.stat().st_size
    marker = tmp_path / "in-transaction"
    proc = subprocess.Popen(
        [PY, "-c", KILLABLE_IMPORT, str(db), str(data_file), str(marker)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        _wait_for(marker, 240)
        # the transaction really holds the rows: the process is alive and has not committed
        assert proc.poll() is None
        os.kill(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == -signal.SIGKILL and b"COMMITTED" not in out
    # the file may have grown (DuckDB writes big inserts ahead of the commit), the data must not
    assert db.stat().st_size >= size_before
    res = open_store(db, lambda p: pytest.fail("the file must open, not be rebuilt"))
    assert res.notices == []
    res.store.close()
    after = _table_contents(db)
    assert after.keys() == before.keys()
    for name in before:
        pd.testing.assert_frame_equal(after[name], before[name], check_dtype=False, obj=name)
    # and the same import, run to the end, goes through on the reopened file
    done = subprocess.run(
        [
            PY,
            "-c",
            KILLABLE_IMPORT.replace("if f >= 0.8:", "if False:"),
            str(db),
            str(data_file),
            str(marker),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert "COMMITTED" in done.stdout, done.stderr[-2000:]
    store = Store(db, read_only=True)
    try:
        n_before = len(before["activity"])
        assert store._scalar("SELECT count(*) FROM activity") == n_before + 60_000
        assert store._scalar("SELECT count(*) FROM import_batch") == len(before["import_batch"]) + 1
    finally:
        store.close()


# ---------------------------------------------------------------------- older schema version
def test_older_schema_version_is_covered_in_test_store():
    """Both outcomes of an older schema (rebuilt when it holds nothing people made, refused
    untouched when it does) are tested in tests/unit/test_store.py; make sure they stay there."""
    text = (ROOT / "tests" / "unit" / "test_store.py").read_text(encoding="utf-8")
    assert "def test_old_version_without_imports_is_rebuilt" in text
    assert "def test_old_version_with_imported_data_is_refused_untouched" in text
    assert SCHEMA_VERSION >= 2


def test_older_schema_with_accounts_is_one_sentence_on_screen(tmp_path, monkeypatch):
    db = _build(tmp_path / "old.duckdb")
    store = Store(db)
    from dashboard_lib import auth

    auth.create_user(store, "leader", "ministry", "a-long-password-1")
    store._con.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    store.close()
    before = _table_contents(db)
    monkeypatch.setenv("XZ_DB_PATH", str(db))
    at = AppTest.from_file(str(ROOT / "views" / "overview.py"), default_timeout=90).run()
    assert not at.exception
    assert (
        len(at.error) == 1 and "版本" in at.error[0].value and "未做任何改动" in at.error[0].value
    )
    after = _table_contents(db)
    for name in before:
        pd.testing.assert_frame_equal(after[name], before[name], check_dtype=False, obj=name)


# ---------------------------------------------------------------------- read-only snapshot (scale-out)
def test_snapshot_published_atomically_and_opened_read_only(tmp_path, monkeypatch):
    from dashboard_lib.store.lifecycle import publish_snapshot, snapshot_stamp

    live = tmp_path / "missing.duckdb"
    monkeypatch.setenv("XZ_DB_READONLY", "1")
    with pytest.raises(StoreError) as err:  # a replica never builds a database of its own
        open_store(live, lambda p: pytest.fail("a replica must not build"))
    assert "快照" in err.value.zh and not live.exists()

    src = _build(tmp_path / "import-job.duckdb")
    target = tmp_path / "snapshot.duckdb"
    first = publish_snapshot(src, target)
    stamp1 = snapshot_stamp(target)
    res1 = open_store(target, lambda p: pytest.fail("must not build"))
    assert res1.store.read_only and res1.notices == []
    assert res1.store.metrics(Viewer.ministry()).iloc[0]["projects"] == 115
    with pytest.raises(Exception):  # noqa: B017  (DuckDB's own read-only error class)
        res1.store.set_meta("x", "y")  # read-only: a replica cannot write

    # the import job adds a row and publishes again; the path now names the new file
    job = Store(src)
    job.set_meta("published_round", "2")
    job.checkpoint()
    job.close()
    second = publish_snapshot(src, target)
    assert second != first and target.resolve() == second
    assert snapshot_stamp(target) != stamp1
    res2 = open_store(target, lambda p: pytest.fail("must not build"))
    assert res2.store.meta().get("published_round") == "2"
    # a replica still serving the old snapshot keeps reading it unharmed
    assert "published_round" not in res1.store.meta()
    assert res1.store.metrics(Viewer.ministry()).iloc[0]["projects"] == 115
    res1.store.close()
    res2.store.close()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp") or ".link-" in p.name]
