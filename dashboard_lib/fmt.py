"""How numbers, shares and dates read on every screen, in one place.

A base module: pure formatting with no Streamlit, no store and nothing from dashboard_lib's page
logic, so maps, the explorer, the overview and the presenter can all import it at module level
without importing each other. Every helper returns plain (unescaped) text; whoever puts it into
HTML escapes it.
"""

from __future__ import annotations

import pandas as pd

SHARE_METRICS = frozenset({"milestone_share"})  # metrics whose values are shares of 1, shown as %


def format_number(value: float, whole_from: float = 10) -> str:
    """A figure as people read it: thousands separated, whole numbers and anything from
    ``whole_from`` up without decimals, smaller fractions with one (``1,234``, ``7``, ``2.5``)."""
    if float(value).is_integer() or abs(value) >= whole_from:
        return f"{value:,.0f}"
    return f"{value:,.1f}"


def format_percent(value: float) -> str:
    """A share of 1 as a whole percentage (``0.25`` → ``25%``)."""
    return f"{value:.0%}"


def format_value(value: float, metric: str) -> str:
    """A metric's value: a percentage for shares, else :func:`format_number`."""
    if metric in SHARE_METRICS:
        return format_percent(value)
    return format_number(value)


def format_date(value, precision: str | None = "day") -> str:
    """A date as people read it: 2022-07-18, or 2022-07 when only the month is known; missing
    dates are empty."""
    if value is None or pd.isna(value):
        return ""
    ts = pd.Timestamp(value)
    return ts.strftime("%Y-%m") if precision == "month" else ts.strftime("%Y-%m-%d")
