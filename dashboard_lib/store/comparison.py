"""Comparison schools (issue 16, part 4): county high schools outside the programme, in the
programme's provinces, with their outcome rows, read in the viewer's scope and written by the
import of the ``comparison`` record kind (and undone with its batch).

A mixin of ``dashboard_lib.store.Store``. The tables (``schema.COMPARISON_SCHEMA``):
``comparison_school(school_id, school_zh, county_adcode, province_adcode, provenance,
source_url, import_batch_id)``, one row per school name and county, and
``comparison_outcome(school_id, school_year, indicator, value, provenance, source_url,
import_batch_id)``, one row per school, school year and indicator. The demo build writes
simulated ones (``demo_comparison``, provenance ``simulated``); an import writes ``imported``.

**Scope.** A comparison school belongs to one province.

- *Reads*: a province official sees its province's comparison schools; a university user sees
  those of the provinces its projects lie in (read only: the schools its own projects are
  compared with); the ministry sees them all; the open demo sees no imported ones
  (``row_provenance_predicate``). The sidebar's province and provenance filters narrow them.
- *Writes*: a province official imports those of its own province, the ministry any province;
  a university user, a presenter and the demo import none. Every refusal is a ``StoreError``
  (``strings/comparison.py``), raised inside the write's transaction, so the database is
  unchanged. A comparison school may not be one of the programme's schools (same name and
  county as a project): it cannot be compared with itself.

The writes run inside ``IngestOps.import_commit`` / ``undo_batch`` (after ``_lock_writes``, with
``_after_write`` at their end) and use SQL both backends run; reads go to the system of record.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from ..scope import (
    Filters,
    Viewer,
    outcome_predicate,
    project_predicate,
    row_provenance_predicate,
)
from ..vocab import Role
from .core import CoreStore, StoreError
from .schema import COMPARISON_SCHEMA, COMPARISON_TABLES

__all__ = ["SCHOOL_COLUMNS", "VALUE_COLUMNS", "ComparisonOps", "comparison_scope"]

SCHOOL_COLUMNS = [
    "school_id",
    "school_zh",
    "county_adcode",
    "province_adcode",
    "provenance",
    "import_batch_id",
]
VALUE_COLUMNS = ["school_id", "province_adcode", "school_year", "indicator", "value", "provenance"]
_STATEMENTS = [s.strip() for s in COMPARISON_SCHEMA.split(";") if s.strip()]


def comparison_scope(
    viewer: Viewer, filters: Filters | None = None, alias: str = "c"
) -> tuple[str, list]:
    """SQL predicate over ``comparison_school`` (aliased ``alias``): the comparison schools the
    viewer may see (module docstring), narrowed by the filters' provinces and provenances."""
    filters = filters or Filters()
    clauses: list[str] = []
    params: list = []
    if viewer.provinces is not None:
        clauses.append(f"({alias}.province_adcode = ANY(?::INTEGER[]))")
        params.append(sorted(viewer.provinces))
    if viewer.universities is not None:  # the provinces of the university's own projects
        where, p = project_predicate(viewer, None, "cp")
        clauses.append(
            f"({alias}.province_adcode IN (SELECT cp.province_adcode FROM project cp "
            f"WHERE {where}))"
        )
        params.extend(p)
    if viewer.provenances is not None:
        clauses.append(f"({alias}.provenance = ANY(?::VARCHAR[]))")
        params.append(sorted(viewer.provenances))
    if filters.provinces:
        clauses.append(f"({alias}.province_adcode = ANY(?::INTEGER[]))")
        params.append(sorted(int(x) for x in filters.provinces))
    if filters.provenance:
        clauses.append(f"({alias}.provenance = ANY(?::VARCHAR[]))")
        params.append(sorted(filters.provenance))
    return (" AND ".join(clauses) or "TRUE"), params


def may_import_comparison(viewer: Viewer) -> bool:
    """A province official (its own province) or the ministry; nobody read-only."""
    return (
        not viewer.read_only
        and viewer.role in (Role.PROVINCE, Role.MINISTRY)
        and viewer.universities is None
    )


