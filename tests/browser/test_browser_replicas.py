"""Any replica serves anyone (issue 15, part 4), in a real Chromium against two real Streamlit
replicas (serve.py) that write to one real PostgreSQL 15 and read one published snapshot:

1. a sign-in made on replica 1 holds on replica 2 (the cookie goes to every port of the host,
   the session row is in PostgreSQL, both replicas have the same cookie secret);
2. signing out on replica 2 ends replica 1's tab at its next click;
3. replica 1 killed (SIGKILL) and started again on its port: the open tab reconnects by itself
   and is still signed in;
4. PostgreSQL stopped under a signed-in tab, then started again: one Chinese sentence during
   the outage, signed in again at the next click after it, without a reload.

Journey 3 kills the replica once its page has drawn. A kill that cuts the page's loading of one
of Streamlit's own frontend files (e.g. the table's ``DataFrame.*.js``/``.css``) leaves that tab
showing Streamlit's English "TypeError: Failed to fetch dynamically imported module" (or "Unable
to preload CSS") with a stack where the table would be, on every later page that needs the file,
until a reload: the browser keeps the failed import (a frontend matter, not the dashboard's).

The deployment is built by the commands an operator runs (``pgsync init``, ``pgsync job
--once``, ``dashboard_lib.auth create-user``) on a database of its own on the session's
throwaway cluster (``conftest.pg_cluster``: skipped without PostgreSQL here, fails in CI).
Screenshots: artifacts/replicas/*.png.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import pytest
from conftest import ARTIFACTS, ROOT
from test_browser_chrome import CODE, VISIBLE_TEXT, WORD, ZH_ALLOWED

from dashboard_lib.i18n import t
from dashboard_lib.pgsync import job_args
from dashboard_lib.ui import web
from devkit.browser import free_port, settle, start_server, stop_server, watched_page

pytestmark = pytest.mark.slow

SHOTS = ARTIFACTS / "replicas"
USER = "gansu"
PW = "Yuzhong-County-2026"  # long, three kinds of characters, not the user name, not common
SIGNED_IN = "当前用户："
W, H = 1366, 768
# English the Chinese interface may show: the house's list (file formats, the language switch, the
# boundary data's source, the test accounts) and the main database's product name, which the
# outage sentence names
ALLOWED_LATIN = ZH_ALLOWED | {"postgresql"}


@dataclass
class Replica:
    port: int
    proc: subprocess.Popen | None = None
    log: IO[str] | None = None
    starts: int = 0

    @property
    def url(self) -> str:
        return f"http://localhost:{self.port}"


@dataclass
class Deployment:
    database_url: str
    snapshot: Path
    logs: Path
    env: dict[str, str]
    replicas: list[Replica] = field(default_factory=list)

    def start(self, r: Replica) -> None:
        """Start (or start again) replica ``r`` on its own port."""
        r.starts += 1
        r.proc, r.log, _url = start_server(
            self.snapshot,
            self.logs / f"replica-{self.replicas.index(r) + 1}-{r.starts}.log",
            env_extra=self.env,
            port=r.port,
        )

    def kill(self, r: Replica) -> None:
        """SIGKILL, as a crash would: no goodbye to the open pages."""
        assert r.proc is not None and r.log is not None
        r.proc.send_signal(signal.SIGKILL)
        r.proc.wait(10)
        r.log.close()
        r.proc = None


def _run(*args: str, env: dict[str, str] | None = None, stdin: str | None = None) -> str:
    r = subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        input=stdin,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert r.returncode == 0, f"{args} failed ({r.returncode}):\n{r.stdout}\n{r.stderr}"
    return r.stdout


@pytest.fixture(scope="module")
def deployment(tmp_path_factory, pg_cluster):
    """One database of its own on the session's cluster, loaded and published by the operator's
    commands, one province official made by the accounts command, two replicas. (``pg_url`` is
    per test; one deployment for the module keeps it fast.)"""
    tmp = tmp_path_factory.mktemp("replicas")
    name = f"replicas_{os.getpid()}"
    url = pg_cluster.create_database(name)
    snapshot = tmp / "snap" / "snapshot.duckdb"
    snapshot.parent.mkdir()
    _run("-m", "dashboard_lib.pgsync", "init", "--database-url", url)
    _run(*job_args(url, snapshot, once=True))
    env = {
        "XZ_DATABASE_URL": url,
        "XZ_DB_PATH": str(snapshot),
        "XZ_DB_READONLY": "1",
        "XZ_DEMO_MODE": "0",  # sign-in required: no demo viewer to fall back on
        "STREAMLIT_SERVER_COOKIE_SECRET": secrets.token_urlsafe(32),  # the same on both
    }
    made = _run(
        "-m",
        "dashboard_lib.auth",
        "create-user",
        "--user",
        USER,
        "--role",
        "province",
        "--province",
        "620000",
        "--password-stdin",
        env=env,
        stdin=PW + "\n",
    )
    assert f"created {USER}" in made
    dep = Deployment(url, snapshot, tmp, env, [Replica(free_port()), Replica(free_port())])
    try:
        for r in dep.replicas:
            dep.start(r)
        yield dep
    finally:
        for r in dep.replicas:
            if r.proc is not None:
                stop_server(r.proc, r.log)
        pg_cluster.start()  # a test that stopped it leaves it running again
        pg_cluster.drop_database(name)


@pytest.fixture
def context(browser):
    ctx, pg = watched_page(browser, W, H)
    ctx.first_page = pg
    yield ctx
    ctx.close()


# ---------------------------------------------------------------------- helpers
def shot(pg, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    settle(pg)
    pg.screenshot(path=str(SHOTS / name), full_page=False)


def sign_in(pg, url: str) -> None:
    """Sign in through the form of ``url``'s replica."""
    pg.goto(url + "/")
    form_user = pg.get_by_label("用户名")
    try:
        form_user.wait_for(timeout=30_000)  # without the demo the first page is the form
    except Exception:
        pg.get_by_role("link", name="登录").click()
    form_user.fill(USER)
    pg.get_by_label("密码").fill(PW)
    pg.get_by_role("button", name="登录").click()
    signed_in(pg)
    pg.wait_for_url(lambda u: web.ROUTE_PREFIX not in u, timeout=30_000)


