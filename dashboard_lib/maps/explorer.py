"""The map explorer's map (issue 3): a *stable base* (no tiles unless a basemap is configured,
the national outline with a South China Sea inset, scale bar, fullscreen) plus per-view feature
groups that streamlit-folium swaps in place (``feature_group_to_add``): a drill-down redraws the
layers, never the base map, so nothing flickers.

The layers are drawn from what ``dashboard_lib.explorer`` computed (an ``AreaLayer``, the lines,
the university points, the cards); nothing here imports the explorer. Every text is escaped here.
"""

from __future__ import annotations

import folium
import geopandas as gpd
import pandas as pd
from branca.element import MacroElement, Template

from .. import geo
from ..cache import static
from ..fmt import format_value
from ..i18n import t
from .cards import CardPopup, cards_html
from .classify import NO_DATA, class_colour, class_labels
from .geojson import feature_collection, geometry_json, to_wgs84_frame, to_wgs84_points
from .leaflet import (
    FLOW,
    HELPED,
    OUTSIDE,
    SELECTED,
    Fullscreen,
    MetricScale,
    OutlineWithInset,
    ViewScript,
    esc,
    legend_html,
    make_offline,
    script_json,
)
from .national import legend_title

NATION_FIT = [[17.0, 73.0], [53.8, 135.2]]  # mainland, Hainan and Taiwan; the inset shows the rest


class ClickWithoutScroll(MacroElement):
    """One click on an area drills, wherever the map sits on the page (issue 13).

    Leaflet's keyboard handler focuses the map's container on every mousedown. When the map's
    frame is not wholly on screen (the 640 px map at 1366×768 or 1400×1000), the browser then
    scrolls the *page* to show the focused container: the page jumped by up to ~300 px between
    mousedown and mouseup, the mouseup landed on another element (the background), and Leaflet
    saw no click. Here the container is focused without scrolling (``preventScroll``), so the
    keyboard still works after a click. The focus outline that a click left around the area's
    path (Leaflet makes paths with a tooltip focusable) is shown for keyboard focus only."""

    _template = Template("""
        {% macro header(this, kwargs) %}
        <style>.leaflet-container:focus:not(:focus-visible),
        .leaflet-interactive:focus:not(:focus-visible){outline:none}</style>
        {% endmacro %}
        {% macro script(this, kwargs) %}
        (function(map){
          var c = map.getContainer();
          c.focus = function(){ return HTMLElement.prototype.focus.call(c, {preventScroll: true}); };
        })({{ this._parent.get_name() }});
        {% endmacro %}
    """)

    def __init__(self):
        super().__init__()
        self._name = "ClickWithoutScroll"


@static
def _outline_json(wgs84: bool) -> str:
    """The shipped national outline as inline JSON (converted once per process and datum)."""
    outline = geo.load_outline()
    if wgs84:
        outline = to_wgs84_frame(outline)
    return script_json(feature_collection(outline[["layer", "geometry"]], precision=2))


def explorer_base_map(
    lang: str = "zh", basemap: str = "none", outline: gpd.GeoDataFrame | None = None
) -> folium.Map:
    """The stable part of the explorer map. ``basemap``: "none" (offline, default) or a tile URL
    template; with tiles the outline is moved to WGS-84 (the callers move the layers too).
    ``outline``: the national outline (default: the shipped one, converted once and kept)."""
    m = folium.Map(
        location=[35, 105],
        zoom_start=4,
        tiles=None,
        attribution_control=False,
        control_scale=False,
        zoom_control=True,
        zoom_snap=0.25,
        zoom_delta=0.5,
        prefer_canvas=False,
    )
    if basemap and basemap != "none":
        folium.TileLayer(
            tiles=basemap,
            attr=" ",
            name=t("explorer_layer_basemap", lang),
            overlay=False,
            control=False,
        ).add_to(m)
    wgs84 = bool(basemap and basemap != "none")
    if outline is None:
        data = _outline_json(wgs84)
    else:
        data = script_json(
            feature_collection(
                (to_wgs84_frame(outline) if wgs84 else outline)[["layer", "geometry"]], precision=2
            )
        )
    MetricScale().add_to(m)
    ClickWithoutScroll().add_to(m)
    Fullscreen(t("explorer_fullscreen", lang)).add_to(m)
    OutlineWithInset(data, t("explorer_inset", lang)).add_to(m)
    return make_offline(m)


