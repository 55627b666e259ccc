"""演示模式 / Presenter: the programme's story as a full-screen deck, and files to take away."""

import dataclasses

import streamlit as st

from dashboard_lib import deck, present, ui
from dashboard_lib.i18n import label, t
from dashboard_lib.ui import presenter as deck_ui

presenting = bool(st.session_state.get("deck_presenting"))
# the shared province filter (not while presenting): a province's own meeting
page = ui.page("views/presenter.py", sidebar=not presenting)
lang, store, viewer, filters = page.lang, page.store, page.viewer, page.filters
scope = store.scope_provinces(viewer)
allowed = set(scope["adcode"].astype(int))
choice, problems = present.parse_choice(dict(st.query_params), allowed)
if not presenting and choice.province is None and len(filters.provinces) == 1:
    choice = present.DeckChoice(choice.slides, filters.provinces[0], choice.autoplay)
if len(allowed) == 1 and choice.province is None:  # a province official's deck is their province's
    choice = present.DeckChoice(choice.slides, next(iter(allowed)), choice.autoplay)
choice = dataclasses.replace(choice, as_of=filters.as_of)  # the sidebar's 数据截至
for key in problems:
    st.warning(t(key, lang))

if st.session_state.get("deck_presenting"):
    deck_ui.full_screen_styles()
    if st.button(t("deck_exit", lang), key="exit_deck"):
        st.session_state["deck_presenting"] = False
        st.rerun()
    with st.spinner(t("deck_building", lang)):
        slides = deck_ui.slides(store, viewer, choice, lang)
    st.iframe(
        deck.deck_html(
            slides, present.as_of_label(store, lang, choice.as_of), lang, choice.autoplay
        ),
        height=1080,
    )
    st.stop()

st.title(t("deck_page_title", lang))
st.caption(t("deck_intro", lang))
names = dict(zip(scope["adcode"].astype(int), scope["name_en" if lang == "en" else "name_zh"]))
with st.form("deck_choice"):
    slides_pick = st.multiselect(
        t("deck_slides", lang),
        list(present.SLIDES),
        default=list(choice.slides),
        format_func=lambda k: label(f"slide_{k}", lang),
    )
    codes = [None, *sorted(names)] if len(names) > 1 else sorted(names)
    province = st.selectbox(
        t("deck_province_pick", lang),
        codes,
        index=codes.index(choice.province) if choice.province in codes else 0,
        format_func=lambda c: t("deck_all", lang) if c is None else names[c],
    )
    autoplay = st.number_input(
        t("deck_autoplay", lang), 0, present.MAX_AUTOPLAY, choice.autoplay, step=5
    )
    if st.form_submit_button(t("deck_save", lang)):
        choice = present.DeckChoice(
            tuple(slides_pick) or present.SLIDES, province, int(autoplay), filters.as_of
        )
        st.query_params.from_dict(choice.query())
st.caption(t("deck_link", lang))
st.code(choice.link(), language=None)
st.caption(t("deck_key_help", lang))
if st.button(t("deck_start", lang), type="primary", key="start_deck"):
    st.session_state["deck_presenting"] = True
    st.rerun()

with st.spinner(t("deck_building", lang)):
    slides = deck_ui.slides(store, viewer, choice, lang)
left_out = present.map_left_out(slides, lang)
if left_out:  # a damaged boundary file: the deck without its map, said once above it
    st.warning(left_out, icon=":material/map:")
st.iframe(
    deck.deck_html(slides, present.as_of_label(store, lang, choice.as_of), lang, 0), height=620
)

st.subheader(t("deck_exports", lang))
deck_ui.export_buttons(store, viewer, choice, slides, lang)
