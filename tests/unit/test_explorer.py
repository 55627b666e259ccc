"""The map explorer without a browser: classification against hand-computed breaks, the view
state in the URL (untrusted), the store's explorer queries on the tiny database, and the map
builders on the HTML they produce (layers, feature counts per level, escaping, offline)."""

from __future__ import annotations

import json
import re

import folium
import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

from dashboard_lib import explorer, geo, maps
from dashboard_lib.explorer import AreaLayer, ViewState
from dashboard_lib.scope import Filters, Viewer

EVIL = ("<script>alert(1)</script>", "<img src=x onerror=alert(2)>")


# ---------------------------------------------------------------------------- classification
def test_quantile_breaks_by_hand():
    # 1..10, linear quantiles at .2 .4 .6 .8 1 sit at 2.8 4.6 6.4 8.2 10; counts round up
    assert explorer.quantile_breaks(range(1, 11), 5) == [3, 5, 7, 9, 10]
    # non-whole values are kept as they are: median of 0.5 1.5 2.5 3.5 is 2.0
    assert explorer.quantile_breaks([0.5, 1.5, 2.5, 3.5], 2) == [2.0, 3.5]
    assert explorer.quantile_breaks([None, float("nan")], 5) == []
    assert explorer.quantile_breaks([4, 4, 4], 5) == [4]


def test_jenks_breaks_by_hand():
    values = [1, 2, 3, 10, 11, 12, 30]
    assert explorer.jenks_breaks(values, 3) == [3, 12, 30]
    # two classes: {1..12}|{30} costs 125.5, {1,2,3}|{10..30} costs 274.75
    assert explorer.jenks_breaks(values, 2) == [12, 30]
    assert explorer.jenks_breaks([5, 5, 5], 4) == [5]
    assert explorer.jenks_breaks([], 3) == []
    # order of the input does not matter
    assert explorer.jenks_breaks([30, 1, 12, 2, 11, 3, 10], 3) == [3, 12, 30]


def test_classify_and_no_data():
    b = [3, 12, 30]
    assert [explorer.classify(x, b) for x in (1, 3, 3.5, 12, 29, 30, 99)] == [0, 0, 1, 1, 2, 2, 2]
    assert explorer.classify(None, b) is None
    assert explorer.classify(float("nan"), b) is None
    assert explorer.classify(5, []) is None
    assert not explorer.has_data(0, "projects") and explorer.has_data(0.0, "milestone_share")
    assert not explorer.has_data(float("nan"), "milestone_share")


# ---------------------------------------------------------------------------- view state
COUNTY_PROVINCE = {620123: 620000, 620421: 620000, 650102: 650000, 659002: 660000}
ALL = [620000, 650000, 660000]


def test_view_state_round_trip():
    s = ViewState("county", 620000, 620123, "interns", "jenks")
    p = s.to_params()
    assert p == {
        "level": "county",
        "province": "620000",
        "county": "620123",
        "metric": "interns",
        "classes": "jenks",
    }
    back = explorer.parse_view(p, Viewer.ministry(), ALL, COUNTY_PROVINCE)
    assert back.state == s and not back.refused


@pytest.mark.parametrize(
    "params, level, province, county",
    [
        ({}, "nation", None, None),
        ({"province": "620000"}, "province", 620000, None),
        ({"level": "county", "province": "620000"}, "province", 620000, None),  # no county: one up
        ({"level": "nation", "province": "660000", "county": "659002"}, "county", 660000, 659002),
    ],
)
def test_level_follows_what_the_url_names(params, level, province, county):
    got = explorer.parse_view(params, Viewer.ministry(), ALL, COUNTY_PROVINCE)
    assert (got.state.level, got.state.province, got.state.county) == (level, province, county)
    assert not got.refused


@pytest.mark.parametrize(
    "params",
    [
        {"province": "650000"},  # another province than the viewer's
        {"province": "660000", "county": "659002"},  # the Corps is not 甘肃 either
        {"province": "620000", "county": "650102"},  # a county of another province
        {"province": "620000 OR 1=1"},
        {"province": "62000"},
        {"province": "620000", "county": "<script>"},
        {"province": "620000", "metric": "<img onerror=x>"},
        {"province": "620000", "classes": "kmeans"},
    ],
)
def test_untrusted_url_is_refused_for_a_province_viewer(params):
    viewer = Viewer.province(620000)
    got = explorer.parse_view(params, viewer, [620000], COUNTY_PROVINCE)
    assert got.refused
    assert got.state.province in (None, 620000)
    assert got.state.county in (None, 620123, 620421)
    assert got.state.metric in explorer.METRICS and got.state.method in explorer.METHODS


