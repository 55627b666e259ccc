"""Successive cycles per project (issue 16, part 5): the agreements a project had one after
another, and the 签约/备案/启动 milestones of each cycle after the first.

A mixin of ``dashboard_lib.store.Store``. The tables (``schema.CYCLES_SCHEMA``):

- ``project_cycle(project_id, cycle_no, university_id, start_date, end_date, status, note,
  provenance, source_url, import_batch_id)``. A project's first cycle may have no row: it is then
  the one ``project`` records (``cycle_start``/``cycle_end``/``university_id``; what every page
  read before the cycles existed, and still reads). ``programme.cycles`` puts the two together and
  derives each cycle's outcome (renewed, re-paired, ended, ongoing).
- ``cycle_milestone(project_id, cycle_no, kind, due_date, done_date, ...)``: the milestones of
  cycles 2, 3, ...; those of cycle 1 stay in ``milestone``.

Reads are in the viewer's scope (``project_predicate`` on the project) and its provenance limit
(the demo sees no imported rows), from the system of record (``_sor_df``). The one write is the
project import of a second batch (``_commit_cycles``, called by ``IngestOps._commit_projects``
inside the import's transaction): it checks again, in SQL, that every project is in the scope the
batch recorded (``ingest_batch_scope``) and that the cycle's university is one of the importer's
universities, that the cycle is new and follows the project's last one. Undo deletes the rows of
the batch (``undo_batch``). The same SQL runs on DuckDB and PostgreSQL.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from ..scope import Filters, Viewer, project_predicate, row_provenance_predicate
from ..vocab import MilestoneKind
from .core import CoreStore, StoreError
from .schema import CYCLES_SCHEMA, CYCLES_TABLES

__all__ = [
    "CYCLE_COLUMNS",
    "CYCLE_MILESTONE_COLUMNS",
    "CycleOps",
    "first_cycle_span",
    "renewal_deadlines",
]

CYCLE_COLUMNS = [
    "project_id",
    "cycle_no",
    "university_id",
    "start_date",
    "end_date",
    "status",
    "note",
    "provenance",
    "source_url",
    "import_batch_id",
]
CYCLE_MILESTONE_COLUMNS = [
    "project_id",
    "cycle_no",
    "kind",
    "due_date",
    "done_date",
    "date_precision",
    "note",
    "provenance",
    "source_url",
    "import_batch_id",
]


def renewal_deadlines(start) -> dict[str, object]:
    """The deadlines of a cycle starting on ``start``, as the first cycle had them before its
    2022-09-01 start: signed 32 days before (2022-07-31), filed 17 days before (2022-08-15),
    launched 29 days after (2022-09-30)."""
    day = pd.Timestamp(start)
    return {
        MilestoneKind.SIGNED.value: (day - pd.Timedelta(days=32)).date(),
        MilestoneKind.FILED.value: (day - pd.Timedelta(days=17)).date(),
        MilestoneKind.LAUNCHED.value: (day + pd.Timedelta(days=29)).date(),
    }


def first_cycle_span(cycle_start, cycle_end) -> tuple[object, object]:
    """The start and end of a project's first cycle as ``project`` records it: no start is the
    programme's, no end is three years after the start."""
    from ..school_calendar import CYCLE_YEARS, PROGRAMME_START_DATE

    start = PROGRAMME_START_DATE if pd.isna(cycle_start) else cycle_start
    if not pd.isna(cycle_end):
        return start, cycle_end
    return start, (pd.Timestamp(start) + pd.DateOffset(years=CYCLE_YEARS, days=-1)).date()


