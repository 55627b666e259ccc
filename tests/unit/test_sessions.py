"""Sessions hardened (issue 17): the cookie routes and headers (dashboard_lib/ui/web.py, serve.py),
the token checked on every run, sign-out and disable ending every tab, log-ins that tell nothing
about the name, one password policy, and a read-only database at sign-in."""

from __future__ import annotations

import asyncio
import os
import shutil
import stat
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import pytest
from conftest import AS_OF, ROOT, on_backend, run_sql
from starlette.requests import Request
from streamlit.testing.v1 import AppTest

from dashboard_lib import auth, build
from dashboard_lib.store import Store
from dashboard_lib.ui import web

PW = "correct-horse-42"
BAD = auth.BAD_LOGIN


# ---------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("sessions") / "base.duckdb"
    build.build_database(path, build.spec_for(115, None, 2022, AS_OF), progress=lambda _m: None)
    return path


@pytest.fixture
def db(built, tmp_path) -> Path:
    path = tmp_path / "s.duckdb"
    shutil.copy(built, path)
    s = Store(path)
    auth.create_user(s, "gansu", "province", PW, province_adcode=620000)
    auth.create_user(s, "boss", "ministry", PW)
    s.checkpoint()
    s.close()
    return path


@pytest.fixture(params=["duckdb", "postgresql"])
def store(db, request):
    """The accounts on each backend: the embedded file, and PostgreSQL (issue 15)."""
    s = on_backend(Store(db), request.param, request)
    yield s
    s.close()


def request(path: str, headers: dict | None = None, scheme: str = "http") -> Request:
    raw_path, _, query = path.partition("?")
    return Request(
        {
            "type": "http",
            "method": "GET",
            "scheme": scheme,
            "path": raw_path,
            "raw_path": raw_path.encode(),
            "query_string": query.encode(),
            "root_path": "",
            "server": ("localhost", 8501),
            "client": ("127.0.0.1", 5000),
            "headers": [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()],
        }
    )


def set_cookies(response) -> list[str]:
    return [v.decode() for k, v in response.raw_headers if k == b"set-cookie"]


# ---------------------------------------------------------------------- web: codes, cookie, redirect
def test_code_becomes_an_http_only_strict_cookie_once():
    code = web.issue_code("tok-123")
    assert code not in str(web._CODES._codes)  # only the code's hash is kept
    first = web.session_endpoint(
        request(f"{web.SESSION_PATH}?code={code}&next=/dossier%3Fproject%3D3")
    )
    assert first.status_code == 303 and first.headers["location"] == "/dossier?project=3"
    (cookie,) = set_cookies(first)
    parts = [p.strip() for p in cookie.split(";")]
    assert parts[0] == "xz_session=tok-123"
    assert {"HttpOnly", "SameSite=Strict", "Path=/"} <= set(parts) and "Secure" not in parts
    again = web.session_endpoint(request(f"{web.SESSION_PATH}?code={code}&next=/"))
    assert again.status_code == 303 and set_cookies(again) == []  # single use
    assert set_cookies(web.session_endpoint(request(f"{web.SESSION_PATH}?code=made-up"))) == []