def test_drill_and_up():
    nation = ViewState()
    assert explorer.drill(nation, 620000, ALL, COUNTY_PROVINCE) == ViewState("province", 620000)
    assert explorer.drill(nation, 110000, ALL, COUNTY_PROVINCE) is None  # outside
    prov = ViewState("province", 620000)
    assert explorer.drill(prov, 620421, ALL, COUNTY_PROVINCE) == ViewState("county", 620000, 620421)
    assert explorer.drill(prov, 650102, ALL, COUNTY_PROVINCE) is None  # not its county
    county = ViewState("county", 620000, 620421)
    assert explorer.up(county) == prov
    assert explorer.up(prov) == nation


def test_code_from_tooltip():
    assert explorer.code_from_tooltip("甘肃（620000）\n项目数：8") == 620000
    assert explorer.code_from_tooltip("Gansu (620000)\nProjects: 8") == 620000
    assert explorer.code_from_tooltip("北京\n非项目省份或权限外") is None
    assert explorer.code_from_tooltip("兰州大学 → 某中学（活动 12 条）") is None
    assert explorer.code_from_tooltip(None) is None
    # a name that smuggles a code still yields only a candidate; drill() checks it
    code = explorer.code_from_tooltip("<b>（110000）</b>（620123）\nx")
    assert (
        explorer.drill(ViewState("province", 620000), code, ALL, COUNTY_PROVINCE).county == 620123
    )


# ---------------------------------------------------------------------------- store queries
def test_milestone_share_by_hand(tiny_store):
    df = tiny_store.explorer_milestone_share(Viewer.ministry(), by="province").set_index("key")
    # p1 month-precision 2022-07 counts as 07-31 = due: met; p2 08-05 late; p3 07-31 met; p4 not done
    assert df.loc[620000, "due"] == 2 and df.loc[620000, "met"] == 1
    assert df.loc[620000, "share"] == pytest.approx(0.5)
    assert df.loc[650000, "share"] == pytest.approx(1.0)
    assert df.loc[660000, "share"] == pytest.approx(0.0)  # the Corps, its own unit
    early = tiny_store.explorer_milestone_share(Viewer.ministry(), by="county", as_of="2022-07-01")
    assert early["share"].isna().all() and (early["due"] == 0).all()
    only = tiny_store.explorer_milestone_share(Viewer.province(620000), by="county")
    assert sorted(only["key"]) == [620123, 620421]


def test_cards_by_hand(tiny_store):
    cards = tiny_store.explorer_cards(Viewer.ministry(), county_adcode=620123)
    assert cards["project_id"].tolist() == [1]
    r = cards.iloc[0]
    assert (r.people_dispatched, r.person_months, r.trainings, r.interns, r.activities) == (
        2,
        9.0,
        1,
        0,
        3,
    )
    assert r.simulated_activities == 3  # a published project whose activity rows are simulated
    assert r.provenance == "published" and r.source_url == "https://example.org/a"
    assert r.university_zh == "兰州大学" and r.county_zh == "榆中县"
    # another province's county is empty for a 甘肃 viewer, whatever is asked
    assert tiny_store.explorer_cards(Viewer.province(620000), county_adcode=650102).empty
    rows = explorer.card_rows(cards, "zh")
    assert rows[0]["dossier"] == "/dossier?project=1"
    assert rows[0]["provenance_label"] == "公开报道"
    assert "3 条中 3 条为模拟" in rows[0]["headline"]  # the card says the figures are simulated


def test_flows_by_hand(tiny_store):
    f = tiny_store.explorer_flows(Viewer.ministry()).set_index("project_id")
    assert f["activities"].to_dict() == {1: 3, 2: 2, 3: 1, 4: 2}
    trainings = tiny_store.explorer_flows(Viewer.ministry(), Filters(kinds=("training",)))
    assert trainings.set_index("project_id")["activities"].to_dict() == {1: 1, 2: 1, 3: 0, 4: 0}
    corps = tiny_store.explorer_flows(Viewer.province(660000))
    assert corps["project_id"].tolist() == [4]


