"""The "needs attention" worklist: what a reviewer acts on this term, ranked.

Only two terms are looked at: the **last completed term** (the latest term of the filter that ended
before the as-of date) and the **current term** (the one holding the as-of date). Anything older is
history, shown on the page's per-term grid but never flagged here, so a filing done one day late in
2022 is not on the list. The rules (``Rules``) and the score:

- last completed term, fewer than ``min_activities`` activity records: ``2 × (min − n) / min``
  (nothing at all scores 2);
- last completed term, nobody dispatched on site (a dispatch row whose dates overlap the term):
  1, when dispatch is in the filter;
- current term, no activity at all although ``current_after_days`` of it have passed: 1;
- a milestone still open past its deadline: 3 each;
- a milestone done more than ``late_days`` days late, within these two terms: 1 each;
- from the scorecard (``programme.scorecard``, given as ``scores``), and ahead of the rest, since
  the list is about whether the partnership works, not about late filings: 4 per outcome
  indicator regressing (倒退), 2 per indicator slow (进展偏慢: improving or flat but short of its
  target), 2 once when an indicator has no outcome data since the baseline (无数据).

Each reason names the term it is about (``2026年春季学期：活动 2 条，期望 ≥ 5``); the page states
the formula in one sentence (``att_formula``) and shows the top ``Rules.top`` by default.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd

from ..i18n import t
from ..school_calendar import term_bounds, term_code
from .scorecard import Availability, Speed, value_text, year_label
from .tables import vlabel


@dataclass(frozen=True)
class Expectation:
    """The stated, simple expectation every project is held to in each completed term."""

    min_activities: int = 5  # activity records of the ways of working in the filter
    min_dispatch: int = 1  # at least one dispatched principal/teacher on site


EXPECT = Expectation()


@dataclass(frozen=True)
class Rules:
    """The severity thresholds and weights of the worklist (see the module docstring)."""

    shortfall_weight: float = 2.0  # × (min − n) / min in the last completed term
    no_dispatch: float = 1.0  # nobody on site in the last completed term
    current_empty: float = 1.0  # no activity yet in the current term …
    current_after_days: int = 42  # … once six weeks of it have passed
    overdue: float = 3.0  # per milestone open past its deadline
    late: float = 1.0  # per milestone done late, within the two terms …
    late_days: int = 30  # … by more than this many days
    top: int = 12  # rows shown before "show all"
    regressing: float = 4.0  # per outcome indicator regressing (the scorecard)
    slow: float = 2.0  # per outcome indicator slow, short of its target
    no_outcomes: float = 2.0  # once, when an indicator has no outcome data since the baseline


RULES = Rules()


def term_name(code: int, lang: str = "zh") -> str:
    """A term as a reason names it: ``2026年春季学期`` / ``spring term 2026``."""
    year, half = divmod(int(code), 10)
    return t("att_term_autumn" if half == 2 else "att_term_spring", lang, year=year)


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


def on_site(dispatch: pd.DataFrame, code: int) -> set[int]:
    """Projects with someone dispatched on site at some point of term ``code``: dispatch rows
    (``project_id``, ``start_date``, ``end_date``; no end date = the start day only) that overlap
    the term."""
    if dispatch.empty:
        return set()
    first, last = term_bounds(code)
    start = pd.to_datetime(dispatch["start_date"])
    end = pd.to_datetime(dispatch["end_date"]).fillna(start)
    hit = (start <= pd.Timestamp(last)) & (end >= pd.Timestamp(first))
    if "people" in dispatch:
        hit &= dispatch["people"].fillna(0) > 0
    return set(dispatch.loc[hit, "project_id"].astype(int))


def worklist_terms(
    terms: list[int], as_of: date, until: int | None = None
) -> tuple[int | None, int | None]:
    """(last completed term, current term) of the filter's completed ``terms``: the current term
    only when the filter reaches it (``until``, the filter's last term, is None or not before it,
    and it is the term right after the last completed one)."""
    last = terms[-1] if terms else None
    now = term_code(as_of)
    current = now if (last is None or last < now) and (until is None or until >= now) else None
    if (
        last is not None
        and current is not None
        and term_bounds(last)[1] + timedelta(1) != (term_bounds(current)[0])
    ):
        current = None  # the filter stops before the current term
    return last, current


def needs_attention(
    projects: pd.DataFrame,
    per_term: pd.DataFrame,
    dispatch: pd.DataFrame,
    status: pd.DataFrame,
    terms: list[int],
    as_of: date,
    lang: str = "zh",
    expect: Expectation = EXPECT,
    rules: Rules = RULES,
    check_dispatch: bool = True,
    until: int | None = None,
    scores: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The projects a reviewer acts on this term, ranked by score, each reason naming its term.

    ``per_term``: activity records per project and term (``project_id``, ``term_code``, ``n``);
    ``dispatch``: dispatch rows with dates (see :func:`on_site`); ``status``: milestone status
    (``programme.milestone_status``); ``terms``: the completed terms of the filter, oldest first;
    ``until``: the filter's last term (None: open); ``scores``: the scorecard of the projects
    (``programme.scorecard.scorecard``; None: outcomes are not looked at).
    Returns ``project_id``, ``score``, ``last_term`` (records in the last completed term) and
    ``reasons``, highest score first.
    """
    cols = ["project_id", "score", "last_term", "reasons"]
    last, current = worklist_terms(terms, as_of, until)
    if last is None and current is None:
        return pd.DataFrame(columns=cols)
    ids = [int(p) for p in projects["project_id"]]
    looked = [c for c in (last, current) if c is not None]
    grid = activity_grid(per_term, ids, looked)
    present = on_site(dispatch, last) if (check_dispatch and last is not None) else set()
    current_started = (
        current is not None and (as_of - term_bounds(current)[0]).days >= rules.current_after_days
    )
    window_start = term_bounds(looked[0])[0]
    issues: dict[int, list[tuple[str, str, int, object]]] = {}
    bad = status[status["status"].isin(["ms_late", "ms_overdue"])].sort_values("kind")
    for pid, kind, st_, days, done in zip(
        bad["project_id"],
        bad["kind"],
        bad["status"],
        bad["days_late"],
        bad["effective"] if "effective" in bad else [None] * len(bad),
    ):
        if st_ == "ms_late":
            if (
                int(days) <= rules.late_days
                or done is None
                or pd.Timestamp(done) < pd.Timestamp(window_start)
            ):
                continue  # late long ago, or by a few days: history, not this term's work
        issues.setdefault(int(pid), []).append((kind, st_, int(days), done))
    sep = t("prog_reason_sep", lang)
    outcome_issues = outcome_reasons(scores, lang, rules) if scores is not None else {}
    rows = []
    for pid in ids:
        score, reasons = outcome_issues.get(pid, (0.0, []))
        reasons = list(reasons)
        n_last = int(grid.at[pid, last]) if last is not None else 0
        if last is not None and n_last < expect.min_activities:
            score += (
                rules.shortfall_weight * (expect.min_activities - n_last) / (expect.min_activities)
            )
            reasons.append(
                t(
                    "att_reason_low",
                    lang,
                    term=term_name(last, lang),
                    n=n_last,
                    min=expect.min_activities,
                )
            )
        if check_dispatch and last is not None and pid not in present:
            score += rules.no_dispatch
            reasons.append(
                t(
                    "att_reason_no_dispatch",
                    lang,
                    term=term_name(last, lang),
                    min=expect.min_dispatch,
                )
            )
        if current_started and current is not None and int(grid.at[pid, current]) == 0:
            score += rules.current_empty
            reasons.append(
                t(
                    "att_reason_current_empty",
                    lang,
                    term=term_name(current, lang),
                    days=(as_of - term_bounds(current)[0]).days,
                )
            )
        for kind_, st_, days, done in issues.get(pid, []):
            kind = vlabel(f"ms_{kind_}", lang)
            if st_ == "ms_overdue":
                score += rules.overdue
                reasons.append(
                    t(
                        "att_reason_overdue",
                        lang,
                        term=term_name(term_code(as_of), lang),
                        kind=kind,
                        days=f"{days:,}",
                    )
                )
            else:
                score += rules.late
                reasons.append(
                    t(
                        "att_reason_late",
                        lang,
                        term=term_name(term_code(pd.Timestamp(done).date()), lang),
                        kind=kind,
                        days=f"{days:,}",
                    )
                )
        if score > 0:
            rows.append(
                {
                    "project_id": pid,
                    "score": round(score, 2),
                    "last_term": n_last,
                    "reasons": sep.join(reasons),
                }
            )
    out = pd.DataFrame(rows, columns=cols)
    return out.sort_values(["score", "project_id"], ascending=[False, True]).reset_index(drop=True)


