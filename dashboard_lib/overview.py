"""The first screen's content: KPI cards, the simulated-data banner, the map, the project list —
all from the store under the viewer's scope, with no Streamlit in sight.

A viewer who sees one province (a province official, or a ministry user who filtered to one)
lands on that province: the headings name it (甘肃省概览, 甘肃省托管帮扶分布) and the map shows
its counties (``area_in_view``). Everything but the map works without the boundary files: a
damaged one costs the map (and the list of counties drawn as points), not the KPI cards and the
project list (``content`` reads no boundary; ``overview_map`` and ``pointed_counties`` do)."""

from __future__ import annotations

from dataclasses import dataclass, replace

import folium
import geopandas as gpd
import pandas as pd

from . import geo, maps, metrics
from .fmt import format_date
from .i18n import label, t
from .scope import Filters, Viewer
from .store import Store
from .textsafe import safe_url
from .vocab import Provenance

# the map's choices and the KPI cards: declared in the metric catalogue (dashboard_lib/metrics.py)
MAP_METRICS = metrics.keys(metrics.map_metrics())
KPI_KEYS = metrics.keys(metrics.kpis())


@dataclass(frozen=True)
class Kpi:
    key: str
    label: str
    value: str


def kpis(store: Store, viewer: Viewer, filters: Filters, lang: str = "zh") -> list[Kpi]:
    """One card per ``metrics.kpis()`` entry: its ``kpi_label_key`` and its figure from
    ``Store.metrics`` (a metric with ``out_of`` shows "value/out of")."""
    row = store.metrics(viewer, filters).iloc[0]
    return [Kpi(m.key, _kpi_label(m, lang), _kpi_value(m, row, lang)) for m in metrics.kpis()]


def _kpi_label(m: metrics.Metric, lang: str) -> str:
    assert m.kpi_label_key is not None  # every KPI metric names its card's label
    return t(m.kpi_label_key, lang)


def _kpi_value(m: metrics.Metric, row: pd.Series, lang: str) -> str:
    if m.out_of:
        return t("metric_value_out_of", lang, value=int(row[m.key]), of=int(row[m.out_of]))
    return f"{row[m.key]:,.0f}"


def provenance_banner(
    store: Store, viewer: Viewer, filters: Filters, lang: str = "zh"
) -> str | None:
    """The sentence that says which figures are simulated (None when nothing is)."""
    counts = store.provenance_counts(viewer, filters)
    n = {(w, p): int(c) for w, p, c in counts.itertuples(index=False)}
    sim = Provenance.SIMULATED.value
    pub = Provenance.PUBLISHED.value
    if not n.get(("project", sim)) and not n.get(("activity", sim)):
        return None
    return t(
        "banner_simulated",
        lang,
        sim_projects=n.get(("project", sim), 0),
        sim_activity=f"{n.get(('activity', sim), 0):,}",
        pub_projects=n.get(("project", pub), 0),
        pub_activity=n.get(("activity", pub), 0),
    )


def helped_counties(
    store: Store, viewer: Viewer, filters: Filters, projects: pd.DataFrame | None = None
) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Polygons of the helped counties in scope, and the helped counties without a boundary."""
    projects = store.projects(viewer, filters) if projects is None else projects
    per = (
        projects.groupby(["county_adcode", "county_zh", "province_zh", "county_lon", "county_lat"])
        .size()
        .reset_index(name="projects")
    )
    polys = geo.load_counties(sorted(projects["province_adcode"].unique().tolist()))
    polys = polys[polys["adcode"].isin(per["county_adcode"])]
    shaped = polys.merge(
        per.rename(columns={"county_adcode": "adcode", "county_zh": "name_zh"}), on="adcode"
    )
    pointed = per[~per["county_adcode"].isin(polys["adcode"])]
    return gpd.GeoDataFrame(shaped, geometry="geometry", crs=polys.crs), pointed


# Above this many projects in view (the national scale of 托管帮扶, not the programme's 115) the
# overview draws helped counties as dots and the university → county lines as one GeoJSON layer:
# ~2,000 county outlines and 2,000 separate lines made a 6 MB page that took seconds to build.
DENSE_PROJECTS = 300


_SNAPPED: dict[str, tuple] = {}


def area_in_view(viewer: Viewer, filters: Filters) -> int | None:
    """The one province (or the Corps) in view, or None: the filter's choice if it names one,
    else the viewer's scope if it is one province."""
    if len(filters.provinces) == 1:
        return int(filters.provinces[0])
    if not filters.provinces and viewer.provinces is not None and len(viewer.provinces) == 1:
        return int(next(iter(viewer.provinces)))
    return None


