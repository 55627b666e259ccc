"""Single sign-on end to end (issue 13): the dashboard with ``XZ_AUTH=oidc`` against a real
OpenID Connect provider on localhost (``devkit.oidc_provider``: discovery, auto-approving
/authorize, /token with an RS256 id_token and PKCE, /jwks), driven in Chromium through
Streamlit's ``st.login`` routes.

- a 甘肃 official registered by e-mail lands on the product as 省级 · 甘肃 and sees 甘肃 only;
- a person the provider knows but the dashboard does not gets one sentence (未开通) and no data,
  although the open demo is on for anonymous visitors;
- the local form stays on the log-in page beside the button and still signs a local account in;
- no traceback anywhere, at 1366×768 and 1920×1080 (screenshots in artifacts/browser/).

The secrets file is written into the test's temporary folder and named with
``STREAMLIT_SECRETS_FILES``, so the repository's ``.streamlit/`` is never touched.
"""

from __future__ import annotations

import re
import secrets

import pytest
from conftest import ARTIFACTS, AS_OF

from dashboard_lib import auth, build
from dashboard_lib.scope import Viewer
from dashboard_lib.store import Store
from devkit.browser import free_port, start_server, stop_server, watched_page
from devkit.oidc_provider import OidcProvider, secrets_toml

SHOTS = ARTIFACTS / "browser"
PW = "local-Account-42"
GANSU_MAIL = "official@gs.example"
SIZES = [(1366, 768), (1920, 1080)]
TRACEBACK = re.compile(r"Traceback|File \"|Error:|Exception|StreamlitAuth|Authlib")


@pytest.fixture(scope="module")
def sso(tmp_path_factory):
    folder = tmp_path_factory.mktemp("oidc")
    db = folder / "dashboard.duckdb"
    build.build_database(db, build.spec_for(115, None, 2022, AS_OF), progress=lambda _m: None)
    s = Store(db)
    auth.create_user(
        s, "gs-sso", "province", None, province_adcode=620000, oidc_subject=GANSU_MAIL.upper()
    )
    auth.create_user(s, "gansu-local", "province", PW, province_adcode=620000)
    truth = {
        "gansu": s.projects(Viewer.province(620000)),
        "others": s.projects(Viewer.ministry()).query("province_adcode != 620000"),
    }
    s.close()
    port = free_port()
    with OidcProvider("xz-dashboard", secrets.token_urlsafe(24)) as idp:
        secrets_file = folder / "secrets.toml"
        secrets_file.write_text(
            secrets_toml(idp, f"http://localhost:{port}/oauth2callback"), encoding="utf-8"
        )
        env = {
            "XZ_AUTH": "oidc",
            "XZ_DEMO_MODE": "1",
            "STREAMLIT_SECRETS_FILES": str(secrets_file),
        }
        proc, log, url = start_server(db, folder / "streamlit.log", env, port=port)
        try:
            yield {"url": url, "idp": idp, "db": db, "log": folder / "streamlit.log", **truth}
        finally:
            stop_server(proc, log)


def _page(browser, size):
    SHOTS.mkdir(parents=True, exist_ok=True)
    return watched_page(browser, *size)


def _no_traceback(pg) -> None:
    text = pg.locator("body").inner_text()
    assert not TRACEBACK.search(text), text[:2000]
    assert pg.locator('[data-testid="stException"]').count() == 0


def _open_login(pg, url: str) -> None:
    pg.goto(url + "/")
    pg.get_by_role("link", name="登录").click()
    pg.get_by_role("button", name="使用统一身份认证登录").wait_for(timeout=30_000)


