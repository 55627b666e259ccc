"""Folium map builders: pure functions from DataFrames to a ``folium.Map``, offline by default.

Nothing here fetches from the internet: no tiles (``tiles=None``), Leaflet served by the app from
``/app/static/leaflet/`` (``offline.py`` puts it there), no branca colour map (streamlit-folium
would add d3 from a CDN for one), a legend drawn as plain HTML. Every text that goes into the map's
HTML is escaped here.
"""

from __future__ import annotations

import html
import json
from functools import lru_cache

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
    return (
        ""
        if value is None or (isinstance(value, float) and np.isnan(value))
        else html.escape(str(value))
    )


def quantile_breaks(values, k: int = 5) -> list[float]:
    """Upper bounds of up to ``k`` quantile classes over the positive values (no-data excluded)."""
    return quantile_bounds(
        np.asarray([x for x in values if x is not None and np.isfinite(x) and x > 0], dtype=float),
        k,
    )


def quantile_bounds(v: np.ndarray, k: int) -> list[float]:
    """Upper bounds of up to ``k`` quantile classes of the clean values ``v`` (linear
    interpolation; rounded up to whole numbers when every value is whole), duplicates dropped."""
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


def class_colour(idx: int | float | None, n_classes: int) -> str:
    """Colour of class ``idx``; None or NaN (a frame's empty cell) is the no-data class."""
    if idx is None or (isinstance(idx, float) and np.isnan(idx)):
        return NO_DATA
    idx = int(idx)
    # spread the classes present over the palette so 2 classes still contrast
    pos = 0 if n_classes <= 1 else round(idx * (len(PALETTE) - 1) / (n_classes - 1))
    return PALETTE[pos]


def _fmt(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 10 or float(value).is_integer() else f"{value:,.1f}"


_GEOMETRY_JSON: dict[tuple, dict] = {}  # (layer, precision, key) -> GeoJSON geometry (static data)


def _geojson(
    gdf: gpd.GeoDataFrame, precision: int = 3, cache: tuple[str, str] | None = None
) -> dict:
    """GeoJSON with coordinates snapped to 10^-precision degrees (0.001° ≈ 100 m: finer than a
    screen pixel at national and province zoom), which shrinks what the browser downloads.

    ``cache=(layer, key column or None for the index)``: the boundaries are static, so each one's
    snapped GeoJSON is made once per process and reused (``layer`` names one source of
    geometries, the key is unique in it). Shapely
    writes the GeoJSON in C; the properties are the frame's other columns."""
    geoms = gdf.geometry.values
    ids = (gdf.index if cache[1] is None else gdf[cache[1]]).tolist() if cache else []
    keys = [(cache[0], precision, k) for k in ids] if cache else None
    todo = [i for i, k in enumerate(keys) if k not in _GEOMETRY_JSON] if keys else range(len(gdf))
    made = []
    if len(todo):
        import shapely

        snapped = shapely.set_precision(np.asarray(geoms[list(todo)], dtype=object), 10**-precision)
        made = json.loads("[" + ",".join(shapely.to_geojson(snapped)) + "]")
    if keys:
        for i, g in zip(todo, made):
            _GEOMETRY_JSON[keys[i]] = g
        shapes = [_GEOMETRY_JSON[k] for k in keys]
    else:
        shapes = made
    props = [c for c in gdf.columns if c != gdf.geometry.name]
    frame = gdf[props].astype(object)
    records = frame.where(frame.notna(), None).to_dict("records")  # NaN is not JSON: null
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {k: (v.item() if hasattr(v, "item") else v) for k, v in r.items()},
                "geometry": g,
            }
            for r, g in zip(records, shapes)
        ],
    }


class _GeoJson(folium.GeoJson):
    """``folium.GeoJson`` told its bounds (from the geometries' own bounds, vectorised): folium
    would otherwise walk every coordinate in Python each time the map's bounds are asked for."""

    def __init__(self, data: dict, frame: gpd.GeoDataFrame, **kwargs):
        super().__init__(data, **kwargs)
        x0, y0, x1, y1 = frame.total_bounds
        self._bounds = [[float(y0), float(x0)], [float(y1), float(x1)]]

    def _get_self_bounds(self):
        return self._bounds


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


