"""The teacher-exchanges page's content: dispatched staff, guidance visits, shadowing and training
— totals, by province, university and term, a timeline, both directions, and rankings."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..i18n import label, t
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


@dataclass(frozen=True)
class Exchanges:
    """Everything the exchanges page shows. With no exchange kind in the filter only ``kinds``
    (empty) and ``projects`` (an empty frame) are filled. ``roles`` / ``subjects`` /
    ``rank_universities`` are None unless dispatch is in the filter, ``modes`` unless training
    is. ``kpis`` are (strings key, value) pairs; ``link_column`` is the header of the dossier
    links in ``rank_projects``."""

    kinds: tuple[str, ...]
    projects: pd.DataFrame
    note: str | None = None
    link_column: str = ""
    kpis: tuple[tuple[str, float], ...] = ()
    timeline_fig: object | None = None
    timeline: pd.DataFrame | None = None
    direction_fig: object | None = None
    direction: pd.DataFrame | None = None
    province_fig: object | None = None
    by_province: pd.DataFrame | None = None
    by_university: pd.DataFrame | None = None
    by_term: pd.DataFrame | None = None
    roles: pd.DataFrame | None = None
    subjects: pd.DataFrame | None = None
    modes: pd.DataFrame | None = None
    rank_universities: pd.DataFrame | None = None
    rank_projects: LinkedTable | None = None
    # approved / provisional (``programme.approval``) of every row behind the cards and the
    # charts (each draws them all); the tables carry the 数据状态 column
    status: str = ""


@dataclass(frozen=True)
class Places:
    """Measures per province, per university and per term for some ways of working, and the
    projects in view."""

    province: pd.DataFrame
    university: pd.DataFrame
    term: pd.DataFrame
    projects: pd.DataFrame


def by_place(store, viewer, filters, kinds: tuple[str, ...], lang: str) -> Places:
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
    return Places(prov, uni, term, projects)


def kind_table(
    frame: pd.DataFrame, first: str, first_key: str, measures: dict[str, str], lang: str
) -> pd.DataFrame:
    """``frame`` per ``first`` and way of working, with the measures, under translated headers."""
    out = frame.copy()
    out["kind_name"] = out["kind"].map(lambda k: label(k, lang))
    return header(out, {first: first_key, "kind_name": "prog_kind", **measures}, lang)


def exchange_people(frame: pd.DataFrame) -> pd.Series:
    """People moved: dispatched, visiting and shadowing staff; training participants."""
    return frame["people"].where(
        frame["kind"] != ActivityKind.TRAINING.value, frame["participants"]
    )


def exchanges_content(
    store,
    viewer,
    filters,
    lang: str = "zh",
    link_query: dict | None = None,
    approved: frozenset | None = None,
) -> Exchanges:
    """Everything the exchanges page shows, as frames and figures. ``approved``: the approved
    (term, province) pairs (``cache.approvals``; read here when not given)."""
    from .. import charts

    kinds = tuple(k for k in EXCHANGE_KINDS if not filters.kinds or k in filters.kinds)
    if not kinds:
        return Exchanges(kinds, pd.DataFrame())
    by_kind = store.activity_agg(viewer, filters, by=("kind", "mode", "provenance"), kinds=kinds)
    place = by_place(store, viewer, filters, kinds, lang)
    projects = place.projects
    prov_counts = by_kind.groupby("provenance", as_index=False)["n"].sum()
    note = simulated_note(prov_counts, projects, lang)

    def total(kind, col, mode=None):
        part = by_kind[by_kind["kind"] == kind]
        if mode:
            part = part[part["mode"] == mode]
        return float(part[col].sum())

    D, G, S, T = EXCHANGE_KINDS
    kpis = (
        ("prog_kpi_dispatched", total(D, "people")),
        ("prog_kpi_person_months", total(D, "person_months")),
        ("prog_kpi_visits", total(G, "n")),
        ("prog_kpi_visit_people", total(G, "people")),
        ("prog_kpi_shadowing", total(S, "people")),
        ("prog_kpi_trainings", total(T, "n")),
        ("prog_kpi_training_people", total(T, "participants")),
        ("prog_kpi_training_hours_onsite", total(T, "participant_hours", "on_site")),
        ("prog_kpi_training_hours_online", total(T, "participant_hours", "online")),
    )
    kind_names = {k: label(k, lang) for k in charts.KIND_COLORS}
    # timeline per term, stacked by way of working; both directions
    term = place.term.copy()
    term["moved"] = exchange_people(term)
    per_kind = term.groupby(["term_code", "term", "kind"], as_index=False)["moved"].sum()
    timeline_fig = charts.stacked_bars(
        per_kind,
        "term",
        "moved",
        "kind",
        charts.KIND_COLORS,
        kind_names,
        t("prog_timeline", lang),
        x_title=t("prog_axis_term", lang),
        y_title=t("prog_axis_people", lang),
    )
    timeline = header(
        per_kind.assign(kind_name=per_kind["kind"].map(kind_names)),
        {"term": "prog_term", "kind_name": "prog_kind", "moved": "prog_people"},
        lang,
    )
    per_dir = term.groupby(["term_code", "term", "direction"], as_index=False)["moved"].sum()
    direction_fig = charts.stacked_bars(
        per_dir,
        "term",
        "moved",
        "direction",
        charts.DIRECTION_COLORS,
        {k: vlabel(k, lang) for k in charts.DIRECTION_COLORS},
        t("prog_directions", lang),
        x_title=t("prog_axis_term", lang),
        y_title=t("prog_axis_people", lang),
    )
    direction = header(
        per_dir.assign(dir_name=named(per_dir, "direction", lang)),
        {"term": "prog_term", "dir_name": "prog_direction", "moved": "prog_people"},
        lang,
    )
    # by province / university / term tables
    by_province = kind_table(place.province, "province", "col_province", EXCHANGE_MEASURES, lang)
    by_university = kind_table(
        place.university, "university", "col_university", EXCHANGE_MEASURES, lang
    )
    term_t = place.term.assign(dir_name=named(place.term, "direction", lang))
    by_term = kind_table(term_t, "term", "prog_term", EXCHANGE_MEASURES, lang)
    prov = place.province.copy()
    prov["moved"] = exchange_people(prov)
    prov_tot = prov.groupby(["province_adcode", "province", "region"], as_index=False)[
        "moved"
    ].sum()
    prov_tot = prov_tot.sort_values("moved", ascending=False)
    province_fig = charts.stacked_bars(
        prov_tot,
        "province",
        "moved",
        "region",
        charts.REGION_COLORS,
        {k: label(k, lang) for k in charts.REGION_COLORS},
        t("prog_by_province", lang),
        x_title=t("prog_axis_province", lang),
        y_title=t("prog_axis_people", lang),
    )
    # dispatch by role and subject; training by mode
    roles = subjects = modes = rank_universities = None
    if D in kinds:
        role_rows = store.activity_agg(viewer, filters, by=("value",), dim="role", kinds=(D,))
        role_rows["name"] = named(role_rows, "value", lang)
        roles = header(
            role_rows.sort_values("people", ascending=False),
            {"name": "prog_role", "people": "prog_people", "person_months": "prog_person_months"},
            lang,
        )
        subj = store.activity_agg(viewer, filters, by=("value",), dim="subject", kinds=(D,))
        subj = subj[subj["value"] != ""].sort_values("people", ascending=False)
        subj_keys = subj[["value"]].copy()  # the raw values, for the approval column
        subj["value"] = named(subj, "value", lang)
        subjects = header(
            subj,
            {
                "value": "prog_subject",
                "people": "prog_people",
                "person_months": "prog_person_months",
            },
            lang,
        )
    if T in kinds:
        mode_rows = (
            by_kind[by_kind["kind"] == T]
            .groupby("mode", as_index=False)[["n", "participants", "hours", "participant_hours"]]
            .sum()
        )
        mode_rows["name"] = named(mode_rows, "mode", lang)
        modes = header(
            mode_rows,
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
    uni = place.university
    if D in kinds:
        rank = (
            uni[uni["kind"] == D]
            .groupby("university", as_index=False)[["people", "person_months"]]
            .sum()
            .sort_values(["person_months", "university"], ascending=[False, True])
        )
        rank.insert(0, "rank", range(1, len(rank) + 1))
        rank_universities = header(
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
    rank_projects = linked(wide[list(cols)].rename(columns=cols).reset_index(drop=True), lang)
    # approved / provisional: the cards' and charts' line, a column in every table
    from . import approval

    pairs = store.approved_pairs(viewer) if approved is None else approved
    behind = approval.marked_counts(
        store.activity_agg(
            viewer,
            filters,
            by=("project_id", "term_code", "kind", "direction", "mode"),
            kinds=kinds,
        ),
        projects,
        pairs,
    )
    behind["direction"] = behind["direction"].fillna("")
    behind["mode"] = behind["mode"].fillna("")

    def cells(
        keys: list[str], frame: pd.DataFrame, shown: pd.DataFrame, rows: pd.DataFrame = behind
    ) -> pd.DataFrame:
        states = approval.by_key(rows, keys)
        rows = frame[keys].fillna("")
        at = rows.itertuples(index=False, name=None)
        return approval.with_status(shown, approval.labels_for(at, states, lang), lang)

    by_province = cells(["province_adcode", "kind"], place.province, by_province)
    by_university = cells(["university_id", "kind"], place.university, by_university)
    by_term = cells(["term_code", "kind", "direction"], place.term, by_term)
    if modes is not None:
        modes = cells(["mode"], mode_rows, modes, behind[behind["kind"] == T])
    if rank_universities is not None:
        ids = dict(zip(uni["university"], uni["university_id"]))
        dispatch = approval.by_key(behind[behind["kind"] == D], "university_id")
        rank_universities = approval.with_status(
            rank_universities,
            approval.labels_for(rank["university"].map(ids), dispatch, lang),
            lang,
        )

    def by_dim(dim: str, values: pd.Series, shown: pd.DataFrame) -> pd.DataFrame:
        rows = store.activity_agg(
            viewer, filters, by=("value", "project_id", "term_code"), dim=dim, kinds=(D,)
        )
        states = approval.by_key(approval.marked_counts(rows, projects, pairs), "value")
        return approval.with_status(shown, approval.labels_for(values, states, lang), lang)

    if roles is not None and subjects is not None:
        roles = by_dim("role", role_rows.sort_values("people", ascending=False)["value"], roles)
        subjects = by_dim("subject", subj_keys["value"], subjects)
    rank_projects = approval.with_status_linked(
        rank_projects,
        approval.labels_for(wide["project_id"], approval.by_key(behind, "project_id"), lang),
        lang,
    )
    return Exchanges(
        kinds,
        projects,
        note=note,
        link_column=t("prog_open_dossier", lang),
        kpis=kpis,
        timeline_fig=timeline_fig,
        timeline=timeline,
        direction_fig=direction_fig,
        direction=direction,
        province_fig=province_fig,
        by_province=by_province,
        by_university=by_university,
        by_term=by_term,
        roles=roles,
        subjects=subjects,
        modes=modes,
        rank_universities=rank_universities,
        rank_projects=rank_projects,
        status=approval.overall(behind).caption(lang),
    )
