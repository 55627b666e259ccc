"""The presenter deck: its slides say what the data layer says, within the viewer's scope; the
HTML steps through them offline; the PPTX and PDF open and hold the same titles and figures."""

from __future__ import annotations

import io
import re
from collections import Counter

import pandas as pd
import plotly.graph_objects as go
import pytest
from conftest import ROOT
from pptx import Presentation
from streamlit.testing.v1 import AppTest

from dashboard_lib import deck, deck_export, present
from dashboard_lib.deck import Slide
from dashboard_lib.scope import Filters, Viewer

ALL = Viewer.ministry()


@pytest.fixture(scope="module")
def national(demo_store):
    return present.build_deck(demo_store, ALL, present.DeckChoice(), "zh")


@pytest.fixture(scope="module")
def gansu(demo_store):
    return present.build_deck(
        demo_store, Viewer.province(620000), present.DeckChoice(province=620000), "zh"
    )


def test_slides_in_order_with_titles(national):
    assert [s.key for s in national] == list(present.SLIDES)
    assert national[0].title == "部属高校县中托管帮扶项目监测"
    assert national[-1].empty  # no province chosen: the slide says so


def test_numbers_slide_matches_the_data_layer(national, demo_store):
    figures = dict(national[1].numbers)
    truth = demo_store.metrics(ALL).iloc[0]
    assert figures["托管项目"] == f"{int(truth['projects']):,}"
    assert figures["驻校人月"] == f"{truth['person_months']:,.0f}"
    assert figures["实习支教（人次）"] == f"{int(truth['interns']):,}"


def test_a_province_deck_holds_only_that_province(gansu, demo_store, national):
    truth = demo_store.metrics(Viewer.province(620000)).iloc[0]
    assert dict(gansu[1].numbers)["托管项目"] == str(int(truth["projects"]))
    assert gansu[-1].title == "甘肃省" and not gansu[-1].empty
    html = deck.deck_html(gansu, "as of", "zh")
    others = demo_store.projects(ALL).query("province_adcode != 620000")
    for school in others["school_zh"]:
        assert school not in html
    # published cases of 甘肃 only: 兰州大学's two 甘肃 schools
    cases = present.published_cases(
        demo_store, Viewer.province(620000), Filters(provinces=(620000,)), "zh"
    )
    assert set(cases["school"]) <= {"榆中县恩玲中学", "靖远县第四中学", "华池县第一中学"}
    assert len(cases) >= 2


def test_cases_are_published_events_with_sources(national, demo_store):
    slide = next(s for s in national if s.key == "cases")
    assert slide.links and all(url.startswith("http") for _, url in slide.links)
    cases = present.published_cases(demo_store, ALL, Filters(), "zh")
    assert len(cases) == 22 and cases["source_url"].str.startswith("http").all()


def test_a_slide_without_data_says_so(demo_store):
    only_dispatch = Filters(kinds=("dispatch",))
    slide = present._internships(demo_store, ALL, only_dispatch, "zh")
    assert slide.empty == "所选范围内暂无数据。" and slide.figure is None


@pytest.mark.parametrize(
    "params,slides,province,problems",
    [
        ({}, present.SLIDES, None, []),
        ({"slides": "map,numbers", "province": "620000"}, ("map", "numbers"), 620000, []),
        (
            {"slides": "map,<script>", "province": "650000"},
            ("map",),
            None,
            ["deck_unknown_slide", "out_of_scope"],
        ),
        ({"province": "abc", "autoplay": "9999"}, present.SLIDES, None, ["out_of_scope"]),
    ],
)
def test_choice_from_untrusted_url(params, slides, province, problems):
    choice, found = present.parse_choice(params, {620000, 660000})
    assert choice.slides == tuple(slides) and choice.province == province
    assert sorted(found) == sorted(problems)
    assert choice.autoplay <= present.MAX_AUTOPLAY
    again, _ = present.parse_choice(choice.query(), {620000, 660000})
    assert again == choice


def test_deck_html_is_offline_and_escaped():
    slides = [
        Slide("title", "<script>alert(1)</script>", bullets=["<img src=x onerror=alert(2)>"]),
        Slide("numbers", "n", numbers=[("a", "1")], empty=None),
    ]
    html = deck.deck_html(slides, "as of 2026-11-28")
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)" in html
    assert "<img src=x" not in html
    srcs = re.findall(r"src=['\"]([^'\"]+)['\"]", html)
    assert all(s.startswith("/app/static/") for s in srcs)
    assert html.count("class='slide'") == 2 and "as of 2026-11-28 · 2 / 2" in html


def test_pptx_opens_with_titles_numbers_and_tables(national):
    data = deck_export.to_pptx(national, "数据截至 2026-11-28")  # no pictures: tables instead
    prs = Presentation(io.BytesIO(data))
    assert len(prs.slides) == len(national)
    texts = [[sh.text_frame.text for sh in s.shapes if sh.has_text_frame] for s in prs.slides]
    for slide, shown in zip(national, texts):
        assert slide.title in shown
        assert any("数据截至 2026-11-28" in x for x in shown)
        for label, value in slide.numbers:
            assert value in shown and label in shown
    tables = [sh for s in prs.slides for sh in s.shapes if sh.has_table]
    assert tables, "charts without pictures fall back to editable tables"


