"""地图探索 / Map explorer: nation → province → county → project cards, the view kept in the URL.

Every move (a click on the map, a breadcrumb, the list of counties, the search box, the metric)
is a callback that writes the whole new URL at once, before the run that draws it: one run and
one browser history entry per move, so Back and Forward walk the drill-down. The page writes the
URL itself only when it disagrees with what is shown (``explorer.url_agrees``)."""

from dataclasses import replace

import folium
import streamlit as st

from dashboard_lib import cache, explorer, maps, ui
from dashboard_lib.i18n import label, t, tm
from dashboard_lib.settings import load_settings
from dashboard_lib.ui.filters import link_query
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
    """Put ``state`` in the URL in one write (one history entry); the sidebar's province
    follows the view on the next run."""
    st.query_params.from_dict(explorer.view_query(st.query_params.to_dict(), state))
    ui.set_province(state.province)  # the URL holds it already: no second entry


def _current() -> explorer.ViewState | None:
    return st.session_state.get("explorer_state")


def _on_map_click() -> None:
    """A click on the map, handled before the next run (one run per drill-down, not two): the
    clicked area's code is checked against the current view and the viewer's scope."""
    value = st.session_state.get("explorer_map") or {}
    code = explorer.code_from_tooltip(value.get("last_object_clicked_tooltip"))
    current = _current()
    if current is None:
        return
    target = explorer.drill(current, code, allowed, county_province)
    if target is not None:
        _move(target)


def _on_view_option() -> None:
    """The metric or the classification changed: one URL write."""
    current = _current()
    if current is not None:
        metric = st.session_state.get("explorer_metric", current.metric)
        method = st.session_state.get("explorer_method", current.method)
        _move(replace(current, metric=metric, method=method))


def _on_find() -> None:
    """A search entry picked: open its county (checked against the scope once more)."""
    key = st.session_state.get("explorer_find")
    st.session_state["explorer_find"] = None
    entry = next((f for f in _entries() if f.key == key), None)
    current = _current()
    if entry is None or current is None:
        return
    target = explorer.jump(current, entry, allowed, county_province)
    if target is not None:
        # a school found: its card comes first and outlined, while its county is open
        st.session_state["explorer_focus"] = (target.county, explorer.found_project(entry))
        _move(target)


def _entries() -> list[explorer.Found]:
    """The search box's entries: the viewer's projects under the shared filters except the
    province and prefecture (a search may lead to another province of the scope)."""
    wide = replace(filters, provinces=(), prefectures=())
    return cache.SMALL.get(
        cache.key_for(store, viewer, "explorer_find", wide, lang),
        lambda: explorer.find_entries(store.projects(viewer, wide), lang),
    )


allowed, county_province, county_names = cache.SMALL.get(
    cache.key_for(store, viewer, "explorer_ref"), _reference
)
query = st.query_params.to_dict()
params = {k: query.get(k) for k in ("level", "county", "metric", "classes")}
params["province"] = str(filters.provinces[0]) if filters.provinces else None
own = allowed[0] if len(allowed) == 1 else None  # an official of one province starts there
cp = params.get("county")
if (
    st.session_state.get("explorer_seen")
    and cp
    and cp.isdigit()
    and county_province.get(int(cp)) in allowed
    and county_province.get(int(cp)) != (filters.provinces[0] if filters.provinces else own)
):
    params["county"] = None  # the sidebar moved to another province: leave the old county quietly
st.session_state["explorer_seen"] = True
parsed = explorer.parse_view(params, viewer, allowed, county_province)
state = parsed.state
if parsed.refused:
    st.warning(t("explorer_refused", lang))
if not explorer.url_agrees(query, parsed):
    st.query_params.from_dict(explorer.view_query(query, state))
st.session_state["explorer_state"] = state  # small: what the callbacks move from

st.title(t("explorer_title", lang))
st.caption(t("explorer_intro", lang))

