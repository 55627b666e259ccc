"""Map builders checked on the HTML they produce: layers, feature counts, offline, escaping."""

from __future__ import annotations

import re

import folium
import pandas as pd
import pytest

from dashboard_lib import explorer, geo, maps, overview
from dashboard_lib.scope import Filters, Viewer


def geojson_layers(m: folium.Map) -> list[folium.GeoJson]:
    out = []

    def walk(el):
        if isinstance(el, folium.GeoJson):
            out.append(el)
        for child in el._children.values():
            walk(child)

    walk(m)
    return out


def feature_count(m, prop):
    return sum(
        len(g.data["features"])
        for g in geojson_layers(m)
        if g.data["features"] and prop in g.data["features"][0]["properties"]
    )


def external_refs(html: str) -> list[str]:
    refs = re.findall(r'<script[^>]+src="([^"]+)"', html) + re.findall(
        r'<link[^>]+href="([^"]+)"', html
    )
    return [r for r in refs if not r.startswith("/app/static/")]


@pytest.fixture(scope="module")
def national(demo_store):
    m, pointed = overview.overview_map(demo_store, Viewer.ministry(), Filters(), "projects", "zh")
    return m, pointed, m.get_root().render()


def test_national_map_draws_every_province_and_helped_county(national, demo_store):
    m, pointed, _ = national
    assert feature_count(m, "inside") == 35  # 34 provincial units + the Corps
    helped = demo_store.projects(Viewer.ministry())["county_adcode"].nunique()
    outlined = sum(
        1
        for g in geojson_layers(m)
        for f in g.data["features"]
        if "tip" in f["properties"] and f["geometry"]["type"] in ("Polygon", "MultiPolygon")
    )
    assert outlined - 35 + len(pointed) == helped
    # one line per project and one circle per university, each set in one layer
    projects = demo_store.projects(Viewer.ministry())
    kinds = [f["geometry"]["type"] for g in geojson_layers(m) for f in g.data["features"]]
    assert kinds.count("LineString") == len(projects)
    assert kinds.count("Point") == projects["university_id"].nunique()


def test_national_map_is_offline(national):
    _, _, html = national
    assert external_refs(html) == []
    assert "/app/static/leaflet/leaflet.js" in html
    assert "tile" not in " ".join(re.findall(r"L\.tileLayer\([^)]*\)", html))
    assert "d3" not in " ".join(re.findall(r'src="([^"]+)"', html))


def test_legend_has_no_data_and_outside_classes(national):
    _, _, html = national
    assert "无数据" in html and "非项目省份" in html


def test_programme_provinces_coloured_others_grey(national):
    m, _, _ = national
    layer = next(
        g
        for g in geojson_layers(m)
        if g.data["features"] and "inside" in g.data["features"][0]["properties"]
    )
    fills = {f["properties"]["adcode"]: f["properties"]["fill"] for f in layer.data["features"]}
    assert fills[110000] == maps.OUTSIDE  # 北京: not in the programme
    assert fills[710000] == maps.OUTSIDE  # 台湾: drawn, grey
    assert fills[620000] in maps.PALETTE  # 甘肃: coloured by its count
    assert fills[660000] in maps.PALETTE  # the Corps: its own unit


def test_province_view_only_its_features(demo_store):
    m, pointed = overview.overview_map(
        demo_store, Viewer.province(620000), Filters(), "projects", "en"
    )
    layer = next(
        g
        for g in geojson_layers(m)
        if g.data["features"] and "inside" in g.data["features"][0]["properties"]
    )
    inside = [
        f["properties"]["adcode"] for f in layer.data["features"] if f["properties"]["inside"]
    ]
    assert inside == [620000]
    counties = [
        g
        for g in geojson_layers(m)
        if g.data["features"]
        and "inside" not in g.data["features"][0]["properties"]
        and "tip" in g.data["features"][0]["properties"]
        and g.data["features"][0]["geometry"]["type"] in ("Polygon", "MultiPolygon")
    ]
    gansu = demo_store.projects(Viewer.province(620000))
    assert (
        sum(len(g.data["features"]) for g in counties) + len(pointed)
        == gansu["county_adcode"].nunique()
    )
    for g in counties:
        for f in g.data["features"]:
            assert f["properties"]["adcode"] // 10000 == 62


