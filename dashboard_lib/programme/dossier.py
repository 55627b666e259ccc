"""One project's dossier: pairing, agreement milestones, every activity on a timeline, outcomes,
provenance and sources, as a frozen ``Dossier`` (``dossier_content``); which project the page
shows, from its ``?project=`` and the pick-list (``pick_project``); the pick-list's labels.

Everything reads in the page's language: confidence as 高/中, each source with its grade
(``sources.source_grade``: primary or secondary), dates as ``YYYY-MM-DD`` text (``YYYY-MM`` when
only the month is known), the timeline's date axis in Chinese months; the activity table (and so
its download) gives people, participants, person-months, hours and mode as their own columns.

Every cycle (issue 16, part 5): the table of the project's agreements one after another
(``programme.cycles``: university, dates, outcome — renewed, ended, re-paired — and how much of
each has passed), the current cycle in the pairing, and the agreement's milestones per cycle
(the renewal's 签约/备案/启动 are the second cycle's own rows, with its own deadlines)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd

from ..fmt import format_date, format_number
from ..i18n import label, t
from ..school_calendar import PROGRAMME_START_DATE, term_code, term_label
from ..scope import as_of_of, effective_as_of
from ..sources import source_grade
from ..textsafe import md, safe_url
from ..vocab import OUTCOME_INDICATORS, MilestoneKind
from .cycles import all_cycles, cycle_table
from .milestones import cycle_milestones, milestone_status
from .tables import (
    LinkedTable,
    done_text,
    header,
    named,
    outcome_figures,
    province_name,
    university_name,
    vlabel,
)

# More activities than this and the store's list is cut (the page says so).
ACTIVITY_CAP = 20_000


@dataclass(frozen=True)
class Dossier:
    """Everything a project's dossier page shows. ``title`` (the school) and ``caption``
    (university → province county) are Markdown with the names as text. ``agreement`` and
    ``activities`` hold each row's source URL in their ``link_column`` (a link column on
    screen); their downloads keep that column, so the page downloads ``.frame``.
    ``capped_note`` is the sentence shown when the activity list was cut (else None).
    ``outcomes_title`` heads the outcome charts (one project's own figures, no average);
    ``source_grades`` gives each URL of ``sources`` its grade's name."""

    project_id: int
    title: str
    caption: str
    note: str | None
    pairing: pd.DataFrame
    agreement: LinkedTable
    timeline_fig: object
    activities: LinkedTable
    capped_note: str | None
    outcome_figs: list
    outcomes: pd.DataFrame
    sources: list[str]
    outcomes_title: str = ""
    source_grades: dict[str, str] = field(default_factory=dict)
    # approved / provisional (``programme.approval``): the line under the timeline and under
    # each outcome chart; the activity, outcome and agreement tables carry the column
    timeline_status: str = ""
    outcome_status: list = field(default_factory=list)  # one per ``outcome_figs``
    # every cycle of the project (``programme.cycles.cycle_table``), the note when any of them
    # is simulated, and the name of the progress column (a bar on screen)
    cycles: pd.DataFrame = field(default_factory=pd.DataFrame)
    cycles_note: str | None = None
    cycles_progress_column: str = ""


@dataclass(frozen=True)
class PickState:
    """What the dossier page remembers between runs: the pick-list's value and the
    ``?project=`` value it was last set from (or set to)."""

    pick: int | None
    url: str | None


@dataclass(frozen=True)
class Pick:
    """The dossier page's choice of project. ``project_id`` is the project to show (None: none);
    ``warning`` the strings key of the warning to show (the ``?project=`` is not a number);
    ``state`` what to remember for the next run (``state.pick`` is the pick-list's value);
    ``set_url`` the ``?project=`` value to write (None: leave the URL as it is)."""

    project_id: int | None
    warning: str | None
    state: PickState
    set_url: str | None = None


def pick_project(wanted: str | None, ids: Sequence[int], previous: PickState | None) -> Pick:
    """Which project the dossier shows, from the ``?project=`` value ``wanted``, the ids the
    viewer may pick (``ids``) and the state of the previous run (None on the first run).

    A new ``?project=`` (first run, or not the one remembered) sets the pick-list to that
    project when it may be picked, else empties it; otherwise the pick-list keeps its value (a
    value no longer among ``ids`` empties it). A picked project is shown and written to the URL;
    with nothing picked, the ``?project=`` id is shown (the page then says whether it exists)."""
    url_id = None
    warning = None
    if wanted is not None:
        try:
            url_id = int(wanted)
        except ValueError:
            warning = "prog_dossier_bad_id"
    if previous is None or previous.url != wanted:
        state = PickState(url_id if url_id in ids else None, wanted)
    else:
        state = PickState(previous.pick if previous.pick in ids else None, previous.url)
    if state.pick is None:
        return Pick(url_id, warning, state)
    set_url = str(state.pick) if wanted != str(state.pick) else None
    return Pick(state.pick, warning, PickState(state.pick, set_url or state.url), set_url)


def pick_labels(choices: pd.DataFrame) -> dict[int, str]:
    """The pick-list's label of each project in ``choices``: id · province county · school."""
    return {
        int(r.project_id): f"{r.project_id} · {r.province_short} {r.county_zh} · {r.school_zh}"
        for r in choices.itertuples(index=False)
    }


def _day(value) -> str:
    return format_date(value) or "—"


def grade_name(url, lang: str) -> str:
    """The name of the grade of the source at ``url`` (一手来源 / 二手来源), '' without a URL."""
    grade = source_grade(url if isinstance(url, str) else None)
    return "" if grade is None else vlabel(grade.value, lang)


# the activity table's measure columns, each its own column (and so in the download)
MEASURES = {
    "people": "prog_people",
    "participants": "prog_participants",
    "person_months": "prog_person_months",
    "hours": "prog_hours",
}


def as_shown(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` for the screen: a number column with gaps as text, a gap empty (the grid would
    write a missing number as its own English "None"). The download keeps the numbers."""
    out = frame.copy()
    for col in out.columns:
        values = out[col]
        if pd.api.types.is_numeric_dtype(values) and values.isna().any():
            out[col] = ["" if pd.isna(v) else format_number(float(v)) for v in values]
    return out


def describe_activity(row, lang: str, measures: bool = True) -> str:
    """One activity in a few words: who, how many, for how long (``measures=False``: who only,
    for a table that gives the measures and the mode their own columns)."""
    parts = []
    if row.get("role"):
        parts.append(vlabel(row["role"], lang))
    if row.get("level"):
        parts.append(vlabel(row["level"], lang))
    if row.get("subject"):
        parts.append(str(row["subject"]))
    if not measures:
        return " · ".join(parts)
    for col, key in MEASURES.items():
        v = row.get(col)
        if v is not None and not pd.isna(v):
            parts.append(f"{t(key, lang)} {v:g}")
    if row.get("mode"):
        parts.append(vlabel(row["mode"], lang))
    return " · ".join(parts)


def dossier_content(
    store, viewer, filters, project_id: int, lang: str = "zh", approved: frozenset | None = None
) -> Dossier | None:
    """One project's page: pairing, agreement, every activity, outcomes, provenance and sources.
    None when the project is not visible to this viewer (scope) under these filters.
    ``approved``: the approved (term, province) pairs (``cache.approvals``; read when None)."""
    from dataclasses import replace

    from .. import charts
    from . import approval

    # the project is named explicitly: place filters do not hide it, scope and provenance do
    f = replace(filters, provinces=(), prefectures=(), universities=())
    proj = store.programme_projects(viewer, f, project_id=project_id)
    if proj.empty:
        return None
    p = proj.iloc[0]
    as_of = effective_as_of(store, filters)
    cycles = all_cycles(proj, store.project_cycles(viewer, f, project_id=project_id), as_of)
    current = cycles[cycles["current"]].iloc[-1] if len(cycles) else None
    unis = store.ingest_universities()
    uni_names = {
        int(u.university_id): (
            u.name_en if lang == "en" and isinstance(u.name_en, str) else u.name_zh
        )
        for u in unis.itertuples(index=False)
    }
    current_text = (
        " · ".join(
            (
                t("cycle_no_label", lang, n=int(current["cycle_no"])),
                uni_names.get(int(current["university_id"]), ""),
                t(f"cycle_s_{current['outcome']}", lang),
            )
        )
        if current is not None
        else "—"
    )
    pairing = pd.DataFrame(
        {
            t("prog_what", lang): [
                # a professional body hosts schools too, but is no university
                t("host_body" if p.get("host_kind") == "society" else "col_university", lang),
                t("col_school", lang),
                t("col_county", lang),
                t("col_province", lang),
                t("prog_affiliated", lang),
                t("prog_batch", lang),
                t("prog_cycle_start", lang),
                t("prog_cycle_end", lang),
                t("cycle_current", lang),
                t("col_provenance", lang),
                t("prog_confidence", lang),
                t("prog_source_grade", lang),
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
                current_text,
                label(p["provenance"], lang),
                vlabel(p["confidence"], lang) if isinstance(p["confidence"], str) else "—",
                grade_name(p["source_url"], lang) or "—",
            ],
        }
    )
    first_ms = store.project_milestones(viewer, f, project_id=project_id).assign(cycle_no=1)
    later_ms = cycle_milestones(
        cycles, store.cycle_milestones(viewer, f, project_id=project_id), as_of
    )
    parts = [x for x in (first_ms, later_ms) if len(x)]  # a project may have no milestone yet
    both = pd.concat(parts, ignore_index=True) if parts else first_ms
    status = milestone_status(both, as_of)
    order = {m.value: i for i, m in enumerate(MilestoneKind)}
    status["_order"] = status["cycle_no"].astype(int) * 10 + status["kind"].map(order)
    status = status.sort_values("_order", kind="stable")
    status["cycle"] = [t("cycle_no_label", lang, n=int(n)) for n in status["cycle_no"]]
    status["milestone"] = status["kind"].map(lambda k: vlabel(f"ms_{k}", lang))
    status["status_name"] = status["status"].map(lambda s: vlabel(s, lang))
    status["done"] = [
        done_text(d, q) for d, q in zip(status["done_date"], status["date_precision"])
    ]
    status["deadline"] = status["deadline"].map(format_date)
    status["provenance_name"] = status["provenance"].map(lambda v: label(v, lang))
    status["source"] = status["source_url"].map(lambda u: safe_url(u) or "")
    status["grade"] = status["source_url"].map(lambda u: grade_name(u, lang))
    status["approval"] = approval.row_label(False, lang)  # milestones belong to no term
    source_column = t("prog_source", lang)
    agreement = LinkedTable(
        header(
            status,
            {
                "cycle": "cycle_col_no",
                "milestone": "prog_milestone",
                "deadline": "prog_deadline",
                "done": "prog_done",
                "days_late": "prog_days_late",
                "status_name": "prog_status",
                "provenance_name": "col_provenance",
                "grade": "prog_source_grade",
                "approval": "approval_col",
                "source": "prog_source",
            },
            lang,
        ),
        source_column,
    )
    acts = store.project_activities(viewer, f, project_id)
    capped = len(acts) >= ACTIVITY_CAP
    records = acts.to_dict("records")
    acts["hover"] = [describe_activity(r, lang) for r in records]
    acts["what"] = [describe_activity(r, lang, measures=False) for r in records]
    kind_names = {k: label(k, lang) for k in charts.KIND_COLORS}
    timeline_fig = charts.activity_dots(
        acts,
        kind_names,
        t("prog_activity_timeline", lang),
        PROGRAMME_START_DATE,
        t("prog_programme_start", lang),
        lang=lang,
    )
    acts["kind_name"] = acts["kind"].map(kind_names)
    acts["dir_name"] = named(acts.fillna({"direction": ""}), "direction", lang)
    acts["provenance_name"] = acts["provenance"].map(lambda v: label(v, lang))
    acts["source"] = acts["source_url"].map(lambda u: safe_url(u) or "")
    acts["grade"] = acts["source_url"].map(lambda u: grade_name(u, lang))
    acts["term"] = [term_label(term_code(d), lang) for d in acts["start_date"]]
    # approved / provisional per activity: its term approved for the project's province
    pairs = store.approved_pairs(viewer, as_of_of(filters)) if approved is None else approved
    acts["province_adcode"] = int(p["province_adcode"])
    acts["term_code"] = [term_code(d) for d in acts["start_date"]]
    acts["approved"] = approval.activity_rows(acts, pairs)
    acts["approval"] = [approval.row_label(a, lang) for a in acts["approved"]]
    timeline_status = approval.overall(acts).caption(lang)
    acts["mode_name"] = [vlabel(m, lang) if isinstance(m, str) and m else "" for m in acts["mode"]]
    for col in MEASURES:  # counts of people whole, months and hours as they are
        whole = col in ("people", "participants")
        acts[col] = pd.to_numeric(acts[col], errors="coerce").astype(
            "Int64" if whole else "Float64"
        )
    acts["start_date"] = [
        format_date(d, q) for d, q in zip(acts["start_date"], acts["date_precision"])
    ]
    acts["end_date"] = acts["end_date"].map(format_date)
    activities = LinkedTable(
        header(
            acts,
            {
                "start_date": "prog_start",
                "end_date": "prog_end",
                "term": "prog_term",
                "kind_name": "prog_kind",
                "dir_name": "prog_direction",
                "what": "prog_what",
                **MEASURES,
                "mode_name": "prog_mode",
                "provenance_name": "col_provenance",
                "grade": "prog_source_grade",
                "approval": "approval_col",
                "source": "prog_source",
            },
            lang,
        ),
        source_column,
    )
    oc = store.project_outcomes(viewer, f, project_id=project_id)
    oc = approval.marked_outcomes(oc, proj, pairs)
    oc["approval"] = [approval.row_label(a, lang) for a in oc["approved"]]
    per_indicator = approval.by_key(oc, "indicator")
    outcome_status = [
        per_indicator[ind].caption(lang) for ind in OUTCOME_INDICATORS if ind in per_indicator
    ]
    outcome_figs = outcome_figures(oc, "value", t("prog_value", lang), lang)
    oc["indicator_name"] = oc["indicator"].map(lambda v: vlabel(v, lang))
    oc["provenance_name"] = oc["provenance"].map(lambda v: label(v, lang))
    outcomes = header(
        oc,
        {
            "school_year": "prog_school_year",
            "indicator_name": "prog_indicator",
            "value": "prog_value",
            "provenance_name": "col_provenance",
            "approval": "approval_col",
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
    n_sim = int((acts["provenance"] == "simulated").sum()) + int(
        (oc["provenance"] == "simulated").sum()
    )
    note = (
        t(
            "prog_simulated_note",
            lang,
            n=f"{int((acts['provenance'] == 'simulated').sum()):,}",
            p=int(p["provenance"] == "simulated"),
        )
        if n_sim or p["provenance"] == "simulated"
        else None
    )
    sources = list(dict.fromkeys(u for u in map(safe_url, urls) if u))
    return Dossier(
        project_id=int(project_id),
        title=md(p["school_zh"]),
        caption=" → ".join(
            map(md, (university_name(p, lang), f"{province_name(p, lang)} {p['county_zh']}"))
        ),
        note=note,
        pairing=pairing,
        agreement=agreement,
        timeline_fig=timeline_fig,
        activities=activities,
        capped_note=(t("prog_capped", lang, n=f"{len(activities.frame):,}") if capped else None),
        outcome_figs=outcome_figs,
        outcomes=outcomes,
        sources=sources,
        outcomes_title=t("prog_dossier_outcomes", lang),
        source_grades={u: grade_name(u, lang) for u in sources},
        timeline_status=timeline_status,
        outcome_status=outcome_status,
        cycles=cycle_table(cycles, uni_names, as_of, lang),
        cycles_note=t("cycle_simulated_note", lang)
        if (cycles["provenance"] == "simulated").any()
        else None,
        cycles_progress_column=t("cycle_col_progress", lang),
    )
