"""The programme views' domain logic (issue 4), pure pandas: terms, milestones against deadlines,
the 3-year cycle, activity against a stated expectation, the "needs attention" ranking, and the
tables the pages show and download. No Streamlit, no SQL (the store gives the frames)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from urllib.parse import urlencode

import pandas as pd

from .i18n import STRINGS, label, t
from .store.programme import term_bounds, term_code
from .textsafe import safe_url
from .vocab import (
    CYCLE_YEARS,
    DEADLINES,
    OUTCOME_INDICATORS,
    PROGRAMME_START,
    ActivityKind,
    MilestoneKind,
)

__all__ = ["term_bounds", "term_code"]

FIRST_TERM = term_code(date.fromisoformat(PROGRAMME_START))


def vlabel(value, lang: str = "zh") -> str:
    """A vocabulary value's name: this feature's own words first, then the shared labels."""
    key = f"prog_v_{value}"
    return t(key, lang) if key in STRINGS else label(str(value), lang)


# ---------------------------------------------------------------------- terms
def term_label(code: int, lang: str = "zh") -> str:
    year, half = divmod(int(code), 10)
    if lang == "en":
        return f"{'Autumn' if half == 2 else 'Spring'} {year}"
    return f"{year}{'秋' if half == 2 else '春'}"


def next_term(code: int) -> int:
    year, half = divmod(int(code), 10)
    return year * 10 + 2 if half == 1 else (year + 1) * 10 + 1


def terms_until(as_of: date, first: int = FIRST_TERM) -> list[int]:
    """Every term from the programme's first to the one holding ``as_of``."""
    out, code = [], first
    last = term_code(as_of)
    while code <= last:
        out.append(code)
        code = next_term(code)
    return out


# ---------------------------------------------------------------------- milestones
def effective_date(done, precision: str | None):
    """A date known only to the month counts as that month's last day."""
    if done is None or pd.isna(done):
        return None
    ts = pd.Timestamp(done)
    if precision == "month":
        ts = ts + pd.offsets.MonthEnd(0)
    return ts.date()


