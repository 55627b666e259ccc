"""Who may see what, and which rows the current filters select.

A ``Viewer`` is a role plus the provinces and universities it may see (``None`` = all).
``Filters`` are what the user chose in the sidebar; they can only narrow the viewer's scope,
never widen it. ``project_predicate`` turns both into one SQL predicate with bound parameters;
``store`` applies it inside every query.

``Filters.as_of`` (the sidebar's "数据截至" date, None = today) turns every read into the programme
as it was on that day, in this module only: a project exists once signed (its ``signed``
milestone's ``done_date``, else its ``cycle_start``) on or before the date
(``project_predicate``); activities count from their ``start_date`` (``activity_predicate``); a
milestone done later reads as not yet done (``milestone_done_sql``); outcomes count for the school
years complete by then (``outcome_predicate``); term reports and approvals as their timestamps
stood at the end of that day (``as_of_cutoff``). The judgements against "today" (overdue, late,
the terms assessed and offered, the school years assessed) are made on ``effective_as_of``: that
date when set, else the data's own date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from .vocab import Role


@dataclass(frozen=True)
class Viewer:
    role: Role
    provinces: frozenset[int] | None = None  # None: every province (and the Corps)
    universities: frozenset[int] | None = None  # None: every university
    name: str = ""
    read_only: bool = False  # the open demo mode may look, never write
    provenances: frozenset[str] | None = None  # None: all; the demo mode sees no imported rows

    @classmethod
    def demo(cls) -> Viewer:
        """The open demo mode: every province, read-only, published and simulated rows only."""
        return cls(
            Role.MINISTRY,
            None,
            None,
            "demo",
            read_only=True,
            provenances=frozenset({"published", "simulated"}),
        )

    @property
    def can_download_rows(self) -> bool:
        """Presenters show aggregates in public; they take no row-level files away."""
        return self.role is not Role.PRESENTER

    @classmethod
    def ministry(cls, name: str = "ministry") -> Viewer:
        return cls(Role.MINISTRY, None, None, name)

    @classmethod
    def province(cls, adcode: int, name: str = "") -> Viewer:
        return cls(Role.PROVINCE, frozenset({int(adcode)}), None, name)

    @classmethod
    def university(cls, university_ids, name: str = "") -> Viewer:
        return cls(Role.UNIVERSITY, None, frozenset(int(u) for u in university_ids), name)

    @classmethod
    def presenter(cls, name: str = "presenter") -> Viewer:
        return cls(Role.PRESENTER, None, None, name)

    @property
    def scope_key(self) -> tuple:
        """Everything that decides which rows this viewer sees and what a page offers them —
        not the name: two officials of one province share cached views, two provinces never do."""

        def sort(xs):
            return None if xs is None else tuple(sorted(xs))

        return (
            self.role.value,
            sort(self.provinces),
            sort(self.universities),
            sort(self.provenances),
            self.read_only,
        )

    def may_see_province(self, adcode: int) -> bool:
        return self.provinces is None or int(adcode) in self.provinces


@dataclass(frozen=True)
class Filters:
    provinces: tuple[int, ...] = ()
    prefectures: tuple[str, ...] = ()  # prefecture names (地市), within the provinces
    universities: tuple[int, ...] = ()
    date_from: date | None = None
    date_to: date | None = None
    kinds: tuple[str, ...] = ()
    provenance: tuple[str, ...] = ()
    as_of: date | None = None  # the programme as it was on this day (None: today, all rows)


# The day a project began to exist: its signing, else the start of its cycle (``{a}``: the alias
# of the project table). A correlated subquery: it runs on DuckDB and PostgreSQL alike.
SIGNED_ON_SQL = (
    "coalesce((SELECT min(sg.done_date) FROM milestone sg WHERE sg.project_id = {a}.project_id "
    "AND sg.kind = 'signed'), {a}.cycle_start)"
)


def as_of_of(filters: Filters | None) -> date | None:
    """The as-of date of ``filters`` (None: no limit in time)."""
    return None if filters is None else filters.as_of


def effective_as_of(store, filters: Filters | None = None) -> date:
    """The day every judgement against "today" is made on (overdue, late, assessed terms, the
    school years assessed): the filters' as-of date when one is set and earlier than the data's
    own date (``store.as_of()``), else the data's date. The one rule for every page."""
    latest = store.as_of()
    chosen = getattr(filters, "as_of", None)
    return chosen if chosen is not None and chosen < latest else latest


def as_of_cutoff(as_of: date | None) -> datetime | None:
    """The first instant after the as-of day: a timestamp before it happened by that day."""
    return None if as_of is None else datetime.combine(as_of + timedelta(days=1), time())


