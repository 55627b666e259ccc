"""The overview's national map: every provincial unit (the programme provinces in the viewer's
scope coloured by one metric, the rest grey), the helped counties outlined, the university →
county lines and the universities, the national outline and a plain-HTML legend.

A pure function from frames to a ``folium.Map``, offline (no tiles, Leaflet from the app);
every text that goes into the map's HTML is escaped here.
"""

from __future__ import annotations

from typing import cast

import folium
import geopandas as gpd
import pandas as pd
from branca.element import Figure

from ..fmt import format_number
from ..i18n import label, t
from .classify import NO_DATA, class_colour, classify, quantile_breaks
from .geojson import feature_collection
from .leaflet import (
    FLOW,
    HELPED,
    OUTSIDE,
    BoundedGeoJson,
    Legend,
    MetricScale,
    esc,
    legend_html,
    make_offline,
)

NATIONAL_BOUNDS = [[3.5, 73.0], [53.6, 135.1]]  # the whole territory, South China Sea included


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
    cast(Figure, m.get_root()).header.add_child(  # folium types get_root() as a bare Element
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
                esc(
                    t(
                        "tooltip_province",
                        lang,
                        name=shown,
                        metric=metric_label,
                        value=format_number(v),
                    )
                )
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
    BoundedGeoJson(
        feature_collection(
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
        BoundedGeoJson(
            feature_collection(
                hc[["adcode", "tip", "geometry"]], cache=("national_counties", "adcode")
            ),
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
        BoundedGeoJson(
            feature_collection(land[["geometry"]], cache=("national_land", None)),
            land,
            style_function=lambda f: {"fill": False, "color": "#333", "weight": 1.2},
            interactive=False,
        ).add_to(fgo)
    if len(sea):
        BoundedGeoJson(
            feature_collection(sea[["geometry"]], cache=("national_sea", None)),
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
            esc(
                f"≤ {format_number(b)}"
                if i == 0
                else f"{format_number(breaks[i - 1])} – {format_number(b)}"
            ),
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
