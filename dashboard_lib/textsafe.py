"""Data shown as text: values from the database or from an uploaded file never become markup.

Streamlit renders the body of ``st.markdown``, ``st.caption``, ``st.info`` …, headers, expander
and tab labels as GitHub-flavoured Markdown with its own extensions (``:red[…]``,
``:material/icon:``, emoji shortcodes, ``$…$`` maths) and turns bare URLs, ``www.`` names and
e-mail addresses into links. A school name such as ``[点此](http://x)`` or
``![](http://x/a.png)`` from an imported file would otherwise show as a link or an image.

- ``md(value)``: the value as literal text inside any Markdown string: every ASCII punctuation
  character is backslash-escaped (CommonMark), line breaks become spaces, and an invisible word
  joiner (U+2060) is put after ``:`` and ``@`` and inside ``www.``, which the Markdown
  extensions and the autolinker act on even when escaped (seen in Streamlit 1.67).
- ``md_format(template, **values)``: ``template.format`` with every value passed through ``md``;
  the template itself (our own strings) keeps its Markdown.
- ``md_link(text, url)``: a link only for an ``http``/``https`` URL or a path of this app
  (``/dossier?…``); else the text alone.
- ``safe_url(url)``: the URL when it is ``http(s)://…`` with a host, else ``None``; for
  ``st.column_config.LinkColumn`` cells too.
- ``plot_text(value)``: text for plotly labels and hover texts, which render a subset of HTML
  (``<b>``, ``<a href>``, ``<br>``): HTML-escaped.
"""

from __future__ import annotations

import html
import math
import re
from urllib.parse import quote, urlsplit

import pandas as pd

_PUNCT = re.compile(r"([!-/:-@\[-`{-~])")  # every ASCII punctuation character
_JOINER = "\u2060"


def _plain(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    try:
        if pd.isna(value):
            return ""
    except (TypeError, ValueError):
        pass
    return str(value)


def md(value) -> str:
    """``value`` as literal text inside a Markdown string (see the module's docstring)."""
    text = " ".join(_plain(value).splitlines())
    text = _PUNCT.sub(r"\\\1", text)
    text = text.replace(":", ":" + _JOINER).replace("@", "@" + _JOINER)
    return re.sub(r"(?i)(w)(ww\\\.)", r"\1" + _JOINER + r"\2", text)  # www\. → w⁠ww\.


def md_format(template: str, **values) -> str:
    """``template.format(**values)`` with every value shown as text."""
    return template.format(**{k: md(v) for k, v in values.items()})


def safe_url(url) -> str | None:
    """An ``http``/``https`` URL with a host, with characters that could end a Markdown link
    percent-encoded; anything else (``javascript:``, ``data:``, relative, empty) is ``None``."""
    text = _plain(url).strip()
    if not text or any(ord(c) < 32 for c in text):
        return None
    try:
        parts = urlsplit(text)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return quote(text, safe=":/?#@!$&'*+,;=%~-._[]")


def _link_target(url) -> str | None:
    """``safe_url``, or a path of this app (``/dossier?project=1``; not ``//host``)."""
    text = _plain(url).strip()
    if text.startswith("/") and not text.startswith("//") and not any(ord(c) < 33 for c in text):
        return quote(text, safe="/?#&=%~-._+,;:@!$'*")
    return safe_url(text)


def md_link(text, url) -> str:
    """A Markdown link whose text is literal; the text alone when the URL is neither http(s)
    nor a path of this app."""
    target = _link_target(url)
    label = md(text)
    return f"[{label}]({target})" if target else label


def plot_text(value) -> str:
    """Text for a plotly label or hover text: HTML-escaped (plotly renders <b>, <a>, <br>)."""
    return html.escape(_plain(value), quote=False)


def plot_texts(values) -> list[str]:
    return [plot_text(v) for v in values]