def test_code_expires_within_a_minute(monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(web.time, "monotonic", lambda: now[0])
    code = web.issue_code("tok-old")
    now[0] += web.CODE_SECONDS + 0.1
    assert web.CODE_SECONDS <= 60
    assert web.redeem_code(code) is None


def test_a_code_issued_on_one_replica_is_redeemed_on_another_once(pg_url, monkeypatch):
    """With PostgreSQL behind the replicas the codes live there: the route of any replica takes
    the code another replica's script issued, once; an expired or made-up code gives nothing;
    the database keeps neither the code nor the token as they are."""
    import psycopg

    monkeypatch.setenv("XZ_DATABASE_URL", pg_url)
    replica_1, replica_2 = web._SharedCodes(pg_url), web._SharedCodes(pg_url)
    token = "tok-" + "x" * 40
    code = replica_1.issue(token)
    with psycopg.connect(pg_url) as conn:
        kept = conn.execute("SELECT code_sha256, sealed FROM sign_in_code").fetchall()
    assert len(kept) == 1 and code not in str(kept) and token not in str(kept)
    assert token.encode().hex() not in str(kept)
    assert replica_2.redeem(code) == token
    assert replica_1.redeem(code) is None and replica_2.redeem(code) is None  # good once
    assert replica_2.redeem("made-up") is None
    old = replica_1.issue("tok-old", seconds=-1)
    assert replica_2.redeem(old) is None
    # the module's own functions use PostgreSQL when XZ_DATABASE_URL is set: the route of this
    # process redeems a code issued by another process's script
    code = replica_1.issue("tok-via-route")
    (cookie,) = set_cookies(web.session_endpoint(request(f"{web.SESSION_PATH}?code={code}")))
    assert cookie.startswith("xz_session=tok-via-route;")
    assert code not in str(web._CODES._codes)  # not the in-process codes


def test_first_sign_ins_on_several_replicas_at_once_all_get_their_code(pg_url):
    """Each replica makes the codes' table on its first sign-in; eight at the same moment on a
    database without it must all get a code that works (PostgreSQL's CREATE TABLE IF NOT EXISTS
    can still fail for all but one of concurrent makers)."""
    from concurrent.futures import ThreadPoolExecutor

    replicas = [web._SharedCodes(pg_url) for _ in range(8)]
    with ThreadPoolExecutor(8) as pool:
        codes = list(pool.map(lambda r: r.issue(f"tok-{id(r)}"), replicas))
    assert [replicas[0].redeem(c) for c in codes] == [f"tok-{id(r)}" for r in replicas]


def test_a_code_cannot_be_redeemed_while_postgres_is_away(pg_url, pg_cluster, monkeypatch):
    """The route does not fail with a traceback when the store is away: no cookie, and the
    browser goes on to the page (which asks to sign in); the code works once it is back."""
    monkeypatch.setenv("XZ_DATABASE_URL", pg_url)
    code = web.issue_code("tok-outage")
    pg_cluster.stop()
    try:
        out = web.session_endpoint(request(f"{web.SESSION_PATH}?code={code}&next=/"))
        assert out.status_code == 303 and set_cookies(out) == []
    finally:
        pg_cluster.start()
    assert web.redeem_code(code) == "tok-outage"


@pytest.mark.parametrize(
    "headers,scheme,env,secure",
    [
        ({}, "http", "0", False),
        ({"X-Forwarded-Proto": "https"}, "http", "0", True),  # the shipped nginx in front of TLS
        ({"X-Forwarded-Proto": "http"}, "http", "0", False),
        ({}, "https", "0", True),  # uvicorn with a certificate
        ({}, "http", "1", True),  # XZ_COOKIE_SECURE=1 forces it
    ],
)
def test_cookie_is_secure_behind_https(monkeypatch, headers, scheme, env, secure):
    monkeypatch.setenv("XZ_COOKIE_SECURE", env)
    code = web.issue_code("tok-s")
    (cookie,) = set_cookies(
        web.session_endpoint(request(f"{web.SESSION_PATH}?code={code}", headers, scheme))
    )
    assert ("; Secure" in cookie) is secure


def test_another_site_cannot_sign_a_visitor_in_or_out():
    code = web.issue_code("attackers-token")
    cross = {"Sec-Fetch-Site": "cross-site"}
    assert (
        set_cookies(web.session_endpoint(request(f"{web.SESSION_PATH}?code={code}", cross))) == []
    )
    assert set_cookies(web.logout_endpoint(request(web.LOGOUT_PATH, cross))) == []
    same = {"Sec-Fetch-Site": "same-origin"}
    code = web.issue_code("own-token")
    assert set_cookies(web.session_endpoint(request(f"{web.SESSION_PATH}?code={code}", same)))


def test_logout_route_clears_the_cookie():
    out = web.logout_endpoint(request(f"{web.LOGOUT_PATH}?next=/%3Flang%3Den"))
    assert out.status_code == 303 and out.headers["location"] == "/?lang=en"
    (cookie,) = set_cookies(out)
    assert cookie.startswith("xz_session=;") and "Max-Age=0" in cookie and "HttpOnly" in cookie


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/x",
        "/\\evil.example",
        "\\\\evil.example",
        "evil.example",
        "javascript:alert(1)",
        "/ok\r\nSet-Cookie: x=1",
        "http:/evil.example",
        "",
        None,
        "/" + "a" * 3000,
    ],
)
def test_no_open_redirect(target):
    assert web.safe_next(target) == "/"
    out = web.logout_endpoint(request(logout_with(target)))
    assert out.headers["location"] == "/"