def signed_in(pg, timeout: float = 60_000) -> str:
    """Wait for the sidebar's account line; return it."""
    line = pg.get_by_text(SIGNED_IN + USER).first
    line.wait_for(timeout=timeout)
    return line.inner_text()


def click_menu(pg, name: str) -> None:
    """Open another page from the menu: a run of the same Streamlit session, no reload."""
    pg.locator('[data-testid="stSidebar"]').get_by_role("link", name=name).click()


def login_form_shown(pg) -> bool:
    return pg.get_by_label("密码").count() > 0


def clean_chinese_screen(pg) -> None:
    """Once the run is over: no traceback, no exception box, and no English words on the
    Chinese interface (the words of test_browser_chrome's check)."""
    settle(pg)
    assert pg.locator('[data-testid="stException"]').count() == 0
    texts = pg.evaluate(VISIBLE_TEXT)
    assert not [x for x in texts if "Traceback" in x], texts
    english = [
        x for x in texts if {w.lower() for w in WORD.findall(CODE.sub(" ", x))} - ALLOWED_LATIN
    ]
    assert not english, english


# ---------------------------------------------------------------------- 1. one sign-in, two replicas
def test_a_sign_in_on_replica_1_holds_on_replica_2(deployment, context):
    """The form is filled on replica 1, and its one-time code is taken by replica 2's route
    (as when replica 1 goes away between the two, or a balancer without stickiness): the codes
    are in PostgreSQL, not in replica 1's memory. Then the cookie holds on replica 1 too."""
    r1, r2 = deployment.replicas
    first = context.first_page
    answered: list[int] = []

    def on_replica_2(route) -> None:  # the same request, answered by replica 2's route
        answer = route.fetch(url=route.request.url.replace(r1.url, r2.url), max_redirects=0)
        answered.append(answer.status)
        route.fulfill(response=answer)

    first.route(f"{r1.url}{web.SESSION_PATH}*", on_replica_2)
    sign_in(first, r1.url)
    assert "甘肃" in signed_in(first)
    assert answered == [303], answered  # replica 2 took the code, and nothing else did
    first.unroute(f"{r1.url}{web.SESSION_PATH}*")
    first.reload()  # replica 1, which issued the code, sees the cookie replica 2 set
    assert "甘肃" in signed_in(first)
    # the same browser opens replica 2 (another port of the same host: the cookie goes there too)
    first.goto(r2.url + "/")
    line = signed_in(first)
    assert "甘肃" in line, line  # the official's own province
    first.get_by_role("link", name="数据导入").wait_for(timeout=30_000)  # a staff page is offered
    assert not login_form_shown(first)
    clean_chinese_screen(first)
    shot(first, "replica2-signed-in-1366.png")
    first.set_viewport_size({"width": 1920, "height": 1080})
    shot(first, "replica2-signed-in-1920.png")
    assert first.outside == [], first.outside


