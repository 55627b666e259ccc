"""地图探索 / Map explorer: nation → province → county → project cards, the view kept in the URL.

Every move (a click on the map, a breadcrumb, the list of counties, the search box, the metric)
is a callback that writes the whole new URL at once, before the run that draws it: one run and
one browser history entry per move, so Back and Forward walk the drill-down. The page writes the
URL itself only when it disagrees with what is shown (``explorer.url_agrees``).

The term playback (``term=20241``) is a view parameter like the others: the term selector and
◀ ▶ are moves; the play button advances one term every ~2 s (a fragment that reruns on a timer
while playing), each step one move, so Back walks the terms too."""

import time
from dataclasses import replace

import folium
import streamlit as st

from dashboard_lib import cache, explorer, maps, ui
from dashboard_lib.i18n import label, t, tm
from dashboard_lib.school_calendar import term_bounds, term_label, terms_until
from dashboard_lib.settings import load_settings
from dashboard_lib.ui.filters import link_query
from dashboard_lib.ui.mapview import show_map
from dashboard_lib.urlstate import as_of_text

page = ui.page("views/explorer.py")  # the sidebar validates ?province against the scope
lang, store, viewer, filters = page.lang, page.store, page.viewer, page.filters
basemap = load_settings().basemap
wgs84 = bool(basemap and basemap != "none")
latest = store.as_of()
terms = terms_until(filters.as_of or latest)  # the playback's terms, up to the sidebar's as-of
PLAY_SECONDS = 2.0
ALL_TERMS = 0  # the term selector's "no playback" (not None: no empty placeholder)


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


def _on_term() -> None:
    """The term selector changed: one move (one URL write, one history entry)."""
    current = _current()
    if current is not None:
        picked = st.session_state.get("explorer_term", ALL_TERMS)
        _move(replace(current, term=None if picked == ALL_TERMS else int(picked)))


def _step(step: int) -> None:
    """◀ or ▶: the previous or next term (from no term: the first, or the last)."""
    current = _current()
    if current is not None:
        nxt = explorer.step_term(current.term, terms, step)
        if nxt is not None:
            _move(replace(current, term=nxt))


def _on_play() -> None:
    """Play or pause; playing from no term (or the last one) starts at the first term."""
    playing = not st.session_state.get("explorer_playing", False)
    st.session_state["explorer_playing"] = playing
    current = _current()
    if playing and current is not None and current.term in (None, terms[-1]):
        _move(replace(current, term=terms[0]))
    st.session_state["explorer_play_at"] = time.monotonic()


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
params = {k: query.get(k) for k in ("level", "county", "metric", "classes", "term")}
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
parsed = explorer.parse_view(params, viewer, allowed, county_province, terms)
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

# the term playback: a selector, ◀ ▶, play / pause (the term is a view parameter in the URL)
playing = bool(st.session_state.get("explorer_playing")) and state.term is not None
st.session_state["explorer_playing"] = playing
st.session_state["explorer_term"] = state.term if state.term is not None else ALL_TERMS
p1, p2, p3, p4 = st.columns([3, 1, 1, 1], vertical_alignment="bottom")
p1.selectbox(
    t("play_term", lang),
    [ALL_TERMS, *terms],
    format_func=lambda c: t("play_all_terms", lang) if c == ALL_TERMS else term_label(c, lang),
    key="explorer_term",
    on_change=_on_term,
    help=t("play_help", lang),
)
p2.button(
    t("play_prev", lang),
    key="explorer_prev",
    on_click=_step,
    args=(-1,),
    disabled=state.term == terms[0],
    width="stretch",
)
p3.button(
    t("play_next", lang),
    key="explorer_next",
    on_click=_step,
    args=(1,),
    disabled=state.term == terms[-1],
    width="stretch",
)
p4.button(
    t("play_pause" if playing else "play_start", lang),
    key="explorer_play_button",
    on_click=_on_play,
    type="primary" if playing else "secondary",
    width="stretch",
)
# the map as of the term's last day (cached per term: the filters are part of the view's key)
map_filters = explorer.at_term(filters, state.term, latest)
if state.term is not None:
    shown_day = map_filters.as_of or filters.as_of or latest
    day = as_of_text(min(term_bounds(state.term)[1], shown_day), lang)
    st.caption(t("play_caption", lang, term=term_label(state.term, lang), date=day))

links = link_query()  # language and shared filters, for the cards' dossier links
if state.county is not None:
    links = {**links, "level": state.level, "county": str(state.county)}
with st.spinner(t("map_loading", lang)):
    # one build per (data, scope, filters, view, language), shared by every session asking for it
    view_key = cache.key_for(
        store,
        viewer,
        "explorer",
        map_filters,
        state,
        lang,
        show_flows,
        basemap,
        cache.frozen(links),
    )
    data = cache.PAGES.get(
        view_key,
        lambda: ui.geo_guard(
            explorer.view_data, store, viewer, map_filters, state, lang, show_flows, links
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


@st.fragment(run_every=PLAY_SECONDS if playing else None)
def _ticker() -> None:
    """While playing: every ~2 s after the map was drawn, one step to the next term (a move);
    the last term ends the playback."""
    if not st.session_state.get("explorer_playing"):
        return
    if time.monotonic() - st.session_state.get("explorer_play_at", 0.0) < PLAY_SECONDS - 0.1:
        return
    current = _current()
    nxt = explorer.step_term(current.term if current else None, terms, 1)
    if current is None or nxt is None:
        st.session_state["explorer_playing"] = False
    else:
        _move(replace(current, term=nxt))
    st.rerun()


if playing:
    st.session_state["explorer_play_at"] = time.monotonic()  # the next step 2 s from now
    _ticker()
