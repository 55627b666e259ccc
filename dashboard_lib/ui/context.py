"""The top of every page in one call: language, store, viewer, the page check, the shared filters
and the title.

``page("views/progress.py")`` gives the page what it works with (``PageContext``) after the
checks every page makes: a viewer who may not open the page (``navigation.pages_for``) is refused
and the page stops, a page that changes data stops on a read-only viewer or file. The sidebar's
filters are drawn (unless ``sidebar=False``), then the title and the caption with the data's date,
when the page names them, and a banner when the sidebar's as-of date shows a past state.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from .. import ui as _package
from ..i18n import t
from ..scope import Filters, Viewer
from ..store import Store
from ..urlstate import as_of_text
from .auth import require_page, require_writer
from .core import lang, store
from .filters import sidebar as draw_sidebar


@dataclass(frozen=True)
class PageContext:
    """What a page works with: the interface language, the store, who is looking (already
    allowed to open the page) and the shared filters (``Filters()`` where none are drawn)."""

    lang: str
    store: Store
    viewer: Viewer
    filters: Filters


def page(
    file: str,
    title_key: str | None = None,
    caption_key: str | None = None,
    *,
    writes: bool = False,
    sidebar: bool = True,
) -> PageContext:
    """The preamble of the page at ``file`` (relative to the repository, as in ``navigation``).

    ``title_key``: the page's title, drawn after the filters (and shown above the refusal of a
    page that ``writes`` data when the viewer or the file is read-only). ``caption_key``: the
    line under the title, followed by the date the data run to."""
    language = lang()
    store_ = store()
    viewer_ = _package.viewer()  # looked up now: a test may stand in for the signed-in account
    if writes:
        viewer_ = require_writer(viewer_, store_, file, t(title_key, language) if title_key else "")
    else:
        viewer_ = require_page(viewer_, file)
    filters = draw_sidebar(store_, viewer_) if sidebar else Filters()
    if title_key:
        st.title(t(title_key, language))
    day = as_of_text(filters.as_of, language) if filters.as_of else None
    if caption_key:
        as_of = t("as_of", language, date=day or store_.meta().get("as_of", ""))
        st.caption(t(caption_key, language) + " · " + as_of)
    if day:  # a past state: said on every page that shows one (issue 16 part 6)
        st.info(t("asof_banner", language, date=day), icon=":material/history:")
    return PageContext(language, store_, viewer_, filters)
