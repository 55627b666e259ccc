"""Streamlit widgets shared by the pages: the only part of dashboard_lib that imports streamlit.

Caching sits here, at the page boundary, keyed on primitive values.
"""
from .core import download_csv, geo_guard, lang, store, viewer
from .filters import set_province, sidebar

__all__ = ["download_csv", "geo_guard", "lang", "set_province", "sidebar", "store", "viewer"]