def last_complete_school_year(as_of: date) -> int:
    """The last school year (named by the year it starts in August) ended by ``as_of`` (31 July
    counts as its end)."""
    day = as_of + timedelta(days=1)
    return (day.year if day.month >= 8 else day.year - 1) - 1


def milestone_done_sql(filters: Filters | None, alias: str = "m") -> tuple[str, list]:
    """The ``done_date`` of milestone rows (aliased ``alias``) as of the filters' date: a
    milestone done after it reads as not yet done (NULL). Returns (SQL expression, params)."""
    as_of = as_of_of(filters)
    if as_of is None:
        return f"{alias}.done_date", []
    return f"(CASE WHEN {alias}.done_date <= CAST(? AS DATE) THEN {alias}.done_date END)", [as_of]


def outcome_predicate(filters: Filters | None, alias: str = "o") -> tuple[str, list]:
    """Outcome rows (aliased ``alias``) of the school years complete by the as-of date."""
    as_of = as_of_of(filters)
    if as_of is None:
        return "TRUE", []
    return f"({alias}.school_year <= ?)", [last_complete_school_year(as_of)]


def row_provenance_predicate(viewer: Viewer, alias: str) -> tuple[str, list]:
    """Provenance limit of the viewer on any table with a provenance column (milestones,
    outcomes, …): the demo mode never shows imported rows."""
    if viewer.provenances is None:
        return "TRUE", []
    return f"({alias}.provenance = ANY(?::VARCHAR[]))", [sorted(viewer.provenances)]


def project_predicate(
    viewer: Viewer, filters: Filters | None, alias: str = "p"
) -> tuple[str, list]:
    """SQL predicate over the project table (aliased ``alias``) and its bound parameters.

    Scope first (the viewer's provinces and universities), then the filters inside it.
    """
    filters = filters or Filters()
    clauses: list[str] = []
    params: list = []
    if viewer.provinces is not None:
        clauses.append(f"({alias}.province_adcode = ANY(?::INTEGER[]))")
        params.append(sorted(viewer.provinces))
    if viewer.universities is not None:
        clauses.append(f"({alias}.university_id = ANY(?::INTEGER[]))")
        params.append(sorted(viewer.universities))
    if viewer.provenances is not None:
        clauses.append(f"({alias}.provenance = ANY(?::VARCHAR[]))")
        params.append(sorted(viewer.provenances))
    if filters.provinces:
        clauses.append(f"({alias}.province_adcode = ANY(?::INTEGER[]))")
        params.append(sorted(int(x) for x in filters.provinces))
    if filters.prefectures:
        clauses.append(f"({alias}.prefecture_zh = ANY(?::VARCHAR[]))")
        params.append(sorted(filters.prefectures))
    if filters.universities:
        clauses.append(f"({alias}.university_id = ANY(?::INTEGER[]))")
        params.append(sorted(int(x) for x in filters.universities))
    if filters.provenance:
        clauses.append(f"({alias}.provenance = ANY(?::VARCHAR[]))")
        params.append(sorted(filters.provenance))
    if filters.as_of is not None:  # signed by then (scope above still applies: it only narrows)
        clauses.append(f"({SIGNED_ON_SQL.format(a=alias)} <= CAST(? AS DATE))")
        params.append(filters.as_of)
    return (" AND ".join(clauses) or "TRUE"), params


def activity_predicate(
    filters: Filters | None, alias: str = "a", viewer: Viewer | None = None
) -> tuple[str, list]:
    """SQL predicate over an activity-like table (start_date, kind, provenance) for the date
    range, kinds and provenance filters, and the provenances the viewer may see."""
    filters = filters or Filters()
    clauses: list[str] = []
    params: list = []
    if viewer is not None and viewer.provenances is not None:
        clauses.append(f"({alias}.provenance = ANY(?::VARCHAR[]))")
        params.append(sorted(viewer.provenances))
    if filters.date_from is not None:
        clauses.append(f"{alias}.start_date >= ?")
        params.append(filters.date_from)
    if filters.date_to is not None:
        clauses.append(f"{alias}.start_date <= ?")
        params.append(filters.date_to)
    if filters.as_of is not None:
        clauses.append(f"{alias}.start_date <= CAST(? AS DATE)")
        params.append(filters.as_of)
    if filters.kinds:
        clauses.append(f"({alias}.kind = ANY(?::VARCHAR[]))")
        params.append(sorted(filters.kinds))
    if filters.provenance:
        clauses.append(f"({alias}.provenance = ANY(?::VARCHAR[]))")
        params.append(sorted(filters.provenance))
    return (" AND ".join(clauses) or "TRUE"), params
