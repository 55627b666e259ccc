"""The scorecard (issue 16, part 3): for each project and outcome indicator a baseline, the
latest value, a target, a speed class and a data-availability flag; the dossier's head and the
league view per province are built from it, and the "needs attention" list reads it.

**School years.** ``outcome.school_year`` is the year a school year *starts* (2022 = autumn 2022
to summer 2023), as the import template says ("学年开始的年份") and the demo writes it; a date
belongs to school year ``d.year`` from August on (the autumn term starts 1 August,
``school_calendar``), else to ``d.year - 1`` (:func:`school_year_of`).

**Baseline** = the value of the school year before the project's 托管 began: ``school_year_of(
cycle_start) - 1`` (a project without a cycle start: the programme's start, 2022-09-01, so
baseline 2021). **Latest** = the value of the last school year holding one.

**Target** = the ``outcome_target`` row when someone set one (or the demo simulated one), else
"未设定 / not set": the notice aims at "clearly better schools by 2025" and states no number.
The target year is ``TARGET_SCHOOL_YEAR`` = 2024, the 2024–25 school year that ends in summer
2025 (the notice's "by 2025", and the last school year of the first three-year cycle).

**Speed class** (:func:`speed_class`), from the least-squares line through ``(school_year,
value)`` of every school year from the baseline on (at least two of them, else ``too_few``),
with values turned round for a lower-is-better indicator (``HIGHER_IS_BETTER``; all three of
``vocab.OUTCOME_INDICATORS`` are higher-is-better):

- ``regressing`` (倒退): the slope is negative (the trend runs below the baseline);
- ``no_target`` (未设目标): not regressing, and no target to judge against;
- ``on_track`` (达标在望): the latest value has reached the target, or the latest year is before
  the target year and the line's value at the target year reaches the target;
- ``slow`` (进展偏慢): every other case (improving or flat, but short of the target).

**Data availability** (:func:`availability`), over the school years from the baseline to the
last completed one (``last_complete_year(as_of)``, 31 July counting as a school year's end;
a year after it counts when present):
``none`` (无数据) no value since the baseline; ``baseline_only`` (仅基线) the baseline year
alone; ``complete`` (完整) every year of that range; ``partial`` (部分) anything else.

Pure pandas over plain frames: no Streamlit, no SQL. ``project_card`` and ``league_content``
at the end take the store (its reads apply the viewer's scope) and build what the pages show.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from enum import Enum

import numpy as np
import pandas as pd

from ..i18n import label, t
from ..school_calendar import PROGRAMME_START_DATE, school_year_of
from ..scope import effective_as_of, last_complete_school_year
from ..vocab import OUTCOME_INDICATORS, Provenance
from .tables import LINK_COL, PROJECT_KEYS, LinkedTable, header, linked, project_names, vlabel

TARGET_SCHOOL_YEAR = 2024  # 2024–25: ends in summer 2025, the notice's "by 2025"
HIGHER_IS_BETTER: dict[str, bool] = {ind: True for ind in OUTCOME_INDICATORS}
DIGITS: dict[str, int] = {"enrolment": 0, "teacher_retention": 1, "admission_rate": 1}


class Speed(str, Enum):
    ON_TRACK = "on_track"
    SLOW = "slow"
    REGRESSING = "regressing"
    NO_TARGET = "no_target"
    TOO_FEW = "too_few"


class Availability(str, Enum):
    COMPLETE = "complete"
    PARTIAL = "partial"
    BASELINE_ONLY = "baseline_only"
    NONE = "none"


SPEED_ORDER = [Speed.REGRESSING, Speed.SLOW, Speed.ON_TRACK, Speed.NO_TARGET, Speed.TOO_FEW]

SCORE_COLUMNS = [
    "project_id",
    "indicator",
    "baseline_year",
    "baseline",
    "latest_year",
    "latest",
    "n_years",
    "slope",
    "projected",
    "target",
    "target_provenance",
    "speed",
    "availability",
]


# ---------------------------------------------------------------------- the rules, one value each
def baseline_year(cycle_start) -> int:
    """The school year before the 托管 began (the programme's start when the cycle has none)."""
    start = PROGRAMME_START_DATE if cycle_start is None or pd.isna(cycle_start) else cycle_start
    return school_year_of(pd.Timestamp(start).date()) - 1


def last_complete_year(as_of: date) -> int:
    """The last school year that has ended by ``as_of`` (31 July, its last day, counts): the
    same rule as the store's outcome reads (``scope.last_complete_school_year``)."""
    return last_complete_school_year(as_of)


def least_squares(years, values) -> tuple[float, float]:
    """(slope per year, the line's value at the mean year) of the least-squares line."""
    x = np.asarray(years, dtype=float)
    y = np.asarray(values, dtype=float)
    dx = x - x.mean()
    return float((dx * (y - y.mean())).sum() / (dx * dx).sum()), float(y.mean())


def speed_class(
    slope: float | None,
    latest: float | None,
    latest_year: int | None,
    projected: float | None,
    target: float | None,
    higher_is_better: bool = True,
    target_year: int = TARGET_SCHOOL_YEAR,
) -> Speed:
    """The speed class (module docstring): ``slope`` None = fewer than two years since the
    baseline; ``projected`` = the line's value at ``target_year``."""
    if slope is None or latest is None or latest_year is None:
        return Speed.TOO_FEW
    sign = 1.0 if higher_is_better else -1.0
    if sign * slope < 0:
        return Speed.REGRESSING
    if target is None or pd.isna(target):
        return Speed.NO_TARGET
    if sign * (latest - target) >= 0:
        return Speed.ON_TRACK
    if latest_year < target_year and projected is not None and sign * (projected - target) >= 0:
        return Speed.ON_TRACK
    return Speed.SLOW


def availability(years: set[int], base: int, last: int) -> Availability:
    """The data-availability flag of the school years holding a value (module docstring)."""
    since = {int(y) for y in years if int(y) >= base}
    expected = range(base, max(base, last) + 1)
    return availability_of(
        len(since), any(y > base for y in since), len(since & set(expected)), len(expected)
    )


def availability_of(n_since: int, after_base: bool, n_expected_held: int, n_expected: int):
    """The flag from counts: values since the baseline, whether one is after it, and how many
    of the ``n_expected`` years from the baseline to the last completed one hold a value."""
    if not n_since:
        return Availability.NONE
    if not after_base:
        return Availability.BASELINE_ONLY
    if n_expected_held >= n_expected:
        return Availability.COMPLETE
    return Availability.PARTIAL


# ---------------------------------------------------------------------- the scorecard frame
def scorecard(
    projects: pd.DataFrame,
    outcomes: pd.DataFrame,
    targets: pd.DataFrame,
    as_of: date,
    target_year: int = TARGET_SCHOOL_YEAR,
) -> pd.DataFrame:
    """One row per project (``projects``: project_id, cycle_start) and outcome indicator:
    ``SCORE_COLUMNS``. ``outcomes``: project_id, school_year, indicator, value; ``targets``:
    project_id, indicator, target (and provenance). No target row: ``target`` is NaN.

    The least-squares sums are taken per group at once (2,000 projects in well under a second);
    the classes then follow ``speed_class`` and ``availability_of`` row by row."""
    last = last_complete_year(as_of)
    base = pd.DataFrame(
        {
            "project_id": projects["project_id"].astype(int).to_numpy(),
            "baseline_year": [baseline_year(c) for c in projects["cycle_start"]]
            if "cycle_start" in projects
            else baseline_year(None),
        }
    )
    grid = base.merge(pd.DataFrame({"indicator": list(OUTCOME_INDICATORS)}), how="cross")
    oc = outcomes[["project_id", "school_year", "indicator", "value"]].copy()
    oc["project_id"] = oc["project_id"].astype(int)
    oc["school_year"] = oc["school_year"].astype(int)
    oc["value"] = oc["value"].astype(float)
    oc = oc.merge(base, on="project_id", how="inner")
    oc = oc[oc["school_year"] >= oc["baseline_year"]].sort_values(
        ["project_id", "indicator", "school_year"]
    )
    x = (oc["school_year"] - oc["baseline_year"]).astype(float)  # years since the baseline
    oc = oc.assign(
        x=x,
        xx=x * x,
        xy=x * oc["value"],
        at_base=oc["value"].where(oc["school_year"] == oc["baseline_year"]),
        expected=(oc["school_year"] <= np.maximum(oc["baseline_year"], last)).astype(int),
        after=(oc["school_year"] > oc["baseline_year"]).astype(int),
    )
    found = (
        oc.groupby(["project_id", "indicator"], sort=False)
        .agg(
            n_years=("x", "size"),
            sx=("x", "sum"),
            sy=("value", "sum"),
            sxx=("xx", "sum"),
            sxy=("xy", "sum"),
            baseline=("at_base", "max"),
            latest_year=("school_year", "last"),
            latest=("value", "last"),
            held=("expected", "sum"),
            after=("after", "sum"),
        )
        .reset_index()
    )
    n = found["n_years"].astype(float)
    spread = n * found["sxx"] - found["sx"] ** 2  # > 0 once two different years are held
    found["slope"] = ((n * found["sxy"] - found["sx"] * found["sy"]) / spread).where(n >= 2)
    base_of = found.merge(base, on="project_id")["baseline_year"].to_numpy()
    found["projected"] = found["sy"] / n + found["slope"] * (
        target_year - base_of - found["sx"] / n
    )
    out = grid.merge(found, on=["project_id", "indicator"], how="left")
    tg = targets if len(targets) else pd.DataFrame(columns=["project_id", "indicator", "target"])
    tg = tg.assign(project_id=tg["project_id"].astype(int))
    keep = ["project_id", "indicator", "target"] + (
        ["provenance"] if "provenance" in tg.columns else []
    )
    out = out.merge(
        tg[keep].rename(columns={"provenance": "target_provenance"}),
        on=["project_id", "indicator"],
        how="left",
    )
    if "target_provenance" not in out:
        out["target_provenance"] = None
    out["target"] = out["target"].astype(float)
    for col in ("n_years", "held", "after"):
        out[col] = out[col].fillna(0).astype(int)
    out["latest_year"] = out["latest_year"].astype("Int64")
    out["speed"] = [
        speed_class(
            None if pd.isna(r.slope) else float(r.slope),
            None if pd.isna(r.latest) else float(r.latest),
            None if pd.isna(r.latest_year) else int(r.latest_year),
            None if pd.isna(r.projected) else float(r.projected),
            None if pd.isna(r.target) else float(r.target),
            HIGHER_IS_BETTER.get(r.indicator, True),
            target_year,
        ).value
        for r in out.itertuples(index=False)
    ]
    out["availability"] = [
        availability_of(int(k), bool(a), int(h), max(int(b), last) - int(b) + 1).value
        for k, a, h, b in zip(out["n_years"], out["after"], out["held"], out["baseline_year"])
    ]
    order = {ind: i for i, ind in enumerate(OUTCOME_INDICATORS)}
    out = out.sort_values(
        ["project_id", "indicator"], key=lambda c: c.map(order) if c.name == "indicator" else c
    )
    return out[SCORE_COLUMNS].reset_index(drop=True)


# ---------------------------------------------------------------------- words and numbers
def year_label(year, lang: str = "zh") -> str:
    """A school year as the scorecard names it: ``2021–2022学年`` / ``2021–2022``."""
    if year is None or pd.isna(year):
        return t("score_none", lang)
    return t("score_year", lang, start=int(year), end=int(year) + 1)


def value_text(value, indicator: str) -> str:
    """A value with its indicator's digits (enrolment whole, percentages to one decimal)."""
    if value is None or pd.isna(value):
        return ""
    return f"{float(value):,.{DIGITS.get(indicator, 1)}f}"


def speed_name(speed: str, lang: str = "zh") -> str:
    return t(f"score_speed_{speed}", lang)


def availability_name(flag: str, lang: str = "zh") -> str:
    return t(f"score_avail_{flag}", lang)


def rule_text(lang: str = "zh", target_year: int = TARGET_SCHOOL_YEAR) -> str:
    """The speed rule in the one sentence the pages show."""
    return t("score_rule", lang, target_year=year_label(target_year, lang))


def years_text(as_of: date, lang: str = "zh", target_year: int = TARGET_SCHOOL_YEAR) -> str:
    """How school years, the baseline, the target year and "complete" are meant."""
    return t(
        "score_years_note",
        lang,
        target_year=year_label(target_year, lang),
        target_end=t("score_target_end", lang),
        last_year=year_label(last_complete_year(as_of), lang),
    )


def card_table(scores: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """One project's scorecard as the dossier shows it: indicator, baseline (year), latest
    (year), target (or 未设定), trend per year, speed class, data, where the target came from."""
    none = t("score_none", lang)

    def with_year(value, year, ind) -> str:
        if value is None or pd.isna(value):
            return none
        return t(
            "score_value_year", lang, value=value_text(value, ind), year=year_label(year, lang)
        )

    out = pd.DataFrame(
        {
            t("score_col_indicator", lang): [vlabel(i, lang) for i in scores["indicator"]],
            t("score_col_baseline", lang): [
                with_year(v, y, i)
                for v, y, i in zip(scores["baseline"], scores["baseline_year"], scores["indicator"])
            ],
            t("score_col_latest", lang): [
                with_year(v, y, i)
                for v, y, i in zip(scores["latest"], scores["latest_year"], scores["indicator"])
            ],
            t("score_col_target", lang): [
                t("score_not_set", lang) if pd.isna(v) else value_text(v, i)
                for v, i in zip(scores["target"], scores["indicator"])
            ],
            t("score_col_trend", lang): [
                none if pd.isna(s) else f"{float(s):+,.{DIGITS.get(i, 1)}f}"
                for s, i in zip(scores["slope"], scores["indicator"])
            ],
            t("score_col_speed", lang): [speed_name(s, lang) for s in scores["speed"]],
            t("score_col_availability", lang): [
                availability_name(a, lang) for a in scores["availability"]
            ],
            t("score_col_target_source", lang): [
                none if not isinstance(p, str) or not p else label(p, lang)
                for p in scores["target_provenance"]
            ],
        }
    )
    return out


def simulated_lines(scores: pd.DataFrame, outcomes: pd.DataFrame, lang: str) -> list[str]:
    """What of the scorecard is simulated, in sentences (none when nothing is)."""
    lines = []
    n_t = int((scores["target_provenance"] == Provenance.SIMULATED.value).sum())
    if n_t:
        lines.append(t("score_simulated_targets", lang, n=f"{n_t:,}"))
    if "provenance" in outcomes:
        n_o = int((outcomes["provenance"] == Provenance.SIMULATED.value).sum())
        if n_o:
            lines.append(t("score_simulated_outcomes", lang, n=f"{n_o:,}"))
    return lines


def league_frame(scores: pd.DataFrame) -> pd.DataFrame:
    """Per project: the speed class of each indicator (columns named by indicator), how many
    regress and how many are slow, how many targets are set."""
    wide = scores.pivot(index="project_id", columns="indicator", values="speed")
    wide = wide.reindex(columns=list(OUTCOME_INDICATORS))
    wide["regressing_n"] = (wide == Speed.REGRESSING.value).sum(axis=1)
    wide["slow_n"] = (wide[list(OUTCOME_INDICATORS)] == Speed.SLOW.value).sum(axis=1)
    wide["targets_set"] = scores.groupby("project_id")["target"].count()
    return wide.reset_index()


def by_province(scores: pd.DataFrame, projects: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Per province: projects, and how many project × indicator pairs fall in each class."""
    prov = projects[["project_id", "province_adcode", "province_short", "province_en"]]
    merged = scores.merge(prov, on="project_id", how="inner")
    counts = (
        merged.pivot_table(
            index="province_adcode", columns="speed", values="project_id", aggfunc="count"
        )
        .reindex(columns=[s.value for s in SPEED_ORDER])
        .fillna(0)
        .astype(int)
    )
    names = prov.drop_duplicates("province_adcode").set_index("province_adcode")
    out = pd.DataFrame(
        {
            t("col_province", lang): names.loc[counts.index][
                "province_en" if lang == "en" else "province_short"
            ].to_numpy(),
            t("score_col_projects", lang): merged.groupby("province_adcode")["project_id"]
            .nunique()
            .loc[counts.index]
            .to_numpy(),
            **{speed_name(s.value, lang): counts[s.value].to_numpy() for s in SPEED_ORDER},
        }
    )
    return out


# ---------------------------------------------------------------------- page content (store)
def project_scores(store, viewer, filters, as_of: date | None = None) -> pd.DataFrame:
    """The scorecard of every project of the viewer's scope and the filters (``SCORE_COLUMNS``),
    read through the store's scoped queries, judged on ``as_of`` (default: the filters'
    数据截至, else the data's date: ``scope.effective_as_of``)."""
    projects = store.programme_projects(viewer, filters)
    if projects.empty:
        return pd.DataFrame(columns=SCORE_COLUMNS)
    return scorecard(
        projects,
        store.outcomes(viewer, filters),
        store.outcome_targets(viewer, filters),
        as_of or effective_as_of(store, filters),
    )


@dataclass(frozen=True)
class Card:
    """The dossier's head: the scorecard table, the rule and the year note, what is simulated,
    and for the target form the indicators (value → name), each one's current target (None:
    not set) and whether this viewer may set targets."""

    table: pd.DataFrame
    rule: str
    years_note: str
    simulated: list[str]
    indicators: dict[str, str]
    targets: dict[str, float | None]
    may_set: bool


def project_card(store, viewer, filters, project_id: int, lang: str = "zh") -> Card | None:
    """One project's scorecard (None when the viewer may not see it). Place filters do not hide
    a project named explicitly (as in the dossier)."""
    f = replace(filters, provinces=(), prefectures=(), universities=())
    proj = store.programme_projects(viewer, f, project_id=project_id)
    if proj.empty:
        return None
    as_of = effective_as_of(store, filters)
    outcomes = store.outcomes(viewer, f)
    outcomes = outcomes[outcomes["project_id"] == int(project_id)]
    targets = store.outcome_targets(viewer, f, project_id=project_id)
    scores = scorecard(proj, outcomes, targets, as_of)
    return Card(
        table=card_table(scores, lang),
        rule=rule_text(lang),
        years_note=years_text(as_of, lang),
        simulated=simulated_lines(scores, outcomes, lang),
        indicators={ind: vlabel(ind, lang) for ind in OUTCOME_INDICATORS},
        targets={
            r.indicator: None if pd.isna(r.target) else float(r.target)
            for r in scores.itertuples(index=False)
        },
        may_set=bool(store.may_set_targets(viewer)),
    )


@dataclass(frozen=True)
class League:
    """The league view: one row per project with its speed class per indicator (``table``,
    dossier links; ``table.download`` for the files), the per-province counts, the rule."""

    table: LinkedTable | None
    provinces: pd.DataFrame | None
    rule: str
    years_note: str
    simulated: list[str] = field(default_factory=list)


def league_content(
    store, viewer, filters, lang: str = "zh", link_query: dict | None = None
) -> League:
    """Every project of the viewer's scope and filters (a province's, or the nation's grouped by
    province) with its speed class per indicator, worst first within each province."""
    as_of = effective_as_of(store, filters)
    rule, years_note = rule_text(lang), years_text(as_of, lang)
    projects = store.programme_projects(viewer, filters)
    if projects.empty:
        return League(None, None, rule, years_note)
    outcomes = store.outcomes(viewer, filters)
    scores = scorecard(projects, outcomes, store.outcome_targets(viewer, filters), as_of)
    wide = project_names(league_frame(scores), projects, lang, link_query)
    wide = wide.merge(projects[["project_id", "province_adcode"]], on="project_id")
    wide = wide.sort_values(
        ["province_adcode", "regressing_n", "slow_n", "project_id"],
        ascending=[True, False, False, True],
    )
    for ind in OUTCOME_INDICATORS:
        wide[ind] = [speed_name(s, lang) for s in wide[ind]]
    table = linked(
        header(
            wide,
            {
                "province": "col_province",
                "school_zh": "col_school",
                "county_zh": "col_county",
                "university": "col_university",
                **{ind: f"score_col_speed_{ind}" for ind in OUTCOME_INDICATORS},
                "regressing_n": "score_col_regressing_short",
                "slow_n": "score_col_slow_short",
                "targets_set": "score_col_targets_set",
                "project_id": PROJECT_KEYS["project_id"],
                "provenance_name": "col_provenance",
                LINK_COL: "prog_open_dossier",
            },
            lang,
        ),
        lang,
    )
    # at 1366×768 fourteen columns scroll: the county (in the school's name) and the project
    # number (the dossier link opens it) stay in the download only
    table = LinkedTable(
        table.frame,
        table.link_column,
        (t("col_county", lang), t(PROJECT_KEYS["project_id"], lang)),
    )
    return League(
        table,
        by_province(scores, projects, lang),
        rule,
        years_note,
        simulated_lines(scores, outcomes, lang),
    )
