"""Writes of the import and entry forms (issue 5): batches, validation results, undo.

A mixin of ``dashboard_lib.store.Store``: methods use ``self._df``, ``self._scalar`` and
``self._con.cursor()``, always with bound parameters and the viewer's scope
(``scope.project_predicate``).

- ``import_commit`` writes one batch in ONE transaction (BEGIN … COMMIT, ROLLBACK on any error):
  the accepted rows with provenance 'imported' (a file) or 'entered' (the entry form: a batch
  without a file) and their ``import_batch_id``, the rejected rows
  (``ingest_rejected``), the importer's scope (``ingest_batch_scope``), an audit line, and
  ``refresh_summaries``. The scope is checked again in SQL inside the transaction.
- A project that replaces a simulated one keeps its id: the old project row and its simulated
  milestones, activity and outcomes are moved to the ``ingest_shelf_*`` tables; ``undo_batch``
  puts them back.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime

import duckdb
import pandas as pd

from ..scope import Filters, Viewer, project_predicate
from ..vocab import (
    DEADLINES,
    EDITABLE_ACTIVITY_FIELDS,
    PEOPLES_PROVENANCES,
    MilestoneKind,
    Provenance,
    RecordKind,
    Role,
)
from .comparison import ComparisonOps
from .core import StoreError
from .cycles import CycleOps, first_cycle_span
from .lifecycle import columns_of
from .quality import undo_quality_flags, write_import_flags
from .reporting import refuse_locked
from .schema import INGEST_SCHEMA, INGEST_TABLES

log = logging.getLogger(__name__)

# (the cycle tables too, issue 16: a replaced simulated project's simulated cycles)
_SHELVED = ("milestone", "activity", "outcome", "project_cycle", "cycle_milestone")
_ACT_COLS = (
    "activity_id",
    "project_id",
    "kind",
    "start_date",
    "end_date",
    "people",
    "person_months",
    "participants",
    "hours",
    "mode",
    "role",
    "subject",
    "level",
    "direction",
    "note",
)


@dataclass
class ReferenceData:
    """What ``ingest_reference`` reads for validation, as plain tables: ``dashboard_lib.ingest``
    wraps it in its ``Reference`` (the lookups by name)."""

    provinces: pd.DataFrame  # adcode, name_zh, short_zh, name_en
    counties: pd.DataFrame  # adcode, name_zh, province_adcode, prefecture_zh
    universities: pd.DataFrame  # university_id, name_zh, name_en
    projects: pd.DataFrame  # projects in scope: project_id, school_zh, county_adcode, province_adcode, university_id, provenance
    existing_keys: set = field(default_factory=set)  # natural keys of existing rows of this kind
    today: date = field(default_factory=date.today)
    outside: pd.DataFrame | None = (
        None  # school_zh, county_adcode of the projects OUTSIDE the scope
    )
    # (project imports only: such a school may not be imported)
    # project imports: each project's last cycle (project_id -> (cycle_no, start, end,
    # university_id)), for a renewal row of a second batch (issue 16)
    cycles: dict = field(default_factory=dict)
    # outcome imports: the stored values in scope (project_id, school_year, indicator, value),
    # each row's previous school year for the data-quality rules (issue 16, part 7)
    outcome_values: pd.DataFrame | None = None


def activity_key(project_id, kind, start, end, role, subject, level, people, participants) -> tuple:
    """The natural key of an activity row (the same columns ``_commit_activities`` compares)."""

    def n(v):
        if v is None or (isinstance(v, float) and v != v) or v is pd.NA or v is pd.NaT:
            return None
        return v

    def d(v):
        v = n(v)
        return None if v is None else pd.Timestamp(v).date()

    def i(v):
        v = n(v)
        return None if v is None else int(v)

    return (
        int(project_id),
        str(kind),
        d(start),
        d(end),
        n(role) or "",
        n(subject) or "",
        n(level) or "",
        i(people),
        i(participants),
    )


def existing_key_set(kind: RecordKind, frame: pd.DataFrame) -> set:
    """Natural keys of existing rows (a frame read by ``IngestOps.ingest_reference``)."""
    kind = RecordKind(kind)
    if frame.empty:
        return set()
    if kind is RecordKind.OUTCOME:
        return {
            ("outcome", int(p), int(y), str(i))
            for p, y, i in zip(frame["project_id"], frame["school_year"], frame["indicator"])
        }
    if kind is RecordKind.PROJECT:
        return set()
    if kind is RecordKind.COMPARISON:  # issue 16 part 4: (school name, county, year, indicator)
        return {
            ("comparison", str(s), int(c), int(y), str(i))
            for s, c, y, i in zip(
                frame["school_zh"], frame["county_adcode"], frame["school_year"], frame["indicator"]
            )
        }
    return {
        activity_key(*t)
        for t in zip(
            frame["project_id"],
            frame["kind"],
            frame["start_date"],
            frame["end_date"],
            frame["role"],
            frame["subject"],
            frame["level"],
            frame["people"],
            frame["participants"],
        )
    }


# SQL list of the provenances of rows people made (fixed vocabulary values, never user input)
_PEOPLES = ", ".join(f"'{p}'" for p in PEOPLES_PROVENANCES)


def batch_provenance(file_name: str | None) -> str:
    """The provenance of the rows of a batch: 'imported' from a file, 'entered' from the form."""
    return (Provenance.IMPORTED if file_name else Provenance.ENTERED).value


class IngestOps(CycleOps, ComparisonOps):
    _ingest_ready = False

    def label_entered_rows(self) -> int:
        """Migration of files written before 'entered' existed: the activity and outcome rows of
        a batch without a file (the entry form) were stored as 'imported'; they become
        'entered'. Idempotent; nothing is written when nothing is to change (a read-only file,
        a database without such rows). Returns the number of rows relabelled."""
        have = self._known_tables()
        if not {"activity", "outcome", "import_batch"} <= have:
            return 0
        form = "SELECT import_batch_id FROM import_batch WHERE file_name IS NULL"
        todo = self._scalar(
            f"""SELECT (SELECT count(*) FROM activity WHERE provenance = 'imported'
                          AND import_batch_id IN ({form}))
                     + (SELECT count(*) FROM outcome WHERE provenance = 'imported'
                          AND import_batch_id IN ({form}))"""
        )
        if not todo or self.read_only or self.writer is not None:
            return 0
        with self._transaction("store_write_failed") as cur:
            for table in ("activity", "outcome"):
                cur.execute(
                    f"UPDATE {table} SET provenance = 'entered' WHERE provenance = 'imported' "
                    f"AND import_batch_id IN ({form})"
                )
            self._after_write(cur)
        log.info("%s entered rows relabelled from 'imported' to 'entered'", todo)
        return int(todo)

    def _ensure_ingest_schema(self) -> None:
        """Add this module's tables to a database built before they existed (same schema version)."""
        self._ensure_cycles_schema()  # a project import writes and shelves cycle rows too
        if self._ingest_ready:
            return
        if self.writer is not None:  # PostgreSQL: its tables are made by ``pgsync init``
            self._ingest_ready = True
            return
        have = set(self._df("SELECT table_name FROM information_schema.tables")["table_name"])
        if not set(INGEST_TABLES) <= have:
            try:
                with self._con.cursor() as cur:
                    cur.execute(INGEST_SCHEMA)
            except duckdb.Error:  # a database file opened read-only: nothing was imported into it
                return
        self._ingest_ready = True

    # ------------------------------------------------------------------ reads for validation
    def ingest_reference(
        self, viewer: Viewer, kind: str, today: date | None = None
    ) -> ReferenceData:
        """Everything ``ingest.validate`` needs: reference tables, the projects in scope and the
        natural keys of the existing rows of this kind in scope."""
        kind = RecordKind(kind)
        provinces = self._sor_df(
            "SELECT adcode, name_zh, short_zh, name_en FROM province ORDER BY adcode"
        )
        counties = self._sor_df(
            "SELECT adcode, name_zh, province_adcode, prefecture_zh FROM county"
        )
        universities = self.ingest_universities()
        # the projects in the viewer's WHOLE scope (provinces and universities): only these may be
        # replaced or receive rows (issue 17: a university viewer once matched every province)
        where, params = project_predicate(viewer, None)
        projects = self._sor_df(
            f"""SELECT p.project_id, p.school_zh, p.county_adcode, p.province_adcode,
                                   p.university_id, p.provenance FROM project p WHERE {where}""",
            params,
        )
        outside = None
        if kind is RecordKind.PROJECT:
            # natural keys (school + county) of the other projects: a row naming one is refused,
            # neither replacing it nor registering the school a second time
            outside = self._sor_df(
                f"""SELECT p.school_zh, p.county_adcode FROM project p
                                   WHERE NOT ({where})""",
                params,
            )
        existing: set = set()
        outcome_values = None
        cycles: dict = {}
        if kind is RecordKind.PROJECT:  # a second batch: each project's cycles (issue 16)
            cycles, existing = self._last_cycles(projects)
        if kind.is_activity:
            frame = self._sor_df(
                f"""SELECT a.project_id, a.kind, a.start_date, a.end_date, a.role, a.subject,
                                     a.level, a.people, a.participants
                                 FROM activity a JOIN project p USING (project_id)
                                 WHERE a.kind = ? AND {where}""",
                [kind.value, *params],
            )
            existing = existing_key_set(kind, frame)
        elif kind is RecordKind.OUTCOME:
            frame = self._sor_df(
                f"""SELECT o.project_id, o.school_year, o.indicator, o.value FROM outcome o
                                 JOIN project p USING (project_id) WHERE {where}""",
                params,
            )
            existing = existing_key_set(kind, frame)
            outcome_values = frame
        elif kind is RecordKind.COMPARISON:  # comparison schools' rows (store/comparison.py)
            existing = existing_key_set(kind, self.comparison_keys(viewer))
        return ReferenceData(
            provinces,
            counties,
            universities,
            projects,
            existing,
            today or date.today(),
            outside,
            cycles,
            outcome_values=outcome_values,
        )

    def _last_cycles(self, projects: pd.DataFrame) -> tuple[dict, set]:
        """For the projects in scope: each one's last cycle (project_id -> (cycle_no, start,
        end, university_id)) and the keys ``("cycle", project_id, cycle_no)`` of its cycles (the
        first one always, stored or not)."""
        ids = [int(x) for x in projects["project_id"]]
        if not ids:
            return {}, set()
        first = self._sor_df(
            "SELECT project_id, cycle_start, cycle_end, university_id FROM project "
            "WHERE project_id = ANY(?::INTEGER[])",
            [ids],
        )
        stored = self.project_cycles(Viewer(Role.MINISTRY))
        stored = stored[stored["project_id"].isin(ids)]
        last: dict = {}
        keys = {("cycle", pid, 1) for pid in ids}
        for r in first.itertuples(index=False):
            start, end = first_cycle_span(r.cycle_start, r.cycle_end)
            last[int(r.project_id)] = (1, start, end, int(r.university_id))
        for r in stored.sort_values(["project_id", "cycle_no"]).itertuples(index=False):
            keys.add(("cycle", int(r.project_id), int(r.cycle_no)))
            if int(r.cycle_no) >= last.get(int(r.project_id), (0,))[0]:
                last[int(r.project_id)] = (
                    int(r.cycle_no),
                    r.start_date,
                    r.end_date,
                    int(r.university_id),
                )
        return last, keys

    def ingest_universities(self) -> pd.DataFrame:
        """The host universities (reference data, visible to every viewer)."""
        return self._sor_df(
            "SELECT university_id, name_zh, name_en FROM university ORDER BY university_id"
        )

    def _batch_visible(self, viewer: Viewer) -> tuple[str, list]:
        """Batches a viewer may see: made within (a subset of) the viewer's own scope."""
        clauses, params = [], []
        if viewer.provinces is not None:
            clauses.append("s.provinces IS NOT NULL AND (?::INTEGER[] @> s.provinces)")
            params.append(sorted(viewer.provinces))
        if viewer.universities is not None:
            clauses.append("s.universities IS NOT NULL AND (?::INTEGER[] @> s.universities)")
            params.append(sorted(viewer.universities))
        return (" AND ".join(clauses) or "TRUE"), params

    def import_history(self, viewer: Viewer) -> pd.DataFrame:
        self._ensure_ingest_schema()
        where, params = self._batch_visible(viewer)
        if not self._ingest_ready:
            return self._sor_df("SELECT * FROM import_batch WHERE FALSE")
        return self._sor_df(
            f"""SELECT b.* FROM import_batch b JOIN ingest_batch_scope s USING (import_batch_id)
                            WHERE {where} ORDER BY b.import_batch_id DESC""",
            params,
        )

    def import_rejected(self, viewer: Viewer, batch_id: int) -> pd.DataFrame:
        self._ensure_ingest_schema()
        where, params = self._batch_visible(viewer)
        return self._sor_df(
            f"""SELECT r.* FROM ingest_rejected r JOIN ingest_batch_scope s USING (import_batch_id)
                            WHERE r.import_batch_id = ? AND {where} ORDER BY r.row_number""",
            [int(batch_id), *params],
        )

    def _already_imported_sql(self, viewer: Viewer, sha256: str, kind: str) -> tuple[str, list]:
        where, params = self._batch_visible(viewer)
        return (
            f"""SELECT b.import_batch_id, b.created_at, b.file_name FROM import_batch b
                          JOIN ingest_batch_scope s USING (import_batch_id)
                          WHERE b.file_sha256 = ? AND b.record_kind = ? AND b.undone_at IS NULL
                            AND {where} ORDER BY 1 LIMIT 1""",
            [sha256, str(kind), *params],
        )

    def already_imported(self, viewer: Viewer, sha256: str, kind: str) -> dict | None:
        """The live batch that already holds this file (same hash and kind), if any."""
        self._ensure_ingest_schema()
        df = self._sor_df(*self._already_imported_sql(viewer, sha256, kind))
        return None if df.empty else df.iloc[0].to_dict()

    def _already_imported(self, cur, viewer: Viewer, sha256: str, kind: str) -> bool:
        """The same, asked inside the commit's transaction (after ``_lock_writes``): of one
        file sent twice at once, through two replicas, one batch is written."""
        return bool(cur.execute(*self._already_imported_sql(viewer, sha256, kind)).fetchall())

    def editable_activities(self, viewer: Viewer) -> pd.DataFrame:
        """Imported or entered activity rows of the viewer's projects (the ones a form may correct)."""
        where, params = project_predicate(viewer, Filters())
        return self._sor_df(
            f"""SELECT a.activity_id, p.school_zh, a.kind, a.start_date, a.end_date, a.people,
                                   a.person_months, a.participants, a.hours, a.mode, a.role, a.subject,
                                   a.level, a.note, a.import_batch_id, a.project_id, a.provenance
                            FROM activity a JOIN project p USING (project_id)
                            WHERE a.provenance IN ({_PEOPLES}) AND {where}
                            ORDER BY a.activity_id DESC LIMIT 5000""",
            params,
        )

    # ------------------------------------------------------------------ writing
    @staticmethod
    def _require_writer(viewer: Viewer) -> None:
        if viewer.read_only or viewer.role is Role.PRESENTER:
            raise StoreError("store_read_only_mode")

    def import_commit(
        self, viewer: Viewer, preview, file_name: str | None, sha256: str | None, progress=None
    ) -> int:
        """Store a validated ``ingest.Preview`` as one batch in one transaction; returns its id."""
        self._ensure_ingest_schema()
        self._require_writer(viewer)
        kind = RecordKind(preview.kind)
        acc = preview.accepted.copy()
        prov = batch_provenance(file_name)
        if kind.is_activity and not acc.empty:
            # a start date is required (the schema says NOT NULL): refused in words, not by DuckDB
            if "start_date" not in acc or acc["start_date"].isna().any():
                raise StoreError("entry_store_date_missing")
        with self._transaction(
            "store_write_failed",
            (duckdb.Error, ValueError, KeyError, TypeError),
        ) as cur:
            self._lock_writes(cur)  # replicas: one batch at a time takes ids and checks duplicates
            if sha256 and self._already_imported(cur, viewer, sha256, kind.value):
                raise StoreError("store_already_imported")
            batch = int(
                cur.execute(
                    "SELECT coalesce(max(import_batch_id), 0) + 1 FROM import_batch"
                ).fetchone()[0]
            )
            cur.execute(
                "INSERT INTO import_batch VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL)",
                [
                    batch,
                    datetime.now(),
                    viewer.name or viewer.role.value,
                    file_name,
                    sha256,
                    kind.value,
                    len(acc),
                    preview.n_rejected,
                ],
            )
            cur.execute(
                "INSERT INTO ingest_batch_scope VALUES (?, ?, ?, ?)",
                [
                    batch,
                    viewer.role.value,
                    None if viewer.provinces is None else sorted(viewer.provinces),
                    None if viewer.universities is None else sorted(viewer.universities),
                ],
            )
            if preview.problems:
                rej = pd.DataFrame(
                    [
                        (batch, p.row, p.column, p.value, p.reason, p.detail)
                        for p in preview.problems
                    ],
                    columns=[
                        "import_batch_id",
                        "row_number",
                        "column_name",
                        "value",
                        "reason",
                        "detail",
                    ],
                )
                cur.register("_rej", rej)
                cols = ", ".join(rej.columns)
                cur.execute(f"INSERT INTO ingest_rejected ({cols}) SELECT {cols} FROM _rej")
                cur.unregister("_rej")
            if progress:
                progress(0.2)
            where, params = project_predicate(viewer, None)
            self._check_targets(cur, kind, acc, where, params)  # before anything is written
            if kind is RecordKind.PROJECT:
                stored = self._commit_projects(cur, batch, acc)
            elif kind is RecordKind.OUTCOME:
                stored = self._commit_outcomes(cur, batch, acc, prov)
                write_import_flags(cur, batch, getattr(preview, "flags", ()), prov)  # issue 16
            elif kind is RecordKind.COMPARISON:
                stored = self._commit_comparison(cur, viewer, batch, acc, prov)
            else:
                stored = self._commit_activities(cur, batch, acc, prov)
            if kind is RecordKind.OUTCOME or kind.is_activity:
                # the check found these rows new, but someone recorded the same since (another
                # tab, another replica before the snapshot showed it): a row is never dropped
                # silently while the page says saved; nothing is written, the check is redone
                if stored < len(acc):
                    raise StoreError("store_recorded_since_check", n=len(acc) - stored)
            if progress:
                progress(0.8)
            self._check_written(cur, batch, where, params)  # ... and everything that was
            refuse_locked(cur, batch=batch)  # issue 16: nothing of an approved term
            cur.execute(
                "UPDATE import_batch SET rows_accepted = ? WHERE import_batch_id = ?",
                [stored, batch],
            )
            self._audit(
                cur,
                viewer.name or viewer.role.value,
                "import",
                f"batch={batch} kind={kind.value} file={file_name} sha256={sha256} "
                f"accepted={stored} rejected={preview.n_rejected} replaced={preview.replaces}",
            )
            self._after_write(cur)
        log.info(
            "import batch %s written by %s: %s, %s rows, %s rejected, %s replaced, file %s",
            batch,
            viewer.name or viewer.role.value,
            kind.value,
            stored,
            preview.n_rejected,
            preview.replaces,
            file_name,
        )
        if progress:
            progress(1.0)
        return batch

    @staticmethod
    def _out_of_scope(scope_key: str = "store_out_of_scope") -> StoreError:
        return StoreError(scope_key)

    def _check_targets(self, cur, kind, acc: pd.DataFrame, where: str, params: list) -> None:
        """Every project a batch would touch — replace, or add rows to — exists and is in scope
        (``where``/``params``: the viewer's ``project_predicate``). Run inside the transaction:
        a Preview is plain data and may have been made for another viewer, or by hand."""
        if acc.empty or kind is RecordKind.COMPARISON:  # no project: ``_commit_comparison``
            return
        if kind is RecordKind.PROJECT:
            col, scope_key = "replaces", "store_out_of_scope_replaced"
            ids = acc[col].dropna().tolist() if col in acc else []
        else:
            col, scope_key = "project_id", "store_out_of_scope_projects"
            if col not in acc or acc[col].isna().any():
                raise self._out_of_scope(scope_key)
            ids = acc[col].tolist()
            if kind.is_activity and (
                "kind" not in acc or set(acc["kind"].astype(str)) != {kind.value}
            ):
                raise StoreError("store_wrong_kind")
        if not ids:
            return
        ids = [int(x) for x in ids]
        if kind is RecordKind.PROJECT and len(ids) != len(set(ids)):
            raise StoreError("store_replaced_twice")
        found = cur.execute(
            f"SELECT count(*) FROM project p WHERE (p.project_id = ANY(?::INTEGER[])) AND {where}",
            [sorted(set(ids)), *params],
        ).fetchone()[0]
        if found != len(set(ids)):
            raise self._out_of_scope(scope_key)

    @staticmethod
    def _check_written(cur, batch: int, where: str, params: list) -> None:
        """Every row of ``batch`` (projects, milestones, activity, outcomes) belongs to a project in
        scope, and every project of the batch lies in a county of its own province."""
        sql_rows = f"""
            SELECT 1 FROM (SELECT project_id FROM project WHERE import_batch_id = ?
                           UNION ALL SELECT project_id FROM milestone WHERE import_batch_id = ?
                           UNION ALL SELECT project_id FROM activity WHERE import_batch_id = ?
                           UNION ALL SELECT project_id FROM outcome WHERE import_batch_id = ?
                           UNION ALL SELECT project_id FROM project_cycle WHERE import_batch_id = ?
                           UNION ALL SELECT project_id FROM cycle_milestone
                                     WHERE import_batch_id = ?) x
            WHERE x.project_id NOT IN (SELECT p.project_id FROM project p WHERE {where}) LIMIT 1"""
        if cur.execute(sql_rows, [batch] * 6 + list(params)).fetchall():
            raise IngestOps._out_of_scope()
        bad_county = cur.execute(
            """SELECT 1 FROM project p LEFT JOIN county c ON c.adcode = p.county_adcode
                                    WHERE p.import_batch_id = ? AND (c.adcode IS NULL
                                          OR c.province_adcode <> p.province_adcode) LIMIT 1""",
            [batch],
        ).fetchall()
        if bad_county:
            raise StoreError("store_county_outside_province")

    def _commit_projects(self, cur, batch: int, acc: pd.DataFrame) -> int:
        if acc.empty:
            return 0
        # a second batch (issue 16): the rows of a later cycle of a registered project
        later = acc["cycle_no"].fillna(1).astype(int) > 1 if "cycle_no" in acc else None
        if later is not None and later.any():
            renewed = self._commit_cycles(cur, batch, acc[later])
            rest = acc[~later]
            return renewed + (self._commit_projects(cur, batch, rest) if not rest.empty else 0)
        rep = acc[acc["replaces"].notna()] if "replaces" in acc else acc.iloc[0:0]
        new = acc[acc["replaces"].isna()] if "replaces" in acc else acc
        rep_ids = [int(x) for x in rep["replaces"]]
        if rep_ids:
            still = cur.execute(
                "SELECT count(*) FROM project WHERE (project_id = ANY(?::INTEGER[])) "
                "AND provenance = 'simulated'",
                [rep_ids],
            ).fetchone()[0]
            if still != len(set(rep_ids)):
                raise StoreError("store_replaced_changed")
            cur.execute(
                "INSERT INTO ingest_shelf_project SELECT ?, * FROM project "
                "WHERE (project_id = ANY(?::INTEGER[]))",
                [batch, rep_ids],
            )
            for t in _SHELVED:
                cur.execute(
                    f"INSERT INTO ingest_shelf_{t} SELECT ?, * FROM {t} "
                    f"WHERE (project_id = ANY(?::INTEGER[])) AND provenance = 'simulated'",
                    [batch, rep_ids],
                )
                cur.execute(
                    f"DELETE FROM {t} WHERE (project_id = ANY(?::INTEGER[])) "
                    f"AND provenance = 'simulated'",
                    [rep_ids],
                )
            for r in rep.itertuples():
                cur.execute(
                    """UPDATE project SET university_id = ?, school_zh = ?, county_adcode = ?,
                                   province_adcode = ?, prefecture_zh = ?, confidence = NULL,
                                   location_note = NULL, provenance = 'imported', source_url = NULL,
                                   import_batch_id = ? WHERE project_id = ?""",
                    [
                        int(r.university_id),
                        r.school_zh,
                        int(r.county_adcode),
                        int(r.province_adcode),
                        r.prefecture_zh,
                        batch,
                        int(r.replaces),
                    ],
                )
        ids = list(rep_ids)
        if not new.empty:
            start = int(
                cur.execute("SELECT coalesce(max(project_id), 0) + 1 FROM project").fetchone()[0]
            )
            frame = pd.DataFrame(
                {
                    "project_id": range(start, start + len(new)),
                    "university_id": new["university_id"].astype(int).to_numpy(),
                    "school_zh": new["school_zh"].to_numpy(),
                    "county_adcode": new["county_adcode"].astype(int).to_numpy(),
                    "province_adcode": new["province_adcode"].astype(int).to_numpy(),
                    "prefecture_zh": new["prefecture_zh"].to_numpy(),
                    "batch_": batch,
                }
            )
            cur.register("_newp", frame)
            cur.execute("""INSERT INTO project (project_id, university_id, school_zh, county_adcode,
                               province_adcode, prefecture_zh, provenance, import_batch_id)
                           SELECT project_id, university_id, school_zh, county_adcode, province_adcode,
                                  prefecture_zh, 'imported', batch_ FROM _newp""")
            cur.unregister("_newp")
            ids += list(frame["project_id"])
        signed = pd.DataFrame(
            {
                "project_id": [int(x) for x in rep_ids] + ids[len(rep_ids) :],
                "done": list(rep["signed_date"]) + list(new["signed_date"]),
            }
        )
        signed = signed[signed["done"].notna()]
        for r in signed.itertuples():
            cur.execute(
                "INSERT INTO milestone (project_id, kind, due_date, done_date, date_precision, "
                "provenance, import_batch_id) VALUES (?, ?, ?, ?, 'day', 'imported', ?)",
                [
                    int(r.project_id),
                    MilestoneKind.SIGNED.value,
                    DEADLINES[MilestoneKind.SIGNED],
                    r.done,
                    batch,
                ],
            )
        return len(acc)

    def _commit_activities(self, cur, batch: int, acc: pd.DataFrame, prov: str) -> int:
        if acc.empty:
            return 0
        start = int(
            cur.execute("SELECT coalesce(max(activity_id), 0) + 1 FROM activity").fetchone()[0]
        )
        frame = acc.reindex(columns=list(_ACT_COLS)).copy()
        frame["activity_id"] = range(start, start + len(frame))
        for c in ("people", "participants"):
            frame[c] = pd.array(frame[c], dtype="Int64")
        for c in ("person_months", "hours"):
            frame[c] = pd.to_numeric(frame[c], errors="coerce").astype("float64")
        for c in ("start_date", "end_date"):
            frame[c] = pd.to_datetime(frame[c])
        for c in ("kind", "mode", "role", "subject", "level", "direction", "note"):
            frame[c] = frame[c].astype(object).where(frame[c].notna(), None)
        cur.register("_acts", frame)
        n0 = cur.execute("SELECT count(*) FROM activity").fetchone()[0]
        cur.execute(
            """INSERT INTO activity (activity_id, project_id, kind, start_date, end_date, people,
                           person_months, participants, hours, mode, role, subject, level, direction, note,
                           provenance, import_batch_id)
                       SELECT i.activity_id, i.project_id, i.kind, i.start_date::DATE, i.end_date::DATE,
                              i.people, i.person_months, i.participants, i.hours, i.mode, i.role,
                              i.subject, i.level, i.direction, i.note, ?, ?
                       FROM _acts i
                       WHERE NOT EXISTS (SELECT 1 FROM activity a WHERE a.project_id = i.project_id
                             AND a.kind = i.kind AND a.start_date = i.start_date::DATE
                             AND a.end_date IS NOT DISTINCT FROM i.end_date::DATE
                             AND coalesce(a.role, '') = coalesce(i.role, '')
                             AND coalesce(a.subject, '') = coalesce(i.subject, '')
                             AND coalesce(a.level, '') = coalesce(i.level, '')
                             AND a.people IS NOT DISTINCT FROM i.people
                             AND a.participants IS NOT DISTINCT FROM i.participants)""",
            [prov, batch],
        )
        cur.unregister("_acts")
        return int(cur.execute("SELECT count(*) FROM activity").fetchone()[0] - n0)

    def _commit_comparison(
        self, cur, viewer: Viewer, batch: int, acc: pd.DataFrame, prov: str
    ) -> int:
        """Comparison schools' outcome rows (issue 16 part 4): ``ComparisonOps._write_comparison``
        checks the scope again in SQL and writes them; no project is touched."""
        return self._write_comparison(cur, viewer, batch, acc, prov)

    def _commit_outcomes(self, cur, batch: int, acc: pd.DataFrame, prov: str) -> int:
        if acc.empty:
            return 0
        frame = acc[["project_id", "school_year", "indicator", "value"]].copy()
        cur.register("_outc", frame)
        n0 = cur.execute("SELECT count(*) FROM outcome").fetchone()[0]
        cur.execute(
            """INSERT INTO outcome (project_id, school_year, indicator, value, provenance, import_batch_id)
                       SELECT i.project_id, i.school_year, i.indicator, i.value, ?, ? FROM _outc i
                       WHERE NOT EXISTS (SELECT 1 FROM outcome o WHERE o.project_id = i.project_id
                             AND o.school_year = i.school_year AND o.indicator = i.indicator)""",
            [prov, batch],
        )
        cur.unregister("_outc")
        return int(cur.execute("SELECT count(*) FROM outcome").fetchone()[0] - n0)

    def undo_batch(self, viewer: Viewer, batch_id: int) -> None:
        """Remove every row of a batch and restore what it replaced, in one transaction."""
        self._ensure_ingest_schema()
        self._require_writer(viewer)
        batch_id = int(batch_id)
        where, params = self._batch_visible(viewer)
        with self._transaction("store_undo_failed") as cur:
            self._lock_writes(cur)
            row = cur.execute(
                f"""SELECT b.undone_at, b.record_kind FROM import_batch b
                                  JOIN ingest_batch_scope s USING (import_batch_id)
                                  WHERE b.import_batch_id = ? AND {where}""",
                [batch_id, *params],
            ).fetchall()
            if not row:
                raise StoreError("store_batch_not_found", batch=batch_id)
            if row[0][0] is not None:
                raise StoreError("store_batch_undone", batch=batch_id)
            # every row the batch wrote and every shelved row it would restore must be in scope
            # (the batch's recorded scope is not enough: it says who imported, not what was touched)
            pw, pparams = project_predicate(viewer, None)
            outside = cur.execute(
                f"""
                SELECT 1 FROM (SELECT project_id FROM project WHERE import_batch_id = ?
                               UNION ALL SELECT project_id FROM milestone WHERE import_batch_id = ?
                               UNION ALL SELECT project_id FROM activity WHERE import_batch_id = ?
                               UNION ALL SELECT project_id FROM outcome WHERE import_batch_id = ?
                               UNION ALL SELECT project_id FROM project_cycle
                                         WHERE import_batch_id = ?
                               UNION ALL SELECT project_id FROM cycle_milestone
                                         WHERE import_batch_id = ?) x
                WHERE x.project_id NOT IN (SELECT p.project_id FROM project p WHERE {pw})
                UNION ALL
                SELECT 1 FROM ingest_shelf_project p WHERE p.shelf_batch_id = ? AND NOT ({pw})
                UNION ALL
                SELECT 1 FROM (SELECT project_id FROM ingest_shelf_milestone WHERE shelf_batch_id = ?
                               UNION ALL SELECT project_id FROM ingest_shelf_activity WHERE shelf_batch_id = ?
                               UNION ALL SELECT project_id FROM ingest_shelf_outcome WHERE shelf_batch_id = ?) y
                WHERE y.project_id NOT IN (SELECT p.project_id FROM ingest_shelf_project p
                                           WHERE p.shelf_batch_id = ? AND {pw})
                LIMIT 1""",
                [batch_id] * 6 + pparams + [batch_id] + pparams + [batch_id] * 4 + pparams,
            ).fetchall()
            if outside:
                raise StoreError("store_undo_out_of_scope", batch=batch_id)
            refuse_locked(cur, batch=batch_id)  # issue 16: what it deletes and restores
            if row[0][1] == RecordKind.COMPARISON.value:  # issue 16 part 4: its own tables
                self._undo_comparison(cur, viewer, batch_id)
            # the projects it made, replaced, re-paired or renewed: none may have rows of a later
            # batch (they would be left on a project that is no longer as they were made for)
            projects = [
                r[0]
                for r in cur.execute(
                    """SELECT project_id FROM project WHERE import_batch_id = ?
                       UNION SELECT project_id FROM ingest_shelf_project WHERE shelf_batch_id = ?
                       UNION SELECT project_id FROM project_cycle WHERE import_batch_id = ?""",
                    [batch_id] * 3,
                ).fetchall()
            ]
            if projects:
                later = cur.execute(
                    """
                    SELECT min(import_batch_id) FROM (
                        SELECT import_batch_id, project_id FROM activity UNION ALL
                        SELECT import_batch_id, project_id FROM outcome UNION ALL
                        SELECT import_batch_id, project_id FROM milestone UNION ALL
                        SELECT import_batch_id, project_id FROM project_cycle UNION ALL
                        SELECT import_batch_id, project_id FROM cycle_milestone) later_rows
                    WHERE (project_id = ANY(?::INTEGER[])) AND import_batch_id > ?""",
                    [projects, batch_id],
                ).fetchone()[0]
                if later is not None:
                    raise StoreError("store_undo_later_first", later=later)
            for t in ("activity", "outcome", "milestone", "cycle_milestone", "project_cycle"):
                cur.execute(f"DELETE FROM {t} WHERE import_batch_id = ?", [batch_id])
            undo_quality_flags(cur, batch_id)  # the flags of the values it removes (issue 16)
            # its projects, and those it changed in place (a re-pairing moved the university):
            # the shelf holds each as it was
            cur.execute(
                "DELETE FROM project WHERE import_batch_id = ? OR project_id IN "
                "(SELECT project_id FROM ingest_shelf_project WHERE shelf_batch_id = ?)",
                [batch_id, batch_id],
            )
            for t in ("project", *_SHELVED):
                cols = ", ".join(columns_of(cur, t))
                cur.execute(
                    f"INSERT INTO {t} ({cols}) SELECT {cols} FROM ingest_shelf_{t} "
                    f"WHERE shelf_batch_id = ?",
                    [batch_id],
                )
            for t in ("project", *_SHELVED):
                cur.execute(f"DELETE FROM ingest_shelf_{t} WHERE shelf_batch_id = ?", [batch_id])
            cur.execute(
                "UPDATE import_batch SET undone_at = ? WHERE import_batch_id = ?",
                [datetime.now(), batch_id],
            )
            self._audit(cur, viewer.name or viewer.role.value, "undo_import", f"batch={batch_id}")
            self._after_write(cur)
        log.info("import batch %s undone by %s", batch_id, viewer.name or viewer.role.value)

    _EDITABLE = EDITABLE_ACTIVITY_FIELDS

    def update_activity(self, viewer: Viewer, activity_id: int, values: dict) -> None:
        """Correct one imported/entered activity row of the viewer's projects (validated by the
        caller with ``ingest``); one audit line with the old and new values."""
        self._require_writer(viewer)
        sets = {k: v for k, v in values.items() if k in self._EDITABLE}
        if "start_date" in sets and (sets["start_date"] is None or pd.isna(sets["start_date"])):
            raise StoreError("entry_store_date_missing")
        where, params = project_predicate(viewer, None)
        with self._transaction("store_save_failed") as cur:
            self._lock_writes(cur)
            old = cur.execute(
                f"""SELECT a.* FROM activity a JOIN project p USING (project_id)
                                  WHERE a.activity_id = ? AND a.provenance IN ({_PEOPLES})
                                    AND {where}""",
                [int(activity_id), *params],
            ).df()
            if old.empty:
                raise StoreError("store_record_not_found", record=activity_id)
            # the project, kind and bookkeeping of a row never change here: a correction that would
            # move the row (to any project, in scope or not) is refused, not silently narrowed
            for k, v in values.items():
                if k in old.columns and k not in self._EDITABLE and str(v) != str(old.iloc[0][k]):
                    raise StoreError("store_record_cannot_move", record=activity_id, field=k)
            pid = old.iloc[0]["project_id"]  # issue 16: the row's term before and after
            refuse_locked(
                cur, dated=[(pid, old.iloc[0]["start_date"]), (pid, sets.get("start_date"))]
            )
            if sets:
                assign = ", ".join(
                    f"{k} = ?" for k in sets
                )  # column names from the fixed whitelist
                cur.execute(
                    f"UPDATE activity SET {assign} WHERE activity_id = ?",
                    [*sets.values(), int(activity_id)],
                )
                before = {k: old.iloc[0][k] for k in sets}
                self._audit(
                    cur,
                    viewer.name or viewer.role.value,
                    "correct_activity",
                    f"activity_id={activity_id} before={before} after={sets}",
                )
            self._after_write(cur)
