"""Log-in through the pages (AppTest): the page list and every figure follow the account."""

from __future__ import annotations

import pytest
from conftest import AS_OF, ROOT, metric
from streamlit.testing.v1 import AppTest

from dashboard_lib import auth, build
from dashboard_lib.i18n import tm
from dashboard_lib.scope import Viewer
from dashboard_lib.store import Store

PW = "correct-horse-42"


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    path = tmp_path_factory.mktemp("authpages") / "a.duckdb"
    build.build_database(path, build.spec_for(115, None, 2022, AS_OF), progress=lambda _m: None)
    s = Store(path)
    auth.create_user(s, "gansu", "province", PW, province_adcode=620000)
    auth.create_user(s, "boss", "ministry", PW)
    auth.create_user(s, "stage", "presenter", PW)
    truth = {"gansu_projects": int(s.metrics(Viewer.province(620000)).iloc[0]["projects"])}
    s.close()
    return path, truth


@pytest.fixture(autouse=True)
def _env(db, monkeypatch):
    monkeypatch.setenv("XZ_DB_PATH", str(db[0]))


def signed_in(user: str, password: str = PW) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90).run()
    at.switch_page("views/login.py").run()
    at.text_input[0].input(user)
    at.text_input[1].input(password)
    at.button[0].click().run()
    return at


def test_demo_mode_is_labelled_and_read_only():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90).run()
    assert not at.exception
    assert any("演示模式" in i.value for i in at.sidebar.info)


def test_province_official_sees_only_their_province(db):
    at = signed_in("gansu")
    assert not at.exception
    assert "auth" in at.session_state
    at.switch_page("views/overview.py").run()
    assert metric(at, "托管项目") == str(db[1]["gansu_projects"])
    assert metric(at, "省份/兵团") == "1"


def test_the_login_page_of_a_signed_in_tab_offers_no_second_form():
    at = signed_in("gansu")
    at.switch_page("views/login.py").run()
    assert not at.exception
    assert not at.text_input, "no user name / password form for a tab already signed in"
    assert [i.value for i in at.main.info] == [tm("auth_already_in", "zh", user="gansu")]
    assert "auth" in at.session_state, "still signed in"


def test_wrong_password_shows_one_sentence():
    at = signed_in("gansu", "Wrong-password-1")
    assert not at.exception
    assert at.error and "不正确" in at.error[0].value
    assert "auth" not in at.session_state


def test_admin_page_refused_to_a_province_official_even_by_path():
    at = signed_in("gansu")
    at.switch_page("views/overview.py").run()
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("views/admin.py")  # not routed for this role at all
    direct = AppTest.from_file(str(ROOT / "views" / "admin.py"), default_timeout=60).run()
    assert direct.error and "无权" in direct.error[0].value  # the demo viewer, straight at the file


def test_ministry_admin_page_lists_users_and_audit():
    at = signed_in("boss")
    at.switch_page("views/admin.py").run()
    assert not at.exception
    users = at.dataframe[0].value
    assert {"gansu", "boss", "stage"} <= set(users["user"])
    audit = at.dataframe[1].value
    assert "login" in set(audit["action"])


def test_presenter_gets_no_row_downloads():
    at = signed_in("stage")
    at.switch_page("views/overview.py").run()
    assert not at.exception
    assert not [b for b in at.get("download_button")]
    assert any("不提供明细数据下载" in c.value for c in at.caption)


@pytest.mark.parametrize("tampered", ["650000", "660000", "110000", "abc"])
def test_province_official_tampering_with_the_url(db, tampered):
    at = signed_in("gansu")
    at.query_params["province"] = tampered
    at.switch_page("views/overview.py").run()
    assert not at.exception
    assert any("无权" in w.value for w in at.warning)
    assert metric(at, "托管项目") == str(db[1]["gansu_projects"])
    assert metric(at, "省份/兵团") == "1"


def test_the_sign_in_is_checked_once_per_run_and_again_at_the_next(db, monkeypatch):
    """The token and the account row are read once per script run, however many parts of the
    page ask who is looking (app, page preamble, each of the exchanges page's download
    buttons: on PostgreSQL two round trips each); the next run reads them again, so an
    account disabled between two clicks is refused at the second."""
    at = signed_in("gansu")
    assert not at.exception
    calls: list[str] = []
    real_status, real_user = Store.session_status, Store.user

    def status(self, *a, **k):
        calls.append("status")
        return real_status(self, *a, **k)

    def user(self, *a, **k):
        calls.append("user")
        return real_user(self, *a, **k)

    monkeypatch.setattr(Store, "session_status", status)
    monkeypatch.setattr(Store, "user", user)
    at.switch_page("views/exchanges.py").run()
    assert not at.exception
    assert any("gansu" in c.value for c in at.caption)  # signed in: the account line
    buttons = [b for b in at.get("download_button")]
    assert len(buttons) >= 4  # the page asks for the viewer at every pair of them
    assert calls.count("status") == 1 and calls.count("user") == 1, calls
    at.run()
    assert calls.count("status") == 2 and calls.count("user") == 2, calls

    s = Store(db[0])
    try:
        auth.set_disabled(s, "gansu", True, actor="boss")
    finally:
        s.close()
    at.run()
    # the next run read the account again: the tab's sign-in is over
    assert calls.count("status") == 3, calls
    assert "auth" not in at.session_state
    assert not [c for c in at.caption if "gansu" in c.value]
    s = Store(db[0])
    try:
        auth.set_disabled(s, "gansu", False, actor="boss")
    finally:
        s.close()
