"""The "needs attention" ranking: activity per project and term against a stated, simple
expectation (``EXPECT``), dispatched staff on site, and milestones done late or overdue."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..i18n import t
from ..school_calendar import term_label
from .tables import vlabel


@dataclass(frozen=True)
class Expectation:
    """The stated, simple expectation every project is held to in each completed term."""

    min_activities: int = 5  # activity records of the ways of working in the filter
    min_dispatch: int = 1  # at least one dispatched principal/teacher on site


EXPECT = Expectation()


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
    sep = t("prog_reason_sep", lang)
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
