"""全国概览 / National overview (a one-province viewer's: 甘肃省概览): KPI cards, the map, the
project list. A damaged boundary file costs the map only: it says so in one sentence there."""

import streamlit as st

from dashboard_lib import cache, overview, ui
from dashboard_lib.geo import GeoDataError
from dashboard_lib.i18n import label, t, tm
from dashboard_lib.ui.mapview import show_map

page = ui.page("views/overview.py", "app_title", "app_subtitle")
lang, store, viewer, filters = page.lang, page.store, page.viewer, page.filters
# one build per (data, scope, filters, language), shared by every session that asks for it
approved = cache.approvals(store, viewer, filters.as_of)  # in the key: shows at once
view = cache.cached(overview.content, store, viewer, filters, lang, approved)
st.header(view.headings.page)
if view.banner:
    st.warning(view.banner, icon=":material/science:")

half = (len(view.kpis) + 1) // 2  # two rows: national-scale figures (e.g. 187,325) fit uncut
for row in (view.kpis[:half], view.kpis[half:]):
    for col, kpi in zip(st.columns(half), row):
        col.metric(kpi.label, kpi.value)
st.caption(view.kpi_status)

st.subheader(view.headings.map)
# The menu's value goes to the browser as its label: after a language switch the browser kept
# the old label ("项目数") while the page used the new one. Setting the value again on the first
# run in a new language sends the label in that language.
if st.session_state.get("_metric_lang") != lang and "metric" in st.session_state:
    st.session_state["metric"] = st.session_state["metric"]
st.session_state["_metric_lang"] = lang
metric = st.selectbox(
    t("metric", lang), overview.MAP_METRICS, format_func=lambda m: label(m, lang), key="metric"
)
try:
    pointed = cache.cached(overview.pointed_counties, store, viewer, filters)
    with st.spinner(t("map_loading", lang)):
        # render=False: st_folium renders the map itself again; the first, whole-page render was
        # a third of the build and gives the same HTML (tests/unit/test_bench_dense_map.py)
        show_map(
            cache.key_for(store, viewer, "overview_map", filters, metric, lang),
            lambda: overview.overview_map(store, viewer, filters, metric, lang, view.projects)[0],
            key="national_map",
            height=620,
            width=None,
            use_container_width=True,
            returned_objects=[],
            render=False,
        )
except GeoDataError as exc:  # the map's files only: the cards above and the list below stay
    st.error(t("geo_error", lang, msg=exc.message(lang)))
else:
    st.caption(t("map_caption", lang))
    if view.dense:
        st.caption(t("perf_dense_map_note", lang, n=len(view.projects)))
    if len(pointed):
        st.info(
            tm(
                "no_boundary_note",
                lang,
                n=len(pointed),
                names="、".join(pointed["county_zh"]),
            )
        )

st.subheader(t("table_projects", lang))
ui.rows(
    view.table,
    hide_index=True,
    width="stretch",
    column_config={t("col_source", lang): st.column_config.LinkColumn()},
)
ui.download_csv(view.table, "projects.csv", key="dl_projects", viewer=viewer)
