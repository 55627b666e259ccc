"""Compared with whom (issue 16, part 4): the change of the programme's schools set against the
change of comparable county high schools outside it, as a difference-in-differences figure with
its 95% interval, per outcome indicator, for everything in view and per province.

**The programme school's change.** For a project and indicator: its baseline is the value of
the school year before the 托管 (``scorecard.baseline_year`` of its cycle start, as on the
scorecard), its latest the value of the last school year after the baseline that holds one;
change = latest − baseline. A project without both has no change and takes no part.

**Matching (same province, same starting level).** A comparison school is a candidate for a
programme school when it lies in the same province and holds values for the same two school
years (the programme school's baseline and latest year, so both changes cover the same period),
and its baseline value is close to the programme school's: within ``CALIPER`` (enrolment within
20% of the programme school's baseline; the two rates within 5 percentage points). Of the
candidates the ``K_NEAREST`` = 3 closest by baseline are taken (ties: the lower school id), with
replacement (one comparison school may serve several programme schools). A programme school
without a candidate is left out and counted (``n_unmatched``).

**The figure.** DiD = mean change of the matched programme schools − mean change of the
comparison schools matched to at least one of them (each counted once per period). Its 95%
interval is DiD ± t × SE, with the usual two-sample (Welch) standard error
SE = √(s²_P / n_P + s²_C / n_C) (sample variances) and t the 97.5% quantile of Student's t at
the Welch–Satterthwaite degrees of freedom, rounded down (``t975``: a table to 30, the
Cornish–Fisher expansion above). Fewer than two schools on either side: no interval. The
interval treats the schools as independent draws; it does not account for the matching, so it
is if anything too narrow — and the figure can show association, never cause
(``claim_text``).

"In view" is the viewer's scope and the sidebar's filters (a province official: its province;
a university: its projects, compared with the schools of their provinces); each province's
figure uses that province's schools only. Pure pandas over plain frames (no Streamlit, no SQL);
``content`` at the end reads the store (every read scoped) and builds what the page shows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ..charts import FONT
from ..i18n import t
from ..textsafe import plot_text
from ..vocab import OUTCOME_INDICATORS, Provenance
from .scorecard import baseline_year
from .tables import vlabel

K_NEAREST = 3
# indicator -> (kind, width): "relative" = a share of the programme school's baseline
CALIPER: dict[str, tuple[str, float]] = {
    "enrolment": ("relative", 0.20),
    "teacher_retention": ("absolute", 5.0),
    "admission_rate": ("absolute", 5.0),
}
assert set(CALIPER) == set(OUTCOME_INDICATORS)
UNIT_KEY = {  # the axis unit of each indicator's difference
    "enrolment": "cmp_unit_students",
    "teacher_retention": "cmp_unit_points",
    "admission_rate": "cmp_unit_points",
}
ALL = 0  # the area code of "everything in view"

CHANGE_COLUMNS = [
    "unit_id",
    "province_adcode",
    "indicator",
    "baseline_year",
    "latest_year",
    "baseline",
    "latest",
    "change",
]
RESULT_COLUMNS = [
    "area",
    "indicator",
    "n_programme",
    "n_comparison",
    "n_unmatched",
    "baseline_programme",
    "baseline_comparison",
    "change_programme",
    "change_comparison",
    "did",
    "se",
    "df",
    "low",
    "high",
]

# Student's t, 97.5% quantile, 1 to 30 degrees of freedom
_T975 = (
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
    2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
    2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
)  # fmt: skip


def t975(df: float) -> float:
    """The 97.5% quantile of Student's t at ``df`` degrees of freedom rounded down (at least 1):
    the table to 30, above it the Cornish–Fisher expansion (within 0.001 of the exact value)."""
    n = max(1, int(math.floor(df)))
    if n <= len(_T975):
        return _T975[n - 1]
    z = 1.959964
    return (
        z
        + (z**3 + z) / (4 * n)
        + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * n**2)
        + (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / (384 * n**3)
    )


# ---------------------------------------------------------------------- changes and matching
def programme_changes(projects: pd.DataFrame, outcomes: pd.DataFrame) -> pd.DataFrame:
    """Per project and indicator with a baseline and a later value: ``CHANGE_COLUMNS``
    (``unit_id`` = project id). ``projects``: project_id, province_adcode, cycle_start;
    ``outcomes``: project_id, school_year, indicator, value."""
    if projects.empty or outcomes.empty:
        return pd.DataFrame(columns=CHANGE_COLUMNS)
    base = pd.DataFrame(
        {
            "unit_id": projects["project_id"].astype(int).to_numpy(),
            "province_adcode": projects["province_adcode"].astype(int).to_numpy(),
            "baseline_year": [
                baseline_year(c)
                for c in (
                    projects["cycle_start"] if "cycle_start" in projects else [None] * len(projects)
                )
            ],
        }
    )
    oc = pd.DataFrame(
        {
            "unit_id": outcomes["project_id"].astype(int).to_numpy(),
            "school_year": outcomes["school_year"].astype(int).to_numpy(),
            "indicator": outcomes["indicator"].astype(str).to_numpy(),
            "value": outcomes["value"].astype(float).to_numpy(),
        }
    ).merge(base, on="unit_id")
    at_base = oc[oc["school_year"] == oc["baseline_year"]]
    later = oc[oc["school_year"] > oc["baseline_year"]].sort_values("school_year")
    last = later.groupby(["unit_id", "indicator"], as_index=False).last()
    out = at_base[["unit_id", "province_adcode", "indicator", "baseline_year", "value"]].merge(
        last[["unit_id", "indicator", "school_year", "value"]].rename(
            columns={"school_year": "latest_year", "value": "latest"}
        ),
        on=["unit_id", "indicator"],
    )
    out = out.rename(columns={"value": "baseline"})
    out["change"] = out["latest"] - out["baseline"]
    return out[CHANGE_COLUMNS].sort_values(["indicator", "unit_id"]).reset_index(drop=True)


def _within_caliper(
    prog: pd.DataFrame, at_base: pd.DataFrame, rel: np.ndarray, wid: np.ndarray
) -> pd.DataFrame:
    """Each programme row (``k``, ``ind``, ``p_baseline``, …) with every comparison row of
    ``at_base`` (``k``, ``school_id``, ``c_baseline``) of its key whose baseline lies within
    the indicator's caliper, and their ``distance``. The comparison rows are sorted by key and
    baseline once; each programme row's candidates are a range found by binary search (a join
    on the key alone made every school of the province a candidate first: 1.5 M rows at 2,000
    projects)."""
    at_base = at_base[at_base["c_baseline"].notna()]  # no value: never within a caliper
    keys, group = np.unique(at_base["k"].to_numpy(), return_inverse=True)
    c_base = at_base["c_baseline"].to_numpy(dtype=float)
    span = float(np.nanmax(np.abs(c_base))) * 4 + 1.0 if len(c_base) else 1.0
    order = np.lexsort((c_base, group))
    sortable = group[order] * span + c_base[order]  # key groups far apart, baselines inside
    p_key = prog["k"].to_numpy()
    slot = np.searchsorted(keys, p_key)
    found = (slot < len(keys)) & (keys[np.minimum(slot, len(keys) - 1)] == p_key)
    p_base = prog["p_baseline"].to_numpy(dtype=float)
    ind = prog["ind"].to_numpy()
    limit = np.where(rel[ind], wid[ind] * np.abs(p_base), wid[ind])
    centre = slot * span + p_base
    lo = np.searchsorted(sortable, centre - limit - 1e-6, side="left")
    hi = np.searchsorted(sortable, centre + limit + 1e-6, side="right")
    hi = np.where(found, np.maximum(hi, lo), lo)
    n = hi - lo
    rows = np.repeat(np.arange(len(prog)), n)
    offsets = np.arange(int(n.sum())) - np.repeat(np.cumsum(n) - n, n)
    picked = order[np.repeat(lo, n) + offsets]
    out = prog.iloc[rows].reset_index(drop=True)
    out["school_id"] = at_base["school_id"].to_numpy()[picked]
    out["c_baseline"] = c_base[picked]
    distance = np.abs(out["c_baseline"].to_numpy() - out["p_baseline"].to_numpy())
    keep = distance <= limit[rows] + 1e-9  # exactly the caliper (the search was a bit wider)
    return out[keep].assign(distance=distance[keep]).reset_index(drop=True)


def match(changes: pd.DataFrame, comparison: pd.DataFrame, k: int = K_NEAREST) -> pd.DataFrame:
    """The matched pairs: for each programme change (``programme_changes``), up to ``k``
    comparison schools of its province with values at its baseline and latest year and a
    baseline within the caliper, nearest first (ties: the lower school id). ``comparison``:
    school_id, province_adcode, school_year, indicator, value. Columns: unit_id, indicator,
    school_id, baseline_year, latest_year, c_baseline, c_change, distance."""
    cols = ["unit_id", "indicator", "school_id", "baseline_year", "latest_year"]
    cols += ["c_baseline", "c_change", "distance"]
    if changes.empty or comparison.empty:
        return pd.DataFrame(columns=cols)
    code = {
        ind: i for i, ind in enumerate(sorted(set(OUTCOME_INDICATORS) | set(changes["indicator"])))
    }

    def key(place, indicator, year) -> np.ndarray:  # one int64 key per row (a faster merge)
        ind = pd.Series(indicator).map(code).fillna(len(code)).to_numpy(dtype=np.int64)
        return (np.asarray(place, dtype=np.int64) * 100 + ind) * 10_000 + np.asarray(
            year, dtype=np.int64
        )

    comparison = comparison[comparison["indicator"].isin(list(code))]
    c_school = comparison["school_id"].to_numpy(dtype=np.int64)
    c_year = comparison["school_year"].to_numpy(dtype=np.int64)
    c_ind = comparison["indicator"].astype(str).to_numpy()
    c_value = comparison["value"].to_numpy(dtype=float)
    at_base = pd.DataFrame(
        {
            "k": key(comparison["province_adcode"].to_numpy(), c_ind, c_year),
            "school_id": c_school,
            "c_baseline": c_value,
        }
    )
    at_latest = pd.DataFrame({"k2": key(c_school, c_ind, c_year), "c_latest": c_value})
    prog = pd.DataFrame(
        {
            "unit_id": changes["unit_id"].to_numpy(),
            "indicator": changes["indicator"].astype(str).to_numpy(),
            "baseline_year": changes["baseline_year"].to_numpy(dtype=np.int64),
            "latest_year": changes["latest_year"].to_numpy(dtype=np.int64),
            "p_baseline": changes["baseline"].to_numpy(dtype=float),
            "k": key(
                changes["province_adcode"].to_numpy(),
                changes["indicator"].astype(str).to_numpy(),
                changes["baseline_year"].to_numpy(),
            ),
        }
    )
    names = sorted(code, key=lambda n: code[n])
    rel = np.array([CALIPER.get(i, ("absolute", 0.0))[0] == "relative" for i in names])
    wid = np.array([CALIPER.get(i, ("absolute", 0.0))[1] for i in names], dtype=float)
    prog["ind"] = prog["indicator"].map(code).to_numpy(dtype=np.int64)
    cand = _within_caliper(prog.drop(columns=["indicator"]), at_base, rel, wid)
    cand["k2"] = (cand["school_id"].to_numpy() * 100 + cand["ind"].to_numpy()) * 10_000 + cand[
        "latest_year"
    ].to_numpy()
    cand = cand.merge(at_latest, on="k2")
    # nearest first (ties: the lower school id); ``ind`` orders as the indicator names do
    cand = cand.sort_values(["unit_id", "ind", "distance", "school_id"])
    cand = cand.groupby(["unit_id", "ind"], sort=False).head(k)
    cand["indicator"] = np.asarray(names, dtype=object)[cand["ind"].to_numpy()]
    cand = cand.assign(c_change=cand["c_latest"] - cand["c_baseline"])
    return cand[cols].reset_index(drop=True)


def _estimate(prog: pd.DataFrame, pairs: pd.DataFrame, indicator: str, area: int) -> dict:
    """One indicator's figure over the programme changes ``prog`` and their ``pairs``."""
    matched = prog[prog["unit_id"].isin(set(pairs["unit_id"]))]
    units = pairs.drop_duplicates(["school_id", "baseline_year", "latest_year"])
    n_p, n_c = len(matched), len(units)
    nan = float("nan")
    change_p = float(matched["change"].mean()) if n_p else nan
    change_c = float(units["c_change"].mean()) if n_c else nan
    did = change_p - change_c if n_p and n_c else nan
    out: dict[str, object] = {
        "area": area,
        "indicator": indicator,
        "n_programme": n_p,
        "n_comparison": int(units["school_id"].nunique()),
        "n_unmatched": len(prog) - n_p,
        "baseline_programme": float(matched["baseline"].mean()) if n_p else nan,
        "baseline_comparison": float(units["c_baseline"].mean()) if n_c else nan,
        "change_programme": change_p,
        "change_comparison": change_c,
        "did": did,
        "se": nan,
        "df": nan,
        "low": nan,
        "high": nan,
    }
    if n_p >= 2 and n_c >= 2:
        a = float(matched["change"].var(ddof=1)) / n_p
        b = float(units["c_change"].var(ddof=1)) / n_c
        se = math.sqrt(a + b)
        if a + b > 0:
            df = (a + b) ** 2 / (a * a / (n_p - 1) + b * b / (n_c - 1))
        else:
            df = float(n_p + n_c - 2)
        half = t975(df) * se
        out.update(se=se, df=df, low=did - half, high=did + half)
    return out


