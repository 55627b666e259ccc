"""PostgreSQL as the system of record, several replicas, one snapshot job (issue 15), against a
real PostgreSQL 15 server (the session's throwaway cluster, ``conftest.pg_cluster``).

The tiny database of ``conftest.make_tiny`` is loaded into a fresh PostgreSQL database by
``pgsync.init_database``; the "replicas" are Stores on published snapshots with the same URL,
as two Streamlit processes would hold them.
"""

from __future__ import annotations

import csv
import io
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import duckdb
import pytest
from conftest import make_tiny

from dashboard_lib import auth, ingest
from dashboard_lib.i18n import t
from dashboard_lib.pgsync import job_args
from dashboard_lib.scope import Viewer
from dashboard_lib.store import Store, StoreError
from dashboard_lib.store.pgsync import SnapshotJob, init_database

ROOT = Path(__file__).resolve().parents[2]
TODAY = date(2026, 11, 28)
GANSU = Viewer.province(620000, name="gansu-official")
XINJIANG = Viewer.province(650000, name="xinjiang-official")
PW = "Yuzhong-County-2026"


def visits(school: str, day: str, people: int) -> bytes:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(
        [["帮扶县中", "开始日期", "人数"], [school, day, str(people)]]
    )
    return buf.getvalue().encode("utf-8")


def load_tiny(url: str, folder: Path) -> Path:
    """The tiny data loaded into the empty database at ``url``; its first published snapshot."""
    seed = make_tiny(folder / "seed.duckdb")
    seed.close()
    assert init_database(url, folder / "seed.duckdb") == "created"
    snap = folder / "snap" / "snapshot.duckdb"
    snap.parent.mkdir()
    SnapshotJob(url, snap).publish_once()
    return snap


@pytest.fixture
def deployment(tmp_path, pg_url):
    """PostgreSQL loaded with the tiny data, a first published snapshot, and a replica factory."""
    snap = load_tiny(pg_url, tmp_path)
    opened: list[Store] = []

    def replica() -> Store:
        s = Store(snap.resolve(), read_only=True, database_url=pg_url)
        opened.append(s)
        return s

    yield pg_url, snap, replica
    for s in opened:
        s.close()


def pg_count(url: str, sql: str, params=()) -> int:
    import psycopg

    with psycopg.connect(url) as conn:
        return int(conn.execute(sql, params).fetchone()[0])


def snap_count(snap: Path, sql: str) -> int:
    con = duckdb.connect(  # the Store's configuration: one process may hold both at once
        str(snap.resolve()),
        read_only=True,
        config={"autoinstall_known_extensions": False, "autoload_known_extensions": False},
    )
    try:
        return int(con.execute(sql).fetchone()[0])
    finally:
        con.close()


def test_init_refuses_to_load_twice_and_keeps_what_is_there(deployment):
    url, _snap, _replica = deployment
    before = pg_count(url, "SELECT count(*) FROM project")
    assert before == 4  # the tiny database's four projects
    assert init_database(url, None, builder=lambda p: pytest.fail("must not build")) == "exists"
    assert pg_count(url, "SELECT count(*) FROM project") == before


def test_writes_go_to_postgres_and_the_snapshot_never_holds_accounts(deployment):
    url, snap, replica = deployment
    r1 = replica()
    assert r1.backend == "postgresql" and r1.read_only and r1.accepts_writes
    auth.create_user(r1, "gansu", "province", PW, province_adcode=620000)
    _, batch = ingest.import_file(
        r1, GANSU, "guidance_visit", visits("榆中县恩玲中学", "2024-04-01", 4), "v.csv", today=TODAY
    )
    assert pg_count(url, "SELECT count(*) FROM activity WHERE import_batch_id = %s", [batch]) == 1
    assert pg_count(url, "SELECT count(*) FROM app_user") == 1
    # the replica's own file was not written: it is the published snapshot, read-only
    assert snap_count(snap, f"SELECT count(*) FROM activity WHERE import_batch_id = {batch}") == 0
    SnapshotJob(url, snap).publish_once()
    assert snap_count(snap, f"SELECT count(*) FROM activity WHERE import_batch_id = {batch}") == 1
    # accounts, sessions and the audit log stay in PostgreSQL
    for private in ("app_user", "app_session", "audit_log"):
        assert snap_count(snap, f"SELECT count(*) FROM {private}") == 0
    assert pg_count(url, "SELECT count(*) FROM audit_log WHERE action = 'import'") == 1


