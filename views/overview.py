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
half = (len(cards) + 1) // 2   # two rows: national-scale figures (e.g. 187,325) fit uncut
for row in (cards[:half], cards[half:]):
    for col, kpi in zip(st.columns(half), row):
        col.metric(kpi.label, kpi.value)

st.subheader(t("map_title", lang))
metric = st.selectbox(t("metric", lang), overview.MAP_METRICS, format_func=lambda m: label(m, lang),
                      key="metric")
projects = store.projects(viewer, filters)
with st.spinner(t("map_loading", lang)):
    fmap, pointed = ui.geo_guard(overview.overview_map, store, viewer, filters, metric, lang, projects)
# render=False: st_folium renders the map itself again below; the first, whole-page render was
# a third of the page's time and gives the same HTML (checked in tests/test_bench_dense_map.py)
st_folium(fmap, height=620, width=None, use_container_width=True, returned_objects=[], key="national_map",
          render=False)
st.caption(t("map_caption", lang))
if overview.is_dense(len(projects)):
    st.caption(t("perf_dense_map_note", lang, n=len(projects)))
if len(pointed):
    st.info(t("no_boundary_note", lang, n=len(pointed), names="、".join(pointed["county_zh"])))

st.subheader(t("table_projects", lang))
table = overview.project_table(projects, lang)
st.dataframe(table, hide_index=True, width="stretch",
             column_config={t("col_source", lang): st.column_config.LinkColumn()})
ui.download_csv(table, "projects.csv", key="dl_projects", viewer=viewer)
