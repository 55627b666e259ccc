"""The term reporting cycle's writes and reads (issue 16, parts 1–2): due dates, term reports,
their review, the ministry's approval of a term per province, and the lock approval puts on data.

A mixin of ``dashboard_lib.store.Store``. The tables (``schema.REPORTING_SCHEMA``):

- ``reporting_period(term, due_date, changed_by, changed_at)``: a due date the ministry set for a
  term; a term without a row is due ``programme.reporting.DUE_DAYS_AFTER_TERM`` days after it
  ends (the default is computed above the store, the one place it is written).
- ``term_report(project_id, term, status, first_submitted_at, submitted_by, submitted_at,
  reviewed_by, reviewed_at, review_comment)``: one row per project and term once the university
  submitted it. ``status`` is ``submitted`` (waiting for the province), ``returned`` (sent back
  with a comment: the university submits again) or ``accepted``. ``first_submitted_at`` is kept
  across resubmissions: timeliness is judged by the first filing (a report returned for a
  correction was still filed on time); ``submitted_at`` is the latest. ``provenance`` is
  ``entered`` (filed through the page) or ``simulated`` (the demo build's; a simulated report
  filed again through the page becomes ``entered``).
- ``term_approval(term, province_adcode, approved_by, approved_at, reopened_by, reopened_at,
  reopen_reason)``: the ministry's approval of a term for one province. The term is LOCKED for
  that province while ``approved_at`` is set and ``reopened_at`` is not; approving again clears
  the reopening (each approval and reopening is in the audit log with its reason).

Who may do what (every refusal a ``StoreError`` with a ``strings/reporting.py`` key, the
database unchanged): a university coordinator (or the ministry) submits reports of the projects
in scope; a province official reviews its own province's submitted reports (a comment is required
to return one) — one by one, or every one in scope in one transaction
(``submit_term_reports`` / ``accept_term_reports``: each row checked as a single action checks
it, one refusal refuses them all); only the ministry approves a term for a province — when
every project of that province has an accepted report — reopens it (a reason is required), and
changes due dates.

The lock (``refuse_locked``, called inside the import, undo and correction transactions of
``store/ingest.py``): a write is refused when it touches a row of an approved term of the row's
province — an activity by the term holding its ``start_date``; an outcome row of school year
``Y`` (the year the school year starts, as the import template says) by the two terms of that
school year, autumn ``Y`` (``Y*10+2``) and spring ``Y+1`` (``(Y+1)*10+1``). Milestones and
project rows carry no term and are not locked.

Every write takes ``_lock_writes`` first and runs the same SQL on DuckDB and PostgreSQL; reads
of these tables go to the system of record (``_sor_df``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date, datetime
from enum import Enum

import duckdb
import pandas as pd

from ..school_calendar import term_bounds, term_code, term_label
from ..scope import Filters, Viewer, as_of_cutoff, project_predicate
from ..vocab import Role
from .core import CoreStore, StoreError
from .schema import REPORTING_SCHEMA, REPORTING_TABLES, REPORTING_UPGRADE

log = logging.getLogger(__name__)

__all__ = ["ReportState", "ReportingOps", "refuse_locked"]


class ReportState(str, Enum):
    """The ``term_report.status`` values."""

    SUBMITTED = "submitted"
    RETURNED = "returned"
    ACCEPTED = "accepted"


def _now() -> datetime:
    """The time a write is stamped with (one place, so tests can set the clock)."""
    return datetime.now()


def _stamp(value) -> str:
    """A timestamp as a sentence shows it: ``2026-08-30 14:05``."""
    return pd.Timestamp(value).strftime("%Y-%m-%d %H:%M")


def _is_term(term: int) -> bool:
    try:
        term_bounds(int(term))
    except (TypeError, ValueError):
        return False
    return True


# The term code of a date expression ``{d}`` in SQL both databases run (``TERM_CODE_SQL``'s rule;
# DuckDB's ``month()``/``year()`` do not exist in PostgreSQL).
_TERM_OF = (
    "(CASE WHEN EXTRACT(MONTH FROM {d}) >= 8 THEN CAST(EXTRACT(YEAR FROM {d}) AS INTEGER) * 10 + 2 "
    "WHEN EXTRACT(MONTH FROM {d}) = 1 THEN (CAST(EXTRACT(YEAR FROM {d}) AS INTEGER) - 1) * 10 + 2 "
    "ELSE CAST(EXTRACT(YEAR FROM {d}) AS INTEGER) * 10 + 1 END)"
)

_LOCKED_SQL = """
    SELECT a.term, a.province_adcode, a.approved_by, a.approved_at,
           pr.name_zh AS province_zh, pr.name_en AS province_en
    FROM term_approval a LEFT JOIN province pr ON pr.adcode = a.province_adcode
    WHERE a.approved_at IS NOT NULL AND a.reopened_at IS NULL AND ({touched})
    ORDER BY a.term, a.province_adcode LIMIT 1"""


# Has ``term_report`` its ``provenance`` column? (Asked before the upgrade adds it.)
_HAS_PROVENANCE = (
    "SELECT count(*) FROM information_schema.columns WHERE table_name = 'term_report' "
    "AND column_name = 'provenance' AND table_schema = current_schema()"
)


def _has_approvals(cur) -> bool:
    """Does the database have the approval table? (A file built before it existed has none,
    and then nothing is approved.) Asked on the transaction's own cursor, both backends."""
    row = cur.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'term_approval' "
        "AND table_schema = current_schema()"
    ).fetchall()
    return bool(row and row[0][0])


