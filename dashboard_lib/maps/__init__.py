"""Folium map builders: pure functions from frames to a ``folium.Map``, offline by default.

One package, one job per module:

- ``classify`` — class breaks, THE classifier (one no-data rule) and the classes' colours;
- ``geojson`` — snapped and cached boundary GeoJSON, display geometries, GCJ-02 → WGS-84;
- ``leaflet`` — Leaflet paths, feature colours, escaping, folium primitives and JS snippets;
- ``national`` — the overview's national map;
- ``explorer`` — the map explorer's base map, per-view layers and legend;
- ``cards`` — the explorer's project cards as HTML and as a popup.

Nothing here imports the page logic that uses it (``dashboard_lib.explorer``,
``dashboard_lib.overview``): they import this package, and pass in what it draws. The names
below are what callers used from the former ``maps.py``; they keep working as ``maps.<name>``.
"""

from __future__ import annotations

from .cards import CardPopup, cards_html
from .classify import (
    NO_DATA,
    PALETTE,
    class_colour,
    classify,
    is_no_data,
    quantile_bounds,
    quantile_breaks,
)
from .explorer import NATION_FIT, _outline_json, explorer_base_map, explorer_layers, explorer_legend
from .geojson import (
    feature_collection,
    geometry_json,
    to_wgs84_frame,
    to_wgs84_points,
)
from .leaflet import (
    FLOW,
    HELPED,
    LEAFLET_CSS,
    LEAFLET_JS,
    OUTSIDE,
    SCS_INSET,
    SELECTED,
    BoundedGeoJson,
    Fullscreen,
    Legend,
    MetricScale,
    OutlineWithInset,
    ViewScript,
    esc,
    legend_html,
    make_offline,
    script_json,
)
from .national import (
    NATIONAL_BOUNDS,
    FlowPlan,
    flow_layer,
    flow_plan,
    metric_name,
    national_map,
    university_layer,
    value_text,
)

__all__ = [
    "FLOW",
    "HELPED",
    "LEAFLET_CSS",
    "LEAFLET_JS",
    "NATIONAL_BOUNDS",
    "NATION_FIT",
    "NO_DATA",
    "OUTSIDE",
    "PALETTE",
    "SCS_INSET",
    "SELECTED",
    "BoundedGeoJson",
    "FlowPlan",
    "CardPopup",
    "Fullscreen",
    "Legend",
    "MetricScale",
    "OutlineWithInset",
    "ViewScript",
    "_outline_json",
    "cards_html",
    "class_colour",
    "classify",
    "esc",
    "explorer_base_map",
    "explorer_layers",
    "explorer_legend",
    "feature_collection",
    "flow_layer",
    "flow_plan",
    "geometry_json",
    "is_no_data",
    "legend_html",
    "make_offline",
    "metric_name",
    "national_map",
    "quantile_bounds",
    "quantile_breaks",
    "script_json",
    "to_wgs84_frame",
    "to_wgs84_points",
    "university_layer",
    "value_text",
]
