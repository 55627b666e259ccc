"""The overview map at national scale: counties as dots and lines as one layer, still complete."""

from __future__ import annotations

import folium

from dashboard_lib import overview
from dashboard_lib.scope import Filters, Viewer


def walk(el):
    yield el
    for c in el._children.values():
        yield from walk(c)


def test_dense_map_draws_every_project_in_one_layer(demo_store, monkeypatch):
    monkeypatch.setattr(overview, "DENSE_PROJECTS", 10)  # the 115-project demo counts as dense
    projects = demo_store.projects(Viewer.ministry())
    m, pointed = overview.overview_map(demo_store, Viewer.ministry(), Filters(), "projects", "zh")
    html = m.get_root().render()
    assert len(pointed) == 0
    assert "L.polyline" not in html  # no per-project line elements
    layers = [el.data for el in walk(m) if isinstance(el, folium.GeoJson)]
    n_lines = max(sum(f["geometry"]["type"] == "LineString" for f in d["features"]) for d in layers)
    n_dots = max(sum(f["geometry"]["type"] == "Point" for f in d["features"]) for d in layers)
    assert n_lines == projects["university_lon"].notna().sum() == len(projects)
    assert n_dots == projects["county_adcode"].nunique()
    assert "帮扶县（圆点）" in html and "cdn" not in html.lower()
    # the layer control comes after the layers it lists
    assert html.rindex("L.control.layers") > html.rindex("L.geoJson")


def test_small_view_keeps_county_outlines(demo_store):
    m, pointed = overview.overview_map(
        demo_store, Viewer.province(620000), Filters(), "projects", "zh"
    )
    html = m.get_root().render()
    assert "帮扶县（圆点）" not in html
    helped = set(demo_store.projects(Viewer.province(620000))["county_adcode"]) - set(
        pointed["county_adcode"]
    )
    outlined = {
        f["properties"]["adcode"]
        for el in walk(m)
        if isinstance(el, folium.GeoJson)
        for f in el.data["features"]
        if f["geometry"]["type"] in ("Polygon", "MultiPolygon")
        and "adcode" in f["properties"]
        and f["properties"]["adcode"] < 620000 * 10
    }
    assert helped and helped <= outlined
    # lines and universities: one layer each, every project's line in it
    lines = [
        f
        for el in walk(m)
        if isinstance(el, folium.GeoJson)
        for f in el.data["features"]
        if f["geometry"]["type"] == "LineString"
    ]
    assert len(lines) == len(demo_store.projects(Viewer.province(620000)))
    assert "L.polyline" not in html


def test_st_folium_without_its_first_render_sends_the_same_map(demo_store):
    """views/overview.py passes render=False; what streamlit-folium sends must not change."""
    import re

    from streamlit_folium import _get_header, _get_html, _get_map_string

    norm = lambda x: re.sub(r"_[0-9a-f]{32}", "_ID", x)  # noqa: E731  (element ids are random)
    sent = []
    for first_render in (True, False):
        m, _ = overview.overview_map(
            demo_store, Viewer.province(620000), Filters(), "projects", "zh"
        )
        if first_render:
            m.get_root().render()
        m.render()
        sent.append([norm(_get_html(m)), norm(_get_header(m)), norm(_get_map_string(m))])
    assert sent[0] == sent[1] and len(sent[0][2]) > 10_000
