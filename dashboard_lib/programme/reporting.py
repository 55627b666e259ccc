"""The term reporting cycle as figures (issue 16, parts 1–2): each project's filing status per
term, completeness and timeliness by province, by university and nationally, the "not reported
this term" worklist with a ready notice, and the term reports page's content.

Every school term (``school_calendar``) is a reporting period. It is due
``DUE_DAYS_AFTER_TERM`` days after the term's last day unless the ministry set another date
(``store.due_date_overrides``). For every project and term:

- ``on_time`` (按时报送): first submitted on or before the due date;
- ``late`` (逾期报送): first submitted after it;
- ``missing`` (未报送): not submitted and the due date has passed (by the as-of date);
- ``pending`` (未到期): not submitted, the due date still to come.

The first submission decides (``term_report.first_submitted_at``): a report the province returned
for a correction was still filed, and on time if it first came on time. Its review state is a
separate column (submitted / returned / accepted, and approved once the ministry approved the term
for the project's province).

Completeness = (on time + late) / expected reports; timeliness = on time / expected reports,
where every project counts once per term (DHIS2's reporting rate and reporting rate on time).

``report_status`` and ``completeness`` are pure functions over plain frames (no Streamlit, no
database); ``term_reports_content`` reads the store and builds what the page shows.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import Enum

import pandas as pd

from ..i18n import t
from ..school_calendar import assessed_terms, term_bounds, term_label, term_middle
from ..scope import Filters, Viewer, as_of_of, effective_as_of
from ..vocab import Role
from .cycles import all_cycles, owing
from .tables import LINK_COL, LinkedTable, header, linked, project_names

DUE_DAYS_AFTER_TERM = 30  # the default due date: this many days after the term's last day


class Filing(str, Enum):
    """Whether a project's report for a term came, and when."""

    ON_TIME = "on_time"
    LATE = "late"
    MISSING = "missing"
    PENDING = "pending"


REVIEW_STATES = ("submitted", "returned", "accepted", "approved")  # ``term_report.status`` +1

STATUS_COLUMNS = [
    "project_id",
    "province_adcode",
    "university_id",
    "term",
    "due_date",
    "first_submitted",
    "filing",
    "review",
]


def default_due(term: int) -> date:
    """A term's due date when the ministry set none: ``DUE_DAYS_AFTER_TERM`` days after it ends."""
    return term_bounds(term)[1] + timedelta(days=DUE_DAYS_AFTER_TERM)


def due_dates(terms: list[int], overrides: pd.DataFrame | None = None) -> dict[int, date]:
    """The due date of each term: the ministry's (``overrides``: term, due_date) or the default."""
    out = {int(c): default_due(int(c)) for c in terms}
    if overrides is not None and not overrides.empty:
        for term, due in zip(overrides["term"], overrides["due_date"]):
            if int(term) in out and due is not None and not pd.isna(due):
                out[int(term)] = pd.Timestamp(due).date()
    return out


def _day(value) -> date | None:
    if value is None or pd.isna(value):
        return None
    return pd.Timestamp(value).date()


