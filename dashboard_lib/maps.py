"""Folium map builders: pure functions from DataFrames to a ``folium.Map``, offline by default.

Nothing here fetches from the internet: no tiles (``tiles=None``), Leaflet served by the app from
``/app/static/leaflet/`` (``offline.py`` puts it there), no branca colour map (streamlit-folium
would add d3 from a CDN for one), a legend drawn as plain HTML. Every text that goes into the map's
HTML is escaped here.
"""
from __future__ import annotations

import html
import json

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
from branca.element import MacroElement, Template

from .i18n import label, t

LEAFLET_JS = "/app/static/leaflet/leaflet.js"
LEAFLET_CSS = "/app/static/leaflet/leaflet.css"

# Sequential classes (light → dark), the no-data and outside colours, and the feature colours.
PALETTE = ("#fde0c5", "#facba6", "#f59e72", "#e8684a", "#c73e3a")
NO_DATA = "#ffffff"
OUTSIDE = "#d9d9d9"
HELPED = "#ff7f0e"
FLOW = "#2b6cb0"
NATIONAL_BOUNDS = [[3.5, 73.0], [53.6, 135.1]]  # the whole territory, South China Sea included


def esc(value) -> str:
    """Text for map HTML: escaped, ``None`` as empty."""
    return "" if value is None or (isinstance(value, float) and np.isnan(value)) else html.escape(str(value))


def quantile_breaks(values, k: int = 5) -> list[float]:
    """Upper bounds of up to ``k`` quantile classes over the positive values (no-data excluded)."""
    v = np.asarray([x for x in values if x is not None and np.isfinite(x) and x > 0], dtype=float)
    if v.size == 0:
        return []
    qs = np.quantile(v, np.linspace(0, 1, k + 1)[1:])
    if np.all(v == np.round(v)):  # counts: whole-number class bounds
        qs = np.ceil(qs)
    return [float(q) for q in np.unique(qs)]


def classify(value, breaks: list[float]) -> int | None:
    """Class index of ``value`` (None for no data: missing, zero or not finite)."""
    if value is None or not np.isfinite(value) or value <= 0 or not breaks:
        return None
    for i, b in enumerate(breaks):
        if value <= b:
            return i
    return len(breaks) - 1


def class_colour(idx: int | None, n_classes: int) -> str:
    if idx is None:
        return NO_DATA
    # spread the classes present over the palette so 2 classes still contrast
    pos = 0 if n_classes <= 1 else round(idx * (len(PALETTE) - 1) / (n_classes - 1))
    return PALETTE[pos]


def _fmt(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 10 or float(value).is_integer() else f"{value:,.1f}"


def _geojson(gdf: gpd.GeoDataFrame, precision: int = 3) -> dict:
    """GeoJSON with coordinates snapped to 10^-precision degrees (0.001° ≈ 100 m: finer than a
    screen pixel at national and province zoom), which shrinks what the browser downloads."""
    snapped = gdf.set_geometry(gdf.geometry.set_precision(10 ** -precision))
    return json.loads(snapped.to_json(drop_id=True))


def make_offline(m: folium.Map) -> folium.Map:
    """Point every element's scripts and styles at the app's own copies, dropping the rest."""
    def walk(el):
        yield el
        for child in getattr(el, "_children", {}).values():
            yield from walk(child)

    for el in walk(m):
        if hasattr(el, "default_js"):
            el.default_js = [(n, LEAFLET_JS) for n, _ in el.default_js if n == "leaflet"]
        if hasattr(el, "default_css"):
            el.default_css = [(n, LEAFLET_CSS) for n, _ in el.default_css if n == "leaflet_css"]
    return m


class MetricScale(MacroElement):
    """A scale bar in metres and kilometres only (Leaflet's default adds miles)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        L.control.scale({imperial: false, metric: true}).addTo({{ this._parent.get_name() }});
        {% endmacro %}
    """)


class Legend(MacroElement):
    """A legend as plain HTML in the map's corner (no external script)."""

    _template = Template("""
        {% macro html(this, kwargs) %}
        <div class="xz-legend" style="position:absolute;z-index:1000;bottom:18px;left:12px;
             background:rgba(255,255,255,.92);padding:8px 10px;border-radius:6px;
             font:13px/1.45 'Noto Sans CJK SC','Noto Sans SC',sans-serif;box-shadow:0 1px 4px #999">
        {{ this.body }}
        </div>
        {% endmacro %}
    """)

    def __init__(self, body: str):
        super().__init__()
        self._name = "Legend"
        self.body = body


def legend_html(title: str, rows: list[tuple[str, str, str]]) -> str:
    """``rows``: (kind 'fill'|'line'|'dot'|'outline', colour, escaped label)."""
    out = [f"<b>{esc(title)}</b>"]
    for kind, colour, text in rows:
        if kind == "line":
            sw = f"<span style='display:inline-block;width:18px;height:0;border-top:2px solid {colour};vertical-align:middle'></span>"
        elif kind == "dot":
            sw = f"<span style='display:inline-block;width:10px;height:10px;border-radius:50%;background:{colour};margin:0 4px'></span>"
        elif kind == "outline":
            sw = f"<span style='display:inline-block;width:14px;height:10px;border:2px solid {colour}'></span>"
        else:
            sw = f"<span style='display:inline-block;width:14px;height:10px;background:{colour};border:1px solid #999'></span>"
        out.append(f"<div>{sw} {text}</div>")
    return "".join(out)


