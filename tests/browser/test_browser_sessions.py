"""Sessions hardened (issue 17), in a real Chromium against the real server (serve.py):

- the sign-in cookie is out of reach of the page's scripts (HttpOnly, SameSite=Strict, Path=/),
  and the one-time code that set it cannot be used again;
- signing out in one tab, or an administrator disabling the account, ends the other tabs of
  that sign-in at their next click (no reload), and enabling the account again revives nothing;
- every HTML answer refuses framing by other sites (X-Frame-Options, CSP frame-ancestors): a
  page of another origin that frames the dashboard gets no dashboard in its frame, while the
  dashboard's own same-origin map frame still draws.
"""

from __future__ import annotations

import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from conftest import AS_OF
from test_browser import map_frame, wait_for_polygons

from dashboard_lib import auth, build
from dashboard_lib.store import Store
from dashboard_lib.ui import web
from devkit.browser import free_port, start_server, stop_server, watched_page

PW = "correct-horse-42"
SIGNED_IN = "当前用户："


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    db = tmp_path_factory.mktemp("browser-sessions") / "dashboard.duckdb"
    build.build_database(db, build.spec_for(115, None, 2022, AS_OF), progress=lambda _m: None)
    s = Store(db)
    auth.create_user(s, "gansu", "province", PW, province_adcode=620000)
    auth.create_user(s, "leader", "ministry", PW)  # after gansu in the admin page's list
    s.checkpoint()
    s.close()
    proc, log, url = start_server(db, tmp_path_factory.mktemp("log") / "streamlit.log")
    yield url
    stop_server(proc, log)


@pytest.fixture
def context(browser):
    ctx, pg = watched_page(browser, 1400, 1000)
    ctx.first_page = pg
    yield ctx
    ctx.close()


def sign_in(pg, url: str, user: str) -> list[str]:
    """Sign in through the form; the URLs of the cookie route the top page went through."""
    went = []
    pg.on("request", lambda r: went.append(r.url) if web.SESSION_PATH in r.url else None)
    pg.goto(url + "/")
    pg.get_by_role("link", name="登录").click()
    pg.get_by_label("用户名").fill(user)
    pg.get_by_label("密码").fill(PW)
    pg.get_by_role("button", name="登录").click()
    pg.get_by_text(SIGNED_IN + user).wait_for(timeout=60_000)
    pg.wait_for_url(lambda u: web.ROUTE_PREFIX not in u, timeout=30_000)
    return went


def signed_out_after_click(pg, user: str) -> None:
    """Click another page in the menu (a run of the same Streamlit session, no reload) and wait
    until the sidebar no longer names ``user``."""
    pg.get_by_role("link", name="数据来源").click()
    pg.get_by_text(SIGNED_IN + user).wait_for(state="detached", timeout=60_000)


# ---------------------------------------------------------------------- the cookie
def test_the_cookie_is_http_only_and_strict_and_its_code_is_good_once(server, context, browser):
    pg = context.first_page
    went = sign_in(pg, server, "gansu")
    assert len(went) == 1 and "code=" in went[0]  # through the server's route
    assert web.ROUTE_PREFIX not in pg.url and "code=" not in pg.url  # the code is not left in view
    cookies = {c["name"]: c for c in context.cookies()}
    assert "xz_session" in cookies
    c = cookies["xz_session"]
    assert c["httpOnly"] is True and c["sameSite"] == "Strict" and c["path"] == "/"
    assert c["secure"] is False  # plain http on localhost
    assert "xz_session" not in pg.evaluate("document.cookie")  # no script in the page reads it
    assert c["value"] not in pg.content()  # nor finds it in the markup
    # the code in that URL was spent: replayed in another browser, it signs nobody in
    other, thief = watched_page(browser, 1400, 1000)
    try:
        thief.goto(went[0])
        thief.wait_for_url(lambda u: web.ROUTE_PREFIX not in u, timeout=30_000)
        thief.locator('[data-testid="stSidebar"]').wait_for(timeout=60_000)
        thief.get_by_text("演示模式：只读").first.wait_for(timeout=60_000)
        assert thief.get_by_text(SIGNED_IN + "gansu").count() == 0
        assert "xz_session" not in {c["name"] for c in other.cookies()}
    finally:
        other.close()
    # signing out clears the cookie
    pg.get_by_role("button", name="退出登录").click()
    pg.get_by_text("演示模式：只读").first.wait_for(timeout=60_000)
    assert "xz_session" not in {c["name"] for c in context.cookies()}
    assert pg.outside == [], pg.outside


