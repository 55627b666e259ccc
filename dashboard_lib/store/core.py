"""The core of the data layer: the connection, transactions, meta and the foundation queries.

The schema is written out in ``schema.py``; opening, building and guarding the file (its marker,
its ``file_token``, the refusals, snapshots, ``open_store``) is ``lifecycle.py``; backups are
``backup.py``. Their public names are re-exported here for the callers that know them by this
module.

Pages never write SQL. Every read takes the viewer (``scope.Viewer``) and the filters and applies
both inside SQL with bound parameters. One ``Store`` holds one DuckDB connection; each query runs
on its own cursor, so a Store can be shared across Streamlit's script threads.
"""

from __future__ import annotations

import itertools
import logging
import threading
import uuid
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import duckdb
import pandas as pd

from .. import metrics
from ..scope import (
    Filters,
    Viewer,
    activity_predicate,
    milestone_done_sql,
    outcome_predicate,
    project_predicate,
    row_provenance_predicate,
)
from ..vocab import DEADLINES, MilestoneKind
from . import schema
from .errors import StoreError, store_errors
from .lifecycle import (
    FILE_TOKEN,
    MARKER_SUFFIX,
    OpenResult,
    _file_id,
    _tables_of,
    _user_data_kinds,
    check_held_data,
    clear_marker,
    lose_file,
    marker_path,
    open_store,
    publish_snapshot,
    read_marker,
    snapshot_stamp,
    write_marker,
)
from .pg import PgWriter, pg_errors, reachable, writer_for
from .schema import SCHEMA, SCHEMA_VERSION, TABLES
from .summary import refresh_summaries

_SERIALS = itertools.count(1)
log = logging.getLogger(__name__)
# audit actions about accounts and sign-ins (with every user_* and password_*): no data changes
ACCOUNT_ACTIONS = ("login", "login_failed", "login_refused", "locked", "logout", "session_timeout")

__all__ = [  # what other modules import from here (the moved names included)
    "ACCOUNT_ACTIONS",
    "FILE_TOKEN",
    "MARKER_SUFFIX",
    "SCHEMA",
    "SCHEMA_VERSION",
    "TABLES",
    "CoreStore",
    "OpenResult",
    "StoreError",
    "check_held_data",
    "clear_marker",
    "marker_path",
    "open_store",
    "publish_snapshot",
    "read_marker",
    "snapshot_stamp",
    "store_errors",
    "write_marker",
]


