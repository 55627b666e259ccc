"""The presenter deck: its slides say what the data layer says, within the viewer's scope; the
HTML steps through them offline; the PPTX and PDF open and hold the same titles and figures."""

from __future__ import annotations

import io
import re
from collections import Counter
from pathlib import Path

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


def test_pptx_opens_with_titles_numbers_and_tables(national, gansu):
    data = deck_export.to_pptx(national, "数据截至 2026-11-28")  # no map picture: no picture
    prs = Presentation(io.BytesIO(data))
    kept = [s for s in national if not s.placeholder]  # the province placeholder is left out
    assert len(prs.slides) == len(kept)
    texts = [[sh.text_frame.text for sh in s.shapes if sh.has_text_frame] for s in prs.slides]
    for slide, shown in zip(kept, texts):
        assert slide.title in shown
        assert any("数据截至 2026-11-28" in x for x in shown)
        for label, value in slide.numbers:
            assert value in shown and label in shown
    assert [sh for s in prs.slides for sh in s.shapes if sh.has_chart], "charts are native"
    province = Presentation(io.BytesIO(deck_export.to_pptx(gansu, "数据截至 2026-11-28")))
    tables = [sh for sh in province.slides[-1].shapes if sh.has_table]
    assert tables, "a slide's numbers without a chart are an editable table"


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
    assert isinstance(still, go.Figure) and len(drawn) == 1
    assert slides[0].still() is still and len(drawn) == 1  # drawn once, whichever files ask
    # a province's deck: the province's counties (not the country), its pairings as lines
    areas, colours = drawn[0][0], drawn[0][1]
    assert len(areas) > 50 and (areas["adcode"] // 10000).eq(62).all()
    assert set(colours) == set(areas["adcode"].astype(int))
    # a presenter's files (tables left out) still carry the picture of the map
    files = deck_ui._for_files(Viewer.presenter(), slides)
    assert files[0].table is None and files[0].still() is still
    monkeypatch.setattr(
        deck_export.BrowserSession,
        "png",
        lambda self, fig, w, h, scale=1: b"\x89PNG" + str(id(fig)).encode(),
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


# ------------------------------------------------------------------ the PPTX as colleagues edit it
NOTO = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
NOTO_BOLD = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc")
LATIN_SENTENCE = re.compile(r"[A-Za-z][A-Za-z'’-]*(?:\s+[A-Za-z][A-Za-z'’-]*){2,}")
CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"


def _png() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (400, 300), "#dde").save(buf, "PNG")
    return buf.getvalue()


def _pptx(slides) -> Presentation:
    """The deck's PPTX with a picture for its map (as slide_images would draw it)."""
    images = {k: _png() for k, s in enumerate(slides) if s.key == "map" and s.map_html}
    english = slides[1].title == "The programme in numbers"
    as_of = "Data as of 2026-11-28" if english else "数据截至 2026-11-28"
    return Presentation(io.BytesIO(deck_export.to_pptx(slides, as_of, images)))


@pytest.fixture(scope="module")
def english(demo_store):
    return present.build_deck(demo_store, ALL, present.DeckChoice(), "en")


@pytest.fixture(scope="module")
def gansu_en(demo_store):
    return present.build_deck(
        demo_store, Viewer.province(620000), present.DeckChoice(province=620000), "en"
    )


def _figure_numbers(fig: go.Figure) -> dict[str, dict[str, float]]:
    """series -> category -> value, read straight from the plotly figure the live deck draws."""
    out = {}
    for tr in fig.data:
        cats, vals = (tr.y, tr.x) if tr.orientation == "h" else (tr.x, tr.y)
        out[tr.name] = {str(c): float(v) for c, v in zip(cats, vals)}
    return out


@pytest.mark.parametrize("deck_name", ["national", "gansu", "english"])
def test_pptx_charts_are_native_charts_with_the_slides_numbers(deck_name, request):
    from pptx.enum.shapes import MSO_SHAPE_TYPE

    slides = request.getfixturevalue(deck_name)
    kept = [s for s in slides if not s.placeholder]
    prs = _pptx(slides)
    charted = 0
    for slide, shown in zip(kept, prs.slides):
        charts = [sh.chart for sh in shown.shapes if sh.has_chart]
        pictures = [sh for sh in shown.shapes if sh.shape_type == MSO_SHAPE_TYPE.PICTURE]
        assert len(pictures) == (1 if slide.key == "map" else 0), slide.key  # only the map
        if slide.figure is None or slide.empty:
            assert not charts, slide.key
            continue
        charted += 1
        assert len(charts) == 1, slide.key
        chart = charts[0]
        truth = _figure_numbers(slide.figure)
        cats = [str(c) for c in chart.plots[0].categories]
        got = {
            s.name: {c: v for c, v in zip(cats, s.values) if v is not None}
            for s in chart.plots[0].series
        }
        assert got == truth, slide.key  # the same numbers as the slide's own figure
        assert (
            chart.has_title and chart.chart_title.text_frame.text == slide.figure.layout.title.text
        )
        assert chart.value_axis.has_title and chart.value_axis.axis_title.text_frame.text
        assert chart.category_axis.has_title and chart.category_axis.axis_title.text_frame.text
        assert chart.has_legend == (len(truth) > 1)
        assert chart.category_axis.tick_labels.font.size.pt >= 8
    assert charted == 3  # progress, exchanges, internships


def _fonts_of(element) -> list:
    tags = {A + "rPr", A + "defRPr", A + "endParaRPr"}
    return [e for e in element.iter() if e.tag in tags]


def test_every_text_run_names_the_east_asian_font(national):
    prs = _pptx(national)
    for shown in prs.slides:
        parts = [shown.shapes._spTree] + [
            sh.chart._chartSpace for sh in shown.shapes if sh.has_chart
        ]
        for part in parts:
            for rpr in _fonts_of(part):
                ea = rpr.find(A + "ea")
                assert ea is not None and ea.get("typeface") in ("Microsoft YaHei", "微软雅黑")
                assert ea.get("charset") == "-122"  # GB2312: Office falls back to SimSun
    theme = prs.slide_master.part.part_related_by(
        "http://schemas.openxmlformats.org/officeDocument/2006/relationships/theme"
    ).blob.decode()
    assert 'script="Hans" typeface="SimSun"' in theme


def _wrap(text: str, width: float, font) -> int:
    """How many lines ``text`` takes at ``width`` points (``font`` sized in points): Latin words
    whole, Chinese between any two characters."""
    lines = 0
    for para in text.split("\n"):
        lines += 1
        line = ""
        for token in re.findall(r"[A-Za-z0-9][^\s\u3000-\u9fff\uff00-\uffef]*|\s+|.", para):
            if font.getlength(line + token) <= width:
                line += token
            elif token.isspace():
                lines, line = lines + 1, ""
            else:
                if line:
                    lines += 1
                line = ""
                for ch in token:
                    if line and font.getlength(line + ch) > width:
                        lines, line = lines + 1, ""
                    line += ch
    return lines


@pytest.mark.parametrize("deck_name", ["national", "gansu", "english", "gansu_en"])
def test_every_text_frame_fits_its_box(deck_name, request):
    if not NOTO.exists():
        pytest.skip(f"{NOTO} is not installed (Debian's fonts-noto-cjk): no metrics to measure")
    from PIL import ImageFont

    prs = _pptx(request.getfixturevalue(deck_name))
    for n, shown in enumerate(prs.slides):
        for sh in shown.shapes:
            frames = []
            if sh.has_text_frame and sh.text_frame.text:
                tf = sh.text_frame
                w = (sh.width - tf.margin_left - tf.margin_right) / 12700
                h = (sh.height - tf.margin_top - tf.margin_bottom) / 12700
                frames.append((tf, w, h))
            if sh.has_table:  # a cell keeps to one line of its column and row
                for row in sh.table.rows:
                    for c, cell in enumerate(row.cells):
                        w = (
                            sh.table.columns[c].width - cell.margin_left - cell.margin_right
                        ) / 12700
                        h = (row.height - cell.margin_top - cell.margin_bottom) / 12700
                        frames.append((cell.text_frame, w, h))
            for tf, w, h in frames:
                runs = [r for p in tf.paragraphs for r in p.runs]
                if not runs:
                    continue
                size = runs[0].font.size.pt
                bold = bool(runs[0].font.bold)
                assert all(r.font.size.pt == size for r in runs)
                font = ImageFont.truetype(
                    str(NOTO_BOLD if bold and NOTO_BOLD.exists() else NOTO), size
                )
                ascent, descent = font.getmetrics()
                lines = _wrap(tf.text, w, font)
                assert lines * (ascent + descent) <= h + 0.5, (n, tf.text, size, lines, w, h)
                assert (sh.top + sh.height) <= prs.slide_height  # nothing below the slide


def test_no_placeholder_slide_in_the_files(national):
    prs = _pptx(national)
    titles = [[sh.text_frame.text for sh in s.shapes if sh.has_text_frame][0] for s in prs.slides]
    assert "省份专页" not in titles and len(titles) == len(national) - 1
    assert all(not s.placeholder for s in national[:-1]) and national[-1].placeholder
    footers = [
        t
        for s in prs.slides
        for sh in s.shapes
        if sh.has_text_frame
        for t in [sh.text_frame.text]
        if " / " in t
    ]
    assert footers[-1].endswith(f"{len(titles)} / {len(titles)}")
    html = deck_export.print_html(national, "数据截至 2026-11-28")
    assert "省份专页" not in html and html.count("class='p'") == len(national) - 1


def _deck_text(prs: Presentation) -> list[str]:
    out = []
    for shown in prs.slides:
        for sh in shown.shapes:
            if sh.has_text_frame:
                out.append(sh.text_frame.text)
            if sh.has_table:
                out += [c.text for row in sh.table.rows for c in row.cells]
            if sh.has_chart:
                ch = sh.chart
                out.append(ch.chart_title.text_frame.text if ch.has_title else "")
                out += [str(c) for c in ch.plots[0].categories]
                out += [s.name for s in ch.plots[0].series]
                for axis in (ch.category_axis, ch.value_axis):
                    out.append(axis.axis_title.text_frame.text if axis.has_title else "")
    return out


def _proper_names(store) -> list[str]:
    """School, county, prefecture, province and university names: data, in their own language."""
    p = store.projects(ALL)
    names = set()
    for col in ("school_zh", "county_zh", "prefecture_zh", "province_zh", "university_zh"):
        names |= set(p[col].dropna().astype(str))
    return sorted(names, key=len, reverse=True)


@pytest.mark.parametrize("deck_name", ["national", "gansu"])
def test_a_chinese_deck_has_no_english_sentence(deck_name, request, demo_store):
    p = demo_store.projects(ALL)
    names = sorted(set(p["university_en"].dropna()), key=len, reverse=True)
    for text in _deck_text(_pptx(request.getfixturevalue(deck_name))):
        for name in names:
            text = text.replace(name, "")
        assert not LATIN_SENTENCE.search(text), text


@pytest.mark.parametrize("deck_name", ["english", "gansu_en"])
def test_an_english_deck_has_no_chinese_but_names(deck_name, request, demo_store):
    names = _proper_names(demo_store)
    for text in _deck_text(_pptx(request.getfixturevalue(deck_name))):
        for name in names:
            text = text.replace(name, "")
        assert not CJK.search(text), text


def test_a_case_note_is_shown_in_the_decks_language():
    assert present.case_note("affiliated-school teachers visited", "zh") == "附属中学教师到校指导"
    assert present.case_note("班主任 visited the affiliated high school", "en") == (
        "Head teachers visited the affiliated high school"
    )
    assert present.case_note("an unknown note in English", "zh") == ""
    assert present.case_note("未知的中文说明", "en") == ""
    assert present.case_note("未知的中文说明", "zh") == "未知的中文说明"


def test_a_chart_spec_keeps_the_order_of_terms():
    fig = go.Figure(
        [
            go.Bar(x=["2023春", "2023秋"], y=[1, 2], name="a"),
            go.Bar(x=["2022秋", "2023春", "2024春"], y=[3, 4, 5], name="b"),
        ]
    )
    spec = deck.ChartSpec.from_figure(fig)
    assert spec.categories == ("2022秋", "2023春", "2023秋", "2024春")
    assert spec.series == (("a", (None, 1.0, 2.0, None)), ("b", (3.0, 4.0, None, 5.0)))


def test_a_flagged_projects_slide_line_is_its_first_reason_and_a_count():
    """One line per project on the progress slide, even at 4:3 (the page lists every reason)."""
    from dashboard_lib.present import first_reason

    assert first_reason("活动 2 条；无人驻校；里程碑逾期", "zh") == "活动 2 条（另有 2 项）"
    assert first_reason("2 activities; nobody on site", "en") == "2 activities (and 1 more)"
    assert first_reason("活动 2 条", "zh") == "活动 2 条"