# ---------------------------------------------------------------------- every tab ends
def test_sign_out_in_one_tab_ends_the_other_at_its_next_click(server, context):
    first = context.first_page
    sign_in(first, server, "gansu")
    second = context.new_page()
    second.goto(server + "/")
    second.get_by_text(SIGNED_IN + "gansu").wait_for(timeout=60_000)  # the same cookie
    # a staff page is offered (the menu may draw a moment after the account line)
    second.get_by_role("link", name="数据导入").wait_for(timeout=30_000)
    first.get_by_role("button", name="退出登录").click()
    first.get_by_text("演示模式：只读").first.wait_for(timeout=60_000)
    signed_out_after_click(second, "gansu")
    second.get_by_text("您已退出登录").first.wait_for(timeout=30_000)
    assert second.get_by_role("link", name="数据导入").count() == 0  # and is gone


def test_disable_ends_every_tab_and_enable_revives_none(server, context, browser):
    official = context.first_page
    sign_in(official, server, "gansu")
    other_tab = context.new_page()
    other_tab.goto(server + "/")
    other_tab.get_by_text(SIGNED_IN + "gansu").wait_for(timeout=60_000)
    admin_ctx, admin = watched_page(browser, 1400, 1000)
    try:
        sign_in(admin, server, "leader")
        admin.get_by_role("link", name="用户管理").click()
        admin.get_by_text("修改用户").click()
        pick = admin.locator('[data-testid="stSelectbox"]').filter(has_text="选择用户")
        pick.wait_for(timeout=30_000)
        chosen = pick.locator("input")
        shown = chosen.input_value() if chosen.count() else pick.inner_text()
        assert "gansu" in shown, shown  # the first in the list
        admin.get_by_role("button", name="停用", exact=True).click()
        admin.get_by_text("已保存。").wait_for(timeout=30_000)
        for tab in (official, other_tab):
            signed_out_after_click(tab, "gansu")
            tab.get_by_text("该账户已停用。").first.wait_for(timeout=30_000)
        admin.get_by_role("button", name="启用", exact=True).click()
        admin.get_by_text("已保存。").wait_for(timeout=30_000)
    finally:
        admin_ctx.close()
    # enabled again: the old cookie opens nothing; a reload stays signed out
    official.reload()
    official.get_by_text("演示模式：只读").first.wait_for(timeout=60_000)
    assert official.get_by_text(SIGNED_IN + "gansu").count() == 0


# ---------------------------------------------------------------------- framing
def test_html_answers_refuse_framing(server):
    for path in ("/", "/overview", web.LOGOUT_PATH):
        req = urllib.request.Request(server + path)
        opener = urllib.request.build_opener(NoRedirect)
        try:
            resp = opener.open(req, timeout=30)
        except urllib.error.HTTPError as exc:  # the 303 of the logout route
            resp = exc
        assert resp.headers["X-Frame-Options"] == "SAMEORIGIN", path
        assert "frame-ancestors 'self'" in resp.headers["Content-Security-Policy"], path


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *a, **k):
        return None


@pytest.fixture
def other_site(server):
    """A page of another origin (another port, and 127.0.0.1 rather than localhost) that puts
    the dashboard in an iframe."""
    body = (
        f'<!doctype html><title>other</title><h1 id="other">another site</h1>'
        f'<iframe id="victim" src="{server}/" width="1000" height="700"></iframe>'
    ).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *a):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


def test_another_site_gets_no_dashboard_in_its_frame(server, other_site, context):
    pg = context.first_page
    answers = []
    pg.on("response", lambda r: answers.append(r) if r.url.rstrip("/") == server else None)
    pg.goto(other_site)
    pg.locator("#other").wait_for()
    deadline = time.time() + 20
    while not answers and time.time() < deadline:  # the frame's request reached the dashboard
        pg.wait_for_timeout(200)  # event handlers run only inside Playwright calls
    assert answers, "the framed request never reached the dashboard"
    assert answers[0].headers.get("x-frame-options") == "SAMEORIGIN"
    # give a framed Streamlit ample time to draw; it must not
    app = pg.frame_locator("#victim").locator('[data-testid="stApp"], [data-testid="stSidebar"]')
    deadline = time.time() + 12
    while time.time() < deadline:
        assert app.count() == 0, "the dashboard was rendered inside another site's frame"
        time.sleep(0.5)


def test_own_map_frame_still_draws(server, context):
    pg = context.first_page
    pg.goto(server + "/")
    assert wait_for_polygons(pg, 1) >= 1
    assert map_frame(pg).locator(".leaflet-interactive").count() > 0
