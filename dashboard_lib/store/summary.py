"""Summary tables kept current with the base tables (for speed at national scale).

``refresh_summaries(cur)`` is called by the build and, inside the same transaction, by every
import or edit that changes activity rows, so summaries never lag behind the data.

``activity_summary`` holds the activity table aggregated per project × way of working × school
term × provenance × mode × direction. Rows with ``dim = ''`` are the totals of that cell; rows with
``dim`` = ``role`` / ``subject`` / ``level`` split the same cell by that column (``value``). The
programme pages read it whenever the date filter is a whole range of terms (the sidebar only makes
such ranges); any other date range is answered from the base table.
"""
from __future__ import annotations

SUMMARY_TABLE = "activity_summary"
BREAKDOWN_DIMS = ("role", "subject", "level")

# The school term of a start date, as a sortable code: year*10 + 1 (spring, Feb–Jul) or
# + 2 (autumn, Aug–Jan). Every date falls in exactly one term (see programme.term_bounds).
TERM_CODE_SQL = ("(CASE WHEN month({d}) >= 8 THEN year({d}) * 10 + 2 "
                 "WHEN month({d}) = 1 THEN (year({d}) - 1) * 10 + 2 "
                 "ELSE year({d}) * 10 + 1 END)")

# The measures, as SQL over the activity table aliased ``a``; the same names sum in the summary.
# Stored and summed as DOUBLE: DuckDB sums integers into HUGEINT, which is several times slower.
MEASURES_SQL = {
    "n": "count(*)",
    "people": "sum(a.people)",
    "person_months": "sum(a.person_months)",
    "participants": "sum(a.participants)",
    "hours": "sum(a.hours)",
    "participant_hours": "sum(a.participants * a.hours)",
    "person_days": "sum(coalesce(a.people, 0) * (datediff('day', a.start_date, "
                   "coalesce(a.end_date, a.start_date)) + 1))",
}
MEASURES = tuple(MEASURES_SQL)


def _select(dim: str) -> str:
    value = "''" if not dim else f"coalesce(CAST(a.{dim} AS VARCHAR), '')"
    measures = ", ".join(f"CAST({sql} AS DOUBLE) AS {name}" for name, sql in MEASURES_SQL.items())
    term = TERM_CODE_SQL.format(d="a.start_date")
    return (f"SELECT a.project_id, a.kind, CAST({term} AS INTEGER) AS term_code, a.provenance, "
            f"coalesce(a.mode, '') AS mode, a.direction, '{dim}' AS dim, {value} AS value, "
            f"{measures} FROM activity a GROUP BY ALL")


def summary_sql() -> str:
    parts = [_select("")] + [_select(d) for d in BREAKDOWN_DIMS]
    union = "\nUNION ALL\n".join(parts)
    # sorted so that DuckDB's zone maps skip the parts a query does not ask for
    return (f"CREATE OR REPLACE TABLE {SUMMARY_TABLE} AS SELECT * FROM ({union}) "
            f"ORDER BY dim, kind, term_code, project_id")


def refresh_summaries(cur) -> None:
    """Recompute every summary table from the base tables on cursor ``cur``."""
    cur.execute(summary_sql())
