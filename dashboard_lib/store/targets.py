"""Outcome targets per project and indicator (issue 16, part 3): read in the viewer's scope, set
by the province (for its own projects) or the ministry, every change audit-logged before → after.

A mixin of ``dashboard_lib.store.Store``. The table (``schema.TARGETS_SCHEMA``):
``outcome_target(project_id, indicator, target, set_by, set_at, provenance)``, one row per
project and indicator once a target was set. **No row means no target** ("未设定 / not set"):
the notice (教基厅函〔2022〕13号) aims at "clearly better schools by 2025" and states no number,
so nothing here ever invents one. The demo build writes simulated targets (provenance
``simulated``, ``demo.simulated_targets``); a target a person sets is ``entered``.

Who may set a target (every refusal a ``StoreError`` with a ``strings/scorecard.py`` key, the
database unchanged): a province official for the projects of its own province, and the ministry
for any project; nobody read-only (the demo, a presenter). The value must lie in its indicator's
range (``TARGET_RANGES``: percentages 0–100, enrolment ≥ 0). ``value=None`` clears the target
(back to "not set"). Every write takes ``_lock_writes`` first and runs the same SQL on DuckDB
and PostgreSQL; the reads go to the system of record (``_sor_df``), so a target just set shows.
"""

from __future__ import annotations

import math
from datetime import datetime

import duckdb
import pandas as pd

from ..scope import Filters, Viewer, project_predicate, row_provenance_predicate
from ..vocab import OUTCOME_INDICATORS, Provenance, Role
from .core import CoreStore, StoreError
from .schema import TARGETS_SCHEMA, TARGETS_TABLES

__all__ = ["TARGET_COLUMNS", "TARGET_RANGES", "TargetOps"]

# The range a target of each indicator may take (lowest, highest; None: no upper bound).
TARGET_RANGES: dict[str, tuple[float, float | None]] = {
    "enrolment": (0.0, None),  # 在校生数: a head count
    "teacher_retention": (0.0, 100.0),  # 骨干教师留任率 %
    "admission_rate": (0.0, 100.0),  # 本科上线率 %
}
assert set(TARGET_RANGES) == set(OUTCOME_INDICATORS)

TARGET_COLUMNS = ["project_id", "indicator", "target", "set_by", "set_at", "provenance"]


def _now() -> datetime:
    """The time a write is stamped with (one place, so tests can set the clock)."""
    return datetime.now()