def estimate_from(changes: pd.DataFrame, pairs: pd.DataFrame, provinces: list[int]) -> pd.DataFrame:
    """The figures (``RESULT_COLUMNS``) from the changes and their matched pairs: per indicator
    for everything in view (``area`` = ``ALL``) and for each of ``provinces``."""
    rows = []
    # split by indicator once (a group keeps the rows' order: the same means to the last bit)
    changes_of = dict(tuple(changes.groupby("indicator", sort=False)))
    pairs_of = dict(tuple(pairs.groupby("indicator", sort=False)))
    for area in [ALL, *provinces]:
        for ind in OUTCOME_INDICATORS:
            prog = changes_of.get(ind, changes.iloc[0:0])
            if area != ALL:
                prog = prog[prog["province_adcode"].to_numpy() == area]
            prs = pairs_of.get(ind, pairs.iloc[0:0])
            prs = prs[prs["unit_id"].isin(set(prog["unit_id"]))]
            rows.append(_estimate(prog, prs, ind, area))
    return pd.DataFrame(rows, columns=RESULT_COLUMNS)


def estimate(
    projects: pd.DataFrame,
    outcomes: pd.DataFrame,
    comparison: pd.DataFrame,
    k: int = K_NEAREST,
) -> pd.DataFrame:
    """The figures (``RESULT_COLUMNS``) of the projects in view (``projects``: project_id,
    province_adcode, cycle_start; ``outcomes`` theirs) against ``comparison`` (school_id,
    province_adcode, school_year, indicator, value): everything in view and each province."""
    changes = programme_changes(projects, outcomes)
    provinces = sorted({int(p) for p in projects["province_adcode"]}) if len(projects) else []
    return estimate_from(changes, match(changes, comparison, k), provinces)