def test_flow_rule_aggregates_above_the_cap(tiny_store):
    lines, agg = explorer.flow_lines(tiny_store, Viewer.ministry(), Filters(), cap=10)
    assert not agg and len(lines) == 4
    lines, agg = explorer.flow_lines(tiny_store, Viewer.ministry(), Filters(), cap=3)
    # pairs (university, province): (1,620000) (2,620000) (2,650000) (1,660000)
    assert agg and len(lines) == 4 and lines["projects"].sum() == 4
    lines, agg = explorer.flow_lines(
        tiny_store, Viewer.ministry(), Filters(provinces=(620000,)), cap=1
    )
    assert agg and sorted(lines["projects"]) == [1, 1]

    # above the cap and over ``top`` links: the largest drawn, the rest counted for the legend
    lines, agg = explorer.flow_lines(tiny_store, Viewer.ministry(), Filters(), cap=3, top=2)
    assert agg and len(lines) == 2
    assert lines.attrs["flows_hidden"] == {
        "links": 4,
        "shown": 2,
        "projects": 4,
        "drawn_projects": 2,
    }


def test_legend_says_what_flows_are_hidden(nation_view):
    hidden = {"links": 890, "shown": 100, "projects": 2000, "drawn_projects": 481}
    html = maps.explorer_legend(nation_view.layer, "en", "nation", True, True, hidden)
    assert "Only the 100 largest links are drawn (481 of 2,000 projects); 790 smaller" in html
    zh = maps.explorer_legend(nation_view.layer, "zh", "nation", True, True, hidden)
    assert "仅画出项目最多的 100 条连线（481/2,000 个项目），其余 790 条未画出" in zh
    assert "仅画出" not in maps.explorer_legend(nation_view.layer, "zh", "nation", True, True)


@pytest.mark.parametrize("lang,unit", [("zh", "{n} 人次"), ("en", "{n} person-trips")])
def test_explorer_tooltips_give_the_unit(demo_store, lang, unit):
    state = ViewState(metric="people_dispatched")
    layer = explorer.nation_layer(demo_store, Viewer.ministry(), Filters(), state, lang)
    tip = layer.frame.set_index("adcode").loc[620000, "tip"]
    n = int(demo_store.metrics(Viewer.province(620000)).iloc[0]["people_dispatched"])
    assert tip.endswith(unit.format(n=f"{n:,}")), tip
    gansu = ViewState("province", 620000, metric="people_dispatched")
    counties = explorer.province_layer(demo_store, Viewer.ministry(), Filters(), gansu, lang)
    per = demo_store.metrics(Viewer.province(620000), by="county").set_index("key")
    code, v = next((int(k), int(x)) for k, x in per["people_dispatched"].items() if x > 0)
    frame = counties.frame.set_index("adcode")
    shown = (
        frame.loc[code, "tip"]
        if code in frame.index
        else counties.points.set_index("adcode").loc[code, "tip"]
    )
    assert shown.endswith(unit.format(n=f"{v:,}")), shown


def test_explorer_legend_all_equal_values():
    frame = pd.DataFrame(
        {"value": [2.0, 2.0, float("nan")], "cls": [0, 0, None], "geometry": [None] * 3}
    )
    layer = AreaLayer(frame, [2.0], "trainings")
    html = maps.explorer_legend(layer, "zh", "province", False, False)
    assert "全部相同：2" in html and "≤ 2" not in html
    assert "（场）</b>" in html  # the legend title carries the unit
    differ = AreaLayer(frame.assign(value=[1.0, 2.0, None], cls=[0, 0, None]), [2.0], "trainings")
    assert "≤ 2" in maps.explorer_legend(differ, "en", "province", False, False)


# ---------------------------------------------------------------------------- map builders
def _geojsons(groups):
    out = []

    def walk(el):
        if isinstance(el, folium.GeoJson):
            out.append(el)
        for child in el._children.values():
            walk(child)

    for g in groups:
        walk(g)
    return out


def _render(groups, lang="zh"):
    m = maps.explorer_base_map(lang)
    for g in groups:
        g.add_to(m)
    folium.LayerControl().add_to(m)
    return m.get_root().render()


