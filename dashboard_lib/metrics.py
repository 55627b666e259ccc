"""The figures the dashboard shows, each declared once: the metric catalogue.

Every headline figure (托管项目 projects, 派驻人员 people dispatched, 驻校人月 person-months, …)
is one ``Metric`` in ``CATALOGUE``: its ``key`` (the column name the store returns), what it
counts (``kind``), the SQL expression it aggregates (``measure``) with which aggregate, over which
activity rows (``activity_kind``, ``where``), its unit and its labels (literal keys of
``dashboard_lib/strings/*.py``), and where it shows (``kpi``, ``map``, ``explorer``, ``card``).
The store builds its SELECT lists from this catalogue; the overview and the explorer take their
card and menu lists from it. Nothing else spells a figure out.

Tracing a number on a page to its SQL, by name (three hops). Example: the overview card
"派驻人员（人次）" → ``kpi_people_dispatched`` in ``strings/core.py`` → the entry below with
``kpi_label_key="kpi_people_dispatched"`` (key ``people_dispatched``: SUM of ``a.people`` over
``dispatch`` rows) → ``Store.metrics``, column ``people_dispatched``. In general:

1. The page. ``views/overview.py`` shows ``overview.kpis`` (one card per ``metrics.kpis()``)
   and the map menu ``overview.MAP_METRICS`` (``metrics.map_metrics()``); ``views/explorer.py``
   shows ``explorer.METRICS`` (``metrics.explorer_metrics()``) and the project cards
   (``metrics.card_metrics()``). A card's label is ``t(metric.kpi_label_key)``, a menu entry's
   ``label(metric.label_key)``: grep the shown text in ``dashboard_lib/strings/`` to get the key,
   grep the key here to get the entry.
2. The entry here, ``by_key("people_dispatched")``: ``kind`` (rows of which table), ``measure``
   and ``aggregate`` (``SUM(a.people)``), ``activity_kind`` (only ``dispatch`` rows), ``where``.
3. The store method it names (``store_method``): ``Store.metrics`` in ``store/core.py`` (every
   project, activity and signing figure, in total or per province / county / university /
   project), ``Store.explorer_cards`` in ``store/explorer.py`` (the card figures per project),
   ``Store.explorer_milestone_share`` (the share of milestones met). They paste
   ``Metric.activity_sql`` (the figure per project, over activity rows aliased ``a``) and
   ``Metric.total_sql`` (the figure over the projects in view) into their SQL;
   ``print(by_key(key).activity_sql(False))`` shows the SQL of the activity table path,
   ``activity_sql(True)`` that of the summary table.

Activity figures come from the activity table or, when it can answer, from the summary table
(``store/summary.py``, columns ``SUMMARY_MEASURES``); ``Metric.summary_measure`` names the
column that holds each figure's aggregate, so both paths give the same numbers
(tests/unit/test_metrics.py checks every metric against the two paths and against pandas).

The unit of a figure in a language is :func:`unit_text` (``Metric.unit`` is a strings key; a
share carries its "%" in the number); the maps' tooltips show value and unit together
("派驻人员：173 人次", "People dispatched: 173 person-trips") through ``maps.value_text``.

A base module: it imports nothing from ``dashboard_lib`` but the base modules ``vocab`` and
``i18n``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from .i18n import t
from .vocab import ActivityKind, Provenance


class Kind(str, Enum):
    """What a figure counts, over which rows."""

    PROJECT_COUNT = "project_count"  # projects in view (or distinct values of a project column)
    ACTIVITY_SUM = "activity_sum"  # a column of the activity rows, summed
    ACTIVITY_COUNT = "activity_count"  # activity rows, counted
    SIGNED = "signed"  # the signed milestone of each project: on time 1, late 0, not yet NULL
    MILESTONE_SHARE = "milestone_share"  # milestones met of those due, per area


ACTIVITY_KINDS = (Kind.ACTIVITY_SUM, Kind.ACTIVITY_COUNT)


@dataclass(frozen=True)
class Measure:
    """One column of the activity summary table: ``aggregate`` of ``expr`` over activity rows
    (aliased ``a``) of one cell; the summary path adds the cells up with ``sum(a.<name>)``."""

    name: str
    aggregate: str  # SUM or COUNT
    expr: str  # SQL over one activity row; "*" for COUNT(*)

    @property
    def raw_sql(self) -> str:
        """The aggregate over activity rows, e.g. ``sum(a.people)``, ``count(*)``."""
        if self.aggregate == "COUNT" and self.expr == "*":
            return "count(*)"
        return f"{self.aggregate.lower()}({self.expr})"

    def summary_sql(self, alias: str = "a") -> str:
        """The same figure from summary rows aliased ``alias``: the cells' values added up."""
        return f"sum({alias}.{self.name})"


