"""Is a figure approved or provisional? (issue 16, part 2: "every figure on every page says
whether it is approved or provisional"). Pure pandas: no Streamlit, no database.

The ministry approves a term for a province (``Store.term_approvals``; the pairs still locked
are ``approved_pairs``). The rows a term covers are the rows the lock covers
(``store/reporting.py``'s ``refuse_locked``):

- an **activity** row belongs to the term holding its ``start_date`` (``term_code``); it is
  approved when (that term, the project's province) is approved;
- an **outcome** row of school year ``Y`` (the year the school year starts) belongs to the two
  terms of that year, autumn ``Y`` (``Y*10+2``) and spring ``Y+1`` (``(Y+1)*10+1``); it is
  approved only when BOTH are approved for the project's province (until then half of the year
  it reports on is still open to corrections);
- milestones and project rows carry no term: no approval covers them, they are provisional.

A figure drawn from a set of rows (a KPI card, a chart, a row of an aggregate table) is:

- 已批准 / approved when every row behind it is approved;
- 暂定 / provisional when none is (and when no row is behind it: nothing was approved);
- 部分已批准（x%）/ partly approved (x%) otherwise, x = the share of the rows behind it that are
  approved (activity rows counted one each, whatever people they hold), rounded to a whole
  percent but never shown as 0% or 100% (those would read as one of the two other states).

``Status`` is that state of one figure; ``activity_rows`` / ``outcome_rows`` mark rows;
``status_of`` and ``status_by`` add them up; ``with_status`` adds the 数据状态 / Data status
column to a table (and so to its CSV / XLSX download).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass

import pandas as pd

from ..i18n import t
from .tables import LinkedTable

__all__ = [
    "APPROVED",
    "PARTLY",
    "PROVISIONAL",
    "Pairs",
    "Status",
    "activity_rows",
    "approved_pairs",
    "by_key",
    "labels_for",
    "marked_counts",
    "marked_outcomes",
    "no_term_caption",
    "outcome_rows",
    "outcome_terms",
    "overall",
    "row_label",
    "status_by",
    "status_column",
    "status_of",
    "with_status",
    "with_status_linked",
]

APPROVED = "approved"
PROVISIONAL = "provisional"
PARTLY = "partly"

# (term code, province adcode) pairs the ministry approved and has not reopened
Pairs = frozenset[tuple[int, int]]


def approved_pairs(approvals: pd.DataFrame) -> Pairs:
    """The (term, province) pairs locked now, from ``Store.term_approvals`` (its ``locked``
    column, or approved and not reopened)."""
    if approvals is None or approvals.empty:
        return frozenset()
    if "locked" in approvals.columns:
        locked = approvals["locked"].fillna(False).astype(bool)
    else:
        locked = approvals["approved_at"].notna() & approvals["reopened_at"].isna()
    rows = approvals[locked]
    return frozenset(
        (int(term), int(province)) for term, province in zip(rows["term"], rows["province_adcode"])
    )


def outcome_terms(school_year: int) -> tuple[int, int]:
    """The two terms of school year ``Y``: autumn ``Y`` and spring ``Y+1``."""
    year = int(school_year)
    return year * 10 + 2, (year + 1) * 10 + 1


@dataclass(frozen=True)
class Status:
    """The state of one figure: ``approved`` of ``total`` rows behind it are approved."""

    approved: int
    total: int

    @property
    def state(self) -> str:
        if self.total and self.approved >= self.total:
            return APPROVED
        if not self.approved:
            return PROVISIONAL
        return PARTLY

    @property
    def percent(self) -> int:
        """The approved share as a whole percent; 1–99 when partly approved."""
        if not self.total:
            return 0
        share = round(100 * self.approved / self.total)
        return min(99, max(1, share)) if self.state == PARTLY else share

    def label(self, lang: str = "zh") -> str:
        """已批准 / 暂定 / 部分已批准（40%）: a table cell."""
        if self.state == PARTLY:
            return t("approval_partly", lang, x=self.percent)
        return t(f"approval_{self.state}", lang)

    def caption(self, lang: str = "zh") -> str:
        """One line under a row of cards or a chart, saying what the state means."""
        if self.state == PARTLY:
            return t("approval_caption_partly", lang, x=self.percent)
        return t(f"approval_caption_{self.state}", lang)

    def __add__(self, other: Status) -> Status:
        return Status(self.approved + other.approved, self.total + other.total)


NO_TERM_CAPTION = "approval_caption_no_term"  # milestones and project rows: no term approves them


def no_term_caption(lang: str = "zh") -> str:
    """The caption of a figure drawn from rows no term covers (milestones, the cycle)."""
    return t(NO_TERM_CAPTION, lang)


def _flags(terms: Iterable, provinces: Iterable, pairs: Pairs) -> list[bool]:
    return [
        (int(tc), int(pv)) in pairs if not (pd.isna(tc) or pd.isna(pv)) else False
        for tc, pv in zip(terms, provinces)
    ]


def activity_rows(
    frame: pd.DataFrame,
    pairs: Pairs,
    term: str = "term_code",
    province: str = "province_adcode",
) -> pd.Series:
    """Per activity row (or per row of activity counts by term and province): approved?"""
    return pd.Series(_flags(frame[term], frame[province], pairs), index=frame.index, dtype=bool)


def outcome_rows(
    frame: pd.DataFrame,
    pairs: Pairs,
    school_year: str = "school_year",
    province: str = "province_adcode",
) -> pd.Series:
    """Per outcome row: approved (both terms of its school year approved for its province)?"""
    autumn, spring = [], []
    for y in frame[school_year]:
        a, s = outcome_terms(int(y)) if not pd.isna(y) else (None, None)
        autumn.append(a)
        spring.append(s)
    provinces = list(frame[province])
    both = [
        a is not None and x and y
        for a, x, y in zip(
            autumn, _flags(autumn, provinces, pairs), _flags(spring, provinces, pairs)
        )
    ]
    return pd.Series(both, index=frame.index, dtype=bool)


def status_of(flags: pd.Series, weights: pd.Series | None = None) -> Status:
    """The state of a figure over rows marked ``flags`` (``weights``: how many rows each
    marked row stands for, e.g. the ``n`` of an activity count)."""
    w = pd.Series(1, index=flags.index) if weights is None else weights.fillna(0).astype(int)
    return Status(int(w[flags.astype(bool)].sum()), int(w.sum()))


def status_by(
    frame: pd.DataFrame, key: str | list[str], flags: pd.Series, weights: str | None = None
) -> dict[Hashable, Status]:
    """The state of each group of ``frame`` by ``key`` (a row of an aggregate table)."""
    work = pd.DataFrame(
        {
            "_flag": flags.astype(bool).to_numpy(),
            "_w": frame[weights].fillna(0).astype(int).to_numpy() if weights else 1,
        },
        index=frame.index,
    )
    keys = [key] if isinstance(key, str) else list(key)
    for k in keys:
        work[k] = frame[k].to_numpy()
    work["_a"] = work["_w"].where(work["_flag"], 0)
    grouped = work.groupby(keys, dropna=False)[["_a", "_w"]].sum()
    names = (
        grouped.index.tolist()
        if isinstance(key, str)
        else [k if isinstance(k, tuple) else (k,) for k in grouped.index.tolist()]
    )  # a key given as a list: tuple keys, whatever its length
    return {k: Status(int(a), int(w)) for k, (a, w) in zip(names, grouped.to_numpy())}


def row_label(approved: bool, lang: str = "zh") -> str:
    """One record's cell: 已批准 / 暂定."""
    return t("approval_approved" if approved else "approval_provisional", lang)