def test_text_in_map_html_is_escaped():
    provinces = geo.load_provinces()
    values = pd.DataFrame(
        {
            "adcode": [620000],
            "short_zh": ["<img src=x onerror=alert(1)>"],
            "name_en": ["x"],
            "projects": [3],
        }
    )
    flows = pd.DataFrame(
        {
            "university_zh": ["<script>alert('u')</script>"],
            "school_zh": ["S"],
            "university_lat": [39.9],
            "university_lon": [116.3],
            "county_lat": [35.8],
            "county_lon": [104.1],
        }
    )
    m = maps.national_map(provinces, values, "projects", geo.load_outline(), flows=flows)
    html = m.get_root().render()
    assert "<script>alert('u')</script>" not in html
    assert "<img src=x onerror" not in html
    layer = next(
        g
        for g in geojson_layers(m)
        if g.data["features"] and "inside" in g.data["features"][0]["properties"]
    )
    tip = next(
        f["properties"]["tip"]
        for f in layer.data["features"]
        if f["properties"]["adcode"] == 620000
    )
    assert tip.startswith("&lt;img src=x onerror=alert(1)&gt;")
    line_tips = [
        f["properties"]["tip"]
        for g in geojson_layers(m)
        for f in g.data["features"]
        if f["geometry"]["type"] == "LineString"
    ]
    assert line_tips == ["&lt;script&gt;alert(&#x27;u&#x27;)&lt;/script&gt; → S"]
    uni_tips = [
        f["properties"]["tip"]
        for g in geojson_layers(m)
        for f in g.data["features"]
        if f["geometry"]["type"] == "Point"
    ]
    assert uni_tips == ["&lt;script&gt;alert(&#x27;u&#x27;)&lt;/script&gt;（1）"]


@pytest.mark.parametrize(
    "values,expected",
    [
        ([1, 2, 3, 4, 5], [2.0, 3.0, 4.0, 5.0]),  # quantiles 1.8 2.6 3.4 4.2 5 rounded up
        ([0, 0, 7], [7.0]),
        ([], []),
        ([0.5, 1.5], [0.7, 0.9, 1.1, 1.3, 1.5]),  # not counts: kept as they are
    ],
)
def test_quantile_breaks(values, expected):
    got = maps.quantile_breaks(values)
    assert got == pytest.approx(expected, abs=0.01)


def test_zero_is_no_data():
    assert maps.classify(0, [1.0, 2.0]) is None
    assert maps.classify(float("nan"), [1.0]) is None
    assert maps.classify(2.0, [1.0, 2.0]) == 1


def test_scale_bar_is_metric_only(national):
    _, _, html = national
    assert "imperial: false" in html


@pytest.mark.parametrize(
    "value,precision,expected",
    [("2022-07-01", "month", "2022-07"), ("2022-08-05", "day", "2022-08-05"), (None, "day", "")],
)
def test_dates_shown_at_their_precision(value, precision, expected):
    assert overview.format_date(value, precision) == expected


@pytest.mark.parametrize("idx", [None, float("nan")])
def test_missing_class_is_no_data_colour(idx):
    assert maps.class_colour(idx, 5) == maps.NO_DATA
    assert maps.class_colour(4.0, 5) == maps.PALETTE[-1]


# ---------------------------------------------------------------------------- the one classifier
B = [3.0, 12.0, 30.0]  # upper bounds of three classes


@pytest.mark.parametrize(
    "value,breaks,zero_is_data,expected",
    [
        # no data: missing, not finite, or no breaks at all (either rule)
        (None, B, False, None),
        (None, B, True, None),
        (float("nan"), B, False, None),
        (float("nan"), B, True, None),
        (pd.NA, B, True, None),
        (float("inf"), B, True, None),
        (float("-inf"), B, False, None),
        (5.0, [], False, None),
        (5.0, [], True, None),
        # zero (and below): no data for counts, the lowest class for shares
        (0, B, False, None),
        (0.0, B, False, None),
        (-1.0, B, False, None),
        (0, B, True, 0),
        (0.0, [0.2, 0.5, 1.0], True, 0),
        # below, equal to and above a bound: a bound belongs to its own class
        (1, B, False, 0),
        (3, B, False, 0),
        (3.0 + 1e-13, B, False, 0),  # float noise above a bound is on it
        (3.5, B, False, 1),
        (12, B, False, 1),
        (12.5, B, True, 2),
        (30, B, False, 2),
        (99, B, False, 2),  # above the last bound: the last class
        (0.5, [0.2, 0.5, 1.0], True, 1),
        (0.51, [0.2, 0.5, 1.0], True, 2),
        (7, [7.0], False, 0),
    ],
)
def test_one_classifier(value, breaks, zero_is_data, expected):
    assert maps.classify(value, breaks, zero_is_data=zero_is_data) == expected


def test_explorer_classify_is_the_one_classifier_with_zero_as_data():
    # the explorer's counts reach the classifier only above zero (explorer.has_data)
    for value in (None, float("nan"), 0, 0.0, 1, 3, 3.5, 12, 29, 30, 99):
        assert explorer.classify(value, B) == maps.classify(value, B, zero_is_data=True)
    assert explorer.classify(0.0, [0.5, 1.0]) == 0  # a share of 0 % is coloured, not "no data"
