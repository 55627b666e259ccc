"""Single sign-on without a browser: which identity opens which account, what the audit log
keeps, the secrets check before ``st.login``, and the log-in page under ``XZ_AUTH=oidc``
(AppTest). The whole sign-in through a provider is tests/browser/test_browser_oidc.py."""

from __future__ import annotations

import pytest
from conftest import AS_OF, ROOT
from streamlit.testing.v1 import AppTest

from dashboard_lib import auth, build
from dashboard_lib.store import Store
from devkit.oidc_provider import OidcProvider

PW = "correct-horse-42"
FULL = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "a-long-random-cookie-secret",
    "client_id": "xz",
    "client_secret": "s3cret",
    "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
}


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    path = tmp_path_factory.mktemp("sso") / "sso.duckdb"
    build.build_database(path, build.spec_for(115, None, 2022, AS_OF), progress=lambda _m: None)
    s = Store(path)
    auth.create_user(
        s, "gs-sso", "province", None, province_adcode=620000, oidc_subject="Official@GS.example"
    )
    auth.create_user(s, "sub-only", "ministry", None, oidc_subject="opaque-SUB-1")
    auth.create_user(s, "off-sso", "ministry", None, oidc_subject="gone@example.org")
    auth.set_disabled(s, "off-sso", True, "test")
    auth.create_user(s, "local", "province", PW, province_adcode=620000)
    s.close()
    return path


@pytest.fixture
def store(db):
    s = Store(db)
    yield s
    s.close()


def refusals(store, who: str) -> int:
    log = store.audit_log()
    return int(((log["user_name"] == who) & (log["action"] == "login_refused")).sum())


# ---------------------------------------------------------------------- identity → account
def test_a_verified_email_maps_whatever_its_case(store):
    v = auth.viewer_for_claims(
        store, {"sub": "x1", "email": "official@gs.example", "email_verified": True}
    )
    assert (v.role.value, v.provinces, v.name) == ("province", frozenset({620000}), "gs-sso")


def test_the_sub_claim_maps_exactly_and_only_exactly(store):
    assert auth.viewer_for_claims(store, {"sub": "opaque-SUB-1"}).name == "sub-only"
    with pytest.raises(auth.AuthError) as exc:
        auth.viewer_for_claims(store, {"sub": "opaque-sub-1"})  # a sub is case-sensitive
    assert exc.value.key == "auth_sso_unregistered"


def test_an_unverified_email_opens_nothing(store):
    with pytest.raises(auth.AuthError) as exc:
        auth.viewer_for_claims(
            store, {"sub": "typed", "email": "official@gs.example", "email_verified": False}
        )
    assert exc.value.key == "auth_sso_unregistered"


def test_unknown_identity_gets_one_sentence_naming_it_and_one_audit_row(store):
    before = refusals(store, "who@example.org")
    with pytest.raises(auth.AuthError) as exc:
        auth.viewer_for_claims(store, {"sub": "s9", "email": "who@example.org"})
    assert "未开通" in exc.value.message("zh") and "who@example.org" in exc.value.message("zh")
    assert "not been enabled" in exc.value.message("en")
    assert refusals(store, "who@example.org") == before + 1
    with pytest.raises(auth.AuthError):  # the UI's later runs of the same session: no new row
        auth.viewer_for_claims(store, {"sub": "s9", "email": "who@example.org"}, audit=False)
    assert refusals(store, "who@example.org") == before + 1


def test_no_identity_and_disabled_accounts_are_refused(store):
    with pytest.raises(auth.AuthError) as exc:
        auth.viewer_for_claims(store, {"name": "anonymous"})
    assert exc.value.key == "auth_sso_no_identity"
    with pytest.raises(auth.AuthError) as exc:
        auth.viewer_for_claims(store, {"sub": "z", "email": "gone@example.org"})
    assert exc.value.key == "auth_disabled"


def test_a_successful_sign_in_is_audited_as_a_login(store):
    log = store.audit_log()
    before = int(((log["user_name"] == "sub-only") & (log["action"] == "login")).sum())
    auth.viewer_for_claims(store, {"sub": "opaque-SUB-1"})
    log = store.audit_log()
    assert int(((log["user_name"] == "sub-only") & (log["action"] == "login")).sum()) == before + 1
    assert store.user("sub-only")["last_login"] is not None


def test_an_identity_is_registered_to_one_account_only(store):
    with pytest.raises(auth.AuthError) as exc:
        auth.create_user(store, "second", "ministry", None, oidc_subject="opaque-SUB-1")
    assert exc.value.key == "auth_sso_taken" and store.user("second") is None
    with pytest.raises(auth.AuthError):
        auth.set_sso_identity(store, "local", "opaque-SUB-1", "test")


