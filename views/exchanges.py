"""教师交流 / Teacher exchanges: dispatched staff, guidance visits, shadowing, training — totals,
by province, university and term, a timeline, rankings, both directions."""

import streamlit as st

from dashboard_lib import cache, programme, ui
from dashboard_lib.i18n import t
from dashboard_lib.ui.display import chart, numbers, table
from dashboard_lib.ui.downloads import download_buttons
from dashboard_lib.ui.filters import link_query

page = ui.page("views/exchanges.py", "prog_exchanges_title", "prog_exchanges_caption")
lang, store, viewer, filters = page.lang, page.store, page.viewer, page.filters
approved = cache.approvals(store, viewer, filters.as_of)  # in the key: shows at once
view = cache.cached(
    programme.exchanges_content, store, viewer, filters, lang, link_query(), approved
)
if view.projects.empty:
    st.info(t("prog_no_projects", lang))
    st.stop()
if view.note:
    st.warning(view.note, icon=":material/science:")

kpis = view.kpis
for row in (kpis[:5], kpis[5:]):
    for col, (key, value) in zip(st.columns(5), row):
        col.metric(t(key, lang), f"{value:,.0f}")
st.caption(view.status)

chart(view.timeline_fig, key="timeline_fig", lang=lang)
st.caption(view.status)  # every chart of the page draws all the rows behind the cards
numbers(view.timeline, key="timeline_numbers")
chart(view.direction_fig, key="direction_fig", lang=lang)
st.caption(view.status)
numbers(view.direction, key="direction_numbers")
chart(view.province_fig, key="province_fig", lang=lang)
st.caption(view.status)

tabs = st.tabs(
    [t("prog_by_province", lang), t("prog_by_university", lang), t("prog_by_term", lang)]
)
places = (
    ("by_province", view.by_province),
    ("by_university", view.by_university),
    ("by_term", view.by_term),
)
for tab, (key, frame) in zip(tabs, places):
    with tab:
        table(frame, key=f"t_{key}", lang=lang)
        download_buttons(frame, f"exchanges_{key}", f"dl_{key}")

left, right = st.columns(2)
if view.roles is not None:
    with left:
        st.markdown(f"**{t('prog_dispatch_roles', lang)}**")
        table(view.roles, key="roles", lang=lang)
        download_buttons(view.roles, "dispatch_roles", "dl_roles")
    with right:
        st.markdown(f"**{t('prog_dispatch_subjects', lang)}**")
        table(view.subjects, key="subjects", lang=lang)
        download_buttons(view.subjects, "dispatch_subjects", "dl_subjects")
if view.modes is not None:
    st.markdown(f"**{t('prog_training_modes', lang)}**")
    table(view.modes, key="modes", lang=lang)
    download_buttons(view.modes, "training_modes", "dl_modes")

if view.rank_universities is not None:
    st.subheader(t("prog_ranking_universities", lang))
    table(view.rank_universities, key="rank_uni", lang=lang)
    download_buttons(view.rank_universities, "ranking_universities", "dl_rank_uni")
st.subheader(t("prog_ranking_projects", lang))
table(view.rank_projects.frame, key="rank_projects", link_column=view.link_column, lang=lang)
download_buttons(view.rank_projects.download, "ranking_projects", "dl_rank_projects")