def national_map(
    provinces: gpd.GeoDataFrame,
    province_values: pd.DataFrame,
    metric: str,
    outline: gpd.GeoDataFrame,
    helped_counties: gpd.GeoDataFrame | None = None,
    flows: pd.DataFrame | None = None,
    lang: str = "zh",
    bounds=None,
) -> folium.Map:
    """The national picture.

    provinces: every provincial unit (adcode, name_zh, geometry) — drawn, grey when outside.
    province_values: rows for the programme provinces in the viewer's scope: adcode, short_zh,
        name_en and the ``metric`` column. A province absent here is drawn grey ("outside").
    helped_counties: county polygons (adcode, name_zh, province_zh, projects) to outline.
    flows: one row per project with university_lon/lat, county_lon/lat, university_zh, school_zh.
    """
    m = folium.Map(
        location=[35, 105],
        zoom_start=4,
        tiles=None,
        attribution_control=False,
        control_scale=False,
        zoom_control=True,
        zoom_snap=0.25,
        zoom_delta=0.5,
    )
    MetricScale().add_to(m)
    m.get_root().header.add_child(
        folium.Element("<style>.leaflet-container{background:#f4f7fb}</style>")
    )
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
            tips.append(
                esc(t("tooltip_province", lang, name=shown, metric=metric_label, value=_fmt(v)))
                if idx is not None
                else esc(t("tooltip_no_data", lang, name=shown))
            )
        else:
            colours.append(OUTSIDE)
            tips.append(esc(t("tooltip_outside", lang, name=name)))
    gdf["fill"] = colours
    gdf["tip"] = tips
    gdf["inside"] = gdf["adcode"].isin(vals.index)
    # programme provinces last, so their borders sit on top of the grey ones
    gdf = gdf.sort_values("inside", kind="stable")
    fg = folium.FeatureGroup(name=t("layer_provinces", lang))
    _GeoJson(
        _geojson(
            gdf[["adcode", "fill", "tip", "inside", "geometry"]],
            cache=("national_provinces", "adcode"),
        ),
        gdf,
        name=t("layer_provinces", lang),
        style_function=lambda f: {
            "fillColor": f["properties"]["fill"],
            "fillOpacity": 0.9 if f["properties"]["inside"] else 0.6,
            "color": "#555" if f["properties"]["inside"] else "#aaa",
            "weight": 1.0 if f["properties"]["inside"] else 0.6,
        },
        highlight_function=lambda f: {"weight": 2.5, "color": "#222"},
        tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False),
    ).add_to(fg)
    fg.add_to(m)

    if helped_counties is not None and len(helped_counties):
        hc = helped_counties.copy()
        hc["tip"] = [
            esc(f"{p} {c}（{n}）")
            for p, c, n in zip(hc["province_zh"], hc["name_zh"], hc["projects"])
        ]
        fgc = folium.FeatureGroup(name=t("layer_counties", lang))
        _GeoJson(
            _geojson(hc[["adcode", "tip", "geometry"]], cache=("national_counties", "adcode")),
            hc,
            style_function=lambda f: {
                "fillColor": HELPED,
                "fillOpacity": 0.35,
                "color": HELPED,
                "weight": 1.5,
            },
            tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False),
        ).add_to(fgc)
        fgc.add_to(m)

    if flows is not None and len(flows):
        flow_layer(flows, lang).add_to(m)
        university_layer(flows, lang).add_to(m)

    fgo = folium.FeatureGroup(name=t("layer_outline", lang))
    land = outline[outline["layer"] == "land"]
    sea = outline[outline["layer"] != "land"]
    if len(land):
        _GeoJson(
            _geojson(land[["geometry"]], cache=("national_land", None)),
            land,
            style_function=lambda f: {"fill": False, "color": "#333", "weight": 1.2},
            interactive=False,
        ).add_to(fgo)
    if len(sea):
        _GeoJson(
            _geojson(sea[["geometry"]], cache=("national_sea", None)),
            sea,
            style_function=lambda f: {
                "fill": False,
                "color": "#333",
                "weight": 1.2,
                "dashArray": "6 4",
            },
            interactive=False,
        ).add_to(fgo)
    fgo.add_to(m)

    rows = [
        (
            "fill",
            class_colour(i, len(breaks)),
            esc(f"≤ {_fmt(b)}" if i == 0 else f"{_fmt(breaks[i - 1])} – {_fmt(b)}"),
        )
        for i, b in enumerate(breaks)
    ]
    rows += [
        ("fill", NO_DATA, esc(t("legend_nodata", lang))),
        ("fill", OUTSIDE, esc(t("legend_outside", lang))),
        ("outline", HELPED, esc(t("legend_helped", lang))),
    ]
    if flows is not None and len(flows):
        rows += [("line", FLOW, esc(t("legend_flow", lang)))]
    Legend(legend_html(metric_label, rows)).add_to(m)
    folium.LayerControl(collapsed=True).add_to(m)
    m.fit_bounds(bounds or NATIONAL_BOUNDS)
    return make_offline(m)


