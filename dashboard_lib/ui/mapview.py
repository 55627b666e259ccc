"""A folium map on a page, with what streamlit-folium sends to the browser computed once per view.

``st_folium`` turns a folium map into its component's arguments (the Leaflet script, the HTML, the
layer strings, bounds) on every run: for the national map that is most of the page's time (JSON
of the boundaries, Jinja templates, a Python walk over every coordinate for the bounds). Those
arguments depend only on the map, so :func:`show_map` asks ``st_folium`` itself for them once,
keeps them in :data:`cache.MAPS` under the caller's key (data version + scope + inputs, see
:func:`cache.key_for`) and hands them to the same component on later runs.

Only the on-change callback is made anew on every run: it belongs to the session that runs.

The component's key also carries a token of this server process (:data:`_PROCESS`). If the
server dies while a browser is still loading a map (the frame, streamlit-folium's script or
Leaflet), that frame keeps a blank map and nothing in it retries; and a reconnected page does not
rerun by itself (Streamlit reruns on reconnect only when a run was cut). On the first run the
restarted server makes for that page (any click, or R), the new token gives the map a new key,
so the browser makes a new frame and loads it from the live server (tests/unit/test_faults_runtime.py).
Within one process the key is stable, so the frame is kept between reruns as before.
"""

from __future__ import annotations

import copy
import secrets
import threading
from collections.abc import Callable, Hashable

import folium
import streamlit as st
import streamlit_folium

from .. import cache

# the component itself, taken once: _capture swaps the module attribute for a moment
_COMPONENT = streamlit_folium._component_func
_CAPTURE = threading.Lock()
# new each time the server starts: see the module's docstring
_PROCESS = secrets.token_hex(4)


def component_args(fmap: folium.Map, **st_folium_kwargs) -> dict:
    """The arguments ``st_folium(fmap, **st_folium_kwargs)`` passes to its frontend component,
    without the per-session ``on_change`` callback."""
    captured: dict = {}

    def grab(**kwargs):
        captured.update(kwargs)
        return kwargs.get("default")

    with _CAPTURE:
        streamlit_folium._component_func = grab
        try:
            streamlit_folium.st_folium(fmap, **st_folium_kwargs)
        finally:
            streamlit_folium._component_func = _COMPONENT
    if "script" not in captured:
        raise RuntimeError("streamlit-folium did not call its component; check the pinned version")
    captured.pop("on_change", None)
    return captured


def show_map(
    memo_key: Hashable,
    build: Callable[[], folium.Map | tuple[folium.Map, dict]],
    *,
    key: str,
    on_change: Callable[[], None] | None = None,
    **st_folium_kwargs,
):
    """Show the map ``build()`` makes, as ``st_folium(map, key=key, **st_folium_kwargs)`` would.

    ``build`` returns the map, or (map, more st_folium arguments that are costly to make, such
    as ``feature_group_to_add``); it only runs when ``memo_key`` (with ``key`` and the options)
    is not in the memo yet."""
    full_key = (memo_key, key, tuple(sorted((k, repr(v)) for k, v in st_folium_kwargs.items())))

    def compute() -> dict:
        built = build()
        fmap, more = built if isinstance(built, tuple) else (built, {})
        return component_args(fmap, key=key, **st_folium_kwargs, **more)

    args = cache.MAPS.get(full_key, compute)
    hash_key = f"{args['key']}-{_PROCESS}"

    def _on_change() -> None:  # what st_folium's own callback does, then the page's
        st.session_state[key] = st.session_state.get(hash_key, {})
        if on_change is not None:
            on_change()

    return _COMPONENT(
        **{**args, "key": hash_key, "default": first_value(args["default"])}, on_change=_on_change
    )


def first_value(default: dict) -> dict:
    """The component's default, as its frontend first reports it. streamlit-folium's Python
    default has ``last_object_clicked_count: None`` where its frontend starts from ``0``, so
    the first report after the map loaded differed from the default and set off a run of its
    own, a second or more after the page's: a menu link or a button clicked in that window was
    overtaken by it (the page stayed, the click was lost; issue 13). With the default the
    frontend starts from, that report equals it and sends nothing."""
    value = copy.deepcopy(default)
    if "last_object_clicked_count" in value and value["last_object_clicked_count"] is None:
        value["last_object_clicked_count"] = 0
    return value