class ComparisonOps(CoreStore):
    _comparison_ready = False

    def _ensure_comparison_schema(self) -> None:
        """Add the comparison tables to a database built before they existed (same schema
        version; ``CREATE TABLE IF NOT EXISTS`` runs on both backends)."""
        if self._comparison_ready:
            return
        if self.writer is not None:  # a PostgreSQL made by ``pgsync init`` before the tables
            missing = self._sor_scalar(
                "SELECT count(*) FROM unnest(?::VARCHAR[]) AS t(name) "
                "WHERE to_regclass(t.name) IS NULL",
                [list(COMPARISON_TABLES)],
            )
            if missing:
                with self._transaction("store_write_failed") as cur:
                    for sql in _STATEMENTS:
                        cur.execute(sql)
            self._comparison_ready = True
            return
        have = set(self._df("SELECT table_name FROM information_schema.tables")["table_name"])
        if not set(COMPARISON_TABLES) <= have:
            try:
                with self._con.cursor() as cur:
                    for sql in _STATEMENTS:
                        cur.execute(sql)
            except duckdb.Error:  # a file opened read-only: no comparison row was ever written
                return
            self._tables_cache = None
        self._comparison_ready = True

    # ------------------------------------------------------------------ reads
    def comparison_schools(self, viewer: Viewer, filters: Filters | None = None) -> pd.DataFrame:
        """The comparison schools the viewer may see (and the filters): ``SCHOOL_COLUMNS``."""
        self._ensure_comparison_schema()
        if not self._comparison_ready:
            return pd.DataFrame(columns=SCHOOL_COLUMNS)
        where, params = comparison_scope(viewer, filters)
        sel = ", ".join(f"c.{c}" for c in SCHOOL_COLUMNS)
        return self._sor_df(
            f"SELECT {sel} FROM comparison_school c WHERE {where} ORDER BY c.school_id", params
        )

    def comparison_outcomes(self, viewer: Viewer, filters: Filters | None = None) -> pd.DataFrame:
        """The outcome rows of those schools (school years complete by the filters' as-of date,
        as for the programme's outcomes): ``VALUE_COLUMNS``."""
        self._ensure_comparison_schema()
        if not self._comparison_ready:
            return pd.DataFrame(columns=VALUE_COLUMNS)
        where, params = comparison_scope(viewer, filters)
        when, when_params = outcome_predicate(filters, "o")
        own, own_params = row_provenance_predicate(viewer, "o")  # the demo sees no imported ones
        return self._sor_df(
            f"""SELECT o.school_id, c.province_adcode, o.school_year, o.indicator, o.value,
                       o.provenance
                FROM comparison_outcome o JOIN comparison_school c USING (school_id)
                WHERE {where} AND {when} AND {own}
                ORDER BY o.school_id, o.indicator, o.school_year""",
            [*params, *when_params, *own_params],
        )

    def comparison_keys(self, viewer: Viewer) -> pd.DataFrame:
        """(school_zh, county_adcode, school_year, indicator) of the comparison rows the viewer
        may see: the natural keys an import of the same rows is refused on as duplicates."""
        self._ensure_comparison_schema()
        if not self._comparison_ready:
            return pd.DataFrame(columns=["school_zh", "county_adcode", "school_year", "indicator"])
        where, params = comparison_scope(viewer, None)
        return self._sor_df(
            f"""SELECT c.school_zh, c.county_adcode, o.school_year, o.indicator
                FROM comparison_outcome o JOIN comparison_school c USING (school_id)
                WHERE {where}""",
            params,
        )

    @staticmethod
    def may_import_comparison(viewer: Viewer) -> bool:
        return may_import_comparison(viewer)

    # ------------------------------------------------------------------ writes (in a transaction)
    def _write_comparison(
        self, cur, viewer: Viewer, batch: int, acc: pd.DataFrame, prov: str
    ) -> int:
        """Write the accepted comparison rows of one import batch on ``cur`` (inside
        ``import_commit``'s transaction, after ``_lock_writes``): new schools first, then the
        outcome rows not yet held. The scope is checked here again, in SQL; returns the rows
        written."""
        if not may_import_comparison(viewer):
            raise StoreError("cmp_only_province")
        for sql in _STATEMENTS:  # a database made before the tables (same SQL on both backends)
            cur.execute(sql)
        if acc.empty:
            return 0
        need = ("school_zh", "county_adcode", "province_adcode", "school_year", "indicator")
        if any(c not in acc for c in (*need, "value")) or acc[list(need)].isna().any().any():
            raise StoreError("cmp_out_of_scope")
        provinces = sorted({int(x) for x in acc["province_adcode"]})
        if viewer.provinces is not None and not set(provinces) <= set(viewer.provinces):
            raise StoreError("cmp_out_of_scope")
        schools = (
            acc[["school_zh", "county_adcode", "province_adcode"]]
            .drop_duplicates(["school_zh", "county_adcode"])
            .reset_index(drop=True)
        )
        for r in schools.itertuples(index=False):
            found = cur.execute(
                "SELECT province_adcode FROM county WHERE adcode = ?", [int(r.county_adcode)]
            ).fetchall()
            if not found or int(found[0][0]) != int(r.province_adcode):
                raise StoreError("store_county_outside_province")
            programme = cur.execute(
                "SELECT count(*) FROM project WHERE school_zh = ? AND county_adcode = ?",
                [str(r.school_zh), int(r.county_adcode)],
            ).fetchone()[0]
            if programme:
                raise StoreError("cmp_is_programme_school", school=str(r.school_zh))
        ids: dict[tuple[str, int], int] = {}
        next_id = int(
            cur.execute("SELECT coalesce(max(school_id), 0) + 1 FROM comparison_school").fetchone()[
                0
            ]
        )
        for r in schools.itertuples(index=False):
            key = (str(r.school_zh), int(r.county_adcode))
            row = cur.execute(
                "SELECT school_id, province_adcode FROM comparison_school "
                "WHERE school_zh = ? AND county_adcode = ?",
                list(key),
            ).fetchall()
            if row:
                ids[key] = int(row[0][0])
                continue
            cur.execute(
                """INSERT INTO comparison_school (school_id, school_zh, county_adcode,
                       province_adcode, provenance, import_batch_id) VALUES (?, ?, ?, ?, ?, ?)""",
                [next_id, key[0], key[1], int(r.province_adcode), prov, batch],
            )
            ids[key] = next_id
            next_id += 1
        written = 0
        for r in acc.itertuples(index=False):
            sid = ids[(str(r.school_zh), int(r.county_adcode))]
            held = cur.execute(
                "SELECT count(*) FROM comparison_outcome WHERE school_id = ? AND school_year = ? "
                "AND indicator = ?",
                [sid, int(r.school_year), str(r.indicator)],
            ).fetchone()[0]
            if held:
                continue
            cur.execute(
                """INSERT INTO comparison_outcome (school_id, school_year, indicator, value,
                       provenance, import_batch_id) VALUES (?, ?, ?, ?, ?, ?)""",
                [sid, int(r.school_year), str(r.indicator), float(r.value), prov, batch],
            )
            written += 1
        return written

    def _undo_comparison(self, cur, viewer: Viewer, batch: int) -> None:
        """Remove a comparison batch's rows and the schools it added (inside ``undo_batch``'s
        transaction). Refused when a row or school lies outside the viewer's scope, or when a
        later batch added rows to a school this one created."""
        if not may_import_comparison(viewer):
            raise StoreError("cmp_only_province")
        for sql in _STATEMENTS:
            cur.execute(sql)
        if viewer.provinces is not None:
            outside = cur.execute(
                """SELECT 1 FROM comparison_school c
                   WHERE (c.import_batch_id = ? OR c.school_id IN (SELECT o.school_id FROM
                          comparison_outcome o WHERE o.import_batch_id = ?))
                     AND NOT (c.province_adcode = ANY(?::INTEGER[])) LIMIT 1""",
                [batch, batch, sorted(viewer.provinces)],
            ).fetchall()
            if outside:
                raise StoreError("store_undo_out_of_scope", batch=batch)
        later = cur.execute(
            """SELECT min(o.import_batch_id) FROM comparison_outcome o JOIN comparison_school c
                   USING (school_id)
               WHERE c.import_batch_id = ? AND o.import_batch_id IS NOT NULL
                 AND o.import_batch_id <> ?""",
            [batch, batch],
        ).fetchone()[0]
        if later is not None:
            raise StoreError("store_undo_later_first", later=int(later))
        cur.execute("DELETE FROM comparison_outcome WHERE import_batch_id = ?", [batch])
        cur.execute("DELETE FROM comparison_school WHERE import_batch_id = ?", [batch])