@dataclass(frozen=True)
class Headings:
    page: str  # 全国概览 / 甘肃省概览
    map: str  # 全国托管帮扶分布 / 甘肃省托管帮扶分布


def headings(store: Store, viewer: Viewer, filters: Filters, lang: str = "zh") -> Headings:
    """The overview's headings: national, or naming the one province in view."""
    code = area_in_view(viewer, filters)
    names = store.provinces().set_index("adcode")
    if code is None or code not in names.index:
        return Headings(t("overview_heading_nation", lang), t("map_title", lang))
    area = str(names.loc[code, "name_en" if lang == "en" else "name_zh"])
    return Headings(
        t("overview_heading_area", lang, area=area), t("map_title_area", lang, area=area)
    )


def pointed_counties(store: Store, viewer: Viewer, filters: Filters) -> pd.DataFrame:
    """The helped counties in view drawn as points for want of a boundary (none on a dense
    national map, where every county is a dot). Reads the county boundaries
    (``geo.GeoDataError``)."""
    projects = store.projects(viewer, filters)
    national_dense = is_dense(len(projects)) and area_in_view(viewer, filters) is None
    if national_dense or projects.empty:
        return pd.DataFrame(columns=["county_adcode", "county_zh", "province_zh", "projects"])
    return helped_counties(store, viewer, filters, projects)[1]


def _snapped_base() -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Province and outline boundaries already snapped to the 0.001° grid the map draws them on:
    the map's own snapping then has nothing left to move (same output, a third less work).
    Kept while ``geo`` hands back the same frames (it re-reads a changed or damaged file, and
    then so do we: a broken boundary file still ends in geo's one-sentence error)."""
    provinces, outline = geo.load_provinces(), geo.load_outline()
    hit = _SNAPPED.get("base")
    if hit is None or hit[0] is not provinces or hit[1] is not outline:

        def snap(g: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
            return g.set_geometry(g.geometry.set_precision(1e-3))

        hit = (provinces, outline, snap(provinces), snap(outline))
        _SNAPPED["base"] = hit
    return hit[2], hit[3]


def is_dense(n_projects: int) -> bool:
    return n_projects > DENSE_PROJECTS


def _dense_layers(m: folium.Map, projects: pd.DataFrame, lang: str) -> None:
    """Helped counties as dots and every university → county line, each as ONE GeoJSON layer,
    plus the universities; added before the layer control, with the legend adjusted."""
    per = (
        projects.groupby(["county_adcode", "county_zh", "province_zh", "county_lon", "county_lat"])
        .size()
        .reset_index(name="projects")
    )
    dots = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [round(lon, 3), round(lat, 3)]},
                "properties": {"tip": maps.esc(f"{p} {c}（{n}）")},
            }
            for p, c, n, lon, lat in zip(
                per["province_zh"],
                per["county_zh"],
                per["projects"],
                per["county_lon"],
                per["county_lat"],
            )
        ],
    }
    fgc = folium.FeatureGroup(name=t("layer_counties", lang))
    folium.GeoJson(
        dots,
        marker=folium.CircleMarker(
            radius=3,
            color=maps.HELPED,
            weight=1,
            fill=True,
            fill_color=maps.HELPED,
            fill_opacity=0.8,
        ),
        tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False),
    ).add_to(fgc)
    plan = maps.flow_plan(projects, lang)
    fgf = maps.flow_layer(projects, lang, plan)
    fgu = maps.university_layer(projects, lang)
    for fg in (fgc, fgf, fgu):
        fg.add_to(m)
    for key, child in list(m._children.items()):
        if isinstance(child, maps.Legend):

            def row(kind, colour, key_):
                return maps.legend_html("", [(kind, colour, maps.esc(t(key_, lang)))])[7:]

            child.body = child.body.replace(
                row("outline", maps.HELPED, "legend_helped"),
                row("dot", maps.HELPED, "perf_legend_helped_dot"),
            )
            child.body += maps.legend_html("", plan.legend_rows(lang))[7:]
        if isinstance(child, (maps.Legend, folium.LayerControl)):
            m._children.move_to_end(key)  # drawn after the layers they describe
    maps.make_offline(m)


