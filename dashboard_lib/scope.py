"""Who may see what, and which rows the current filters select.

A ``Viewer`` is a role plus the provinces and universities it may see (``None`` = all).
``Filters`` are what the user chose in the sidebar; they can only narrow the viewer's scope,
never widen it. ``project_predicate`` turns both into one SQL predicate with bound parameters;
``store`` applies it inside every query.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

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
    if filters.kinds:
        clauses.append(f"({alias}.kind = ANY(?::VARCHAR[]))")
        params.append(sorted(filters.kinds))
    if filters.provenance:
        clauses.append(f"({alias}.provenance = ANY(?::VARCHAR[]))")
        params.append(sorted(filters.provenance))
    return (" AND ".join(clauses) or "TRUE"), params
