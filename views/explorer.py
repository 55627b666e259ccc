"""地图探索 / Map explorer: nation → province → county → project cards, the view kept in the URL."""

from dataclasses import replace

import folium
import streamlit as st

from dashboard_lib import cache, explorer, maps, ui
from dashboard_lib.i18n import label, t, tm
from dashboard_lib.settings import load_settings
from dashboard_lib.ui.mapview import show_map

page = ui.page("views/explorer.py")  # the sidebar validates ?province against the scope
lang, store, viewer, filters = page.lang, page.store, page.viewer, page.filters
basemap = load_settings().basemap
wgs84 = bool(basemap and basemap != "none")


def _reference():
    allowed = store.scope_provinces(viewer)["adcode"].astype(int).tolist()
    counties = store.counties()
    return (
        allowed,
        dict(zip(counties["adcode"].astype(int), counties["province_adcode"].astype(int))),
        dict(zip(counties["adcode"].astype(int), counties["name_zh"])),
    )


def _move(state: explorer.ViewState) -> None:
    """Put ``state`` in the URL: the province through the shared filter, the rest as parameters."""
    ui.set_province(state.province)
    for k, v in state.to_params().items():
        st.query_params[k] = v
    if state.county is None:
        st.query_params.pop("county", None)


def _go(state: explorer.ViewState) -> None:
    _move(state)
    st.rerun()


def _on_map_click() -> None:
    """A click on the map, handled before the next run (one run per drill-down, not two): the
    clicked area's code is checked against the current view and the viewer's scope."""
    value = st.session_state.get("explorer_map") or {}
    code = explorer.code_from_tooltip(value.get("last_object_clicked_tooltip"))
    current = st.session_state.get("explorer_state")
    if current is None:
        return
    target = explorer.drill(current, code, allowed, county_province)
    if target is not None:
        _move(target)


allowed, county_province, county_names = cache.SMALL.get(
    cache.key_for(store, viewer, "explorer_ref"), _reference
)
params = {k: st.query_params.get(k) for k in ("level", "county", "metric", "classes")}
params["province"] = str(filters.provinces[0]) if filters.provinces else None
cp = params.get("county")
if (
    st.session_state.get("explorer_seen")
    and cp
    and cp.isdigit()
    and county_province.get(int(cp)) in allowed
    and county_province.get(int(cp)) != (filters.provinces[0] if filters.provinces else None)
):
    params["county"] = None  # the sidebar moved to another province: leave the old county quietly
st.session_state["explorer_seen"] = True
parsed = explorer.parse_view(params, viewer, allowed, county_province)
state = parsed.state
if parsed.refused:
    st.warning(t("explorer_refused", lang))
for k, v in state.to_params().items():
    st.query_params[k] = v
if state.county is None:
    st.query_params.pop("county", None)

st.title(t("explorer_title", lang))
st.caption(t("explorer_intro", lang))

c1, c2, c3 = st.columns([2, 2, 2])
metric = c1.selectbox(
    t("explorer_metric", lang),
    explorer.METRICS,
    index=explorer.METRICS.index(state.metric),
    format_func=lambda m: label(m, lang),
    key="explorer_metric",
)
method = c2.radio(
    t("explorer_method", lang),
    explorer.METHODS,
    horizontal=True,
    index=explorer.METHODS.index(state.method),
    format_func=lambda m: label(m, lang),
    key="explorer_method",
)
show_flows = c3.toggle(t("explorer_show_flows", lang), value=True, key="explorer_flows")
if (metric, method) != (state.metric, state.method):
    state = replace(state, metric=metric, method=method)
    st.query_params["metric"] = metric
    st.query_params["classes"] = method

with st.spinner(t("map_loading", lang)):
    # one build per (data, scope, filters, view, language), shared by every session asking for it
    view_key = cache.key_for(store, viewer, "explorer", filters, state, lang, show_flows, basemap)
    data = cache.PAGES.get(
        view_key,
        lambda: ui.geo_guard(explorer.view_data, store, viewer, filters, state, lang, show_flows),
    )

# breadcrumb and back control
province_name = data.area_name.split(" ")[0] if state.province else None
crumbs = explorer.breadcrumb(data, province_name, county_names.get(state.county), lang)
cols = st.columns([1] * len(crumbs) + [1, 6 - len(crumbs)])
for i, (text, target) in enumerate(crumbs):
    if target is None:
        cols[i].markdown(f"**{text}**")
    elif cols[i].button(text, key=f"crumb_{i}"):
        _go(target)
if state.level != "nation" and cols[len(crumbs)].button(
    "↩ " + t("explorer_back", lang), key="explorer_back"
):
    _go(explorer.up(state))

if data.simulated_shown:
    st.warning(t("explorer_simulated_note", lang), icon=":material/science:")

st.session_state["explorer_state"] = state  # small: what the click handler drills from
show_map(
    view_key,
    lambda: (
        maps.explorer_base_map(lang, basemap),
        {
            "feature_group_to_add": explorer.view_layers(data, lang, wgs84=wgs84),
            "layer_control": folium.LayerControl(collapsed=True),
        },
    ),
    key="explorer_map",
    height=640,
    use_container_width=True,
    returned_objects=["last_object_clicked_tooltip", "last_object_clicked"],
    on_change=_on_map_click,
)

n_classes = len(data.layer.breaks)
st.caption(t("explorer_caption", lang, method=label(state.method, lang), k=n_classes))
if data.flows is not None:
    st.caption(
        t(
            "explorer_flow_rule",
            lang,
            cap=explorer.FLOW_CAP,
            n=len(data.flows),
            agg=t("explorer_flow_agg_note", lang) if data.aggregated else "",
        )
    )

if state.level == "county":
    st.subheader(tm("explorer_cards_title", lang, county=data.area_name, n=len(data.cards)))
    if not data.cards:
        st.info(t("explorer_no_cards", lang))
    for card in data.cards:
        with st.container(border=True):
            st.html(maps.cards_html([card], lang))
elif state.level == "province":
    st.info(t("explorer_pick_county", lang))