class CoreStore:
    """Owns one DuckDB connection; every query runs on its own cursor.

    Feature modules of this package add query methods as mixins (see ``__init__.py``); the
    tables of all of them are written out in ``schema.py``.
    """

    @classmethod
    def schema_sql(cls) -> str:
        """Every CREATE statement of the database (``schema.SCHEMA``)."""
        return schema.SCHEMA

    @classmethod
    def tables(cls) -> tuple[str, ...]:
        """Every table ``schema_sql`` creates, in order (``schema.TABLES``)."""
        return schema.TABLES

    def __init__(self, path: Path | str, read_only: bool = False, database_url: str | None = None):
        self.path = Path(path)
        # the path the server was told to open: a replica opens the file a published snapshot's
        # link names (``path``, a new file each publish) and sets this to the link, so the views
        # cached from one snapshot are known, and retired, as older views of the same database
        self.origin = self.path
        self.read_only = read_only
        # issue 15: with a PostgreSQL URL, every write (and every read of accounts, sessions and
        # import bookkeeping) goes to PostgreSQL, the system of record; this DuckDB file is then
        # the published analytics snapshot, opened read-only (``pg.py``, ``dashboard_lib.pgsync``)
        self.writer: PgWriter | None = writer_for(database_url) if database_url else None
        self._con = duckdb.connect(
            str(self.path),
            read_only=read_only,
            config={"autoinstall_known_extensions": False, "autoload_known_extensions": False},
        )
        self.serial = next(_SERIALS)  # tells this connection from an earlier one to the same path
        self._generation = 0  # bumped by every write through this Store
        self._version: tuple[int, str] | None = None  # data_version() of that generation
        # the file this connection has open, to notice when the path stops naming it
        self._file_id = _file_id(self.path)
        self.watched = not read_only and self._file_id is not None  # a snapshot replica: False
        self.holds_data = False  # accounts or imports are in it (and its marker written)
        self._held: frozenset[str] = frozenset()  # which of the two the marker names
        self._tables_cache: set[str] | None = None
        self.lost: StoreError | None = None  # the file vanished while it held data: no writes
        self.stale = False  # the file vanished or was replaced, holding nothing: reopen
        self.emergency_backup: Path | None = None
        self.closed = False
        self._check_lock = threading.Lock()
        # a replica's store of an older snapshot: when it stopped being the newest, and whether
        # it now reads the newer one's connection (``follow``)
        self.superseded_at: float | None = None
        self._follows = False

    # ------------------------------------------------------------------ plumbing
    def close(self) -> None:
        self.closed = True
        if not self._follows:  # a follower's connection is the newer store's own
            self._con.close()  # the PostgreSQL pool (``writer``) is the process's, shared: kept

    def follow(self, newer: CoreStore) -> None:
        """Read ``newer``'s snapshot from now on (a replica; ``lifecycle.forward_superseded``).

        Page scripts keep their store in their namespace, and a widget's callback or fragment
        keeps that namespace for the session: every tab left open kept the snapshot it last
        read open too, each one a DuckDB database with its own buffers, so a replica's memory
        grew with every publish. Queries already running hold their own cursor and finish on
        the old snapshot; the next ones read the newer."""
        self._con = newer._con  # the old one goes with its last cursor
        self.path, self.serial, self._file_id = newer.path, newer.serial, newer._file_id
        self._version = None
        self._tables_cache = None
        self.superseded_at = None
        self._follows = True

    @property
    def accepts_writes(self) -> bool:
        """A read-only file alone never writes; a snapshot with PostgreSQL behind it does."""
        return not self.read_only or self.writer is not None

    @property
    def backend(self) -> str:
        """Where writes go: ``"duckdb"`` (the embedded file) or ``"postgresql"``."""
        return "duckdb" if self.writer is None else "postgresql"

    def _sor_df(self, sql: str, params: list | tuple = ()) -> pd.DataFrame:
        """A read from the system of record: the DuckDB file, or PostgreSQL when it is one."""
        if self.writer is not None:
            return self.writer.df(sql, params)
        return self._df(sql, params)

    def _sor_rows(self, sql: str, params: list | tuple = ()) -> list[tuple]:
        """Rows as Python tuples from the system of record."""
        if self.writer is not None:
            return self.writer.rows(sql, params)
        with self._con.cursor() as cur:
            return cur.execute(sql, list(params)).fetchall()

    def _sor_scalar(self, sql: str, params: list | tuple = ()):
        if self.writer is not None:
            return self.writer.scalar(sql, params)
        return self._scalar(sql, params)

    def _lock_writes(self, cur) -> None:
        """Inside a programme-data write: one writer at a time on PostgreSQL (DuckDB has one)."""
        if self.writer is not None:
            cur.lock_writes()

    def _after_write(self, cur, what: str = "programme") -> None:
        """Inside the write's transaction: refresh the summaries (DuckDB), or tell the snapshot
        job that ``what`` changed (PostgreSQL sends the NOTIFY at COMMIT)."""
        if self.writer is not None:
            cur.notify(what)
        elif what == "programme":
            refresh_summaries(cur)

    def _df(self, sql: str, params: list | tuple = ()) -> pd.DataFrame:
        with self._con.cursor() as cur:
            return cur.execute(sql, list(params)).df()

    def _scalar(self, sql: str, params: list | tuple = ()):
        with self._con.cursor() as cur:
            row = cur.execute(sql, list(params)).fetchall()
        return row[0][0] if row else None

    def schema_version(self) -> int | None:
        try:
            v = self._scalar("SELECT value FROM meta WHERE key = 'schema_version'")
        except duckdb.CatalogException:
            return None
        return int(v) if v is not None else None

    def meta(self) -> dict[str, str]:
        df = self._df("SELECT key, value FROM meta ORDER BY key")
        return dict(zip(df["key"], df["value"]))

    # ------------------------------------------------------------------ is the file still ours?
    def check_file(self) -> StoreError | None:
        """Does the path still name the file this connection has open? One ``os.stat`` (device
        and inode against those seen at open), asked on every page run and before every write.

        When the file was deleted or replaced while it held accounts or imports, the data lives
        on only through this open connection: every write is refused from now on (``lost``),
        an emergency backup is written from the connection at once and the log says what to
        do. A file that held nothing people made only marks this Store ``stale`` (the app opens
        the path again, rebuilding the demo as before). Returns ``lost``."""
        if self.lost is not None or self.stale or not self.watched or self.closed:
            return self.lost
        if _file_id(self.path) == self._file_id:
            return None
        with self._check_lock:
            if self.lost is not None or self.stale:
                return self.lost
            now = _file_id(self.path)
            if now == self._file_id:
                return None
            try:
                with self._con.cursor() as cur:
                    kinds = _user_data_kinds(cur)
            except duckdb.Error:
                kinds = ["accounts", "imports"] if self.holds_data else []
            if not kinds and not self.holds_data:
                log.warning(
                    "Database file %s was %s under the running server; it held no accounts "
                    "or imports, so the app opens the path again.",
                    self.path,
                    "deleted" if now is None else "replaced",
                )
                self.stale = True
                return None
            self.lost = self._lose(kinds or ["accounts", "imports"], replaced=now is not None)
            return self.lost

    def _lose(self, kinds: list[str], replaced: bool) -> StoreError:
        """The file that held ``kinds`` is gone: write the emergency backup, log, one sentence
        (``lifecycle.lose_file``)."""
        return lose_file(self, kinds, replaced)

    def writable(self) -> bool:
        """May this Store write now? Not read-only, its file still where it was (one stat);
        with PostgreSQL as the system of record, always (the snapshot is read-only by design)."""
        if self.writer is not None:
            return True
        return not self.read_only and self.check_file() is None and not self.stale

    def _guard_write(self) -> None:
        """Refuse a write to a file that is no longer at its path (see ``check_file``)."""
        if self.writer is not None:
            return
        lost = self.check_file()
        if lost is not None:
            raise lost
        if self.stale:
            raise StoreError("store_replaced_reload")

    def _note_user_data(self, cur) -> tuple[str, list[str]] | None:
        """Inside a write transaction, before its COMMIT: when this write gives the file its
        first accounts or imports, give the database its ``file_token`` in the same transaction.
        Returns (token, kinds) for the marker file, written once committed (else None). Asked
        until the file holds both kinds (then nothing is left to note)."""
        if len(self._held) == 2 or not self.watched:
            return None
        have = self._known_tables()
        kinds = _user_data_kinds(cur, have)
        if not kinds or set(kinds) == self._held or "meta" not in have:
            return None
        row = cur.execute("SELECT value FROM meta WHERE key = ?", [FILE_TOKEN]).fetchall()
        token = row[0][0] if row else uuid.uuid4().hex
        if not row:
            cur.execute("INSERT INTO meta VALUES (?, ?)", [FILE_TOKEN, token])
        return token, kinds

    def _known_tables(self) -> set[str]:
        """The file's tables, asked once per Store on a cursor of its own: the catalog query
        must not run inside a write transaction, where it would hold every attached database
        (a backup being written) until the transaction ends."""
        if self._tables_cache is None:
            with self._con.cursor() as cur:
                self._tables_cache = _tables_of(cur)
        return self._tables_cache

    def _mark(self, token: str, kinds: list[str]) -> None:
        """The database now holds data: write its marker file (never fails the caller)."""
        try:
            write_marker(self.path, token, kinds, self._file_id)
            self.holds_data = True
            self._held = frozenset(kinds)
        except OSError as exc:
            log.warning(
                "Could not write %s (%s): a later loss of %s could not be told from a first start.",
                marker_path(self.path),
                exc,
                self.path,
            )

    # ------------------------------------------------------------------ writing (build/import)
    def _changed(self) -> None:
        """A write happened: ``data_version`` must look again."""
        self._generation += 1

    def create_schema(self) -> None:
        self._guard_write()
        self._changed()
        self._tables_cache = None
        with self._con.cursor() as cur:
            cur.execute(self.schema_sql())
            cur.execute("INSERT INTO meta VALUES ('schema_version', ?)", [str(SCHEMA_VERSION)])

    def set_meta(self, key: str, value: str) -> None:
        self._guard_write()
        self._changed()
        with self._con.cursor() as cur:
            cur.execute(
                "INSERT INTO meta VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                [key, str(value)],
            )

    def bulk_insert(self, table: str, frame: pd.DataFrame) -> int:
        """Insert a DataFrame whose columns are a subset of ``table``'s, by name."""
        if table not in self.tables():
            raise ValueError(f"unknown table {table!r}")
        if frame.empty:
            return 0
        cols = ", ".join(f'"{c}"' for c in frame.columns)
        with self._transaction() as cur:  # the DuckDB file, or PostgreSQL when it is the record
            cur.register("_incoming", frame)
            cur.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM _incoming")
            cur.unregister("_incoming")
        return len(frame)

    @contextmanager
    def _transaction(
        self, failed: str | None = None, translate: tuple[type, ...] = (duckdb.Error,)
    ):
        """One transaction on its own cursor: COMMIT when the block ends, ROLLBACK on any error.

        With ``failed`` (the strings key of a sentence, ``{name}`` standing for the error's
        type), errors of the ``translate`` types reach the caller as a ``StoreError`` in those
        words; every other error, a ``StoreError`` included, is raised as it is.

        Refused (a ``StoreError``) when the file is no longer at its path (``check_file``). The
        transaction that gives the file its first account or import also marks it: a
        ``file_token`` in ``meta``, then the marker file beside it (``open_store`` never
        rebuilds such a file away)."""
        self._guard_write()
        if self.writer is not None:
            if duckdb.Error in translate:
                translate = translate + pg_errors()
            try:
                with reachable(), self.writer.transaction() as pcur:
                    yield pcur
            except BaseException as exc:
                if failed and isinstance(exc, translate) and not isinstance(exc, StoreError):
                    log.warning("write failed on PostgreSQL: %s", exc)
                    raise StoreError(failed, name=type(exc).__name__) from exc
                raise
            finally:
                self._changed()
            return
        if self.watched and len(self._held) < 2:
            self._known_tables()
        cur = self._con.cursor()
        noted = None
        try:
            cur.execute("BEGIN TRANSACTION")
            yield cur
            noted = self._note_user_data(cur)
            cur.execute("COMMIT")
        except BaseException as exc:
            cur.execute("ROLLBACK")
            if failed and isinstance(exc, translate) and not isinstance(exc, StoreError):
                raise StoreError(failed, name=type(exc).__name__) from exc
            raise
        else:
            if noted is not None:
                self._mark(*noted)
        finally:
            cur.close()
            self._changed()

    @staticmethod
    def _audit(cur, user_name: str | None, action: str, detail: str = "") -> None:
        """One line of the audit log, written on the caller's cursor (inside its transaction)."""
        cur.execute(
            "INSERT INTO audit_log VALUES (?, ?, ?, ?)",
            [datetime.now(), user_name, action, detail],
        )

    def checkpoint(self) -> None:
        with self._con.cursor() as cur:
            cur.execute("CHECKPOINT")

    # ------------------------------------------------------------------ reference reads
    def provinces(self) -> pd.DataFrame:
        """All provincial units (reference data, not programme rows: visible to every viewer)."""
        return self._df("SELECT * FROM province ORDER BY adcode")

    def scope_provinces(self, viewer: Viewer) -> pd.DataFrame:
        """Programme provinces the viewer may choose in a filter."""
        where, params = "in_programme", []
        if viewer.provinces is not None:
            where += " AND (adcode = ANY(?::INTEGER[]))"
            params.append(sorted(viewer.provinces))
        return self._df(
            f"SELECT adcode, name_zh, short_zh, name_en, region FROM province "
            f"WHERE {where} ORDER BY adcode",
            params,
        )

    def universities(self) -> pd.DataFrame:
        """The host universities (reference data: names and places, visible to every viewer)."""
        return self._df(
            "SELECT university_id, name_zh, name_en, kind, lon, lat FROM university "
            "ORDER BY university_id"
        )

    def counties(self, province_adcodes: list[int] | None = None) -> pd.DataFrame:
        if province_adcodes is None:
            return self._df("SELECT * FROM county ORDER BY adcode")
        return self._df(
            "SELECT * FROM county WHERE (province_adcode = ANY(?::INTEGER[])) ORDER BY adcode",
            [sorted(int(x) for x in province_adcodes)],
        )

    def data_version(self) -> str:
        """Changes whenever the data can have changed (a rebuild, an import, an undo, an edit):
        a cache key for derived views (``dashboard_lib.memo``, the presenter deck).

        Sign-ins and account changes are logged too but change no programme data: they are left
        out, so a colleague signing in does not empty everyone's cache. Asked on every page run,
        it is read once per write of this Store (a single writer: DuckDB locks the file)."""
        generation = self._generation
        if self._version is not None and self._version[0] == generation:
            return self._version[1]
        with self._con.cursor() as cur:
            row = cur.execute(
                """SELECT (SELECT max(value) FROM meta WHERE key = 'built_at'),
                                        (SELECT count(*) FROM import_batch),
                                        (SELECT count(undone_at) FROM import_batch),
                                        (SELECT count(*) FROM audit_log
                                         WHERE NOT (action = ANY(?::VARCHAR[]))
                                           AND NOT starts_with(action, 'user_')
                                           AND NOT starts_with(action, 'password_'))""",
                [list(ACCOUNT_ACTIONS)],
            ).fetchall()[0]
        version = "|".join(str(v) for v in row)
        self._version = (generation, version)
        return version

    def table_counts(self) -> dict[str, int]:
        return {t: int(self._scalar(f"SELECT count(*) FROM {t}")) for t in self.tables()}

    # ------------------------------------------------------------------ programme reads
    def projects(self, viewer: Viewer, filters: Filters | None = None) -> pd.DataFrame:
        """One row per project the viewer may see, with its university and county."""
        where, params = project_predicate(viewer, filters)
        signed, sparams = milestone_done_sql(filters, "ms")  # as of the as-of date
        return self._df(
            f"""
            SELECT p.project_id, p.school_zh, p.province_adcode, pr.name_zh AS province_zh,
                   pr.short_zh AS province_short, pr.name_en AS province_en, pr.region,
                   p.prefecture_zh, p.county_adcode, c.name_zh AS county_zh,
                   c.lon AS county_lon, c.lat AS county_lat, c.has_boundary,
                   p.university_id, u.name_zh AS university_zh, u.name_en AS university_en,
                   u.lon AS university_lon, u.lat AS university_lat,
                   coalesce(p.affiliated_school, '') AS affiliated_school,
                   {signed} AS signed_date, ms.date_precision AS signed_precision,
                   p.confidence, p.provenance, p.source_url, p.location_note,
                   p.cycle_start, p.cycle_end
            FROM project p
            JOIN province pr ON pr.adcode = p.province_adcode
            JOIN county c ON c.adcode = p.county_adcode
            JOIN university u ON u.university_id = p.university_id
            LEFT JOIN milestone ms ON ms.project_id = p.project_id AND ms.kind = 'signed'
            WHERE {where}
            ORDER BY p.province_adcode, p.county_adcode, p.project_id""",
            [*sparams, *params],
        )

    def _activity_source(
        self, viewer: Viewer, filters: Filters | None, use_summary: bool | None = None
    ) -> tuple[str, str, list, bool]:
        """Where activity counts and sums come from, as (FROM clause aliased ``a``, predicate,
        its parameters, whether it is the summary table: pass that to ``Metric.activity_sql``).

        The summary table (``summary.py``: per project × kind × term × provenance × mode ×
        direction, kept current by every import in the same transaction) when it is current and
        the date filter covers whole school terms, as the sidebar's always do; else the activity
        table. Both give the same figures (tests/unit/test_summary_core.py)."""
        from .summary import SUMMARY_TABLE, summary_is_current, summary_predicate

        pred = summary_predicate(filters or Filters(), viewer)
        if use_summary is None:
            use_summary = pred is not None and summary_is_current(self._scalar)
        if use_summary and pred is not None:
            return f"{SUMMARY_TABLE} a", pred[0], pred[1], True
        awhere, aparams = activity_predicate(filters, viewer=viewer)
        return "activity a", awhere, aparams, False

    _GROUPS = {
        None: ("", ""),
        "province": ("p.province_adcode", "p.province_adcode"),
        "county": ("p.county_adcode", "p.county_adcode"),
        "university": ("p.university_id", "p.university_id"),
        "project": ("p.project_id", "p.project_id"),
    }

    def metrics(
        self,
        viewer: Viewer,
        filters: Filters | None = None,
        by: str | None = None,
        use_summary: bool | None = None,
    ) -> pd.DataFrame:
        """Headline figures, in total (``by=None``) or per province / county / university / project.

        One column per metric of ``metrics.computed_by("metrics")``, its SQL generated from the
        catalogue (``Metric.activity_sql`` per project, ``Metric.total_sql`` over the projects).
        Only projects inside the viewer's scope and the filters count; activity counts honour the
        date range, the kinds and the provenance filter.
        """
        if by not in self._GROUPS:
            raise ValueError(f"unknown grouping {by!r}")
        key_sel, key_grp = self._GROUPS[by]
        pwhere, pparams = project_predicate(viewer, filters)
        source, awhere, aparams, summarised = self._activity_source(viewer, filters, use_summary)
        mwhere, mparams = row_provenance_predicate(viewer, "m")
        done, dparams = milestone_done_sql(filters, "m")  # signed after the as-of date: not yet
        signed_due = DEADLINES[MilestoneKind.SIGNED]
        select_key = f"{key_sel} AS key, " if key_sel else ""
        group = f"GROUP BY {key_grp} ORDER BY {key_grp}" if key_grp else ""
        figures = metrics.computed_by("metrics")
        sql = f"""
            WITH p AS (SELECT p.* FROM project p WHERE {pwhere}),
            a AS (
                SELECT a.project_id,
                    {metrics.activity_select(figures, summarised)}
                FROM {source}
                WHERE a.project_id IN (SELECT project_id FROM p) AND {awhere}
                GROUP BY a.project_id),
            s AS (
                SELECT project_id,
                    CASE WHEN {done} IS NULL THEN NULL
                         WHEN (CASE WHEN date_precision = 'month' THEN last_day(done_date)
                                    ELSE done_date END) <= CAST(? AS DATE) THEN 1 ELSE 0 END
                        AS on_time
                FROM milestone m WHERE kind = 'signed' AND {mwhere})
            SELECT {select_key}
                {metrics.total_select(figures)}
            FROM p LEFT JOIN a USING (project_id) LEFT JOIN s USING (project_id)
            {group}"""
        return self._df(sql, [*pparams, *aparams, *dparams, signed_due, *mparams])

    def provenance_counts(
        self, viewer: Viewer, filters: Filters | None = None, use_summary: bool | None = None
    ) -> pd.DataFrame:
        """How many projects and activity rows of each provenance the current view holds."""
        pwhere, pparams = project_predicate(viewer, filters)
        source, awhere, aparams, summarised = self._activity_source(viewer, filters, use_summary)
        rows = metrics.by_key("activities").activity_sql(summarised)
        return self._df(
            f"""
            WITH p AS (SELECT p.* FROM project p WHERE {pwhere})
            SELECT 'project' AS what, provenance, count(*) AS n FROM p GROUP BY provenance
            UNION ALL
            SELECT 'activity', a.provenance, {rows}::BIGINT FROM {source}
            WHERE a.project_id IN (SELECT project_id FROM p) AND {awhere} GROUP BY a.provenance
            ORDER BY 1, 2""",
            [*pparams, *aparams],
        )

    def activities(
        self, viewer: Viewer, filters: Filters | None = None, limit: int = 100_000
    ) -> pd.DataFrame:
        """Activity rows of the projects in scope (row cap ``limit``)."""
        pwhere, pparams = project_predicate(viewer, filters)
        awhere, aparams = activity_predicate(filters, viewer=viewer)
        return self._df(
            f"""
            SELECT a.*, p.province_adcode, p.university_id, p.school_zh
            FROM activity a JOIN project p USING (project_id)
            WHERE {pwhere} AND {awhere}
            ORDER BY a.start_date, a.activity_id LIMIT ?""",
            [*pparams, *aparams, int(limit)],
        )

    def milestones(self, viewer: Viewer, filters: Filters | None = None) -> pd.DataFrame:
        """Milestone rows of the projects in scope; one done after the as-of date reads as not yet
        done (``done_date`` NULL)."""
        pwhere, pparams = project_predicate(viewer, filters)
        mwhere, mparams = row_provenance_predicate(viewer, "m")
        done, dparams = milestone_done_sql(filters, "m")
        return self._df(
            f"""
            SELECT m.* REPLACE ({done} AS done_date), p.province_adcode, p.university_id
            FROM milestone m JOIN project p USING (project_id)
            WHERE {pwhere} AND {mwhere} ORDER BY m.project_id, m.kind""",
            [*dparams, *pparams, *mparams],
        )

    def outcomes(self, viewer: Viewer, filters: Filters | None = None) -> pd.DataFrame:
        pwhere, pparams = project_predicate(viewer, filters)
        owhere, oparams = row_provenance_predicate(viewer, "o")
        ywhere, yparams = outcome_predicate(filters, "o")  # school years complete by the as-of
        return self._df(
            f"""
            SELECT o.*, p.province_adcode, p.university_id
            FROM outcome o JOIN project p USING (project_id)
            WHERE {pwhere} AND {owhere} AND {ywhere}
            ORDER BY o.project_id, o.school_year, o.indicator""",
            [*pparams, *oparams, *yparams],
        )
