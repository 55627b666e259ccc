"""全国概览 / National overview: KPI cards, the national map, the project list."""

import streamlit as st

from dashboard_lib import cache, overview, ui
from dashboard_lib.i18n import label, t, tm
from dashboard_lib.ui.mapview import show_map

page = ui.page("views/overview.py", "app_title", "app_subtitle")
lang, store, viewer, filters = page.lang, page.store, page.viewer, page.filters
# one build per (data, scope, filters, language), shared by every session that asks for it
view = ui.geo_guard(cache.cached, overview.content, store, viewer, filters, lang)
if view.banner:
    st.warning(view.banner, icon=":material/science:")

half = (len(view.kpis) + 1) // 2  # two rows: national-scale figures (e.g. 187,325) fit uncut
for row in (view.kpis[:half], view.kpis[half:]):
    for col, kpi in zip(st.columns(half), row):
        col.metric(kpi.label, kpi.value)

st.subheader(t("map_title", lang))
metric = st.selectbox(
    t("metric", lang), overview.MAP_METRICS, format_func=lambda m: label(m, lang), key="metric"
)
with st.spinner(t("map_loading", lang)):
    # render=False: st_folium renders the map itself again; the first, whole-page render was a
    # third of the build and gives the same HTML (checked in tests/unit/test_bench_dense_map.py)
    show_map(
        cache.key_for(store, viewer, "overview_map", filters, metric, lang),
        lambda: ui.geo_guard(
            overview.overview_map, store, viewer, filters, metric, lang, view.projects
        )[0],
        key="national_map",
        height=620,
        width=None,
        use_container_width=True,
        returned_objects=[],
        render=False,
    )
st.caption(t("map_caption", lang))
if view.dense:
    st.caption(t("perf_dense_map_note", lang, n=len(view.projects)))
if len(view.pointed):
    st.info(
        tm(
            "no_boundary_note",
            lang,
            n=len(view.pointed),
            names="、".join(view.pointed["county_zh"]),
        )
    )

st.subheader(t("table_projects", lang))
st.dataframe(
    view.table,
    hide_index=True,
    width="stretch",
    column_config={t("col_source", lang): st.column_config.LinkColumn()},
)
ui.download_csv(view.table, "projects.csv", key="dl_projects", viewer=viewer)
