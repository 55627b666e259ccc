"""The explorer's moves without a browser (issue 13): an official of one province starts at it,
the URL is written only when it disagrees with the view (each write is a history entry), a move
writes the whole query at once keeping the language and the filters, the dossier link carries
them, the search offers only the viewer's counties and schools, and the province's helped
counties are listed. The browser walk is tests/browser/test_browser_drill.py."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest

from dashboard_lib import explorer, maps
from dashboard_lib.explorer import Found, Parsed, ViewState
from dashboard_lib.scope import Filters, Viewer

COUNTY_PROVINCE = {620123: 620000, 620421: 620000, 650102: 650000, 659002: 660000}
ALL = [620000, 650000, 660000]


# ---------------------------------------------------------------------------- where one starts
@pytest.mark.parametrize(
    "params, level, county, own",
    [
        ({}, "province", None, True),  # the Corps' official opens at the Corps
        ({"level": "province"}, "province", None, True),
        ({"level": "nation"}, "nation", None, False),  # "全国" in the breadcrumb stays there
        ({"county": "659002"}, "county", 659002, True),
        ({"province": "660000"}, "province", None, False),
    ],
)
def test_an_official_of_one_province_starts_at_it(params, level, county, own):
    got = explorer.parse_view(params, Viewer.province(660000), [660000], COUNTY_PROVINCE)
    assert (got.state.level, got.state.county, got.own_province) == (level, county, own)
    assert got.state.province == (None if level == "nation" else 660000)
    assert not got.refused


def test_the_ministry_still_starts_at_the_nation():
    got = explorer.parse_view({}, Viewer.ministry(), ALL, COUNTY_PROVINCE)
    assert got.state == ViewState() and not got.own_province


def test_up_from_an_officials_province_names_the_nation():
    prov = ViewState("province", 660000)
    nation = explorer.up(prov)
    assert nation.to_params()["level"] == "nation"
    again = explorer.parse_view(nation.to_params(), Viewer.province(660000), [660000], {})
    assert again.state.level == "nation", "going up is not undone by the own-province start"


# ---------------------------------------------------------------------------- when to write
def _parsed(params, viewer=None, allowed=ALL) -> Parsed:
    return explorer.parse_view(params, viewer or Viewer.ministry(), allowed, COUNTY_PROVINCE)


@pytest.mark.parametrize(
    "query, agrees",
    [
        ({}, True),  # a plain /explorer: no entry of its own for Back to step over
        ({"province": "620000"}, True),  # the sidebar chose it: level is implied
        ({"lang": "en", "kind": "dispatch"}, True),  # other parameters are not the view's
        ({"level": "province", "province": "620000", "metric": "projects"}, True),
        ({"level": "nation", "province": "620000"}, False),  # the level lies
        ({"province": "620000", "county": "650102"}, False),  # refused: must be corrected
        ({"metric": "nonsense"}, False),
        ({"classes": "quantile", "metric": "interns"}, True),
    ],
)
def test_the_url_is_written_only_when_it_disagrees(query, agrees):
    assert explorer.url_agrees(query, _parsed(query)) is agrees


def test_an_officials_plain_link_agrees_and_a_stale_county_does_not():
    viewer, allowed = Viewer.province(620000), [620000]
    assert explorer.url_agrees({}, _parsed({}, viewer, allowed))
    parsed = _parsed({}, viewer, allowed)  # the view has no county, the URL does
    assert not explorer.url_agrees({"county": "620123"}, parsed)


def test_a_move_writes_the_whole_query_keeping_language_and_filters():
    query = {"lang": "en", "kind": "dispatch", "prov": "real", "level": "nation", "metric": "x"}
    got = explorer.view_query(query, ViewState("county", 620000, 620123, "interns", "jenks"))
    assert got == {
        "lang": "en",
        "kind": "dispatch",
        "prov": "real",
        "level": "county",
        "province": "620000",
        "county": "620123",
        "metric": "interns",
        "classes": "jenks",
    }
    up = explorer.view_query(got, ViewState("province", 620000, None, "interns", "jenks"))
    assert "county" not in up and up["level"] == "province" and up["lang"] == "en"
    nation = explorer.view_query(up, ViewState())
    assert "province" not in nation and nation["kind"] == "dispatch"
    # a repeated key counts by its last value, an empty one goes
    assert explorer.view_query({"kind": ["a", "dispatch"], "prov": ""}, ViewState()) == {
        "kind": "dispatch",
        "level": "nation",
        "metric": "projects",
        "classes": "quantile",
    }


# ---------------------------------------------------------------------------- links
def test_dossier_link_carries_language_filters_and_view():
    href = explorer.dossier_href(
        17, {"lang": "en", "province": "620000", "prov": "real", "project": "99", "county": "1"}
    )
    path, q = urlparse(href).path, parse_qs(urlparse(href).query)
    assert path == "/dossier"
    assert q == {
        "project": ["17"],
        "lang": ["en"],
        "province": ["620000"],
        "prov": ["real"],
        "county": ["1"],
    }
    assert explorer.dossier_href(5) == "/dossier?project=5"


def test_cards_link_with_the_query(tiny_store):
    cards = tiny_store.explorer_cards(Viewer.ministry(), county_adcode=620123)
    rows = explorer.card_rows(cards, "en", {"lang": "en", "province": "620000"})
    assert rows[0]["dossier"] == "/dossier?project=1&lang=en&province=620000"
    html = maps.cards_html(rows, "en")
    assert 'href="/dossier?project=1&amp;lang=en&amp;province=620000"' in html


# ---------------------------------------------------------------------------- search
def test_search_offers_only_the_viewers_counties_and_schools(tiny_store):
    everyone = tiny_store.projects(Viewer.ministry())
    mine = tiny_store.projects(Viewer.province(620000))
    got = explorer.find_entries(mine, "zh")
    counties = [f for f in got if f.key.startswith("county:")]
    schools = [f for f in got if f.key.startswith("school:")]
    assert {f.county for f in counties} == set(mine["county_adcode"].astype(int))
    assert sorted(int(f.key.split(":")[1]) for f in schools) == sorted(mine["project_id"])
    assert all(f.province == 620000 for f in got)
    assert len(everyone) > len(mine), "the tiny database has rows outside 甘肃"
    assert got.index(counties[-1]) < got.index(schools[0]), "counties first"
    name = mine["school_zh"].iloc[0]
    assert any(name in f.label for f in schools)
    assert explorer.find_entries(mine.iloc[0:0]) == []


def test_a_search_jump_is_checked_again():
    state = ViewState("province", 620000, None, "interns")
    ok = Found("school:1", "x", 620000, 620123)
    assert explorer.jump(state, ok, ALL, COUNTY_PROVINCE) == ViewState(
        "county", 620000, 620123, "interns"
    )
    assert explorer.jump(state, ok, [650000], COUNTY_PROVINCE) is None  # not the viewer's
    wrong = Found("county:650102", "x", 620000, 650102)  # a county of another province
    assert explorer.jump(state, wrong, ALL, COUNTY_PROVINCE) is None


def test_the_school_a_search_found_comes_first_and_marked():
    cards = [{"project_id": 5, "school": "a"}, {"project_id": 9, "school": "b"}]
    assert explorer.found_project(Found("school:9", "x", 620000, 620123)) == 9
    assert explorer.found_project(Found("county:620123", "x", 620000, 620123)) is None
    got = explorer.focus_first(cards, 9)
    assert [c["project_id"] for c in got] == [9, 5]
    assert got[0]["focus"] is True and "focus" not in got[1]
    assert explorer.focus_first(cards, None) == cards
    assert explorer.focus_first(cards, 77) == cards, "not in this county: nothing marked"
    html = maps.cards_html(
        [
            {
                **c,
                "county": "县",
                "university": "大学",
                "affiliated": "—",
                "signed": "—",
                "cycle": "—",
                "headline": "",
                "provenance_label": "模拟",
                "source_url": None,
                "dossier": "/dossier?project=1",
            }
            for c in got
        ]
    )
    assert html.count("xz-focus") == 1 and html.index("xz-focus") < html.index("<b>b</b>")


# ---------------------------------------------------------------------------- the county list
def test_the_corps_helped_cities_are_listed(demo_store):
    viewer = Viewer.province(660000)
    data = explorer.view_data(demo_store, viewer, Filters(), ViewState("province", 660000))
    got = explorer.helped_counties(data)
    rows = demo_store.projects(viewer)
    assert [c for c, _ in got] == sorted(
        set(rows["county_adcode"].astype(int)),
        key=lambda c: rows.set_index("county_adcode").loc[[c], "county_zh"].iloc[0],
    )
    assert {n for _, n in got} == set(rows["county_zh"])
    nation = explorer.view_data(demo_store, Viewer.ministry(), Filters(), ViewState())
    assert explorer.helped_counties(nation) == []


# ---------------------------------------------------------------------------- the map's click
def test_a_click_focuses_the_map_without_scrolling_the_page():
    html = maps.explorer_base_map("zh").get_root().render()
    assert "preventScroll: true" in html
    assert ".leaflet-interactive:focus:not(:focus-visible){outline:none}" in html