def _external(html):
    refs = re.findall(r'<script[^>]+src="([^"]+)"', html) + re.findall(
        r'<link[^>]+href="([^"]+)"', html
    )
    return [r for r in refs if not r.startswith("/app/static/")]


@pytest.fixture(scope="module")
def nation_view(demo_store):
    return explorer.view_data(demo_store, Viewer.ministry(), Filters(), ViewState(), "zh")


def test_nation_level_layers(nation_view, demo_store):
    groups = explorer.view_layers(nation_view, "zh")
    areas = _geojsons(groups[:1])[0]
    assert len(areas.data["features"]) == 35  # 34 provincial units + the Corps
    fills = {f["properties"]["adcode"]: f["properties"]["fill"] for f in areas.data["features"]}
    assert (
        fills[110000] == maps.OUTSIDE
        and fills[620000] in maps.PALETTE
        and fills[660000] in maps.PALETTE
    )
    flows = _geojsons(groups[1:2])[0]
    assert len(flows.data["features"]) == len(demo_store.projects(Viewer.ministry()))  # 115 ≤ cap
    assert [g.layer_name for g in groups] == ["省份", "托管关系", "托管高校"]
    html = _render(groups)
    for name in ("省份", "托管关系", "托管高校"):  # listed in the layer control
        assert json.dumps(name) in html
    assert "无数据" in html and "南海诸岛" in html
    assert _external(html) == [] and "L.tileLayer" not in html


def test_province_level_only_its_counties(demo_store):
    view = explorer.view_data(
        demo_store,
        Viewer.ministry(),
        Filters(provinces=(620000,)),
        ViewState("province", 620000),
        "zh",
    )
    areas = _geojsons(explorer.view_layers(view, "zh")[:1])[0]
    codes = [f["properties"]["adcode"] for f in areas.data["features"]]
    assert len(codes) == len(geo.load_counties([620000])) and all(c // 10000 == 62 for c in codes)
    gansu = demo_store.projects(Viewer.province(620000))
    helped = {
        f["properties"]["adcode"] for f in areas.data["features"] if f["properties"]["helped"]
    }
    assert helped == set(gansu[gansu["has_boundary"]]["county_adcode"])


def test_county_level_cards_and_popup(demo_store):
    gansu = demo_store.projects(Viewer.province(620000))
    county = int(gansu["county_adcode"].iloc[0])
    view = explorer.view_data(
        demo_store,
        Viewer.ministry(),
        Filters(provinces=(620000,)),
        ViewState("county", 620000, county),
        "zh",
    )
    assert [c["project_id"] for c in view.cards] == gansu[gansu["county_adcode"] == county][
        "project_id"
    ].tolist()
    html = _render(explorer.view_layers(view, "zh"))
    assert f"/dossier?project={view.cards[0]['project_id']}" in html
    assert "数据来源" in html


def test_every_text_in_the_map_is_escaped():
    frame = pd.DataFrame(
        {
            "adcode": [620123, 620421],
            "name": list(EVIL),
            "value": [3.0, float("nan")],
            "cls": [0, None],
            "helped": [True, False],
            "inside": [True, True],
            "selected": [True, False],
            "tip": [f"{EVIL[0]}（620123）\nx", f"{EVIL[1]}\ny"],
            "geometry": [box(104, 35, 104.5, 35.5), box(104.5, 35, 105, 35.5)],
        }
    )
    layer = AreaLayer(
        frame,
        [3.0],
        "projects",
        pd.DataFrame(
            {"adcode": [1], "name": [EVIL[1]], "lon": [104.2], "lat": [35.2], "tip": [EVIL[1]]}
        ),
    )
    flows = pd.DataFrame(
        {
            "from_lat": [36.0],
            "from_lon": [103.8],
            "to_lat": [35.2],
            "to_lon": [104.2],
            "projects": [1],
            "activities": [2],
            "tip": [f"{EVIL[0]} → {EVIL[1]}"],
        }
    )
    card = {
        "project_id": 9,
        "school": EVIL[0],
        "county": EVIL[1],
        "university": EVIL[0],
        "affiliated": EVIL[1],
        "signed": "2022-07-18",
        "cycle": "—",
        "headline": EVIL[0],
        "provenance": "imported",
        "provenance_label": EVIL[1],
        "source_url": "javascript:alert(3)",
        "dossier": "/dossier?project=9",
    }
    groups = maps.explorer_layers(
        layer, "county", "k", [[35, 104], [36, 105]], flows, False, [card], (35.2, 104.2), "zh"
    )
    html = _render(groups)
    assert "<script>alert(1)" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)" in html and "&lt;img src=x onerror=alert(2)&gt;" in html
    assert "javascript:alert(3)" not in html  # only http(s) sources become links


