"""Milestones against their deadlines and each project's place in its 3-year cycle, pure pandas
(the store gives the frames, ``school_calendar`` the dates).

Per cycle (issue 16, part 5): the milestones of cycle 1 are the ``milestone`` rows, against the
notice's deadlines (``DEADLINE_DATES``); those of a later cycle are its ``cycle_milestone`` rows,
against their own ``due_date`` (``store.cycles.renewal_deadlines`` of the cycle's start), and
``cycle_milestones`` gives every kind of every later cycle a row (one not recorded is overdue or
pending). ``cycle_position`` places a project in its current cycle when given the cycles."""

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
    deadline passed) / pending, and ``days_late``. Deadlines are school_calendar.DEADLINE_DATES;
    a row of a later cycle (``cycle_no`` > 1) has its own ``due_date``."""
    out = ms.copy()
    out["deadline"] = out["kind"].map(DEADLINE_DATES)
    if "cycle_no" in out and len(out):
        later = out["cycle_no"].fillna(1).astype(int) > 1
        out.loc[later, "deadline"] = [
            None if pd.isna(d) else pd.Timestamp(d).date() for d in out.loc[later, "due_date"]
        ]
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


def cycle_milestones(cycles: pd.DataFrame, stored: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """The milestones of the cycles after the first (``cycles``: ``programme.cycles.all_cycles``
    rows; ``stored``: ``cycle_milestone`` rows): one row per later cycle and milestone kind, the
    stored one or an empty one (not recorded) with the cycle's deadline; done after ``as_of``
    reads as not done. Columns as ``milestone`` rows, plus ``cycle_no``."""
    from ..store.cycles import renewal_deadlines

    rows = []
    have = {
        (int(r.project_id), int(r.cycle_no), str(r.kind)): r for r in stored.itertuples(index=False)
    }
    for c in cycles[cycles["cycle_no"].astype(int) > 1].itertuples(index=False):
        due = renewal_deadlines(c.start_date)
        for kind in MilestoneKind:
            r = have.get((int(c.project_id), int(c.cycle_no), kind.value))
            done = None if r is None or pd.isna(r.done_date) else pd.Timestamp(r.done_date).date()
            rows.append(
                {
                    "project_id": int(c.project_id),
                    "cycle_no": int(c.cycle_no),
                    "kind": kind.value,
                    "due_date": due[kind.value]
                    if r is None or pd.isna(r.due_date)
                    else pd.Timestamp(r.due_date).date(),
                    "done_date": done if done is not None and done <= as_of else None,
                    "date_precision": "day" if r is None else r.date_precision,
                    "note": None if r is None else r.note,
                    "provenance": c.provenance if r is None else r.provenance,
                    "source_url": None if r is None else r.source_url,
                }
            )
    columns = [
        "project_id",
        "cycle_no",
        "kind",
        "due_date",
        "done_date",
        "date_precision",
        "note",
        "provenance",
        "source_url",
    ]
    return pd.DataFrame(rows, columns=columns)


def cycle_position(
    projects: pd.DataFrame, as_of: date, cycles: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Months into the 3-year cycle and the cycle year (1–3, or 'ended' / 'not started').
    With ``cycles`` (``programme.cycles.all_cycles``), each project's current cycle is the one
    placed, and ``cycle_no`` says which; without, the cycle ``projects`` records (the first)."""
    projects = projects.reset_index(drop=True)
    cycle_no = pd.Series(1, index=projects.index)
    if cycles is not None and len(cycles):
        cur = cycles[cycles["current"].astype(bool)].set_index("project_id")
        pid = projects["project_id"].astype(int)
        known = pid.isin(cur.index)
        projects = projects.copy()
        for col, src in (("cycle_start", "start_date"), ("cycle_end", "end_date")):
            projects[col] = projects[col].astype(object)
            projects.loc[known, col] = pid[known].map(cur[src]).to_numpy()
        cycle_no[known] = pid[known].map(cur["cycle_no"]).astype(int).to_numpy()
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
            "cycle_no": cycle_no.astype(int).to_numpy(),
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