def explorer_legend(
    layer, lang: str, level: str, flows_shown: bool, aggregated: bool, hidden: dict | None = None
) -> str:
    """The legend's HTML (every text escaped): metric classes (one "all equal" row when every
    value is the same), no data, outside, helped, lines and what of them is left out
    (``hidden``: ``flows.attrs["flows_hidden"]`` of ``explorer.flow_lines``)."""
    breaks = layer.breaks
    rows = []
    classed = layer.frame["value"][layer.frame["cls"].notna()] if len(layer.frame) else []
    for i, text in class_labels(
        breaks, classed, lambda v: format_value(v, layer.metric), lang, zero_is_data=True
    ):
        rows.append(("fill", class_colour(i, len(breaks)), esc(text)))
    rows.append(("fill", NO_DATA, esc(t("explorer_legend_nodata", lang))))
    if level == "nation":
        rows.append(("fill", OUTSIDE, esc(t("legend_outside", lang))))
    else:
        rows.append(("fill", OUTSIDE, esc(t("explorer_legend_unhelped", lang))))
        rows.append(("outline", HELPED, esc(t("legend_helped", lang))))
    if flows_shown:
        rows.append(
            (
                "line",
                FLOW,
                esc(t("explorer_legend_flow_agg" if aggregated else "explorer_legend_flow", lang)),
            )
        )
        rows.append(("dot", FLOW, esc(t("legend_university", lang))))
        if hidden and hidden["links"] > hidden["shown"]:
            note = t(
                "legend_flow_top",
                lang,
                shown=hidden["shown"],
                covered=f"{hidden['drawn_projects']:,}",
                total=f"{hidden['projects']:,}",
                hidden=f"{hidden['links'] - hidden['shown']:,}",
            )
            rows.append(("note", FLOW, esc(note)))
    return legend_html(legend_title(layer.metric, lang), rows)


def _area_style(f):
    p = f["properties"]
    if p["selected"]:
        return {"fillColor": p["fill"], "fillOpacity": 0.95, "color": SELECTED, "weight": 3.5}
    if p["helped"]:
        return {"fillColor": p["fill"], "fillOpacity": 0.9, "color": HELPED, "weight": 2.0}
    if p["inside"]:
        return {"fillColor": p["fill"], "fillOpacity": 0.9, "color": "#555", "weight": 1.0}
    return {"fillColor": p["fill"], "fillOpacity": 0.6, "color": "#aaa", "weight": 0.6}


