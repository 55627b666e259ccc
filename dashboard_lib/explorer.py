"""The map explorer (issue 3): view state in the URL, drill logic, classification and the data
each level of the map needs — pure functions, no Streamlit.

Levels: ``nation`` → ``province`` (that province's counties only) → ``county`` (its project
cards). The URL holds the view (``?level=county&province=620000&county=620123&metric=…``); every
value in it is untrusted and checked against the viewer's scope and the reference data.

The term playback (issue 16 part 6): ``term=20241`` in the URL colours the map as of that term's
last day (``at_term``: the shared filters with that as-of date, so the per-term summary answers
and each term's view is cached on its own); ``step_term`` is ◀ ▶ and the play button's next step.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from urllib.parse import urlencode

import numpy as np
import pandas as pd

from . import geo, maps, metrics
from .fmt import format_date, format_value
from .i18n import label, t
from .school_calendar import term_bounds
from .scope import Filters, Viewer
from .store import Store

LEVELS = ("nation", "province", "county")
# the map's choices and the project cards' figures: declared in the metric catalogue
METRICS = metrics.keys(metrics.explorer_metrics())
CARD_METRICS = metrics.keys(metrics.card_metrics())
_SHARES = frozenset(m.key for m in metrics.CATALOGUE if m.kind is metrics.Kind.MILESTONE_SHARE)
METHODS = ("quantile", "jenks")
N_CLASSES = 5
FLOW_CAP = 300  # more project lines than this in view: aggregate to university → province
FLOW_TOP = 100  # of the aggregated lines only the largest this many are drawn (the rest counted)
_CODE_RE = re.compile(r"[（(](\d{6})[）)]")


# ---------------------------------------------------------------------------- view state
@dataclass(frozen=True)
class ViewState:
    level: str = "nation"
    province: int | None = None
    county: int | None = None
    metric: str = "projects"
    method: str = "quantile"
    term: int | None = None  # the playback's term (None: no playback, the sidebar's view)

    def to_params(self) -> dict[str, str]:
        """The query parameters of this view (what a shared link carries)."""
        out = {"level": self.level, "metric": self.metric, "classes": self.method}
        if self.province is not None:
            out["province"] = str(self.province)
        if self.county is not None:
            out["county"] = str(self.county)
        if self.term is not None:
            out["term"] = str(self.term)
        return out


VIEW_PARAMS = ("level", "province", "county", "metric", "classes", "term")


@dataclass(frozen=True)
class Parsed:
    state: ViewState
    refused: bool = False  # something in the URL was outside the scope or unknown
    own_province: bool = False  # no province named: the viewer's only province was opened


def _one(query: Mapping, name: str) -> str | None:
    """A parameter's value as ``st.query_params.get`` gives it (the last of a repeated key)."""
    value = query.get(name)
    if value is not None and not isinstance(value, str):
        value = value[-1] if len(value) else None
    return value or None


def url_agrees(query: Mapping, parsed: Parsed) -> bool:
    """Whether the URL already says what the page shows, so it need not be written again.

    Each write of the URL is a browser history entry (Streamlit pushes one for every change of
    the query string), so the page rewrites the URL only when it disagrees: a refused or stale
    value, a wrong ``level``. Parameters left out (no ``level``, the default metric) agree, and
    so does a missing province when the viewer's only province was opened (``own_province``):
    a plain ``/explorer`` makes no entry of its own that Back would have to step over."""
    s = parsed.state
    if parsed.refused:
        return False
    province = _one(query, "province")
    if province != (str(s.province) if s.province is not None else None) and not (
        province is None and parsed.own_province
    ):
        return False
    if _one(query, "county") != (str(s.county) if s.county is not None else None):
        return False
    level = _one(query, "level")
    return (
        (level is None or level == s.level)
        and (_one(query, "metric") or "projects") == s.metric
        and (_one(query, "classes") or "quantile") == s.method
        and _one(query, "term") == (str(s.term) if s.term is not None else None)
    )


