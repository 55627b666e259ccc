"""Streamlit glue of the presenter page: cached slides, full-screen styling, export buttons."""

from __future__ import annotations

import os
from collections.abc import Callable

import streamlit as st

from .. import cache, deck_export, geo, present
from ..deck import Slide
from ..i18n import t
from ..scope import Viewer
from ..store import Store


def _build(
    store: Store,
    viewer: Viewer,
    keys: tuple[str, ...],
    province: int | None,
    lang: str,
    _boundaries: tuple = (),
    as_of=None,
) -> list[Slide]:
    choice = present.DeckChoice(keys, province, as_of=as_of)
    return present.build_deck(store, viewer, choice, lang)


def _boundary_stamp() -> tuple:
    """The boundary files the map slide reads, by modification time: a deck built while one was
    damaged (its map left out) is built again once the file is replaced."""
    folder = geo.data_dir() / "geo"
    stamp: list[int | None] = []
    for name in ("counties.parquet", "provinces.parquet", "national_outline.parquet"):
        try:
            stamp.append(os.stat(folder / name).st_mtime_ns)
        except OSError:
            stamp.append(None)
    return tuple(stamp)


def slides(store: Store, viewer: Viewer, choice: present.DeckChoice, lang: str) -> list[Slide]:
    """The deck for this viewer and choice, built once per (data version, scope, slides, province,
    language, boundary files) in the shared memo like every page's content (slides are
    read-only). Auto-advance is not part of the key: it changes how the deck plays, not what it
    shows."""
    return cache.cached(
        _build, store, viewer, choice.slides, choice.province, lang, _boundary_stamp(), choice.as_of
    )


def full_screen_styles() -> None:
    """Presenting: no sidebar, no toolbar, the deck over the whole window, the exit in the deck's
    own toolbar (its button, Esc or Q press this page's exit button, kept under the deck)."""
    st.markdown(
        """<style>
        [data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], header,
        [data-testid="stToolbar"], [data-testid="stDecoration"], [data-testid="stStatusWidget"] {display:none!important}
        .block-container {padding:0!important; max-width:100%!important}
        iframe[title="st.iframe"] {position:fixed; inset:0; width:100vw!important; height:100vh!important;
            z-index:999990; border:0; background:#111}
        .st-key-exit_deck {position:fixed; bottom:0; left:0; z-index:999989; opacity:0}
        </style>""",
        unsafe_allow_html=True,
    )


def _for_files(viewer: Viewer, slides_: list[Slide]) -> list[Slide]:
    """Presenters take away aggregates only: tables of rows are left out of their files."""
    if viewer.can_download_rows:
        return slides_
    return [Slide(**{**s.__dict__, "table": None}) for s in slides_]


def _with_progress(lang: str, make: Callable):
    """``make(progress)`` under a real progress bar: each stage named in the user's language,
    the bar gone when the file is ready."""
    bar = st.progress(0.0, text=t("deck_stage_start", lang))
    try:
        return make(lambda share, text: bar.progress(share, text=text))
    finally:
        bar.empty()


KEEP_WARM_SECONDS = 120  # well inside deck_export.IDLE_SECONDS


@st.fragment(run_every=KEEP_WARM_SECONDS)
def _keep_the_browser_warm() -> None:
    """While the presenter page is open, its export browser stays started: a presenter who
    talks for ten minutes and then clicks 生成 PDF waits for the file, not for Chromium (the
    browser closes ``IDLE_SECONDS`` after the last page that showed the buttons is gone).
    The fragment draws nothing and reads nobody's session, so it is no activity that keeps a
    sign-in from timing out."""
    deck_export.warm_up()


def export_buttons(
    store: Store, viewer: Viewer, choice: present.DeckChoice, slides_: list[Slide], lang: str
) -> None:
    """PPTX, PDF, the province report and the pictures: each made on its button under a
    progress bar, then offered for download under a name in the user's language
    (托管帮扶_甘肃省_2026-11-28.pptx / xz-deck-gansu-2026-11-28.pptx). The files' author is the
    viewer's unit; their pictures are remembered per deck (``cache.PAGES``), so a second file
    of the same deck draws them no more, and the browser that draws them is started (in the
    background) as the buttons are shown."""
    _keep_the_browser_warm()  # Chromium starts while the user looks at the buttons
    as_of = present.as_of_label(store, lang, choice.as_of)
    files = _for_files(viewer, slides_)
    author = present.viewer_unit(store, viewer, lang)
    pictures = cache.key_for(
        store,
        viewer,
        "deck_pictures",
        choice.slides,
        choice.province,
        lang,
        _boundary_stamp(),
        choice.as_of,
    )
    made = st.session_state.setdefault("deck_files", {})
    key = (store.data_version(), viewer, choice, lang)
    if made.get("key") != key:
        made.clear()
        made["key"] = key
    c1, c2, c3, c4 = st.columns(4)
    try:
        if c1.button(t("deck_make_pptx", lang), key="mk_pptx"):
            made["pptx"], why = _with_progress(
                lang,
                lambda progress: deck_export.make_pptx(
                    files, as_of, lang=lang, author=author, progress=progress, cache_key=pictures
                ),
            )
            if why:
                st.warning(why)
        if "pptx" in made:
            c1.download_button(
                t("deck_download_pptx", lang),
                made["pptx"],
                file_name=present.file_name(store, choice, lang, "pptx"),
                mime="application/vnd.openxmlformats-officedocument.presentationml.presentation",
            )
        if c2.button(t("deck_make_pdf", lang), key="mk_pdf"):
            made["pdf"] = _with_progress(
                lang,
                lambda progress: deck_export.make_pdf(
                    files, as_of, lang=lang, author=author, progress=progress, cache_key=pictures
                ),
            )
        if "pdf" in made:
            c2.download_button(
                t("deck_download_pdf", lang),
                made["pdf"],
                file_name=present.file_name(store, choice, lang, "pdf"),
                mime="application/pdf",
            )
        if viewer.can_download_rows and c3.button(t("deck_make_report", lang), key="mk_report"):
            if choice.province is None:
                st.warning(t("deck_report_needs_province", lang))
            else:
                province = choice.province
                made["report"] = _with_progress(
                    lang,
                    lambda progress: present.province_report_pdf(
                        store, viewer, province, lang, progress=progress, as_of=choice.as_of
                    ),
                )
        if "report" in made:
            c3.download_button(
                t("deck_download_report", lang),
                made["report"],
                file_name=present.file_name(store, choice, lang, "pdf", kind="report"),
                mime="application/pdf",
            )
        if c4.button(t("deck_make_png", lang), key="mk_png"):
            made["png"], why = _with_progress(
                lang,
                lambda progress: deck_export.make_png_zip(
                    files, lang=lang, progress=progress, cache_key=pictures
                ),
            )
            if why:
                st.warning(why)
        if "png" in made:
            c4.download_button(
                t("deck_download_png", lang),
                made["png"],
                file_name=present.file_name(store, choice, lang, "zip", kind="png"),
                mime="application/zip",
            )
    except deck_export.ExportUnavailable as exc:
        st.warning(exc.markdown(lang))