# ---------------------------------------------------------------------- words
def claim_text(lang: str = "zh") -> str:
    """What the figure can and cannot claim, in one plain sentence."""
    return t("cmp_claim", lang)


def method_text(lang: str = "zh") -> str:
    return t("cmp_method", lang, k=K_NEAREST)


def _num(value, digits: int = 1) -> float | None:
    return None if value is None or pd.isna(value) else round(float(value), digits)


def result_table(
    results: pd.DataFrame, area_names: dict[int, str], lang: str = "zh"
) -> pd.DataFrame:
    """The figures as the page shows and downloads them, in ``lang``: area, indicator, n of
    each side, their baselines and changes, the DiD and its interval (rounded to 0.1)."""
    none = t("cmp_no_interval", lang)
    return pd.DataFrame(
        {
            t("cmp_col_area", lang): [area_names.get(int(a), str(a)) for a in results["area"]],
            t("cmp_col_indicator", lang): [vlabel(i, lang) for i in results["indicator"]],
            t("cmp_col_unit", lang): [t(UNIT_KEY[i], lang) for i in results["indicator"]],
            t("cmp_col_n_programme", lang): results["n_programme"].astype(int).to_numpy(),
            t("cmp_col_n_comparison", lang): results["n_comparison"].astype(int).to_numpy(),
            t("cmp_col_n_unmatched", lang): results["n_unmatched"].astype(int).to_numpy(),
            t("cmp_col_baseline_programme", lang): [_num(v) for v in results["baseline_programme"]],
            t("cmp_col_baseline_comparison", lang): [
                _num(v) for v in results["baseline_comparison"]
            ],
            t("cmp_col_change_programme", lang): [_num(v) for v in results["change_programme"]],
            t("cmp_col_change_comparison", lang): [_num(v) for v in results["change_comparison"]],
            t("cmp_col_did", lang): [_num(v) for v in results["did"]],
            t("cmp_col_low", lang): [_num(v) for v in results["low"]],
            t("cmp_col_high", lang): [_num(v) for v in results["high"]],
            t("cmp_col_note", lang): [
                "" if not pd.isna(lo) else (none if n_p or n_c else t("cmp_no_match", lang))
                for lo, n_p, n_c in zip(
                    results["low"], results["n_programme"], results["n_comparison"]
                )
            ],
        }
    )