def view_query(query: Mapping, state: ViewState) -> dict[str, str]:
    """The whole query string of ``state``: the other parameters of ``query`` (language, the
    shared filters) kept, the view's own replaced. Written at once, it is one history entry."""
    out = {k: v for k, v in query.items() if k not in VIEW_PARAMS and _one(query, k) is not None}
    out = {k: v if isinstance(v, str) else v[-1] for k, v in out.items()}
    out.update(state.to_params())
    return out


def dossier_href(project_id: int, query: Mapping[str, str] | None = None) -> str:
    """The dossier of a project, carrying the language, the shared filters and the map view
    (``query``), so the next page and its way back keep them."""
    params = {"project": str(int(project_id))}
    params.update({k: str(v) for k, v in (query or {}).items() if k != "project" and v})
    return "/dossier?" + urlencode(params)


def _int(value) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, (list, tuple)):
        value = value[-1] if value else None
        if value is None:
            return None
    s = str(value).strip()
    return int(s) if s.isdigit() and len(s) == 6 else -1


def parse_view(
    params,
    viewer: Viewer,
    province_codes,
    county_province: dict[int, int],
    terms: Sequence[int] = (),
) -> Parsed:
    """The view from untrusted query parameters.

    ``province_codes``: the programme provinces the viewer may choose (already scoped);
    ``county_province``: county adcode → its province adcode (reference data); ``terms``: the
    terms the playback may show (a ``term`` outside them is refused).
    A province outside the scope, a county outside its province or anything malformed is
    refused: the view falls back one level and ``refused`` is set so the page can say so.
    """
    get = params.get if hasattr(params, "get") else (lambda k, d=None: d)
    allowed = {int(c) for c in province_codes}
    refused = False
    metric = get("metric") or "projects"
    if metric not in METRICS:
        metric, refused = "projects", True
    method = get("classes") or "quantile"
    if method not in METHODS:
        method, refused = "quantile", True
    province = _int(get("province"))
    if province is not None and (province not in allowed or not viewer.may_see_province(province)):
        province, refused = None, True
    # an official of one province (or the Corps) starts at it; an explicit level=nation is kept
    own = len(allowed) == 1 and province is None and get("level") != "nation"
    if own:
        (province,) = allowed
    county = _int(get("county"))
    if county is not None:
        if province is None or county_province.get(county) != province:
            county, refused = None, True
    level = get("level")
    if county is not None:
        level = "county"
    elif province is not None:
        level = "province"
    else:
        level = "nation"
    term_raw = get("term")
    term = None
    if term_raw:
        raw = term_raw[-1] if isinstance(term_raw, (list, tuple)) else str(term_raw)
        term = int(raw) if raw.strip().isdigit() and int(raw) in terms else None
        refused = refused or term is None
    state = ViewState(level, province, county, metric, method, term)
    return Parsed(state, refused, own and not refused)


def step_term(term: int | None, terms: Sequence[int], step: int) -> int | None:
    """The term ``step`` terms after ``term`` (``step`` -1: ◀, +1: ▶ and the play button's
    step), or None past either end. From no term (the latest view) ▶ starts at the first term
    and ◀ at the last one."""
    if not terms:
        return None
    if term is None or term not in terms:
        return terms[0] if step > 0 else terms[-1]
    i = list(terms).index(term) + step
    return terms[i] if 0 <= i < len(terms) else None


def at_term(filters: Filters, term: int | None, latest: date) -> Filters:
    """The shared filters as of the playback's term: its last day, never past the sidebar's own
    as-of date nor the data's date (``latest``: then no as-of limit is added)."""
    if term is None:
        return filters
    end = term_bounds(term)[1]
    upto = filters.as_of or latest
    if end >= upto:
        return filters
    return replace(filters, as_of=end)


