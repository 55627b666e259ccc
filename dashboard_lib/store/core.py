"""The core of the data layer: schema, creation, connections, the foundation queries.

Pages never write SQL. Every read takes the viewer (``scope.Viewer``) and the filters and applies
both inside SQL with bound parameters. One ``Store`` holds one DuckDB connection; each query runs
on its own cursor, so a Store can be shared across Streamlit's script threads.
"""

from __future__ import annotations

import itertools
import json
import logging
import os
import threading
import time
import uuid
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from ..scope import Filters, Viewer, activity_predicate, project_predicate, row_provenance_predicate
from ..vocab import DEADLINES, MilestoneKind

SCHEMA_VERSION = 3
_SERIALS = itertools.count(1)
log = logging.getLogger("dashboard_lib")
MARKER_SUFFIX = ".holds-data"  # beside a database file that holds accounts or imports
FILE_TOKEN = "file_token"  # meta key: which database this is (the marker names it too)
# audit actions about accounts and sign-ins (with every user_* and password_*): no data changes
ACCOUNT_ACTIONS = ("login", "login_failed", "login_refused", "locked", "logout", "session_timeout")

SCHEMA = """
CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR);
CREATE TABLE province (
    adcode INTEGER PRIMARY KEY, name_zh VARCHAR NOT NULL, short_zh VARCHAR NOT NULL,
    name_en VARCHAR NOT NULL, region VARCHAR, in_programme BOOLEAN NOT NULL);
CREATE TABLE county (
    adcode INTEGER PRIMARY KEY, name_zh VARCHAR NOT NULL, prefecture_adcode INTEGER,
    prefecture_zh VARCHAR, province_adcode INTEGER NOT NULL, has_boundary BOOLEAN NOT NULL,
    lon DOUBLE NOT NULL, lat DOUBLE NOT NULL, note VARCHAR);
CREATE TABLE adcode_crosswalk (old_adcode INTEGER PRIMARY KEY, new_adcode INTEGER NOT NULL,
    name_zh VARCHAR, note VARCHAR);
CREATE TABLE university (
    university_id INTEGER PRIMARY KEY, name_zh VARCHAR NOT NULL UNIQUE, name_en VARCHAR,
    kind VARCHAR NOT NULL, district_adcode INTEGER, lon DOUBLE, lat DOUBLE, location_note VARCHAR,
    affiliated_high_schools VARCHAR, host_basis VARCHAR NOT NULL);
CREATE TABLE project (
    project_id INTEGER PRIMARY KEY, university_id INTEGER NOT NULL, school_zh VARCHAR NOT NULL,
    county_adcode INTEGER NOT NULL, province_adcode INTEGER NOT NULL, prefecture_zh VARCHAR,
    affiliated_school VARCHAR, batch INTEGER NOT NULL DEFAULT 1,
    cycle_start DATE, cycle_end DATE, confidence VARCHAR, location_note VARCHAR,
    provenance VARCHAR NOT NULL, source_url VARCHAR, import_batch_id INTEGER);
CREATE TABLE milestone (
    project_id INTEGER NOT NULL, kind VARCHAR NOT NULL, due_date DATE, done_date DATE,
    date_precision VARCHAR NOT NULL DEFAULT 'day', note VARCHAR,
    provenance VARCHAR NOT NULL, source_url VARCHAR, import_batch_id INTEGER,
    PRIMARY KEY (project_id, kind));
CREATE TABLE activity (
    activity_id BIGINT PRIMARY KEY, project_id INTEGER NOT NULL, kind VARCHAR NOT NULL,
    start_date DATE NOT NULL, end_date DATE, date_precision VARCHAR NOT NULL DEFAULT 'day',
    people INTEGER, person_months DOUBLE, participants INTEGER, hours DOUBLE, mode VARCHAR,
    role VARCHAR, subject VARCHAR, level VARCHAR, direction VARCHAR NOT NULL, note VARCHAR,
    provenance VARCHAR NOT NULL, source_url VARCHAR, import_batch_id INTEGER);
CREATE TABLE outcome (
    project_id INTEGER NOT NULL, school_year INTEGER NOT NULL, indicator VARCHAR NOT NULL,
    value DOUBLE NOT NULL, provenance VARCHAR NOT NULL, source_url VARCHAR, import_batch_id INTEGER,
    PRIMARY KEY (project_id, school_year, indicator));
CREATE TABLE import_batch (
    import_batch_id INTEGER PRIMARY KEY, created_at TIMESTAMP NOT NULL, user_name VARCHAR,
    file_name VARCHAR, file_sha256 VARCHAR, record_kind VARCHAR, rows_accepted INTEGER,
    rows_rejected INTEGER, undone_at TIMESTAMP);
CREATE TABLE audit_log (
    logged_at TIMESTAMP NOT NULL, user_name VARCHAR, action VARCHAR NOT NULL, detail VARCHAR);
"""

