"""The overview's national map: every provincial unit (the programme provinces in the viewer's
scope coloured by one metric, the rest grey), the helped counties outlined, the university →
county lines and the universities, the national outline and a plain-HTML legend.

A pure function from frames to a ``folium.Map``, offline (no tiles, Leaflet from the app);
every text that goes into the map's HTML is escaped here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import cast

import folium
import geopandas as gpd
import pandas as pd
from branca.element import Figure

from .. import metrics
from ..fmt import format_number, format_value
from ..i18n import label, t
from .classify import NO_DATA, class_colour, class_labels, classify, quantile_breaks
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
# University → county lines: one per project up to FLOW_CAP projects; above, one per university
# and province (to the projects' mean county point), and only the FLOW_TOP largest of those are
# drawn, with a legend line saying how many are left out (2,000 projects made ~900 links: a mass).
FLOW_CAP = 300
FLOW_TOP = 100


def value_text(metric: str, value: float, lang: str = "zh") -> str:
    """A metric's value with its unit (``metrics.unit_text``), as the maps' tooltips show it:
    "173 人次", "173 person-trips", "25%"."""
    unit = metrics.unit_text(metric, lang)
    number = format_value(value, metric)
    return f"{number} {unit}" if unit else number


def metric_name(metric: str, lang: str) -> str:
    """The metric's name for a tooltip or legend, without a unit it carries in brackets
    ("培训教研（场）" → "培训教研"): the unit follows the value there."""
    name = label(metric, lang)
    unit = metrics.unit_text(metric, lang)
    for tail in (f"（{unit}）", f" ({unit})"):
        if unit and name.endswith(tail):
            return name[: -len(tail)]
    return name


def legend_title(metric: str, lang: str) -> str:
    """The legend's heading: the metric and its unit ("派驻人员（人次）"); a share as is."""
    unit = metrics.unit_text(metric, lang)
    name = metric_name(metric, lang)
    return t("legend_title_unit", lang, metric=name, unit=unit) if unit else name


@dataclass(frozen=True)
class FixedScale:
    """A figure ``national_map`` draws that is not one of ``metrics``: fixed class upper bounds
    (not quantiles, so the classes mean the same every term), its name for the legend and
    tooltips, and how a value reads. Zero is a value here (0 % reported), missing is no data."""

    breaks: tuple[float, ...]
    name: str
    text: Callable[[float], str]