# ---------------------------------------------------------------------- 2. sign out anywhere
def test_sign_out_on_replica_2_ends_the_replica_1_tab_at_its_next_click(deployment, context):
    r1, r2 = deployment.replicas
    tab1 = context.first_page
    sign_in(tab1, r1.url)
    tab2 = context.new_page()
    tab2.goto(r2.url + "/")
    signed_in(tab2)
    tab2.get_by_role("button", name="退出登录").click()
    tab2.get_by_label("密码").wait_for(timeout=60_000)  # replica 2 shows the form again
    click_menu(tab1, "数据来源")  # replica 1's tab: its next click
    tab1.get_by_text(SIGNED_IN + USER).wait_for(state="detached", timeout=60_000)
    tab1.get_by_text(t("auth_signed_out_elsewhere", "zh")).first.wait_for(timeout=30_000)
    # no staff page, no data: the page asks for a sign-in, whose link leads to the form
    stand_in = tab1.locator('[data-testid="stMain"]')
    stand_in.get_by_role("link", name="登录").wait_for(timeout=30_000)
    assert tab1.get_by_role("link", name="数据导入").count() == 0
    clean_chinese_screen(tab1)
    shot(tab1, "replica1-signed-out-elsewhere.png")
    stand_in.get_by_role("link", name="登录").click()
    tab1.get_by_label("密码").wait_for(timeout=30_000)


# ---------------------------------------------------------------------- 3. a replica restarts
def test_replica_1_killed_and_restarted_keeps_the_tab_signed_in(deployment, context):
    r1, _r2 = deployment.replicas
    pg = context.first_page
    sockets: list = []
    pg.on("websocket", lambda ws: sockets.append(ws))
    sign_in(pg, r1.url)
    settle(pg)  # the page has drawn (see the module's note on a load the kill cuts)
    # and its lazily loaded frontend files (the table's DataFrame.*.js) have arrived: the kill
    # must not cut them (1 of 2 CI runs did)
    pg.locator('[data-testid="stDataFrame"]').first.wait_for(timeout=60_000)
    pg.wait_for_load_state("networkidle")
    pg.evaluate("window.__same_document = true")  # gone if the page were loaded again
    opened = len(sockets)
    deployment.kill(r1)
    time.sleep(1)
    deployment.start(r1)  # the same port
    deadline = time.time() + 60
    while len(sockets) <= opened and time.time() < deadline:  # the frontend retries by itself
        pg.wait_for_timeout(300)
    assert len(sockets) > opened, "the tab did not reconnect to the restarted replica"
    pg.wait_for_timeout(1000)
    click_menu(pg, "数据来源")  # the next interaction, on the new process
    pg.get_by_role("heading", name="数据来源").first.wait_for(timeout=60_000)
    assert "甘肃" in signed_in(pg)
    assert not login_form_shown(pg)
    assert pg.evaluate("window.__same_document === true"), "the page was reloaded"
    shot(pg, "replica1-restarted.png")
    clean_chinese_screen(pg)


# ---------------------------------------------------------------------- 4. PostgreSQL down, then up
def test_postgres_stopped_and_started_under_a_signed_in_tab(deployment, context, pg_cluster):
    """During the outage the next click says so in one Chinese sentence and no traceback; once
    PostgreSQL is back, the next click is signed in again, without a reload. The outage sentence
    is checked last, so that a failure there still tells whether the recovery works."""
    r1, _r2 = deployment.replicas
    pg = context.first_page
    sign_in(pg, r1.url)
    settle(pg)  # no run of the page is cut by the stop
    pg.evaluate("window.__same_document = true")
    pg_cluster.stop()
    try:
        click_menu(pg, "数据导入")  # a page that needs PostgreSQL (who is signed in, the batches)
        settle(pg)
        during = pg.evaluate(VISIBLE_TEXT)
        shot(pg, "postgres-down.png")
        clean_chinese_screen(pg)
    finally:
        pg_cluster.start()
    # the next interaction, PostgreSQL back: the menu if the tab kept it, else the one link the
    # page offers (登录)
    menu = pg.locator('[data-testid="stSidebar"]').get_by_role("link", name="数据来源")
    if menu.count():
        menu.click()
    else:
        pg.locator('[data-testid="stMain"]').get_by_role("link", name="登录").click()
    assert "甘肃" in signed_in(pg)  # the cookie's session row is still good: signed in again
    click_menu(pg, "数据导入")  # and the page that needs PostgreSQL opens
    pg.get_by_role("heading", name=t("ingest_title", "zh")).first.wait_for(timeout=60_000)
    shot(pg, "postgres-back.png")
    clean_chinese_screen(pg)
    assert "甘肃" in signed_in(pg)
    assert not login_form_shown(pg)
    assert pg.evaluate("window.__same_document === true"), "the page was reloaded"
    assert t("store_pg_unavailable_read", "zh") in during, (
        "during the outage the tab was told something else than the outage sentence",
        during,
    )
