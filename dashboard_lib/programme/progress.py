"""The progress page's content: milestones against deadlines, the 3-year cycle, activity per term
against the expectation with the ranked "needs attention" list, and the outcome trends."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta

import pandas as pd

from ..fmt import dates_as_text
from ..i18n import label, t
from ..school_calendar import assessed_terms, term_bounds, term_label, term_range
from ..scope import as_of_of, effective_as_of
from ..vocab import DEADLINES, OUTCOME_INDICATORS, ActivityKind, MilestoneKind
from .attention import (
    EXPECT,
    RULES,
    activity_grid,
    formula,
    needs_attention,
    term_name,
    worklist_terms,
)
from .milestones import cycle_position, milestone_counts, milestone_status
from .scorecard import project_scores
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
    attention_formula: str = ""  # the score in one sentence
    attention_scope: str = ""  # the two terms looked at, and how many of how many flag
    attention_top: int = RULES.top  # rows shown before "show all"
    # outcomes
    outcome_figs: list = field(default_factory=list)
    outcomes: pd.DataFrame | None = None
    # approved / provisional (``programme.approval``): the line under each chart; the tables
    # (and their downloads) carry the 数据状态 column
    ms_status: str = ""  # milestones and the cycle belong to no term
    below_status: str = ""
    outcome_status: list = field(default_factory=list)  # one per ``outcome_figs``


def header_dates(frame: pd.DataFrame, keys: dict[str, str], lang: str) -> pd.DataFrame:
    """``header`` with every date column as ``YYYY-MM-DD`` text (``fmt.dates_as_text``)."""
    return dates_as_text(header(frame, keys, lang))


def progress_content(
    store,
    viewer,
    filters,
    lang: str = "zh",
    link_query: dict | None = None,
    approved: frozenset | None = None,
) -> Progress:
    """Everything the progress page shows, as frames and figures. ``approved``: the approved
    (term, province) pairs (``cache.approvals``; read here when not given)."""
    from .. import charts
    from . import approval

    as_of = effective_as_of(store, filters)  # the sidebar's 数据截至, else the data's date
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
        x_title=t("prog_axis_milestone", lang),
        y_title=t("prog_axis_projects", lang),
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
        header_dates(
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
    # cycle: each project's current one (issue 16: a renewed project is in its second cycle)
    from .cycles import all_cycles

    cycles = all_cycles(projects, store.project_cycles(viewer, filters), as_of)
    cyc = cycle_position(projects, as_of, cycles)
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
        x_title=t("prog_axis_stage", lang),
        y_title=t("prog_axis_projects", lang),
        height=280,
    )
    cyc = project_names(cyc, projects, lang, link_query)
    cyc["stage_name"] = cyc["stage"].map(lambda s: vlabel(s, lang))
    cyc["share"] = (cyc["share"] * 100).round(0)
    cycle_table = linked(
        header_dates(
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
    expectation_note = ""
    below_fig = below_table = grid_table = attention_table = None
    attention_scope = ""
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
            x_title=t("prog_axis_term", lang),
            y_title=t("prog_axis_share", lang),
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
        last, current = worklist_terms(terms, as_of, hi)
        dispatch_rows = (
            store.activities(
                viewer,
                replace(
                    filters,
                    kinds=(ActivityKind.DISPATCH.value,),
                    # on site during the last term: started before its end, up to 2 years before
                    date_from=term_bounds(last)[0] - timedelta(days=730),
                    date_to=term_bounds(last)[1],
                ),
                limit=1_000_000,
            )
            if check_dispatch and last is not None
            else None
        )
        att = needs_attention(
            projects,
            per_term,
            dispatch_rows if dispatch_rows is not None else pd.DataFrame(),
            status,
            terms,
            as_of,
            lang,
            check_dispatch=check_dispatch,
            until=hi,
            scores=project_scores(store, viewer, filters, as_of),  # the scorecard's verdicts
        )
        attention_scope = t(
            "att_scope",
            lang,
            last=term_name(last, lang) if last is not None else t("att_no_current", lang),
            current=term_name(current, lang) if current is not None else t("att_no_current", lang),
            n=len(att),
            total=len(projects),
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
                {  # what a reviewer reads first: who, how urgent, why
                    "rank": "prog_rank",
                    "school_zh": "col_school",
                    "score": "prog_score",
                    "reasons": "prog_reasons",
                    "last_term": "att_last_term",
                    **{k: v for k, v in PROJECT_KEYS.items() if k != "school_zh"},
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
    # approved / provisional: per row of every table, and the line under each chart
    pairs = store.approved_pairs(viewer, as_of_of(filters)) if approved is None else approved
    below_status = ""
    no_term = approval.Status(0, 0).label(lang)  # milestones and project rows: no term
    late_table = approval.with_status_linked(late_table, [no_term] * len(late_table.frame), lang)
    cycle_table = approval.with_status_linked(cycle_table, [no_term] * len(cycle_table.frame), lang)
    if terms:
        assessed = approval.marked_counts(
            per_term[per_term["term_code"].isin(terms)], projects, pairs
        )
        below_status = approval.overall(assessed).caption(lang)
        per_term_state = approval.by_key(assessed, "term_code")
        below_table = approval.with_status(
            below_table, approval.labels_for(terms, per_term_state, lang), lang
        )
        per_project = approval.by_key(assessed, "project_id")
        assert grid_table is not None and attention_table is not None  # made when ``terms``
        grid_table = approval.with_status_linked(
            grid_table, approval.labels_for(shown["project_id"], per_project, lang), lang
        )
        attention_table = approval.with_status_linked(
            attention_table, approval.labels_for(att["project_id"], per_project, lang), lang
        )
    behind_outcomes = approval.marked_outcomes(
        store.project_outcomes(viewer, filters), projects, pairs
    )
    per_year = approval.by_key(behind_outcomes, ["school_year", "indicator"])
    outcomes = approval.with_status(
        outcomes,
        approval.labels_for(zip(trend["school_year"], trend["indicator"]), per_year, lang),
        lang,
    )
    per_indicator = approval.by_key(behind_outcomes, "indicator")
    outcome_status = [
        per_indicator.get(ind, approval.Status(0, 0)).caption(lang)
        for ind in OUTCOME_INDICATORS
        if (trend["indicator"] == ind).any()
    ]
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
        attention_formula=formula(lang) if terms else "",
        attention_scope=attention_scope,
        outcome_figs=outcome_figs,
        outcomes=outcomes,
        ms_status=approval.no_term_caption(lang),
        below_status=below_status,
        outcome_status=outcome_status,
    )