def flow_layer(projects: pd.DataFrame, lang: str = "zh") -> folium.FeatureGroup:
    """One line per project, university → county, as ONE GeoJSON layer (a folium element per
    line made the map's build several times slower); projects without a university point are
    left out. Columns: university_zh/lon/lat, school_zh, county_lon/lat."""
    lines = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {
                    "type": "LineString",
                    "coordinates": [
                        [round(ulon, 3), round(ulat, 3)],
                        [round(clon, 3), round(clat, 3)],
                    ],
                },
                "properties": {"tip": esc(f"{u} → {s}")},
            }
            for u, s, ulon, ulat, clon, clat in zip(
                projects["university_zh"],
                projects["school_zh"],
                projects["university_lon"],
                projects["university_lat"],
                projects["county_lon"],
                projects["county_lat"],
            )
            if pd.notna(ulon) and pd.notna(ulat)
        ],
    }
    fg = folium.FeatureGroup(name=t("layer_flows", lang))
    folium.GeoJson(
        lines,
        style_function=lambda f: {"color": FLOW, "weight": 1.0, "opacity": 0.4},
        tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False),
    ).add_to(fg)
    return fg


def university_layer(projects: pd.DataFrame, lang: str = "zh") -> folium.FeatureGroup:
    """The universities of ``projects`` as circles sized by their project count, one GeoJSON layer."""
    unis = (
        projects.dropna(subset=["university_lat", "university_lon"])
        .groupby(["university_zh", "university_lat", "university_lon"])
        .size()
        .reset_index(name="n")
    )
    points = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [round(lon, 3), round(lat, 3)]},
                "properties": {"tip": esc(f"{u}（{n}）"), "r": 3 + min(int(n), 6)},
            }
            for u, lat, lon, n in zip(
                unis["university_zh"], unis["university_lat"], unis["university_lon"], unis["n"]
            )
        ],
    }
    fg = folium.FeatureGroup(name=t("layer_universities", lang))
    folium.GeoJson(
        points,
        marker=folium.CircleMarker(
            radius=4, color="#1a365d", weight=1, fill=True, fill_color=FLOW, fill_opacity=0.9
        ),
        style_function=lambda f: {"radius": f["properties"]["r"]},
        tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False),
    ).add_to(fg)
    return fg


# ============================================================================ the map explorer
# The explorer's map is a *stable base* (no tiles unless a basemap is configured, the national
# outline with a South China Sea inset, scale bar, fullscreen) plus per-view feature groups that
# streamlit-folium swaps in place (``feature_group_to_add``): a drill-down redraws the layers,
# never the base map, so nothing flickers.
SELECTED = "#1a202c"
NATION_FIT = [[17.0, 73.0], [53.8, 135.2]]  # mainland, Hainan and Taiwan; the inset shows the rest
SCS_INSET = [[3.4, 106.0], [24.6, 123.5]]