def test_set_sso_from_the_command_line(db, monkeypatch, capsys):
    monkeypatch.setenv("XZ_DB_PATH", str(db))
    assert auth.main(["set-sso", "local", "--oidc-subject", "local@gs.example"]) == 0
    s = Store(db)
    try:
        assert auth.viewer_for_claims(s, {"sub": "q", "email": "LOCAL@gs.example"}).name == "local"
    finally:
        s.close()
    assert auth.main(["set-sso", "local", "--clear"]) == 0
    # an account without a password cannot lose its only way in
    assert auth.main(["set-sso", "sub-only", "--clear"]) == 1
    assert "需要密码或单点登录标识" in capsys.readouterr().err


# ---------------------------------------------------------------------- settings and secrets
def test_local_form_is_kept_under_oidc_unless_switched_off():
    assert auth.local_login_allowed("local", {"XZ_LOCAL_LOGIN": "0"})
    assert auth.local_login_allowed("oidc", {})
    assert not auth.local_login_allowed("oidc", {"XZ_LOCAL_LOGIN": "0"})
    assert not auth.local_login_allowed("oidc", {"XZ_LOCAL_LOGIN": "off"})


def test_secrets_check_names_what_is_missing():
    assert auth.sso_config_problem(None).key == "auth_sso_not_configured"
    assert auth.sso_config_problem(FULL) is None
    partial = {k: v for k, v in FULL.items() if k != "cookie_secret"}
    problem = auth.sso_config_problem(partial)
    assert problem.key == "auth_sso_incomplete" and problem.values["keys"] == "cookie_secret"
    named = {"redirect_uri": "x", "cookie_secret": "y", "corp": {"client_id": "c"}}
    assert auth.sso_config_problem(named, "corp").values["keys"] == (
        "client_secret, server_metadata_url"
    )
    assert auth.sso_config_problem(named, "other").key == "auth_sso_incomplete"


def test_provider_reachable_asks_the_discovery_document():
    with OidcProvider("xz", "s") as idp:
        assert auth.provider_reachable(idp.metadata_url)
        assert not auth.provider_reachable(idp.issuer + "/nothing-here")
    assert not auth.provider_reachable("http://127.0.0.1:9/.well-known/openid-configuration")
    assert not auth.provider_reachable("file:///etc/passwd")


# ---------------------------------------------------------------------- the log-in page
def login_page(monkeypatch, db, auth_secrets: dict | None, **env: str) -> AppTest:
    monkeypatch.setenv("XZ_DB_PATH", str(db))
    monkeypatch.setenv("XZ_AUTH", "oidc")
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    if auth_secrets is not None:
        at.secrets["auth"] = auth_secrets
    at.run()
    at.switch_page("views/login.py").run()
    assert not at.exception
    return at


def sso_button(at: AppTest):
    return next(b for b in at.button if b.label == "使用统一身份认证登录")


def test_login_page_offers_sso_and_keeps_the_local_form(monkeypatch, db):
    at = login_page(monkeypatch, db, None)
    assert sso_button(at) is not None
    assert [w.label for w in at.text_input] == ["用户名", "密码"]
    sso_button(at).click().run()  # no [auth] secrets: one sentence, not Streamlit's error
    assert not at.exception
    assert [e.value for e in at.error] == ["统一身份认证尚未配置，请联系系统管理员。"]


def test_local_form_hidden_when_the_deployment_says_so(monkeypatch, db):
    at = login_page(monkeypatch, db, None, XZ_LOCAL_LOGIN="0")
    assert sso_button(at) is not None
    assert len(at.text_input) == 0


def test_incomplete_secrets_and_a_provider_that_is_down_are_one_sentence(monkeypatch, db):
    partial = {k: v for k, v in FULL.items() if k != "client_secret"}
    at = login_page(monkeypatch, db, partial)
    sso_button(at).click().run()
    assert not at.exception and "配置不完整" in at.error[0].value
    at = login_page(monkeypatch, db, FULL)  # complete, but nothing listens on port 9
    sso_button(at).click().run()
    assert not at.exception
    assert [e.value for e in at.error] == ["统一身份认证服务暂时无法连接，请稍后再试。"]


def test_english_page_speaks_english(monkeypatch, db):
    monkeypatch.setenv("XZ_LANGUAGE", "en")
    at = login_page(monkeypatch, db, None)
    button = next(b for b in at.button if b.label == "Sign in with single sign-on")
    button.click().run()
    assert [e.value for e in at.error] == [
        "Single sign-on is not configured yet; ask the system administrator."
    ]