def explorer_layers(
    layer,
    level: str,
    view_key: str,
    bounds,
    flows: pd.DataFrame | None,
    aggregated: bool = False,
    cards: list[dict] | None = None,
    card_point: tuple[float, float] | None = None,
    lang: str = "zh",
    wgs84: bool = False,
    universities: pd.DataFrame | None = None,
) -> list[folium.FeatureGroup]:
    """The feature groups of one view: areas (with the view script), flows, universities,
    and at county level the cards' popup. Every text is escaped here.

    ``universities``: the university points of ``flows`` (lat, lon, projects, tip — what
    ``explorer.universities(flows)`` gives, in GCJ-02 like ``flows``); drawn with the lines."""
    gdf = gpd.GeoDataFrame(layer.frame.copy(), geometry="geometry", crs="EPSG:4326")
    gdf["_row"] = range(len(gdf))
    n = len(layer.breaks)
    gdf["fill"] = [
        OUTSIDE if not (h or (i and level == "nation")) else class_colour(c, n)
        for h, i, c in zip(gdf["helped"], gdf["inside"], gdf["cls"].astype(object))
    ]
    gdf["cls"] = gdf["cls"].astype(object)
    gdf["tip"] = [esc(s).replace("\n", "<br>") for s in gdf["tip"]]
    if wgs84:
        gdf = to_wgs84_frame(gdf)
    # grey first, helped and selected last, so highlighted borders sit on top
    gdf["_order"] = (
        gdf["inside"].astype(int) + gdf["helped"].astype(int) + 2 * gdf["selected"].astype(int)
    )
    gdf = gdf.sort_values("_order", kind="stable")
    name = t("layer_provinces" if level == "nation" else "explorer_layer_counties", lang)
    areas = folium.FeatureGroup(name=name)
    props = ["adcode", "fill", "tip", "inside", "helped", "selected"]
    if layer.shapes is not None and not wgs84:
        shapes = [layer.shapes[i] for i in gdf["_row"]]
    else:
        shapes = geometry_json(gdf.geometry.tolist(), 3)
    records = gdf[props].astype(object).to_dict("records")
    features = [
        {
            "type": "Feature",
            "properties": {k: (v.item() if hasattr(v, "item") else v) for k, v in r.items()},
            "geometry": g,
        }
        for r, g in zip(records, shapes)
    ]
    folium.GeoJson(
        {"type": "FeatureCollection", "features": features},
        style_function=_area_style,
        highlight_function=lambda f: {"weight": 3, "color": "#222"},
        tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False),
    ).add_to(areas)
    if len(layer.points):
        lats, lons = layer.points["lat"].tolist(), layer.points["lon"].tolist()
        if wgs84:
            lats, lons = to_wgs84_points(lats, lons)
        for la, lo, tip in zip(lats, lons, layer.points["tip"]):
            folium.CircleMarker(
                [la, lo],
                radius=7,
                color=HELPED,
                weight=2,
                fill=True,
                fill_color=HELPED,
                fill_opacity=0.5,
                tooltip=esc(tip).replace("\n", "<br>"),
            ).add_to(areas)
    flows_shown = flows is not None and len(flows) > 0
    hidden = flows.attrs.get("flows_hidden") if flows is not None and flows_shown else None
    legend = explorer_legend(layer, lang, level, flows_shown, aggregated, hidden)
    ViewScript(
        view_key, bounds, legend, inset=(level == "nation"), max_zoom=9 if level == "county" else 8
    ).add_to(areas)
    groups = [areas]

    if flows_shown:
        assert flows is not None  # flows_shown says so
        fl = flows.copy()
        if wgs84:
            fl["from_lat"], fl["from_lon"] = to_wgs84_points(fl["from_lat"], fl["from_lon"])
            fl["to_lat"], fl["to_lon"] = to_wgs84_points(fl["to_lat"], fl["to_lon"])
        top = max(float(fl["activities"].max()), 1.0)
        feats = [
            {
                "type": "Feature",
                "properties": {"tip": esc(tip), "w": round(0.6 + 3.4 * (float(a) / top) ** 0.5, 2)},
                "geometry": {
                    "type": "LineString",
                    "coordinates": [[round(a1, 3), round(b1, 3)], [round(a2, 3), round(b2, 3)]],
                },
            }
            for tip, a, a1, b1, a2, b2 in zip(
                fl["tip"],
                fl["activities"],
                fl["from_lon"],
                fl["from_lat"],
                fl["to_lon"],
                fl["to_lat"],
            )
        ]
        fg = folium.FeatureGroup(name=t("layer_flows", lang))
        folium.GeoJson(
            {"type": "FeatureCollection", "features": feats},
            style_function=lambda f: {
                "color": FLOW,
                "weight": f["properties"]["w"],
                "opacity": 0.4,
            },
            tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False),
        ).add_to(fg)
        groups.append(fg)
    if flows_shown and universities is not None and len(universities):
        unis = universities
        if wgs84:
            unis = unis.copy()
            unis["lat"], unis["lon"] = to_wgs84_points(unis["lat"], unis["lon"])
            unis = unis.sort_values(["lat", "lon"], kind="stable")  # as grouped on moved lines
        fu = folium.FeatureGroup(name=t("layer_universities", lang))
        pts = [
            {
                "type": "Feature",
                "properties": {"tip": esc(tip), "r": round(3 + min(float(n), 12) ** 0.8, 1)},
                "geometry": {"type": "Point", "coordinates": [round(lo, 3), round(la, 3)]},
            }
            for la, lo, n, tip in zip(unis["lat"], unis["lon"], unis["projects"], unis["tip"])
        ]
        folium.GeoJson(
            {"type": "FeatureCollection", "features": pts},
            marker=folium.CircleMarker(
                radius=4, color="#1a365d", weight=1, fill=True, fill_color=FLOW, fill_opacity=0.9
            ),
            style_function=lambda f: {"radius": f["properties"]["r"]},
            tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False),
        ).add_to(fu)
        groups.append(fu)

    if cards and card_point is not None:
        la, lo = card_point
        if wgs84:
            (la,), (lo,) = to_wgs84_points([la], [lo])
        fc = folium.FeatureGroup(name=t("explorer_layer_cards", lang))
        marker = folium.CircleMarker(
            [la, lo], radius=6, color=SELECTED, fill=True, fill_color="#fff", fill_opacity=1
        )
        CardPopup(cards_html(cards, lang)).add_to(marker)
        marker.add_to(fc)
        groups.append(fc)
    return groups
