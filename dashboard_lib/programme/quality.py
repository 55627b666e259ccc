"""Data quality of the outcome indicators (issue 16, part 7): the validation rules per indicator,
the flags they raise, and what the 数据质量 / Data quality page and the import preview show.

No SQL and no Streamlit. **Impossible** values (a rate above 100 %, a negative head count) are
rejected at import by ``ingest.checks.OUTCOME_RANGES``; the rules here **flag** plausible but
suspicious values without rejecting them. Each indicator has two rules (``RULES``, the one
table; the page shows it in words):

- ``range``: the value lies outside the usual range of a county high school — enrolment
  (在校生数) 300–10,000 students, key-teacher retention (骨干教师留任率) at least 50 %, the
  undergraduate admission rate (本科上线率) 5–95 %;
- ``jump``: the value moved further from the project's previous school year than a school
  plausibly moves in one year — enrolment by more than 30 % (of the previous value), a rate by
  more than 10 percentage points. (The demo's simulated rates move by about 2 points a year, a
  real school's rarely more than 5–8: a 10-point move is worth a look, and a look is all a flag
  asks for.)

A flag keeps the row, the value, the rule and the previous value; the store keeps it in
``quality_flag`` (``store/quality.py``) with its status: ``flagged`` (waiting), ``confirmed``
(someone said the value is right, with an optional comment) or ``corrected`` (a new value was
written to ``outcome``, re-checked here: a new value that still breaks a rule is flagged again).
A flag is never dropped: only undoing its import batch, which removes the value itself, removes it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field

import pandas as pd

from ..errors import UserError
from ..i18n import label, t
from ..store.quality import NEXT_FLAGGED, NEXT_SETTLED
from ..vocab import OUTCOME_INDICATORS
from .tables import LINK_COL, LinkedTable, header, linked, project_names, vlabel

__all__ = [
    "FLAG_STATUSES",
    "RULES",
    "Flag",
    "QualityView",
    "Rule",
    "again_text",
    "broken_rules",
    "correct",
    "flag_outcomes",
    "entry_flag_text",
    "flags_frame",
    "preview_flags_frame",
    "quality_content",
    "rule_text",
    "rules_frame",
]


@dataclass(frozen=True)
class Rule:
    """The rules of one indicator: the usual range (``low``–``high``, None: no bound) and the
    largest plausible move from the previous school year (``jump``: a share of the previous
    value when ``relative``, else percentage points)."""

    low: float | None
    high: float | None
    jump: float
    relative: bool


RULES: dict[str, Rule] = {
    "enrolment": Rule(low=300, high=10_000, jump=0.30, relative=True),
    "teacher_retention": Rule(low=50, high=None, jump=10.0, relative=False),
    "admission_rate": Rule(low=5, high=95, jump=10.0, relative=False),
}
assert set(RULES) == set(OUTCOME_INDICATORS)

RULE_NAMES = ("range", "jump")
FLAG_STATUSES = ("flagged", "confirmed", "corrected")


@dataclass(frozen=True)
class Flag:
    """One value that breaks one rule. ``row``: its row in the file (None outside an import)."""

    project_id: int
    school_year: int
    indicator: str
    value: float
    rule: str  # one of RULE_NAMES
    previous: float | None = None  # the project's value of the previous school year
    row: int | None = None


def _finite(value) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def broken_rules(indicator: str, value: float, previous: float | None) -> list[str]:
    """The rules ``value`` breaks (``range``, ``jump``), given the previous school year's value
    (None: none, and no jump is judged). An unknown indicator breaks nothing."""
    rule = RULES.get(indicator)
    number = _finite(value)
    if rule is None or number is None:
        return []
    out = []
    if (rule.low is not None and number < rule.low) or (
        rule.high is not None and number > rule.high
    ):
        out.append("range")
    before = _finite(previous)
    if before is not None:
        if rule.relative:
            if before > 0 and abs(number - before) > rule.jump * before:
                out.append("jump")
        elif abs(number - before) > rule.jump:
            out.append("jump")
    return out


def flag_outcomes(rows: pd.DataFrame, existing: pd.DataFrame | None = None) -> list[Flag]:
    """The flags of outcome ``rows`` (project_id, school_year, indicator, value; ``row`` if
    from a file). The previous school year's value is looked up in ``rows`` themselves first
    (a file may hold several years), then in ``existing`` (the rows already stored)."""
    if rows is None or rows.empty:
        return []
    before: dict[tuple[int, int, str], float] = {}
    for frame in (existing, rows):  # the file's own rows win
        if frame is None or frame.empty:
            continue
        for p, y, i, v in zip(
            frame["project_id"], frame["school_year"], frame["indicator"], frame["value"]
        ):
            before[(int(p), int(y), str(i))] = float(v)
    has_row = "row" in rows.columns
    out: list[Flag] = []
    for rec in rows.to_dict("records"):
        pid, year, ind = int(rec["project_id"]), int(rec["school_year"]), str(rec["indicator"])
        previous = before.get((pid, year - 1, ind))
        for rule in broken_rules(ind, rec["value"], previous):
            row = rec.get("row") if has_row else None
            out.append(
                Flag(
                    pid,
                    year,
                    ind,
                    float(rec["value"]),
                    rule,
                    previous,
                    None if row is None or pd.isna(row) else int(row),
                )
            )
    return out


# ---------------------------------------------------------------------------- in words
def _num(value: float | None, indicator: str, lang: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{float(value):,.0f}" if indicator == "enrolment" else f"{float(value):.1f}"


def rule_text(rule: str, indicator: str, lang: str = "zh") -> str:
    """A rule in one phrase: ``超出常见范围（300–10,000）`` / ``较上一学年变化超过 30%``."""
    r = RULES[indicator]

    def bound(v: float | None) -> str:
        return _num(v, indicator, lang) if indicator == "enrolment" else f"{v:g}%"

    if rule == "range":
        if r.high is None:
            bounds = t("dq_at_least", lang, low=bound(r.low))
        else:
            bounds = f"{bound(r.low)}–{bound(r.high)}"
        return t("dq_rule_range", lang, bounds=bounds)
    if r.relative:
        return t("dq_rule_jump_relative", lang, pct=f"{r.jump * 100:g}")
    return t("dq_rule_jump_points", lang, pp=f"{r.jump:g}")


def rules_frame(lang: str = "zh") -> pd.DataFrame:
    """The rules table as the page shows it: one row per indicator."""
    return pd.DataFrame(
        {
            t("dq_col_indicator", lang): [vlabel(i, lang) for i in OUTCOME_INDICATORS],
            t("dq_col_rule_range", lang): [rule_text("range", i, lang) for i in OUTCOME_INDICATORS],
            t("dq_col_rule_jump", lang): [rule_text("jump", i, lang) for i in OUTCOME_INDICATORS],
        }
    )


def flags_frame(flags: Iterable[Flag], schools: dict[int, str], lang: str = "zh") -> pd.DataFrame:
    """The import preview's list of flagged rows: the row, the column, the school, the school
    year, the indicator, the value, the rule and the previous value (the row is imported)."""
    from ..ingest.columns import field_label  # the value column's header, as the template says

    recs = [
        {
            "row": f.row if f.row is not None else "",
            "column": field_label("value", lang),
            "school": schools.get(f.project_id, f"#{f.project_id}"),
            "year": str(f.school_year),
            "indicator": vlabel(f.indicator, lang),
            "value": _num(f.value, f.indicator, lang),
            "rule": rule_text(f.rule, f.indicator, lang),
            "previous": _num(f.previous, f.indicator, lang),
        }
        for f in flags
    ]
    keys = {
        "row": "dq_col_row",
        "column": "dq_col_column",
        "school": "col_school",
        "year": "dq_col_year",
        "indicator": "dq_col_indicator",
        "value": "dq_col_value",
        "rule": "dq_col_rule",
        "previous": "dq_col_previous",
    }
    return header(pd.DataFrame(recs, columns=list(keys)), keys, lang)


def preview_flags_frame(preview, lang: str = "zh") -> pd.DataFrame:
    """``flags_frame`` of an import or entry ``ingest.Preview``: each school named as the file
    wrote it (the row's own text), else by its project number."""
    by_row = {int(r["row"]): str(r.get("school") or "") for r in getattr(preview, "shown", [])}
    flags = list(getattr(preview, "flags", []))
    schools = {
        f.project_id: by_row[f.row] for f in flags if f.row is not None and by_row.get(f.row)
    }
    return flags_frame(flags, schools, lang)


def entry_flag_text(preview, lang: str = "zh") -> str | None:
    """The entry form's sentence after saving a value that breaks a rule (None: none broken)."""
    flags = list(getattr(preview, "flags", []))
    if not flags:
        return None
    return again_text([f.rule for f in flags], lang, key="dq_entry_flagged")


# ---------------------------------------------------------------------------- the page
@dataclass(frozen=True)
class QualityView:
    """What the data-quality page shows: the flags (``table``, dossier links; ``download`` is
    the same without them), the counts per province and status, which flags the viewer may
    act on (flag_id → a label naming the value), the simulated-data note."""

    table: LinkedTable | None
    by_province: pd.DataFrame
    open_flags: dict[int, str] = field(default_factory=dict)
    simulated_note: str | None = None
    n_flagged: int = 0
    n_total: int = 0


def status_name(status: str, lang: str = "zh") -> str:
    """A flag's status in words (待核实 / 已确认 / 已更正)."""
    return t(f"dq_status_{status}", lang)


def again_text(
    rules: Iterable[str],
    lang: str = "zh",
    key: str = "dq_corrected_again",
    year: int | None = None,
) -> str:
    """The sentence after a correction (or an entry) that breaks ``rules``: it is flagged. With
    the corrected value's school ``year``, one more sentence when the next year's jump, judged
    again against it (``store.quality.NEXT_FLAGGED`` / ``NEXT_SETTLED`` in ``rules``), is now
    flagged or no longer is."""
    rules = list(rules)
    own = [r for r in rules if r not in (NEXT_FLAGGED, NEXT_SETTLED)]
    names = [t("dq_col_rule_range" if r == "range" else "dq_col_rule_jump", lang) for r in own]
    parts = [t(key, lang, rules=t("about_list_sep", lang).join(names))] if own else []
    if year is not None:
        nxt = t("score_year", lang, start=int(year) + 1, end=int(year) + 2)
        if NEXT_FLAGGED in rules:
            parts.append(t("dq_next_flagged", lang, year=nxt))
        if NEXT_SETTLED in rules:
            parts.append(t("dq_next_settled", lang, year=nxt))
    return " ".join(parts)


def _flag_label(r, lang: str) -> str:
    return t(
        "dq_flag_option",
        lang,
        id=int(r.flag_id),
        school=r.school_zh,
        year=int(r.school_year),
        indicator=vlabel(r.indicator, lang),
        value=_num(r.value, r.indicator, lang),
    )


def quality_content(
    store,
    viewer,
    filters,
    lang: str = "zh",
    link_query: dict | None = None,
    status: str | None = None,
) -> QualityView:
    """The flags of the viewer's scope and filters (all statuses, or one), newest school year
    first, with the counts per province; the open ones the viewer may confirm or correct."""
    flags = store.quality_flags(viewer, filters)
    projects = store.programme_projects(viewer, filters)
    counts = _by_province(flags, projects, lang)
    if status is not None:
        flags = flags[flags["status"] == status]
    if flags.empty or projects.empty:
        return QualityView(None, counts, n_total=0)
    named = project_names(flags, projects, lang, link_query)
    named = named.merge(projects[["project_id", "province_adcode"]], on="project_id")
    named = named.sort_values(
        ["status", "province_adcode", "school_year", "project_id", "indicator", "rule"],
        key=lambda s: (
            s.map({"flagged": 0, "confirmed": 1, "corrected": 2}) if s.name == "status" else s
        ),
        ascending=[True, True, False, True, True, True],
    )
    shown = pd.DataFrame(
        {
            "flag_id": named["flag_id"].astype(int),
            "province": named["province"],
            "school_zh": named["school_zh"],
            "county_zh": named["county_zh"],
            "university": named["university"],
            "school_year": named["school_year"].astype(int).astype(str),
            "indicator": [vlabel(i, lang) for i in named["indicator"]],
            "value": [_num(v, i, lang) for v, i in zip(named["value"], named["indicator"])],
            "rule": [rule_text(r, i, lang) for r, i in zip(named["rule"], named["indicator"])],
            "previous": [_num(v, i, lang) for v, i in zip(named["previous"], named["indicator"])],
            "status": [status_name(s, lang) for s in named["status"]],
            "corrected_value": [
                _num(v, i, lang) if s == "corrected" else ""
                for v, i, s in zip(named["corrected_value"], named["indicator"], named["status"])
            ],
            "status_by": named["status_by"].fillna(""),
            "status_at": [
                "" if pd.isna(v) else pd.Timestamp(v).strftime("%Y-%m-%d %H:%M")
                for v in named["status_at"]
            ],
            "comment": named["comment"].fillna(""),
            "provenance_name": [label(str(p), lang) for p in named["outcome_provenance"]],
            LINK_COL: named[LINK_COL],
        }
    )
    table = linked(
        header(
            shown,
            {
                "flag_id": "dq_col_flag",
                "status": "dq_col_status",
                "province": "col_province",
                "school_zh": "col_school",
                "county_zh": "col_county",
                "university": "col_university",
                "school_year": "dq_col_year",
                "indicator": "dq_col_indicator",
                "value": "dq_col_value",
                "rule": "dq_col_rule",
                "previous": "dq_col_previous",
                "corrected_value": "dq_col_corrected",
                "status_by": "dq_col_by",
                "status_at": "dq_col_at",
                "comment": "dq_col_comment",
                "provenance_name": "col_provenance",
                LINK_COL: "prog_open_dossier",
            },
            lang,
        ),
        lang,
    )
    open_rows = named[named["status"] == "flagged"]
    may = store.may_review_quality(viewer)
    options = {int(r.flag_id): _flag_label(r, lang) for r in open_rows.itertuples()} if may else {}
    n_sim = int((named["outcome_provenance"] == "simulated").sum())
    note = t("dq_simulated_note", lang, n=n_sim) if n_sim else None
    return QualityView(
        table, counts, options, note, int((named["status"] == "flagged").sum()), len(named)
    )


def _by_province(flags: pd.DataFrame, projects: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Flags per province of the scope: open, confirmed, corrected, all (provinces with none
    are left out)."""
    keys = {
        "province": "col_province",
        "flagged": "dq_status_flagged",
        "confirmed": "dq_status_confirmed",
        "corrected": "dq_status_corrected",
        "total": "dq_col_total",
    }
    if flags.empty or projects.empty:
        return header(pd.DataFrame(columns=list(keys)), keys, lang)
    prov = projects[["project_id", "province_adcode", "province_short", "province_en"]]
    merged = flags.merge(prov, on="project_id")
    wide = (
        merged.pivot_table(
            index=["province_adcode", "province_short", "province_en"],
            columns="status",
            values="flag_id",
            aggfunc="count",
            fill_value=0,
        )
        .reindex(columns=list(FLAG_STATUSES), fill_value=0)
        .reset_index()
        .sort_values("province_adcode")
    )
    wide["province"] = wide["province_en" if lang == "en" else "province_short"]
    wide["total"] = wide[list(FLAG_STATUSES)].sum(axis=1)
    for c in (*FLAG_STATUSES, "total"):
        wide[c] = wide[c].astype(int)
    return header(wide, keys, lang)


# ---------------------------------------------------------------------------- correcting
def correct(store, viewer, flag_id: int, value, comment: str = "") -> list[str]:
    """Correct a flagged value: ``value`` is checked like an imported one (a number, within the
    indicator's possible range: else a ``UserError``), written to ``outcome`` through the store
    (scope, lock and audit there) and re-checked against the rules: returns the rules the new
    value still breaks (each flagged again)."""
    from ..ingest.checks import OUTCOME_RANGES  # the import's own limits (below this module)
    from ..ingest.values import parse_number

    flag = store.quality_flag(viewer, int(flag_id))
    if flag is None:
        raise UserError("dq_flag_not_found", flag=int(flag_id))
    number = parse_number(str(value).strip()) if not isinstance(value, (int, float)) else value
    number = _finite(number)
    if number is None:
        raise UserError("dq_not_number", value=str(value))
    indicator = str(flag["indicator"])
    low, high = OUTCOME_RANGES[indicator]
    if number < low or number > high:
        raise UserError(
            "dq_impossible",
            value=_num(number, indicator, "zh"),
            low=f"{low:g}",
            high=f"{high:g}",
        )
    if indicator == "enrolment" and not float(number).is_integer():
        raise UserError("dq_not_integer", value=f"{number:g}")
    return store.correct_quality_flag(
        viewer, int(flag_id), float(number), comment, recheck=broken_rules
    )


# ---------------------------------------------------------------------------- the demo
def demo_flags(outcomes: pd.DataFrame, flagged_at) -> pd.DataFrame:
    """The ``quality_flag`` rows of the simulated outcomes that break a rule (the demo build
    stores them, so the page is not empty): open, provenance ``simulated``, no import batch."""
    from ..store.quality import FLAG_COLUMNS

    flags = flag_outcomes(outcomes)
    frame = pd.DataFrame(
        {
            "flag_id": range(1, len(flags) + 1),
            "project_id": [f.project_id for f in flags],
            "school_year": [f.school_year for f in flags],
            "indicator": [f.indicator for f in flags],
            "value": [f.value for f in flags],
            "rule": [f.rule for f in flags],
            "previous": [f.previous for f in flags],
            "status": "flagged",
            "flagged_at": pd.Timestamp(flagged_at),
            "provenance": "simulated",
        }
    )
    return frame.reindex(columns=[c for c in FLAG_COLUMNS if c in frame.columns])