def test_no_browser_is_said_not_failed(national, monkeypatch):
    monkeypatch.setattr(deck_export, "browser_path", lambda: None)
    images, why = deck_export.slide_images(national)
    assert images == {} and "Chromium" in why
    with pytest.raises(deck_export.ExportUnavailable):
        deck_export.html_to_pdf("<p>x</p>")
    assert deck_export.to_pptx(national, "as of")[:2] == b"PK"


def test_presenter_page(demo_db, monkeypatch):
    monkeypatch.setenv("XZ_DB_PATH", str(demo_db))
    at = AppTest.from_file(str(ROOT / "views" / "presenter.py"), default_timeout=120)
    at.query_params["slides"] = "numbers,bogus"
    at.query_params["province"] = "620000"
    at.run()
    assert not at.exception
    assert any("未知的幻灯片" in w.value for w in at.warning)
    assert "slides=numbers" in at.code[0].value and "province=620000" in at.code[0].value


def test_still_map_is_drawn_only_when_a_file_needs_it(demo_store, monkeypatch):
    from dashboard_lib.ui import presenter as deck_ui

    drawn = []
    real = deck_export.map_figure
    monkeypatch.setattr(deck_export, "map_figure", lambda *a, **k: drawn.append(a) or real(*a, **k))
    slides = present.build_deck(
        demo_store, ALL, present.DeckChoice(("map", "numbers"), 620000), "zh"
    )
    assert drawn == []  # the deck on screen never needs the still map
    assert slides[0].map_html and slides[0].still_figure is None
    still = slides[0].still()
    assert isinstance(still, go.Figure) and len(still.data) > 30 and len(drawn) == 1
    assert slides[0].still() is still and len(drawn) == 1  # drawn once, whichever files ask
    # coloured by the projects of the chosen province, with its pairings as lines
    colours = drawn[0][1]
    assert set(colours) == {620000} and drawn[0][2]["province_adcode"].eq(620000).all()
    # a presenter's files (tables left out) still carry the picture of the map
    files = deck_ui._for_files(Viewer.presenter(), slides)
    assert files[0].table is None and files[0].still() is still
    monkeypatch.setattr(
        deck_export, "chart_png", lambda fig, w, h: b"\x89PNG" + str(id(fig)).encode()
    )
    images, why = deck_export.slide_images(files)
    assert why is None and images == {0: b"\x89PNG" + str(id(still)).encode()}
    assert slides[1].still() is None  # a slide without a map has no still


def test_a_deck_build_asks_the_store_each_question_once():
    class Counting:
        path = "x.duckdb"

        def __init__(self):
            self.asked = Counter()

        def projects(self, viewer, filters=None):
            self.asked["projects"] += 1
            return pd.DataFrame({"project_id": [1, 2]})

        def activity_agg(self, viewer, filters, by=()):
            self.asked["activity_agg"] += 1
            return pd.DataFrame({"n": [3]})

    store = Counting()
    once = present.ReadOnce(store)
    gansu = Filters(provinces=(620000,))
    first = once.projects(ALL, gansu)
    first["added"] = 0  # a caller adding a column to its answer ...
    assert list(once.projects(ALL, gansu).columns) == ["project_id"]  # ... does not change the next
    assert store.asked["projects"] == 1
    once.projects(ALL, Filters())  # another question is asked
    once.projects(Viewer.province(620000), gansu)
    assert store.asked["projects"] == 3
    once.activity_agg(ALL, gansu, by=("kind",))  # not a read the deck repeats: always asked
    once.activity_agg(ALL, gansu, by=("kind",))
    assert store.asked["activity_agg"] == 2 and once.path == "x.duckdb"
    assert present.ReadOnce.unwrap(once) is store and present.ReadOnce.unwrap(store) is store


def test_a_deck_build_answers_like_the_store(demo_store, gansu):
    viewer, f = Viewer.province(620000), Filters(provinces=(620000,))
    numbers = present._numbers(demo_store, viewer, f, "zh")
    assert gansu[1].numbers == numbers.numbers and gansu[1].note == numbers.note
    own = present._province(demo_store, viewer, f, "zh", 620000)
    assert gansu[-1].numbers == own.numbers and gansu[-1].bullets == own.bullets
    pd.testing.assert_frame_equal(gansu[-1].table, own.table)
    assert gansu[2].map_html.count("leaflet") == present._map(
        demo_store, viewer, f, "zh"
    ).map_html.count("leaflet")


def test_auto_advance_does_not_rebuild_the_deck(demo_store):
    from dashboard_lib.ui import presenter as deck_ui

    a = deck_ui.slides(demo_store, ALL, present.DeckChoice(("numbers",), 620000, 0), "zh")
    b = deck_ui.slides(demo_store, ALL, present.DeckChoice(("numbers",), 620000, 30), "zh")
    c = deck_ui.slides(demo_store, ALL, present.DeckChoice(("numbers",), None, 0), "zh")
    assert a is b and c is not a and a[0].numbers != c[0].numbers
