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

from ..metrics import SUMMARY_MEASURES

# The school term of a start date, as a sortable code (the rules: school_calendar).
from ..school_calendar import TERM_CODE_SQL, term_bounds, term_code, term_range  # noqa: F401

SUMMARY_TABLE = "activity_summary"
BREAKDOWN_DIMS = ("role", "subject", "level")

# The measures, as SQL over the activity table aliased ``a``; the same names sum in the summary.
# Declared once in ``metrics.SUMMARY_MEASURES`` (the catalogue's activity figures are sums of
# these columns). Stored and summed as DOUBLE: DuckDB sums integers into HUGEINT, which is
# several times slower.
MEASURES_SQL = {m.name: m.raw_sql for m in SUMMARY_MEASURES}
MEASURES = tuple(MEASURES_SQL)


def _select(dim: str) -> str:
    value = "''" if not dim else f"coalesce(CAST(a.{dim} AS VARCHAR), '')"
    measures = ", ".join(f"CAST({sql} AS DOUBLE) AS {name}" for name, sql in MEASURES_SQL.items())
    term = TERM_CODE_SQL.format(d="a.start_date")
    return (
        f"SELECT a.project_id, a.kind, CAST({term} AS INTEGER) AS term_code, a.provenance, "
        f"coalesce(a.mode, '') AS mode, a.direction, '{dim}' AS dim, {value} AS value, "
        f"{measures} FROM activity a GROUP BY ALL"
    )


def summary_sql() -> str:
    parts = [_select("")] + [_select(d) for d in BREAKDOWN_DIMS]
    union = "\nUNION ALL\n".join(parts)
    # sorted so that DuckDB's zone maps skip the parts a query does not ask for
    return (
        f"CREATE OR REPLACE TABLE {SUMMARY_TABLE} AS SELECT * FROM ({union}) "
        f"ORDER BY dim, kind, term_code, project_id"
    )


STATE_TABLE = "activity_summary_state"


def refresh_summaries(cur) -> None:
    """Recompute every summary table from the base tables on cursor ``cur``.

    ``activity_summary_state`` records how many activity rows the summary counts, so that
    ``summary_is_current`` is a count of the base table (no scan of its columns) and a lookup."""
    cur.execute(summary_sql())
    cur.execute(
        f"CREATE OR REPLACE TABLE {STATE_TABLE} AS "
        f"SELECT coalesce(sum(n), 0)::BIGINT AS activity_rows FROM {SUMMARY_TABLE} WHERE dim = ''"
    )


def summary_is_current(scalar) -> bool:
    """True when the summary exists and counts as many rows as the activity table holds.

    ``scalar(sql)`` runs one query and returns its single value. Every writer refreshes the
    summary in its own transaction, so this only catches a table changed behind the app's back
    (then the base table answers). A database summarised before the state table existed falls
    back to comparing with the summary's own total."""
    import duckdb

    try:
        return bool(
            scalar(
                f"SELECT (SELECT count(*) FROM activity) = "
                f"(SELECT max(activity_rows) FROM {STATE_TABLE})"
            )
        )
    except duckdb.CatalogException:
        pass
    try:
        return bool(
            scalar(
                f"SELECT (SELECT count(*) FROM activity) = "
                f"(SELECT coalesce(sum(n), 0) FROM {SUMMARY_TABLE} WHERE dim = '')"
            )
        )
    except duckdb.CatalogException:
        return False


def summary_terms(filters) -> tuple[int | None, int | None] | None:
    """The filters' dates as the (first, last) terms the summary sums, or None when it cannot
    answer: the date range must cover whole terms, and an as-of date (``filters.as_of``, one more
    upper end) must be a term's last day (the playback's terms end there)."""
    if filters is None:
        return None, None
    terms = term_range(filters.date_from, filters.date_to)
    as_of = getattr(filters, "as_of", None)
    if terms is None or as_of is None:
        return terms
    whole = term_range(None, as_of)
    upto = whole[1] if whole is not None else None
    if upto is None:
        return None
    return terms[0], upto if terms[1] is None else min(terms[1], upto)


def summary_predicate(filters, viewer=None, alias: str = "a") -> tuple[str, list] | None:
    """The ``activity_predicate`` of these filters as a predicate over ``activity_summary``
    (aliased ``alias``, totals rows only), or None when the date range is not whole terms.

    An as-of date (``filters.as_of``) is one more upper end: the summary answers when it is a
    term's last day (the playback's and the sidebar's term ends), else None (the base table)."""
    terms = summary_terms(filters)
    if terms is None:
        return None
    clauses = [f"{alias}.dim = ''"]
    params: list[object] = []
    if viewer is not None and viewer.provenances is not None:
        clauses.append(f"({alias}.provenance = ANY(?::VARCHAR[]))")
        params.append(sorted(viewer.provenances))
    lo, hi = terms
    if lo is not None:
        clauses.append(f"{alias}.term_code >= ?")
        params.append(lo)
    if hi is not None:
        clauses.append(f"{alias}.term_code <= ?")
        params.append(hi)
    if filters is not None and filters.kinds:
        clauses.append(f"({alias}.kind = ANY(?::VARCHAR[]))")
        params.append(sorted(filters.kinds))
    if filters is not None and filters.provenance:
        clauses.append(f"({alias}.provenance = ANY(?::VARCHAR[]))")
        params.append(sorted(filters.provenance))
    return " AND ".join(clauses), params