def drill(
    state: ViewState, clicked: int | None, allowed_provinces, county_province
) -> ViewState | None:
    """The view after a click on the area with code ``clicked`` (None: nothing to do)."""
    if clicked is None:
        return None
    if state.level == "nation":
        if clicked in {int(c) for c in allowed_provinces}:
            return replace(state, level="province", province=clicked, county=None)
        return None
    if county_province.get(clicked) == state.province and clicked != state.county:
        return replace(state, level="county", county=clicked)
    return None


def up(state: ViewState) -> ViewState:
    """One level up (the back control). The nation is named in the URL (``level=nation``), so
    an official of one province who goes up is not sent back to it."""
    if state.level == "county":
        return replace(state, level="province", county=None)
    return replace(state, level="nation", province=None, county=None)


def code_from_tooltip(text: str | None) -> int | None:
    """The area code a clicked tooltip names: the last ``（123456）`` of its first line."""
    if not text:
        return None
    first = str(text).strip().splitlines()[0] if str(text).strip() else ""
    found = _CODE_RE.findall(first)
    return int(found[-1]) if found else None


# ---------------------------------------------------------------------------- classification
def _clean(values) -> np.ndarray:
    v = np.asarray([x for x in values if x is not None and not pd.isna(x)], dtype=float)
    return np.sort(v[np.isfinite(v)])


def quantile_breaks(values, k: int = N_CLASSES) -> list[float]:
    """Upper bounds of up to ``k`` quantile classes (linear interpolation; rounded up to whole
    numbers when every value is whole), duplicates dropped."""
    return maps.quantile_bounds(_clean(values), k)


def jenks_breaks(values, k: int = N_CLASSES) -> list[float]:
    """Upper bounds of ``k`` natural-breaks classes (Fisher–Jenks: the partition of the sorted
    values into ``k`` consecutive groups with the least total within-group squared deviation)."""
    v = _clean(values)
    n = v.size
    if n == 0:
        return []
    k = min(k, len(np.unique(v)))
    if k <= 1:
        return [float(v[-1])]
    s1 = np.concatenate([[0.0], np.cumsum(v)])
    s2 = np.concatenate([[0.0], np.cumsum(v * v)])

    def ssd(i, j):  # squared deviation of v[i:j] (vectorised over i)
        cnt = j - i
        tot = s1[j] - s1[i]
        return (s2[j] - s2[i]) - tot * tot / cnt

    inf = np.inf
    cost = np.full((k + 1, n + 1), inf)
    back = np.zeros((k + 1, n + 1), dtype=int)
    cost[0, 0] = 0.0
    for c in range(1, k + 1):
        for j in range(c, n + 1):
            i = np.arange(c - 1, j)  # the last group is v[i:j]
            cand = cost[c - 1, i] + ssd(i, j)
            best = int(np.argmin(cand))
            cost[c, j] = cand[best]
            back[c, j] = i[best]
    bounds, j = [], n
    for c in range(k, 0, -1):
        bounds.append(float(v[j - 1]))
        j = back[c, j]
    return sorted(set(bounds))


def breaks_for(values, method: str, k: int = N_CLASSES) -> list[float]:
    return jenks_breaks(values, k) if method == "jenks" else quantile_breaks(values, k)


def classify(value, breaks: list[float]) -> int | None:
    """Class index of ``value`` (None: no data) by the maps' one classifier; zero is a value
    here (a share of 0 %), counts of zero are left out before (``has_data``)."""
    return maps.classify(value, breaks, zero_is_data=True)


# ---------------------------------------------------------------------------- level data
@dataclass
class AreaLayer:
    """The polygons of one level, ready for ``maps.explorer_layers``."""

    frame: pd.DataFrame  # adcode, name, value, cls, helped, inside, selected, tip, geometry
    breaks: list[float]
    metric: str
    points: pd.DataFrame = field(default_factory=pd.DataFrame)  # helped counties without boundary
    shapes: list | None = None  # GeoJSON geometries of ``frame``'s rows, snapped (see with_shapes)


