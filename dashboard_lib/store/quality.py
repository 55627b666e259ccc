"""Data-quality flags of outcome values (issue 16, part 7): stored at import in the import's own
transaction, read in the viewer's scope, confirmed or corrected — never silently dropped.

A mixin of ``dashboard_lib.store.Store``. The table (``schema.QUALITY_SCHEMA``):
``quality_flag(flag_id, project_id, school_year, indicator, value, rule, previous, status,
flagged_at, status_by, status_at, comment, corrected_value, import_batch_id, provenance)``, one
row per outcome value and rule it broke. The rules themselves are ``programme.quality.RULES``
(above this layer: the import computes the flags, ``write_import_flags`` stores them inside the import's transaction; a
correction's new value is re-checked by the ``recheck`` function the caller hands in).

- ``status`` ``flagged`` → ``confirmed`` (the value is right, with an optional comment) or
  ``corrected`` (``corrected_value`` written to ``outcome``, the audit log saying old → new);
  ``status_by`` / ``status_at`` say who and when. A flag of an import batch goes with the batch
  when it is undone (``IngestOps.undo_batch`` calls ``undo_quality_flags``); nothing else
  deletes one.
- Who may act: the ministry on any flag, a province official on its own province's, a
  university on its own projects'; nobody read-only (the demo, a presenter). Every refusal is a
  ``StoreError`` with a ``strings/quality.py`` key and leaves the database unchanged.
- A correction of an approved (locked) term is refused with the sentence saying who approved and
  when (``reporting.refuse_locked``: an outcome of school year ``Y`` lies in the terms autumn
  ``Y`` and spring ``Y+1``). A confirmation changes no figure and is allowed.

Every write takes ``_lock_writes`` first, runs the same SQL on DuckDB and PostgreSQL, ends with
``_after_write``; reads go to the system of record (``_sor_df``), so a flag just confirmed shows.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from datetime import date, datetime

import duckdb
import pandas as pd

from ..school_calendar import school_year_of
from ..scope import Filters, Viewer, project_predicate, row_provenance_predicate
from ..vocab import Provenance, Role
from .core import CoreStore, StoreError
from .reporting import refuse_locked
from .schema import QUALITY_SCHEMA, QUALITY_TABLES
from .targets import TARGET_RANGES

__all__ = [
    "FLAG_COLUMNS",
    "NEXT_FLAGGED",
    "NEXT_SETTLED",
    "QualityOps",
    "undo_quality_flags",
    "write_import_flags",
]

FLAG_COLUMNS = [
    "flag_id",
    "project_id",
    "school_year",
    "indicator",
    "value",
    "rule",
    "previous",
    "status",
    "flagged_at",
    "status_by",
    "status_at",
    "comment",
    "corrected_value",
    "import_batch_id",
    "provenance",
]
_READ_COLUMNS = [*FLAG_COLUMNS, "outcome_provenance"]
MAX_COMMENT = 500  # characters of a comment

Recheck = Callable[[str, float, float | None], list[str]]


# what ``correct_quality_flag`` adds to the rules it returns when the next school year's jump,
# judged again against the corrected value, is flagged or no longer is
NEXT_FLAGGED = "next_jump"
NEXT_SETTLED = "next_settled"


def _now() -> datetime:
    """The time a write is stamped with (one place, so tests can set the clock)."""
    return datetime.now()


def _comment(text) -> str | None:
    text = "" if text is None else str(text).strip()
    if len(text) > MAX_COMMENT:
        raise StoreError("dq_comment_too_long", n=MAX_COMMENT)
    return text or None


def _insert_flags(cur, rows: list[tuple]) -> int:
    """Insert flags (tuples in ``FLAG_COLUMNS`` order but the id), ids from the table's max."""
    if not rows:
        return 0
    start = int(cur.execute("SELECT coalesce(max(flag_id), 0) + 1 FROM quality_flag").fetchone()[0])
    cols = ", ".join(FLAG_COLUMNS)
    marks = ", ".join("?" for _ in FLAG_COLUMNS)
    for i, row in enumerate(rows):
        cur.execute(f"INSERT INTO quality_flag ({cols}) VALUES ({marks})", [start + i, *row])
    return len(rows)