TABLES = (
    "meta",
    "province",
    "county",
    "adcode_crosswalk",
    "university",
    "project",
    "milestone",
    "activity",
    "outcome",
    "import_batch",
    "audit_log",
)


class StoreError(RuntimeError):
    """A database problem told to the user in one sentence (Chinese first, then English)."""

    def __init__(self, zh: str, en: str):
        super().__init__(f"{zh} / {en}")
        self.zh = zh
        self.en = en

    def message(self, lang: str = "zh") -> str:
        return self.zh if lang == "zh" else self.en


@dataclass
class OpenResult:
    store: CoreStore
    notices: list[tuple[str, str]]  # (zh, en) sentences to show once: rebuilt, moved aside, ...


class CoreStore:
    """Owns one DuckDB connection; every query runs on its own cursor.

    Feature modules of this package add query methods as mixins (see ``__init__.py``); each may
    declare ``SCHEMA_PART`` (DDL) and ``TABLES_PART`` (table names), collected here.
    """

    SCHEMA_PART = SCHEMA
    TABLES_PART = TABLES

    @classmethod
    def schema_sql(cls) -> str:
        return "\n".join(
            k.__dict__["SCHEMA_PART"] for k in reversed(cls.__mro__) if "SCHEMA_PART" in k.__dict__
        )

    @classmethod
    def tables(cls) -> tuple[str, ...]:
        return tuple(
            t
            for k in reversed(cls.__mro__)
            if "TABLES_PART" in k.__dict__
            for t in k.__dict__["TABLES_PART"]
        )

    def __init__(self, path: Path | str, read_only: bool = False):
        self.path = Path(path)
        self.read_only = read_only
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

    # ------------------------------------------------------------------ plumbing
    def close(self) -> None:
        self.closed = True
        self._con.close()

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
        """The file that held ``kinds`` is gone: write the emergency backup, log, one sentence."""
        from .. import backup  # the backup module uses this one

        name = self.path.name
        try:
            made = backup.create_from_store(self, kind="emergency")
            self.emergency_backup = made
        except Exception as exc:  # noqa: BLE001 - whatever failed, say so and keep the data open
            made = None
            log.exception(
                "EMERGENCY BACKUP FAILED for %s (%s). The data is still open in this "
                "server process: do NOT stop it. %s",
                self.path,
                exc,
                _proc_fd_hint(self.path),
            )
        what_zh, what_en = _what(kinds)
        how_zh = "不见了" if not replaced else "被替换了"
        how_en = "is gone" if not replaced else "was replaced"
        if made is not None:
            log.error(
                "Database file %s %s under the running server, and it held %s. Writing has "
                "stopped; nothing was rebuilt. An emergency backup was written from the still-open "
                "connection to %s. To restore: stop the server, run "
                "`python -m dashboard_lib.backup restore %s --db %s`, start the server again.",
                self.path,
                how_en,
                what_en,
                made,
                made,
                self.path,
            )
            return StoreError(
                f"数据库文件 {name} {how_zh}，而它保存着{what_zh}：已停止写入，未自动重建；已从仍打开的连接写出应急备份 "
                f"{made}，请用 python -m dashboard_lib.backup restore {made} 恢复后重启服务（见日志）。",
                f"The database file {name} {how_en}, and it held {what_en}: writing has stopped and "
                f"nothing was rebuilt; an emergency backup was written from the still-open connection "
                f"to {made} — restore it with python -m dashboard_lib.backup restore {made} and "
                "restart the server (see the log).",
            )
        return StoreError(
            f"数据库文件 {name} {how_zh}，而它保存着{what_zh}：已停止写入，未自动重建；应急备份未能写出，"
            "请勿停止服务，按日志说明取回数据。",
            f"The database file {name} {how_en}, and it held {what_en}: writing has stopped and nothing "
            "was rebuilt; the emergency backup could not be written — do not stop the server, and "
            "follow the log to recover the data.",
        )

    def writable(self) -> bool:
        """May this Store write now? Not read-only, its file still where it was (one stat)."""
        return not self.read_only and self.check_file() is None and not self.stale

    def _guard_write(self) -> None:
        """Refuse a write to a file that is no longer at its path (see ``check_file``)."""
        lost = self.check_file()
        if lost is not None:
            raise lost
        if self.stale:
            raise StoreError(
                "数据库文件已被替换，本次修改未保存，请刷新页面后重试。",
                "The database file was replaced; this change was not saved. Reload "
                "the page and try again.",
            )

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
            cur.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [key, str(value)])

    def bulk_insert(self, table: str, frame: pd.DataFrame) -> int:
        """Insert a DataFrame whose columns are a subset of ``table``'s, by name."""
        if table not in self.tables():
            raise ValueError(f"unknown table {table!r}")
        if frame.empty:
            return 0
        cols = ", ".join(f'"{c}"' for c in frame.columns)
        self._guard_write()
        self._changed()
        with self._con.cursor() as cur:
            cur.register("_incoming", frame)
            cur.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM _incoming")
            cur.unregister("_incoming")
        return len(frame)

    @contextmanager
    def _transaction(
        self, failed: tuple[str, str] | None = None, translate: tuple[type, ...] = (duckdb.Error,)
    ):
        """One transaction on its own cursor: COMMIT when the block ends, ROLLBACK on any error.

        With ``failed`` (a Chinese and an English sentence, ``{name}`` standing for the error's
        type), errors of the ``translate`` types reach the caller as a ``StoreError`` in those
        words; every other error, a ``StoreError`` included, is raised as it is.

        Refused (a ``StoreError``) when the file is no longer at its path (``check_file``). The
        transaction that gives the file its first account or import also marks it: a
        ``file_token`` in ``meta``, then the marker file beside it (``open_store`` never
        rebuilds such a file away)."""
        self._guard_write()
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
                name = type(exc).__name__
                raise StoreError(failed[0].format(name=name), failed[1].format(name=name)) from exc
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
        cur.execute("INSERT INTO audit_log VALUES (now(), ?, ?, ?)", [user_name, action, detail])

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
            where += " AND list_contains(?::INTEGER[], adcode)"
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
            "SELECT * FROM county WHERE list_contains(?::INTEGER[], province_adcode) "
            "ORDER BY adcode",
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
                                         WHERE NOT list_contains(?::VARCHAR[], action)
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
        return self._df(
            f"""
            SELECT p.project_id, p.school_zh, p.province_adcode, pr.name_zh AS province_zh,
                   pr.short_zh AS province_short, pr.name_en AS province_en, pr.region,
                   p.prefecture_zh, p.county_adcode, c.name_zh AS county_zh,
                   c.lon AS county_lon, c.lat AS county_lat, c.has_boundary,
                   p.university_id, u.name_zh AS university_zh, u.name_en AS university_en,
                   u.lon AS university_lon, u.lat AS university_lat,
                   coalesce(p.affiliated_school, '') AS affiliated_school,
                   ms.done_date AS signed_date, ms.date_precision AS signed_precision,
                   p.confidence, p.provenance, p.source_url, p.location_note
            FROM project p
            JOIN province pr ON pr.adcode = p.province_adcode
            JOIN county c ON c.adcode = p.county_adcode
            JOIN university u ON u.university_id = p.university_id
            LEFT JOIN milestone ms ON ms.project_id = p.project_id AND ms.kind = 'signed'
            WHERE {where}
            ORDER BY p.province_adcode, p.county_adcode, p.project_id""",
            params,
        )

    def _activity_source(
        self, viewer: Viewer, filters: Filters | None, use_summary: bool | None = None
    ) -> tuple[str, str, list, str]:
        """Where activity counts and sums come from, as (FROM clause aliased ``a``, predicate,
        its parameters, the SQL of "number of activity rows").

        The summary table (``summary.py``: per project × kind × term × provenance × mode ×
        direction, kept current by every import in the same transaction) when it is current and
        the date filter covers whole school terms, as the sidebar's always do; else the activity
        table. Both give the same figures (tests/unit/test_summary_core.py)."""
        from .summary import SUMMARY_TABLE, summary_is_current, summary_predicate

        pred = summary_predicate(filters or Filters(), viewer)
        if use_summary is None:
            use_summary = pred is not None and summary_is_current(self._scalar)
        if use_summary and pred is not None:
            return f"{SUMMARY_TABLE} a", pred[0], pred[1], "sum(a.n)"
        awhere, aparams = activity_predicate(filters, viewer=viewer)
        return "activity a", awhere, aparams, "count(*)"

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

        Only projects inside the viewer's scope and the filters count; activity counts honour the
        date range, the kinds and the provenance filter.
        """
        if by not in self._GROUPS:
            raise ValueError(f"unknown grouping {by!r}")
        key_sel, key_grp = self._GROUPS[by]
        pwhere, pparams = project_predicate(viewer, filters)
        source, awhere, aparams, n = self._activity_source(viewer, filters, use_summary)
        mwhere, mparams = row_provenance_predicate(viewer, "m")
        signed_due = DEADLINES[MilestoneKind.SIGNED]
        select_key = f"{key_sel} AS key, " if key_sel else ""
        group = f"GROUP BY {key_grp} ORDER BY {key_grp}" if key_grp else ""
        sql = f"""
            WITH p AS (SELECT p.* FROM project p WHERE {pwhere}),
            a AS (
                SELECT a.project_id,
                    sum(a.people) FILTER (WHERE a.kind = 'dispatch') AS people_dispatched,
                    sum(a.person_months) FILTER (WHERE a.kind = 'dispatch') AS person_months,
                    {n} FILTER (WHERE a.kind = 'guidance_visit') AS guidance_visits,
                    {n} FILTER (WHERE a.kind = 'training') AS trainings,
                    sum(a.participants) FILTER (WHERE a.kind = 'training') AS training_participants,
                    sum(a.people) FILTER (WHERE a.kind = 'shadowing') AS shadowing_people,
                    sum(a.people) FILTER (WHERE a.kind = 'internship') AS interns,
                    {n} AS activities
                FROM {source}
                WHERE a.project_id IN (SELECT project_id FROM p) AND {awhere}
                GROUP BY a.project_id),
            s AS (
                SELECT project_id,
                    CASE WHEN done_date IS NULL THEN NULL
                         WHEN (CASE WHEN date_precision = 'month' THEN last_day(done_date)
                                    ELSE done_date END) <= CAST(? AS DATE) THEN 1 ELSE 0 END
                        AS on_time
                FROM milestone m WHERE kind = 'signed' AND {mwhere})
            SELECT {select_key}
                count(*) AS projects,
                count(DISTINCT p.university_id) AS universities,
                count(DISTINCT p.province_adcode) AS provinces,
                count(DISTINCT p.county_adcode) AS counties,
                coalesce(sum(a.people_dispatched), 0)::BIGINT AS people_dispatched,
                coalesce(sum(a.person_months), 0)::DOUBLE AS person_months,
                coalesce(sum(a.guidance_visits), 0)::BIGINT AS guidance_visits,
                coalesce(sum(a.trainings), 0)::BIGINT AS trainings,
                coalesce(sum(a.training_participants), 0)::BIGINT AS training_participants,
                coalesce(sum(a.shadowing_people), 0)::BIGINT AS shadowing_people,
                coalesce(sum(a.interns), 0)::BIGINT AS interns,
                coalesce(sum(a.activities), 0)::BIGINT AS activities,
                coalesce(sum(s.on_time), 0)::BIGINT AS signed_on_time,
                count(s.on_time)::BIGINT AS signed_known
            FROM p LEFT JOIN a USING (project_id) LEFT JOIN s USING (project_id)
            {group}"""
        return self._df(sql, [*pparams, *aparams, signed_due, *mparams])

    def provenance_counts(
        self, viewer: Viewer, filters: Filters | None = None, use_summary: bool | None = None
    ) -> pd.DataFrame:
        """How many projects and activity rows of each provenance the current view holds."""
        pwhere, pparams = project_predicate(viewer, filters)
        source, awhere, aparams, n = self._activity_source(viewer, filters, use_summary)
        return self._df(
            f"""
            WITH p AS (SELECT p.* FROM project p WHERE {pwhere})
            SELECT 'project' AS what, provenance, count(*) AS n FROM p GROUP BY provenance
            UNION ALL
            SELECT 'activity', a.provenance, {n}::BIGINT FROM {source}
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
        pwhere, pparams = project_predicate(viewer, filters)
        mwhere, mparams = row_provenance_predicate(viewer, "m")
        return self._df(
            f"""
            SELECT m.*, p.province_adcode, p.university_id
            FROM milestone m JOIN project p USING (project_id)
            WHERE {pwhere} AND {mwhere} ORDER BY m.project_id, m.kind""",
            [*pparams, *mparams],
        )

    def outcomes(self, viewer: Viewer, filters: Filters | None = None) -> pd.DataFrame:
        pwhere, pparams = project_predicate(viewer, filters)
        owhere, oparams = row_provenance_predicate(viewer, "o")
        return self._df(
            f"""
            SELECT o.*, p.province_adcode, p.university_id
            FROM outcome o JOIN project p USING (project_id)
            WHERE {pwhere} AND {owhere} ORDER BY o.project_id, o.school_year, o.indicator""",
            [*pparams, *oparams],
        )