def national_map(provinces: gpd.GeoDataFrame, province_values: pd.DataFrame, metric: str,
                 outline: gpd.GeoDataFrame, helped_counties: gpd.GeoDataFrame | None = None,
                 flows: pd.DataFrame | None = None, lang: str = "zh",
                 bounds=None) -> folium.Map:
    """The national picture.

    provinces: every provincial unit (adcode, name_zh, geometry) — drawn, grey when outside.
    province_values: rows for the programme provinces in the viewer's scope: adcode, short_zh,
        name_en and the ``metric`` column. A province absent here is drawn grey ("outside").
    helped_counties: county polygons (adcode, name_zh, province_zh, projects) to outline.
    flows: one row per project with university_lon/lat, county_lon/lat, university_zh, school_zh.
    """
    m = folium.Map(location=[35, 105], zoom_start=4, tiles=None, attribution_control=False,
                   control_scale=False, zoom_control=True, zoom_snap=0.25, zoom_delta=0.5)
    MetricScale().add_to(m)
    m.get_root().header.add_child(folium.Element(
        "<style>.leaflet-container{background:#f4f7fb}</style>"))
    vals = province_values.set_index("adcode")
    breaks = quantile_breaks(vals[metric].tolist()) if len(vals) else []
    metric_label = label(metric, lang)

    gdf = provinces[["adcode", "name_zh", "geometry"]].copy()
    colours, tips = [], []
    for code, name in zip(gdf["adcode"], gdf["name_zh"]):
        if code in vals.index:
            row = vals.loc[code]
            shown = row["name_en"] if lang == "en" else row["short_zh"]
            v = float(row[metric])
            idx = classify(v, breaks)
            colours.append(class_colour(idx, len(breaks)))
            tips.append(esc(t("tooltip_province", lang, name=shown, metric=metric_label, value=_fmt(v)))
                        if idx is not None else esc(t("tooltip_no_data", lang, name=shown)))
        else:
            colours.append(OUTSIDE)
            tips.append(esc(t("tooltip_outside", lang, name=name)))
    gdf["fill"] = colours
    gdf["tip"] = tips
    gdf["inside"] = gdf["adcode"].isin(vals.index)
    # programme provinces last, so their borders sit on top of the grey ones
    gdf = gdf.sort_values("inside", kind="stable")
    fg = folium.FeatureGroup(name=t("layer_provinces", lang))
    folium.GeoJson(
        _geojson(gdf[["adcode", "fill", "tip", "inside", "geometry"]]),
        name=t("layer_provinces", lang),
        style_function=lambda f: {
            "fillColor": f["properties"]["fill"], "fillOpacity": 0.9 if f["properties"]["inside"] else 0.6,
            "color": "#555" if f["properties"]["inside"] else "#aaa",
            "weight": 1.0 if f["properties"]["inside"] else 0.6},
        highlight_function=lambda f: {"weight": 2.5, "color": "#222"},
        tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False),
    ).add_to(fg)
    fg.add_to(m)

    if helped_counties is not None and len(helped_counties):
        hc = helped_counties.copy()
        hc["tip"] = [esc(f"{p} {c}（{n}）") for p, c, n in
                     zip(hc["province_zh"], hc["name_zh"], hc["projects"])]
        fgc = folium.FeatureGroup(name=t("layer_counties", lang))
        folium.GeoJson(
            _geojson(hc[["adcode", "tip", "geometry"]]),
            style_function=lambda f: {"fillColor": HELPED, "fillOpacity": 0.35, "color": HELPED,
                                      "weight": 1.5},
            tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False),
        ).add_to(fgc)
        fgc.add_to(m)

    if flows is not None and len(flows):
        fgf = folium.FeatureGroup(name=t("layer_flows", lang))
        for r in flows.itertuples(index=False):
            folium.PolyLine([[r.university_lat, r.university_lon], [r.county_lat, r.county_lon]],
                            color=FLOW, weight=1.0, opacity=0.4,
                            tooltip=esc(f"{r.university_zh} → {r.school_zh}")).add_to(fgf)
        fgf.add_to(m)
        fgu = folium.FeatureGroup(name=t("layer_universities", lang))
        unis = flows.groupby(["university_zh", "university_lat", "university_lon"]).size().reset_index(name="n")
        for r in unis.itertuples(index=False):
            folium.CircleMarker([r.university_lat, r.university_lon], radius=3 + min(r.n, 6),
                                color="#1a365d", weight=1, fill=True, fill_color=FLOW, fill_opacity=0.9,
                                tooltip=esc(f"{r.university_zh}（{r.n}）")).add_to(fgu)
        fgu.add_to(m)

    fgo = folium.FeatureGroup(name=t("layer_outline", lang))
    land = outline[outline["layer"] == "land"]
    sea = outline[outline["layer"] != "land"]
    if len(land):
        folium.GeoJson(_geojson(land[["geometry"]]), style_function=lambda f: {
            "fill": False, "color": "#333", "weight": 1.2}, interactive=False).add_to(fgo)
    if len(sea):
        folium.GeoJson(_geojson(sea[["geometry"]]), style_function=lambda f: {
            "fill": False, "color": "#333", "weight": 1.2, "dashArray": "6 4"},
            interactive=False).add_to(fgo)
    fgo.add_to(m)

    rows = [("fill", class_colour(i, len(breaks)),
             esc(f"≤ {_fmt(b)}" if i == 0 else f"{_fmt(breaks[i - 1])} – {_fmt(b)}"))
            for i, b in enumerate(breaks)]
    rows += [("fill", NO_DATA, esc(t("legend_nodata", lang))),
             ("fill", OUTSIDE, esc(t("legend_outside", lang))),
             ("outline", HELPED, esc(t("legend_helped", lang)))]
    if flows is not None and len(flows):
        rows += [("line", FLOW, esc(t("legend_flow", lang)))]
    Legend(legend_html(metric_label, rows)).add_to(m)
    folium.LayerControl(collapsed=True).add_to(m)
    m.fit_bounds(bounds or NATIONAL_BOUNDS)
    return make_offline(m)
