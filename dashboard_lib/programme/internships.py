"""The internships (实习支教) page's content: students by level, subject and term, per university
and per project, and person-days in the county."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..i18n import t
from ..school_calendar import term_label
from ..vocab import ActivityKind
from .tables import (
    LINK_COL,
    PROJECT_KEYS,
    LinkedTable,
    header,
    linked,
    named,
    project_names,
    simulated_note,
    vlabel,
)


@dataclass(frozen=True)
class Internships:
    """Everything the internships page shows. ``active`` is False when the filter leaves out
    internships (then only ``projects`` is filled). ``kpis`` are (strings key, value) pairs;
    ``link_column`` is the header of the dossier links in ``by_project``."""

    active: bool
    projects: pd.DataFrame
    note: str | None = None
    link_column: str = ""
    kpis: tuple[tuple[str, float], ...] = ()
    level_fig: object | None = None
    by_level_term: pd.DataFrame | None = None
    subject_fig: object | None = None
    by_subject: pd.DataFrame | None = None
    by_university: pd.DataFrame | None = None
    by_project: LinkedTable | None = None
    # approved / provisional (``programme.approval``): the line under the cards and each chart
    status: str = ""
    level_status: str = ""
    subject_status: str = ""


def internships_content(
    store,
    viewer,
    filters,
    lang: str = "zh",
    link_query: dict | None = None,
    approved: frozenset | None = None,
) -> Internships:
    """Everything the internships page shows, as frames and figures. ``approved``: the approved
    (term, province) pairs (``cache.approvals``; read here when not given)."""
    from .. import charts

    INTERN = ActivityKind.INTERNSHIP.value
    active = not filters.kinds or INTERN in filters.kinds
    projects = store.programme_projects(viewer, filters)
    if not active:
        return Internships(active, projects)
    kinds = (INTERN,)
    levels_term = store.activity_agg(
        viewer, filters, by=("term_code", "value", "provenance"), dim="level", kinds=kinds
    )
    prov_counts = levels_term.groupby("provenance", as_index=False)["n"].sum()
    note = simulated_note(prov_counts, projects, lang)
    tot = levels_term[["n", "people", "person_days", "person_months"]].sum()
    per_project = store.activity_agg(viewer, filters, by=("project_id",), kinds=kinds)
    kpis = (
        ("prog_kpi_students", float(tot["people"])),
        ("prog_kpi_person_days", float(tot["person_days"])),
        ("prog_kpi_groups", float(tot["n"])),
        ("prog_kpi_projects_with", float((per_project["people"] > 0).sum())),
    )
    lt = levels_term.groupby(["term_code", "value"], as_index=False)[
        ["n", "people", "person_days"]
    ].sum()
    lt["term"] = lt["term_code"].map(lambda c: term_label(c, lang))
    lt["level"] = named(lt, "value", lang)
    level_fig = charts.stacked_bars(
        lt,
        "term",
        "people",
        "value",
        charts.LEVEL_COLORS,
        {k: vlabel(k, lang) for k in charts.LEVEL_COLORS},
        t("prog_by_level_term", lang),
        x_title=t("prog_axis_term", lang),
        y_title=t("prog_axis_people", lang),
    )
    by_level_term = header(
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
    subj["subject"] = named(subj, "value", lang)
    subject_fig = charts.stacked_bars(
        subj,
        "subject",
        "people",
        None,
        {"x": charts.KIND_COLORS[INTERN]},
        {},
        t("prog_by_subject", lang),
        x_title=t("prog_axis_subject", lang),
        y_title=t("prog_axis_people", lang),
        height=320,
    )
    by_subject = header(
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
    by_university = header(
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
    by_project = linked(
        header(
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
        ),
        lang,
    )
    # approved / provisional: the cards' and charts' lines, a column in every table
    from . import approval

    pairs = store.approved_pairs(viewer) if approved is None else approved

    def marked(dim: str = "") -> pd.DataFrame:
        by = ("project_id", "term_code", "value") if dim else ("project_id", "term_code")
        rows = store.activity_agg(viewer, filters, by=by, dim=dim, kinds=kinds)
        return approval.marked_counts(rows, projects, pairs)

    behind, levels, subjects = marked(), marked("level"), marked("subject")
    per_level = approval.by_key(levels, ["term_code", "value"])
    by_level_term = approval.with_status(
        by_level_term,
        approval.labels_for(zip(lt["term_code"], lt["value"]), per_level, lang),
        lang,
    )
    per_subject = approval.by_key(subjects, "value")
    by_subject = approval.with_status(
        by_subject, approval.labels_for(subj["value"], per_subject, lang), lang
    )
    per_university = approval.by_key(behind, "university_id")
    by_university = approval.with_status(
        by_university, approval.labels_for(uni["university_id"], per_university, lang), lang
    )
    by_project = approval.with_status_linked(
        by_project,
        approval.labels_for(pp["project_id"], approval.by_key(behind, "project_id"), lang),
        lang,
    )
    return Internships(
        active,
        projects,
        note=note,
        link_column=t("prog_open_dossier", lang),
        kpis=kpis,
        level_fig=level_fig,
        by_level_term=by_level_term,
        subject_fig=subject_fig,
        by_subject=by_subject,
        by_university=by_university,
        by_project=by_project,
        status=approval.overall(behind).caption(lang),
        level_status=approval.overall(levels).caption(lang),
        subject_status=approval.overall(subjects).caption(lang),
    )