# What the summary table stores per cell (store/summary.py builds its columns from this, in
# this order). The catalogue's activity figures and the programme pages (Store.activity_agg)
# aggregate these.
SUMMARY_MEASURES = (
    Measure("n", "COUNT", "*"),
    Measure("people", "SUM", "a.people"),
    Measure("person_months", "SUM", "a.person_months"),
    Measure("participants", "SUM", "a.participants"),
    Measure("hours", "SUM", "a.hours"),
    Measure("participant_hours", "SUM", "a.participants * a.hours"),
    Measure(
        "person_days",
        "SUM",
        "coalesce(a.people, 0) * (datediff('day', a.start_date, "
        "coalesce(a.end_date, a.start_date)) + 1)",
    ),
)


@dataclass(frozen=True)
class Metric:
    """One figure. ``key`` is the column the store returns it in and the value the URL and the
    menus carry."""

    key: str
    kind: Kind
    measure: str  # the SQL expression it aggregates ("*": the rows themselves)
    aggregate: str  # COUNT, COUNT DISTINCT, SUM, SHARE
    unit: str  # strings key of the unit (人次, 次, 个 …)
    label_key: str  # LABELS key: the figure's name in menus, map legends and tooltips
    kpi_label_key: str | None = None  # STRINGS key: the KPI card's label
    activity_kind: ActivityKind | None = None  # only activity rows of this way of working
    where: str | None = None  # a further condition on the activity rows
    sql_type: str = "BIGINT"
    out_of: str | None = None  # shown as "value/out_of" (the key of the denominator)
    store_method: str = "metrics"  # the Store method that computes it
    kpi: bool = False  # a card on the overview
    map: bool = False  # a choice of the overview map
    explorer: bool = False  # a choice of the map explorer
    card: bool = False  # on the explorer's project cards (Store.explorer_cards)

    @property
    def from_activity(self) -> bool:
        return self.kind in ACTIVITY_KINDS

    @property
    def row_condition(self) -> str | None:
        """Which activity rows count, as SQL over rows aliased ``a`` (None: every row)."""
        parts = []
        if self.activity_kind is not None:
            parts.append(f"a.kind = '{self.activity_kind.value}'")
        if self.where:
            parts.append(self.where)
        return " AND ".join(parts) or None

    @property
    def summary_measure(self) -> Measure:
        """The summary column whose cells add up to this figure (activity figures only)."""
        if not self.from_activity:
            raise ValueError(f"{self.key} is not an activity figure")
        for m in SUMMARY_MEASURES:
            if (m.aggregate, m.expr) == (self.aggregate, self.measure):
                return m
        raise ValueError(f"no summary measure holds {self.aggregate}({self.measure})")

    def activity_sql(self, summarised: bool) -> str:
        """The figure per group of activity rows aliased ``a``: from the activity table, or from
        the summary table when ``summarised``. E.g. ``sum(a.people) FILTER (WHERE a.kind =
        'dispatch')``, ``count(*)`` (rows) or ``sum(a.n)`` (the same from the summary)."""
        m = self.summary_measure
        base = m.summary_sql() if summarised else m.raw_sql
        cond = self.row_condition
        return f"{base} FILTER (WHERE {cond})" if cond else base

    def total_sql(self) -> str:
        """The figure over the projects in view, as ``Store.metrics`` selects it: projects
        aliased ``p``, the per-project activity figures ``a.<key>`` (``activity_sql``), the
        signed milestone ``s``."""
        if self.kind is Kind.PROJECT_COUNT:
            if self.aggregate == "COUNT DISTINCT":
                return f"count(DISTINCT {self.measure})::{self.sql_type}"
            return f"count({self.measure})::{self.sql_type}"
        if self.from_activity:
            return f"coalesce(sum(a.{self.key}), 0)::{self.sql_type}"
        if self.kind is Kind.SIGNED:
            if self.aggregate == "COUNT":
                return f"count({self.measure})::{self.sql_type}"
            return f"coalesce(sum({self.measure}), 0)::{self.sql_type}"
        raise ValueError(f"{self.key} is computed by Store.{self.store_method}")

    def per_project_sql(self) -> str:
        """An activity figure of one project, from the per-project figures ``a.<key>`` (a
        project without activity rows in view: 0), as ``Store.explorer_cards`` selects it."""
        if not self.from_activity:
            raise ValueError(f"{self.key} is not an activity figure")
        return f"coalesce(a.{self.key}, 0)::{self.sql_type}"