def status_column(lang: str = "zh") -> str:
    """The column's header: 数据状态 / Data status."""
    return t("approval_col", lang)


def with_status(frame: pd.DataFrame, cells: Iterable[str], lang: str = "zh") -> pd.DataFrame:
    """``frame`` with the 数据状态 / Data status column last (before a trailing link column is
    the caller's business: it passes the frame without it, or reorders)."""
    out = frame.copy()
    out[status_column(lang)] = list(cells)
    return out


def labels_for(keys: Iterable[Hashable], statuses: dict, lang: str = "zh") -> list[str]:
    """The cell of each key's row; a key with no row behind it is provisional."""
    empty = Status(0, 0)
    return [statuses.get(k, empty).label(lang) for k in keys]


def marked_counts(counts: pd.DataFrame, projects: pd.DataFrame, pairs: Pairs) -> pd.DataFrame:
    """Activity counts by project and term (``Store.activity_agg(..., by=("project_id",
    "term_code", ...))``, its ``n`` the rows) with each project's province and university and
    ``approved`` (that term approved for that province): the rows behind a page's activity
    figures, ready for ``status_of`` / ``status_by`` weighted by ``n``."""
    keep = [c for c in ("project_id", "province_adcode", "university_id") if c in projects]
    out = counts.merge(projects[keep].drop_duplicates("project_id"), on="project_id", how="inner")
    out["n"] = out["n"].fillna(0).astype(int)
    out["approved"] = activity_rows(out, pairs)
    return out


def marked_outcomes(outcomes: pd.DataFrame, projects: pd.DataFrame, pairs: Pairs) -> pd.DataFrame:
    """Outcome rows (project_id, school_year, indicator, …) with the project's province and
    ``approved`` (both terms of the school year approved for it)."""
    cols = ["project_id", "province_adcode"]
    out = outcomes.merge(projects[cols].drop_duplicates("project_id"), on="project_id", how="inner")
    out["approved"] = outcome_rows(out, pairs)
    return out


def overall(marked: pd.DataFrame) -> Status:
    """The state of every row of a ``marked_counts`` (weighted by ``n``) or ``marked_outcomes``
    frame."""
    return status_of(marked["approved"], marked["n"] if "n" in marked else None)


def by_key(marked: pd.DataFrame, key: str | list[str]) -> dict[Hashable, Status]:
    """``status_by`` of a ``marked_counts`` / ``marked_outcomes`` frame."""
    return status_by(marked, key, marked["approved"], "n" if "n" in marked else None)


def with_status_linked(table: LinkedTable, cells: Iterable[str], lang: str = "zh") -> LinkedTable:
    """A ``tables.LinkedTable`` with the 数据状态 column just before its dossier-link column
    (its download, which drops the link, keeps the status)."""
    frame = table.frame.copy()
    at = list(frame.columns).index(table.link_column)
    frame.insert(at, status_column(lang), list(cells))
    return LinkedTable(frame, table.link_column)
