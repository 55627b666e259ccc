"""The programme pages in headless Chromium: set a filter, follow a link to a dossier, download a
CSV and check its rows against the database (read before the server starts)."""

from __future__ import annotations

import csv
import io
import time
from pathlib import Path

from test_browser import SHOTS, page, server  # noqa: F401  (fixtures)


def wait_app(pg, text: str, timeout: float = 60_000):
    pg.get_by_text(text).first.wait_for(timeout=timeout)
    pg.wait_for_timeout(800)
    deadline = time.time() + 30
    while time.time() < deadline and pg.locator('[data-testid="stStatusWidget"]').count():
        time.sleep(0.3)


def pick_province(pg, name: str):
    box = pg.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').first
    box.click()
    pg.get_by_role("option", name=name).click()
    pg.wait_for_timeout(1500)


def test_filter_link_to_dossier_and_csv(server, page):  # noqa: F811
    url, _ = server
    page.goto(url + "/internships")
    wait_app(page, "在县人天")
    pick_province(page, "甘肃省")
    deadline = time.time() + 30
    while "province=620000" not in page.url and time.time() < deadline:
        page.wait_for_timeout(300)  # lets Playwright take in the URL change
    assert "province=620000" in page.url
    wait_app(page, "在县人天")
    # the per-project table download: exactly 甘肃's projects with students
    buttons = page.get_by_role("button", name="下载 CSV")
    with page.expect_download() as dl:
        buttons.last.click()
    raw = Path(dl.value.path()).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows and {r["省份"] for r in rows} == {"甘肃"}
    assert dl.value.suggested_filename == "internships_by_project.csv"
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "internships-620000.png"), full_page=True)
    # the filter holds on the progress page, whose links lead to dossiers
    page.goto(page.url.replace("/internships", "/progress"))
    wait_app(page, "需要关注的项目")
    page.wait_for_timeout(1500)
    assert "province=620000" in page.url  # the sidebar rewrites the URL from what it holds
    page.screenshot(path=str(SHOTS / "progress-620000.png"), full_page=True)
    link = page.locator('[data-testid="stMarkdownContainer"] a[href*="/dossier?project="]').first
    href = link.get_attribute("href")
    assert "province=620000" in href
    school = link.inner_text().strip()
    with page.context.expect_page() as new_page:
        link.click()
    dossier = new_page.value
    wait_app(dossier, "全部活动时间线")
    assert dossier.locator("h2", has_text=school).count() >= 1
    dossier.wait_for_timeout(1500)
    assert "province=620000" in dossier.url
    dossier.screenshot(path=str(SHOTS / "dossier.png"), full_page=True)
    for pg in (page, dossier):
        assert pg.outside == [] if hasattr(pg, "outside") else True


def test_exchanges_page_offline(server, page):  # noqa: F811
    url, _ = server
    page.goto(url + "/exchanges?province=530000")
    wait_app(page, "驻校人月")
    page.locator(".js-plotly-plot").first.wait_for(timeout=30_000)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "exchanges-530000.png"), full_page=True)
    assert page.outside == [], f"requests left localhost: {page.outside}"
