"""The presenter's PDF and slide pictures, drawn by Debian's headless Chromium (the deck itself,
its PPTX and the fallbacks without a browser: tests/unit/test_present.py)."""

from __future__ import annotations

import re

import pytest

from dashboard_lib import deck_export, present
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