def national_map(
    provinces: gpd.GeoDataFrame,
    province_values: pd.DataFrame,
    metric: str,
    outline: gpd.GeoDataFrame,
    helped_counties: gpd.GeoDataFrame | None = None,
    flows: pd.DataFrame | None = None,
    lang: str = "zh",
    bounds=None,
    level: str = "province",
    *,
    scale: FixedScale | None = None,
) -> folium.Map:
    """The national picture (``level="province"``), or one province's (``level="county"``).

    provinces: every provincial unit (adcode, name_zh, geometry) — drawn, grey when outside.
    province_values: rows for the programme provinces in the viewer's scope: adcode, short_zh,
        name_en and the ``metric`` column. A province absent here is drawn grey ("outside").
    helped_counties: county polygons (adcode, name_zh, province_zh, projects) to outline.
    flows: one row per project with university_lon/lat, county_lon/lat, university_zh, school_zh
        (see ``flow_plan`` for what is drawn of them).
    level="county": ``provinces`` holds the counties of one province and ``province_values``
        the helped ones (short_zh and name_en: the county's name); the others are "not a helped
        county", and ``outline`` is the province's border.
    scale: a figure that is not one of ``metrics`` (the term reports' completeness): its own
        class bounds, name and value text, zero a value (see ``FixedScale``).
    """
    counties = level == "county"
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
    if scale is not None:
        breaks, metric_label, zero_is_data = list(scale.breaks), scale.name, True
    else:
        breaks = quantile_breaks(vals[metric].tolist()) if len(vals) else []
        metric_label = metric_name(metric, lang)  # in tooltips, before the value and its unit
        zero_is_data = False

    gdf = provinces[["adcode", "name_zh", "geometry"]].copy()
    colours, tips = [], []
    for code, name in zip(gdf["adcode"], gdf["name_zh"]):
        if code in vals.index:
            row = vals.loc[code]
            shown = row["name_en"] if lang == "en" else row["short_zh"]
            v = float(row[metric])
            idx = classify(v, breaks, zero_is_data=zero_is_data)
            colours.append(class_colour(idx, len(breaks)))
            tips.append(
                esc(
                    t(
                        "tooltip_province",
                        lang,
                        name=shown,
                        metric=metric_label,
                        value=scale.text(v) if scale else value_text(metric, v, lang),
                    )
                )
                if idx is not None
                else esc(t("tooltip_no_data", lang, name=shown))
            )
        else:
            colours.append(OUTSIDE)
            tips.append(
                esc(t("tooltip_unhelped" if counties else "tooltip_outside", lang, name=name))
            )
    gdf["fill"] = colours
    gdf["tip"] = tips
    gdf["inside"] = gdf["adcode"].isin(vals.index)
    # programme provinces last, so their borders sit on top of the grey ones
    gdf = gdf.sort_values("inside", kind="stable")
    area_name = t("explorer_layer_counties" if counties else "layer_provinces", lang)
    fg = folium.FeatureGroup(name=area_name)
    BoundedGeoJson(
        feature_collection(
            gdf[["adcode", "fill", "tip", "inside", "geometry"]],
            cache=("overview_counties" if counties else "national_provinces", "adcode"),
        ),
        gdf,
        name=area_name,
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

    plan = flow_plan(flows, lang) if flows is not None and len(flows) else None
    if flows is not None and plan is not None:
        flow_layer(flows, lang, plan).add_to(m)
        university_layer(flows, lang).add_to(m)

    fgo = folium.FeatureGroup(name=t("layer_outline", lang))
    land = outline[outline["layer"] == "land"]
    sea = outline[outline["layer"] != "land"]
    if len(land):
        BoundedGeoJson(
            feature_collection(
                land[["geometry"]], cache=None if counties else ("national_land", None)
            ),
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

    shown_values = [float(vals.loc[c, metric]) for c in gdf.loc[gdf["inside"], "adcode"]]
    rows = [
        ("fill", class_colour(i, len(breaks)), esc(text))
        for i, text in class_labels(
            breaks,
            shown_values,
            scale.text if scale else format_number,
            lang,
            zero_is_data=zero_is_data,
        )
    ]
    rows += [
        ("fill", NO_DATA, esc(t("legend_nodata", lang))),
        (
            "fill",
            OUTSIDE,
            esc(t("explorer_legend_unhelped" if counties else "legend_outside", lang)),
        ),
    ]
    if not counties and scale is None:  # a programme metric's map shows the helped counties
        rows += [("outline", HELPED, esc(t("legend_helped", lang)))]  # (a dense one as dots)
    if plan is not None:
        rows += plan.legend_rows(lang)
    Legend(legend_html(scale.name if scale else legend_title(metric, lang), rows)).add_to(m)
    folium.LayerControl(collapsed=True).add_to(m)
    m.fit_bounds(bounds or NATIONAL_BOUNDS)
    return make_offline(m)


@dataclass(frozen=True)
class FlowPlan:
    """What the map draws of the university → county lines: ``features`` (GeoJSON LineStrings
    with ``tip`` and ``w``, the line width), whether they are ``aggregated`` (one per university
    and province), and how many links and projects there are and are drawn."""

    features: list[dict]
    aggregated: bool
    links: int  # lines there are (projects, or university–province links when aggregated)
    projects: int  # projects with a university point
    drawn_projects: int  # projects whose line is drawn

    @property
    def hidden(self) -> int:
        return self.links - len(self.features)

    def legend_rows(self, lang: str) -> list[tuple[str, str, str]]:
        rows = [
            ("line", FLOW, esc(t("legend_flow_agg" if self.aggregated else "legend_flow", lang)))
        ]
        if self.hidden:
            note = t(
                "legend_flow_top",
                lang,
                shown=len(self.features),
                covered=f"{self.drawn_projects:,}",
                total=f"{self.projects:,}",
                hidden=f"{self.hidden:,}",
            )
            rows.append(("note", FLOW, esc(note)))
        return rows


def _line(tip: str, a: tuple[float, float], b: tuple[float, float], w: float) -> dict:
    return {
        "type": "Feature",
        "geometry": {
            "type": "LineString",
            "coordinates": [[round(a[0], 3), round(a[1], 3)], [round(b[0], 3), round(b[1], 3)]],
        },
        "properties": {"tip": tip, "w": w},
    }


def flow_plan(
    projects: pd.DataFrame, lang: str = "zh", cap: int = FLOW_CAP, top: int = FLOW_TOP
) -> FlowPlan:
    """The lines to draw for ``projects`` (columns university_zh/en/lon/lat, school_zh,
    county_lon/lat, province_adcode, province_short/en): one per project up to ``cap``
    projects; above, one per university and province, of which the ``top`` with the most
    projects (widths by projects). Projects without a university point are left out."""
    located = projects[projects["university_lon"].notna() & projects["university_lat"].notna()]
    n = len(located)
    if n <= cap:
        feats = [
            _line(esc(f"{u} → {s}"), (ulon, ulat), (clon, clat), 1.0)
            for u, s, ulon, ulat, clon, clat in zip(
                located["university_zh"],
                located["school_zh"],
                located["university_lon"],
                located["university_lat"],
                located["county_lon"],
                located["county_lat"],
            )
        ]
        return FlowPlan(feats, False, n, n, n)
    uni = "university_en" if lang == "en" else "university_zh"
    prov = "province_en" if lang == "en" else "province_short"
    g = (
        located.assign(_u=located[uni].fillna(located["university_zh"]))
        .groupby(["_u", "university_lon", "university_lat", "province_adcode", prov])
        .agg(to_lon=("county_lon", "mean"), to_lat=("county_lat", "mean"), n=("school_zh", "size"))
        .reset_index()
        .sort_values(["n", "_u", "province_adcode"], ascending=[False, True, True], kind="stable")
    )
    shown = g.head(top)
    most = max(int(shown["n"].max()), 1) if len(shown) else 1
    feats = [
        _line(
            esc(t("tooltip_flow_agg", lang, university=u, province=p, n=int(k))),
            (ulon, ulat),
            (clon, clat),
            round(0.8 + 3.2 * (int(k) / most) ** 0.5, 2),
        )
        for u, p, k, ulon, ulat, clon, clat in zip(
            shown["_u"],
            shown[prov],
            shown["n"],
            shown["university_lon"],
            shown["university_lat"],
            shown["to_lon"],
            shown["to_lat"],
        )
    ]
    return FlowPlan(feats, True, len(g), n, int(shown["n"].sum()))


def flow_layer(
    projects: pd.DataFrame, lang: str = "zh", plan: FlowPlan | None = None
) -> folium.FeatureGroup:
    """The lines of ``flow_plan(projects)`` as ONE GeoJSON layer (a folium element per line made
    the map's build several times slower)."""
    plan = plan or flow_plan(projects, lang)
    fg = folium.FeatureGroup(name=t("layer_flows", lang))
    folium.GeoJson(
        {"type": "FeatureCollection", "features": plan.features},
        style_function=lambda f: {
            "color": FLOW,
            "weight": f["properties"]["w"],
            "opacity": 0.45 if f["properties"]["w"] > 1.0 else 0.4,
        },
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
