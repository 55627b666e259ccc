"""The progress page's content: milestones against deadlines, the 3-year cycle, activity per term
against the expectation with the ranked "needs attention" list, and the outcome trends."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from ..i18n import label, t
from ..school_calendar import assessed_terms, term_label, term_range
from ..vocab import DEADLINES, ActivityKind, MilestoneKind
from .attention import EXPECT, activity_grid, needs_attention
from .milestones import cycle_position, milestone_counts, milestone_status
from .tables import (
    LINK_COL,
    PROJECT_KEYS,
    LinkedTable,
    done_text,
    header,
    linked,
    outcome_figures,
    project_names,
    simulated_note,
    vlabel,
)


@dataclass(frozen=True)
class Flagged:
    """One project of the "needs attention" list, in rank order: its school, dossier, reasons."""

    school: str
    link: str
    reasons: str


@dataclass(frozen=True)
class Progress:
    """Everything the progress page shows. With no project in view only ``projects``, ``as_of``
    and ``note`` are filled; with no completed term in the filter, the per-term parts are None.

    ``link_column`` is the header of the dossier-link column of the ``LinkedTable`` fields.
    """

    projects: pd.DataFrame
    as_of: date
    note: str | None
    link_column: str = ""
    # milestones
    deadlines_note: str = ""  # the deadlines, said under the heading
    ms_fig: object | None = None
    ms_table: pd.DataFrame | None = None
    late: LinkedTable | None = None
    # the 3-year cycle
    cycle_fig: object | None = None
    cycle: LinkedTable | None = None
    # activity per completed term against the expectation
    terms: list[int] = field(default_factory=list)
    check_dispatch: bool = True
    expectation_note: str = ""  # the expectation and the terms assessed
    below_fig: object | None = None
    below: pd.DataFrame | None = None
    grid: LinkedTable | None = None
    attention: LinkedTable | None = None
    flagged: tuple[Flagged, ...] = ()  # the rows of ``attention``, in the same order
    # outcomes
    outcome_figs: list = field(default_factory=list)
    outcomes: pd.DataFrame | None = None


def progress_content(
    store, viewer, filters, lang: str = "zh", link_query: dict | None = None
) -> Progress:
    """Everything the progress page shows, as frames and figures."""
    from .. import charts

    as_of = store.as_of()
    projects = store.programme_projects(viewer, filters)
    prov = store.activity_agg(viewer, filters, by=("provenance",))
    note = simulated_note(prov, projects, lang)
    if projects.empty:
        return Progress(projects, as_of, note)
    # milestones
    status = milestone_status(store.project_milestones(viewer, filters), as_of)
    counts = milestone_counts(status, len(projects))
    long = counts.melt(id_vars="kind", var_name="status", value_name="projects")
    long["kind_name"] = long["kind"].map(lambda k: vlabel(f"ms_{k}", lang))
    ms_fig = charts.stacked_bars(
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
    ms_table = pd.DataFrame(
        {
            t("prog_milestone", lang): counts["kind"].map(lambda k: vlabel(f"ms_{k}", lang)),
            **{vlabel(s, lang): counts[s] for s in charts.STATUS_COLORS},
        }
    )
    late = status[status["status"].isin(["ms_late", "ms_overdue"])].copy()
    late = project_names(late, projects, lang, link_query)
    late["milestone"] = late["kind"].map(lambda k: vlabel(f"ms_{k}", lang))
    late["status_name"] = late["status"].map(lambda s: vlabel(s, lang))
    late["done"] = [done_text(d, p) for d, p in zip(late["done_date"], late["date_precision"])]
    late = late.sort_values(["days_late", "project_id"], ascending=[False, True])
    late_table = linked(
        header(
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
        ),
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
    cycle_fig = charts.stacked_bars(
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
    cycle_table = linked(
        header(
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
        ),
        lang,
    )
    # activity per term against the expectation
    lo, hi = term_range(filters.date_from, filters.date_to, whole=False)
    terms = assessed_terms(as_of, lo, hi)
    per_term = store.activity_agg(viewer, filters, by=("project_id", "term_code"))
    check_dispatch = not filters.kinds or ActivityKind.DISPATCH.value in filters.kinds
    disp = (
        store.activity_agg(
            viewer, filters, by=("project_id", "term_code"), kinds=(ActivityKind.DISPATCH.value,)
        )
        if check_dispatch
        else per_term.iloc[0:0]
    )
    expectation_note = ""
    below_fig = below_table = grid_table = attention_table = None
    flagged: tuple[Flagged, ...] = ()
    if terms:
        expectation_note = t(
            "prog_expectation",
            lang,
            min=EXPECT.min_activities,
            disp=EXPECT.min_dispatch,
            terms=f"{term_label(terms[0], lang)} – {term_label(terms[-1], lang)}",
        )
        grid = activity_grid(per_term, projects["project_id"], terms)
        below = pd.DataFrame(
            {
                "term": [term_label(c, lang) for c in terms],
                "share": [
                    round(float((grid[c] < EXPECT.min_activities).mean()) * 100, 1) for c in terms
                ],
            }
        )
        below_fig = charts.stacked_bars(
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
        below_table = below.rename(
            columns={"term": t("prog_term", lang), "share": t("prog_below", lang) + " %"}
        )
        shown = grid.copy()
        shown.columns = [term_label(c, lang) for c in terms]
        shown = shown.reset_index().rename(columns={"index": "project_id"})
        shown = project_names(shown, projects, lang, link_query)
        grid_table = linked(
            shown[[*PROJECT_KEYS, *[term_label(c, lang) for c in terms], LINK_COL]].rename(
                columns={
                    **{k: t(v, lang) for k, v in PROJECT_KEYS.items()},
                    LINK_COL: t("prog_open_dossier", lang),
                }
            ),
            lang,
        )
        att = needs_attention(
            projects, per_term, disp, status, terms, lang, check_dispatch=check_dispatch
        )
        att = project_names(att, projects, lang, link_query)
        att.insert(0, "rank", range(1, len(att) + 1))
        flagged = tuple(
            Flagged(school, link, reasons)
            for school, link, reasons in zip(att["school_zh"], att[LINK_COL], att["reasons"])
        )
        attention_table = linked(
            header(
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
            ),
            lang,
        )
    # outcomes
    trend = store.outcome_trend(viewer, filters)
    outcome_figs = outcome_figures(trend, "mean", t("prog_outcome_value", lang), lang)
    tr = trend.copy()
    tr["indicator"] = tr["indicator"].map(lambda v: vlabel(v, lang))
    tr["mean"] = tr["mean"].round(1)
    outcomes = tr.rename(
        columns={
            "school_year": t("prog_school_year", lang),
            "indicator": t("prog_indicator", lang),
            "mean": t("prog_outcome_value", lang),
            "projects": t("prog_projects", lang),
            "simulated": label("simulated", lang),
        }
    )
    return Progress(
        projects,
        as_of,
        note,
        link_column=t("prog_open_dossier", lang),
        deadlines_note=t(
            "prog_deadlines",
            lang,
            signed=DEADLINES[MilestoneKind.SIGNED],
            filed=DEADLINES[MilestoneKind.FILED],
            launched=DEADLINES[MilestoneKind.LAUNCHED],
        ),
        ms_fig=ms_fig,
        ms_table=ms_table,
        late=late_table,
        cycle_fig=cycle_fig,
        cycle=cycle_table,
        terms=terms,
        check_dispatch=check_dispatch,
        expectation_note=expectation_note,
        below_fig=below_fig,
        below=below_table,
        grid=grid_table,
        attention=attention_table,
        flagged=flagged,
        outcome_figs=outcome_figs,
        outcomes=outcomes,
    )