def _signed(value: float) -> str:
    return f"{value:+,.1f}"


def summary_line(row, area_name: str, lang: str = "zh") -> str:
    """One figure in words: ``全国 · 本科上线率：差值 +2.3 个百分点（95%区间 +0.8 至 +3.8；项目学校
    20 所，对照学校 41 所）``."""
    unit = t(UNIT_KEY[row.indicator], lang)
    if pd.isna(row.did):
        return t("cmp_line_none", lang, area=area_name, indicator=vlabel(row.indicator, lang))
    if pd.isna(row.low):
        return t(
            "cmp_line_no_interval",
            lang,
            area=area_name,
            indicator=vlabel(row.indicator, lang),
            did=_signed(row.did),
            unit=unit,
            n_p=int(row.n_programme),
            n_c=int(row.n_comparison),
        )
    return t(
        "cmp_line",
        lang,
        area=area_name,
        indicator=vlabel(row.indicator, lang),
        did=_signed(row.did),
        low=_signed(row.low),
        high=_signed(row.high),
        unit=unit,
        n_p=int(row.n_programme),
        n_c=int(row.n_comparison),
    )


# ---------------------------------------------------------------------- the chart
def figure(results: pd.DataFrame, area_names: dict[int, str], lang: str = "zh") -> go.Figure:
    """One panel per indicator: each area's DiD as a point with its 95% interval as an error
    bar, areas down the side (everything in view first), a dashed line at zero."""
    areas = list(dict.fromkeys(int(a) for a in results["area"]))
    labels = [plot_text(area_names.get(a, str(a))) for a in areas]
    fig = make_subplots(
        rows=1,
        cols=len(OUTCOME_INDICATORS),
        shared_yaxes=True,
        horizontal_spacing=0.04,
        subplot_titles=[plot_text(vlabel(i, lang)) for i in OUTCOME_INDICATORS],
    )
    for col, ind in enumerate(OUTCOME_INDICATORS, start=1):
        part = results[results["indicator"] == ind].set_index("area").reindex(areas)
        did = part["did"].astype(float)
        plus = (part["high"].astype(float) - did).fillna(0)
        minus = (did - part["low"].astype(float)).fillna(0)
        unit = t(UNIT_KEY[ind], lang)
        hover = [
            plot_text(
                t(
                    "cmp_hover",
                    lang,
                    area=name,
                    did="" if pd.isna(d) else _signed(d),
                    low="" if pd.isna(lo) else _signed(lo),
                    high="" if pd.isna(hi) else _signed(hi),
                    unit=unit,
                )
            )
            for name, d, lo, hi in zip(labels, did, part["low"], part["high"])
        ]
        fig.add_trace(
            go.Scatter(
                x=did,
                y=labels,
                mode="markers",
                marker={"size": 10, "color": "#1f77b4"},
                error_x={
                    "type": "data",
                    "symmetric": False,
                    "array": plus.to_numpy(),
                    "arrayminus": minus.to_numpy(),
                    "color": "#1f77b4",
                    "thickness": 1.5,
                },
                hovertext=hover,
                hoverinfo="text",
                showlegend=False,
            ),
            row=1,
            col=col,
        )
        fig.add_vline(x=0, line_dash="dash", line_color="#e15759", row=1, col=col)
        fig.update_xaxes(
            title_text=t("cmp_axis_did", lang, unit=unit),
            tickformat=",~r",
            exponentformat="none",
            zeroline=False,
            row=1,
            col=col,
        )
    fig.update_yaxes(autorange="reversed", type="category")
    fig.update_layout(
        title=t("cmp_chart_title", lang),
        height=160 + 28 * len(areas),
        font={"family": FONT},
        margin={"l": 10, "r": 10, "t": 80, "b": 10},
        separators=".,",
        modebar={"remove": ["toImage"]},  # files leave through the product's exports only
    )
    return fig


