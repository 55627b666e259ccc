"""Accounts: hashing, log-in, lock-out, roles and scope, single sign-on mapping, the CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime, timedelta

import pytest
from conftest import AS_OF, ROOT

from dashboard_lib import auth, build, navigation
from dashboard_lib.scope import Viewer
from dashboard_lib.store import Store

PW = "correct-horse-42"


@pytest.fixture
def store(tmp_path):
    path = tmp_path / "auth.duckdb"
    build.build_database(path, build.spec_for(115, None, 2022, AS_OF), progress=lambda _m: None)
    s = Store(path)
    yield s
    s.close()


def actions(store, user):
    log = store.audit_log()
    return list(reversed(log.loc[log["user_name"] == user, "action"].tolist()))


def test_password_is_hashed_with_argon2_and_checked(store):
    auth.create_user(store, "gansu", "province", PW, province_adcode=620000, actor="t")
    row = store.user("gansu")
    assert row["password_hash"].startswith("$argon2")
    assert PW not in row["password_hash"]
    assert auth.verify_password(row["password_hash"], PW)
    assert not auth.verify_password(row["password_hash"], PW + "x")


def test_password_never_stored_in_clear_anywhere(store):
    auth.create_user(store, "gansu", "province", PW, province_adcode=620000, actor="t")
    auth.authenticate(store, "gansu", PW)
    with pytest.raises(auth.AuthError):
        auth.authenticate(store, "gansu", "wrong-password-1")
    for table in store.tables():
        cols = store._df(f"SELECT * FROM {table} LIMIT 0").columns
        for col in cols:
            hits = store._scalar(
                f'SELECT count(*) FROM {table} WHERE CAST("{col}" AS VARCHAR) LIKE ?', [f"%{PW}%"]
            )
            assert hits == 0, (table, col)


@pytest.mark.parametrize("password", ["short1", "onlyletterslong", "12345678901234"])
def test_weak_passwords_refused(store, password):
    with pytest.raises(auth.AuthError):
        auth.create_user(store, "u1", "ministry", password)
    assert store.user("u1") is None


@pytest.mark.parametrize(
    "role,province,unis,ok",
    [
        ("province", 620000, None, True),
        ("province", 660000, None, True),  # the Corps is a unit of its own
        ("province", 110000, None, False),  # 北京 is not in the programme
        ("province", None, None, False),
        ("university", None, [1, 2], True),
        ("university", None, [], False),
        ("university", None, [999], False),
        ("ministry", 620000, None, False),  # the ministry has no narrower scope
        ("presenter", None, None, True),
        ("dean", None, None, False),
    ],
)
def test_account_scope_is_validated(store, role, province, unis, ok):
    call = lambda: auth.create_user(
        store, "someone", role, PW, province_adcode=province, university_ids=unis
    )
    if ok:
        call()
        v = auth.viewer_for(store.user("someone"))
        assert v.role.value == role
        assert v.provinces == (frozenset({province}) if province else None)
    else:
        with pytest.raises(auth.AuthError):
            call()
        assert store.user("someone") is None


def test_login_gives_the_accounts_scope_and_is_audited(store):
    auth.create_user(store, "gansu", "province", PW, province_adcode=620000)
    viewer = auth.authenticate(store, "gansu", PW)
    assert viewer == Viewer.province(620000, "gansu")
    assert actions(store, "gansu")[-1] == "login"


def test_unknown_user_and_wrong_password_read_the_same(store):
    auth.create_user(store, "gansu", "province", PW, province_adcode=620000)
    with pytest.raises(auth.AuthError) as a:
        auth.authenticate(store, "nobody", PW)
    with pytest.raises(auth.AuthError) as b:
        auth.authenticate(store, "gansu", "Wrong-password-9")
    assert a.value.zh == b.value.zh == auth.BAD_LOGIN[0]


def test_lock_out_after_repeated_failures_then_release(store):
    auth.create_user(store, "gansu", "province", PW, province_adcode=620000)
    for _ in range(2):
        with pytest.raises(auth.AuthError):
            auth.authenticate(store, "gansu", "nope-nope-1", lock_after=3, lock_minutes=15)
    with pytest.raises(auth.AuthError) as third:
        auth.authenticate(store, "gansu", "nope-nope-1", lock_after=3, lock_minutes=15)
    # the lock is not told to a wrong password (an unknown name never locks: that would tell
    # the name exists); only the right password learns of it
    assert (third.value.zh, third.value.en) == auth.BAD_LOGIN
    with pytest.raises(auth.AuthError) as right_but_locked:
        auth.authenticate(store, "gansu", PW, lock_after=3)
    assert "锁定" in right_but_locked.value.zh
    later = datetime.now() + timedelta(minutes=16)
    assert auth.authenticate(store, "gansu", PW, lock_after=3, now=later).provinces == frozenset(
        {620000}
    )
    assert actions(store, "gansu").count("login_failed") == 3
    assert "locked" in actions(store, "gansu")


def test_disabled_and_rescoped_accounts(store):
    auth.create_user(store, "gansu", "province", PW, province_adcode=620000)
    auth.set_disabled(store, "gansu", True, "admin")
    with pytest.raises(auth.AuthError):
        auth.authenticate(store, "gansu", PW)
    auth.set_disabled(store, "gansu", False, "admin")
    auth.set_scope(store, "gansu", "province", 630000, None, "admin")
    assert auth.authenticate(store, "gansu", PW).provinces == frozenset({630000})
    admin_actions = actions(store, "admin")
    assert admin_actions == ["user_disabled", "user_enabled", "user_rescoped"]


def test_single_sign_on_maps_identity_to_our_table(store):
    with pytest.raises(auth.AuthError):
        auth.viewer_for_identity(store, "official@gs.example")
    auth.create_user(
        store,
        "gs-sso",
        "province",
        None,
        province_adcode=620000,
        oidc_subject="official@gs.example",
    )
    assert auth.viewer_for_identity(store, "official@gs.example").provinces == frozenset({620000})
    with pytest.raises(auth.AuthError):
        auth.authenticate(store, "gs-sso", "")  # no password: cannot log in locally


def test_session_timeout():
    now = datetime(2026, 11, 28, 12, 0)
    assert auth.session_expired(now - timedelta(minutes=31), now, 30)
    assert not auth.session_expired(now - timedelta(minutes=29), now, 30)


@pytest.mark.parametrize(
    "viewer,has,lacks",
    [
        (None, ["views/login.py"], ["views/overview.py", "views/admin.py"]),
        (
            Viewer.demo(),
            ["views/overview.py", "views/login.py"],
            ["views/admin.py", "views/data_import.py"],
        ),
        (Viewer.province(620000), ["views/overview.py"], ["views/admin.py", "views/login.py"]),
        (
            Viewer.presenter(),
            ["views/overview.py"],
            ["views/admin.py", "views/data_import.py", "views/data_entry.py"],
        ),
        (Viewer.ministry(), ["views/overview.py", "views/admin.py"], ["views/login.py"]),
    ],
)
def test_navigation_by_role(viewer, has, lacks):
    files = [p.file for p in navigation.pages_for(viewer)]
    for f in has:
        assert f in files
    for f in lacks:
        assert f not in files


@pytest.mark.slow
def test_cli_creates_and_lists_users(tmp_path):
    db = tmp_path / "cli.duckdb"
    env = {**os.environ, "XZ_DB_PATH": str(db)}
    run = lambda *a, stdin="": subprocess.run(
        [sys.executable, "-m", "dashboard_lib.auth", *a],
        cwd=ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
    )
    made = run(
        "create-user", "--user", "admin", "--role", "ministry", "--password-stdin", stdin=PW + "\n"
    )
    assert made.returncode == 0, made.stderr
    bad = run(
        "create-user",
        "--user",
        "bj-official",
        "--role",
        "province",
        "--province",
        "110000",
        "--password-stdin",
        stdin=PW + "\n",
    )
    assert bad.returncode == 1 and "省级账户" in bad.stderr
    uni = run(
        "create-user",
        "--user",
        "lzu",
        "--role",
        "university",
        "--university",
        "兰州大学",
        "--password-stdin",
        stdin=PW + "\n",
    )
    assert uni.returncode == 0, uni.stderr
    listed = run("list")
    assert "admin" in listed.stdout and "lzu" in listed.stdout and "$argon2" not in listed.stdout
    # the database now holds accounts: a plain rebuild refuses to replace it
    rebuild = subprocess.run(
        [sys.executable, "-m", "dashboard_lib.build", "--db", str(db)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert rebuild.returncode == 1 and "--force" in rebuild.stderr
    s = Store(db, read_only=True)
    try:
        assert s.user("lzu")["university_ids"] == [
            int(s.universities().set_index("name_zh").loc["兰州大学", "university_id"])
        ]
    finally:
        s.close()


@pytest.mark.parametrize("use_summary", [True, False])
def test_demo_viewer_never_sees_imported_activity_on_any_page_query(store, use_summary):
    """An imported activity row of a simulated project: the ministry counts it, the demo never."""
    with store._con.cursor() as cur:
        row = cur.execute("""SELECT a.activity_id, a.project_id FROM activity a JOIN project p USING (project_id)
                             WHERE p.provenance = 'simulated' AND a.kind = 'training' LIMIT 1""").fetchall()[
            0
        ]
        cur.execute("UPDATE activity SET provenance = 'imported' WHERE activity_id = ?", [row[0]])
    store.refresh_summaries()
    demo, boss = Viewer.demo(), Viewer.ministry()
    agg = lambda v: store.activity_agg(v, None, by=("kind",), use_summary=use_summary).set_index(
        "kind"
    )["n"]
    assert agg(boss)["training"] - agg(demo)["training"] == 1
    ids = lambda v: set(store.project_activities(v, None, row[1])["activity_id"])
    assert row[0] in ids(boss) and row[0] not in ids(demo)
    cards = lambda v: store.explorer_cards(v, None, use_summary=use_summary).set_index("project_id")
    assert cards(boss).loc[row[1]].to_dict() != cards(demo).loc[row[1]].to_dict()


def test_demo_viewer_never_sees_imported_rows(store):
    with store._con.cursor() as cur:
        cur.execute("UPDATE project SET provenance = 'imported' WHERE project_id = 1")
        cur.execute("UPDATE activity SET provenance = 'imported' WHERE activity_id = 1")
    demo = Viewer.demo()
    assert 1 not in set(store.projects(demo)["project_id"])
    assert 1 not in set(store.activities(demo)["activity_id"])
    assert 1 in set(store.projects(Viewer.ministry())["project_id"])
    assert store.metrics(demo).iloc[0]["projects"] == 114


def test_no_streamlit_pages_directory():
    """Streamlit serves every script in a folder named pages/ beside app.py directly (its first
    multipage mode), bypassing the role-based navigation until app.py has run once; the pages
    therefore live in views/."""
    assert not (ROOT / "pages").exists()
    for spec in navigation.PAGES + (navigation.LOGIN,):
        assert spec.file.startswith("views/")


def test_browser_session_tokens(store):
    auth.create_user(store, "gansu", "province", PW, province_adcode=620000)
    token = store.create_session("gansu")
    assert store.session_user(token, 30) == "gansu"
    assert store.session_user(token + "x", 30) is None
    stored = store._df("SELECT token_sha256 FROM app_session")["token_sha256"].tolist()
    assert token not in stored and len(stored) == 1  # only the hash is kept
    later = datetime.now() + timedelta(minutes=31)
    assert store.session_user(token, 30, now=later) is None  # idle too long: revoked
    assert store.session_user(token, 30) is None
    assert "session_timeout" in actions(store, "gansu")
    other = store.create_session("gansu")
    store.revoke_session(other)
    assert store.session_user(other, 30) is None