def geometry_json(geoms, precision: int = 3) -> list[dict]:
    """GeoJSON geometry dicts of shapely geometries, coordinates rounded to ``precision``
    decimals (a display copy: rounding is ~20× faster than a topology-safe snap, and a sliver
    below 0.001° is invisible at the zooms the explorer allows)."""
    import shapely

    arr = shapely.transform(np.asarray(geoms, dtype=object), lambda c: np.round(c, precision))
    return json.loads("[" + ",".join(shapely.to_geojson(arr)) + "]") if len(arr) else []


def _script_json(value) -> str:
    """JSON for inlining in a <script>: no ``</`` can close the script element."""
    return json.dumps(value, ensure_ascii=False).replace("</", "<\\/")


def to_wgs84_frame(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Geometries moved from GCJ-02 (AMap) to WGS-84, for standard web tiles."""
    import shapely

    from . import geo

    def move(coords: np.ndarray) -> np.ndarray:
        return np.array([geo.to_wgs84(float(x), float(y)) for x, y in coords]).reshape(coords.shape)

    out = gdf.copy()
    out["geometry"] = shapely.transform(np.asarray(gdf.geometry.values), move)
    return gpd.GeoDataFrame(out, geometry="geometry", crs=gdf.crs)


def to_wgs84_points(lats, lons) -> tuple[list[float], list[float]]:
    from . import geo

    moved = [geo.to_wgs84(float(lo), float(la)) for la, lo in zip(lats, lons)]
    return [m[1] for m in moved], [m[0] for m in moved]


class Fullscreen(MacroElement):
    """A fullscreen button (the app's own few lines; no plugin, nothing from a CDN). Uses the
    Fullscreen API where the frame allows it, else fills the frame."""

    _template = Template("""
        {% macro header(this, kwargs) %}
        <style>.xz-fake-full{position:fixed!important;left:0;top:0;width:100vw!important;
        height:100vh!important;z-index:99999}
        .xz-fs a{font:18px/30px sans-serif;text-align:center;cursor:pointer}</style>
        {% endmacro %}
        {% macro script(this, kwargs) %}
        (function(map){
          var Ctl = L.Control.extend({options:{position:'topleft'}, onAdd:function(){
            var box = L.DomUtil.create('div','leaflet-bar xz-fs');
            var a = L.DomUtil.create('a','',box); a.href='#'; a.role='button';
            a.title = {{ this.title_json }}; a.setAttribute('aria-label', a.title); a.innerHTML={{ this.icon_json }};
            L.DomEvent.on(a,'click',function(e){
              L.DomEvent.stop(e);
              var c = map.getContainer();
              var fake = function(){ c.classList.toggle('xz-fake-full'); map.invalidateSize(); };
              if (document.fullscreenElement) { document.exitFullscreen(); }
              else if (c.classList.contains('xz-fake-full')) { fake(); }
              else if (c.requestFullscreen && document.fullscreenEnabled) {
                c.requestFullscreen().catch(fake);
              } else { fake(); }
            });
            document.addEventListener('fullscreenchange', function(){ map.invalidateSize(); });
            return box; }});
          new Ctl().addTo(map);
        })({{ this._parent.get_name() }});
        {% endmacro %}
    """)

    def __init__(self, title: str):
        super().__init__()
        self._name = "Fullscreen"
        self.title_json = _script_json(title)
        self.icon_json = _script_json(
            "<svg width='14' height='14' viewBox='0 0 14 14' style='vertical-align:middle'>"
            "<path d='M1 5V1h4M9 1h4v4M13 9v4H9M5 13H1V9' fill='none' stroke='#333' "
            "stroke-width='2'/></svg>"
        )


class OutlineWithInset(MacroElement):
    """The national outline (land border, the dashed line) on the map, and a South China Sea
    inset in the lower right showing the islands and the dashed line in full. Each view's script
    shows or hides the inset (``window.xzInset``)."""

    _template = Template("""
        {% macro header(this, kwargs) %}
        <style>.xz-inset{width:150px;height:210px;border:1px solid #555;background:#f4f7fb;
        box-shadow:0 1px 4px #999}
        .xz-inset-cap{position:absolute;bottom:2px;right:4px;z-index:800;font:11px sans-serif;color:#333}
        .leaflet-container{background:#f4f7fb}</style>
        {% endmacro %}
        {% macro script(this, kwargs) %}
        (function(map){
          var data = {{ this.data_json }};
          var style = function(f){ return f.properties.layer === 'land'
              ? {fill:false, color:'#333', weight:1.2}
              : {fill:false, color:'#333', weight:1.2, dashArray:'6 4'}; };
          L.geoJSON(data, {style: style, interactive: false}).addTo(map);
          var Inset = L.Control.extend({options:{position:'bottomright'}, onAdd:function(){
            var d = L.DomUtil.create('div','xz-inset');
            L.DomEvent.disableClickPropagation(d); L.DomEvent.disableScrollPropagation(d);
            return d; }});
          var ctl = new Inset().addTo(map);
          var div = ctl.getContainer();
          var inset = L.map(div, {zoomControl:false, attributionControl:false, dragging:false,
              scrollWheelZoom:false, doubleClickZoom:false, boxZoom:false, keyboard:false,
              touchZoom:false, zoomSnap:0.1});
          L.geoJSON(data, {style: style, interactive: false}).addTo(inset);
          inset.fitBounds({{ this.inset_bounds }});
          var cap = L.DomUtil.create('div','xz-inset-cap',div); cap.textContent = {{ this.caption_json }};
          window.xzInset = div; window.xzInsetMap = inset;
        })({{ this._parent.get_name() }});
        {% endmacro %}
    """)

    def __init__(self, data_json: str, caption: str):
        super().__init__()
        self._name = "OutlineWithInset"
        self.data_json = data_json
        self.caption_json = _script_json(caption)
        self.inset_bounds = json.dumps(SCS_INSET)


class ViewScript(MacroElement):
    """Per-view behaviour, evaluated each time the view's layers are swapped in: frame the view
    (only when the level or area changed, so a metric change keeps the user's zoom), replace the
    legend, show the inset only at national level."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function(map){
          var key = {{ this.key_json }};
          if (window.xzViewKey !== key) {
            window.xzViewKey = key;
            map.fitBounds({{ this.bounds }}, {maxZoom: {{ this.max_zoom }}});
          }
          if (window.xzLegend) { map.removeControl(window.xzLegend); }
          var Lg = L.Control.extend({options:{position:'bottomleft'}, onAdd:function(){
            var d = L.DomUtil.create('div','xz-legend');
            d.style.cssText = 'background:rgba(255,255,255,.92);padding:8px 10px;border-radius:6px;'
              + "font:12px/1.4 'Noto Sans CJK SC','Noto Sans SC',sans-serif;box-shadow:0 1px 4px #999";
            d.innerHTML = {{ this.legend_json }};
            return d; }});
          window.xzLegend = new Lg().addTo(map);
          if (window.xzInset) {
            window.xzInset.style.display = {{ this.inset_json }} ? 'block' : 'none';
            if ({{ this.inset_json }} && window.xzInsetMap) { window.xzInsetMap.invalidateSize(); }
          }
        })({{ this._parent._parent.get_name() }});
        {% endmacro %}
    """)

    def __init__(self, key: str, bounds, legend: str, inset: bool, max_zoom: int = 10):
        super().__init__()
        self._name = "ViewScript"
        self.key_json = _script_json(key)
        self.bounds = json.dumps([[round(float(a), 4), round(float(b), 4)] for a, b in bounds])
        self.legend_json = _script_json(legend)
        self.inset_json = "true" if inset else "false"
        self.max_zoom = int(max_zoom)


@lru_cache(maxsize=4)
def _outline_json(wgs84: bool) -> str:
    from . import geo

    outline = geo.load_outline()
    if wgs84:
        outline = to_wgs84_frame(outline)
    return _script_json(_geojson(outline[["layer", "geometry"]], precision=2))


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
        data = _script_json(
            _geojson(
                (to_wgs84_frame(outline) if wgs84 else outline)[["layer", "geometry"]], precision=2
            )
        )
    MetricScale().add_to(m)
    Fullscreen(t("explorer_fullscreen", lang)).add_to(m)
    OutlineWithInset(data, t("explorer_inset", lang)).add_to(m)
    return make_offline(m)


def explorer_legend(layer, lang: str, level: str, flows_shown: bool, aggregated: bool) -> str:
    """The legend's HTML (every text escaped): metric classes, no data, outside, helped, lines."""
    from .explorer import format_value

    breaks = layer.breaks
    rows = []
    for i, b in enumerate(breaks):
        lo = None if i == 0 else breaks[i - 1]
        text = (
            f"≤ {format_value(b, layer.metric)}"
            if lo is None
            else f"{format_value(lo, layer.metric)} – {format_value(b, layer.metric)}"
        )
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
    return legend_html(label(layer.metric, lang), rows)


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
) -> list[folium.FeatureGroup]:
    """The feature groups of one view: areas (with the view script), flows, universities,
    and at county level the cards' popup. Every text is escaped here."""
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
    legend = explorer_legend(layer, lang, level, flows_shown, aggregated)
    ViewScript(
        view_key, bounds, legend, inset=(level == "nation"), max_zoom=9 if level == "county" else 8
    ).add_to(areas)
    groups = [areas]

    if flows_shown:
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
        from .explorer import universities

        unis = universities(fl)
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


class CardPopup(MacroElement):
    """The cards as the parent marker's popup, opened once the layer is on the map. (folium's
    Popup builds its content with jQuery, which the offline app does not load.) ``body`` must be
    escaped HTML (``cards_html``)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        {{ this._parent.get_name() }}.bindPopup({{ this.body_json }}, {maxWidth: 360, autoPan: true});
        setTimeout(function(){ try { {{ this._parent.get_name() }}.openPopup(); } catch (e) {} }, 80);
        {% endmacro %}
    """)

    def __init__(self, body: str):
        super().__init__()
        self._name = "CardPopup"
        self.body_json = _script_json(body)


def _safe_url(url) -> str | None:
    """Only http(s) links become links (an imported ``javascript:`` URL stays text)."""
    return url if isinstance(url, str) and url.lower().startswith(("http://", "https://")) else None


def cards_html(cards: list[dict], lang: str = "zh") -> str:
    """Project cards as escaped HTML (the popup and the page use the same text)."""
    parts = []
    for c in cards:
        src = _safe_url(c["source_url"])
        prov = esc(c["provenance_label"])
        if src:
            prov += f' · <a href="{esc(src)}" target="_blank" rel="noopener">{esc(t("explorer_source", lang))}</a>'
        parts.append(
            f"<div class='xz-card' style='margin-bottom:6px'><b>{esc(c['school'])}</b><br>"
            f"{esc(c['county'])} · {esc(t('explorer_card_university', lang))}：{esc(c['university'])}<br>"
            f"{esc(t('explorer_card_affiliated', lang))}：{esc(c['affiliated'])}<br>"
            f"{esc(t('explorer_card_signed', lang))}：{esc(c['signed'])} · "
            f"{esc(t('explorer_card_cycle', lang))}：{esc(c['cycle'])}<br>"
            f"{esc(c['headline'])}<br>"
            f"{esc(t('explorer_card_provenance', lang))}：{prov}<br>"
            f'<a href="{esc(c["dossier"])}" target="_top">{esc(t("explorer_dossier", lang))}</a></div>'
        )
    return "".join(parts)