def refuse_locked(
    cur, batch: int | None = None, dated: Iterable[tuple[int, date | None]] = ()
) -> None:
    """Inside a write transaction: refuse (``reporting_locked``, naming the term, the province,
    who approved and when) a write that touches data of an approved term.

    ``batch``: every activity and outcome row of that import batch, and every row it shelved (a
    replaced simulated project's rows) — what an import wrote, and what its undo would delete
    and restore. ``dated``: (project_id, activity start date) pairs, a correction's row before
    and after. The mapping of rows to terms is in the module docstring."""
    pairs = [(int(p), d) for p, d in dated if d is not None and not pd.isna(d)]
    if batch is None and not pairs:
        return
    if not _has_approvals(cur):
        return
    hit = None
    if batch is not None:
        act = _TERM_OF.format(d="x.start_date")
        shelf = (
            "JOIN ingest_shelf_project p ON p.project_id = x.project_id "
            "AND p.shelf_batch_id = x.shelf_batch_id WHERE x.shelf_batch_id = ?"
        )
        own = "JOIN project p USING (project_id) WHERE x.import_batch_id = ?"
        touched = f"""EXISTS (SELECT 1 FROM (
            SELECT {act} AS term, p.province_adcode FROM activity x {own}
            UNION ALL SELECT x.school_year * 10 + 2, p.province_adcode FROM outcome x {own}
            UNION ALL SELECT (x.school_year + 1) * 10 + 1, p.province_adcode FROM outcome x {own}
            UNION ALL SELECT {act}, p.province_adcode FROM ingest_shelf_activity x {shelf}
            UNION ALL SELECT x.school_year * 10 + 2, p.province_adcode
                FROM ingest_shelf_outcome x {shelf}
            UNION ALL SELECT (x.school_year + 1) * 10 + 1, p.province_adcode
                FROM ingest_shelf_outcome x {shelf}
            ) t WHERE t.term = a.term AND t.province_adcode = a.province_adcode)"""
        rows = cur.execute(_LOCKED_SQL.format(touched=touched), [int(batch)] * 6).fetchall()
        hit = rows[0] if rows else None
    for project_id, start in pairs:
        if hit is not None:
            break
        touched = (
            "a.term = ? AND a.province_adcode = "
            "(SELECT province_adcode FROM project WHERE project_id = ?)"
        )
        rows = cur.execute(
            _LOCKED_SQL.format(touched=touched),
            [term_code(pd.Timestamp(start).date()), project_id],
        ).fetchall()
        hit = rows[0] if rows else None
    if hit is not None:
        term, _adcode, by, at, name_zh, name_en = hit
        raise StoreError(
            "reporting_locked",
            term=term_label(term, "zh"),
            term_en=term_label(term, "en"),
            province=name_zh or str(_adcode),
            province_en=name_en or str(_adcode),
            by=by or "",
            at=_stamp(at),
        )


