"""Milestones against their deadlines and each project's place in its 3-year cycle, pure pandas
(the store gives the frames, ``school_calendar`` the dates)."""

from __future__ import annotations

from datetime import date

import pandas as pd

from ..school_calendar import CYCLE_YEARS, DEADLINE_DATES, PROGRAMME_START_DATE
from ..vocab import MilestoneKind


def effective_date(done, precision: str | None):
    """A date known only to the month counts as that month's last day."""
    if done is None or pd.isna(done):
        return None
    ts = pd.Timestamp(done)
    if precision == "month":
        ts = ts + pd.offsets.MonthEnd(0)
    return ts.date()


def milestone_status(ms: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """One row per project × milestone kind with ``status``: on_time / late / overdue (not done,
    deadline passed) / pending, and ``days_late``. Deadlines are school_calendar.DEADLINE_DATES."""
    out = ms.copy()
    out["deadline"] = out["kind"].map(DEADLINE_DATES)
    out["effective"] = [
        effective_date(d, p) for d, p in zip(out["done_date"], out["date_precision"])
    ]
    status, late = [], []
    for eff, dl in zip(out["effective"], out["deadline"]):
        if eff is None:
            status.append("ms_overdue" if dl is not None and as_of > dl else "ms_pending")
            late.append((as_of - dl).days if dl is not None and as_of > dl else 0)
        elif dl is not None and eff > dl:
            status.append("ms_late")
            late.append((eff - dl).days)
        else:
            status.append("ms_on_time")
            late.append(0)
    out["status"] = status
    out["days_late"] = late
    return out


def milestone_counts(status: pd.DataFrame, n_projects: int) -> pd.DataFrame:
    """Per milestone kind: projects on time, late, overdue, pending, and with no record at all."""
    rows = []
    for kind in MilestoneKind:
        s = status[status["kind"] == kind.value]["status"]
        row: dict[str, str | int] = {"kind": kind.value}
        for st_ in ("ms_on_time", "ms_late", "ms_overdue", "ms_pending"):
            row[st_] = int((s == st_).sum())
        row["ms_no_record"] = int(n_projects - len(s))
        rows.append(row)
    return pd.DataFrame(rows)


def cycle_position(projects: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """Months into the 3-year cycle and the cycle year (1–3, or 'ended' / 'not started')."""
    start = pd.to_datetime(projects["cycle_start"].fillna(pd.Timestamp(PROGRAMME_START_DATE)))
    end = pd.to_datetime(projects["cycle_end"]).fillna(start + pd.DateOffset(years=CYCLE_YEARS))
    now = pd.Timestamp(as_of)
    months = ((now.year - start.dt.year) * 12 + (now.month - start.dt.month)).clip(lower=0)
    total = ((end.dt.year - start.dt.year) * 12 + (end.dt.month - start.dt.month) + 1).clip(lower=1)
    out = pd.DataFrame(
        {
            "project_id": projects["project_id"],
            "cycle_start": start.dt.date,
            "cycle_end": end.dt.date,
            "months": months,
            "share": (months / total).clip(upper=1.0),
        }
    )
    out["stage"] = [
        "cycle_not_started"
        if now < s
        else "cycle_ended"
        if now > e
        else f"cycle_year_{min(int(m // 12) + 1, CYCLE_YEARS)}"
        for s, e, m in zip(start, end, months)
    ]
    return out