def with_shapes(layer: AreaLayer, precision: int) -> AreaLayer:
    """Attach the rows' GeoJSON geometries, snapped to 10^-precision degrees, once: the page
    caches the result, so reruns and other metrics do not convert polygons again."""
    layer.shapes = maps.geometry_json(layer.frame["geometry"].tolist(), precision)
    return layer


def metric_values(
    store: Store, viewer: Viewer, filters: Filters, metric: str, by: str
) -> pd.Series:
    """The metric per area code (only areas with projects in view). Counts of zero are kept as
    0; the share of milestones met is NaN where nothing was due yet. Computed by the Store
    method the catalogue names (``metrics.by_key(metric).store_method``)."""
    if metrics.by_key(metric).store_method == "explorer_milestone_share":
        df = store.explorer_milestone_share(viewer, filters, by=by)
        return pd.Series(df["share"].astype(float).values, index=df["key"].astype(int))
    df = store.metrics(viewer, filters, by=by)
    return pd.Series(df[metric].astype(float).values, index=df["key"].astype(int))


def has_data(value, metric: str) -> bool:
    """Whether a value is data: NaN never; zero counts as "nothing reported" except for shares."""
    if value is None or pd.isna(value):
        return False
    return metric in _SHARES or value > 0


def scoped_filters(viewer: Viewer, filters: Filters, state: ViewState) -> Filters:
    """Filters of the view: the drilled province narrows the shared filters."""
    if state.province is not None:
        return replace(filters, provinces=(state.province,))
    return filters


def nation_layer(
    store: Store, viewer: Viewer, filters: Filters, state: ViewState, lang: str = "zh"
) -> AreaLayer:
    """Every provincial unit: those in view coloured by the metric, others grey."""
    provinces = geo.load_provinces()
    names = store.provinces().set_index("adcode")
    values = metric_values(store, viewer, filters, state.metric, "province")
    inside = set(store.scope_provinces(viewer)["adcode"].astype(int))
    if filters.provinces:
        inside &= {int(p) for p in filters.provinces}
    data_vals = [
        values[c] for c in values.index if c in inside and has_data(values[c], state.metric)
    ]
    breaks = breaks_for(data_vals, state.method)
    rows = []
    for code, geom in zip(provinces["adcode"].astype(int), provinces.geometry):
        nm = names.loc[code] if code in names.index else None
        shown = (nm["name_en"] if lang == "en" else nm["short_zh"]) if nm is not None else str(code)
        is_in = code in inside
        v = values.get(code, np.nan) if is_in else np.nan
        cls = classify(v, breaks) if has_data(v, state.metric) else None
        if is_in:
            val_txt = (
                maps.value_text(state.metric, v, lang)
                if cls is not None
                else t("explorer_nodata", lang)
            )
            tip = t(
                "explorer_tip_area",
                lang,
                name=shown,
                code=code,
                metric=maps.metric_name(state.metric, lang),
                value=val_txt,
            )
        else:
            tip = t("explorer_tip_outside", lang, name=shown)
        rows.append(
            {
                "adcode": code,
                "name": shown,
                "value": v,
                "cls": cls,
                "helped": False,
                "inside": is_in,
                "selected": False,
                "tip": tip,
                "geometry": geom,
            }
        )
    return AreaLayer(pd.DataFrame(rows), breaks, state.metric)


