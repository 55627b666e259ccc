"""The first screen's content: KPI cards, the simulated-data banner, the national map, the
project list — all from the store under the viewer's scope, with no Streamlit in sight."""
from __future__ import annotations

from dataclasses import dataclass

import folium
import geopandas as gpd
import pandas as pd

from . import geo, maps
from .i18n import label, t
from .scope import Filters, Viewer
from .store import Store
from .vocab import Provenance

MAP_METRICS = ("projects", "people_dispatched", "person_months", "guidance_visits", "trainings",
               "training_participants", "interns", "shadowing_people")
KPI_KEYS = ("projects", "universities", "provinces", "people_dispatched", "person_months",
            "trainings", "interns")


@dataclass(frozen=True)
class Kpi:
    key: str
    label: str
    value: str


def kpis(store: Store, viewer: Viewer, filters: Filters, lang: str = "zh") -> list[Kpi]:
    row = store.metrics(viewer, filters).iloc[0]
    out = [Kpi(k, t(f"kpi_{k}", lang), f"{row[k]:,.0f}") for k in KPI_KEYS]
    out.append(Kpi("signed_on_time", t("kpi_signed_on_time", lang),
                   t("kpi_signed_on_time_value", lang, on_time=int(row["signed_on_time"]),
                     known=int(row["signed_known"]))))
    return out


def provenance_banner(store: Store, viewer: Viewer, filters: Filters, lang: str = "zh") -> str | None:
    """The sentence that says which figures are simulated (None when nothing is)."""
    counts = store.provenance_counts(viewer, filters)
    n = {(w, p): int(c) for w, p, c in counts.itertuples(index=False)}
    sim = Provenance.SIMULATED.value
    pub = Provenance.PUBLISHED.value
    if not n.get(("project", sim)) and not n.get(("activity", sim)):
        return None
    return t("banner_simulated", lang, sim_projects=n.get(("project", sim), 0),
             sim_activity=f"{n.get(('activity', sim), 0):,}",
             pub_projects=n.get(("project", pub), 0), pub_activity=n.get(("activity", pub), 0))


def helped_counties(store: Store, viewer: Viewer, filters: Filters,
                    projects: pd.DataFrame | None = None) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Polygons of the helped counties in scope, and the helped counties without a boundary."""
    projects = store.projects(viewer, filters) if projects is None else projects
    per = (projects.groupby(["county_adcode", "county_zh", "province_zh", "county_lon", "county_lat"])
           .size().reset_index(name="projects"))
    polys = geo.load_counties(sorted(projects["province_adcode"].unique().tolist()))
    polys = polys[polys["adcode"].isin(per["county_adcode"])]
    shaped = polys.merge(per.rename(columns={"county_adcode": "adcode", "county_zh": "name_zh"}),
                         on="adcode")
    pointed = per[~per["county_adcode"].isin(polys["adcode"])]
    return gpd.GeoDataFrame(shaped, geometry="geometry", crs=polys.crs), pointed


def overview_map(store: Store, viewer: Viewer, filters: Filters, metric: str = "projects",
                 lang: str = "zh") -> tuple[folium.Map, pd.DataFrame]:
    """The national map and the helped counties drawn as points for want of a boundary."""
    if metric not in MAP_METRICS:
        raise ValueError(f"unknown metric {metric!r}")
    per_province = store.metrics(viewer, filters, by="province").rename(columns={"key": "adcode"})
    names = store.provinces()[["adcode", "short_zh", "name_en"]]
    per_province = per_province.merge(names, on="adcode")
    projects = store.projects(viewer, filters)
    shaped, pointed = helped_counties(store, viewer, filters, projects)
    provinces = geo.load_provinces()
    bounds = None
    in_view = set(filters.provinces) or viewer.provinces
    if in_view:  # a province's own view: frame its outline
        b = provinces[provinces["adcode"].isin(in_view)].total_bounds
        bounds = [[b[1] - 0.3, b[0] - 0.3], [b[3] + 0.3, b[2] + 0.3]]
    m = maps.national_map(provinces, per_province, metric, geo.load_outline(),
                          helped_counties=shaped, flows=projects, lang=lang, bounds=bounds)
    for r in pointed.itertuples(index=False):
        folium.CircleMarker([r.county_lat, r.county_lon], radius=6, color=maps.HELPED, fill=True,
                            tooltip=maps.esc(f"{r.province_zh} {r.county_zh}（{r.projects}）")).add_to(m)
    return m, pointed


def format_date(value, precision: str | None = "day") -> str:
    """A date as people read it: 2022-07-18, or 2022-07 when only the month is known."""
    if value is None or pd.isna(value):
        return ""
    ts = pd.Timestamp(value)
    return ts.strftime("%Y-%m") if precision == "month" else ts.strftime("%Y-%m-%d")


def project_table(projects: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """The project list as shown and downloaded: translated headers, provenance named."""
    out = pd.DataFrame({
        t("col_province", lang): projects["province_en" if lang == "en" else "province_short"],
        t("col_county", lang): projects["county_zh"],
        t("col_school", lang): projects["school_zh"],
        t("col_university", lang): projects["university_en" if lang == "en" else "university_zh"],
        t("col_signed", lang): [format_date(d, p) for d, p in
                                zip(projects["signed_date"], projects["signed_precision"])],
        t("col_provenance", lang): projects["provenance"].map(lambda p: label(p, lang)),
        t("col_source", lang): projects["source_url"].fillna(""),
    })
    return out.reset_index(drop=True)