def test_a_sign_in_on_one_replica_holds_on_the_other(deployment):
    _url, _snap, replica = deployment
    r1, r2 = replica(), replica()
    auth.create_user(r1, "gansu", "province", PW, province_adcode=620000)
    token = r1.create_session("gansu")
    assert r2.session_status(token, 30) == ("gansu", "ok")
    r2.revoke_session(token)  # signed out through replica 2
    assert r1.session_status(token, 30) == (None, "revoked")
    # lock-outs are shared too: five wrong passwords spread over both replicas lock the account
    for i in range(5):
        (r1 if i % 2 else r2).record_login("gansu", False, lock_after=5, lock_minutes=15)
    assert r1.user("gansu")["locked_until"] is not None
    assert r2.user("gansu")["locked_until"] == r1.user("gansu")["locked_until"]


def test_one_file_through_two_replicas_at_once_is_written_once(deployment):
    url, _snap, replica = deployment
    r1, r2 = replica(), replica()
    data = visits("榆中县恩玲中学", "2024-05-06", 3)
    previews = [
        ingest.prepare(r, GANSU, "guidance_visit", data, "same.csv", today=TODAY) for r in (r1, r2)
    ]
    sha = ingest.file_sha256(data)
    start = threading.Barrier(2)
    results: list[object] = [None, None]

    def commit(i: int, r: Store) -> None:
        start.wait()
        try:
            results[i] = r.import_commit(GANSU, previews[i], "same.csv", sha)
        except StoreError as exc:
            results[i] = exc

    threads = [threading.Thread(target=commit, args=(i, r)) for i, r in enumerate((r1, r2))]
    for th in threads:
        th.start()
    for th in threads:
        th.join(30)
    batches = [r for r in results if isinstance(r, int)]
    refused = [r for r in results if isinstance(r, StoreError)]
    assert len(batches) == 1 and len(refused) == 1, results
    assert refused[0].key == "store_already_imported"
    assert pg_count(url, "SELECT count(*) FROM import_batch WHERE file_sha256 = %s", [sha]) == 1
    assert pg_count(url, "SELECT count(*) FROM activity WHERE start_date = '2024-05-06'") == 1