def _kpi(pg, label: str) -> str:
    box = pg.locator('[data-testid="stMetric"]', has_text=label).first
    return box.locator('[data-testid="stMetricValue"]').inner_text().strip()


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_a_gansu_official_signs_in_through_the_provider_and_sees_gansu_only(sso, browser, size):
    url, idp, gansu, others = sso["url"], sso["idp"], sso["gansu"], sso["others"]
    idp.person = {"sub": "gs-0001", "email": GANSU_MAIL, "email_verified": True, "name": "甘肃"}
    context, pg = _page(browser, size)
    try:
        _open_login(pg, url)
        # the local form is still there beside the single sign-on button
        pg.get_by_label("用户名").wait_for(timeout=30_000)
        assert pg.get_by_label("密码").count() == 1
        _no_traceback(pg)
        pg.screenshot(path=str(SHOTS / f"oidc_login_{size[0]}.png"))
        pg.get_by_role("button", name="使用统一身份认证登录").click()
        # provider → /oauth2callback → the app, in a new session that reads the identity cookie
        pg.get_by_text("当前用户：gs-sso（省级 · 甘肃）").wait_for(timeout=60_000)
        assert "/authorize" in idp.requests and "/token" in idp.requests
        assert idp.token_errors == []
        pg.get_by_role("link", name="概览").click()
        pg.locator('[data-testid="stMetricValue"]', has_text=str(len(gansu))).first.wait_for(
            timeout=60_000
        )
        assert _kpi(pg, "托管项目") == str(len(gansu))
        assert _kpi(pg, "省份/兵团") == "1"
        text = pg.locator("body").inner_text()
        for school in others["school_zh"]:
            assert school not in text
        assert pg.get_by_role("link", name="登录").count() == 0  # signed in: no log-in page
        _no_traceback(pg)
        pg.screenshot(path=str(SHOTS / f"oidc_gansu_{size[0]}.png"))
        assert pg.outside == []
        # signing out ends the provider's sign-in: back to the open demo
        pg.get_by_role("button", name="退出登录").click()
        pg.get_by_text("演示模式：只读").first.wait_for(timeout=60_000)
        _no_traceback(pg)
    finally:
        context.close()


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_an_identity_without_an_account_is_told_so_and_sees_no_data(sso, browser, size):
    url, idp = sso["url"], sso["idp"]
    stranger = f"stranger{size[0]}@example.org"
    idp.person = {"sub": f"x-{size[0]}", "email": stranger, "email_verified": True}
    context, pg = _page(browser, size)
    try:
        _open_login(pg, url)
        pg.get_by_role("button", name="使用统一身份认证登录").click()
        pg.get_by_text("未开通本系统").wait_for(timeout=60_000)
        text = pg.locator("body").inner_text().replace("\u2060", "")  # textsafe's word joiner
        assert stranger in text  # the sentence names the identity, for the administrator
        # no data: no figures, no map, no page but the log-in page, not even the open demo
        assert pg.locator('[data-testid="stMetricValue"]').count() == 0
        assert pg.locator("iframe").count() == 0
        for name in ("概览", "地图探索", "项目进展"):
            assert pg.get_by_role("link", name=name).count() == 0
        pg.screenshot(path=str(SHOTS / f"oidc_unregistered_{size[0]}.png"))
        # a page's own address opens nothing either: the page is not offered, no data drawn
        pg.goto(url + "/explorer?level=province&province=620000")
        pg.get_by_role("link", name="登录").wait_for(timeout=60_000)
        pg.wait_for_timeout(1500)
        assert pg.locator('[data-testid="stMetricValue"]').count() == 0
        assert pg.locator("iframe").count() == 0
        _no_traceback(pg)
        pg.get_by_role("link", name="登录").click()
        pg.get_by_text("未开通本系统").wait_for(timeout=60_000)
        _no_traceback(pg)
        # they can sign out of the provider and are an anonymous visitor again
        pg.get_by_role("button", name="退出统一身份认证").click()
        pg.get_by_text("演示模式：只读").first.wait_for(timeout=60_000)
        _no_traceback(pg)
    finally:
        context.close()


def test_an_unverified_email_opens_no_account(sso, browser):
    """A provider that lets people type any address: the address alone opens nothing."""
    url, idp = sso["url"], sso["idp"]
    idp.person = {"sub": "typed-it", "email": GANSU_MAIL, "email_verified": False}
    context, pg = _page(browser, SIZES[0])
    try:
        _open_login(pg, url)
        pg.get_by_role("button", name="使用统一身份认证登录").click()
        pg.get_by_text("未开通本系统").wait_for(timeout=60_000)
        assert pg.get_by_text("当前用户：").count() == 0
        assert pg.locator('[data-testid="stMetricValue"]').count() == 0
        _no_traceback(pg)
    finally:
        context.close()


def test_the_local_form_still_signs_a_local_account_in_under_oidc(sso, browser):
    context, pg = _page(browser, SIZES[1])
    try:
        _open_login(pg, sso["url"])
        pg.get_by_label("用户名").fill("gansu-local")
        pg.get_by_label("密码").fill(PW)
        pg.get_by_role("button", name="登录", exact=True).click()
        pg.get_by_text("当前用户：gansu-local（省级 · 甘肃）").wait_for(timeout=60_000)
        _no_traceback(pg)
        pg.get_by_role("button", name="退出登录").click()
        pg.get_by_text("演示模式：只读").first.wait_for(timeout=60_000)
    finally:
        context.close()


def test_the_server_log_holds_no_sign_in_error(sso):
    text = sso["log"].read_text(encoding="utf-8", errors="replace")
    assert "Traceback" not in text
    assert "OAuth token exchange failed" not in text