# ---------------------------------------------------------------------- page content (store)
@dataclass(frozen=True)
class Comparison:
    """The 成效记分卡 page's comparison section: the figure, the table (shown and downloaded),
    the lines in words of everything in view, the claim sentence, the method, what is simulated."""

    table: pd.DataFrame
    figure: go.Figure | None
    lines: list[str]
    claim: str
    method: str
    simulated: bool
    simulated_lines: list[str] = field(default_factory=list)
    results: pd.DataFrame | None = None


def _area_names(projects: pd.DataFrame, viewer, filters, lang: str) -> dict[int, str]:
    col = "province_en" if lang == "en" else "province_short"
    names = {
        int(a): str(n)
        for a, n in zip(projects["province_adcode"], projects[col])
        if isinstance(n, str)
    }
    whole = viewer.provinces is None and viewer.universities is None and not filters.provinces
    names[ALL] = t("cmp_area_nation" if whole else "cmp_area_all", lang)
    return names


def content(store, viewer, filters, lang: str = "zh", as_of: date | None = None) -> Comparison:
    """Everything the section shows, from the store's scoped reads: the programme's projects
    and outcomes in view and the comparison schools the viewer may see."""
    del as_of  # the school years are limited by the filters' as-of date in the reads
    claim, method = claim_text(lang), method_text(lang)
    projects = store.programme_projects(viewer, filters)
    outcomes = store.outcomes(viewer, filters)
    comparison = store.comparison_outcomes(viewer, filters)
    changes = programme_changes(projects, outcomes)
    pairs = match(changes, comparison)
    provinces = sorted({int(p) for p in projects["province_adcode"]}) if len(projects) else []
    results = estimate_from(changes, pairs, provinces)
    names = _area_names(projects, viewer, filters, lang)
    if len(provinces) == 1:  # one province: its rows say it all
        results = results[results["area"] != ALL].reset_index(drop=True)
    sim = Provenance.SIMULATED.value
    used = comparison[comparison["school_id"].isin(set(pairs["school_id"]))]
    n_sim = int(used.loc[used["provenance"] == sim, "school_id"].nunique()) if len(used) else 0
    n_sim_outcomes = int((outcomes["provenance"] == sim).sum()) if "provenance" in outcomes else 0
    simulated = bool(n_sim or n_sim_outcomes)
    sim_lines = [t("cmp_simulated", lang, n=f"{n_sim:,}")] if n_sim else []
    if n_sim_outcomes:
        sim_lines.append(t("cmp_simulated_outcomes", lang, n=f"{n_sim_outcomes:,}"))
    if results.empty or results["did"].isna().all():
        return Comparison(
            result_table(results, names, lang),
            None,
            [],
            claim,
            method,
            simulated,
            sim_lines,
            results,
        )
    first = results[results["area"] == results["area"].iloc[0]]
    lines = [
        summary_line(r, names.get(int(r.area), ""), lang) for r in first.itertuples(index=False)
    ]
    return Comparison(
        result_table(results, names, lang),
        figure(results, names, lang),
        lines,
        claim,
        method,
        simulated,
        sim_lines,
        results,
    )