def province_layer(
    store: Store, viewer: Viewer, filters: Filters, state: ViewState, lang: str = "zh"
) -> AreaLayer:
    """The counties of the drilled province only; helped counties coloured and outlined."""
    assert state.province is not None  # below the nation level a province is chosen
    code = int(state.province)
    f = scoped_filters(viewer, filters, state)
    polys = geo.load_counties([code])
    ref = store.counties([code])
    names = dict(zip(ref["adcode"].astype(int), ref["name_zh"]))
    values = metric_values(store, viewer, f, state.metric, "county")
    helped = set(values.index)
    data_vals = [values[c] for c in values.index if has_data(values[c], state.metric)]
    breaks = breaks_for(data_vals, state.method)
    rows = []
    for c, geom in zip(polys["adcode"].astype(int), polys.geometry):
        name = names.get(c, str(c))
        is_helped = c in helped
        v = values.get(c, np.nan)
        cls = classify(v, breaks) if is_helped and has_data(v, state.metric) else None
        if is_helped:
            val_txt = (
                maps.value_text(state.metric, v, lang)
                if cls is not None
                else t("explorer_nodata", lang)
            )
            tip = t(
                "explorer_tip_area",
                lang,
                name=name,
                code=c,
                metric=maps.metric_name(state.metric, lang),
                value=val_txt,
            )
        else:
            tip = t("explorer_tip_unhelped", lang, name=name)
        rows.append(
            {
                "adcode": c,
                "name": name,
                "value": v,
                "cls": cls,
                "helped": is_helped,
                "inside": True,
                "selected": c == state.county,
                "tip": tip,
                "geometry": geom,
            }
        )
    frame = pd.DataFrame(
        rows,
        columns=[
            "adcode",
            "name",
            "value",
            "cls",
            "helped",
            "inside",
            "selected",
            "tip",
            "geometry",
        ],
    )
    drawn = set(frame["adcode"])
    pts = ref[ref["adcode"].isin(helped - drawn)]
    points = pd.DataFrame(
        {
            "adcode": pts["adcode"].astype(int),
            "name": pts["name_zh"],
            "lon": pts["lon"],
            "lat": pts["lat"],
            "tip": [
                t(
                    "explorer_tip_area",
                    lang,
                    name=n,
                    code=int(a),
                    metric=maps.metric_name(state.metric, lang),
                    value=maps.value_text(state.metric, values[int(a)], lang),
                )
                for a, n in zip(pts["adcode"], pts["name_zh"])
            ],
        }
    )
    return AreaLayer(frame, breaks, state.metric, points)


def flow_lines(
    store: Store,
    viewer: Viewer,
    filters: Filters,
    lang: str = "zh",
    cap: int = FLOW_CAP,
    top: int = FLOW_TOP,
) -> tuple[pd.DataFrame, bool]:
    """University → county lines, one per project; above ``cap`` lines, one per university and
    province (drawn to the mean point of that province's helped counties, weighted by its
    projects), and of those only the ``top`` with the most projects: 2,000 projects make ~900
    such links, a mass. Returns (lines, aggregated); aggregated lines carry
    ``attrs["flows_hidden"]`` (links, shown, projects, drawn_projects) for the legend's note.
    Columns: from_lat, from_lon, to_lat, to_lon, projects, activities, tip."""
    df = store.explorer_flows(viewer, filters)
    uni = "university_en" if lang == "en" else "university_zh"
    if len(df) <= cap:
        out = pd.DataFrame(
            {
                "from_lat": df["university_lat"],
                "from_lon": df["university_lon"],
                "to_lat": df["county_lat"],
                "to_lon": df["county_lon"],
                "projects": 1,
                "activities": df["activities"],
                "tip": [
                    t("explorer_tip_flow", lang, university=u, school=s, n=int(a))
                    for u, s, a in zip(df[uni], df["school_zh"], df["activities"])
                ],
            }
        )
        return out, False
    g = (
        df.groupby(["university_id", uni, "university_lat", "university_lon", "province_adcode"])
        .agg(
            to_lat=("county_lat", "mean"),
            to_lon=("county_lon", "mean"),
            projects=("project_id", "count"),
            activities=("activities", "sum"),
        )
        .reset_index()
    )
    names = store.provinces().set_index("adcode")["name_en" if lang == "en" else "short_zh"]
    links, total = len(g), int(g["projects"].sum())
    g = g.sort_values(
        ["projects", "activities", "university_id", "province_adcode"],
        ascending=[False, False, True, True],
        kind="stable",
    ).head(top)
    out = pd.DataFrame(
        {
            "from_lat": g["university_lat"],
            "from_lon": g["university_lon"],
            "to_lat": g["to_lat"],
            "to_lon": g["to_lon"],
            "projects": g["projects"],
            "activities": g["activities"],
            "tip": [
                t(
                    "explorer_tip_flow_agg",
                    lang,
                    university=u,
                    province=names.get(int(p), p),
                    n=int(n),
                    a=int(a),
                )
                for u, p, n, a in zip(g[uni], g["province_adcode"], g["projects"], g["activities"])
            ],
        }
    ).reset_index(drop=True)
    # what is left out, for the legend's note (maps.explorer_legend): kept with the lines
    out.attrs["flows_hidden"] = {
        "links": links,
        "shown": len(out),
        "projects": total,
        "drawn_projects": int(out["projects"].sum()),
    }
    return out, True