def overview_map(
    store: Store,
    viewer: Viewer,
    filters: Filters,
    metric: str = "projects",
    lang: str = "zh",
    projects: pd.DataFrame | None = None,
) -> tuple[folium.Map, pd.DataFrame]:
    """The national map and the helped counties drawn as points for want of a boundary.

    ``projects`` (``store.projects(viewer, filters)``) may be passed when the page has it already.
    Above ``DENSE_PROJECTS`` projects every helped county is a dot (see ``_dense_layers``) and the
    second result is empty."""
    if metric not in MAP_METRICS:
        raise ValueError(f"unknown metric {metric!r}")
    area = area_in_view(viewer, filters)
    if area is not None:
        return _province_map(store, viewer, filters, metric, lang, area, projects)
    per_province = store.metrics(viewer, filters, by="province").rename(columns={"key": "adcode"})
    names = store.provinces()[["adcode", "short_zh", "name_en"]]
    per_province = per_province.merge(names, on="adcode")
    projects = store.projects(viewer, filters) if projects is None else projects
    provinces, outline = _snapped_base()
    bounds = None
    in_view = set(filters.provinces) or viewer.provinces
    if in_view:  # a province's own view: frame its outline
        full = geo.load_provinces()
        b = full[full["adcode"].isin(in_view)].total_bounds
        bounds = [[b[1] - 0.3, b[0] - 0.3], [b[3] + 0.3, b[2] + 0.3]]
    if is_dense(len(projects)):
        m = maps.national_map(provinces, per_province, metric, outline, lang=lang, bounds=bounds)
        _dense_layers(m, projects, lang)
        return m, projects.iloc[0:0][
            ["county_adcode", "county_zh", "province_zh", "county_lon", "county_lat"]
        ].assign(projects=0)
    shaped, pointed = helped_counties(store, viewer, filters, projects)
    m = maps.national_map(
        provinces,
        per_province,
        metric,
        outline,
        helped_counties=shaped,
        flows=projects,
        lang=lang,
        bounds=bounds,
    )
    _add_points(m, pointed)
    return m, pointed


def _add_points(m: folium.Map, pointed: pd.DataFrame) -> None:
    """Helped counties without a boundary polygon, as points (one per county, with its count)."""
    for r in pointed.itertuples(index=False):
        folium.CircleMarker(
            [r.county_lat, r.county_lon],
            radius=6,
            color=maps.HELPED,
            fill=True,
            tooltip=maps.esc(f"{r.province_zh} {r.county_zh}（{r.projects}）"),
        ).add_to(m)


