"""The presenter's PDF and slide pictures, drawn by Debian's headless Chromium (the deck itself,
its PPTX and the fallbacks without a browser: tests/unit/test_present.py, the still map's parts
and the files' metadata: tests/unit/test_deck_still.py)."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from conftest import ARTIFACTS
from PIL import Image
from pptx import Presentation

from dashboard_lib import deck_export, maps, present
from dashboard_lib.scope import Viewer


@pytest.fixture(scope="module")
def national(demo_store):
    return present.build_deck(demo_store, Viewer.ministry(), present.DeckChoice(), "zh")


def test_pdf_and_pictures_when_chromium_is_here(national):
    if deck_export.browser_path() is None:
        pytest.skip("no Chromium on this machine")
    images, why = deck_export.slide_images(national[:4])
    assert why is None and images and all(png.startswith(b"\x89PNG") for png in images.values())
    pdf = deck_export.html_to_pdf(deck_export.print_html(national, "as of", images))
    kept = [s for s in national if not s.placeholder]  # the province placeholder is left out
    assert pdf.startswith(b"%PDF") and len(re.findall(rb"/Type\s*/Page\b", pdf)) == len(kept)


def _info(pdf: bytes, name: bytes) -> str:
    """The last (the newest) value of a document-information entry, as text."""
    found = re.findall(rb"/" + name + rb"\s*(<[0-9A-Fa-f\s]*>|\((?:[^()\\]|\\.)*\))", pdf)
    assert found, f"no /{name.decode()} in the PDF"
    raw = found[-1]
    if raw.startswith(b"<"):
        data = bytes.fromhex(raw[1:-1].decode())
        return data[2:].decode("utf-16-be") if data[:2] == b"\xfe\xff" else data.decode("latin-1")
    return raw[1:-1].decode("latin-1")


def test_pdf_title_and_author_are_the_decks(national):
    if deck_export.browser_path() is None:
        pytest.skip("no Chromium on this machine")
    document = deck_export.print_html(national[:2], "数据截至 2026-11-28")
    assert "<title>部属高校县中托管帮扶项目监测 · 数据截至 2026-11-28</title>" in document
    pdf = deck_export.html_to_pdf(document)
    assert _info(pdf, b"Title") == "部属高校县中托管帮扶项目监测 · 数据截至 2026-11-28"
    assert "doc.html" not in _info(pdf, b"Title")
    assert _info(pdf, b"Author") == "部属高校县中托管帮扶项目监测"  # no unit given: the default
    pdf = deck_export.html_to_pdf(document, author="甘肃省教育厅")
    assert _info(pdf, b"Author") == "甘肃省教育厅"


def test_the_pptx_asks_only_for_the_still_maps(national):
    """The PPTX draws every chart natively: only the map slides are rendered to pictures."""
    if deck_export.browser_path() is None:
        pytest.skip("no Chromium on this machine")
    images, why = deck_export.slide_images(national, maps_only=True)
    maps = {k for k, s in enumerate(national) if s.still() is not None}
    assert why is None and maps and set(images) == maps


def _map_png(zip_bytes: bytes, key: str = "map") -> Image.Image:
    with zipfile.ZipFile(io.BytesIO(zip_bytes)) as zf:
        name = next(n for n in zf.namelist() if n.endswith(f"_{key}.png"))
        return Image.open(io.BytesIO(zf.read(name))).convert("RGB")


def _has_colour(im: Image.Image, box: tuple[float, float, float, float], colour: str) -> bool:
    """Whether any pixel of the share ``box`` (x0, y0, x1, y1 of the picture) is ``colour``."""
    w, h = im.size
    region = im.crop((int(box[0] * w), int(box[1] * h), int(box[2] * w), int(box[3] * h)))
    rgb = tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return any(c == rgb for _, c in region.getcolors(region.width * region.height))


@pytest.mark.parametrize("province", [None, 620000])
def test_the_exported_map_picture_is_a_map(demo_store, province, tmp_path):
    """The map slide's PNG as exported: drawn at twice the slide's pixels, the legend's patches
    (every class colour and the no-data white) in the panel right of the map, the map itself
    coloured; the national map with its South China Sea inset. Saved under the test's tmp dir
    (and artifacts/) to be looked at."""
    if deck_export.browser_path() is None:
        pytest.skip("no Chromium on this machine")
    viewer = Viewer.ministry() if province is None else Viewer.province(province)
    slides = present.build_deck(demo_store, viewer, present.DeckChoice(province=province), "zh")
    heard = []
    data, why = deck_export.make_png_zip(slides, progress=lambda s, text: heard.append(text))
    assert why is None and heard[-1] == "已完成"
    im = _map_png(data)
    out = ARTIFACTS / "deck_files"
    out.mkdir(parents=True, exist_ok=True)
    for folder in (tmp_path, out):
        im.save(folder / f"map_{province or 'national'}.png")
    assert im.size == (2560, 1200)
    still = next(s for s in slides if s.key == "map").still()
    classes = [tr.marker.color for tr in still.data if tr.meta == "class"]
    assert maps.NO_DATA in classes
    for colour in classes:  # the legend's patches, right of the map
        assert _has_colour(im, (0.69, 0.05, 0.75, 0.5), colour), colour
    assert _has_colour(im, (0.0, 0.1, 0.68, 0.9), maps.HELPED)  # helped counties on the map
    assert _has_colour(im, (0.0, 0.1, 0.68, 0.9), deck_export.UNIVERSITY)
    if province is None:  # the inset: the sea's background inside its frame, bottom right
        assert _has_colour(im, (0.86, 0.6, 0.99, 0.9), "#f4f7fb")


def test_a_province_pdf_and_pptx_carry_the_viewers_unit(demo_store):
    if deck_export.browser_path() is None:
        pytest.skip("no Chromium on this machine")
    viewer = Viewer.province(620000)
    slides = present.build_deck(demo_store, viewer, present.DeckChoice(province=620000), "zh")
    author = present.viewer_unit(demo_store, viewer, "zh")
    as_of = present.as_of_label(demo_store, "zh")
    pdf = deck_export.make_pdf(slides, as_of, author=author)
    assert _info(pdf, b"Author") == "甘肃省"
    assert _info(pdf, b"Title") == f"部属高校县中托管帮扶项目监测（{as_of}）"
    assert re.fullmatch(r"D:\d{14}\+00'00'", _info(pdf, b"CreationDate"))
    assert "kaleido" in _info(pdf, b"Producer")
    kept = [s for s in slides if not s.placeholder]
    assert len(re.findall(rb"/Type\s*/Page\b", pdf)) == len(kept)
    pptx, why = deck_export.make_pptx(slides, as_of, author=author)
    prs = Presentation(io.BytesIO(pptx))
    assert why is None and prs.core_properties.author == "甘肃省"
    k = next(i for i, (_, s) in enumerate(deck_export.for_files(slides)) if s.key == "map")
    pictures = [sh for sh in prs.slides[k].shapes if sh.shape_type == 13]  # PICTURE
    assert len(pictures) == 1


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    """The dashboard on a demo database of its own (the server locks its file; this module's
    other tests read the shared one), in open demo mode: the presenter page is public."""
    from conftest import AS_OF

    from dashboard_lib import build
    from devkit.browser import start_server, stop_server

    folder = tmp_path_factory.mktemp("deck_app")
    db = folder / "demo.duckdb"
    build.build_database(db, build.spec_for(115, None, 2022, AS_OF), progress=lambda _m: None)
    proc, handle, url = start_server(db, folder / "server.log")
    yield url
    stop_server(proc, handle)


PDF_STAGES = {
    "zh": re.compile(r"正在准备…|正在绘制图片 \d+/\d+：.+|图片已完成|正在打印 PDF…|已完成"),
    "en": re.compile(
        r"Preparing…|Drawing picture \d+ of \d+: [^\u3400-\u9fff]+|Pictures done|"
        r"Printing the PDF…|Done"
    ),
}
BUTTONS = {"zh": ("生成 PDF", "下载 PDF"), "en": ("Make PDF", "Download PDF")}
FILE_NAME = {
    "zh": r"托管帮扶_全国_\d{4}-\d{2}-\d{2}\.pdf",
    "en": r"xz-deck-national-\d{4}-\d{2}-\d{2}\.pdf",
}
WATCH_PROGRESS = """() => {
  window.__stages = [];
  const seen = () => document.querySelectorAll("[data-testid='stProgress']").forEach(el => {
    const text = el.innerText.trim();
    if (text && window.__stages[window.__stages.length - 1] !== text) window.__stages.push(text);
  });
  new MutationObserver(seen).observe(document.body,
    {subtree: true, childList: true, characterData: true});
}"""


@pytest.mark.parametrize(("size", "lang"), [((1366, 768), "zh"), ((1920, 1080), "en")])
def test_an_export_shows_its_progress_and_names_its_file(app, browser, size, lang, tmp_path):
    """The PDF from the presenter page (its pictures and pages take seconds: the bar is seen):
    a progress bar naming each stage in the page's language while the file is made, then the
    download under a name in that language (托管帮扶_全国_<date>.pdf /
    xz-deck-national-<date>.pdf); no traceback, nothing from the network. (One language per
    size: a deck's pictures are remembered per language, so a second export of one deck would
    draw none and show its bar only for an instant.) The PPTX's button works the same way."""
    from devkit.browser import watched_page

    if deck_export.browser_path() is None:
        pytest.skip("no Chromium on this machine")
    context, page = watched_page(browser, *size)
    make_name, download_name = BUTTONS[lang]
    try:
        page.goto(app + f"/presenter?lang={lang}")
        make = page.get_by_role("button", name=make_name)
        make.wait_for(timeout=120_000)
        page.evaluate(WATCH_PROGRESS)  # the bar may come and go quickly: every text it shows
        make.click()
        download = page.get_by_role("button", name=download_name)
        download.wait_for(timeout=120_000)
        stages = page.evaluate("() => window.__stages")
        page.screenshot(path=str(tmp_path / f"after_{size[0]}.png"))
        assert stages, "no progress bar was shown"
        assert all(PDF_STAGES[lang].fullmatch(x) for x in stages), stages
        with page.expect_download() as got:
            download.click()
        assert re.fullmatch(FILE_NAME[lang], got.value.suggested_filename)
        out = ARTIFACTS / "deck_files"
        out.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(out / f"exports_{size[0]}x{size[1]}_{lang}.png"))
        assert "Traceback" not in page.content() and page.outside == []
    finally:
        context.close()


