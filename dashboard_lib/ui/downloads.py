"""Download buttons: every table as CSV (UTF-8 with BOM) and XLSX, formula cells neutralised."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from .. import exports
from ..i18n import t
from .auth import viewer as current_viewer
from .core import lang
from .display import rows

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def download_buttons(frame: pd.DataFrame, name: str, key: str) -> None:
    """Two buttons side by side: ``name``.csv and ``name``.xlsx of exactly ``frame``.

    Presenters take no row-level files away (the viewer is checked here, whatever the page).
    Both files are made only when their button is clicked (Streamlit runs a callable ``data`` on
    click): an XLSX of a 2,000-row table costs 0.3–0.5 s of openpyxl, and eager files would sit in
    every session's memory until its next run."""
    language = lang()
    viewer = current_viewer()
    if viewer is None or not viewer.can_download_rows:
        st.caption(t("auth_no_downloads", language))
        return
    frame = frame.copy()  # the file is made later: freeze what is on screen now
    a, b, _ = st.columns([1, 1, 2])
    with a:
        st.download_button(
            t("prog_download_csv", language),
            lambda: exports.csv_bytes(frame),
            file_name=f"{name}.csv",
            mime="text/csv",
            key=f"{key}_csv",
            on_click="ignore",
        )
    with b:
        st.download_button(
            t("prog_download_xlsx", language),
            lambda: exports.xlsx_bytes(frame, name),
            file_name=f"{name}.xlsx",
            mime=XLSX_MIME,
            key=f"{key}_xlsx",
            on_click="ignore",
        )


def numbers(frame: pd.DataFrame, key: str | None = None) -> None:
    """A chart's numbers, one click away."""
    with st.expander(t("prog_chart_numbers", lang())):
        rows(frame, key=key)
