"""Streamlit's own chrome in the user's language, unexpected errors as one sentence, and the
stand-in of a page the viewer may not open: called once per run from ``app.py``.

Streamlit has no translations: its frontend writes its own English (a multiselect's "Select all",
"No results", the uploader's "Upload", "Press Enter to submit form", "Running...", the "Page not
found" dialog …). In the Chinese interface ``apply`` puts in

- a stylesheet (style-only, so it takes no room on the page) that hides the uploader's own
  "20MB per file" line (the import page says the product's limits once, in the user's language;
  ``server.maxUploadSize`` in ``.streamlit/config.toml`` enforces the same 20 MB), and
- a small same-origin script holding the table of ``dashboard_lib/strings/chrome.py`` (every
  ``st_*`` key: Streamlit's exact English → the Chinese): a MutationObserver swaps those exact
  texts (and ``placeholder``/``aria-label``/``title`` attributes) inside Streamlit's own widgets
  only — dropdowns, the uploader, input hints, the status widget, dialogs, table menus — never
  inside the page's content. In English the script puts back anything it swapped.

``guarded(run, lang)`` runs a page: Streamlit's stop and rerun pass through untouched; any other
exception is logged with its traceback under an 8-hex-digit error id, and the page shows one
sentence with that id (``client.showErrorDetails = "none"`` covers what runs outside it).
"""

from __future__ import annotations

import json
import logging
import re
import secrets
from collections.abc import Callable

import streamlit as st

from ..i18n import STRINGS, t
from ..scope import Viewer
from ..store.errors import StoreError

log = logging.getLogger(__name__)

# where Streamlit draws its own texts; text elsewhere (the page's content) is never touched
SCOPES = ", ".join(
    (
        '[data-baseweb="popover"]',
        '[data-baseweb="select"]',
        '[data-testid="stMultiSelect"]',
        '[data-testid="stSelectbox"]',
        '[data-testid="stFileUploader"]',
        '[data-testid="InputInstructions"]',
        '[data-testid="stDateInput"]',
        '[data-testid="stStatusWidget"]',
        '[data-testid="stToolbar"]',
        '[data-testid="stMainMenu"]',
        '[data-testid="stMainMenuPopover"]',
        '[data-testid="stDataFrame"]',
        '[data-testid="stElementToolbar"]',
        '[data-testid="stException"]',
        '[data-testid="stConnectionStatus"]',
        '[data-testid="stSkipToContent"]',
        "[data-live-announcer]",
        '[role="dialog"]',
        '[role="listbox"]',
        "[data-rac]",
        '[role="tooltip"]',
    )
)
MARK = "xz-chrome"
CSS = f"""<style>
[data-testid="stFileUploaderDropzoneInstructions"] {{ display: none; }}
[data-testid="stElementContainer"]:has(.{MARK}) {{ display: none; }}
</style>"""
_FIELD = re.compile(r"\{([a-z_]+)\}")


def streamlit_texts() -> list[tuple[str, str]]:
    """Every ``st_*`` entry as (a JavaScript regular expression matching Streamlit's whole
    English text, the Chinese with ``$1`` … for the parts Streamlit fills in)."""
    out = []
    for key in sorted(STRINGS):
        if not key.startswith("st_"):
            continue
        zh, en = STRINGS[key]
        names: list[str] = []
        pattern = ""
        pos = 0
        for m in _FIELD.finditer(en):
            pattern += re.escape(en[pos : m.start()]) + "(.+?)"
            names.append(m.group(1))
            pos = m.end()
        pattern += re.escape(en[pos:])
        pattern = pattern.replace("\\ ", " ")  # JavaScript has no escaped space in /u mode
        target = zh
        for i, name in enumerate(names, start=1):
            target = target.replace("{" + name + "}", f"${i}")
        out.append(("^" + pattern + "$", target))
    return out


def translate(text: str, lang: str) -> str:
    """What the script shows for one of Streamlit's texts (the same table, in Python: tests)."""
    if lang != "zh":
        return text
    for pattern, zh in streamlit_texts():
        m = re.match(pattern, text.strip())
        if m:
            for i, part in enumerate(m.groups(), start=1):
                zh = zh.replace(f"${i}", part)
            return zh
    return text