# the host of a project, when it is a university (NULL for a professional body)
UNIVERSITY_HOSTS_ONLY = (
    "CASE WHEN p.university_id IN (SELECT university_id FROM university WHERE kind = 'university')"
    " THEN p.university_id END"
)

_DISPATCH, _VISIT, _TRAINING = (
    ActivityKind.DISPATCH,
    ActivityKind.GUIDANCE_VISIT,
    ActivityKind.TRAINING,
)

CATALOGUE: tuple[Metric, ...] = (
    Metric(
        "projects",
        Kind.PROJECT_COUNT,
        "*",
        "COUNT",
        "unit_projects",
        "projects",
        "kpi_projects",
        kpi=True,
        map=True,
        explorer=True,
    ),
    Metric(
        "universities",
        Kind.PROJECT_COUNT,
        # host universities only: a professional body (the 创新人才教育研究会, kind 'society')
        # hosts schools too but is no university, so it is counted apart (the about page)
        UNIVERSITY_HOSTS_ONLY,
        "COUNT DISTINCT",
        "unit_universities",
        "metric_universities",
        "kpi_universities",
        kpi=True,
    ),
    Metric(
        "provinces",
        Kind.PROJECT_COUNT,
        "p.province_adcode",
        "COUNT DISTINCT",
        "unit_provinces",
        "metric_provinces",
        "kpi_provinces",
        kpi=True,
    ),
    Metric(
        "counties",
        Kind.PROJECT_COUNT,
        "p.county_adcode",
        "COUNT DISTINCT",
        "unit_counties",
        "metric_counties",
    ),
    Metric(
        "people_dispatched",
        Kind.ACTIVITY_SUM,
        "a.people",
        "SUM",
        "unit_person_times",
        "people_dispatched",
        "kpi_people_dispatched",
        activity_kind=_DISPATCH,
        kpi=True,
        map=True,
        explorer=True,
        card=True,
    ),
    Metric(
        "person_months",
        Kind.ACTIVITY_SUM,
        "a.person_months",
        "SUM",
        "unit_person_months",
        "person_months",
        "kpi_person_months",
        activity_kind=_DISPATCH,
        sql_type="DOUBLE",
        kpi=True,
        map=True,
        explorer=True,
        card=True,
    ),
    Metric(
        "guidance_visits",
        Kind.ACTIVITY_COUNT,
        "*",
        "COUNT",
        "unit_times",
        "guidance_visits",
        activity_kind=_VISIT,
        map=True,
        explorer=True,
        card=True,
    ),
    Metric(
        "trainings",
        Kind.ACTIVITY_COUNT,
        "*",
        "COUNT",
        "unit_sessions",
        "trainings",
        "kpi_trainings",
        activity_kind=_TRAINING,
        kpi=True,
        map=True,
        explorer=True,
        card=True,
    ),
    Metric(
        "training_participants",
        Kind.ACTIVITY_SUM,
        "a.participants",
        "SUM",
        "unit_person_times",
        "training_participants",
        activity_kind=_TRAINING,
        map=True,
        explorer=True,
    ),
    Metric(
        "interns",
        Kind.ACTIVITY_SUM,
        "a.people",
        "SUM",
        "unit_person_times",
        "interns",
        "kpi_interns",
        activity_kind=ActivityKind.INTERNSHIP,
        kpi=True,
        map=True,
        explorer=True,
        card=True,
    ),
    Metric(
        "shadowing_people",
        Kind.ACTIVITY_SUM,
        "a.people",
        "SUM",
        "unit_person_times",
        "shadowing_people",
        activity_kind=ActivityKind.SHADOWING,
        map=True,
        explorer=True,
    ),
    Metric(
        "activities",
        Kind.ACTIVITY_COUNT,
        "*",
        "COUNT",
        "unit_records",
        "metric_activities",
        card=True,
    ),
    Metric(
        "simulated_activities",
        Kind.ACTIVITY_COUNT,
        "*",
        "COUNT",
        "unit_records",
        "metric_simulated_activities",
        where=f"a.provenance = '{Provenance.SIMULATED.value}'",
        card=True,
    ),
    Metric(
        "signed_on_time",
        Kind.SIGNED,
        "s.on_time",
        "SUM",
        "unit_projects",
        "metric_signed_on_time",
        "kpi_signed_on_time",
        out_of="signed_known",
        kpi=True,
    ),
    Metric(
        "signed_known",
        Kind.SIGNED,
        "s.on_time",
        "COUNT",
        "unit_projects",
        "metric_signed_known",
    ),
    Metric(
        "milestone_share",
        Kind.MILESTONE_SHARE,
        "is_due AND on_time",
        "SHARE",
        "unit_share",
        "milestone_share",
        sql_type="DOUBLE",
        store_method="explorer_milestone_share",
        explorer=True,
    ),
)