def universities(flows: pd.DataFrame) -> pd.DataFrame:
    """The university points of the lines in view, with their project count."""
    if flows.empty:
        return pd.DataFrame(columns=["lat", "lon", "projects", "tip"])
    g = (
        flows.groupby(["from_lat", "from_lon"])
        .agg(projects=("projects", "sum"), tip=("tip", "first"))
        .reset_index()
    )
    g["tip"] = g["tip"].str.split("→").str[0].str.strip() + [f"（{n}）" for n in g["projects"]]
    return g.rename(columns={"from_lat": "lat", "from_lon": "lon"})


# ---------------------------------------------------------------------------- cards
def card_statuses(store: Store, viewer: Viewer, filters: Filters, cards: pd.DataFrame) -> dict:
    """Per project of ``cards``: the approval state of its card's figures (its activity rows
    in the filters' range, each approved when its term is approved for the province)."""
    from .programme import approval

    if cards.empty:
        return {}
    counts = store.activity_agg(viewer, filters, by=("project_id", "term_code"))
    counts = counts[counts["project_id"].isin(cards["project_id"])]
    behind = approval.marked_counts(
        counts, cards[["project_id", "province_adcode"]], store.approved_pairs(viewer)
    )
    return approval.by_key(behind, "project_id")


def card_rows(
    cards: pd.DataFrame,
    lang: str = "zh",
    link_query: Mapping[str, str] | None = None,
    statuses: Mapping | None = None,
) -> list[dict]:
    """What each project card shows, as plain (unescaped) text and a few links. ``link_query``:
    what the dossier link carries besides the project (language, filters, map view);
    ``statuses``: each project's approval state (``card_statuses``; none: provisional)."""
    from .programme import approval

    labels = approval.labels_for(cards["project_id"], dict(statuses or {}), lang)
    out = []
    for r, status in zip(cards.itertuples(index=False), labels):
        prov = label(r.provenance, lang)
        if r.provenance == "imported" and not pd.isna(r.import_batch_id):
            prov = f"{prov}（{t('explorer_batch', lang)} {int(r.import_batch_id)}）"
        headline = t(
            "explorer_headline",
            lang,
            people=int(r.people_dispatched),
            months=format_value(float(r.person_months), "person_months"),
            visits=int(r.guidance_visits),
            trainings=int(r.trainings),
            interns=int(r.interns),
        )
        if int(r.simulated_activities):
            headline += t(
                "explorer_headline_simulated",
                lang,
                n=int(r.simulated_activities),
                total=int(r.activities),
            )
        cycle = " – ".join(x for x in (format_date(r.cycle_start), format_date(r.cycle_end)) if x)
        out.append(
            {
                "project_id": int(r.project_id),
                "school": r.school_zh,
                "county": f"{r.province_en if lang == 'en' else r.province_zh} {r.county_zh}",
                "university": r.university_en
                if lang == "en" and r.university_en
                else r.university_zh,
                # a professional body hosts too, but is no university (issue 13)
                "host_label": t(
                    "host_body" if r.host_kind == "society" else "explorer_card_university", lang
                ),
                "affiliated": r.affiliated_school or "—",
                "signed": format_date(r.signed_date, r.signed_precision) or "—",
                "cycle": cycle or "—",
                "headline": headline,
                "approval": status,
                "provenance": r.provenance,
                "provenance_label": prov,
                "source_url": r.source_url
                if isinstance(r.source_url, str) and r.source_url
                else None,
                "dossier": dossier_href(int(r.project_id), link_query),
            }
        )
    return out


