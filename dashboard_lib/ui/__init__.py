"""Streamlit widgets shared by the pages: the only part of dashboard_lib that imports streamlit.

Caching sits here, at the page boundary, keyed on primitive values.
"""

from .auth import account_box, login, logout, require_page, require_role, require_writer, viewer
from .context import PageContext, page
from .core import accepted, download_csv, geo_guard, lang, store
from .display import rows
from .filters import set_province, sidebar

__all__ = [
    "PageContext",
    "accepted",
    "account_box",
    "download_csv",
    "geo_guard",
    "lang",
    "login",
    "logout",
    "page",
    "require_page",
    "require_role",
    "require_writer",
    "rows",
    "set_province",
    "sidebar",
    "store",
    "viewer",
]