_SCRIPT = """
(function () {
  const w = window, d = document;
  const S = w.__xzChrome = w.__xzChrome || { swapped: [] };
  S.table = (%(table)s).map(([p, zh]) => [new RegExp(p), zh]);
  S.scopes = %(scopes)s;
  const ATTRS = ["placeholder", "aria-label", "title"];
  function swap(value) {
    const v = (value || "").trim();
    if (!v) return null;
    for (const [re, zh] of S.table) {
      const m = v.match(re);
      if (m) return zh.replace(/\\$(\\d)/g, (_, i) => m[+i]);
    }
    return null;
  }
  function inScope(el) { return el && el.closest && el.closest(S.scopes); }
  function fix(node) {
    if (!S.table.length) return;
    if (node.nodeType === 3) {
      if (!inScope(node.parentElement)) return;
      const zh = swap(node.data);
      if (zh !== null) { S.swapped.push([node, null, node.data]); node.data = zh; }
      return;
    }
    if (node.nodeType !== 1) return;
    const els = [node, ...node.querySelectorAll("*")];
    for (const el of els) {
      if (!inScope(el)) continue;
      for (const a of ATTRS) {
        if (!el.hasAttribute(a)) continue;
        const zh = swap(el.getAttribute(a));
        if (zh !== null) { S.swapped.push([el, a, el.getAttribute(a)]); el.setAttribute(a, zh); }
      }
      for (const c of el.childNodes) if (c.nodeType === 3) fix(c);
    }
  }
  S.fix = fix;
  if (!S.table.length) {  // English: put back what the Chinese interface swapped
    for (const [n, a, orig] of S.swapped) { if (a) n.setAttribute(a, orig); else n.data = orig; }
    S.swapped = [];
  }
  S.swapped = S.swapped.filter(([n]) => n.isConnected);
  if (!S.observer) {
    S.observer = new MutationObserver((records) => {
      for (const r of records) {
        if (r.type === "childList") r.addedNodes.forEach((n) => S.fix(n));
        else if (r.type === "characterData") S.fix(r.target);
        else if (r.type === "attributes") S.fix(r.target);
      }
    });
    S.observer.observe(d.body, { childList: true, subtree: true, characterData: true,
      attributes: true, attributeFilter: ATTRS });
  }
  fix(d.body);
})();
"""


def script(lang: str) -> str:
    """The script for ``lang`` (an empty table in English: Streamlit's own words stay)."""
    table = streamlit_texts() if lang == "zh" else []
    body = _SCRIPT % {"table": json.dumps(table), "scopes": json.dumps(SCOPES)}
    return body.replace("</", "<\\/")


def apply(lang: str) -> None:
    """Put the stylesheet and the script on this run's page (once per run, before the page)."""
    st.html(CSS)
    st.html(
        f'<span class="{MARK}" hidden></span><script>{script(lang)}</script>',
        unsafe_allow_javascript=True,
    )


def new_error_id() -> str:
    return secrets.token_hex(4)


def guarded(run: Callable[[], object], lang: str) -> None:
    """Run a page. Streamlit's own stop and rerun (``BaseException``s) pass through; any other
    exception goes to the log with its traceback under a new error id, and the page shows one
    sentence in ``lang`` with that id. PostgreSQL out of reach during a page's read is not
    unexpected: it gets the outage's own sentence for a read (``store_pg_unavailable_read``)."""
    try:
        run()
    except StoreError as exc:
        if exc.key != "store_pg_unavailable":
            _unexpected(lang)
            return
        # a page's read met PostgreSQL away (issue 15): the outage's sentence for a read
        log.warning("PostgreSQL out of reach while a page read: %s", exc.__cause__)
        st.error(t("store_pg_unavailable_read", lang))
    except Exception:
        _unexpected(lang)


def _unexpected(lang: str) -> None:
    """The one sentence with a new error id; the traceback (of the exception being handled) goes
    to the log."""
    error_id = new_error_id()
    log.exception("unexpected error on a page, error id %s", error_id)
    st.error(t("chrome_error", lang, error_id=error_id), icon=":material/error:")


def stand_in(viewer: Viewer | None, lang: str, login_file: str) -> Callable[[], None]:
    """The page shown at the address of a page this viewer may not open: one sentence, no data.

    No viewer or the open demo viewer (a sign-in that ended, or none yet): the session has ended
    and how to sign in again; a signed-in account of another role: the page is not for its role.
    """

    def render() -> None:
        st.title(t("chrome_unavailable_title", lang))
        if viewer is None or viewer.read_only:
            st.warning(t("chrome_session_ended", lang), icon=":material/lock:")
            st.page_link(login_file, label=t("nav_login", lang), icon=":material/login:")
        else:
            st.error(t("auth_page_refused", lang))

    return render
