"""scripts/warm.py against a real server: every page opens for the nation and a province without
an exception on the page, and a page that does not exist is reported, not passed over."""

from __future__ import annotations

import asyncio
import shutil

import pytest
import warm  # noqa: E402
from conftest import ARTIFACTS

from devkit.browser import start_server, stop_server


@pytest.fixture(scope="module")
def server(demo_db, tmp_path_factory):
    db = tmp_path_factory.mktemp("warm") / "w.duckdb"
    shutil.copy(demo_db, db)
    ARTIFACTS.mkdir(exist_ok=True)
    proc, log, url = start_server(db, ARTIFACTS / "warm-server.log", {"XZ_DEMO_MODE": "1"})
    yield url
    stop_server(proc, log)


def test_warm_opens_every_page_for_the_nation_and_a_province(server):
    results = asyncio.run(warm.warm(server, provinces=(620000,)))
    assert [name for name, _, _ in results] == [
        *warm.PAGES,
        *(f"{p}?province=620000" for p in warm.PAGES),
    ]
    assert [problem for _, _, problem in results if problem] == []
    assert "12 page views" in warm.summary(results)


def test_a_missing_page_is_reported(server):
    results = asyncio.run(warm.warm(server, pages=("no_such_page",), provinces=()))
    assert results[0][2] and "not found" in results[0][2]
    assert "failed" in warm.summary(results)