# ---------------------------------------------------------------------------- one view
@dataclass
class ViewData:
    state: ViewState
    layer: AreaLayer
    bounds: list  # [[south, west], [north, east]]
    flows: pd.DataFrame | None
    aggregated: bool
    cards: list[dict]
    card_point: tuple[float, float] | None
    area_name: str
    simulated_shown: bool

    @property
    def key(self) -> str:
        return f"{self.state.level}:{self.state.province}:{self.state.county}"


def _pad(b, frac: float = 0.06, at_least: float = 0.3) -> list:
    west, south, east, north = (float(x) for x in b)
    dx = max((east - west) * frac, at_least)
    dy = max((north - south) * frac, at_least)
    return [[south - dy, west - dx], [north + dy, east + dx]]


def view_data(
    store: Store,
    viewer: Viewer,
    filters: Filters,
    state: ViewState,
    lang: str = "zh",
    show_flows: bool = True,
    link_query: Mapping[str, str] | None = None,
) -> ViewData:
    """Everything one view of the explorer shows, from the store under the viewer's scope.
    ``link_query``: what the cards' dossier links carry (see ``card_rows``)."""
    f = scoped_filters(viewer, filters, state)
    if state.level == "nation":
        layer = nation_layer(store, viewer, filters, state, lang)
        inside = layer.frame[layer.frame["inside"]]
        if filters.provinces or viewer.provinces is not None:
            bounds = _pad(gpd_bounds(inside))
        else:
            bounds = maps.NATION_FIT
        area_name = t("explorer_nation", lang)
    else:
        layer = province_layer(store, viewer, filters, state, lang)
        names = store.provinces().set_index("adcode")
        area_name = names.loc[state.province, "name_en" if lang == "en" else "short_zh"]
        bounds = _pad(gpd_bounds(layer.frame)) if len(layer.frame) else maps.NATION_FIT
    # national zoom: 0.01° (about 1 km, under a pixel); a province's counties: 0.001°
    with_shapes(layer, 2 if state.level == "nation" else 3)
    cards, point = [], None
    if state.level == "county":
        assert state.province is not None  # a county view is inside its province
        raw = store.explorer_cards(viewer, f, county_adcode=state.county)
        cards = card_rows(raw, lang, link_query, card_statuses(store, viewer, f, raw))
        sel = layer.frame[layer.frame["selected"]]
        ref = store.counties([state.province])
        row = ref[ref["adcode"] == state.county]
        if len(row):
            point = (float(row["lat"].iloc[0]), float(row["lon"].iloc[0]))
            if len(sel):
                c = sel.geometry.iloc[0].representative_point()
                point = (c.y, c.x)
            area_name = f"{area_name} {row['name_zh'].iloc[0]}"
        if len(sel):
            bounds = _pad(gpd_bounds(sel), frac=1.0, at_least=0.5)
        elif point:
            bounds = [[point[0] - 1, point[1] - 1], [point[0] + 1, point[1] + 1]]
    flows, aggregated = flow_lines(store, viewer, f, lang) if show_flows else (None, False)
    prov = store.provenance_counts(viewer, f)
    simulated = bool(((prov["provenance"] == "simulated") & (prov["n"] > 0)).any())
    return ViewData(state, layer, bounds, flows, aggregated, cards, point, area_name, simulated)


def gpd_bounds(frame: pd.DataFrame):
    import geopandas as gpd

    return gpd.GeoSeries(frame["geometry"].tolist()).total_bounds