class ReportingOps(CoreStore):
    _reporting_ready = False
    _reporting_entered_only = False  # a read-only file from before ``term_report.provenance``

    def _ensure_reporting_schema(self) -> None:
        """Add this module's tables to a database built before they existed (same schema
        version; ``CREATE TABLE IF NOT EXISTS`` runs on both backends)."""
        if self._reporting_ready:
            return
        if self.writer is not None:  # a PostgreSQL made by ``pgsync init`` before these tables
            missing = self._sor_scalar(
                "SELECT count(*) FROM unnest(?::VARCHAR[]) AS t(name) "
                "WHERE to_regclass(t.name) IS NULL",
                [list(REPORTING_TABLES)],
            )
            if missing or not self._sor_scalar(_HAS_PROVENANCE):
                with self._transaction("store_write_failed") as cur:
                    cur.execute(REPORTING_SCHEMA)
                    for sql in REPORTING_UPGRADE:
                        cur.execute(sql)
            self._reporting_ready = True
            return
        have = set(self._df("SELECT table_name FROM information_schema.tables")["table_name"])
        if not set(REPORTING_TABLES) <= have or not self._df(_HAS_PROVENANCE).iloc[0, 0]:
            try:
                with self._con.cursor() as cur:
                    cur.execute(REPORTING_SCHEMA)
                    for sql in REPORTING_UPGRADE:
                        cur.execute(sql)
            except duckdb.Error:  # a file opened read-only: nothing was ever reported in it,
                if not set(REPORTING_TABLES) <= have:  # or (tables, no column) nothing simulated
                    return
                self._reporting_entered_only = True
            self._tables_cache = None
        self._reporting_ready = True

    # ------------------------------------------------------------------ reads
    def due_date_overrides(self) -> pd.DataFrame:
        """The due dates the ministry set: term, due_date, changed_by, changed_at."""
        self._ensure_reporting_schema()
        if not self._reporting_ready:
            return pd.DataFrame(columns=["term", "due_date", "changed_by", "changed_at"])
        return self._sor_df(
            "SELECT term, due_date, changed_by, changed_at FROM reporting_period ORDER BY term"
        )

    def term_reports(
        self, viewer: Viewer, term: int | None = None, as_of: date | None = None
    ) -> pd.DataFrame:
        """The term reports of the projects in the viewer's scope (one term, or every term), with
        their ``provenance``: 'entered' (filed through the page) or 'simulated' (the demo's).

        ``as_of``: the reports as they stood at the end of that day — one first submitted later
        is missing, a review made later has not happened (the report reads as submitted, or as
        returned when it was returned by then and filed again later: the audit log's line of
        the return says when), a resubmission made later reads as the first filing."""
        self._ensure_reporting_schema()
        cols = [
            "project_id",
            "term",
            "status",
            "first_submitted_at",
            "submitted_by",
            "submitted_at",
            "reviewed_by",
            "reviewed_at",
            "review_comment",
        ]
        if not self._reporting_ready:
            return pd.DataFrame(columns=[*cols, "provenance"])
        where, params = project_predicate(viewer, Filters(as_of=as_of))
        cutoff = as_of_cutoff(as_of)
        sel_params: list = []
        if cutoff is None:
            sel = ", ".join(f"r.{c}" for c in cols)
        else:  # each field as it stood at the cutoff (the same SQL on both backends)
            later = "(r.submitted_at >= ? OR (r.reviewed_at IS NOT NULL AND r.reviewed_at >= ?))"
            # a resubmission after the cutoff followed a return: was that return before it?
            # (the audit log's line of the return says when)
            returned = (
                "EXISTS (SELECT 1 FROM audit_log l WHERE l.action = 'term_report_return' "
                "AND l.logged_at < ? AND l.detail LIKE 'project_id=' || "
                "CAST(r.project_id AS VARCHAR) || ' term=' || CAST(r.term AS VARCHAR) || ' %')"
            )
            parts = {c: f"r.{c}" for c in cols}
            parts["status"] = (
                f"CASE WHEN NOT {later} THEN r.status WHEN r.submitted_at >= ? AND {returned} "
                "THEN 'returned' ELSE 'submitted' END"
            )
            parts["submitted_at"] = (
                "CASE WHEN r.submitted_at >= ? THEN r.first_submitted_at ELSE r.submitted_at END"
            )
            for c in ("reviewed_by", "reviewed_at", "review_comment"):
                parts[c] = f"CASE WHEN {later} THEN NULL ELSE r.{c} END"
            sel = ", ".join(f"{parts[c]} AS {c}" for c in cols)
            sel_params = [cutoff] * (4 + 1 + 2 * 3)
            where += " AND r.first_submitted_at < ?"
            params = [*params, cutoff]
        sel += ", 'entered' AS provenance" if self._reporting_entered_only else ", r.provenance"
        extra, extra_params = ("", []) if term is None else (" AND r.term = ?", [int(term)])
        return self._sor_df(
            f"""SELECT {sel} FROM term_report r JOIN project p USING (project_id)
                WHERE {where}{extra} ORDER BY r.term, r.project_id""",
            [*sel_params, *params, *extra_params],
        )

    def term_approvals(
        self, viewer: Viewer, term: int | None = None, as_of: date | None = None
    ) -> pd.DataFrame:
        """Approvals of the provinces in the viewer's scope: term, province_adcode, approved_by,
        approved_at, reopened_by, reopened_at, reopen_reason, locked.

        ``as_of``: as they stood at the end of that day — an approval made later is not there, a
        reopening made later has not happened (the term reads as locked)."""
        self._ensure_reporting_schema()
        cols = [
            "term",
            "province_adcode",
            "approved_by",
            "approved_at",
            "reopened_by",
            "reopened_at",
            "reopen_reason",
        ]
        if not self._reporting_ready:
            return pd.DataFrame(columns=[*cols, "locked"])
        clauses: list[str] = []
        params: list = []
        if viewer.provinces is not None:
            clauses.append("(a.province_adcode = ANY(?::INTEGER[]))")
            params.append(sorted(viewer.provinces))
        if term is not None:
            clauses.append("a.term = ?")
            params.append(int(term))
        cutoff = as_of_cutoff(as_of)
        if cutoff is None:
            source, sparams = "term_approval", []
        else:  # reopened after the cutoff: not yet reopened then
            later = "reopened_at IS NOT NULL AND reopened_at >= ?"
            moved = ", ".join(
                f"CASE WHEN {later} THEN NULL ELSE {c} END AS {c}"
                for c in ("reopened_by", "reopened_at", "reopen_reason")
            )
            source = (
                f"(SELECT term, province_adcode, approved_by, approved_at, {moved} "
                "FROM term_approval WHERE approved_at < ?)"
            )
            sparams = [cutoff, cutoff, cutoff, cutoff]
        where = " AND ".join(clauses) or "TRUE"
        sel = ", ".join(f"a.{c}" for c in cols)
        return self._sor_df(
            f"""SELECT {sel}, (a.approved_at IS NOT NULL AND a.reopened_at IS NULL) AS locked
                FROM {source} a WHERE {where} ORDER BY a.term, a.province_adcode""",
            [*sparams, *params],
        )

    # ------------------------------------------------------------------ writes
    @staticmethod
    def _writer_role(viewer: Viewer, roles: tuple[Role, ...], refusal: str) -> None:
        """Refuse a read-only viewer, and a role outside ``roles`` (in the words of
        ``refusal``, a strings key)."""
        if viewer.read_only or viewer.role is Role.PRESENTER:
            raise StoreError("store_read_only_mode")
        if viewer.role not in roles:
            raise StoreError(refusal)

    @staticmethod
    def _actor(viewer: Viewer) -> str:
        return viewer.name or viewer.role.value

    @staticmethod
    def _check_term(term: int) -> int:
        if not _is_term(term):
            raise StoreError("reporting_bad_term", term=term)
        return int(term)

    def _project_in_scope(self, cur, viewer: Viewer, project_id: int) -> int:
        """The province of the project, when it lies in the viewer's scope (else refused)."""
        where, params = project_predicate(viewer, None)
        row = cur.execute(
            f"SELECT p.province_adcode FROM project p WHERE p.project_id = ? AND {where}",
            [int(project_id), *params],
        ).fetchall()
        if not row:
            raise StoreError("reporting_project_out_of_scope", project=int(project_id))
        return int(row[0][0])

    def _open_report(
        self, cur, viewer: Viewer, project_id: int, term: int, locked: bool = False
    ) -> str | None:
        """Inside a report write: one writer at a time (``locked``: the caller took the lock),
        the project in the viewer's scope, its province's term not approved; the report's
        status now (None: never submitted)."""
        if not locked:
            self._lock_writes(cur)
        province = self._project_in_scope(cur, viewer, project_id)
        self._refuse_if_approved(cur, term, province)
        row = cur.execute(
            "SELECT status FROM term_report WHERE project_id = ? AND term = ?",
            [int(project_id), term],
        ).fetchall()
        return row[0][0] if row else None

    @staticmethod
    def _refuse_if_approved(cur, term: int, province: int) -> None:
        row = cur.execute(
            "SELECT approved_by, approved_at FROM term_approval WHERE term = ? "
            "AND province_adcode = ? AND approved_at IS NOT NULL AND reopened_at IS NULL",
            [term, province],
        ).fetchall()
        if row:
            raise StoreError(
                "reporting_term_approved",
                term=term_label(term, "zh"),
                term_en=term_label(term, "en"),
                by=row[0][0] or "",
                at=_stamp(row[0][1]),
            )

    def _submittable_term(self, viewer: Viewer, term: int) -> int:
        """Who may file, and a finished term (else refused before any transaction)."""
        self._writer_role(viewer, (Role.UNIVERSITY, Role.MINISTRY), "reporting_only_university")
        term = self._check_term(term)
        if term_bounds(term)[1] >= _now().date():
            raise StoreError(
                "reporting_term_not_ended",
                term=term_label(term, "zh"),
                term_en=term_label(term, "en"),
            )
        self._ensure_reporting_schema()
        return term

    def _file(self, cur, viewer: Viewer, project_id: int, term: int, status_now, bulk: bool):
        """Inside a submit transaction whose checks passed: write the filing and its audit line
        (a report filed through the page is ``entered``, even when it replaces a simulated one
        that was returned)."""
        now = _now()
        if status_now is not None:
            cur.execute(
                "UPDATE term_report SET status = ?, submitted_by = ?, submitted_at = ?, "
                "provenance = 'entered' WHERE project_id = ? AND term = ?",
                [ReportState.SUBMITTED.value, self._actor(viewer), now, int(project_id), term],
            )
        else:
            cur.execute(
                "INSERT INTO term_report (project_id, term, status, first_submitted_at, "
                "submitted_by, submitted_at, provenance) VALUES (?, ?, ?, ?, ?, ?, 'entered')",
                [int(project_id), term, ReportState.SUBMITTED.value, now, self._actor(viewer), now],
            )
        self._audit(
            cur,
            self._actor(viewer),
            "term_report_submit",
            f"project_id={int(project_id)} term={term} again={status_now is not None}"
            + (" bulk=True" if bulk else ""),
        )

    def _review(self, cur, viewer: Viewer, project_id: int, term: int, accept: bool, comment):
        """Inside a review transaction whose checks passed: the new status and its audit line."""
        status = (ReportState.ACCEPTED if accept else ReportState.RETURNED).value
        cur.execute(
            "UPDATE term_report SET status = ?, reviewed_by = ?, reviewed_at = ?, "
            "review_comment = ? WHERE project_id = ? AND term = ?",
            [status, self._actor(viewer), _now(), comment or None, int(project_id), term],
        )
        self._audit(
            cur,
            self._actor(viewer),
            f"term_report_{'accept' if accept else 'return'}",
            f"project_id={int(project_id)} term={term} comment={comment}",
        )
        return status

    def submit_term_report(self, viewer: Viewer, project_id: int, term: int) -> str:
        """A university (or the ministry) files a project's report for a finished term; a
        returned report is filed again. Returns the new status."""
        term = self._submittable_term(viewer, term)
        with self._transaction("store_write_failed") as cur:
            status_now = self._open_report(cur, viewer, project_id, term)
            if status_now is not None and status_now != ReportState.RETURNED.value:
                already = (
                    "reporting_already_accepted"
                    if status_now == ReportState.ACCEPTED.value
                    else "reporting_already_submitted"
                )
                raise StoreError(already, project=int(project_id))
            self._file(cur, viewer, project_id, term, status_now, bulk=False)
            self._after_write(cur, "reporting")
        return ReportState.SUBMITTED.value

    def _bulk_rows(self, cur, viewer: Viewer, term: int, states_sql: str, only) -> list[int]:
        """The projects a bulk action touches, in the viewer's scope: those whose report for
        ``term`` is in ``states_sql`` (a predicate over ``r.status``), narrowed to ``only`` (the
        projects the page shows) when given; a project of ``only`` outside the scope is
        refused, naming it."""
        where, params = project_predicate(viewer, None)
        rows = cur.execute(
            f"""SELECT p.project_id FROM project p
                LEFT JOIN term_report r ON r.project_id = p.project_id AND r.term = ?
                WHERE {where} AND ({states_sql}) ORDER BY p.project_id""",
            [term, *params],
        ).fetchall()
        ids = [int(r[0]) for r in rows]
        if only is None:
            return ids
        wanted = sorted({int(x) for x in only})
        for pid in wanted:
            self._project_in_scope(cur, viewer, pid)
        keep = set(wanted)
        return [pid for pid in ids if pid in keep]

    def submit_term_reports(self, viewer: Viewer, term: int, only=None) -> int:
        """A university coordinator (or the ministry) files, in one transaction, the report of
        every project in its scope that has not filed ``term`` yet or was returned (``only``:
        just these projects, e.g. the ones the page lists). Each row is checked as
        ``submit_term_report`` checks it (scope, the province's term not approved): one refusal
        refuses them all and nothing is written. Returns how many were filed."""
        term = self._submittable_term(viewer, term)
        with self._transaction("store_write_failed") as cur:
            self._lock_writes(cur)
            todo = self._bulk_rows(
                cur,
                viewer,
                term,
                f"r.status IS NULL OR r.status = '{ReportState.RETURNED.value}'",
                only,
            )
            for pid in todo:
                status_now = self._open_report(cur, viewer, pid, term, locked=True)
                self._file(cur, viewer, pid, term, status_now, bulk=True)
            if todo:
                self._after_write(cur, "reporting")
        return len(todo)

    def review_term_report(
        self, viewer: Viewer, project_id: int, term: int, accept: bool, comment: str = ""
    ) -> str:
        """A province official accepts a submitted report of its own province, or returns it
        with a comment (required). Returns the new status."""
        self._writer_role(viewer, (Role.PROVINCE,), "reporting_only_province")
        term = self._check_term(term)
        comment = (comment or "").strip()
        if not accept and not comment:
            raise StoreError("reporting_comment_required")
        self._ensure_reporting_schema()
        with self._transaction("store_write_failed") as cur:
            status_now = self._open_report(cur, viewer, project_id, term)
            if status_now != ReportState.SUBMITTED.value:
                raise StoreError(
                    "reporting_not_submitted",
                    project=int(project_id),
                    term=term_label(term, "zh"),
                    term_en=term_label(term, "en"),
                )
            status = self._review(cur, viewer, project_id, term, accept, comment)
            self._after_write(cur, "reporting")
        return status

    def accept_term_reports(self, viewer: Viewer, term: int, only=None) -> int:
        """A province official accepts, in one transaction, every submitted ``term`` report of
        its province (``only``: just these projects). Each row is checked as
        ``review_term_report`` checks it: one refusal refuses them all and nothing is written.
        Returns how many were accepted."""
        self._writer_role(viewer, (Role.PROVINCE,), "reporting_only_province")
        term = self._check_term(term)
        self._ensure_reporting_schema()
        with self._transaction("store_write_failed") as cur:
            self._lock_writes(cur)
            todo = self._bulk_rows(
                cur, viewer, term, f"r.status = '{ReportState.SUBMITTED.value}'", only
            )
            for pid in todo:
                self._open_report(cur, viewer, pid, term, locked=True)
                self._review(cur, viewer, pid, term, True, "")
            if todo:
                self._after_write(cur, "reporting")
        return len(todo)

    def approve_term(self, viewer: Viewer, term: int, province_adcode: int) -> None:
        """The ministry approves a term for a province once every project of it has an accepted
        report: the province's data of that term are locked from then on."""
        self._writer_role(viewer, (Role.MINISTRY,), "reporting_only_ministry")
        term = self._check_term(term)
        province = int(province_adcode)
        self._ensure_reporting_schema()
        with self._transaction("store_write_failed") as cur:
            self._lock_writes(cur)
            self._refuse_if_approved(cur, term, province)
            total, accepted = cur.execute(
                """SELECT count(*), count(r.project_id) FROM project p
                   LEFT JOIN term_report r ON r.project_id = p.project_id AND r.term = ?
                        AND r.status = ?
                   WHERE p.province_adcode = ?""",
                [term, ReportState.ACCEPTED.value, province],
            ).fetchall()[0]
            if not total:
                raise StoreError("reporting_no_projects", province=province)
            if accepted < total:
                raise StoreError(
                    "reporting_not_all_accepted",
                    n=int(total - accepted),
                    total=int(total),
                    term=term_label(term, "zh"),
                    term_en=term_label(term, "en"),
                )
            cur.execute(
                """INSERT INTO term_approval (term, province_adcode, approved_by, approved_at,
                       reopened_by, reopened_at, reopen_reason)
                   VALUES (?, ?, ?, ?, NULL, NULL, NULL)
                   ON CONFLICT (term, province_adcode) DO UPDATE SET
                       approved_by = excluded.approved_by, approved_at = excluded.approved_at,
                       reopened_by = NULL, reopened_at = NULL, reopen_reason = NULL""",
                [term, province, self._actor(viewer), _now()],
            )
            self._audit(
                cur, self._actor(viewer), "term_approve", f"term={term} province={province}"
            )
            self._after_write(cur, "reporting")

    def reopen_term(self, viewer: Viewer, term: int, province_adcode: int, reason: str) -> None:
        """The ministry reopens an approved term of a province (the reason is required and goes
        to the audit log): its data can be changed again."""
        self._writer_role(viewer, (Role.MINISTRY,), "reporting_only_ministry")
        term = self._check_term(term)
        province = int(province_adcode)
        reason = (reason or "").strip()
        if not reason:
            raise StoreError("reporting_reason_required")
        self._ensure_reporting_schema()
        with self._transaction("store_write_failed") as cur:
            self._lock_writes(cur)
            row = cur.execute(
                "SELECT 1 FROM term_approval WHERE term = ? AND province_adcode = ? "
                "AND approved_at IS NOT NULL AND reopened_at IS NULL",
                [term, province],
            ).fetchall()
            if not row:
                raise StoreError(
                    "reporting_not_approved",
                    term=term_label(term, "zh"),
                    term_en=term_label(term, "en"),
                )
            cur.execute(
                "UPDATE term_approval SET reopened_by = ?, reopened_at = ?, reopen_reason = ? "
                "WHERE term = ? AND province_adcode = ?",
                [self._actor(viewer), _now(), reason, term, province],
            )
            self._audit(
                cur,
                self._actor(viewer),
                "term_reopen",
                f"term={term} province={province} reason={reason}",
            )
            self._after_write(cur, "reporting")

    def set_due_date(self, viewer: Viewer, term: int, due_date: date) -> None:
        """The ministry sets a term's due date (it must not fall before the term ends)."""
        self._writer_role(viewer, (Role.MINISTRY,), "reporting_only_ministry")
        term = self._check_term(term)
        if due_date is None or pd.isna(due_date):
            raise StoreError("reporting_due_missing")
        due = pd.Timestamp(due_date).date()
        end = term_bounds(term)[1]
        if due < end:
            raise StoreError("reporting_due_before_end", end=end.isoformat())
        self._ensure_reporting_schema()
        with self._transaction("store_write_failed") as cur:
            self._lock_writes(cur)
            cur.execute(
                """INSERT INTO reporting_period (term, due_date, changed_by, changed_at)
                   VALUES (?, ?, ?, ?)
                   ON CONFLICT (term) DO UPDATE SET due_date = excluded.due_date,
                       changed_by = excluded.changed_by, changed_at = excluded.changed_at""",
                [term, due, self._actor(viewer), _now()],
            )
            self._audit(cur, self._actor(viewer), "term_due_date", f"term={term} due={due}")
            self._after_write(cur, "reporting")
