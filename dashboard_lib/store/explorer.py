"""Queries of the map explorer (issue 3): milestone shares, project cards, flows.

A mixin of ``dashboard_lib.store.Store``: methods use ``self._df``, ``self._scalar`` and
``self._con.cursor()``, always with bound parameters and the viewer's scope
(``scope.project_predicate``). Extra tables are written out in ``schema.py``.
"""

from __future__ import annotations

import pandas as pd

from .. import metrics
from ..scope import Filters, Viewer, milestone_done_sql, project_predicate
from .core import CoreStore

_EXPLORER_GROUPS = {"province": "p.province_adcode", "county": "p.county_adcode"}


class ExplorerQueries(CoreStore):
    def explorer_milestone_share(
        self,
        viewer: Viewer,
        filters: Filters | None = None,
        by: str = "province",
        as_of: str | None = None,
    ) -> pd.DataFrame:
        """Share of milestones met per province or county: of the milestones whose due date has
        passed by ``as_of`` (the database's as-of date by default), those done on or before it
        (a month-precision date counts as the month's last day). Columns: key, due, met, share
        (NULL when nothing was due yet). With an as-of date in ``filters`` that date is the day
        looked at, and a milestone done after it is not done yet."""
        if by not in _EXPLORER_GROUPS:
            raise ValueError(f"unknown grouping {by!r}")
        key = _EXPLORER_GROUPS[by]
        pwhere, pparams = project_predicate(viewer, filters)
        if as_of is None and filters is not None and filters.as_of is not None:
            as_of = filters.as_of.isoformat()
        if as_of is None:
            as_of = self._scalar("SELECT value FROM meta WHERE key = 'as_of'")
        done, dparams = milestone_done_sql(filters, "m")
        return self._df(
            f"""
            WITH p AS (SELECT p.* FROM project p WHERE {pwhere}),
            m AS (
                SELECT {key} AS key,
                    (m.due_date IS NOT NULL AND m.due_date <= CAST(? AS DATE)) AS is_due,
                    ({done} IS NOT NULL AND m.due_date IS NOT NULL AND
                     (CASE WHEN m.date_precision = 'month' THEN last_day(m.done_date)
                           ELSE m.done_date END) <= m.due_date) AS on_time
                FROM milestone m JOIN p ON p.project_id = m.project_id)
            SELECT key, count(*) FILTER (WHERE is_due)::BIGINT AS due,
                   count(*) FILTER (WHERE is_due AND on_time)::BIGINT AS met,
                   CASE WHEN count(*) FILTER (WHERE is_due) = 0 THEN NULL
                        ELSE (count(*) FILTER (WHERE is_due AND on_time))::DOUBLE
                             / count(*) FILTER (WHERE is_due) END AS share
            FROM m GROUP BY key ORDER BY key""",
            [*pparams, as_of or "9999-12-31", *dparams],
        )

    def _explorer_source(self, viewer: Viewer, filters: Filters | None, use_summary: bool | None):
        """Activity from the summary when it can answer (see ``CoreStore._activity_source``),
        with the filters and the viewer's provenance limit (the demo mode sees no imported rows);
        the projects carry the place scope."""
        return self._activity_source(viewer, filters, use_summary)

    def explorer_cards(
        self,
        viewer: Viewer,
        filters: Filters | None = None,
        county_adcode: int | None = None,
        use_summary: bool | None = None,
    ) -> pd.DataFrame:
        """One row per project (of one county, or all in view) with what a map card shows:
        school, county, university, affiliated school, agreement dates, headline activity and
        provenance. Activity figures honour the date range / kinds / provenance filters; they
        are ``metrics.card_metrics()``, their SQL generated from the catalogue."""
        pwhere, pparams = project_predicate(viewer, filters)
        source, awhere, aparams, summarised = self._explorer_source(viewer, filters, use_summary)
        figures = metrics.card_metrics()
        signed, sparams = milestone_done_sql(filters, "sg")  # signed after the as-of: not yet
        extra, eparams = "", []
        if county_adcode is not None:
            extra, eparams = " AND p.county_adcode = ?", [int(county_adcode)]
        return self._df(
            f"""
            WITH a AS (
                SELECT a.project_id,
                    {metrics.activity_select(figures, summarised)}
                FROM {source} JOIN project p ON p.project_id = a.project_id
                WHERE {pwhere}{extra} AND {awhere}
                GROUP BY a.project_id)
            SELECT p.project_id, p.school_zh, p.province_adcode, pr.short_zh AS province_zh,
                   pr.name_en AS province_en, p.county_adcode, c.name_zh AS county_zh,
                   u.name_zh AS university_zh, u.name_en AS university_en, u.kind AS host_kind,
                   coalesce(p.affiliated_school, u.affiliated_high_schools, '') AS affiliated_school,
                   {signed} AS signed_date, sg.date_precision AS signed_precision,
                   p.cycle_start, p.cycle_end,
                   {metrics.per_project_select(figures)},
                   p.provenance, p.source_url, p.import_batch_id
            FROM project p
            JOIN province pr ON pr.adcode = p.province_adcode
            JOIN county c ON c.adcode = p.county_adcode
            JOIN university u ON u.university_id = p.university_id
            LEFT JOIN milestone sg ON sg.project_id = p.project_id AND sg.kind = 'signed'
            LEFT JOIN a ON a.project_id = p.project_id
            WHERE {pwhere}{extra}
            ORDER BY p.county_adcode, p.project_id""",
            [*pparams, *eparams, *aparams, *sparams, *pparams, *eparams],
        )

    def explorer_flows(
        self, viewer: Viewer, filters: Filters | None = None, use_summary: bool | None = None
    ) -> pd.DataFrame:
        """One row per project in view: university point, county point, activity count."""
        pwhere, pparams = project_predicate(viewer, filters)
        source, awhere, aparams, summarised = self._explorer_source(viewer, filters, use_summary)
        activities = metrics.by_key("activities")
        return self._df(
            f"""
            WITH a AS (
                SELECT a.project_id, {activities.activity_sql(summarised)} AS activities
                FROM {source} JOIN project p ON p.project_id = a.project_id
                WHERE {pwhere} AND {awhere} GROUP BY a.project_id)
            SELECT p.project_id, p.university_id, u.name_zh AS university_zh,
                   u.name_en AS university_en, u.lon AS university_lon, u.lat AS university_lat,
                   p.school_zh, p.province_adcode, p.county_adcode, c.name_zh AS county_zh,
                   c.lon AS county_lon, c.lat AS county_lat,
                   {activities.per_project_sql()} AS activities
            FROM project p
            JOIN county c ON c.adcode = p.county_adcode
            JOIN university u ON u.university_id = p.university_id
            LEFT JOIN a ON a.project_id = p.project_id
            WHERE {pwhere} AND u.lon IS NOT NULL AND u.lat IS NOT NULL
            ORDER BY p.project_id""",
            [*pparams, *aparams, *pparams],
        )