def view_layers(data: ViewData, lang: str = "zh", wgs84: bool = False):
    """The folium feature groups of a view (built fresh each run from cached data)."""
    return maps.explorer_layers(
        data.layer,
        data.state.level,
        data.key,
        data.bounds,
        data.flows,
        data.aggregated,
        data.cards,
        data.card_point,
        lang,
        wgs84=wgs84,
        universities=universities(data.flows) if data.flows is not None else None,
    )


def helped_counties(data: ViewData) -> list[tuple[int, str]]:
    """The helped counties of a province view as (adcode, name), by name: the list under the
    map that makes every one of them one click away, the Corps' small 师市 too."""
    if data.state.level == "nation":
        return []
    f = data.layer.frame
    rows = list(zip(f.loc[f["helped"], "adcode"].astype(int), f.loc[f["helped"], "name"]))
    pts = data.layer.points
    if len(pts):
        rows += list(zip(pts["adcode"].astype(int), pts["name"]))
    return sorted(dict(rows).items(), key=lambda r: (r[1], r[0]))


@dataclass(frozen=True)
class Found:
    """One entry of the explorer's search: a county with helped schools, or a school."""

    key: str  # "county:620123" or "school:17": what the search box holds
    label: str  # what it shows and what typing matches
    province: int
    county: int


def find_entries(projects: pd.DataFrame, lang: str = "zh") -> list[Found]:
    """What the explorer's search box offers: every county with a project and every school in
    ``projects`` (the store's rows, already in the viewer's scope), counties first."""
    if projects.empty:
        return []
    prov = "province_en" if lang == "en" else "province_short"
    rows = projects.sort_values(["province_adcode", "county_adcode", "school_zh"], kind="stable")
    counties: dict[int, Found] = {}
    schools: list[Found] = []
    for r in rows.itertuples(index=False):
        county, province = int(r.county_adcode), int(r.province_adcode)
        where = f"{getattr(r, prov)} {r.county_zh}"
        if county not in counties:
            counties[county] = Found(
                f"county:{county}", t("explorer_find_county", lang, name=where), province, county
            )
        schools.append(
            Found(
                f"school:{int(r.project_id)}",
                t("explorer_find_school", lang, name=r.school_zh, where=where),
                province,
                county,
            )
        )
    return list(counties.values()) + schools


def found_project(found: Found) -> int | None:
    """The project a search entry names (a school), else None (a county)."""
    kind, _, value = found.key.partition(":")
    return int(value) if kind == "school" and value.isdigit() else None


def focus_first(cards: list[dict], project_id: int | None) -> list[dict]:
    """The cards with the one a search found first and marked ``focus`` (the page outlines it);
    the others keep their order. Unchanged when that project has no card here."""
    if project_id is None or not any(c["project_id"] == project_id for c in cards):
        return cards
    hit = [{**c, "focus": True} for c in cards if c["project_id"] == project_id]
    return hit + [c for c in cards if c["project_id"] != project_id]


def jump(state: ViewState, found: Found, allowed_provinces, county_province) -> ViewState | None:
    """The county view a search entry opens (None: not in the viewer's provinces after all)."""
    if found.province not in {int(c) for c in allowed_provinces}:
        return None
    if county_province.get(found.county) != found.province:
        return None
    return replace(state, level="county", province=found.province, county=found.county)


def breadcrumb(
    data: ViewData, province_name: str | None, county_name: str | None, lang: str = "zh"
) -> list[tuple[str, ViewState | None]]:
    """(label, target view) from the nation down to the current view; the last has no target."""
    s = data.state
    out: list[tuple[str, ViewState | None]] = [
        (t("explorer_nation", lang), up(up(s)) if s.level != "nation" else None)
    ]
    if s.level in ("province", "county"):
        out.append((province_name or str(s.province), up(s) if s.level == "county" else None))
    if s.level == "county":
        out.append((county_name or str(s.county), None))
    return out