# the widgets show the URL's view (also after Back or Forward); a change is a move
st.session_state["explorer_metric"] = state.metric
st.session_state["explorer_method"] = state.method
c1, c2, c3 = st.columns([2, 2, 2])
c1.selectbox(
    t("explorer_metric", lang),
    explorer.METRICS,
    format_func=lambda m: label(m, lang),
    key="explorer_metric",
    on_change=_on_view_option,
)
c2.radio(
    t("explorer_method", lang),
    explorer.METHODS,
    horizontal=True,
    format_func=lambda m: label(m, lang),
    key="explorer_method",
    on_change=_on_view_option,
)
show_flows = c3.toggle(t("explorer_show_flows", lang), value=True, key="explorer_flows")

links = link_query()  # language and shared filters, for the cards' dossier links
if state.county is not None:
    links = {**links, "level": state.level, "county": str(state.county)}
with st.spinner(t("map_loading", lang)):
    # one build per (data, scope, filters, view, language), shared by every session asking for it
    view_key = cache.key_for(
        store, viewer, "explorer", filters, state, lang, show_flows, basemap, cache.frozen(links)
    )
    data = cache.PAGES.get(
        view_key,
        lambda: ui.geo_guard(
            explorer.view_data, store, viewer, filters, state, lang, show_flows, links
        ),
    )

# breadcrumb and back control: callbacks, so one run and one history entry per move
province_name = data.area_name.split(" ")[0] if state.province else None
crumbs = explorer.breadcrumb(data, province_name, county_names.get(state.county), lang)
cols = st.columns([1] * len(crumbs) + [1, 6 - len(crumbs)], vertical_alignment="center")
for i, (text, target) in enumerate(crumbs):
    if target is None:
        cols[i].markdown(f"**{text}**")
    else:
        cols[i].button(text, key=f"crumb_{i}", on_click=_move, args=(target,))
if state.level != "nation":
    cols[len(crumbs)].button(
        "↩ " + t("explorer_back", lang),
        key="explorer_back",
        on_click=_move,
        args=(explorer.up(state),),
    )

# the search sits in the breadcrumb's row: the row is as high on every level (no jump)
entries = _entries()
labels = {f.key: f.label for f in entries}
cols[-1].selectbox(
    t("explorer_find", lang),
    list(labels),
    index=None,
    format_func=lambda k: labels.get(k, k),
    placeholder=t("explorer_find_placeholder", lang),
    key="explorer_find",
    on_change=_on_find,
    label_visibility="collapsed",
)

# the province's helped counties, each one click away (the Corps' 师市 are tiny on the map);
# the box is there on every level, so the map keeps its place in the page and is not redrawn
box = st.container(key="explorer_counties_box")
if state.level != "nation":
    helped = explorer.helped_counties(data)
    if helped:
        box.markdown(t("explorer_counties_list", lang))
        with box.container(horizontal=True, key="explorer_counties"):
            for code, name in helped:
                st.button(
                    name,
                    key=f"county_{code}",
                    type="primary" if code == state.county else "secondary",
                    on_click=_move,
                    args=(replace(state, level="county", county=code),),
                )

if data.simulated_shown:
    st.warning(t("explorer_simulated_note", lang), icon=":material/science:")

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
    # the click count makes a second click on the same spot (after Back) a change too
    returned_objects=[
        "last_object_clicked_tooltip",
        "last_object_clicked",
        "last_object_clicked_count",
    ],
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
    focus = st.session_state.get("explorer_focus") or (None, None)
    shown = explorer.focus_first(data.cards, focus[1] if focus[0] == state.county else None)
    for card in shown:
        with st.container(border=True, key=f"card_{card['project_id']}"):
            if card.get("focus"):
                st.caption(t("explorer_found", lang))
            st.html(maps.cards_html([card], lang))
elif state.level == "province":
    st.info(t("explorer_pick_county", lang))