def logout_with(target):
    from urllib.parse import urlencode

    return web.LOGOUT_PATH + ("?" + urlencode({"next": target}) if target is not None else "")


def test_local_paths_pass_and_a_base_path_is_kept():
    assert web.safe_next("/") == "/"
    assert web.safe_next("/overview?province=620000&lang=en") == "/overview?province=620000&lang=en"
    assert web.safe_next("/other", base="/dash") == "/dash/"
    assert web.safe_next("/dash/overview", base="/dash") == "/dash/overview"


# ---------------------------------------------------------------------- web: headers
def run_asgi(app, scope):
    sent = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    return sent


def test_security_headers_on_every_http_answer():
    async def inner(scope, receive, send):
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [
                    (b"content-type", b"text/html"),
                    (b"x-content-type-options", b"nosniff"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": b"<html></html>"})

    sent = run_asgi(web.SecurityHeaders(inner), {"type": "http", "method": "GET", "path": "/"})
    headers = sent[0]["headers"]
    names = [k for k, _ in headers]
    assert dict(headers)[b"x-frame-options"] == b"SAMEORIGIN"
    assert dict(headers)[b"content-security-policy"] == b"frame-ancestors 'self'"
    assert dict(headers)[b"referrer-policy"] == b"same-origin"
    assert names.count(b"x-content-type-options") == 1  # not doubled where Streamlit sets it
    assert sent[1]["body"] == b"<html></html>"


def test_websockets_pass_untouched():
    seen = []

    async def inner(scope, receive, send):
        seen.append(scope["type"])
        await send({"type": "websocket.accept"})

    sent = run_asgi(web.SecurityHeaders(inner), {"type": "websocket", "path": "/_stcore/stream"})
    assert seen == ["websocket"] and sent == [{"type": "websocket.accept"}]


def test_serve_py_is_the_asgi_entry_streamlit_run_finds():
    from streamlit.web.server.app_discovery import discover_asgi_app

    found = discover_asgi_app(ROOT / "serve.py")
    assert found.is_asgi_app and found.import_string == "serve:app"
    paths = [r.path for r in web.routes("")]
    assert paths == [web.SESSION_PATH, web.LOGOUT_PATH]
    assert not any(
        p.startswith(("/_stcore/", "/media/", "/component/", "/static/", "/auth/")) for p in paths
    )


def test_every_server_start_uses_serve_py():
    """The run script, the load test, the scale-out demo and the browser tests all start the
    ASGI entry; none starts app.py bare (it would lack the cookie routes and the headers)."""
    for rel in (
        "scripts/run.sh",
        "scripts/loadtest.py",
        "scripts/scaleout.sh",
        "devkit/browser.py",
        "scripts/bench_deck.py",
    ):
        text = (ROOT / rel).read_text()
        assert "serve.py" in text, rel
        assert '"run", "app.py"' not in text and "streamlit run app.py" not in text, rel


def test_nginx_sends_the_same_headers():
    conf = (ROOT / "deploy" / "nginx.conf").read_text()
    for name, value in web.SECURITY_HEADERS.items():
        assert f'add_header {name} "{value}" always;' in conf, name


# ---------------------------------------------------------------------- store: tokens checked, revoked
def test_session_status_tells_why(store):
    token = store.create_session("gansu")
    assert store.session_status(token, 30) == ("gansu", "ok")
    assert store.session_status(token + "x", 30) == (None, "unknown")
    later = datetime.now() + timedelta(minutes=31)
    assert store.session_status(token, 30, now=later) == (None, "expired")
    assert store.session_status(token, 30) == (None, "revoked")


def test_disable_revokes_every_session_and_enable_does_not_revive(store):
    a, b = store.create_session("gansu"), store.create_session("gansu")
    other = store.create_session("boss")
    auth.set_disabled(store, "gansu", True, "boss")
    assert store.session_status(a, 30) == store.session_status(b, 30) == (None, "disabled")
    auth.set_disabled(store, "gansu", False, "boss")
    assert store.session_status(a, 30) == (None, "revoked")
    assert store.session_status(b, 30) == (None, "revoked")
    assert store.session_status(other, 30) == ("boss", "ok")
    assert store.session_status(store.create_session("gansu"), 30) == (
        "gansu",
        "ok",
    )  # a new log-in works


def test_a_session_of_a_disabled_account_is_refused_even_if_not_revoked(store):
    token = store.create_session("gansu")
    # disabled behind the application's back
    run_sql(store, "UPDATE app_user SET disabled = true WHERE user_name = 'gansu'")
    assert store.session_status(token, 30) == (None, "disabled")
    assert store._scalar("SELECT revoked FROM app_session") is True  # and revoked on the way
    run_sql(store, "UPDATE app_user SET disabled = false WHERE user_name = 'gansu'")
    assert store.session_status(token, 30) == (None, "revoked")


def test_password_reset_signs_the_user_out_everywhere(store):
    token = store.create_session("gansu")
    auth.set_password(store, "gansu", "Another-horse-77", "boss")
    assert store.session_status(token, 30) == (None, "revoked")


def test_last_seen_written_at_most_once_a_minute(store):
    token = store.create_session("gansu")
    seen = lambda: store._scalar("SELECT last_seen FROM app_session")
    first = seen()
    store.session_status(token, 30, now=first + timedelta(seconds=20))
    assert seen() == first  # a read only
    store.session_status(token, 30, now=first + timedelta(seconds=90))
    assert seen() == first + timedelta(seconds=90)


def test_read_only_store_checks_tokens_without_writing(db, tmp_path):
    s = Store(db)
    token = s.create_session("gansu")
    s.checkpoint()
    s.close()
    ro = Store(db, read_only=True)
    try:
        assert ro.session_status(token, 30) == ("gansu", "ok")
        later = datetime.now() + timedelta(minutes=31)
        assert ro.session_status(token, 30, now=later) == (None, "expired")  # no write attempted
    finally:
        ro.close()


# ---------------------------------------------------------------------- log-in: the same for any name
class CountingHasher:
    def __init__(self, real):
        self.real, self.verifies = real, 0

    def verify(self, h, p):
        self.verifies += 1
        return self.real.verify(h, p)

    def __getattr__(self, name):
        return getattr(self.real, name)


def attempt(store, name, password, **kw):
    try:
        auth.authenticate(store, name, password, **kw)
    except auth.AuthError as exc:
        return exc
    return None


def test_the_product_hashes_with_argon2s_default_work_factor():
    """The product's hasher, read in a fresh interpreter (the test process uses a cheap one,
    tests/conftest.py): argon2id, at least 64 MiB and 3 passes, and the hash says so."""
    code = (
        "from dashboard_lib import auth; h = auth._HASHER; "
        "print(h.type.name, h.memory_cost, h.time_cost, auth.hash_password('Quiet-Harbour-7391')[:30])"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout.split()
    kind, memory, passes, head = out[0], int(out[1]), int(out[2]), out[3]
    assert kind == "ID" and memory >= 65536 and passes >= 3, out
    assert head.startswith("$argon2id$v=19$m=") and f"m={memory}" in head, head


def test_every_attempt_costs_one_argon2_verification(store, monkeypatch):
    auth.create_user(store, "sso-only", "ministry", None, oidc_subject="x@example.org")
    auth.create_user(store, "off", "ministry", PW)
    auth.set_disabled(store, "off", True, "boss")
    auth.create_user(store, "shut", "ministry", PW)
    for _ in range(3):
        attempt(store, "shut", "nope-nope-1", lock_after=3)
    spy = CountingHasher(auth._HASHER)
    monkeypatch.setattr(auth, "_HASHER", spy)
    cases = [
        ("nobody", PW),
        ("nobody", "x"),
        ("gansu", "Wrong-password-9"),
        ("gansu", PW),
        ("off", "Wrong-password-9"),
        ("off", PW),
        ("shut", "Wrong-password-9"),
        ("shut", PW),
        ("sso-only", ""),
        ("sso-only", "anything-1"),
    ]
    for name, password in cases:
        before = spy.verifies
        attempt(store, name, password, lock_after=3)
        assert spy.verifies - before == 1, (name, password)


def test_refusals_read_the_same_whatever_the_name(store):
    auth.create_user(store, "off", "ministry", PW)
    auth.set_disabled(store, "off", True, "boss")
    auth.create_user(store, "shut", "ministry", PW)
    locking = [attempt(store, "shut", "nope-nope-1", lock_after=3) for _ in range(3)]
    refusals = [
        attempt(store, "nobody", PW),
        attempt(store, "gansu", "Wrong-password-9"),
        attempt(store, "off", "Wrong-password-9"),
        attempt(store, "shut", "Wrong-password-9"),
        *locking,
    ]
    assert {(e.zh, e.en) for e in refusals} == {BAD}
    assert BAD[0] == "用户名或密码不正确。"
    # only the right password learns that the account is disabled or locked
    assert "停用" in attempt(store, "off", PW).zh
    assert "锁定" in attempt(store, "shut", PW, lock_after=3).zh


def test_bench_login_measures_the_four_kinds():
    import bench_login

    rows = bench_login.measure(repeat=2)
    assert [r[0] for r in rows] == ["known", "unknown", "disabled", "locked"]
    assert all(ms > 0 for _, ms, _ in rows)


# ---------------------------------------------------------------------- one password policy
@pytest.mark.parametrize(
    "password,why",
    [
        ("password12", "常见"),
        ("Password12", "常见"),
        ("PASSWORD12", "常见"),
        ("woaini1314", "常见"),
        ("zhang123456", "常见"),
        ("1qaz2wsx3edc", "常见"),
        ("gansu-2026-xyz", "用户名"),
        ("My-GANSU-pass-9", "用户名"),
        ("abcdefghijkl", "两类"),
        ("ABCDEFGHIJKL", "两类"),
        ("8305718264", "两类"),
        ("!!!!~~~~!!!!", "两类"),
        ("short-1", "10"),
    ],
)
def test_password_policy(password, why):
    problems = auth.password_problems(password, "gansu")
    assert problems and any(why in zh for zh, _ in problems), problems
    assert all(zh and en and zh != en for zh, en in problems)


def test_good_passwords_pass():
    for password in (PW, "Lanzhou-river-2026", "黄河之水天上来-42"):
        assert auth.password_problems(password, "gansu") == []


def test_policy_on_create_and_set_password(store):
    with pytest.raises(auth.AuthError, match="常见"):
        auth.create_user(store, "lzu", "ministry", "password12")
    with pytest.raises(auth.AuthError, match="用户名"):
        auth.create_user(store, "lzu01", "ministry", "LZU01-is-mine-7")
    with pytest.raises(auth.AuthError, match="常见"):
        auth.set_password(store, "gansu", "qq123456789", "boss")
    assert auth.verify_password(store.user("gansu")["password_hash"], PW)  # unchanged


def test_cli_uses_the_same_policy(db):
    env = {**os.environ, "XZ_DB_PATH": str(db)}
    run = lambda *a, stdin: subprocess.run(
        [sys.executable, "-m", "dashboard_lib.auth", *a],
        cwd=ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
    )
    weak = run(
        "create-user",
        "--user",
        "lzu",
        "--role",
        "ministry",
        "--password-stdin",
        stdin="password12\n",
    )
    assert weak.returncode == 1 and "常见" in weak.stderr and "too common" in weak.stderr
    reset = run("set-password", "gansu", "--password-stdin", stdin="gansu-2026-pass\n")
    assert reset.returncode == 1 and "用户名" in reset.stderr
    ok = run("set-password", "gansu", "--password-stdin", stdin="Lanzhou-river-2026\n")
    assert ok.returncode == 0, ok.stderr


# ---------------------------------------------------------------------- the pages (AppTest)
def app(db, monkeypatch, session: dict | None = None, lang: str | None = None) -> AppTest:
    monkeypatch.setenv("XZ_DB_PATH", str(db))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    if session:
        at.session_state["auth"] = dict(session)
    if lang:
        at.query_params["lang"] = lang
    return at.run()


def sign_in(db, monkeypatch, user="gansu", password=PW) -> AppTest:
    at = app(db, monkeypatch)
    at.switch_page("views/login.py").run()
    at.text_input[0].input(user)
    at.text_input[1].input(password)
    at.button[0].click().run()
    return at


def signed_in_as(at) -> str | None:
    for c in at.sidebar.caption:
        if c.value.startswith("当前用户："):
            return c.value
    return None


def test_log_in_sends_the_page_through_the_cookie_route(db, monkeypatch):
    at = sign_in(db, monkeypatch)
    assert not at.exception
    token = at.session_state["auth"]["token"]
    go = [h.value for h in at.get("html") if web.SESSION_PATH in h.value]
    assert go and "window.location.replace" in go[0] and token not in go[0]  # a code, not the token
    code = go[0].split("code=")[1].split("&")[0]
    assert web.redeem_code(code) == token


def test_sign_out_in_one_tab_ends_the_other(db, monkeypatch):
    first = sign_in(db, monkeypatch)
    second = app(db, monkeypatch, session=first.session_state["auth"])  # the same cookie
    assert signed_in_as(second)
    first.run()
    first.button(key="logout").click().run()
    assert not first.exception
    assert any(web.LOGOUT_PATH in h.value for h in first.get("html"))
    second.run()
    assert not second.exception
    assert signed_in_as(second) is None and "auth" not in second.session_state
    assert any("已退出登录" in w.value for w in second.sidebar.warning)


def test_disable_ends_every_tab_and_enable_does_not_revive(db, monkeypatch):
    tab = sign_in(db, monkeypatch)
    session = dict(tab.session_state["auth"])
    tab.run()
    assert signed_in_as(tab)
    s = Store(db)  # the same database instance as the app's in this process
    try:
        auth.set_disabled(s, "gansu", True, "boss")
        tab.run()
        assert signed_in_as(tab) is None
        assert any("停用" in w.value for w in tab.sidebar.warning)
        auth.set_disabled(s, "gansu", False, "boss")
    finally:
        s.close()
    revived = app(db, monkeypatch, session=session)
    assert signed_in_as(revived) is None


def test_admin_page_refuses_a_common_password(db, monkeypatch):
    at = sign_in(db, monkeypatch, "boss")
    at.switch_page("views/admin.py").run()
    at.selectbox(key="change_user").select("gansu").run()
    at.text_input(key="reset_pw").input("password12").run()
    at.button(key="reset_btn").click().run()
    assert not at.exception
    assert any("常见" in e.value for e in at.error)


def _read_only_copy(db, tmp_path, monkeypatch) -> Path:
    ro = tmp_path / "ro"
    ro.mkdir()
    shutil.copy(db, ro / "d.duckdb")
    os.chmod(ro / "d.duckdb", stat.S_IRUSR | stat.S_IRGRP)
    os.chmod(ro, stat.S_IRUSR | stat.S_IXUSR)
    if os.geteuid() == 0:  # root may write anything: take the read-only branch through os.access
        real = os.access
        monkeypatch.setattr(
            os, "access", lambda p, mode, *a, **k: False if mode == os.W_OK else real(p, mode)
        )
    return ro / "d.duckdb"


@pytest.mark.parametrize("lang,word", [("zh", "只读"), ("en", "read-only")])
def test_read_only_database_says_sign_in_is_not_possible(db, tmp_path, monkeypatch, lang, word):
    path = _read_only_copy(db, tmp_path, monkeypatch)
    try:
        at = app(path, monkeypatch, lang=lang)
        at.switch_page("views/login.py").run()
        assert not at.exception
        said = [
            w.value
            for w in at.warning
            if word in w.value and ("登录" in w.value or "sign" in w.value)
        ]
        assert len(said) == 1, [w.value for w in at.warning]
        assert not at.text_input  # no form that could only fail
    finally:
        os.chmod(path.parent, stat.S_IRWXU)


def test_a_failing_session_write_is_one_sentence_not_a_traceback(db, monkeypatch):
    def refuse(self, user_name):
        raise duckdb.InvalidInputException("Cannot execute statement in read-only mode")

    monkeypatch.setattr(Store, "create_session", refuse)
    at = sign_in(db, monkeypatch)
    assert not at.exception
    assert [e.value for e in at.error] == ["数据库当前为只读，暂时无法登录。"]
    assert "auth" not in at.session_state
