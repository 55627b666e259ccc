"""How numbers, shares and dates read on every screen, in one place.

A base module: pure formatting with no Streamlit, no store and nothing from dashboard_lib's page
logic, so maps, the explorer, the overview and the presenter can all import it at module level
without importing each other. Every helper returns plain (unescaped) text; whoever puts it into
HTML escapes it.
"""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd

from .i18n import STRINGS, t

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
    """A date as people read it: 2022-07-18, or 2022-07 when only the month is known (never a
    time of day); missing dates are empty."""
    if value is None or pd.isna(value):
        return ""
    ts = pd.Timestamp(value)
    return ts.strftime("%Y-%m") if precision == "month" else ts.strftime("%Y-%m-%d")


def format_month(value, lang: str = "zh") -> str:
    """A month as people read it: ``2022年7月`` / ``Jul 2022``; missing dates are empty."""
    if value is None or pd.isna(value):
        return ""
    ts = pd.Timestamp(value)
    month = ts.strftime("%b") if lang == "en" else ts.month
    return t("prog_fmt_month", lang, year=ts.year, month=month)


def _is_dates(column: pd.Series) -> bool:
    if pd.api.types.is_datetime64_any_dtype(column):
        return True
    if column.dtype != object:
        return False
    values = column.dropna()
    return bool(len(values)) and all(isinstance(v, (date, datetime, pd.Timestamp)) for v in values)


def dates_as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every date column (datetime64, or Python dates / timestamps) as
    ``YYYY-MM-DD`` text, missing ones empty: a table never shows ``00:00:00``. Text columns (a
    date already written to the month, ``2022-07``) are left as they are."""
    out = frame.copy()
    for col in out.columns:
        if _is_dates(out[col]):
            out[col] = [format_date(v) for v in out[col]]
    return out


# Headers of number columns that are identifiers or years, never grouped (项目 1234, 学年 2023).
PLAIN_KEYS = ("prog_project", "prog_rank", "prog_school_year", "prog_batch")


def number_formats(frame: pd.DataFrame, lang: str = "zh") -> dict[str, str]:
    """Streamlit number formats for a table's columns: every numeric column but identifiers and
    years (``PLAIN_KEYS``) reads with thousands separators (``localized``: 1,234 and 1,924.5)."""
    plain = {t(k, lang) for k in PLAIN_KEYS if k in STRINGS}
    return {
        col: "localized"
        for col in frame.columns
        if col not in plain
        and pd.api.types.is_numeric_dtype(frame[col])
        and not pd.api.types.is_bool_dtype(frame[col])
    }