class CycleOps(CoreStore):
    _cycles_ready = False

    def _ensure_cycles_schema(self) -> None:
        """Add the cycle tables to a database built before they existed (same schema version;
        ``CREATE TABLE IF NOT EXISTS`` runs on both backends)."""
        if self._cycles_ready:
            return
        if self.writer is not None:  # a PostgreSQL made by ``pgsync init`` before the tables
            missing = self._sor_scalar(
                "SELECT count(*) FROM unnest(?::VARCHAR[]) AS t(name) "
                "WHERE to_regclass(t.name) IS NULL",
                [list(CYCLES_TABLES)],
            )
            if missing:
                with self._transaction("store_write_failed") as cur:
                    cur.execute(CYCLES_SCHEMA)
            self._cycles_ready = True
            return
        have = set(self._df("SELECT table_name FROM information_schema.tables")["table_name"])
        if not set(CYCLES_TABLES) <= have:
            try:
                with self._con.cursor() as cur:
                    cur.execute(CYCLES_SCHEMA)
            except duckdb.Error:  # a file opened read-only: it holds no cycle rows
                return
            self._tables_cache = None
        self._cycles_ready = True

    # ------------------------------------------------------------------ reads
    def _cycle_rows(
        self,
        table: str,
        columns: list[str],
        viewer: Viewer,
        filters: Filters | None,
        project_id: int | None,
        order: str,
    ) -> pd.DataFrame:
        self._ensure_cycles_schema()
        if not self._cycles_ready:
            return pd.DataFrame(columns=columns)
        where, params = project_predicate(viewer, filters)
        own, own_params = row_provenance_predicate(viewer, "x")
        where, params = f"{where} AND {own}", [*params, *own_params]
        if project_id is not None:
            where, params = f"{where} AND p.project_id = ?", [*params, int(project_id)]
        sel = ", ".join(f"x.{c}" for c in columns)
        return self._sor_df(
            f"SELECT {sel} FROM {table} x JOIN project p USING (project_id) "
            f"WHERE {where} ORDER BY {order}",
            params,
        )

    def project_cycles(
        self, viewer: Viewer, filters: Filters | None = None, project_id: int | None = None
    ) -> pd.DataFrame:
        """The stored cycle rows of the projects in the viewer's scope (``CYCLE_COLUMNS``); a
        project's first cycle may have none (``programme.cycles.all_cycles`` adds it)."""
        return self._cycle_rows(
            "project_cycle",
            CYCLE_COLUMNS,
            viewer,
            filters,
            project_id,
            "x.project_id, x.cycle_no",
        )

    def cycle_milestones(
        self, viewer: Viewer, filters: Filters | None = None, project_id: int | None = None
    ) -> pd.DataFrame:
        """The milestones of the cycles after the first (``CYCLE_MILESTONE_COLUMNS``)."""
        return self._cycle_rows(
            "cycle_milestone",
            CYCLE_MILESTONE_COLUMNS,
            viewer,
            filters,
            project_id,
            "x.project_id, x.cycle_no, x.kind",
        )

    # ------------------------------------------------------------------ the import's write
    def _commit_cycles(self, cur, batch: int, rows: pd.DataFrame, prov: str = "imported") -> int:
        """Write the renewal rows of a project import (columns ``project_id``, ``cycle_no``,
        ``university_id``, ``start_date``, ``end_date``, ``signed_date``, ``note``) as batch
        ``batch``, inside the caller's transaction. Refused (``StoreError``, nothing written by
        the caller's rollback) when a project is outside the batch's recorded scope, the
        cycle's university is not the importer's, the cycle exists already or does not follow
        the project's last one."""
        if rows.empty:
            return 0
        scope = cur.execute(
            "SELECT provinces, universities FROM ingest_batch_scope WHERE import_batch_id = ?",
            [batch],
        ).fetchall()
        provinces, universities = scope[0] if scope else (None, None)
        for r in rows.itertuples(index=False):
            pid, n, uid = int(r.project_id), int(r.cycle_no), int(r.university_id)
            found = cur.execute(
                "SELECT province_adcode, university_id FROM project WHERE project_id = ?", [pid]
            ).fetchall()
            if not found:
                raise StoreError("store_out_of_scope_projects")
            prov_code, own_uni = int(found[0][0]), int(found[0][1])
            if provinces is not None and prov_code not in {int(x) for x in provinces}:
                raise StoreError("store_out_of_scope_projects")
            if universities is not None and (
                own_uni not in {int(x) for x in universities}
                or uid not in {int(x) for x in universities}
            ):
                raise StoreError("store_out_of_scope_projects")
            last = cur.execute(
                "SELECT max(cycle_no) FROM project_cycle WHERE project_id = ?", [pid]
            ).fetchone()[0]
            last = int(last) if last is not None else 1  # cycle 1 may live in ``project`` only
            if n <= last:
                raise StoreError("cycle_store_exists", project=pid, cycle=n)
            if n != last + 1:
                raise StoreError("cycle_store_gap", project=pid, cycle=n, last=last)
            cur.execute(
                "INSERT INTO project_cycle (project_id, cycle_no, university_id, start_date, "
                "end_date, status, note, provenance, import_batch_id) "
                "VALUES (?, ?, ?, ?, ?, 'ongoing', ?, ?, ?)",
                [pid, n, uid, r.start_date, r.end_date, r.note, prov, batch],
            )
            if uid != own_uni:  # re-paired: the new university hosts the project from now on
                self._move_host(cur, batch, pid, uid)
                own_uni = uid
            signed = getattr(r, "signed_date", None)
            if signed is not None and not pd.isna(signed):
                cur.execute(
                    "INSERT INTO cycle_milestone (project_id, cycle_no, kind, due_date, "
                    "done_date, date_precision, provenance, import_batch_id) "
                    "VALUES (?, ?, ?, ?, ?, 'day', ?, ?)",
                    [
                        pid,
                        n,
                        MilestoneKind.SIGNED.value,
                        renewal_deadlines(r.start_date)[MilestoneKind.SIGNED.value],
                        signed,
                        prov,
                        batch,
                    ],
                )
        return len(rows)

    @staticmethod
    def _move_host(cur, batch: int, pid: int, uid: int) -> None:
        """Make ``uid`` the university of project ``pid`` (``project.university_id`` is the one
        hosting it now: scope, filters, lists and map lines follow it), inside batch ``batch``'s
        transaction. The project's row as it was is shelved for the batch's undo, and its first
        cycle gets a row of its own (with the batch, so the undo removes it) when it had none,
        so that the first cycle keeps its university."""
        shelved = cur.execute(
            "SELECT count(*) FROM ingest_shelf_project WHERE shelf_batch_id = ? AND project_id = ?",
            [batch, pid],
        ).fetchone()[0]
        if not shelved:
            cur.execute(
                "INSERT INTO ingest_shelf_project SELECT ?, * FROM project WHERE project_id = ?",
                [batch, pid],
            )
        has_first = cur.execute(
            "SELECT count(*) FROM project_cycle WHERE project_id = ? AND cycle_no = 1", [pid]
        ).fetchone()[0]
        if not has_first:
            row = cur.execute(
                "SELECT university_id, cycle_start, cycle_end, provenance, source_url "
                "FROM project WHERE project_id = ?",
                [pid],
            ).fetchall()[0]
            start, end = first_cycle_span(row[1], row[2])
            cur.execute(
                "INSERT INTO project_cycle (project_id, cycle_no, university_id, start_date, "
                "end_date, status, provenance, source_url, import_batch_id) "
                "VALUES (?, 1, ?, ?, ?, 'ongoing', ?, ?, ?)",
                [pid, int(row[0]), start, end, row[3], row[4], batch],
            )
        cur.execute("UPDATE project SET university_id = ? WHERE project_id = ?", [uid, pid])
