"""A 甘肃 official in a real browser: signs in, and nothing of another province appears —
not in the figures, the map, the filter's choices or the downloaded file."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from conftest import AS_OF
from test_browser import SHOTS, kpi, map_frame, page, wait_for_polygons  # noqa: F401

from dashboard_lib import auth, build
from dashboard_lib.i18n import t
from dashboard_lib.scope import Viewer
from dashboard_lib.store import Store
from devkit.browser import start_server, stop_server

PW = "correct-horse-42"


@pytest.fixture(scope="module")
def gansu_server(tmp_path_factory):
    db = tmp_path_factory.mktemp("browser-auth") / "dashboard.duckdb"
    build.build_database(db, build.spec_for(115, None, 2022, AS_OF), progress=lambda _m: None)
    s = Store(db)
    auth.create_user(s, "gansu", "province", PW, province_adcode=620000)
    truth = {
        "gansu": s.projects(Viewer.province(620000)),
        "others": s.projects(Viewer.ministry()).query("province_adcode != 620000"),
    }
    s.close()
    proc, log, url = start_server(db, tmp_path_factory.mktemp("log") / "streamlit.log")
    yield url, truth
    stop_server(proc, log)


def test_admin_path_first_on_a_fresh_server_is_not_served(gansu_server, page):
    """The first request of the server's life goes straight to /admin as an anonymous visitor:
    the page must not run (a pages/ folder would make Streamlit serve it directly): the address
    shows the stand-in that says to sign in, and nothing of the admin page."""
    url, _ = gansu_server
    page.goto(url + "/admin")
    page.get_by_text(t("chrome_session_ended", "zh")).wait_for(timeout=60_000)
    assert page.get_by_role("heading", name=t("chrome_unavailable_title", "zh")).count() == 1
    text = page.locator("body").inner_text()
    assert "用户管理与审计日志" not in text and "审计日志" not in text
    assert page.get_by_role("link", name="用户管理").count() == 0


def test_gansu_official_sees_only_gansu(gansu_server, page):
    url, truth = gansu_server
    gansu, others = truth["gansu"], truth["others"]
    page.goto(url + "/")
    page.get_by_role("link", name="登录").click()
    page.get_by_label("用户名").fill("gansu")
    page.get_by_label("密码").fill(PW)
    page.get_by_role("button", name="登录").click()
    page.get_by_text("当前用户：gansu").wait_for(timeout=30_000)
    page.get_by_role("link", name="概览").click()
    page.locator('[data-testid="stMetricValue"]', has_text=str(len(gansu))).first.wait_for(
        timeout=30_000
    )
    wait_for_polygons(page, 35)
    assert kpi(page, "托管项目") == str(len(gansu))
    assert kpi(page, "省份/兵团") == "1"
    # the page's own text names no other province's school, county or university-only pairing
    text = page.locator("body").inner_text()
    for school in others["school_zh"]:
        assert school not in text
    # map: the helped counties drawn are 甘肃's only
    # (the official's overview map is 甘肃's counties: the helped ones are its coloured areas)
    helped = map_frame(page).locator('path.leaflet-interactive[stroke="#555"]').count()
    assert helped == gansu[gansu["has_boundary"]]["county_adcode"].nunique()
    # the province filter offers 甘肃 alone
    page.locator('[data-testid="stSelectbox"]').first.click()
    options = page.locator('[role="option"]').all_inner_texts()
    page.keyboard.press("Escape")
    assert [o for o in options if o.strip()] and all(
        o.strip() in ("全部省份", "甘肃省") for o in options
    )
    # the download: only 甘肃's rows
    with page.expect_download() as dl:
        page.get_by_role("button", name="下载 CSV").first.click()
    rows = list(csv.DictReader(io.StringIO(Path(dl.value.path()).read_bytes().decode("utf-8-sig"))))
    assert len(rows) == len(gansu) and {r["省份"] for r in rows} == {"甘肃"}
    # no admin page in the menu
    assert page.get_by_role("link", name="用户管理").count() == 0
    # a reload is a new Streamlit session: the sign-in survives through the cookie
    page.reload()
    page.get_by_text("当前用户：gansu").wait_for(timeout=30_000)
    page.locator('[data-testid="stMetricValue"]', has_text=str(len(gansu))).first.wait_for(
        timeout=30_000
    )
    assert kpi(page, "托管项目") == str(len(gansu))
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "gansu-official.png"), full_page=True)
    # signing out ends it for good, also after a reload
    page.get_by_role("button", name="退出登录").click()
    page.get_by_text("演示模式：只读").first.wait_for(timeout=30_000)
    page.reload()
    page.get_by_text("演示模式：只读").first.wait_for(timeout=30_000)
    assert page.get_by_text("当前用户：gansu").count() == 0
    assert page.outside == [], page.outside