_BY_KEY = {m.key: m for m in CATALOGUE}
if len(_BY_KEY) != len(CATALOGUE):
    raise ValueError("a metric key is declared twice")


def by_key(key: str) -> Metric:
    """The metric named ``key`` (a KeyError for an unknown name)."""
    return _BY_KEY[key]


def kpis() -> tuple[Metric, ...]:
    """The overview's KPI cards, in the order shown."""
    return tuple(m for m in CATALOGUE if m.kpi)


def map_metrics() -> tuple[Metric, ...]:
    """The overview map's choices, in menu order."""
    return tuple(m for m in CATALOGUE if m.map)


def explorer_metrics() -> tuple[Metric, ...]:
    """The map explorer's choices, in menu order."""
    return tuple(m for m in CATALOGUE if m.explorer)


def card_metrics() -> tuple[Metric, ...]:
    """The figures of the explorer's project cards (``Store.explorer_cards``)."""
    return tuple(m for m in CATALOGUE if m.card)


def computed_by(store_method: str) -> tuple[Metric, ...]:
    """The metrics the Store method ``store_method`` returns, in catalogue order."""
    return tuple(m for m in CATALOGUE if m.store_method == store_method)


def unit_text(key: str, lang: str = "zh") -> str:
    """The unit of the metric ``key`` in ``lang`` ("人次", "person-trips"); empty for shares,
    whose number already ends in "%"."""
    m = by_key(key)
    return "" if m.kind is Kind.MILESTONE_SHARE else t(m.unit, lang)


def keys(ms: tuple[Metric, ...]) -> tuple[str, ...]:
    return tuple(m.key for m in ms)


def activity_select(ms: tuple[Metric, ...], summarised: bool) -> str:
    """``<figure> AS <key>, …`` for the activity figures among ``ms``, per group of activity rows
    aliased ``a`` (the activity table, or the summary table when ``summarised``)."""
    return ",\n".join(f"{m.activity_sql(summarised)} AS {m.key}" for m in ms if m.from_activity)


def total_select(ms: tuple[Metric, ...]) -> str:
    """``<figure> AS <key>, …`` over the projects in view (see ``Metric.total_sql``)."""
    return ",\n".join(f"{m.total_sql()} AS {m.key}" for m in ms)


def per_project_select(ms: tuple[Metric, ...]) -> str:
    """``<figure> AS <key>, …`` of one project (see ``Metric.per_project_sql``)."""
    return ",\n".join(f"{m.per_project_sql()} AS {m.key}" for m in ms)
