"""Tables and charts as every page shows them (issue 13): the rules are in ``fmt`` and ``charts``,
this module only hands them to Streamlit.

- ``rows``: ``st.dataframe`` for every table of the product; an empty frame shows one sentence
  instead (Streamlit draws an empty table as the English word "empty" on a canvas);
- ``table``: ``rows`` with dates as ``YYYY-MM-DD`` text, numbers with thousands separators
  (``fmt.number_formats``: a number format on the column, so it still sorts as a number) and an
  optional dossier-link column;
- ``numbers``: a chart's numbers in an expander, the same way;
- ``chart``: ``st.plotly_chart`` with ``charts.plotly_config`` (plotly's own texts in the page's
  language).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from .. import charts, fmt
from ..i18n import t
from .core import lang as current_lang


def column_config(frame: pd.DataFrame, lang: str, link_column: str | None = None) -> dict:
    """Streamlit column configs for ``frame``: grouped numbers, and the link column if any."""
    config: dict = {
        col: st.column_config.NumberColumn(format=f)
        for col, f in fmt.number_formats(frame, lang).items()
    }
    if link_column and link_column in frame.columns:
        config[link_column] = st.column_config.LinkColumn(display_text=link_column)
    return config


def rows(frame: pd.DataFrame, lang: str | None = None, **kwargs) -> None:
    """``st.dataframe(frame, hide_index=True, width="stretch", **kwargs)``, or, when ``frame`` has
    no row, the sentence ``table_empty`` in the page's language."""
    if frame.empty:
        st.caption(t("table_empty", lang or current_lang()))
        return
    st.dataframe(frame, **{"hide_index": True, "width": "stretch", **kwargs})


def table(
    frame: pd.DataFrame,
    key: str | None,
    link_column: str | None = None,
    lang: str | None = None,
) -> None:
    """A table as the pages show it (see the module docstring)."""
    language = lang or current_lang()
    shown = fmt.dates_as_text(frame)
    rows(shown, language, column_config=column_config(shown, language, link_column), key=key)


def numbers(frame: pd.DataFrame, key: str | None = None) -> None:
    """A chart's numbers, one click away."""
    language = current_lang()
    with st.expander(t("prog_chart_numbers", language)):
        table(frame, key=key, lang=language)


def chart(fig, key: str, lang: str | None = None) -> None:
    """A plotly figure with the chart config of the page's language."""
    st.plotly_chart(fig, key=key, config=charts.plotly_config(lang or current_lang()))
