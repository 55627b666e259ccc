"""全国概览 / National overview: KPI cards, the national map, the project list."""
import streamlit as st
from streamlit_folium import st_folium

from dashboard_lib import overview, ui
from dashboard_lib.i18n import label, t

lang = ui.lang()
store = ui.store()
viewer = ui.viewer()
filters = ui.sidebar(store, viewer)

st.title(t("app_title", lang))
st.caption(t("app_subtitle", lang) + " · " + t("as_of", lang, date=store.meta().get("as_of", "")))
banner = overview.provenance_banner(store, viewer, filters, lang)
if banner:
    st.warning(banner, icon=":material/science:")

cards = overview.kpis(store, viewer, filters, lang)
for col, kpi in zip(st.columns(len(cards)), cards):
    col.metric(kpi.label, kpi.value)

st.subheader(t("map_title", lang))
metric = st.selectbox(t("metric", lang), overview.MAP_METRICS, format_func=lambda m: label(m, lang),
                      key="metric")
with st.spinner(t("map_loading", lang)):
    fmap, pointed = ui.geo_guard(overview.overview_map, store, viewer, filters, metric, lang)
st_folium(fmap, height=620, width=None, use_container_width=True, returned_objects=[], key="national_map")
st.caption(t("map_caption", lang))
if len(pointed):
    st.info(t("no_boundary_note", lang, n=len(pointed), names="、".join(pointed["county_zh"])))

st.subheader(t("table_projects", lang))
table = overview.project_table(store.projects(viewer, filters), lang)
st.dataframe(table, hide_index=True, width="stretch",
             column_config={t("col_source", lang): st.column_config.LinkColumn()})
ui.download_csv(table, "projects.csv", key="dl_projects", viewer=viewer)
