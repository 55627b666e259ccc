"""PostgreSQL as the system of record (issue 15): setting it up, and the one snapshot job.

- ``init_database(url)`` creates the schema of ``schema.py`` in an empty PostgreSQL database
  and loads a DuckDB database into it (by default the demo, built from ``data/`` as for the
  embedded file).
- ``SnapshotJob`` is the one process per deployment that turns PostgreSQL into the DuckDB file
  the replicas read. At start it copies every table the pages read (never the accounts, the
  sessions or the audit log: those are read from PostgreSQL), computes the summaries and
  publishes the file atomically (``publish_snapshot``). Then it LISTENs on ``xz_write``: each
  committed write batch sends one NOTIFY (``pg.PgCursor.notify``), and the job copies again
  only the programme tables (the reference tables do not change), in one DuckDB transaction,
  refreshes the summaries and publishes. Notifications that arrive while it works are taken
  together (one publish for a burst), and publishes are spaced at least ``MIN_INTERVAL``
  seconds apart: every publish is a new data version for the replicas' caches, so at a
  reporting deadline (a write a second) publishing after each one would leave every replica
  computing every view afresh. When the connection to PostgreSQL drops, it reconnects with a
  growing pause and copies everything again (it may have missed a notification).
"""

from __future__ import annotations

import logging
import os
import tempfile
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import duckdb
import pandas as pd
import psycopg

from . import schema
from .lifecycle import columns_of, publish_snapshot
from .pg import CHANNEL, connect
from .summary import refresh_summaries

log = logging.getLogger(__name__)
# Seconds between two publishes, at least (``pgsync job --min-interval``). A write then shows on
# the replicas within this plus one refresh (about 1 s at the demo's size), inside the 10 s
# promised to the writer (``ui.core.SHOWS_WITHIN_SECONDS``); measured by
# ``scripts/loadtest_writers.py`` (snapshot lag).
MIN_INTERVAL = 4.0

REFERENCE_TABLES = ("meta", "province", "county", "adcode_crosswalk", "university")
PROGRAMME_TABLES = (
    "project",
    "milestone",
    "activity",
    "outcome",
    "import_batch",
    *schema.INGEST_TABLES,
    *schema.REPORTING_TABLES,
    *schema.TARGETS_TABLES,
    *schema.CYCLES_TABLES,
    *schema.QUALITY_TABLES,
)
# accounts, sign-in sessions and the audit log never leave PostgreSQL
PRIVATE_TABLES = ("app_user", "app_session", "audit_log")
KEEP_SNAPSHOTS = 4  # published files kept beside the link (older ones are deleted)


def is_initialised(url: str) -> bool:
    with connect(url) as conn:
        row = conn.execute("SELECT to_regclass('meta') IS NOT NULL").fetchone()
        return bool(row and row[0])


def init_database(
    url: str,
    source: Path | str | None = None,
    builder: Callable[[Path], object] | None = None,
) -> str:
    """Create the schema in an empty PostgreSQL database and load ``source`` (a DuckDB file)
    into it; without ``source``, ``builder(path)`` builds one (the demo). Returns "created", or
    "exists" when the database already holds the schema (nothing is changed then)."""
    if is_initialised(url):
        return "exists"
    tmp = None
    if source is None:
        if builder is None:
            raise ValueError("init_database needs a source file or a builder")
        tmp = Path(tempfile.mkdtemp(prefix="xz-pginit-")) / "seed.duckdb"
        builder(tmp)
        source = tmp
    duck = duckdb.connect(str(source), read_only=True)
    try:
        with connect(url) as conn:
            conn.execute(schema.SCHEMA)  # one transaction with the data: all or nothing
            tables = duck.execute("SELECT table_name FROM information_schema.tables").fetchall()
            have = {r[0] for r in tables}
            for table in schema.TABLES:
                if table in have:
                    copy_duck_to_pg(duck, conn, table)
            conn.execute("SELECT pg_notify(%s, 'all')", [CHANNEL])
    finally:
        duck.close()
        if tmp is not None:
            for p in tmp.parent.iterdir():
                p.unlink()
            tmp.parent.rmdir()
    return "created"


