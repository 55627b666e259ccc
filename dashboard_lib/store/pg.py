"""PostgreSQL as the system of record (issue 15): the connection pool and a cursor that speaks
like DuckDB's, so that every write of the store is written once and runs on both backends.

The store's statements are written in the SQL both databases understand (``= ANY(?::INTEGER[])``,
``@>``, ``ON CONFLICT``, explicit column lists) with ``?`` placeholders. ``PgCursor`` is the only
translation: it turns ``?`` into psycopg's ``%s`` (outside quoted text), turns numpy and pandas
values into plain Python ones, answers ``fetchall`` after an UPDATE with the row count as DuckDB
does, gives ``.df()``, and ``register(name, frame)`` makes a temporary table of a DataFrame (what
DuckDB does by scanning the frame in place). Nothing else in the package knows which database
it writes to.

Every transaction that changes programme data takes one advisory lock (``WRITE_LOCK``): the
ids a batch takes (``max(id) + 1``) and the duplicate-file check stay right when replicas write
at the same moment, as they do under DuckDB's single writer. Each committed write sends
``NOTIFY xz_write, '<what>'`` (delivered by PostgreSQL only at COMMIT), which wakes the snapshot
job (``dashboard_lib.pgsync``).
"""

from __future__ import annotations

import datetime as _dt
import logging
import queue
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

import numpy as np
import pandas as pd
import psycopg

from .errors import StoreError

log = logging.getLogger(__name__)

CHANNEL = "xz_write"
WRITE_LOCK = 7015  # pg_advisory_xact_lock key of every programme-data write
# How every connection of the product to PostgreSQL notices that the network to it is gone
# (issue 15, "the network to PostgreSQL dropped for 30 s"). Without these a dropped link shows
# nothing: a query waits for an answer until the kernel gives up retransmitting (15 minutes or
# more), and the snapshot job's LISTEN connection, which only waits, would never learn that the
# server forgot it and would stop publishing. With them a query sent into a dead link fails after
# 15 s (the user reads store_pg_unavailable and the next call reconnects), and an idle or
# listening connection is found dead within 10 + 3 * 3 s by the kernel's probes. The server's
# end of the same connection gets the same settings (``options``): a writer cut off in the middle
# of a transaction holds the write lock (``WRITE_LOCK``) until its server process learns that the
# client is gone, which with PostgreSQL's defaults is two hours of every other writer waiting.
_KEEPALIVE = {"idle": 10, "interval": 3, "count": 3}
_SEND_TIMEOUT_MS = 15_000
LINK: dict[str, int | str] = {
    "connect_timeout": 5,
    "keepalives": 1,
    **{f"keepalives_{k}": v for k, v in _KEEPALIVE.items()},
    "tcp_user_timeout": _SEND_TIMEOUT_MS,
    "options": " ".join(
        [*(f"-c tcp_keepalives_{k}={v}" for k, v in _KEEPALIVE.items())]
        + [f"-c tcp_user_timeout={_SEND_TIMEOUT_MS}"]
    ),
}


def connect(url: str, **kwargs) -> psycopg.Connection:
    """A connection to the system of record that notices a dead link (``LINK``); the product's
    only way to connect (a test checks that nothing else calls ``psycopg.connect``)."""
    return psycopg.connect(url, **{**LINK, **kwargs})


_PLACEHOLDER = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"])*\"|%|\?")


def pg_sql(sql: str) -> str:
    """``?`` placeholders → ``%s`` and a literal ``%`` → ``%%``, leaving quoted text alone."""

    def swap(m: re.Match) -> str:
        tok = m.group(0)
        if tok == "?":
            return "%s"
        if tok == "%":
            return "%%"
        return tok.replace("%", "%%") if tok.startswith("'") else tok

    return _PLACEHOLDER.sub(swap, sql)


def plain(value):
    """A value psycopg adapts: numpy/pandas scalars and NaT/NaN/NA as Python values or None."""
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, np.ndarray):
        return [plain(v) for v in value.tolist()]
    if value is None or value is pd.NaT or value is pd.NA:
        return None
    if isinstance(value, float) and value != value:
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if isinstance(value, np.generic):
        v = value.item()
        return None if isinstance(v, float) and v != v else v
    return value


def _pg_type(series: pd.Series) -> str:
    kind = series.dtype.kind
    if kind == "b" or str(series.dtype) == "boolean":
        return "BOOLEAN"
    if kind in "iu" or str(series.dtype) in ("Int64", "Int32", "Int16", "Int8"):
        return "BIGINT"
    if kind == "f":
        return "DOUBLE PRECISION"
    if kind == "M":
        return "TIMESTAMP"
    sample = series.dropna()
    first = sample.iloc[0] if len(sample) else None
    if isinstance(first, bool):
        return "BOOLEAN"
    if isinstance(first, (int, np.integer)):
        return "BIGINT"
    if isinstance(first, (float, np.floating, Decimal)):
        return "DOUBLE PRECISION"
    if isinstance(first, _dt.datetime):
        return "TIMESTAMP"
    if isinstance(first, _dt.date):
        return "DATE"
    return "TEXT"