def write_import_flags(cur, batch: int, flags: Iterable, provenance: str) -> int:
    """Inside the import's transaction (after its outcome rows are written): store the
    preview's flags — only those naming a value this batch wrote (a preview is plain data:
    a flag of any other row is left out). Returns how many were stored."""
    flags = list(flags or ())
    if not flags:
        return 0
    cur.execute(QUALITY_SCHEMA)  # a file built before the table (IF NOT EXISTS: both backends)
    written = {
        (int(p), int(y), str(i)): float(v)
        for p, y, i, v in cur.execute(
            "SELECT project_id, school_year, indicator, value FROM outcome "
            "WHERE import_batch_id = ?",
            [int(batch)],
        ).fetchall()
    }
    now, rows = _now(), []
    for f in flags:
        key = (int(f.project_id), int(f.school_year), str(f.indicator))
        if key not in written:
            continue
        previous = None if f.previous is None else float(f.previous)
        rows.append(
            (
                *key,
                written[key],
                str(f.rule),
                previous,
                "flagged",
                now,
                None,
                None,
                None,
                None,
                int(batch),
                provenance,
            )
        )
    return _insert_flags(cur, rows)


def undo_quality_flags(cur, batch: int) -> None:
    """Inside ``undo_batch``'s transaction: the flags of the batch's values go with them."""
    if cur.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'quality_flag' "
        "AND table_schema = current_schema()"
    ).fetchall()[0][0]:
        cur.execute("DELETE FROM quality_flag WHERE import_batch_id = ?", [int(batch)])


