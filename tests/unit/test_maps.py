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
    """A 甘肃 official's overview map is 甘肃's counties (issue 13), not the nation framed on it:
    every drawn area is a 甘肃 county, the coloured ones are exactly its helped counties."""
    m, pointed = overview.overview_map(
        demo_store, Viewer.province(620000), Filters(), "projects", "en"
    )
    layer = next(
        g
        for g in geojson_layers(m)
        if g.data["features"] and "inside" in g.data["features"][0]["properties"]
    )
    codes = [f["properties"]["adcode"] for f in layer.data["features"]]
    assert all(c // 10000 == 62 for c in codes)
    assert len(codes) == len(geo.load_counties([620000]))
    inside = {
        f["properties"]["adcode"] for f in layer.data["features"] if f["properties"]["inside"]
    }
    gansu = demo_store.projects(Viewer.province(620000))
    assert inside | set(pointed["county_adcode"]) == set(gansu["county_adcode"])
    others = [f for f in layer.data["features"] if not f["properties"]["inside"]]
    assert others and all(f["properties"]["fill"] == maps.OUTSIDE for f in others)
    assert all("not a helped county" in f["properties"]["tip"] for f in others)
    # one line per 甘肃 project, nothing of another province
    lines = [
        f
        for g in geojson_layers(m)
        for f in g.data["features"]
        if f["geometry"]["type"] == "LineString"
    ]
    assert len(lines) == len(gansu)


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


# ---------------------------------------------------------------------------- issue 13
def _area_tips(m) -> dict[int, str]:
    layer = next(
        g
        for g in geojson_layers(m)
        if g.data["features"] and "inside" in g.data["features"][0]["properties"]
    )
    return {f["properties"]["adcode"]: f["properties"]["tip"] for f in layer.data["features"]}


@pytest.mark.parametrize(
    "lang,expected",
    [("zh", "甘肃 · 派驻人员：{n} 人次"), ("en", "Gansu · People dispatched: {n} person-trips")],
)
def test_national_tooltip_gives_the_unit(demo_store, lang, expected):
    m, _ = overview.overview_map(
        demo_store, Viewer.ministry(), Filters(), "people_dispatched", lang
    )
    n = int(demo_store.metrics(Viewer.province(620000)).iloc[0]["people_dispatched"])
    assert n > 0
    assert _area_tips(m)[620000] == expected.format(n=f"{n:,}")


def test_province_map_tooltip_gives_the_unit(demo_store):
    m, _ = overview.overview_map(demo_store, Viewer.province(620000), Filters(), "trainings", "en")
    per = demo_store.metrics(Viewer.province(620000), by="county").set_index("key")
    county, n = next((int(k), int(v)) for k, v in per["trainings"].items() if v > 0)
    assert _area_tips(m)[county].endswith(f"Trainings: {n:,} sessions")


def _equal_values_map(lang: str, values: list[int]) -> str:
    codes = [620000, 630000, 640000]
    frame = pd.DataFrame(
        {
            "adcode": codes,
            "short_zh": ["甘", "青", "宁"],
            "name_en": ["G", "Q", "N"],
            "projects": values,
        }
    )
    return (
        maps.national_map(geo.load_provinces(), frame, "projects", geo.load_outline(), lang=lang)
        .get_root()
        .render()
    )


def test_all_equal_values_say_so_instead_of_one_class():
    html = _equal_values_map("zh", [4, 4, 4])
    assert "全部相同：4" in html
    assert "≤ 4" not in html
    assert "All equal: 4" in _equal_values_map("en", [4, 4, 4])
    # values that differ keep their classes
    differ = _equal_values_map("zh", [1, 4, 9])
    assert "全部相同" not in differ and "≤ " in differ


def test_all_equal_ignores_no_data():
    assert maps.classify(3, [3.0]) == 0
    from dashboard_lib.maps.classify import all_equal, class_labels

    assert all_equal([3, 3, 0, None, float("nan")]) == 3.0
    assert all_equal([3, 4]) is None
    assert all_equal([]) is None
    assert all_equal([0.0, 0.0], zero_is_data=True) == 0.0
    # [2, 3] are whole numbers whose quantiles all round up to 3: one class, but not "equal"
    assert class_labels([3.0], [2, 3], str) == [(0, "≤ 3.0")]


def test_legend_is_a_leaflet_control_in_the_scale_bars_corner(national):
    _, _, html = national
    # Leaflet stacks one corner's controls: the legend goes above the scale bar, not over it
    assert "L.control.scale" in html
    assert "position:'bottomleft'" in html and "xz-legend" in html
    assert 'class="xz-legend" style="position:absolute' not in html
    assert html.index("L.control.scale") < html.index("new Lg().addTo")


def _many_projects(groups: dict[tuple[str, int], int]) -> pd.DataFrame:
    rows = []
    for (uni, prov), n in groups.items():
        for i in range(n):
            rows.append(
                {
                    "university_zh": uni,
                    "university_en": uni.upper(),
                    "school_zh": f"{uni}-{prov}-{i}",
                    "university_lon": 100.0 + ord(uni[0]) % 20,
                    "university_lat": 30.0,
                    "county_lon": 90.0 + prov % 30 + i * 0.01,
                    "county_lat": 35.0,
                    "province_adcode": prov,
                    "province_short": f"省{prov}",
                    "province_en": f"P{prov}",
                }
            )
    return pd.DataFrame(rows)


def test_flows_at_scale_show_the_largest_links_and_say_what_is_hidden():
    # 40 universities × 10 provinces; link (u, p) has 1 + (u + p) % 5 projects
    groups = {(f"u{u:02d}", 610000 + p): 1 + (u + p) % 5 for u in range(40) for p in range(10)}
    projects = _many_projects(groups)
    total = len(projects)
    assert total > maps.national.FLOW_CAP
    plan = maps.flow_plan(projects, "zh", top=50)
    assert plan.aggregated and len(plan.features) == 50
    assert plan.links == 400 and plan.hidden == 350 and plan.projects == total
    biggest = sorted(groups.values(), reverse=True)[:50]
    assert plan.drawn_projects == sum(biggest) == 250  # 80 links have 5 projects
    assert all(f["geometry"]["type"] == "LineString" for f in plan.features)
    assert all("5 个项目" in f["properties"]["tip"] for f in plan.features)
    rows = plan.legend_rows("zh")
    assert rows[-1][0] == "note"
    assert "50 条" in rows[-1][2] and f"250/{total:,}" in rows[-1][2] and "350 条" in rows[-1][2]
    # under the cap: one line per project, nothing hidden, no note
    few = maps.flow_plan(projects.head(120), "zh")
    assert not few.aggregated and len(few.features) == 120 and few.hidden == 0
    assert [k for k, _, _ in few.legend_rows("zh")] == ["line"]


def test_dense_national_map_draws_at_most_the_top_links(demo_store):
    projects = _many_projects(
        {(f"u{u:02d}", 620000): 10 for u in range(40)}  # 400 projects, 40 links
    )
    fg = maps.flow_layer(projects, "en", maps.flow_plan(projects, "en", top=25))
    lines = [f for g in geojson_layers(fg) for f in g.data["features"]]
    assert len(lines) == 25
    assert all(f["properties"]["tip"].endswith("P620000: 10 projects") for f in lines)


def _overview_page(demo_db, monkeypatch, viewer=None):
    from conftest import ROOT
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("XZ_DB_PATH", str(demo_db))
    if viewer is not None:
        from dashboard_lib import ui

        monkeypatch.setattr(ui, "viewer", lambda: viewer)
    return AppTest.from_file(str(ROOT / "views" / "overview.py"), default_timeout=90).run()


def test_metric_menu_sends_its_new_label_on_a_language_switch(demo_db, monkeypatch):
    """The menu's value travels as its label: on the first run in English the page must send
    "Projects" as the value (the browser otherwise kept showing 项目数 until the next page)."""
    at = _overview_page(demo_db, monkeypatch)
    box = at.selectbox(key="metric")
    assert box.value == "projects" and box.options[0] == "项目数"
    at.radio(key="lang_radio").set_value("English").run()
    assert not at.exception
    box = at.selectbox(key="metric")
    assert box.options[0] == "Projects" and box.value == "projects"
    assert box.proto.set_value and box.proto.raw_value == "Projects"
    # a later run in the same language leaves the user's choice alone
    box.set_value("trainings").run()
    box = at.selectbox(key="metric")
    assert box.value == "trainings" and not box.proto.set_value


def test_official_lands_on_their_province(demo_db, monkeypatch):
    at = _overview_page(demo_db, monkeypatch, Viewer.province(620000))
    assert not at.exception
    assert at.header[0].value == "甘肃省概览"
    assert at.subheader[0].value == "甘肃省托管帮扶分布"
    assert all("全国" not in h.value for h in [*at.header, *at.subheader])
    corps = _overview_page(demo_db, monkeypatch, Viewer.province(660000))
    assert corps.header[0].value == "新疆生产建设兵团概览"