class PgCursor:
    """A psycopg cursor with the surface of a DuckDB cursor that the store's writes use."""

    backend = "postgresql"

    def __init__(self, conn: psycopg.Connection):
        self._conn = conn
        self._cur = conn.cursor()

    def execute(self, sql: str, params: list | tuple = ()) -> PgCursor:
        stmt = sql.strip()
        if stmt.upper() in ("BEGIN TRANSACTION", "BEGIN", "COMMIT", "ROLLBACK"):
            raise RuntimeError("PgCursor: transactions belong to PgWriter.transaction()")
        self._cur.execute(pg_sql(sql), [plain(p) for p in params] if params else None)
        return self

    def fetchall(self) -> list[tuple]:
        if self._cur.description is None:  # an UPDATE/INSERT/DELETE: DuckDB answers its count
            return [(self._cur.rowcount,)]
        return [tuple(r) for r in self._cur.fetchall()]

    def fetchone(self):
        if self._cur.description is None:
            return (self._cur.rowcount,)
        return self._cur.fetchone()

    def df(self) -> pd.DataFrame:
        cols = [d.name for d in self._cur.description or []]
        return pd.DataFrame(self.fetchall(), columns=cols)

    def register(self, name: str, frame: pd.DataFrame) -> None:
        """A temporary table ``name`` holding ``frame`` (dropped at commit or ``unregister``)."""
        if not re.fullmatch(r"_?[a-z][a-z0-9_]*", name):
            raise ValueError(f"bad temporary table name {name!r}")
        cols = ", ".join(f'"{c}" {_pg_type(frame[c])}' for c in frame.columns)
        self._cur.execute(f"CREATE TEMP TABLE {name} ({cols}) ON COMMIT DROP")
        names = ", ".join(f'"{c}"' for c in frame.columns)
        with self._cur.copy(f"COPY {name} ({names}) FROM STDIN") as copy:
            for row in frame.itertuples(index=False, name=None):
                copy.write_row([plain(v) for v in row])

    def unregister(self, name: str) -> None:
        self._cur.execute(f"DROP TABLE IF EXISTS {name}")

    def lock_writes(self) -> None:
        """Serialise the programme-data writes of every replica (released at COMMIT)."""
        self._cur.execute("SELECT pg_advisory_xact_lock(%s)", [WRITE_LOCK])

    def notify(self, what: str) -> None:
        self._cur.execute("SELECT pg_notify(%s, %s)", [CHANNEL, what])

    def close(self) -> None:
        self._cur.close()

    def __enter__(self) -> PgCursor:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class PgWriter:
    """A small pool of connections to the system of record, shared by a process's sessions."""

    def __init__(self, url: str, size: int = 4, connect_timeout: int = 5):
        self.url = url
        self.size = size
        self.connect_timeout = connect_timeout
        self._idle: queue.LifoQueue[psycopg.Connection] = queue.LifoQueue()
        self._made = 0
        self._lock = threading.Lock()
        self._slots = threading.BoundedSemaphore(size)

    def _connect(self) -> psycopg.Connection:
        return connect(self.url, connect_timeout=self.connect_timeout, autocommit=False)

    @contextmanager
    def _connection(self) -> Iterator[psycopg.Connection]:
        self._slots.acquire()
        conn = None
        try:
            try:
                conn = self._idle.get_nowait()
                if conn.closed or conn.broken:
                    conn = None
            except queue.Empty:
                conn = None
            if conn is None:
                conn = self._connect()
            yield conn
        except BaseException:
            if conn is not None and (conn.broken or conn.closed):
                conn = None
            raise
        finally:
            if conn is not None and not conn.closed and not conn.broken:
                self._idle.put(conn)
            self._slots.release()

    @contextmanager
    def transaction(self) -> Iterator[PgCursor]:
        """One transaction: COMMIT when the block ends, ROLLBACK on any error."""
        with self._connection() as conn:
            cur = PgCursor(conn)
            try:
                yield cur
                conn.commit()
            except BaseException:
                if not conn.closed and not conn.broken:
                    conn.rollback()
                raise
            finally:
                if not conn.closed:
                    cur.close()

    def df(self, sql: str, params: list | tuple = ()) -> pd.DataFrame:
        with reachable(), self.transaction() as cur:
            return cur.execute(sql, params).df()

    def rows(self, sql: str, params: list | tuple = ()) -> list[tuple]:
        with reachable(), self.transaction() as cur:
            return cur.execute(sql, params).fetchall()

    def scalar(self, sql: str, params: list | tuple = ()):
        rows = self.rows(sql, params)
        return rows[0][0] if rows else None

    def close(self) -> None:
        while True:
            try:
                self._idle.get_nowait().close()
            except queue.Empty:
                return


_WRITERS: dict[str, PgWriter] = {}
_WRITERS_LOCK = threading.Lock()


def writer_for(url: str) -> PgWriter:
    """The process's one pool for ``url``: a replica opens a Store per published snapshot, and
    every one of them writes through the same connections."""
    with _WRITERS_LOCK:
        if url not in _WRITERS:
            _WRITERS[url] = PgWriter(url)
        return _WRITERS[url]


@contextmanager
def reachable() -> Iterator[None]:
    """PostgreSQL down, restarting or out of reach: one sentence (``store_pg_unavailable``),
    never a driver's traceback; the next call connects again (broken connections are dropped)."""
    try:
        yield
    except psycopg.OperationalError as exc:
        log.warning("PostgreSQL unreachable: %s", exc)
        raise StoreError("store_pg_unavailable") from exc


def pg_errors() -> tuple[type[BaseException], ...]:
    """The driver's errors, for ``store_errors`` and the transactions' ``translate``."""
    return (psycopg.Error,)
