"""The school calendar the programme counts in: terms, their codes and bounds, and the programme's
own dates (its start, the milestone deadlines, the length of a cycle).

A school term is coded as a sortable integer: ``year * 10 + 1`` for spring (1 Feb – 31 Jul of
``year``) and ``year * 10 + 2`` for autumn (1 Aug of ``year`` – 31 Jan of ``year + 1``). Terms
tile the calendar: every date falls in exactly one. ``TERM_CODE_SQL`` is the same rule in SQL
(the store's summary table and its base-table path group by it), ``term_code`` in Python.

A base module: it imports only the standard library and ``vocab``.
"""

from __future__ import annotations

from datetime import date
from typing import Literal, overload

from .vocab import CYCLE_YEARS, DEADLINES, PROGRAMME_START

__all__ = [
    "CYCLE_YEARS",
    "DEADLINE_DATES",
    "FIRST_TERM",
    "PROGRAMME_START_DATE",
    "TERM_CODE_SQL",
    "assessed_terms",
    "next_term",
    "school_year_of",
    "term_bounds",
    "term_code",
    "term_label",
    "term_middle",
    "term_range",
    "terms_until",
]

# The term code of a date column or expression ``{d}`` (fill it with ``.format(d=...)``).
TERM_CODE_SQL = (
    "(CASE WHEN month({d}) >= 8 THEN year({d}) * 10 + 2 "
    "WHEN month({d}) = 1 THEN (year({d}) - 1) * 10 + 2 "
    "ELSE year({d}) * 10 + 1 END)"
)


def term_code(d: date) -> int:
    """The school term of a date: year*10+1 spring (Feb–Jul), year*10+2 autumn (Aug–Jan)."""
    if d.month >= 8:
        return d.year * 10 + 2
    if d.month == 1:
        return (d.year - 1) * 10 + 2
    return d.year * 10 + 1


def term_bounds(code: int) -> tuple[date, date]:
    """First and last day of a term (terms tile the calendar without gaps)."""
    year, half = divmod(int(code), 10)
    if half == 2:
        return date(year, 8, 1), date(year + 1, 1, 31)
    if half == 1:
        return date(year, 2, 1), date(year, 7, 31)
    raise ValueError(f"not a term code: {code}")


def term_middle(code: int) -> date:
    """The middle day of a term: the day that decides whether a project is bound to report for
    it (``programme.cycles.owing``; the demo's reports follow the same day)."""
    first, last = term_bounds(code)
    return first + (last - first) / 2


def school_year_of(d: date) -> int:
    """The school year a date falls in, named by the year it starts (August on: that year)."""
    return d.year if d.month >= 8 else d.year - 1


TermRange = tuple[int | None, int | None]


@overload
def term_range(
    date_from: date | None, date_to: date | None, *, whole: Literal[True] = ...
) -> TermRange | None: ...
@overload
def term_range(
    date_from: date | None, date_to: date | None, *, whole: Literal[False]
) -> TermRange: ...
def term_range(
    date_from: date | None, date_to: date | None, *, whole: bool = True
) -> TermRange | None:
    """A date range as (first, last) term codes; an open end is None.

    With ``whole`` (the default) the range must cover whole terms — ``date_from`` a term's first
    day, ``date_to`` a term's last day — or the answer is None (then only the base table, not the
    per-term summary, can answer). With ``whole=False`` the codes are those of the terms holding
    the two dates, whatever day of the term they are."""
    lo = hi = None
    if date_from is not None:
        lo = term_code(date_from)
        if whole and term_bounds(lo)[0] != date_from:
            return None
    if date_to is not None:
        hi = term_code(date_to)
        if whole and term_bounds(hi)[1] != date_to:
            return None
    return lo, hi


def term_label(code: int, lang: str = "zh") -> str:
    """A term's name: ``2023春`` / ``Spring 2023``."""
    year, half = divmod(int(code), 10)
    if lang == "en":
        return f"{'Autumn' if half == 2 else 'Spring'} {year}"
    return f"{year}{'秋' if half == 2 else '春'}"


def next_term(code: int) -> int:
    """The term after ``code``."""
    year, half = divmod(int(code), 10)
    return year * 10 + 2 if half == 1 else (year + 1) * 10 + 1


# ---------------------------------------------------------------------- the programme's dates
PROGRAMME_START_DATE = date.fromisoformat(PROGRAMME_START)
FIRST_TERM = term_code(PROGRAMME_START_DATE)
# Milestone kind (its value: signed / filed / launched) -> the day it is due.
DEADLINE_DATES: dict[str, date] = {k.value: date.fromisoformat(v) for k, v in DEADLINES.items()}


def terms_until(as_of: date, first: int = FIRST_TERM) -> list[int]:
    """Every term from the programme's first to the one holding ``as_of``."""
    out, code = [], first
    last = term_code(as_of)
    while code <= last:
        out.append(code)
        code = next_term(code)
    return out


def assessed_terms(as_of: date, lo: int | None = None, hi: int | None = None) -> list[int]:
    """Completed terms (ended before ``as_of``) inside the term range ``lo``–``hi``."""
    return [
        c
        for c in terms_until(as_of)
        if term_bounds(c)[1] < as_of and (lo is None or c >= lo) and (hi is None or c <= hi)
    ]
