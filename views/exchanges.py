"""教师交流 / Teacher exchanges: dispatched staff, guidance visits, shadowing, training — totals,
by province, university and term, a timeline, rankings, both directions."""

import streamlit as st

from dashboard_lib import memo, programme, ui
from dashboard_lib.i18n import t
from dashboard_lib.ui.downloads import download_buttons, numbers
from dashboard_lib.ui.filters import link_query

lang = ui.lang()
store = ui.store()
viewer = ui.viewer()
filters = ui.sidebar(store, viewer)
links = {
    t("prog_open_dossier", lang): st.column_config.LinkColumn(
        display_text=t("prog_open_dossier", lang)
    )
}

st.title(t("prog_exchanges_title", lang))
st.caption(
    t("prog_exchanges_caption", lang) + " · " + t("as_of", lang, date=store.meta().get("as_of", ""))
)
view = memo.cached(programme.exchanges_content, store, viewer, filters, lang, link_query())
if view["projects"].empty:
    st.info(t("prog_no_projects", lang))
    st.stop()
if view["note"]:
    st.warning(view["note"], icon=":material/science:")

kpis = view["kpis"]
for row in (kpis[:5], kpis[5:]):
    for col, (key, value) in zip(st.columns(5), row):
        col.metric(t(key, lang), f"{value:,.0f}")

st.plotly_chart(view["timeline_fig"], key="timeline_fig")
numbers(view["timeline"], key="timeline_numbers")
st.plotly_chart(view["direction_fig"], key="direction_fig")
numbers(view["direction"], key="direction_numbers")
st.plotly_chart(view["province_fig"], key="province_fig")

tabs = st.tabs(
    [t("prog_by_province", lang), t("prog_by_university", lang), t("prog_by_term", lang)]
)
for tab, key in zip(tabs, ("by_province", "by_university", "by_term")):
    with tab:
        st.dataframe(view[key], hide_index=True, width="stretch", key=f"t_{key}")
        download_buttons(view[key], f"exchanges_{key}", f"dl_{key}")

left, right = st.columns(2)
if "roles" in view:
    with left:
        st.markdown(f"**{t('prog_dispatch_roles', lang)}**")
        st.dataframe(view["roles"], hide_index=True, width="stretch", key="roles")
        download_buttons(view["roles"], "dispatch_roles", "dl_roles")
    with right:
        st.markdown(f"**{t('prog_dispatch_subjects', lang)}**")
        st.dataframe(view["subjects"], hide_index=True, width="stretch", key="subjects")
        download_buttons(view["subjects"], "dispatch_subjects", "dl_subjects")
if "modes" in view:
    st.markdown(f"**{t('prog_training_modes', lang)}**")
    st.dataframe(view["modes"], hide_index=True, width="stretch", key="modes")
    download_buttons(view["modes"], "training_modes", "dl_modes")

if "rank_universities" in view:
    st.subheader(t("prog_ranking_universities", lang))
    st.dataframe(view["rank_universities"], hide_index=True, width="stretch", key="rank_uni")
    download_buttons(view["rank_universities"], "ranking_universities", "dl_rank_uni")
st.subheader(t("prog_ranking_projects", lang))
st.dataframe(
    view["rank_projects"],
    hide_index=True,
    width="stretch",
    column_config=links,
    key="rank_projects",
)
download_buttons(
    view["rank_projects"].drop(columns=[t("prog_open_dossier", lang)]),
    "ranking_projects",
    "dl_rank_projects",
)
