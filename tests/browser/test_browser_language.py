"""The language scan of ``test_browser_chrome.py`` for the cases that file leaves to this one:
the same scan (``scan_menu``), in another test worker with a server of its own."""

from __future__ import annotations

import pytest
from test_browser_chrome import CASES, HERE, db, names, scan_menu, server  # noqa: F401

THERE = [c for c in CASES if c not in HERE]


@pytest.mark.parametrize(("user", "lang", "width", "height"), THERE)
def test_every_page_speaks_one_language(server, names, browser, user, lang, width, height):  # noqa: F811
    scan_menu(server, names, browser, user, lang, width, height)
