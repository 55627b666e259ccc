"""Successive cycles per project (issue 16, part 5), pure pandas: every cycle of each project
with its outcome, the current cycle, and the dossier's table of cycles.

The store gives the projects (their first cycle: ``cycle_start``/``cycle_end``/``university_id``)
and the stored ``project_cycle`` rows; ``all_cycles`` puts them together, cycle 1 from the stored
row when there is one, else from the project. The **outcome** of a cycle, as of a date:

- a later cycle started by then decides it: **renewed** (续签) with the same university,
  **re-paired** (更换帮扶高校) with another one;
- else, once the cycle's end has passed, what its row records ('ended' 结束, 'renewed',
  'repaired'), or **unrecorded** (期满，结果未登记) when it records nothing but 'ongoing';
- else **ongoing** (进行中); a cycle that starts after the date is left out.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from ..fmt import format_date
from ..i18n import label, t
from ..school_calendar import CYCLE_YEARS, PROGRAMME_START_DATE
from ..textsafe import safe_url

__all__ = [
    "CYCLE_FRAME_COLUMNS",
    "OUTCOMES",
    "all_cycles",
    "current_cycles",
    "cycle_table",
    "owing",
]

OUTCOMES = ("ongoing", "renewed", "repaired", "ended", "unrecorded")
CYCLE_FRAME_COLUMNS = [
    "project_id",
    "cycle_no",
    "university_id",
    "start_date",
    "end_date",
    "status",
    "outcome",
    "provenance",
    "source_url",
    "current",
]


def _day(value) -> date | None:
    return None if value is None or pd.isna(value) else pd.Timestamp(value).date()


def _first_cycles(projects: pd.DataFrame) -> pd.DataFrame:
    """Cycle 1 of each project as ``project`` records it (no cycle start: the programme's)."""
    start = pd.to_datetime(projects["cycle_start"]).fillna(pd.Timestamp(PROGRAMME_START_DATE))
    end = pd.to_datetime(projects["cycle_end"]).fillna(
        start + pd.DateOffset(years=CYCLE_YEARS) - pd.Timedelta(days=1)
    )
    return pd.DataFrame(
        {
            "project_id": projects["project_id"].astype(int).to_numpy(),
            "cycle_no": 1,
            "university_id": projects["university_id"].astype(int).to_numpy(),
            "start_date": start.dt.date.to_numpy(),
            "end_date": end.dt.date.to_numpy(),
            "status": "ongoing",
            "provenance": projects["provenance"].to_numpy(),
            "source_url": projects["source_url"].to_numpy() if "source_url" in projects else None,
        }
    )


def all_cycles(projects: pd.DataFrame, stored: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """Every cycle of the ``projects`` (project_id, university_id, cycle_start, cycle_end,
    provenance, source_url) that started by ``as_of``, oldest first, with its ``outcome`` (see
    the module) and ``current`` (the project's latest cycle): ``CYCLE_FRAME_COLUMNS``."""
    if projects.empty:
        return pd.DataFrame(columns=CYCLE_FRAME_COLUMNS)
    first = _first_cycles(projects)
    ids = set(first["project_id"])
    rows = stored[stored["project_id"].astype(int).isin(ids)].copy() if len(stored) else stored
    parts = [first]
    if len(rows):
        rows["project_id"] = rows["project_id"].astype(int)
        rows["cycle_no"] = rows["cycle_no"].astype(int)
        have_first = set(rows.loc[rows["cycle_no"] == 1, "project_id"])
        parts = [first[~first["project_id"].isin(have_first)], rows[list(first.columns)]]
    out = pd.concat([p for p in parts if len(p)], ignore_index=True)
    out["start_date"] = [_day(d) for d in out["start_date"]]
    out["end_date"] = [_day(d) for d in out["end_date"]]
    out = out[[d is not None and d <= as_of for d in out["start_date"]]]
    out = out.sort_values(["project_id", "cycle_no"], kind="stable").reset_index(drop=True)
    nxt = out.groupby("project_id")["university_id"].shift(-1)
    outcome = []
    for r, successor in zip(out.itertuples(index=False), nxt):
        if not pd.isna(successor):
            outcome.append("renewed" if int(successor) == int(r.university_id) else "repaired")
        elif r.end_date is not None and as_of > r.end_date:
            recorded = str(r.status)
            outcome.append(
                recorded if recorded in ("ended", "renewed", "repaired") else "unrecorded"
            )
        else:
            outcome.append("ongoing")
    out["outcome"] = outcome
    out["current"] = nxt.isna().to_numpy()
    return out[CYCLE_FRAME_COLUMNS]


def current_cycles(cycles: pd.DataFrame) -> pd.DataFrame:
    """Each project's latest cycle (``all_cycles`` rows with ``current``)."""
    return cycles[cycles["current"].astype(bool)].reset_index(drop=True)


def owing(cycles: pd.DataFrame, day: date) -> set[int]:
    """The projects (of ``all_cycles`` rows) bound to report for a period whose middle is
    ``day``: a cycle of theirs runs that day, or their last cycle before it ended without a
    recorded end (期满，结果未登记: still expected until an end is recorded). Not bound: a
    project whose last cycle before ``day`` is recorded as ended, or whose first cycle starts
    after it."""
    out: set[int] = set()
    if cycles.empty:
        return out
    for pid, part in cycles.groupby("project_id"):
        starts, ends = list(part["start_date"]), list(part["end_date"])
        if any(s <= day <= e for s, e in zip(starts, ends)):
            out.add(int(pid))
            continue
        before = part[[e < day for e in ends]]
        if len(before) and before.iloc[-1]["outcome"] != "ended":
            out.add(int(pid))
    return out


def cycle_share(start: date, end: date, as_of: date) -> float:
    """How much of the cycle from ``start`` to ``end`` has passed by ``as_of`` (0 to 1)."""
    total = max((end - start).days, 1)
    return float(min(max((as_of - start).days / total, 0.0), 1.0))


def cycle_table(
    cycles: pd.DataFrame, university_names: dict[int, str], as_of: date, lang: str
) -> pd.DataFrame:
    """One project's cycles for the dossier, in ``lang``: cycle, university, start, end,
    outcome, the share of the cycle elapsed (0–100, for a progress bar), provenance, source."""
    rows = []
    for r in cycles.itertuples(index=False):
        uid = int(r.university_id)
        rows.append(
            {
                t("cycle_col_no", lang): t("cycle_no_label", lang, n=int(r.cycle_no)),
                t("cycle_col_university", lang): university_names.get(uid, str(uid)),
                t("cycle_col_start", lang): format_date(r.start_date) or "—",
                t("cycle_col_end", lang): format_date(r.end_date) or "—",
                t("cycle_col_outcome", lang): t(f"cycle_s_{r.outcome}", lang),
                t("cycle_col_progress", lang): round(
                    100 * cycle_share(r.start_date, r.end_date, as_of), 1
                ),
                t("col_provenance", lang): label(str(r.provenance), lang),
                t("prog_source", lang): safe_url(r.source_url)
                if isinstance(r.source_url, str)
                else "",
            }
        )
    columns = [
        t(k, lang)
        for k in (
            "cycle_col_no",
            "cycle_col_university",
            "cycle_col_start",
            "cycle_col_end",
            "cycle_col_outcome",
            "cycle_col_progress",
            "col_provenance",
            "prog_source",
        )
    ]
    return pd.DataFrame(rows, columns=columns)
