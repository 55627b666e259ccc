"""The data-sources page's text: what is published, what is simulated, where maps come from."""

from __future__ import annotations

import pandas as pd

from .i18n import label, t
from .scope import Filters, Viewer
from .store import Store


def text(lang: str = "zh") -> str:
    """The page's Markdown (strings key ``about_body``)."""
    return t("about_body", lang)


def provenance_table(
    store: Store, viewer: Viewer, filters: Filters | None, lang: str = "zh"
) -> pd.DataFrame:
    counts = store.provenance_counts(viewer, filters)
    counts["provenance"] = counts["provenance"].map(lambda p: label(p, lang))
    return counts