# ---------------------------------------------------------------------- opening a database file
def _aside(path: Path, why: str) -> Path:
    target = path.with_name(f"{path.name}.{why}-{time.strftime('%Y%m%d-%H%M%S')}")
    os.replace(path, target)
    wal = path.with_name(path.name + ".wal")
    if wal.exists():
        os.replace(wal, target.with_name(target.name + ".wal"))
    return target


def _file_id(path: Path) -> tuple[int, int] | None:
    """(device, inode) of the file ``path`` names now, or None when there is none."""
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return None
    return st.st_dev, st.st_ino


def _tables_of(cur) -> set[str]:
    return {
        r[0]
        for r in cur.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() "
            "AND schema_name = 'main'"
        ).fetchall()
    }


def _user_data_kinds(cur, have: set[str] | None = None) -> list[str]:
    """What people made that the file holds: "accounts" (app_user rows), "imports"
    (import_batch rows). Raises nothing on a file without those tables (safe in a transaction,
    given ``have``, the file's tables)."""
    have = _tables_of(cur) if have is None else have
    kinds = []
    for table, kind in (("app_user", "accounts"), ("import_batch", "imports")):
        if table in have and cur.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]:
            kinds.append(kind)
    return kinds


def _has_user_data(store: CoreStore) -> bool:
    """True when the file holds what people made (imports, accounts): never rebuilt away."""
    try:
        with store._con.cursor() as cur:
            return bool(_user_data_kinds(cur))
    except duckdb.Error:
        return False