def test_the_pptx_opens_in_libreoffice_with_its_map_slide_drawn(national, tmp_path):
    """The PPTX as a colleague opens it (LibreOffice Impress, as CI installs it): every slide
    renders, and the map slide shows the still map, not an empty frame (issue 14)."""
    if deck_export.browser_path() is None:
        pytest.skip("no Chromium on this machine")
    impress = shutil.which("soffice") and Path("/usr/lib/libreoffice/program/libsdlo.so").exists()
    if not impress or not shutil.which("pdftoppm"):
        if os.environ.get("CI"):
            pytest.fail("CI must have LibreOffice Impress and pdftoppm (.ci/run installs them)")
        pytest.skip("LibreOffice Impress is not installed")
    data, why = deck_export.make_pptx(national, "数据截至 2026-11-28")
    assert why is None
    src = tmp_path / "deck.pptx"
    src.write_bytes(data)
    slides = Presentation(io.BytesIO(data)).slides
    with_picture = [
        k for k, slide in enumerate(slides) if any(s.shape_type == 13 for s in slide.shapes)
    ]  # 13: MSO_SHAPE_TYPE.PICTURE
    assert with_picture, "the map slide carries its picture"
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{tmp_path}/lo",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(src),
        ],
        check=True,
        capture_output=True,
        timeout=240,
    )
    pdf = (tmp_path / "deck.pdf").read_bytes()
    assert len(re.findall(rb"/Type\s*/Page\b", pdf)) == len(slides), "every slide rendered"
    page = with_picture[0] + 1
    subprocess.run(
        ["pdftoppm", "-r", "60", "-png", "-f", str(page), "-l", str(page)]
        + [str(tmp_path / "deck.pdf"), str(tmp_path / "map")],
        check=True,
        capture_output=True,
        timeout=120,
    )
    (png,) = list(tmp_path.glob("map*.png"))
    (ARTIFACTS / "deck").mkdir(parents=True, exist_ok=True)
    shutil.copy(png, ARTIFACTS / "deck" / "pptx-map-slide-libreoffice.png")
    im = Image.open(png).convert("RGB")
    w, h = im.size
    middle = im.crop((int(0.1 * w), int(0.2 * h), int(0.9 * w), int(0.85 * h)))
    colours = middle.getcolors(middle.width * middle.height) or []
    white = sum(n for n, c in colours if min(c) >= 245)
    assert len(colours) > 40, "a drawn map has many colours, an empty frame a few"
    assert white < 0.8 * middle.width * middle.height, "the map area is not blank"