class QualityOps(CoreStore):
    _quality_ready = False

    def _ensure_quality_schema(self) -> None:
        """Add ``quality_flag`` to a database built before it existed (same schema version;
        ``CREATE TABLE IF NOT EXISTS`` runs on both backends)."""
        if self._quality_ready:
            return
        if self.writer is not None:  # a PostgreSQL made by ``pgsync init`` before the table
            missing = self._sor_scalar(
                "SELECT count(*) FROM unnest(?::VARCHAR[]) AS t(name) "
                "WHERE to_regclass(t.name) IS NULL",
                [list(QUALITY_TABLES)],
            )
            if missing:
                with self._transaction("store_write_failed") as cur:
                    cur.execute(QUALITY_SCHEMA)
            self._quality_ready = True
            return
        have = set(self._df("SELECT table_name FROM information_schema.tables")["table_name"])
        if not set(QUALITY_TABLES) <= have:
            try:
                with self._con.cursor() as cur:
                    cur.execute(QUALITY_SCHEMA)
            except duckdb.Error:  # a file opened read-only: nothing was ever flagged in it
                return
            self._tables_cache = None
        self._quality_ready = True

    # ------------------------------------------------------------------ reads
    def quality_flags(
        self, viewer: Viewer, filters: Filters | None = None, project_id: int | None = None
    ) -> pd.DataFrame:
        """The flags of the outcome values of the viewer's projects (and the filters; one
        project with ``project_id``): ``FLAG_COLUMNS`` and the flagged value's
        ``outcome_provenance``. A flag whose value is set aside (a simulated project replaced
        by an import) is not shown until the import is undone."""
        self._ensure_quality_schema()
        if not self._quality_ready:
            return pd.DataFrame(columns=_READ_COLUMNS)
        where, params = project_predicate(viewer, filters)
        own, own_params = row_provenance_predicate(viewer, "o")
        where, params = f"{where} AND {own}", [*params, *own_params]
        if project_id is not None:
            where, params = f"{where} AND p.project_id = ?", [*params, int(project_id)]
        # the sidebar's 学期 range: the school years (August to July) it touches
        if filters is not None and filters.date_from is not None:
            where += " AND q.school_year >= ?"
            params.append(school_year_of(filters.date_from))
        if filters is not None and filters.date_to is not None:
            where += " AND q.school_year <= ?"
            params.append(school_year_of(filters.date_to))
        sel = ", ".join(f"q.{c}" for c in FLAG_COLUMNS)
        return self._sor_df(
            f"""SELECT {sel}, o.provenance AS outcome_provenance FROM quality_flag q
                JOIN outcome o ON o.project_id = q.project_id
                     AND o.school_year = q.school_year AND o.indicator = q.indicator
                JOIN project p ON p.project_id = q.project_id
                WHERE {where} ORDER BY q.flag_id""",
            params,
        )

    def quality_flag(self, viewer: Viewer, flag_id: int) -> dict | None:
        """One flag of the viewer's scope as a dict (None when there is none such)."""
        self._ensure_quality_schema()
        if not self._quality_ready:
            return None
        where, params = project_predicate(viewer, None)
        got = self._sor_df(
            f"""SELECT q.* FROM quality_flag q JOIN project p ON p.project_id = q.project_id
                WHERE q.flag_id = ? AND {where}""",
            [int(flag_id), *params],
        )
        return None if got.empty else got.iloc[0].to_dict()

    @staticmethod
    def may_review_quality(viewer: Viewer) -> bool:
        """Whether the viewer may confirm or correct flags at all (of its own scope)."""
        return not viewer.read_only and viewer.role in (
            Role.MINISTRY,
            Role.PROVINCE,
            Role.UNIVERSITY,
        )

    # ------------------------------------------------------------------ writes
    def _flag_in_scope(self, cur, viewer: Viewer, flag_id: int) -> tuple:
        """The flag's row (project, year, indicator, value, status, batch) read in the transaction,
        refused when it is not in the viewer's scope or no longer open."""
        where, params = project_predicate(viewer, None)
        row = cur.execute(
            f"""SELECT q.project_id, q.school_year, q.indicator, q.value, q.status,
                       q.import_batch_id FROM quality_flag q JOIN project p ON p.project_id = q.project_id
                WHERE q.flag_id = ? AND {where}""",
            [int(flag_id), *params],
        ).fetchall()
        if not row:
            raise StoreError("dq_flag_not_found", flag=int(flag_id))
        if row[0][4] != "flagged":
            raise StoreError("dq_flag_closed", flag=int(flag_id))
        return row[0]

    def _require_reviewer(self, viewer: Viewer) -> None:
        if viewer.read_only or viewer.role is Role.PRESENTER:
            raise StoreError("store_read_only_mode")
        if not self.may_review_quality(viewer):
            raise StoreError("dq_not_allowed")

    def confirm_quality_flag(self, viewer: Viewer, flag_id: int, comment: str = "") -> None:
        """The flagged value is right as it is (optional ``comment``): status ``confirmed``."""
        self._require_reviewer(viewer)
        text = _comment(comment)
        self._ensure_quality_schema()
        actor = viewer.name or viewer.role.value
        with self._transaction("store_write_failed") as cur:
            self._lock_writes(cur)
            pid, year, ind, value, _, _ = self._flag_in_scope(cur, viewer, flag_id)
            cur.execute(
                "UPDATE quality_flag SET status = 'confirmed', status_by = ?, status_at = ?, "
                "comment = ? WHERE flag_id = ?",
                [actor, _now(), text, int(flag_id)],
            )
            self._audit(
                cur,
                actor,
                "quality_confirm",
                f"flag={int(flag_id)} project_id={int(pid)} school_year={int(year)} "
                f"indicator={ind} value={float(value):g} comment={text or ''}",
            )
            self._after_write(cur, "quality")

    @staticmethod
    def _recheck_next_year(
        cur, recheck: Recheck, key: tuple[int, int, str], number: float, actor, now
    ) -> list[str]:
        """The next school year's value was judged against the old one: judge its jump again.
        An open jump flag it no longer earns is settled (corrected, by the same person); a jump
        it earns now is flagged. Returns ``NEXT_FLAGGED`` / ``NEXT_SETTLED`` for what happened."""
        pid, year, ind = key
        nxt = cur.execute(
            "SELECT value, import_batch_id FROM outcome WHERE project_id = ? AND school_year = ? "
            "AND indicator = ?",
            [pid, year + 1, ind],
        ).fetchall()
        if not nxt:
            return []
        value, its_batch = float(nxt[0][0]), nxt[0][1]
        jumps = "jump" in recheck(ind, value, number)
        open_ = [
            int(r[0])
            for r in cur.execute(
                "SELECT flag_id FROM quality_flag WHERE project_id = ? AND school_year = ? "
                "AND indicator = ? AND rule = 'jump' AND status = 'flagged'",
                [pid, year + 1, ind],
            ).fetchall()
        ]
        if open_ and not jumps:
            cur.execute(
                "UPDATE quality_flag SET status = 'corrected', status_by = ?, status_at = ?, "
                "corrected_value = value WHERE (flag_id = ANY(?::INTEGER[]))",
                [actor, now, open_],
            )
            return [NEXT_SETTLED]
        if jumps and not open_:
            _insert_flags(
                cur,
                [
                    (pid, year + 1, ind, value, "jump", number, "flagged", now)
                    # undoing the batch that brought that value removes the flag with it
                    + (None, None, None, None, its_batch, Provenance.ENTERED.value)
                ],
            )
            return [NEXT_FLAGGED]
        return []

    def correct_quality_flag(
        self,
        viewer: Viewer,
        flag_id: int,
        value: float,
        comment: str = "",
        recheck: Recheck | None = None,
    ) -> list[str]:
        """Write ``value`` to the flagged outcome (status ``corrected``, the audit log saying
        old → new). ``recheck(indicator, value, previous)`` names the rules the new value still
        breaks: each is flagged again (open). Returns those rules."""
        self._require_reviewer(viewer)
        text = _comment(comment)
        if isinstance(value, bool):
            raise StoreError("dq_not_number", value=str(value))
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise StoreError("dq_not_number", value=str(value)) from None
        if not math.isfinite(number):
            raise StoreError("dq_not_number", value=str(value))
        self._ensure_quality_schema()
        actor = viewer.name or viewer.role.value
        with self._transaction("store_write_failed") as cur:
            self._lock_writes(cur)
            pid, year, ind, old, _, batch = self._flag_in_scope(cur, viewer, flag_id)
            low, high = TARGET_RANGES.get(str(ind), (0.0, None))
            if number < low or (high is not None and number > high):
                raise StoreError(
                    "dq_impossible",
                    value=f"{number:g}",
                    low=f"{low:g}",
                    high="∞" if high is None else f"{high:g}",
                )
            stored = cur.execute(
                "SELECT value, provenance FROM outcome WHERE project_id = ? AND school_year = ? "
                "AND indicator = ?",
                [int(pid), int(year), str(ind)],
            ).fetchall()
            if not stored:
                raise StoreError("dq_flag_not_found", flag=int(flag_id))
            refuse_locked(
                cur,
                dated=[(int(pid), date(int(year), 9, 1)), (int(pid), date(int(year) + 1, 3, 1))],
            )
            before = float(stored[0][0])
            cur.execute(
                "UPDATE outcome SET value = ? WHERE project_id = ? AND school_year = ? "
                "AND indicator = ?",
                [number, int(pid), int(year), str(ind)],
            )
            now = _now()
            cur.execute(
                "UPDATE quality_flag SET status = 'corrected', status_by = ?, status_at = ?, "
                "comment = ?, corrected_value = ? WHERE flag_id = ?",
                [actor, now, text, number, int(flag_id)],
            )
            # the other open flags of the same value judged the old value: they are settled too
            cur.execute(
                "UPDATE quality_flag SET status = 'corrected', status_by = ?, status_at = ?, "
                "comment = ?, corrected_value = ? WHERE project_id = ? AND school_year = ? "
                "AND indicator = ? AND status = 'flagged' AND flag_id <> ?",
                [actor, now, text, number, int(pid), int(year), str(ind), int(flag_id)],
            )
            again: list[str] = []
            if recheck is not None:
                prev = cur.execute(
                    "SELECT value FROM outcome WHERE project_id = ? AND school_year = ? "
                    "AND indicator = ?",
                    [int(pid), int(year) - 1, str(ind)],
                ).fetchall()
                previous = float(prev[0][0]) if prev else None
                again = list(recheck(str(ind), number, previous))
                _insert_flags(
                    cur,
                    [
                        (
                            int(pid),
                            int(year),
                            str(ind),
                            number,
                            rule,
                            previous,
                            "flagged",
                            now,
                            None,
                            None,
                            None,
                            None,
                            batch,  # undoing the batch that brought the value removes it too
                            Provenance.ENTERED.value,
                        )
                        for rule in again
                    ],
                )
                again += self._recheck_next_year(
                    cur, recheck, (int(pid), int(year), str(ind)), number, actor, now
                )
            self._audit(
                cur,
                actor,
                "quality_correct",
                f"flag={int(flag_id)} project_id={int(pid)} school_year={int(year)} "
                f"indicator={ind} {before:g} -> {number:g} comment={text or ''}",
            )
            self._after_write(cur)
        return again
