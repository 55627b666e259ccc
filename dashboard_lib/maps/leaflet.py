"""Leaflet on the app's own terms: the script and style paths, the feature colours, the
escaping of every text that goes into a map's HTML, and the folium primitives and JS snippets
both maps are made of (scale bar, legend, fullscreen button, outline with the South China Sea
inset, the explorer's per-view script).

Nothing here fetches from the internet: no tiles, Leaflet served by the app from
``/app/static/leaflet/`` (``offline.py`` puts it there), no branca colour map (streamlit-folium
would add d3 from a CDN for one), a legend drawn as plain HTML.
"""

from __future__ import annotations

import html
import json

import folium
import geopandas as gpd
import numpy as np
from branca.element import MacroElement, Template

LEAFLET_JS = "/app/static/leaflet/leaflet.js"
LEAFLET_CSS = "/app/static/leaflet/leaflet.css"

# The outside colour and the feature colours (the classes' colours are in ``classify``).
OUTSIDE = "#d9d9d9"
HELPED = "#ff7f0e"
FLOW = "#2b6cb0"
SELECTED = "#1a202c"
SCS_INSET = [[3.4, 106.0], [24.6, 123.5]]  # what the South China Sea inset frames


def esc(value) -> str:
    """Text for map HTML: escaped, ``None`` as empty."""
    return (
        ""
        if value is None or (isinstance(value, float) and np.isnan(value))
        else html.escape(str(value))
    )


def script_json(value) -> str:
    """JSON for inlining in a <script>: no ``</`` can close the script element."""
    return json.dumps(value, ensure_ascii=False).replace("</", "<\\/")


class BoundedGeoJson(folium.GeoJson):
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
    """A legend as plain HTML (no external script), as a Leaflet control in the lower left corner:
    Leaflet stacks the controls of one corner, so the legend sits above the scale bar instead of
    over it (a box placed with CSS covered it). ``body`` is escaped HTML; it may be changed until
    the map is rendered."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function(map){
          var Lg = L.Control.extend({options:{position:'bottomleft'}, onAdd:function(){
            var d = L.DomUtil.create('div','xz-legend');
            d.style.cssText = 'background:rgba(255,255,255,.92);padding:8px 10px;border-radius:6px;'
              + "font:13px/1.45 'Noto Sans CJK SC','Noto Sans SC',sans-serif;box-shadow:0 1px 4px #999";
            d.innerHTML = {{ this.body_json }};
            L.DomEvent.disableClickPropagation(d); L.DomEvent.disableScrollPropagation(d);
            return d; }});
          new Lg().addTo(map);
        })({{ this._parent.get_name() }});
        {% endmacro %}
    """)

    def __init__(self, body: str):
        super().__init__()
        self._name = "Legend"
        self.body = body

    @property
    def body_json(self) -> str:
        return script_json(self.body)


def legend_html(title: str, rows: list[tuple[str, str, str]]) -> str:
    """``rows``: (kind 'fill'|'line'|'dot'|'outline'|'note', colour, escaped label); a note is a
    line of small text without a swatch (what a layer leaves out)."""
    out = [f"<b>{esc(title)}</b>"]
    for kind, colour, text in rows:
        if kind == "note":
            out.append(f"<div style='font-size:11px;color:#555;max-width:240px'>{text}</div>")
            continue
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
        self.title_json = script_json(title)
        self.icon_json = script_json(
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
        self.caption_json = script_json(caption)
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
        self.key_json = script_json(key)
        self.bounds = json.dumps([[round(float(a), 4), round(float(b), 4)] for a, b in bounds])
        self.legend_json = script_json(legend)
        self.inset_json = "true" if inset else "false"
        self.max_zoom = int(max_zoom)
