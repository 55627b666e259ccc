"""One project's dossier: pairing, agreement milestones, every activity on a timeline, outcomes,
provenance and sources. (Still a dict of parts: ``views/dossier.py`` reads it by key.)"""

from __future__ import annotations

import pandas as pd

from ..i18n import label, t
from ..school_calendar import PROGRAMME_START_DATE, term_code, term_label
from ..textsafe import safe_url
from ..vocab import MilestoneKind
from .milestones import milestone_status
from .tables import (
    done_text,
    header,
    named,
    outcome_figures,
    province_name,
    university_name,
    vlabel,
)


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

    from .. import charts

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
        done_text(d, q) for d, q in zip(status["done_date"], status["date_precision"])
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
        PROGRAMME_START_DATE,
        t("prog_programme_start", lang),
    )
    acts["kind_name"] = acts["kind"].map(kind_names)
    acts["dir_name"] = named(acts.fillna({"direction": ""}), "direction", lang)
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