def copy_duck_to_pg(duck, conn: psycopg.Connection, table: str) -> int:
    """Every row of one DuckDB table into the same PostgreSQL table (COPY, by column name)."""
    cols = columns_of(duck, table)
    names = ", ".join(f'"{c}"' for c in cols)
    rows = duck.execute(f"SELECT {names} FROM {table}").fetchall()
    with conn.cursor() as cur, cur.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
    return len(rows)


def copy_pg_to_duck(conn: psycopg.Connection, duck, table: str) -> int:
    """Replace one DuckDB table's rows by PostgreSQL's (inside the caller's transaction)."""
    cols = columns_of(duck, table)
    names = ", ".join(f'"{c}"' for c in cols)
    with conn.cursor() as cur:
        cur.execute(f"SELECT {names} FROM {table}")
        rows = cur.fetchall()
    duck.execute(f"DELETE FROM {table}")
    if rows:
        frame = pd.DataFrame(rows, columns=cols)
        duck.register("_pgrows", frame)
        try:
            duck.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM _pgrows")
        finally:
            duck.unregister("_pgrows")
    return len(rows)


class SnapshotJob:
    """Builds and publishes the replicas' DuckDB snapshot from PostgreSQL (see the module)."""

    def __init__(self, url: str, snapshot: Path | str, work: Path | str | None = None):
        self.url = url
        self.snapshot = Path(snapshot)
        self.work = Path(work) if work else self.snapshot.with_name(self.snapshot.name + ".job")
        self._duck: duckdb.DuckDBPyConnection | None = None
        self.publishes = 0

    # ------------------------------------------------------------------ building
    def _fresh(self) -> duckdb.DuckDBPyConnection:
        if self._duck is not None:
            self._duck.close()
        for p in (self.work, self.work.with_name(self.work.name + ".wal")):
            if p.exists():
                p.unlink()
        duck = duckdb.connect(
            str(self.work),
            config={"autoinstall_known_extensions": False, "autoload_known_extensions": False},
        )
        duck.execute(schema.SCHEMA)
        self._duck = duck
        return duck

    def build(self, conn: psycopg.Connection) -> Path:
        """Everything copied again (at start, and after a lost connection)."""
        duck = self._fresh()
        with conn.transaction():  # a database from before ``term_report.provenance``: add it
            row = conn.execute("SELECT to_regclass('term_report') IS NOT NULL").fetchone()
            for sql in schema.REPORTING_UPGRADE if row and row[0] else ():
                conn.execute(sql)
        with conn.transaction():  # a database from before the cycles (issue 16): add them
            conn.execute(schema.CYCLES_SCHEMA)
        with conn.transaction():  # ... and before the data-quality flags (issue 16)
            conn.execute(schema.QUALITY_SCHEMA)
        with conn.transaction():  # one consistent view of every table (REPEATABLE READ below)
            conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            duck.execute("BEGIN TRANSACTION")
            for table in REFERENCE_TABLES + PROGRAMME_TABLES:
                copy_pg_to_duck(conn, duck, table)
            refresh_summaries(duck)
            duck.execute("COMMIT")
        return self._publish()

    def publish_once(self) -> Path:
        """Build and publish once (``pgsync job --once``, the restore drill)."""
        try:
            with connect(self.url) as conn:
                return self.build(conn)
        finally:
            self.close()

    def refresh(self, conn: psycopg.Connection) -> Path:
        """After committed writes: the programme tables again, the summaries, a publish."""
        if self._duck is None:
            return self.build(conn)
        duck = self._duck
        with conn.transaction():
            conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            duck.execute("BEGIN TRANSACTION")
            try:
                for table in PROGRAMME_TABLES:
                    copy_pg_to_duck(conn, duck, table)
                refresh_summaries(duck)
                duck.execute("COMMIT")
            except BaseException:
                duck.execute("ROLLBACK")
                raise
        return self._publish()

    def _publish(self) -> Path:
        assert self._duck is not None
        # every published snapshot is a new data version for the replicas' caches
        # (``CoreStore.data_version`` reads built_at; a correction changes no batch count)
        self._duck.execute(
            "INSERT INTO meta VALUES ('built_at', ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [datetime.now().isoformat(timespec="microseconds")],
        )
        self._duck.execute("CHECKPOINT")
        real = publish_snapshot(self.work, self.snapshot)
        self.publishes += 1
        self._prune()
        return real

    def _prune(self) -> None:
        """Old published files: keep the newest few (a replica may still read one)."""
        olds = sorted(
            self.snapshot.parent.glob(self.snapshot.name + ".snap-*"),
            key=lambda p: p.name,
            reverse=True,
        )
        for p in olds[KEEP_SNAPSHOTS:]:
            if p.name.endswith(".tmp"):
                continue
            try:
                if time.time() - p.stat().st_mtime > 60:
                    p.unlink()
            except OSError:
                pass

    def close(self) -> None:
        if self._duck is not None:
            self._duck.close()
            self._duck = None

    # ------------------------------------------------------------------ following the writes
    def run(
        self,
        stop: Callable[[], bool] = lambda: False,
        on_publish: Callable[[Path, float], None] | None = None,
        settle: float = 0.2,
        min_interval: float = MIN_INTERVAL,
    ) -> None:
        """Build, then republish after every burst of NOTIFYs until ``stop()`` is true, no
        sooner than ``min_interval`` seconds after the last publish began."""
        pause = 0.5
        while not stop():
            try:
                with connect(self.url, autocommit=True) as listen:
                    listen.execute(f"LISTEN {CHANNEL}")
                    with connect(self.url) as conn:
                        t0 = time.perf_counter()
                        real = self.build(conn)
                        self._said(on_publish, real, t0)
                        pause = 0.5
                        while not stop():
                            if not self._wait(listen, 1.0):
                                continue
                            # a burst of batches, or writes soon after the last publish: one
                            # publish, once the interval has passed
                            due = max(time.perf_counter() + settle, t0 + min_interval)
                            while not stop() and time.perf_counter() < due:
                                time.sleep(min(0.1, max(0.0, due - time.perf_counter())))
                            if stop():
                                break
                            self._drain(listen)
                            t0 = time.perf_counter()
                            real = self.refresh(conn)
                            self._said(on_publish, real, t0)
            except psycopg.OperationalError as exc:
                log.warning("snapshot job: PostgreSQL unreachable (%s); retrying", exc)
                self.close()
                time.sleep(pause)
                pause = min(pause * 2, 10.0)

    @staticmethod
    def _said(on_publish, real: Path, t0: float) -> None:
        took = time.perf_counter() - t0
        log.info("snapshot published: %s (%.2f s)", real.name, took)
        if on_publish:
            on_publish(real, took)

    @staticmethod
    def _wait(listen: psycopg.Connection, timeout: float) -> bool:
        """Did a notification arrive within ``timeout`` seconds? (No polling of the data.)"""
        got = False
        for _ in listen.notifies(timeout=timeout, stop_after=1):
            got = True
        return got

    @staticmethod
    def _drain(listen: psycopg.Connection) -> None:
        for _ in listen.notifies(timeout=0.01):
            pass


def snapshot_age_seconds(path: Path | str) -> float | None:
    """Seconds since the snapshot at ``path`` was published (its file's mtime), or None."""
    try:
        return time.time() - os.stat(path).st_mtime
    except OSError:
        return None


__all__ = [
    "PRIVATE_TABLES",
    "PROGRAMME_TABLES",
    "REFERENCE_TABLES",
    "SnapshotJob",
    "copy_duck_to_pg",
    "copy_pg_to_duck",
    "init_database",
    "is_initialised",
]