def test_two_provinces_importing_at_the_same_second_both_land(deployment):
    url, _snap, replica = deployment
    r1, r2 = replica(), replica()
    jobs = [
        (r1, GANSU, visits("榆中县恩玲中学", "2024-06-03", 2), "gansu.csv"),
        (r2, XINJIANG, visits("天山区某中学", "2024-06-03", 5), "xinjiang.csv"),
    ]
    previews = [ingest.prepare(r, v, "guidance_visit", d, n, today=TODAY) for r, v, d, n in jobs]
    start = threading.Barrier(2)
    results: list[object] = [None, None]

    def commit(i: int) -> None:
        r, v, d, n = jobs[i]
        start.wait()
        results[i] = r.import_commit(v, previews[i], n, ingest.file_sha256(d))

    threads = [threading.Thread(target=commit, args=(i,)) for i in range(2)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(30)
    assert sorted(results) == [1, 2], results  # two batches, distinct ids
    assert pg_count(url, "SELECT count(*) FROM activity WHERE start_date = '2024-06-03'") == 2
    assert pg_count(url, "SELECT count(DISTINCT activity_id) FROM activity") == pg_count(
        url, "SELECT count(*) FROM activity"
    )


def test_postgres_down_is_one_sentence_and_writes_resume_after(deployment, pg_cluster):
    url, _snap, replica = deployment
    r1 = replica()
    auth.create_user(r1, "gansu", "province", PW, province_adcode=620000)
    token = r1.create_session("gansu")
    pg_cluster.stop()
    try:
        with pytest.raises(StoreError) as down:
            ingest.import_file(
                r1,
                GANSU,
                "guidance_visit",
                visits("榆中县恩玲中学", "2024-07-01", 1),
                "d.csv",
                today=TODAY,
            )
        assert down.value.key == "store_pg_unavailable"
        assert down.value.message("zh") == t("store_pg_unavailable", "zh")
        with pytest.raises(StoreError):
            r1.session_status(token, 30)
        # the analytics snapshot still answers while PostgreSQL is away
        assert len(r1.projects(Viewer.ministry())) == 4
    finally:
        pg_cluster.start()
    assert r1.session_status(token, 30) == ("gansu", "ok")  # still signed in after the restart
    _, batch = ingest.import_file(
        r1, GANSU, "guidance_visit", visits("榆中县恩玲中学", "2024-07-01", 1), "d.csv", today=TODAY
    )
    assert pg_count(url, "SELECT count(*) FROM activity WHERE import_batch_id = %s", [batch]) == 1


@contextmanager
def job_thread(url: str, snap: Path, **run) -> Iterator[list[float]]:
    """The snapshot job following the writes in a thread; yields the times its publishes began."""
    job = SnapshotJob(url, snap)
    published: list[float] = []
    stop = threading.Event()
    runner = threading.Thread(
        target=job.run,
        kwargs={
            "stop": stop.is_set,
            "on_publish": lambda _p, took: published.append(time.time() - took),
            **run,
        },
        daemon=True,
    )
    runner.start()
    try:
        yield published
    finally:
        stop.set()
        runner.join(10)
        job.close()


def wait_for(cond, timeout: float, step: float = 0.05) -> float:
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < timeout:
        if cond():
            return time.perf_counter() - t0
        time.sleep(step)
    raise AssertionError(f"not within {timeout} s")


def test_the_job_publishes_after_each_committed_write_and_not_otherwise(deployment):
    url, snap, replica = deployment
    with job_thread(url, snap) as published:
        wait_for(lambda: len(published) == 1, 30)  # the build at start
        time.sleep(2.5)
        assert len(published) == 1  # no write, no publish: woken by NOTIFY, not polling
        r1 = replica()
        auth.create_user(r1, "gansu", "province", PW, province_adcode=620000)
        time.sleep(1.5)
        assert len(published) == 1  # an account change does not touch the snapshot's tables
        lags = []
        for i in range(3):
            data = visits("榆中县恩玲中学", f"2024-09-0{i + 1}", i + 1)
            t0 = time.perf_counter()
            _, batch = ingest.import_file(
                r1, GANSU, "guidance_visit", data, f"{i}.csv", today=TODAY
            )
            sql = f"SELECT count(*) FROM activity WHERE import_batch_id = {batch}"
            lags.append(wait_for(lambda sql=sql: snap_count(snap, sql) == 1, 10) + 0)
            assert time.perf_counter() - t0 < 10
        assert len(published) == 4
        # a replica opening the path now reads the new rows, and its summaries count them
        r2 = replica()
        assert r2.metrics(Viewer.ministry()).iloc[0]["projects"] == 4


def test_writes_in_quick_succession_share_a_publish_spaced_by_the_interval(deployment):
    """A write a second (a reporting deadline) does not give the replicas a new snapshot, and
    so an empty cache, every second: publishes are at least ``min_interval`` apart, and every
    write is in the next one."""
    url, snap, replica = deployment
    with job_thread(url, snap, min_interval=3.0) as published:
        wait_for(lambda: len(published) == 1, 30)  # the build at start
        r1 = replica()
        batches = []
        for i in range(4):
            data = visits("榆中县恩玲中学", f"2024-11-0{i + 1}", i + 1)
            batches.append(
                ingest.import_file(r1, GANSU, "guidance_visit", data, f"q{i}.csv", today=TODAY)[1]
            )
            time.sleep(0.4)
        ids = ", ".join(str(b) for b in batches)
        sql = (
            f"SELECT count(DISTINCT import_batch_id) FROM activity WHERE import_batch_id IN ({ids})"
        )
        wait_for(lambda: snap_count(snap, sql) == 4, 15)  # nothing is left out
        time.sleep(0.5)
    gaps = [b - a for a, b in zip(published, published[1:], strict=False)]
    assert 2 <= len(published) <= 3, published  # four writes, one or two publishes
    assert all(g >= 2.9 for g in gaps), gaps


def test_a_killed_job_leaves_the_old_snapshot_and_a_new_job_catches_up(deployment, tmp_path):
    url, snap, replica = deployment
    r1 = replica()
    for i in range(3):
        proc = subprocess.Popen(
            [sys.executable, *job_args(url, snap)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        try:
            assert proc.stdout is not None
            first = proc.stdout.readline()
            assert first.startswith("published"), first
            data = visits("榆中县恩玲中学", f"2024-10-1{i}", 2)
            ingest.import_file(r1, GANSU, "guidance_visit", data, f"k{i}.csv", today=TODAY)
            time.sleep(0.05 * i)  # killed at a different moment of the refresh each time
        finally:
            proc.kill()
            proc.wait(10)
        # whatever moment it died at, the path names a whole snapshot a replica can open
        s = Store(snap.resolve(), read_only=True)
        try:
            assert s.schema_version() is not None
            assert len(s.projects(Viewer.ministry())) == 4
        finally:
            s.close()
    SnapshotJob(url, snap).publish_once()  # the next job starts with a whole copy
    assert snap_count(snap, "SELECT count(*) FROM activity WHERE start_date >= '2024-10-10'") == 3


KILLED_IMPORT = """
import sys, time
from datetime import date
from pathlib import Path
from dashboard_lib import ingest
from dashboard_lib.scope import Viewer
from dashboard_lib.store import Store
url, snap, data = sys.argv[1], sys.argv[2], sys.argv[3].encode()
store = Store(Path(snap).resolve(), read_only=True, database_url=url)
viewer = Viewer.province(620000, name="gansu-official")
pv = ingest.prepare(store, viewer, "guidance_visit", data, "k.csv", today=date(2026, 11, 28))

def hang(fraction):
    if fraction >= 0.8:  # every row written, the transaction not yet committed
        print("written", flush=True)
        time.sleep(60)

store.import_commit(viewer, pv, "k.csv", None, progress=hang)
"""


def test_a_replica_killed_in_the_middle_of_an_import_leaves_nothing_half_written(deployment):
    url, snap, replica = deployment
    before = pg_count(url, "SELECT count(*) FROM activity")
    data = visits("榆中县恩玲中学", "2024-11-11", 7).decode()
    proc = subprocess.Popen(
        [sys.executable, "-c", KILLED_IMPORT, url, str(snap), data],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "written"
        # inside the open transaction, the rows exist; nobody else sees them
        assert pg_count(url, "SELECT count(*) FROM activity") == before
    finally:
        proc.kill()
        proc.wait(10)
    wait_for(
        lambda: (
            pg_count(
                url, "SELECT count(*) FROM pg_stat_activity WHERE state = 'idle in transaction'"
            )
            == 0
        ),
        20,
    )
    assert pg_count(url, "SELECT count(*) FROM activity") == before
    assert pg_count(url, "SELECT count(*) FROM import_batch") == 0
    # and the lock the dead writer held is free: the next import goes through at once
    _, batch = ingest.import_file(
        replica(), GANSU, "guidance_visit", data.encode(), "k.csv", today=TODAY
    )
    assert batch == 1


def test_the_job_follows_postgres_through_a_restart(deployment, pg_cluster):
    url, snap, replica = deployment
    with job_thread(url, snap) as published:
        wait_for(lambda: len(published) == 1, 30)
        pg_cluster.restart()
        wait_for(lambda: len(published) == 2, 30)  # reconnected: a whole copy again
        data = visits("榆中县恩玲中学", "2024-12-02", 3)
        _, batch = ingest.import_file(
            replica(), GANSU, "guidance_visit", data, "r.csv", today=TODAY
        )
        sql = f"SELECT count(*) FROM activity WHERE import_batch_id = {batch}"
        wait_for(lambda: snap_count(snap, sql) == 1, 10)