def _number(value) -> float | None:
    """``value`` as a finite float, None when it is none at all; refused when not a number."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, bool):
        raise StoreError("score_target_not_number", value=str(value))
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise StoreError("score_target_not_number", value=str(value)) from None
    if not math.isfinite(number):
        raise StoreError("score_target_not_number", value=str(value))
    return number


def _shown(value) -> str:
    """A target as the audit log writes it (``not set`` for none)."""
    return "not set" if value is None else f"{float(value):g}"


class TargetOps(CoreStore):
    _targets_ready = False

    def _ensure_targets_schema(self) -> None:
        """Add ``outcome_target`` to a database built before it existed (same schema version;
        ``CREATE TABLE IF NOT EXISTS`` runs on both backends)."""
        if self._targets_ready:
            return
        if self.writer is not None:  # a PostgreSQL made by ``pgsync init`` before the table
            missing = self._sor_scalar(
                "SELECT count(*) FROM unnest(?::VARCHAR[]) AS t(name) "
                "WHERE to_regclass(t.name) IS NULL",
                [list(TARGETS_TABLES)],
            )
            if missing:
                with self._transaction("store_write_failed") as cur:
                    cur.execute(TARGETS_SCHEMA)
            self._targets_ready = True
            return
        have = set(self._df("SELECT table_name FROM information_schema.tables")["table_name"])
        if not set(TARGETS_TABLES) <= have:
            try:
                with self._con.cursor() as cur:
                    cur.execute(TARGETS_SCHEMA)
            except duckdb.Error:  # a file opened read-only: no target was ever set in it
                return
            self._tables_cache = None
        self._targets_ready = True

    # ------------------------------------------------------------------ reads
    def outcome_targets(
        self, viewer: Viewer, filters: Filters | None = None, project_id: int | None = None
    ) -> pd.DataFrame:
        """The targets set for the projects in the viewer's scope (and the filters; one project
        with ``project_id``): ``TARGET_COLUMNS``. A project and indicator without a row has no
        target."""
        self._ensure_targets_schema()
        if not self._targets_ready:
            return pd.DataFrame(columns=TARGET_COLUMNS)
        where, params = project_predicate(viewer, filters)
        own, own_params = row_provenance_predicate(viewer, "x")  # the demo sees no entered ones
        where, params = f"{where} AND {own}", [*params, *own_params]
        if project_id is not None:
            where, params = f"{where} AND p.project_id = ?", [*params, int(project_id)]
        sel = ", ".join(f"x.{c}" for c in TARGET_COLUMNS)
        return self._sor_df(
            f"""SELECT {sel} FROM outcome_target x JOIN project p USING (project_id)
                WHERE {where} ORDER BY x.project_id, x.indicator""",
            params,
        )

    # ------------------------------------------------------------------ writes
    @staticmethod
    def may_set_targets(viewer: Viewer) -> bool:
        """Whether the viewer may set targets at all (the page offers the form only then)."""
        return (
            not viewer.read_only
            and viewer.role in (Role.PROVINCE, Role.MINISTRY)
            and viewer.universities is None
        )

    def set_target(
        self, viewer: Viewer, project_id: int, indicator: str, value: float | None
    ) -> float | None:
        """Set (or, with ``value=None``, clear) the target of one project's indicator. A
        province official sets those of its own province's projects, the ministry any project.
        Returns the target before the change (None: it was not set)."""
        if viewer.read_only or viewer.role is Role.PRESENTER:
            raise StoreError("store_read_only_mode")
        if not self.may_set_targets(viewer):
            raise StoreError("score_only_province")
        if indicator not in TARGET_RANGES:
            raise StoreError("score_bad_indicator", indicator=str(indicator))
        number = _number(value)
        low, high = TARGET_RANGES[indicator]
        if number is not None and (number < low or (high is not None and number > high)):
            raise StoreError(
                "score_target_out_of_range" if high is not None else "score_target_negative",
                value=f"{number:g}",
                low=f"{low:g}",
                high="" if high is None else f"{high:g}",
            )
        self._ensure_targets_schema()
        actor = viewer.name or viewer.role.value
        with self._transaction("store_write_failed") as cur:
            self._lock_writes(cur)
            where, params = project_predicate(viewer, None)
            found = cur.execute(
                f"SELECT p.project_id FROM project p WHERE p.project_id = ? AND {where}",
                [int(project_id), *params],
            ).fetchall()
            if not found:
                raise StoreError("score_project_out_of_scope", project=int(project_id))
            row = cur.execute(
                "SELECT target FROM outcome_target WHERE project_id = ? AND indicator = ?",
                [int(project_id), indicator],
            ).fetchall()
            before = float(row[0][0]) if row else None
            if number is None:
                cur.execute(
                    "DELETE FROM outcome_target WHERE project_id = ? AND indicator = ?",
                    [int(project_id), indicator],
                )
            else:
                cur.execute(
                    """INSERT INTO outcome_target (project_id, indicator, target, set_by, set_at,
                           provenance) VALUES (?, ?, ?, ?, ?, ?)
                       ON CONFLICT (project_id, indicator) DO UPDATE SET
                           target = excluded.target, set_by = excluded.set_by,
                           set_at = excluded.set_at, provenance = excluded.provenance""",
                    [int(project_id), indicator, number, actor, _now(), Provenance.ENTERED.value],
                )
            self._audit(
                cur,
                actor,
                "outcome_target_set",
                f"project_id={int(project_id)} indicator={indicator} "
                f"{_shown(before)} -> {_shown(number)}",
            )
            self._after_write(cur, "targets")
        return before
