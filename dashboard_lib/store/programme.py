"""Queries of the programme views (issue 4): progress, exchanges, internships, dossier.

A mixin of ``dashboard_lib.store.Store``: methods use ``self._df``, ``self._scalar`` and
``self._con.cursor()``, always with bound parameters and the viewer's scope
(``scope.project_predicate``). Extra tables are written out in ``schema.py``.

Activity figures come from ``activity_summary`` (see ``summary.py``) when it is current and the
date filter covers whole school terms; otherwise from the activity table itself. Both paths give
the same numbers (tests/unit/test_programme_store.py checks it).
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from ..school_calendar import TERM_CODE_SQL
from ..scope import (
    Filters,
    Viewer,
    activity_predicate,
    milestone_done_sql,
    outcome_predicate,
    project_predicate,
)
from .core import CoreStore
from .summary import (
    BREAKDOWN_DIMS,
    MEASURES,
    MEASURES_SQL,
    SUMMARY_TABLE,
    refresh_summaries,
    summary_is_current,
    summary_terms,
)

# Columns an aggregate may be grouped by (a whitelist: names are never taken from the user).
GROUP_COLUMNS = {
    "project_id": "p.project_id",
    "university_id": "p.university_id",
    "province_adcode": "p.province_adcode",
    "kind": "a.kind",
    "term_code": "a.term_code",
    "provenance": "a.provenance",
    "mode": "a.mode",
    "direction": "a.direction",
    "value": "a.value",
}


def _term_range(filters: Filters) -> tuple[int | None, int | None] | None:
    """The filter's date range as term codes, or None when it does not cover whole terms (an
    as-of date counts as one more upper end: ``summary.summary_terms``)."""
    return summary_terms(filters)


def _projects_in_scope(
    viewer: Viewer, filters: Filters | None, project_id: int | None
) -> tuple[str, list]:
    """``project_predicate`` over ``p``, narrowed to one project when ``project_id`` is given."""
    pwhere, params = project_predicate(viewer, filters)
    if project_id is None:
        return pwhere, params
    return f"{pwhere} AND p.project_id = ?", [*params, int(project_id)]


class ProgrammeQueries(CoreStore):
    # ------------------------------------------------------------------ summaries
    def refresh_summaries(self) -> None:
        with self._con.cursor() as cur:
            refresh_summaries(cur)

    def summary_current(self) -> bool:
        """True when the summary exists and counts the same activity rows as the base table."""
        return summary_is_current(self._scalar)

    # ------------------------------------------------------------------ activity aggregates
    def activity_agg(
        self,
        viewer: Viewer,
        filters: Filters | None = None,
        by: tuple[str, ...] = (),
        dim: str = "",
        kinds: tuple[str, ...] = (),
        project_id: int | None = None,
        use_summary: bool | None = None,
    ) -> pd.DataFrame:
        """Activity measures (``summary.MEASURES``) of the projects in scope, grouped by ``by``.

        ``dim`` ('' or role / subject / level) splits the rows by that column (group by
        ``value``); ``kinds`` narrows to some ways of working inside the filter's own kinds.
        """
        filters = filters or Filters()
        unknown = [c for c in by if c not in GROUP_COLUMNS]
        if unknown or (dim and dim not in BREAKDOWN_DIMS):
            raise ValueError(f"unknown grouping {unknown or dim!r}")
        terms = _term_range(filters)
        if use_summary is None:
            use_summary = terms is not None and self.summary_current()
        pwhere, pparams = _projects_in_scope(viewer, filters, project_id)
        clauses: list[str] = []
        params: list = []
        if use_summary:
            source = f"{SUMMARY_TABLE} a"
            clauses.append("a.dim = ?")
            params.append(dim)
            assert terms is not None  # the summary has whole terms only (use_summary's rule)
            lo, hi = terms
            if lo is not None:
                clauses.append("a.term_code >= ?")
                params.append(lo)
            if hi is not None:
                clauses.append("a.term_code <= ?")
                params.append(hi)
            if filters.kinds:
                clauses.append("(a.kind = ANY(?::VARCHAR[]))")
                params.append(sorted(filters.kinds))
            if filters.provenance:
                clauses.append("(a.provenance = ANY(?::VARCHAR[]))")
                params.append(sorted(filters.provenance))
            if viewer.provenances is not None:  # the demo mode sees no imported rows
                clauses.append("(a.provenance = ANY(?::VARCHAR[]))")
                params.append(sorted(viewer.provenances))
            measures = ", ".join(f"sum(a.{m}) AS {m}" for m in MEASURES)
        else:
            value = "''" if not dim else f"coalesce(CAST(b.{dim} AS VARCHAR), '')"
            term = TERM_CODE_SQL.format(d="b.start_date")
            source = (
                f"(SELECT b.*, {term} AS term_code, {value} AS value, "
                f"coalesce(b.mode, '') AS mode_ FROM activity b) a"
            )
            awhere, aparams = activity_predicate(filters, viewer=viewer)
            clauses.append(awhere)
            params.extend(aparams)
            measures = ", ".join(f"CAST({sql} AS DOUBLE) AS {m}" for m, sql in MEASURES_SQL.items())
        if kinds:
            clauses.append("(a.kind = ANY(?::VARCHAR[]))")
            params.append(sorted(kinds))
        cols = [GROUP_COLUMNS[c] if use_summary or c != "mode" else "a.mode_" for c in by]
        select = ", ".join(f"{c} AS {name}" for c, name in zip(cols, by))
        group = f"GROUP BY {', '.join(cols)} ORDER BY {', '.join(cols)}" if cols else ""
        sql = f"""
            SELECT {select + ", " if select else ""}{measures}
            FROM {source} JOIN project p ON p.project_id = a.project_id
            WHERE {pwhere} AND {" AND ".join(clauses) or "TRUE"}
            {group}"""
        out = self._df(sql, [*pparams, *params])
        for m in MEASURES:
            out[m] = out[m].fillna(0)
        if not by and out.empty:
            out = pd.DataFrame([{m: 0 for m in MEASURES}])
        return out

    # ------------------------------------------------------------------ projects
    def programme_projects(
        self, viewer: Viewer, filters: Filters | None = None, project_id: int | None = None
    ) -> pd.DataFrame:
        """Projects in scope with pairing, cycle and milestone dates (one row each)."""
        pwhere, params = _projects_in_scope(viewer, filters, project_id)
        return self._df(
            f"""
            SELECT p.project_id, p.school_zh, p.province_adcode, pr.short_zh AS province_short,
                   pr.name_zh AS province_zh, pr.name_en AS province_en, pr.region,
                   p.prefecture_zh, p.county_adcode, c.name_zh AS county_zh,
                   p.university_id, u.name_zh AS university_zh, u.name_en AS university_en,
                   u.kind AS host_kind, coalesce(p.affiliated_school, '') AS affiliated_school,
                   coalesce(u.affiliated_high_schools, '') AS university_affiliated,
                   p.batch, p.cycle_start, p.cycle_end, p.confidence, p.provenance,
                   p.source_url, p.location_note
            FROM project p
            JOIN province pr ON pr.adcode = p.province_adcode
            JOIN county c ON c.adcode = p.county_adcode
            JOIN university u ON u.university_id = p.university_id
            WHERE {pwhere}
            ORDER BY p.province_adcode, p.county_adcode, p.project_id""",
            params,
        )

    def filter_choices(
        self, viewer: Viewer, provinces: tuple[int, ...] = ()
    ) -> dict[str, pd.DataFrame]:
        """What the sidebar may offer: prefectures and universities of the viewer's projects."""
        where, params = project_predicate(viewer, Filters(provinces=provinces))
        pref = self._df(
            f"""SELECT DISTINCT p.province_adcode, p.prefecture_zh FROM project p
                            WHERE {where} AND p.prefecture_zh IS NOT NULL
                            ORDER BY 1, 2""",
            params,
        )
        uni = self._df(
            f"""SELECT DISTINCT u.university_id, u.name_zh, u.name_en
                           FROM project p JOIN university u USING (university_id)
                           WHERE {where} ORDER BY u.name_zh""",
            params,
        )
        return {"prefectures": pref, "universities": uni}

    def project_activities(
        self, viewer: Viewer, filters: Filters | None, project_id: int, limit: int = 20_000
    ) -> pd.DataFrame:
        """Every activity row of one project in scope (date, kind, provenance filters apply)."""
        pwhere, pparams = project_predicate(viewer, filters)
        awhere, aparams = activity_predicate(filters, viewer=viewer)
        return self._df(
            f"""
            SELECT a.activity_id, a.kind, a.start_date, a.end_date, a.date_precision, a.people,
                   a.person_months, a.participants, a.hours, a.mode, a.role, a.subject, a.level,
                   a.direction, a.note, a.provenance, a.source_url
            FROM activity a JOIN project p USING (project_id)
            WHERE {pwhere} AND p.project_id = ? AND a.project_id = ? AND {awhere}
            ORDER BY a.start_date, a.activity_id LIMIT ?""",
            [*pparams, int(project_id), int(project_id), *aparams, int(limit)],
        )

    def project_milestones(
        self, viewer: Viewer, filters: Filters | None = None, project_id: int | None = None
    ) -> pd.DataFrame:
        pwhere, params = _projects_in_scope(viewer, filters, project_id)
        done, dparams = milestone_done_sql(filters, "m")  # done after the as-of date: not yet
        return self._df(
            f"""
            SELECT m.project_id, m.kind, m.due_date, {done} AS done_date, m.date_precision,
                   m.note, m.provenance, m.source_url
            FROM milestone m JOIN project p USING (project_id)
            WHERE {pwhere} ORDER BY m.project_id, m.kind""",
            [*dparams, *params],
        )

    def project_outcomes(
        self, viewer: Viewer, filters: Filters | None = None, project_id: int | None = None
    ) -> pd.DataFrame:
        pwhere, params = _projects_in_scope(viewer, filters, project_id)
        owhere, oparams = outcome_predicate(filters, "o")  # school years complete by the as-of
        return self._df(
            f"""
            SELECT o.project_id, o.school_year, o.indicator, o.value, o.provenance, o.source_url
            FROM outcome o JOIN project p USING (project_id)
            WHERE {pwhere} AND {owhere} ORDER BY o.project_id, o.school_year, o.indicator""",
            [*params, *oparams],
        )

    def outcome_trend(self, viewer: Viewer, filters: Filters | None = None) -> pd.DataFrame:
        """Per school year and indicator: mean over the projects in scope, and how many."""
        pwhere, params = project_predicate(viewer, filters)
        owhere, oparams = outcome_predicate(filters, "o")
        return self._df(
            f"""
            SELECT o.school_year, o.indicator, avg(o.value) AS mean, count(*) AS projects,
                   count(*) FILTER (WHERE o.provenance = 'simulated') AS simulated
            FROM outcome o JOIN project p USING (project_id)
            WHERE {pwhere} AND {owhere} GROUP BY 1, 2 ORDER BY 1, 2""",
            [*params, *oparams],
        )

    def as_of(self) -> date:
        v = self._scalar("SELECT value FROM meta WHERE key = 'as_of'")
        try:
            return date.fromisoformat(v) if v else date.today()
        except ValueError:
            return date.today()
