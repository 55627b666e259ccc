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
    assert pdf.startswith(b"%PDF") and len(re.findall(rb"/Type\s*/Page\b", pdf)) == len(national)