def _province_map(
    store: Store,
    viewer: Viewer,
    filters: Filters,
    metric: str,
    lang: str,
    code: int,
    projects: pd.DataFrame | None,
) -> tuple[folium.Map, pd.DataFrame]:
    """One province's overview map: its counties, the helped ones coloured by ``metric``, its
    border, the lines and universities of its projects; framed on the province."""
    f = filters if filters.provinces else replace(filters, provinces=(code,))
    projects = store.projects(viewer, f) if projects is None else projects
    polys = geo.load_counties([code])
    ref = store.counties([code])
    per = store.metrics(viewer, f, by="county").rename(columns={"key": "adcode"})
    names = dict(zip(ref["adcode"].astype(int), ref["name_zh"]))
    per["adcode"] = per["adcode"].astype(int)
    per["short_zh"] = per["name_en"] = [names.get(c, str(c)) for c in per["adcode"]]
    counties = polys[["adcode", "geometry"]].copy()
    counties["adcode"] = counties["adcode"].astype(int)
    counties["name_zh"] = [names.get(c, str(c)) for c in counties["adcode"]]
    counties = gpd.GeoDataFrame(counties, geometry="geometry", crs=polys.crs)
    full = geo.load_provinces()
    border = full[full["adcode"] == code][["geometry"]].assign(layer="land")
    border = gpd.GeoDataFrame(border, geometry="geometry", crs=full.crs)
    b = border.total_bounds if len(border) else counties.total_bounds
    bounds = [[b[1] - 0.3, b[0] - 0.3], [b[3] + 0.3, b[2] + 0.3]]
    m = maps.national_map(
        counties,
        per[["adcode", "short_zh", "name_en", metric]],
        metric,
        border,
        flows=projects,
        lang=lang,
        bounds=bounds,
        level="county",
    )
    drawn = set(counties["adcode"])
    pointed = (
        projects[~projects["county_adcode"].astype(int).isin(drawn)]
        .groupby(["county_adcode", "county_zh", "province_zh", "county_lon", "county_lat"])
        .size()
        .reset_index(name="projects")
    )
    _add_points(m, pointed)
    return m, pointed


def project_table(projects: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """The project list as shown and downloaded: translated headers, provenance named."""
    out = pd.DataFrame(
        {
            t("col_province", lang): projects["province_en" if lang == "en" else "province_short"],
            t("col_county", lang): projects["county_zh"],
            t("col_school", lang): projects["school_zh"],
            t("col_university", lang): projects[
                "university_en" if lang == "en" else "university_zh"
            ],
            t("col_signed", lang): [
                format_date(d, p)
                for d, p in zip(projects["signed_date"], projects["signed_precision"])
            ],
            t("col_provenance", lang): projects["provenance"].map(lambda p: label(p, lang)),
            t("col_source", lang): projects["source_url"].map(lambda u: safe_url(u) or ""),
        }
    )
    return out.reset_index(drop=True)


@dataclass(frozen=True)
class Content:
    """Everything the first screen shows except the map (``overview_map``) and the counties it
    draws as points (``pointed_counties``): nothing here reads a boundary file."""

    banner: str | None
    kpis: list[Kpi]
    projects: pd.DataFrame
    table: pd.DataFrame
    dense: bool  # the national map at national scale: counties as dots (``DENSE_PROJECTS``)
    headings: Headings
    # the cards' approved / provisional line, from the activity rows behind them
    # (``programme.approval``); the table (and its download) has the column per project
    kpi_status: str = ""


def content(
    store: Store,
    viewer: Viewer,
    filters: Filters,
    lang: str = "zh",
    approved: frozenset | None = None,
) -> Content:
    """``approved``: the approved (term, province) pairs (``cache.approvals``; read here when
    not given) — the page passes them, so an approval gives the content a new cache key."""
    from .programme import approval

    pairs = store.approved_pairs(viewer) if approved is None else approved
    projects = store.projects(viewer, filters)
    behind = approval.marked_counts(
        store.activity_agg(viewer, filters, by=("project_id", "term_code")), projects, pairs
    )
    per_project = approval.by_key(behind, "project_id")
    table = approval.with_status(
        project_table(projects, lang),
        approval.labels_for(projects["project_id"], per_project, lang),
        lang,
    )
    return Content(
        provenance_banner(store, viewer, filters, lang),
        kpis(store, viewer, filters, lang),
        projects,
        table,
        is_dense(len(projects)) and area_in_view(viewer, filters) is None,
        headings(store, viewer, filters, lang),
        approval.overall(behind).caption(lang),
    )