def outcome_reasons(
    scores: pd.DataFrame, lang: str = "zh", rules: Rules = RULES
) -> dict[int, tuple[float, list[str]]]:
    """Per project of the scorecard ``scores``: the score and the reasons its outcomes give (an
    indicator regressing, one slow, indicators without data), regressing ones first."""
    out: dict[int, tuple[float, list[str]]] = {}
    none = t("score_none", lang)
    # one pass over plain records, grouped by project in order of appearance (a pandas filter
    # per project and speed took 10 s at 2,000 projects)
    parts: dict[int, list[dict]] = {}
    for rec in scores.to_dict("records"):
        parts.setdefault(int(rec["project_id"]), []).append(rec)
    for pid, part in parts.items():
        score, reasons = 0.0, []
        for speed, weight in ((Speed.REGRESSING, rules.regressing), (Speed.SLOW, rules.slow)):
            for r in part:
                if r["speed"] != speed.value:
                    continue
                score += weight
                ind = r["indicator"]
                values = {
                    "indicator": vlabel(ind, lang),
                    "baseline": value_text(r["baseline"], ind) or none,
                    "base_year": year_label(r["baseline_year"], lang),
                    "latest": value_text(r["latest"], ind) or none,
                    "latest_year": year_label(r["latest_year"], lang),
                }
                if speed is Speed.REGRESSING:
                    reasons.append(t("att_reason_regressing", lang, **values))
                else:
                    target = value_text(r["target"], ind)
                    reasons.append(t("att_reason_slow", lang, target=target, **values))
        empty = [r["indicator"] for r in part if r["availability"] == Availability.NONE.value]
        if len(empty):
            score += rules.no_outcomes
            names = t("att_list_sep", lang).join(vlabel(i, lang) for i in empty)
            reasons.append(t("att_reason_no_outcomes", lang, indicators=names))
        if score > 0:
            out[int(pid)] = (score, reasons)
    return out


def formula(
    lang: str = "zh", expect: Expectation = EXPECT, rules: Rules = RULES, outcomes: bool = True
) -> str:
    """The score in one sentence, as the page states it (``outcomes``: with the scorecard's
    part, as the progress page computes it)."""
    activity = {  # the activity and milestone part, the same in both sentences
        "min": expect.min_activities,
        "w": f"{rules.shortfall_weight:g}",
        "disp": f"{rules.no_dispatch:g}",
        "weeks": rules.current_after_days // 7,
        "cur": f"{rules.current_empty:g}",
        "overdue": f"{rules.overdue:g}",
        "late_days": rules.late_days,
        "late": f"{rules.late:g}",
    }
    if outcomes:
        return t(
            "att_formula_scored",
            lang,
            regressing=f"{rules.regressing:g}",
            slow=f"{rules.slow:g}",
            no_data=f"{rules.no_outcomes:g}",
            **activity,
        )
    return t("att_formula", lang, **activity)