def milestone_status(ms: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """One row per project × milestone kind with ``status``: on_time / late / overdue (not done,
    deadline passed) / pending, and ``days_late``. Deadlines are vocab.DEADLINES."""
    out = ms.copy()
    due = {k.value: date.fromisoformat(v) for k, v in DEADLINES.items()}
    out["deadline"] = out["kind"].map(due)
    out["effective"] = [
        effective_date(d, p) for d, p in zip(out["done_date"], out["date_precision"])
    ]
    status, late = [], []
    for eff, dl in zip(out["effective"], out["deadline"]):
        if eff is None:
            status.append("ms_overdue" if dl is not None and as_of > dl else "ms_pending")
            late.append((as_of - dl).days if dl is not None and as_of > dl else 0)
        elif dl is not None and eff > dl:
            status.append("ms_late")
            late.append((eff - dl).days)
        else:
            status.append("ms_on_time")
            late.append(0)
    out["status"] = status
    out["days_late"] = late
    return out


def milestone_counts(status: pd.DataFrame, n_projects: int) -> pd.DataFrame:
    """Per milestone kind: projects on time, late, overdue, pending, and with no record at all."""
    rows = []
    for kind in MilestoneKind:
        s = status[status["kind"] == kind.value]["status"]
        row = {"kind": kind.value}
        for st_ in ("ms_on_time", "ms_late", "ms_overdue", "ms_pending"):
            row[st_] = int((s == st_).sum())
        row["ms_no_record"] = int(n_projects - len(s))
        rows.append(row)
    return pd.DataFrame(rows)


# ---------------------------------------------------------------------- the 3-year cycle
def cycle_position(projects: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """Months into the 3-year cycle and the cycle year (1–3, or 'ended' / 'not started')."""
    start = pd.to_datetime(projects["cycle_start"].fillna(pd.Timestamp(PROGRAMME_START)))
    end = pd.to_datetime(projects["cycle_end"]).fillna(start + pd.DateOffset(years=CYCLE_YEARS))
    now = pd.Timestamp(as_of)
    months = ((now.year - start.dt.year) * 12 + (now.month - start.dt.month)).clip(lower=0)
    total = ((end.dt.year - start.dt.year) * 12 + (end.dt.month - start.dt.month) + 1).clip(lower=1)
    out = pd.DataFrame(
        {
            "project_id": projects["project_id"],
            "cycle_start": start.dt.date,
            "cycle_end": end.dt.date,
            "months": months,
            "share": (months / total).clip(upper=1.0),
        }
    )
    out["stage"] = [
        "cycle_not_started"
        if now < s
        else "cycle_ended"
        if now > e
        else f"cycle_year_{min(int(m // 12) + 1, CYCLE_YEARS)}"
        for s, e, m in zip(start, end, months)
    ]
    return out


# ---------------------------------------------------------------------- needs attention
@dataclass(frozen=True)
class Expectation:
    """The stated, simple expectation every project is held to in each completed term."""

    min_activities: int = 5  # activity records of the ways of working in the filter
    min_dispatch: int = 1  # at least one dispatched principal/teacher on site


EXPECT = Expectation()


def assessed_terms(as_of: date, lo: int | None = None, hi: int | None = None) -> list[int]:
    """Completed terms (ended before ``as_of``) inside the filter's term range."""
    return [
        c
        for c in terms_until(as_of)
        if term_bounds(c)[1] < as_of and (lo is None or c >= lo) and (hi is None or c <= hi)
    ]


def activity_grid(per_term: pd.DataFrame, project_ids, terms: list[int]) -> pd.DataFrame:
    """Activity records per project (rows) × term (columns), zeros where nothing was recorded."""
    grid = (
        per_term.pivot_table(
            index="project_id", columns="term_code", values="n", aggfunc="sum", fill_value=0
        )
        if len(per_term)
        else pd.DataFrame()
    )
    return grid.reindex(index=list(project_ids), columns=terms, fill_value=0).fillna(0).astype(int)


def needs_attention(
    projects: pd.DataFrame,
    per_term: pd.DataFrame,
    dispatch_per_term: pd.DataFrame,
    status: pd.DataFrame,
    terms: list[int],
    lang: str = "zh",
    expect: Expectation = EXPECT,
    check_dispatch: bool = True,
) -> pd.DataFrame:
    """Projects that fall short, ranked by a score with the reasons spelled out.

    Score: for each assessed term, the shortfall below ``min_activities`` as a share of it (the
    latest two terms count double), plus 0.5 per term without a dispatched teacher, plus 0.5 per
    milestone done late and 1 per milestone overdue.
    """
    ids = projects["project_id"].tolist()
    grid = activity_grid(per_term, ids, terms)
    disp = activity_grid(
        pd.DataFrame(
            {
                "project_id": dispatch_per_term["project_id"],
                "term_code": dispatch_per_term["term_code"],
                "n": dispatch_per_term["people"],
            }
        ),
        ids,
        terms,
    )
    recent = set(terms[-2:])
    counts, dcounts = grid.to_numpy(), disp.to_numpy()
    issues: dict[int, list] = {}
    bad = status[status["status"].isin(["ms_late", "ms_overdue"])].sort_values("kind")
    for pid, kind, st_, days in zip(
        bad["project_id"], bad["kind"], bad["status"], bad["days_late"]
    ):
        issues.setdefault(pid, []).append((kind, st_, days))
    sep = "；" if lang == "zh" else "; "
    rows = []
    for i, pid in enumerate(ids):
        score, reasons = 0.0, []
        low = [
            (c, int(counts[i, j]))
            for j, c in enumerate(terms)
            if counts[i, j] < expect.min_activities
        ]
        for c, n in low:
            score += (expect.min_activities - n) / expect.min_activities * (2 if c in recent else 1)
        if low:
            shown = "、".join(f"{term_label(c, lang)} {n}" for c, n in low[-3:])
            reasons.append(
                t(
                    "prog_reason_low",
                    lang,
                    n=len(low),
                    total=len(terms),
                    min=expect.min_activities,
                    terms=shown,
                )
            )
        if check_dispatch:
            nodisp = [c for j, c in enumerate(terms) if dcounts[i, j] < expect.min_dispatch]
            score += 0.5 * len(nodisp)
            if nodisp:
                reasons.append(
                    t(
                        "prog_reason_no_dispatch",
                        lang,
                        n=len(nodisp),
                        terms="、".join(term_label(c, lang) for c in nodisp[-3:]),
                    )
                )
        if pid in issues:
            for kind_, st_, days in issues[pid]:
                kind = vlabel(f"ms_{kind_}", lang)
                if st_ == "ms_late":
                    score += 0.5
                    reasons.append(t("prog_reason_late", lang, kind=kind, days=int(days)))
                else:
                    score += 1.0
                    reasons.append(t("prog_reason_overdue", lang, kind=kind))
        if score > 0:
            rows.append(
                {
                    "project_id": pid,
                    "score": round(score, 2),
                    "last_term": int(counts[i, -1]) if terms else 0,
                    "reasons": sep.join(reasons),
                }
            )
    out = pd.DataFrame(rows, columns=["project_id", "score", "last_term", "reasons"])
    return out.sort_values(["score", "project_id"], ascending=[False, True]).reset_index(drop=True)


# ---------------------------------------------------------------------- links and tables
def dossier_link(project_id: int, query: dict[str, str] | None = None) -> str:
    """The dossier URL of a project, carrying the current filters so the view holds."""
    params = {"project": str(int(project_id))}
    params.update({k: v for k, v in (query or {}).items() if k != "project"})
    return "/dossier?" + urlencode(params)


def name_columns(frame: pd.DataFrame, projects: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Adds school, county, province and university names to rows keyed by project_id."""
    cols = [
        "project_id",
        "school_zh",
        "county_zh",
        "province_short",
        "province_en",
        "university_zh",
        "university_en",
        "provenance",
    ]
    return frame.merge(projects[cols], on="project_id", how="left")


def province_name(row_or_frame, lang: str):
    return row_or_frame["province_en" if lang == "en" else "province_short"]


def university_name(row_or_frame, lang: str):
    return row_or_frame["university_en" if lang == "en" else "university_zh"]


def header(frame: pd.DataFrame, keys: dict[str, str], lang: str) -> pd.DataFrame:
    """Keep the listed columns, renamed to their translated headers (strings key per column)."""
    return (
        frame[list(keys)]
        .rename(columns={c: t(k, lang) for c, k in keys.items()})
        .reset_index(drop=True)
    )


KIND_ORDER = [k.value for k in ActivityKind]


# ---------------------------------------------------------------------- page contents
LINK_COL = "_link"


def simulated_note(prov_counts: pd.DataFrame, projects: pd.DataFrame, lang: str) -> str | None:
    """The sentence saying how much of the view is simulated (None when nothing is)."""
    n = (
        int(prov_counts.loc[prov_counts["provenance"] == "simulated", "n"].sum())
        if len(prov_counts)
        else 0
    )
    p = int((projects["provenance"] == "simulated").sum())
    return t("prog_simulated_note", lang, n=f"{n:,}", p=p) if (n or p) else None


def term_range(filters) -> tuple[int | None, int | None]:
    lo = term_code(filters.date_from) if filters.date_from else None
    hi = term_code(filters.date_to) if filters.date_to else None
    return lo, hi


def project_names(
    frame: pd.DataFrame, projects: pd.DataFrame, lang: str, link_query: dict | None = None
) -> pd.DataFrame:
    """Province, county, school, university (and the dossier link) in front of per-project rows."""
    cols = [
        "project_id",
        "province_short",
        "province_en",
        "county_zh",
        "school_zh",
        "university_zh",
        "university_en",
        "provenance",
    ]
    cols = [
        c for c in cols if c == "project_id" or c not in frame.columns
    ]  # the row's own provenance wins
    out = frame.merge(projects[cols], on="project_id", how="inner")
    out["province"] = province_name(out, lang)
    out["university"] = university_name(out, lang)
    out["provenance_name"] = out["provenance"].map(lambda v: label(v, lang))
    out[LINK_COL] = [dossier_link(p, link_query) for p in out["project_id"]]
    return out


PROJECT_KEYS = {
    "project_id": "prog_project",
    "province": "col_province",
    "county_zh": "col_county",
    "school_zh": "col_school",
    "university": "col_university",
}


def outcome_figures(frame: pd.DataFrame, value_col: str, value_label: str, lang: str) -> list:
    """One trend chart per outcome indicator present in ``frame`` (school_year × ``value_col``),
    each in its indicator's colour, with the programme's start marked."""
    from . import charts

    figs = []
    for i, ind in enumerate(OUTCOME_INDICATORS):
        part = frame[frame["indicator"] == ind]
        if len(part):
            figs.append(
                charts.trend_lines(
                    part,
                    "school_year",
                    value_col,
                    vlabel(ind, lang),
                    date.fromisoformat(PROGRAMME_START).year,
                    t("prog_programme_start", lang),
                    t("prog_school_year", lang),
                    value_label,
                    color=list(charts.REGION_COLORS.values())[i],
                )
            )
    return figs


def progress_content(
    store, viewer, filters, lang: str = "zh", link_query: dict | None = None
) -> dict:
    """Everything the progress page shows, as frames and figures."""
    from . import charts

    as_of = store.as_of()
    projects = store.programme_projects(viewer, filters)
    out: dict = {"projects": projects, "as_of": as_of}
    prov = store.activity_agg(viewer, filters, by=("provenance",))
    out["note"] = simulated_note(prov, projects, lang)
    if projects.empty:
        return out
    # milestones
    status = milestone_status(store.project_milestones(viewer, filters), as_of)
    counts = milestone_counts(status, len(projects))
    long = counts.melt(id_vars="kind", var_name="status", value_name="projects")
    long["kind_name"] = long["kind"].map(lambda k: vlabel(f"ms_{k}", lang))
    out["ms_fig"] = charts.stacked_bars(
        long,
        "kind_name",
        "projects",
        "status",
        charts.STATUS_COLORS,
        {k: vlabel(k, lang) for k in charts.STATUS_COLORS},
        t("prog_milestones", lang),
        y_title=t("prog_projects", lang),
        horizontal=True,
        height=260,
    )
    out["ms_table"] = pd.DataFrame(
        {
            t("prog_milestone", lang): counts["kind"].map(lambda k: vlabel(f"ms_{k}", lang)),
            **{vlabel(s, lang): counts[s] for s in charts.STATUS_COLORS},
        }
    )
    late = status[status["status"].isin(["ms_late", "ms_overdue"])].copy()
    late = project_names(late, projects, lang, link_query)
    late["milestone"] = late["kind"].map(lambda k: vlabel(f"ms_{k}", lang))
    late["status_name"] = late["status"].map(lambda s: vlabel(s, lang))
    late["done"] = [
        (
            ""
            if d is None or pd.isna(d)
            else pd.Timestamp(d).strftime("%Y-%m" if p == "month" else "%Y-%m-%d")
        )
        for d, p in zip(late["done_date"], late["date_precision"])
    ]
    late = late.sort_values(["days_late", "project_id"], ascending=[False, True])
    out["late"] = header(
        late,
        {
            **PROJECT_KEYS,
            "milestone": "prog_milestone",
            "deadline": "prog_deadline",
            "done": "prog_done",
            "days_late": "prog_days_late",
            "status_name": "prog_status",
            "provenance_name": "col_provenance",
            LINK_COL: "prog_open_dossier",
        },
        lang,
    )
    # cycle
    cyc = cycle_position(projects, as_of)
    stages = (
        cyc["stage"]
        .value_counts()
        .reindex(
            ["cycle_not_started", "cycle_year_1", "cycle_year_2", "cycle_year_3", "cycle_ended"],
            fill_value=0,
        )
    )
    stage_frame = pd.DataFrame(
        {"stage": [vlabel(s, lang) for s in stages.index], "projects": stages.values}
    )
    out["cycle_fig"] = charts.stacked_bars(
        stage_frame,
        "stage",
        "projects",
        None,
        {"x": "#4e79a7"},
        {},
        t("prog_cycle", lang),
        y_title=t("prog_projects", lang),
        height=280,
    )
    cyc = project_names(cyc, projects, lang, link_query)
    cyc["stage_name"] = cyc["stage"].map(lambda s: vlabel(s, lang))
    cyc["share"] = (cyc["share"] * 100).round(0)
    out["cycle"] = header(
        cyc,
        {
            **PROJECT_KEYS,
            "cycle_start": "prog_cycle_start",
            "cycle_end": "prog_cycle_end",
            "months": "prog_cycle_months",
            "share": "prog_cycle_share",
            "stage_name": "prog_cycle_stage",
            LINK_COL: "prog_open_dossier",
        },
        lang,
    )
    # activity per term against the expectation
    lo, hi = term_range(filters)
    terms = assessed_terms(as_of, lo, hi)
    out["terms"] = terms
    per_term = store.activity_agg(viewer, filters, by=("project_id", "term_code"))
    check_dispatch = not filters.kinds or ActivityKind.DISPATCH.value in filters.kinds
    disp = (
        store.activity_agg(
            viewer, filters, by=("project_id", "term_code"), kinds=(ActivityKind.DISPATCH.value,)
        )
        if check_dispatch
        else per_term.iloc[0:0]
    )
    out["check_dispatch"] = check_dispatch
    if terms:
        grid = activity_grid(per_term, projects["project_id"], terms)
        below = pd.DataFrame(
            {
                "term": [term_label(c, lang) for c in terms],
                "share": [
                    round(float((grid[c] < EXPECT.min_activities).mean()) * 100, 1) for c in terms
                ],
            }
        )
        out["below_fig"] = charts.stacked_bars(
            below,
            "term",
            "share",
            None,
            {"x": "#e15759"},
            {},
            t("prog_below", lang),
            y_title="%",
            height=280,
        )
        out["below"] = below.rename(
            columns={"term": t("prog_term", lang), "share": t("prog_below", lang) + " %"}
        )
        shown = grid.copy()
        shown.columns = [term_label(c, lang) for c in terms]
        shown = shown.reset_index().rename(columns={"index": "project_id"})
        shown = project_names(shown, projects, lang, link_query)
        out["grid"] = shown[
            [*PROJECT_KEYS, *[term_label(c, lang) for c in terms], LINK_COL]
        ].rename(
            columns={
                **{k: t(v, lang) for k, v in PROJECT_KEYS.items()},
                LINK_COL: t("prog_open_dossier", lang),
            }
        )
        att = needs_attention(
            projects, per_term, disp, status, terms, lang, check_dispatch=check_dispatch
        )
        att = project_names(att, projects, lang, link_query)
        att.insert(0, "rank", range(1, len(att) + 1))
        out["attention"] = header(
            att,
            {
                "rank": "prog_rank",
                **PROJECT_KEYS,
                "score": "prog_score",
                "last_term": "prog_last_term",
                "reasons": "prog_reasons",
                "provenance_name": "col_provenance",
                LINK_COL: "prog_open_dossier",
            },
            lang,
        )
    # outcomes
    trend = store.outcome_trend(viewer, filters)
    out["outcome_figs"] = outcome_figures(trend, "mean", t("prog_outcome_value", lang), lang)
    tr = trend.copy()
    tr["indicator"] = tr["indicator"].map(lambda v: vlabel(v, lang))
    tr["mean"] = tr["mean"].round(1)
    out["outcomes"] = tr.rename(
        columns={
            "school_year": t("prog_school_year", lang),
            "indicator": t("prog_indicator", lang),
            "mean": t("prog_outcome_value", lang),
            "projects": t("prog_projects", lang),
            "simulated": label("simulated", lang),
        }
    )
    return out


def _named(frame: pd.DataFrame, col: str, lang: str) -> pd.Series:
    return frame[col].map(lambda v: vlabel(v, lang) if v != "" else "—")


def _by_place(store, viewer, filters, kinds, lang, link_query=None) -> dict:
    """Measures per province, per university and per term for some ways of working."""
    names = store.provinces().set_index("adcode")
    prov = store.activity_agg(viewer, filters, by=("province_adcode", "kind"), kinds=kinds)
    prov["province"] = prov["province_adcode"].map(names["name_en" if lang == "en" else "short_zh"])
    prov["region"] = prov["province_adcode"].map(names["region"])
    uni = store.activity_agg(viewer, filters, by=("university_id", "kind"), kinds=kinds)
    projects = store.programme_projects(viewer, filters)
    unames = projects.drop_duplicates("university_id").set_index("university_id")
    uni["university"] = uni["university_id"].map(
        unames["university_en" if lang == "en" else "university_zh"]
    )
    term = store.activity_agg(viewer, filters, by=("term_code", "kind", "direction"), kinds=kinds)
    term["term"] = term["term_code"].map(lambda c: term_label(c, lang))
    return {"province": prov, "university": uni, "term": term, "projects": projects}


def _kind_table(
    frame: pd.DataFrame, first: str, first_key: str, measures: dict[str, str], lang: str
) -> pd.DataFrame:
    out = frame.copy()
    out["kind_name"] = out["kind"].map(lambda k: label(k, lang))
    return header(out, {first: first_key, "kind_name": "prog_kind", **measures}, lang)


EXCHANGE_KINDS = (
    ActivityKind.DISPATCH.value,
    ActivityKind.GUIDANCE_VISIT.value,
    ActivityKind.SHADOWING.value,
    ActivityKind.TRAINING.value,
)
EXCHANGE_MEASURES = {
    "n": "prog_count",
    "people": "prog_people",
    "person_months": "prog_person_months",
    "participants": "prog_participants",
    "participant_hours": "prog_participant_hours",
}


def exchange_people(frame: pd.DataFrame) -> pd.Series:
    """People moved: dispatched, visiting and shadowing staff; training participants."""
    return frame["people"].where(
        frame["kind"] != ActivityKind.TRAINING.value, frame["participants"]
    )


def exchanges_content(
    store, viewer, filters, lang: str = "zh", link_query: dict | None = None
) -> dict:
    from . import charts

    kinds = tuple(k for k in EXCHANGE_KINDS if not filters.kinds or k in filters.kinds)
    out: dict = {"kinds": kinds}
    if not kinds:
        out["projects"] = pd.DataFrame()
        return out
    by_kind = store.activity_agg(viewer, filters, by=("kind", "mode", "provenance"), kinds=kinds)
    place = _by_place(store, viewer, filters, kinds, lang, link_query)
    projects = place["projects"]
    out["projects"] = projects
    prov_counts = by_kind.groupby("provenance", as_index=False)["n"].sum()
    out["note"] = simulated_note(prov_counts, projects, lang)

    def total(kind, col, mode=None):
        part = by_kind[by_kind["kind"] == kind]
        if mode:
            part = part[part["mode"] == mode]
        return float(part[col].sum())

    D, G, S, T = EXCHANGE_KINDS
    out["kpis"] = [
        (k, v)
        for k, v in [
            ("prog_kpi_dispatched", total(D, "people")),
            ("prog_kpi_person_months", total(D, "person_months")),
            ("prog_kpi_visits", total(G, "n")),
            ("prog_kpi_visit_people", total(G, "people")),
            ("prog_kpi_shadowing", total(S, "people")),
            ("prog_kpi_trainings", total(T, "n")),
            ("prog_kpi_training_people", total(T, "participants")),
            ("prog_kpi_training_hours_onsite", total(T, "participant_hours", "on_site")),
            ("prog_kpi_training_hours_online", total(T, "participant_hours", "online")),
        ]
    ]
    kind_names = {k: label(k, lang) for k in charts.KIND_COLORS}
    # timeline per term, stacked by way of working; both directions
    term = place["term"].copy()
    term["moved"] = exchange_people(term)
    per_kind = term.groupby(["term_code", "term", "kind"], as_index=False)["moved"].sum()
    out["timeline_fig"] = charts.stacked_bars(
        per_kind,
        "term",
        "moved",
        "kind",
        charts.KIND_COLORS,
        kind_names,
        t("prog_timeline", lang),
        y_title=t("prog_people", lang),
    )
    out["timeline"] = header(
        per_kind.assign(kind_name=per_kind["kind"].map(kind_names)),
        {"term": "prog_term", "kind_name": "prog_kind", "moved": "prog_people"},
        lang,
    )
    per_dir = term.groupby(["term_code", "term", "direction"], as_index=False)["moved"].sum()
    out["direction_fig"] = charts.stacked_bars(
        per_dir,
        "term",
        "moved",
        "direction",
        charts.DIRECTION_COLORS,
        {k: vlabel(k, lang) for k in charts.DIRECTION_COLORS},
        t("prog_directions", lang),
        y_title=t("prog_people", lang),
    )
    out["direction"] = header(
        per_dir.assign(dir_name=_named(per_dir, "direction", lang)),
        {"term": "prog_term", "dir_name": "prog_direction", "moved": "prog_people"},
        lang,
    )
    # by province / university / term tables
    out["by_province"] = _kind_table(
        place["province"], "province", "col_province", EXCHANGE_MEASURES, lang
    )
    out["by_university"] = _kind_table(
        place["university"], "university", "col_university", EXCHANGE_MEASURES, lang
    )
    term_t = place["term"].assign(dir_name=_named(place["term"], "direction", lang))
    out["by_term"] = _kind_table(term_t, "term", "prog_term", EXCHANGE_MEASURES, lang)
    prov = place["province"].copy()
    prov["moved"] = exchange_people(prov)
    prov_tot = prov.groupby(["province_adcode", "province", "region"], as_index=False)[
        "moved"
    ].sum()
    prov_tot = prov_tot.sort_values("moved", ascending=False)
    out["province_fig"] = charts.stacked_bars(
        prov_tot,
        "province",
        "moved",
        "region",
        charts.REGION_COLORS,
        {k: label(k, lang) for k in charts.REGION_COLORS},
        t("prog_by_province", lang),
        y_title=t("prog_people", lang),
    )
    # dispatch by role and subject; training by mode
    if D in kinds:
        roles = store.activity_agg(viewer, filters, by=("value",), dim="role", kinds=(D,))
        roles["name"] = _named(roles, "value", lang)
        out["roles"] = header(
            roles.sort_values("people", ascending=False),
            {"name": "prog_role", "people": "prog_people", "person_months": "prog_person_months"},
            lang,
        )
        subj = store.activity_agg(viewer, filters, by=("value",), dim="subject", kinds=(D,))
        subj = subj[subj["value"] != ""].sort_values("people", ascending=False)
        out["subjects"] = header(
            subj,
            {
                "value": "prog_subject",
                "people": "prog_people",
                "person_months": "prog_person_months",
            },
            lang,
        )
    if T in kinds:
        modes = (
            by_kind[by_kind["kind"] == T]
            .groupby("mode", as_index=False)[["n", "participants", "hours", "participant_hours"]]
            .sum()
        )
        modes["name"] = _named(modes, "mode", lang)
        out["modes"] = header(
            modes,
            {
                "name": "prog_mode",
                "n": "prog_count",
                "participants": "prog_participants",
                "hours": "prog_hours",
                "participant_hours": "prog_participant_hours",
            },
            lang,
        )
    # rankings
    uni = place["university"]
    if D in kinds:
        rank = (
            uni[uni["kind"] == D]
            .groupby("university", as_index=False)[["people", "person_months"]]
            .sum()
            .sort_values(["person_months", "university"], ascending=[False, True])
        )
        rank.insert(0, "rank", range(1, len(rank) + 1))
        out["rank_universities"] = header(
            rank,
            {
                "rank": "prog_rank",
                "university": "col_university",
                "people": "prog_people",
                "person_months": "prog_person_months",
            },
            lang,
        )
    per_project = store.activity_agg(viewer, filters, by=("project_id", "kind"), kinds=kinds)
    per_project["moved"] = exchange_people(per_project)
    wide = per_project.pivot_table(
        index="project_id", columns="kind", values="moved", aggfunc="sum", fill_value=0
    ).reindex(columns=list(kinds), fill_value=0)
    wide["total"] = wide.sum(axis=1)
    wide = wide.reset_index().sort_values(["total", "project_id"], ascending=[False, True])
    wide = project_names(wide, projects, lang, link_query)
    wide.insert(0, "rank", range(1, len(wide) + 1))
    cols = {
        "rank": t("prog_rank", lang),
        **{k: t(v, lang) for k, v in PROJECT_KEYS.items()},
        **{k: kind_names[k] for k in kinds},
        "total": t("prog_people", lang),
        "provenance_name": t("col_provenance", lang),
        LINK_COL: t("prog_open_dossier", lang),
    }
    out["rank_projects"] = wide[list(cols)].rename(columns=cols).reset_index(drop=True)
    return out


def internships_content(
    store, viewer, filters, lang: str = "zh", link_query: dict | None = None
) -> dict:
    from . import charts

    INTERN = ActivityKind.INTERNSHIP.value
    out: dict = {"active": not filters.kinds or INTERN in filters.kinds}
    projects = store.programme_projects(viewer, filters)
    out["projects"] = projects
    if not out["active"]:
        return out
    kinds = (INTERN,)
    levels_term = store.activity_agg(
        viewer, filters, by=("term_code", "value", "provenance"), dim="level", kinds=kinds
    )
    prov_counts = levels_term.groupby("provenance", as_index=False)["n"].sum()
    out["note"] = simulated_note(prov_counts, projects, lang)
    tot = levels_term[["n", "people", "person_days", "person_months"]].sum()
    per_project = store.activity_agg(viewer, filters, by=("project_id",), kinds=kinds)
    out["kpis"] = [
        ("prog_kpi_students", float(tot["people"])),
        ("prog_kpi_person_days", float(tot["person_days"])),
        ("prog_kpi_groups", float(tot["n"])),
        ("prog_kpi_projects_with", float((per_project["people"] > 0).sum())),
    ]
    lt = levels_term.groupby(["term_code", "value"], as_index=False)[
        ["n", "people", "person_days"]
    ].sum()
    lt["term"] = lt["term_code"].map(lambda c: term_label(c, lang))
    lt["level"] = _named(lt, "value", lang)
    out["level_fig"] = charts.stacked_bars(
        lt,
        "term",
        "people",
        "value",
        charts.LEVEL_COLORS,
        {k: vlabel(k, lang) for k in charts.LEVEL_COLORS},
        t("prog_by_level_term", lang),
        y_title=t("prog_people", lang),
    )
    out["by_level_term"] = header(
        lt,
        {
            "term": "prog_term",
            "level": "prog_level",
            "n": "prog_count",
            "people": "prog_people",
            "person_days": "prog_person_days",
        },
        lang,
    )
    subj = store.activity_agg(viewer, filters, by=("value",), dim="subject", kinds=kinds)
    subj = subj.sort_values(["people", "value"], ascending=[False, True])
    subj["subject"] = subj["value"].replace("", "—")
    out["subject_fig"] = charts.stacked_bars(
        subj,
        "subject",
        "people",
        None,
        {"x": charts.KIND_COLORS[INTERN]},
        {},
        t("prog_by_subject", lang),
        y_title=t("prog_people", lang),
        height=320,
    )
    out["by_subject"] = header(
        subj,
        {
            "subject": "prog_subject",
            "n": "prog_count",
            "people": "prog_people",
            "person_days": "prog_person_days",
        },
        lang,
    )
    uni = store.activity_agg(viewer, filters, by=("university_id",), kinds=kinds)
    unames = projects.drop_duplicates("university_id").set_index("university_id")
    uni["university"] = uni["university_id"].map(
        unames["university_en" if lang == "en" else "university_zh"]
    )
    uni = uni.sort_values(["people", "university"], ascending=[False, True])
    out["by_university"] = header(
        uni,
        {
            "university": "col_university",
            "n": "prog_count",
            "people": "prog_people",
            "person_days": "prog_person_days",
        },
        lang,
    )
    pp = per_project[per_project["n"] > 0].sort_values(
        ["people", "project_id"], ascending=[False, True]
    )
    pp = project_names(pp, projects, lang, link_query)
    out["by_project"] = header(
        pp,
        {
            **PROJECT_KEYS,
            "n": "prog_count",
            "people": "prog_people",
            "person_days": "prog_person_days",
            "provenance_name": "col_provenance",
            LINK_COL: "prog_open_dossier",
        },
        lang,
    )
    return out


def _day(value) -> str:
    return "—" if value is None or pd.isna(value) else pd.Timestamp(value).strftime("%Y-%m-%d")


def describe_activity(row, lang: str) -> str:
    """One activity in a few words: who, how many, for how long."""
    parts = []
    if row.get("role"):
        parts.append(vlabel(row["role"], lang))
    if row.get("level"):
        parts.append(vlabel(row["level"], lang))
    if row.get("subject"):
        parts.append(str(row["subject"]))
    for col, key in (
        ("people", "prog_people"),
        ("participants", "prog_participants"),
        ("person_months", "prog_person_months"),
        ("hours", "prog_hours"),
    ):
        v = row.get(col)
        if v is not None and not pd.isna(v):
            parts.append(f"{t(key, lang)} {v:g}")
    if row.get("mode"):
        parts.append(vlabel(row["mode"], lang))
    return " · ".join(parts)


def dossier_content(store, viewer, filters, project_id: int, lang: str = "zh") -> dict | None:
    """One project's page: pairing, agreement, every activity, outcomes, provenance and sources.
    None when the project is not visible to this viewer (scope) under these filters."""
    from dataclasses import replace

    from . import charts

    # the project is named explicitly: place filters do not hide it, scope and provenance do
    f = replace(filters, provinces=(), prefectures=(), universities=())
    proj = store.programme_projects(viewer, f, project_id=project_id)
    if proj.empty:
        return None
    p = proj.iloc[0]
    out: dict = {"project": p}
    out["pairing"] = pd.DataFrame(
        {
            t("prog_what", lang): [
                t("col_university", lang),
                t("col_school", lang),
                t("col_county", lang),
                t("col_province", lang),
                t("prog_affiliated", lang),
                t("prog_batch", lang),
                t("prog_cycle_start", lang),
                t("prog_cycle_end", lang),
                t("col_provenance", lang),
                t("prog_confidence", lang),
            ],
            t("prog_value", lang): [
                university_name(p, lang),
                p["school_zh"],
                f"{p['prefecture_zh'] or ''} {p['county_zh']}".strip(),
                province_name(p, lang),
                p["affiliated_school"] or p["university_affiliated"] or "—",
                str(p["batch"]),
                _day(p["cycle_start"]),
                _day(p["cycle_end"]),
                label(p["provenance"], lang),
                p["confidence"] or "—",
            ],
        }
    )
    status = milestone_status(
        store.project_milestones(viewer, f, project_id=project_id), store.as_of()
    )
    status = status.sort_values(
        "kind", key=lambda k: k.map({m.value: i for i, m in enumerate(MilestoneKind)})
    )
    status["milestone"] = status["kind"].map(lambda k: vlabel(f"ms_{k}", lang))
    status["status_name"] = status["status"].map(lambda s: vlabel(s, lang))
    status["done"] = [
        (
            ""
            if d is None or pd.isna(d)
            else pd.Timestamp(d).strftime("%Y-%m" if q == "month" else "%Y-%m-%d")
        )
        for d, q in zip(status["done_date"], status["date_precision"])
    ]
    status["provenance_name"] = status["provenance"].map(lambda v: label(v, lang))
    status["source"] = status["source_url"].map(lambda u: safe_url(u) or "")
    out["agreement"] = header(
        status,
        {
            "milestone": "prog_milestone",
            "deadline": "prog_deadline",
            "done": "prog_done",
            "days_late": "prog_days_late",
            "status_name": "prog_status",
            "provenance_name": "col_provenance",
            "source": "prog_source",
        },
        lang,
    )
    acts = store.project_activities(viewer, f, project_id)
    out["capped"] = len(acts) >= 20_000
    acts["what"] = [describe_activity(r, lang) for r in acts.to_dict("records")]
    acts["hover"] = acts["what"]
    kind_names = {k: label(k, lang) for k in charts.KIND_COLORS}
    out["timeline_fig"] = charts.activity_dots(
        acts,
        kind_names,
        t("prog_activity_timeline", lang),
        date.fromisoformat(PROGRAMME_START),
        t("prog_programme_start", lang),
    )
    acts["kind_name"] = acts["kind"].map(kind_names)
    acts["dir_name"] = _named(acts.fillna({"direction": ""}), "direction", lang)
    acts["provenance_name"] = acts["provenance"].map(lambda v: label(v, lang))
    acts["source"] = acts["source_url"].map(lambda u: safe_url(u) or "")
    acts["term"] = [term_label(term_code(d), lang) for d in acts["start_date"]]
    out["activities"] = header(
        acts,
        {
            "start_date": "prog_start",
            "end_date": "prog_end",
            "term": "prog_term",
            "kind_name": "prog_kind",
            "dir_name": "prog_direction",
            "what": "prog_what",
            "provenance_name": "col_provenance",
            "source": "prog_source",
        },
        lang,
    )
    oc = store.project_outcomes(viewer, f, project_id=project_id)
    out["outcome_figs"] = outcome_figures(oc, "value", t("prog_value", lang), lang)
    oc["indicator_name"] = oc["indicator"].map(lambda v: vlabel(v, lang))
    oc["provenance_name"] = oc["provenance"].map(lambda v: label(v, lang))
    out["outcomes"] = header(
        oc,
        {
            "school_year": "prog_school_year",
            "indicator_name": "prog_indicator",
            "value": "prog_value",
            "provenance_name": "col_provenance",
        },
        lang,
    )
    urls = [
        u
        for u in [
            p["source_url"],
            *status["source_url"].tolist(),
            *acts["source_url"].tolist(),
            *oc["source_url"].tolist(),
        ]
        if isinstance(u, str) and u
    ]
    out["sources"] = list(dict.fromkeys(u for u in map(safe_url, urls) if u))
    n_sim = int((acts["provenance"] == "simulated").sum()) + int(
        (oc["provenance"] == "simulated").sum()
    )
    out["note"] = (
        t(
            "prog_simulated_note",
            lang,
            n=f"{int((acts['provenance'] == 'simulated').sum()):,}",
            p=int(p["provenance"] == "simulated"),
        )
        if n_sim or p["provenance"] == "simulated"
        else None
    )
    return out
