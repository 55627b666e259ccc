"""The one user-facing error: ``UserError``, a refusal told in a sentence of ``strings/``.

An error carries the key of its sentence and the values that fill it in
(``UserError("store_locked", path=...)``), never the text itself: ``message(lang)`` looks the
sentence up (``i18n.t``) in the language the page speaks, ``str(err)`` is the Chinese one.
A value ``x_en`` stands for ``x`` in English (a name the file wrote in Chinese, its English
twin). An error made of several sentences (a list of problems) carries ``parts``, a list of
(key, values) pairs shown one after the other, a space between them.

Every error class the user sees (``StoreError``, ``BackupError``, ``IngestError``,
``AuthError``, ``ExportUnavailable``, ``GeoDataError``, ``BuildError``) is a subclass.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .i18n import t, tm

Part = tuple[str, Mapping[str, Any]]


def lang_values(values: Mapping[str, Any], lang: str) -> dict[str, Any]:
    """The values for ``lang``: a value ``x_en`` replaces ``x`` in English, and is dropped."""
    out = {k: v for k, v in values.items() if not k.endswith("_en")}
    if lang == "en":
        out.update({k[:-3]: v for k, v in values.items() if k.endswith("_en")})
    return out


class UserError(Exception):
    """A refusal in one sentence (or a few): the key of each sentence and its values."""

    def __init__(self, key: str, /, *, parts: Sequence[Part] | None = None, **values: Any):
        self.key = key
        self.values = values
        self.parts: list[Part] = list(parts) if parts else [(key, values)]
        super().__init__(key)

    def message(self, lang: str = "zh") -> str:
        """The sentence(s) in ``lang`` (Chinese unless ``"en"``)."""
        return " ".join(t(k, lang, **lang_values(v, lang)) for k, v in self.parts)

    def markdown(self, lang: str = "zh") -> str:
        """``message`` for Streamlit's Markdown (st.error, st.warning …): the sentences keep
        their Markdown, every value (a name or a typed value from the user's data) is text."""
        return " ".join(tm(k, lang, **lang_values(v, lang)) for k, v in self.parts)

    @property
    def zh(self) -> str:
        return self.message("zh")

    @property
    def en(self) -> str:
        return self.message("en")

    def __str__(self) -> str:
        return self.message("zh")