def test_legend_has_classes_and_no_data(nation_view):
    html = maps.explorer_legend(nation_view.layer, "en", "nation", True, False)
    assert "No data" in html and "Outside programme" in html
    assert html.count("background:") >= len(nation_view.layer.breaks) + 2


def test_wgs84_conversion_moves_geometry_half_a_kilometre():
    g = gpd.GeoDataFrame({"geometry": [box(116.39, 39.90, 116.40, 39.91)]}, crs="EPSG:4326")
    moved = maps.to_wgs84_frame(g)
    x0, y0 = g.geometry.iloc[0].exterior.coords[0]
    x1, y1 = moved.geometry.iloc[0].exterior.coords[0]
    assert (x1, y1) == pytest.approx(geo.to_wgs84(x0, y0))
    assert 0.002 < abs(x1 - x0) + abs(y1 - y0) < 0.02  # a few hundred metres, not zero
    lats, lons = maps.to_wgs84_points([39.9], [116.39])
    assert (lons[0], lats[0]) == pytest.approx(geo.to_wgs84(116.39, 39.9))


def test_basemap_option_adds_tiles_only_when_set():
    off = maps.explorer_base_map("zh").get_root().render()
    assert "L.tileLayer" not in off
    on = (
        maps.explorer_base_map("zh", basemap="http://127.0.0.1:9/{z}/{x}/{y}.png")
        .get_root()
        .render()
    )
    assert "L.tileLayer" in on and "127.0.0.1:9" in on


# ---------------------------------------------------------------------------- the page (AppTest)
def _page(demo_db, monkeypatch, query: dict):
    from conftest import ROOT
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("XZ_DB_PATH", str(demo_db))
    at = AppTest.from_file(str(ROOT / "views" / "explorer.py"), default_timeout=90)
    for k, v in query.items():
        at.query_params[k] = v
    return at.run()


def _qp(at, key):
    v = at.query_params.get(key)
    return v[-1] if isinstance(v, list) else v


def test_page_county_link_shows_cards(demo_db, demo_store, monkeypatch):
    gansu = demo_store.projects(Viewer.province(620000))
    county = int(gansu["county_adcode"].iloc[0])
    at = _page(demo_db, monkeypatch, {"province": "620000", "county": str(county)})
    assert not at.exception
    n = int((gansu["county_adcode"] == county).sum())
    assert any(f"（{n}）" in s.value for s in at.subheader)
    # the URL already says this view: it is not written again (each write is a history entry)
    assert _qp(at, "level") is None and _qp(at, "county") == str(county)
    assert not any("超出" in w.value for w in at.warning)


def test_page_refuses_a_county_of_another_province(demo_db, monkeypatch):
    at = _page(demo_db, monkeypatch, {"province": "620000", "county": "650102"})
    assert not at.exception
    assert any("超出您的权限或无效" in w.value for w in at.warning)
    assert _qp(at, "level") == "province" and _qp(at, "county") is None


def test_page_english_and_another_metric(demo_db, monkeypatch):
    at = _page(
        demo_db, monkeypatch, {"lang": "en", "metric": "milestone_share", "classes": "jenks"}
    )
    assert not at.exception
    assert at.title[0].value == "Map explorer"
    assert at.selectbox(key="explorer_metric").value == "milestone_share"
    assert any("Natural breaks" in c.value for c in at.caption)


def test_published_only_explorer_has_no_traceback(demo_db, monkeypatch):
    """Found by the load test: ?prov=published left areas without a class (NaN)."""
    from conftest import ROOT
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("XZ_DB_PATH", str(demo_db))
    at = AppTest.from_file(str(ROOT / "views" / "explorer.py"), default_timeout=120)
    at.query_params["prov"] = "published"
    at.run()
    assert not at.exception