def report_status(
    projects: pd.DataFrame,
    reports: pd.DataFrame,
    terms: list[int],
    due: Mapping[int, date],
    as_of: date,
    approvals: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per project and term: its due date, the day it was first submitted, ``filing``
    (a ``Filing`` value) and ``review`` ('' when nothing was submitted, else submitted / returned
    / accepted, or approved when ``approvals`` locks that term for the project's province).

    ``projects``: project_id, province_adcode, university_id. ``reports``: project_id, term,
    status, first_submitted_at. ``approvals``: term, province_adcode, locked."""
    rows = []
    got = {}
    if reports is not None and not reports.empty:
        for r in reports.itertuples(index=False):
            got[(int(r.project_id), int(r.term))] = (str(r.status), _day(r.first_submitted_at))
    locked = set()
    if approvals is not None and not approvals.empty:
        for a in approvals.itertuples(index=False):
            if bool(a.locked):
                locked.add((int(a.term), int(a.province_adcode)))
    for term in terms:
        due_day = due[int(term)]
        for p in projects.itertuples(index=False):
            state, first = got.get((int(p.project_id), int(term)), ("", None))
            if first is not None:
                filing = Filing.ON_TIME if first <= due_day else Filing.LATE
            else:
                filing = Filing.MISSING if as_of > due_day else Filing.PENDING
            if (int(term), int(p.province_adcode)) in locked:
                state = "approved"
            rows.append(
                (
                    int(p.project_id),
                    int(p.province_adcode),
                    int(p.university_id),
                    int(term),
                    due_day,
                    first,
                    filing.value,
                    state,
                )
            )
    return pd.DataFrame(rows, columns=STATUS_COLUMNS)


FIGURE_COLUMNS = ["expected", *[f.value for f in Filing], "completeness", "timeliness"]


def completeness(status: pd.DataFrame, by: str | None = None) -> pd.DataFrame:
    """Completeness and timeliness of ``report_status`` rows, in total (``by=None``: one row)
    or per value of ``by`` (``province_adcode``, ``university_id``, ``term``): expected reports,
    the count of each filing status, and the two shares (NaN where nothing is expected)."""
    keys = [by] if by else []
    frame = status.assign(_one=1)
    counts = pd.crosstab(
        [frame[k] for k in keys] if keys else frame["_one"], frame["filing"]
    ).reindex(columns=[f.value for f in Filing], fill_value=0)
    if not keys:
        counts = counts.reindex([1], fill_value=0)
    out = counts.reset_index(drop=not keys)
    out.columns.name = None
    filings = [f.value for f in Filing]
    out["expected"] = out[filings].sum(axis=1)
    reported = out["on_time"] + out["late"]
    expected = out["expected"].where(out["expected"] > 0)
    out["completeness"] = reported / expected
    out["timeliness"] = out["on_time"] / expected
    return out[[*keys, *FIGURE_COLUMNS]]


def share_text(value: float) -> str:
    """A share as the page shows it (``87.5%``), a dash when nothing is expected."""
    return "—" if value is None or pd.isna(value) else f"{value:.1%}"


# ---------------------------------------------------------------------- the page's content
@dataclass(frozen=True)
class ApprovalState:
    """One province's state for the term, as the ministry acts on it."""

    adcode: int
    name: str
    projects: int
    accepted: int
    locked: bool
    line: str  # one sentence: accepted n of m; approved by whom and when; reopened why
    reopened: bool = False


def approval_table(states: tuple[ApprovalState, ...], lang: str) -> pd.DataFrame:
    """The ministry's view of the term: one row per province, its state in words."""

    def state(a: ApprovalState) -> str:
        if a.locked:
            return t("rep_state_approved", lang)
        if a.accepted == a.projects:
            return t("rep_state_ready", lang)
        return t("rep_state_open", lang)

    return pd.DataFrame(
        {
            t("col_province", lang): [a.name for a in states],
            t("rep_col_projects", lang): [a.projects for a in states],
            t("rep_col_accepted", lang): [a.accepted for a in states],
            t("rep_col_state", lang): [state(a) for a in states],
            t("rep_col_note", lang): [a.line if (a.locked or a.reopened) else "" for a in states],
        }
    )


@dataclass(frozen=True)
class TermReports:
    """Everything the term reports page shows for one term and one viewer."""

    terms: list[int]
    term: int | None = None
    due: date | None = None
    due_line: str = ""  # the due date and whether the ministry changed it
    table: LinkedTable | None = None  # per project: filing and review state, headers translated
    totals: pd.DataFrame | None = None  # ``completeness`` of the viewer's scope (one row)
    by_province: pd.DataFrame | None = None
    by_university: pd.DataFrame | None = None
    worklist: pd.DataFrame | None = None  # the not-reported projects, as downloaded
    notice: str = ""  # the ready text to send them
    to_submit: dict[int, str] = field(default_factory=dict)  # project_id -> name
    to_review: dict[int, str] = field(default_factory=dict)
    approvals: tuple[ApprovalState, ...] = ()
    lock_lines: tuple[str, ...] = ()  # approved provinces in scope: who approved, when
    simulated_note: str = ""  # one line when any row shown is a simulated report
    by_county: pd.DataFrame | None = None  # one province in view: the counties of its projects
    # what the completeness map draws, from the same ``completeness`` as the tables: adcode,
    # short_zh, name_en, completeness; by province (``map_level`` "province") or, for one
    # province in view (``map_province``), by county ("county")
    map_values: pd.DataFrame | None = None
    map_level: str = "province"
    map_province: int | None = None
    # the projects of the scope not bound to report this term (their agreement recorded as ended
    # before it): one line, "" when none
    not_bound_line: str = ""
    # 数据截至 set before the data's own date: the page shows that day, and offers no write
    past_line: str = ""


def _name(row, lang: str) -> str:
    uni = row["university_en"] if lang == "en" else row["university_zh"]
    return f"{row['school_zh']} · {uni} · #{int(row['project_id'])}"


def _figures(frame: pd.DataFrame, key_col: str | None, key_name: dict, key_header: str, lang):
    """A ``completeness`` frame with translated headers and shares as text."""
    out = pd.DataFrame()
    if key_col:
        out[key_header] = frame[key_col].map(lambda k: key_name.get(int(k), str(k)))
    for col in FIGURE_COLUMNS[:-2]:
        out[t(f"rep_col_{col}", lang)] = frame[col].astype(int)
    out[t("rep_col_completeness", lang)] = frame["completeness"].map(share_text)
    out[t("rep_col_timeliness", lang)] = frame["timeliness"].map(share_text)
    return out


def notice_text(worklist: pd.DataFrame, term: int, due: date, as_of: date, lang: str) -> str:
    """The notice to send the projects that have not reported (numbered, one per line)."""
    lines = [
        t(
            "rep_notice_head",
            lang,
            term=term_label(term, lang),
            due=due.isoformat(),
            as_of=as_of.isoformat(),
            n=len(worklist),
        )
    ]
    for i, row in enumerate(worklist.itertuples(index=False), 1):
        lines.append(t("rep_notice_line", lang, i=i, school=row.school, university=row.university))
    lines.append(t("rep_notice_tail", lang, due=due.isoformat()))
    return "\n".join(lines)


def reporting_terms(store, filters: Filters | None = None) -> list[int]:
    """The terms that can be reported: every term finished by the as-of date (the filters'
    数据截至 when set, else the data's own date: ``scope.effective_as_of``)."""
    return assessed_terms(effective_as_of(store, filters))


def term_reports_content(
    store,
    viewer: Viewer,
    filters: Filters | None = None,
    term: int | None = None,
    lang: str = "zh",
    link_query: dict | None = None,
) -> TermReports:
    """Read the viewer's projects (narrowed by the sidebar's ``filters``), their reports and
    the approvals for ``term`` (default: the last term finished by the as-of date) and build the
    page's tables, figures, worklist and actions.

    The as-of date is the filters' 数据截至 when set (``scope.effective_as_of``): the terms
    finished by then, the reports and approvals as they stood at the end of that day, and a
    report not filed by then is missing only when its due date had passed by then."""
    as_of = effective_as_of(store, filters)
    terms = reporting_terms(store, filters)
    if not terms:
        return TermReports(terms)
    term = int(term) if term in terms else terms[-1]
    due = due_dates([term], store.due_date_overrides())[term]
    changed = due != default_due(term)
    due_line = t(
        "rep_due_changed" if changed else "rep_due_default",
        lang,
        term=term_label(term, lang),
        due=due.isoformat(),
        days=DUE_DAYS_AFTER_TERM,
    )
    projects = store.projects(viewer, filters)
    if projects.empty:
        return TermReports(terms, term, due, due_line)
    # a project whose agreement was recorded as ended before the term owes no report for it
    cycles = all_cycles(projects, store.project_cycles(viewer, filters), as_of)
    bound = projects["project_id"].astype(int).isin(owing(cycles, term_middle(term)))
    n_free = int((~bound).sum())
    not_bound = t("rep_not_bound", lang, n=n_free, term=term_label(term, lang)) if n_free else ""
    projects = projects[bound.to_numpy()].reset_index(drop=True)
    if projects.empty:
        return TermReports(terms, term, due, due_line, not_bound_line=not_bound)
    past = as_of < store.as_of()
    past_line = t("rep_past_read_only", lang, as_of=as_of.isoformat()) if past else ""
    cut = as_of_of(filters)  # None: as they stand now
    reports = store.term_reports(viewer, term, as_of=cut)
    approvals = store.term_approvals(viewer, term, as_of=cut)
    status = report_status(projects, reports, [term], {term: due}, as_of, approvals)
    shown = project_names(status, projects, lang, link_query)
    report_cols = ["project_id", "submitted_at", "reviewed_by", "review_comment", "provenance"]
    shown = shown.merge(
        reports[report_cols].rename(columns={"provenance": "report_provenance"})
        if not reports.empty
        else pd.DataFrame(columns=[*report_cols[:-1], "report_provenance"]),
        on="project_id",
        how="left",
    )
    shown["report_source"] = shown["report_provenance"].map(
        lambda v: t(f"rep_source_{v}", lang) if isinstance(v, str) and v else "—"
    )
    n_simulated = int((shown["report_provenance"] == "simulated").sum())
    simulated = t("rep_simulated_note", lang, n=n_simulated) if n_simulated else ""
    shown["filing_name"] = shown["filing"].map(lambda v: t(f"rep_filing_{v}", lang))
    shown["review_name"] = shown["review"].map(lambda v: t(f"rep_review_{v}", lang) if v else "—")
    shown["first_day"] = shown["first_submitted"].map(lambda d: d.isoformat() if d else "")
    shown["comment"] = shown["review_comment"].fillna("")
    table = linked(
        header(
            shown,
            {
                "province": "col_province",
                "school_zh": "col_school",
                "university": "col_university",
                "filing_name": "rep_col_filing",
                "first_day": "rep_col_first_submitted",
                "review_name": "rep_col_review",
                "comment": "rep_col_comment",
                "report_source": "rep_col_source",
                LINK_COL: "prog_open_dossier",
            },
            lang,
        ),
        lang,
    )
    provinces = {
        int(a): (e if lang == "en" else z)
        for a, z, e in zip(
            projects["province_adcode"], projects["province_short"], projects["province_en"]
        )
    }
    universities = {
        int(u): (e if lang == "en" else z)
        for u, z, e in zip(
            projects["university_id"], projects["university_zh"], projects["university_en"]
        )
    }
    totals = completeness(status)
    per_province = completeness(status, "province_adcode")
    by_province = _figures(
        per_province,
        "province_adcode",
        provinces,
        t("col_province", lang),
        lang,
    )
    by_university = _figures(
        completeness(status, "university_id"),
        "university_id",
        universities,
        t("col_university", lang),
        lang,
    )
    county_names = dict(zip(projects["county_adcode"].astype(int), projects["county_zh"]))
    with_county = status.merge(projects[["project_id", "county_adcode"]], on="project_id")
    per_county = completeness(with_county, "county_adcode")
    in_view = sorted(provinces)
    map_province = in_view[0] if len(in_view) == 1 else None
    if map_province is not None:
        map_values = pd.DataFrame(
            {
                "adcode": per_county["county_adcode"].astype(int),
                "short_zh": per_county["county_adcode"].map(lambda c: county_names[int(c)]),
                "name_en": per_county["county_adcode"].map(lambda c: county_names[int(c)]),
                "completeness": per_county["completeness"],
            }
        )
    else:
        short = dict(zip(projects["province_adcode"].astype(int), projects["province_short"]))
        english = dict(zip(projects["province_adcode"].astype(int), projects["province_en"]))
        map_values = pd.DataFrame(
            {
                "adcode": per_province["province_adcode"].astype(int),
                "short_zh": per_province["province_adcode"].map(lambda c: short[int(c)]),
                "name_en": per_province["province_adcode"].map(lambda c: english[int(c)]),
                "completeness": per_province["completeness"],
            }
        )
    by_county = (
        _figures(per_county, "county_adcode", county_names, t("col_county", lang), lang)
        if map_province is not None
        else None
    )
    todo = shown[shown["first_submitted"].isna()]
    worklist = pd.DataFrame(
        {
            "province": todo["province"],
            "school": todo["school_zh"],
            "university": todo["university"],
            "project_id": todo["project_id"],
        }
    ).reset_index(drop=True)
    notice = notice_text(worklist, term, due, as_of, lang) if len(worklist) else ""
    worklist = header(
        worklist,
        {
            "province": "col_province",
            "school": "col_school",
            "university": "col_university",
            "project_id": "prog_project",
        },
        lang,
    )
    worklist[t("rep_col_term", lang)] = term_label(term, lang)
    worklist[t("rep_col_due", lang)] = due.isoformat()
    by_id = projects.set_index("project_id", drop=False)
    to_submit: dict[int, str] = {}
    to_review: dict[int, str] = {}
    for r in status.itertuples(index=False) if not past else ():
        name = _name(by_id.loc[r.project_id], lang)
        if viewer.role is Role.UNIVERSITY and r.review in ("", "returned"):
            to_submit[int(r.project_id)] = name
        if viewer.role is Role.PROVINCE and r.review == "submitted":
            to_review[int(r.project_id)] = name
    states = []
    lock_lines = []
    ap = approvals.set_index("province_adcode") if not approvals.empty else None
    for adcode, part in status.groupby("province_adcode"):
        adcode = int(adcode)
        row = ap.loc[adcode] if ap is not None and adcode in ap.index else None
        n_acc = int(part["review"].isin(["accepted", "approved"]).sum())
        locked = bool(row is not None and row["locked"])
        reopened = row is not None and not locked and bool(pd.notna(row["reopened_at"]))
        name = provinces.get(adcode, str(adcode))
        if locked and row is not None:
            line = t(
                "rep_approved_line",
                lang,
                province=name,
                term=term_label(term, lang),
                by=row["approved_by"],
                at=pd.Timestamp(row["approved_at"]).strftime("%Y-%m-%d %H:%M"),
            )
            lock_lines.append(line)
        elif reopened:
            assert row is not None
            line = t(
                "rep_reopened_line",
                lang,
                province=name,
                n=n_acc,
                total=len(part),
                by=row["reopened_by"],
                at=pd.Timestamp(row["reopened_at"]).strftime("%Y-%m-%d %H:%M"),
                reason=row["reopen_reason"],
            )
        else:
            line = t("rep_accepted_line", lang, province=name, n=n_acc, total=len(part))
        states.append(ApprovalState(adcode, name, len(part), n_acc, locked, line, reopened))
    return TermReports(
        terms,
        term,
        due,
        due_line,
        table,
        totals,
        by_province,
        by_university,
        worklist,
        notice,
        to_submit,
        to_review,
        tuple(states),
        tuple(lock_lines),
        simulated,
        by_county,
        map_values.reset_index(drop=True),
        "county" if map_province is not None else "province",
        map_province,
        not_bound,
        past_line,
    )


# ---------------------------------------------------------------------- the completeness map
COMPLETENESS_BREAKS = (0.5, 0.8, 0.95, 1.0)  # upper bounds of the map's classes


def completeness_map(view: TermReports, lang: str = "zh"):
    """The term's completeness on the offline map (``maps.national_map``, no tiles): by
    province nationally, or by county when one province is in view; drawn from
    ``view.map_values``, the same figures as the tables. Provinces (counties) without projects
    in view are grey, an area in view with nothing expected is the no-data class."""
    from .. import geo
    from ..maps.national import FixedScale, national_map

    values = view.map_values if view.map_values is not None else pd.DataFrame()
    scale = FixedScale(
        COMPLETENESS_BREAKS,
        t("rep_metric_completeness", lang),
        lambda v: share_text(v),
    )
    provinces = geo.load_provinces()
    if view.map_level == "county" and view.map_province is not None:
        code = int(view.map_province)
        polys = geo.load_counties([code])
        counties = polys[["adcode", "geometry"]].copy()
        counties["adcode"] = counties["adcode"].astype(int)
        ref = geo.load_county_reference()
        names = dict(zip(ref["adcode"].astype(int), ref["name_zh"]))
        counties["name_zh"] = [names.get(c, str(c)) for c in counties["adcode"]]
        border = provinces[provinces["adcode"] == code][["geometry"]].assign(layer="land")
        b = border.total_bounds if len(border) else counties.total_bounds
        return national_map(
            counties,
            values,
            "completeness",
            border,
            lang=lang,
            bounds=[[b[1] - 0.3, b[0] - 0.3], [b[3] + 0.3, b[2] + 0.3]],
            level="county",
            scale=scale,
        )
    return national_map(
        provinces, values, "completeness", geo.load_outline(), lang=lang, scale=scale
    )