def _what(kinds) -> tuple[str, str]:
    kinds = set(kinds or ("accounts", "imports"))
    if kinds == {"accounts"}:
        return "账户", "accounts"
    if kinds == {"imports"}:
        return "导入的数据", "imported data"
    return "账户和导入的数据", "accounts and imported data"


def _proc_fd_hint(path: Path) -> str:
    """Where this process still holds a deleted ``path`` open (Linux), for the log."""
    try:
        for fd in os.listdir("/proc/self/fd"):
            target = os.readlink(f"/proc/self/fd/{fd}")
            if target in (f"{path} (deleted)", f"{Path(path).resolve()} (deleted)"):
                return (
                    f"While this process (PID {os.getpid()}) runs, the deleted file can be "
                    f"copied from /proc/{os.getpid()}/fd/{fd}."
                )
    except OSError:
        pass
    return ""


def marker_path(path: Path | str) -> Path:
    """The marker beside a database that holds accounts or imports: ``<db>.holds-data``."""
    path = Path(path)
    return path.with_name(path.name + MARKER_SUFFIX)


def read_marker(path: Path | str) -> dict | None:
    """The marker of database ``path``: None when there is none; a damaged marker still says
    that the file held data (``{"damaged": True}``)."""
    try:
        data = json.loads(marker_path(path).read_text("utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        return {"damaged": True}
    return data if isinstance(data, dict) else {"damaged": True}


def write_marker(
    path: Path | str, token: str, kinds: list[str], file_id: tuple[int, int] | None = None, **extra
) -> Path:
    """Say, beside ``path``, that this database (its ``file_token``) holds ``kinds``."""
    path = Path(path)
    old = read_marker(path) or {}
    file_id = file_id or _file_id(path)
    now = time.strftime("%Y-%m-%dT%H:%M:%S")
    data = {
        "db": path.name,
        "file_token": token,
        "holds": sorted(set(kinds)),
        "since": old.get("since") if old.get("file_token") == token else now,
        "updated": now,
        "device": file_id[0] if file_id else None,
        "inode": file_id[1] if file_id else None,
        "why": "This database holds accounts or imported data: the dashboard never rebuilds "
        "it away. If it is missing, restore it: python -m dashboard_lib.backup restore.",
        **extra,
    }
    target = marker_path(path)
    tmp = target.with_name(target.name + ".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1), "utf-8")
    os.replace(tmp, target)
    return target


def clear_marker(path: Path | str) -> None:
    """The database at ``path`` was replaced on purpose (``build --force``): forget its marker."""
    marker_path(path).unlink(missing_ok=True)


def _file_token(store: CoreStore) -> str | None:
    try:
        return store._scalar("SELECT value FROM meta WHERE key = ?", [FILE_TOKEN])
    except duckdb.Error:
        return None


def _how_to_recover(path: Path) -> str:
    """The operator's next step, for the log: the newest backup and the two commands."""
    from ..backup import list_backups
    from ..settings import backup_dir_for

    folder = backup_dir_for(path)
    newest = [b.path for b in list_backups(path, folder)]
    which = str(newest[-1]) if newest else "<backup file>"
    found = (
        f"Newest backup: {newest[-1]}."
        if newest
        else f"No backup found in {folder}; `python -m dashboard_lib.backup list --dir DIR` "
        "looks elsewhere."
    )
    return (
        f"{found} To restore: `python -m dashboard_lib.backup restore {which} --db {path}`, "
        "then start the server again. To start over on purpose with a fresh demo database "
        f"(losing those accounts and imports): `python -m dashboard_lib.build --force --db {path}`."
    )


def _refuse_missing(path: Path, marker: dict) -> StoreError:
    what_zh, what_en = _what(marker.get("holds"))
    log.error(
        "Database file %s is missing, but %s says it held %s (since %s). It was NOT rebuilt "
        "and nothing is written. %s",
        path,
        marker_path(path).name,
        what_en,
        marker.get("since", "?"),
        _how_to_recover(path),
    )
    return StoreError(
        f"数据库文件 {path.name} 不见了，而它保存着{what_zh}：已停止写入，未自动重建，请用 "
        "python -m dashboard_lib.backup restore 从备份恢复（见日志）。",
        f"The database file {path.name} is gone, and it held {what_en}: writing has stopped and it "
        "was not rebuilt; restore it from a backup with python -m dashboard_lib.backup restore "
        "(see the log).",
    )


def _refuse_damaged(path: Path, moved: Path, marker: dict) -> StoreError:
    what_zh, what_en = _what(marker.get("holds"))
    log.error(
        "Database file %s could not be read; it was moved to %s. %s says it held %s, so it "
        "was NOT rebuilt. %s",
        path,
        moved,
        marker_path(path).name,
        what_en,
        _how_to_recover(path),
    )
    return StoreError(
        f"数据库文件 {path.name} 已损坏，已移至 {moved.name}；它保存着{what_zh}，因此未自动重建，请用 "
        "python -m dashboard_lib.backup restore 从备份恢复（见日志）。",
        f"The database file {path.name} is damaged and was moved to {moved.name}; it held {what_en}, "
        "so it was not rebuilt; restore it from a backup with python -m dashboard_lib.backup "
        "restore (see the log).",
    )


def _refuse_replaced(path: Path, marker: dict) -> StoreError:
    what_zh, what_en = _what(marker.get("holds"))
    log.error(
        "Database file %s is not the database %s speaks of (it held %s; this file holds none "
        "and has another file_token). It was NOT used or rebuilt. %s",
        path,
        marker_path(path).name,
        what_en,
        _how_to_recover(path),
    )
    return StoreError(
        f"数据库文件 {path.name} 已被一个不含{what_zh}的文件替换：未使用它，也未重建，请用 "
        "python -m dashboard_lib.backup restore 从备份恢复（见日志）。",
        f"The database file {path.name} was replaced by one without its {what_en}: it was neither "
        "used nor rebuilt; restore it from a backup with python -m dashboard_lib.backup restore "
        "(see the log).",
    )


def check_held_data(store: CoreStore, marker: dict | None, mark: bool = True) -> None:
    """After opening a writable file: mark it when it holds accounts or imports (giving it a
    ``file_token`` if it has none, e.g. made before markers existed; not with ``mark=False``:
    a file of another schema version is left untouched); refuse it (closing it) when the
    marker says the path held data and this file is another one without any."""
    with store._con.cursor() as cur:
        kinds = _user_data_kinds(cur)
    token = _file_token(store)
    if kinds and not mark:
        store.holds_data = True
        return
    if kinds:
        if token is None:
            token = uuid.uuid4().hex
            store.set_meta(FILE_TOKEN, token)
        if (
            marker is None
            or marker.get("file_token") != token
            or marker.get("inode") != store._file_id[1]
            or sorted(marker.get("holds") or []) != sorted(kinds)
        ):
            if marker is not None and marker.get("file_token") not in (None, token):
                log.warning(
                    "%s now names another database that holds %s (a restored copy?): its "
                    "marker is renewed.",
                    store.path,
                    ", ".join(kinds),
                )
            store._mark(token, kinds)
        store.holds_data = True
        store._held = frozenset(kinds)
        return
    if marker is not None and (marker.get("damaged") or marker.get("file_token") != token):
        store.close()
        raise _refuse_replaced(store.path, marker)


def snapshot_stamp(path: Path | str) -> str:
    """What identifies the file ``path`` points at now (through a symlink): device, inode, size
    and modification time. The import job publishes a snapshot by ``os.replace``-ing the path, so
    a new snapshot always has a new stamp; a replica reopens when the stamp changes (cache the
    opened store keyed on ``(path, snapshot_stamp(path))``)."""
    try:
        st = os.stat(path)  # follows the symlink
    except OSError:
        return "missing"
    return f"{st.st_dev}:{st.st_ino}:{st.st_size}:{st.st_mtime_ns}"


def publish_snapshot(source: Path | str, target: Path | str) -> Path:
    """Publish ``source`` (a closed, checkpointed database file) read-only at ``target``,
    atomically: copy to a new file beside the target, fsync it, then ``os.replace`` the target
    (a plain file or a symlink) so readers see either the old snapshot or the new one, never
    half of one. Returns the new snapshot's file."""
    import shutil

    source, target = Path(source), Path(target)
    stamp = time.strftime("%Y%m%d-%H%M%S") + f"-{time.time_ns() % 10**9:09d}"
    real = target.with_name(f"{target.name}.snap-{stamp}")
    tmp = real.with_name(real.name + ".tmp")
    with open(source, "rb") as src, open(tmp, "wb") as dst:
        shutil.copyfileobj(src, dst, 16 * 2**20)
        dst.flush()
        os.fsync(dst.fileno())
    os.chmod(tmp, 0o444)
    os.replace(tmp, real)
    link = target.with_name(f".{target.name}.link-{stamp}")
    os.symlink(real.name, link)
    os.replace(link, target)  # the atomic step: target now names the new snapshot
    dir_fd = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
    return real


def _open_snapshot(path: Path, Store) -> OpenResult:
    """XZ_DB_READONLY=1: a replica reading the published snapshot; never builds, never writes."""
    if not path.exists():
        raise StoreError(
            "只读数据快照不存在，请先由导入任务发布。",
            "The read-only data snapshot does not exist; the import job must publish it first.",
        )
    try:
        store = Store(path.resolve(), read_only=True)
    except duckdb.Error as exc:
        raise StoreError(
            "只读数据快照无法打开。", "The read-only data snapshot could not be opened."
        ) from exc
    if store.schema_version() != SCHEMA_VERSION:
        store.close()
        raise StoreError(
            "只读的数据库文件版本不符，无法使用。",
            "The read-only database file has another schema version and cannot be used.",
        )
    return OpenResult(store, [])


def open_store(
    path: Path | str, builder: Callable[[Path], None], cls=None, read_only: bool | None = None
) -> OpenResult:
    """Open the dashboard database, building or rebuilding it where that loses nothing.

    - ``read_only`` (default: the ``XZ_DB_READONLY`` setting): open the published snapshot the
      path points at, read-only, and nothing else (a replica behind a load balancer);

    - missing file: built from ``data/`` by ``builder``;
    - unreadable file (not a DuckDB database, damaged): moved aside and rebuilt;
    - another schema version: rebuilt when it holds no imported data, else a ``StoreError``;
    - locked by another process: a ``StoreError``.

    A file that ever held accounts or imports has a marker beside it (``<db>.holds-data``, see
    ``CoreStore._transaction``). While the marker is there the file is never built again: when
    it is missing, damaged (moved aside all the same) or replaced by a file without that data,
    a ``StoreError`` says so in one sentence and the log says how to restore it from a backup
    (``python -m dashboard_lib.backup restore``) or start over on purpose (``build --force``).
    """
    if cls is None:
        from . import Store as cls  # the composed class with every feature's queries
    Store = cls
    path = Path(path)
    if read_only is None:
        from ..settings import load_settings

        read_only = load_settings().db_readonly
    if read_only:
        return _open_snapshot(path, Store)
    notices: list[tuple[str, str]] = []
    marker = read_marker(path)
    if not path.exists():
        if marker is not None:
            raise _refuse_missing(path, marker)
        builder(path)
        notices.append(
            (
                "数据库文件不存在，已从 data/ 重新生成。",
                "The database file was missing and has been rebuilt from data/.",
            )
        )
    if not os.access(path, os.W_OK) or not os.access(path.parent, os.W_OK):
        # a file (or folder) the server may not write: show the data, refuse every change
        try:
            store = Store(path, read_only=True)
        except duckdb.Error as exc:
            raise StoreError(
                "数据库文件为只读且无法打开。",
                "The database file is read-only and could not be opened.",
            ) from exc
        notices.append(
            (
                "数据库文件为只读：可以查看，但不能导入或修改数据。",
                "The database file is read-only: you can view data but not import or edit.",
            )
        )
        if store.schema_version() != SCHEMA_VERSION:
            store.close()
            raise StoreError(
                "只读的数据库文件版本不符，无法使用。",
                "The read-only database file has another schema version and cannot be used.",
            )
        return OpenResult(store, notices)
    try:
        store = Store(path)
    except duckdb.IOException as exc:
        if "lock" in str(exc).lower():
            raise StoreError(
                "数据库正被另一个程序（例如正在运行的导入）占用，请稍后再试。",
                "The database is in use by another program (such as a running "
                "import); please try again shortly.",
            ) from exc
        moved = _aside(path, "corrupt")
        if marker is not None:
            raise _refuse_damaged(path, moved, marker) from exc
        builder(path)
        store = Store(path)
        notices.append(
            (
                f"数据库文件已损坏，已移至 {moved.name} 并重新生成。",
                f"The database file was damaged; it was moved to {moved.name} and rebuilt.",
            )
        )
    except duckdb.Error as exc:
        moved = _aside(path, "corrupt")
        if marker is not None:
            raise _refuse_damaged(path, moved, marker) from exc
        builder(path)
        store = Store(path)
        notices.append(
            (
                f"数据库文件无法读取，已移至 {moved.name} 并重新生成。",
                f"The database file could not be read; it was moved to {moved.name} and rebuilt.",
            )
        )
    version = store.schema_version()
    check_held_data(store, marker, mark=version == SCHEMA_VERSION)
    if version != SCHEMA_VERSION:
        if store.holds_data:
            store.close()
            raise StoreError(
                f"数据库结构版本为 {version}，本程序需要 {SCHEMA_VERSION}，且其中有导入的数据：请先备份并迁移，未做任何改动。",
                f"The database has schema version {version}, this program needs {SCHEMA_VERSION}, "
                "and it holds imported data: back it up and migrate it; nothing was changed.",
            )
        store.close()
        moved = _aside(path, f"v{version}")
        clear_marker(path)  # it held nothing people made (checked above): nothing to guard
        builder(path)
        store = Store(path)
        notices.append(
            (
                f"数据库结构版本（{version}）已过时，已移至 {moved.name} 并重新生成。",
                f"The database had an old schema version ({version}); it was moved to "
                f"{moved.name} and rebuilt.",
            )
        )
    return OpenResult(store, notices)
