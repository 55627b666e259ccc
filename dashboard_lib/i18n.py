"""Every string the interface shows, in Chinese (first) and English.

``t(key, lang, **values)`` formats a string (``tm`` the same for Markdown bodies, with every
value shown as text; ``pair`` both languages at once); ``label(value, lang)`` names a
vocabulary value (a region, a provenance, a metric, an activity kind). The strings themselves
live in ``dashboard_lib/strings/<feature>.py``; this module merges them.
"""

from __future__ import annotations

import importlib
import pkgutil

from . import strings as _strings_pkg

LANGS = ("zh", "en")


def _merge() -> tuple[dict, dict]:
    merged_s: dict[str, tuple[str, str]] = {}
    merged_l: dict[str, tuple[str, str]] = {}
    for info in sorted(pkgutil.iter_modules(_strings_pkg.__path__), key=lambda i: i.name):
        mod = importlib.import_module(f"{_strings_pkg.__name__}.{info.name}")
        for src, dst in (
            (getattr(mod, "STRINGS", {}), merged_s),
            (getattr(mod, "LABELS", {}), merged_l),
        ):
            twice = set(src) & set(dst)
            if twice:
                raise KeyError(f"strings defined twice ({info.name}): {sorted(twice)}")
            dst.update(src)
    return merged_s, merged_l


STRINGS, LABELS = _merge()


def t(key: str, lang: str = "zh", **values) -> str:
    zh, en = STRINGS[key]
    text = en if lang == "en" else zh
    return text.format(**values) if values else text


def pair(key: str, **values) -> tuple[str, str]:
    """The string in both languages, (Chinese, English): for text that is kept or printed in
    both (a notice shown once in the language of the page, a command line's message)."""
    return t(key, "zh", **values), t(key, "en", **values)


def tm(key: str, lang: str = "zh", **values) -> str:
    """``t`` for text that Streamlit renders as Markdown (st.markdown, st.caption, st.info …):
    the template keeps its Markdown, every value is shown as literal text (``textsafe.md``)."""
    from .textsafe import md_format

    zh, en = STRINGS[key]
    return md_format(en if lang == "en" else zh, **values)


def label(value: str, lang: str = "zh") -> str:
    pair = LABELS.get(value)
    if pair is None:
        return value
    return pair[1] if lang == "en" else pair[0]
