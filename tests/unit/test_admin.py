"""The user-admin page (用户管理): selecting a user loads what it has now, an untouched save
writes nothing, a change of role or scope is shown before → after and written only once
confirmed, and every table reads in words (issue 13).

First the page's logic without Streamlit (``dashboard_lib.admin``), then the page itself
(AppTest, signed in as a ministry user), with the users table and the audit log compared in
the database before and after."""

from __future__ import annotations

import json
import shutil
from datetime import datetime

import pandas as pd
import pytest
from conftest import AS_OF, ROOT
from streamlit.testing.v1 import AppTest

from dashboard_lib import admin, auth, build
from dashboard_lib.scope import Viewer
from dashboard_lib.store import Store

PW = "correct-horse-42"
QINGHAI = 630000
NAMES = admin.ScopeOptions(
    provinces={620000: "甘肃省", 630000: "青海省"}, universities={1: "北京大学", 2: "南开大学"}
)
NAMES_EN = admin.ScopeOptions(
    provinces={620000: "Gansu", 630000: "Qinghai"},
    universities={1: "Peking University", 2: "Nankai University"},
)
REPRS = ("np.", "Timestamp", "NaT", "{'", "None", "array(")


def form(role="province", province=QINGHAI, unis=(), **kw) -> admin.AccountForm:
    return admin.AccountForm(
        user_name="qinghai",
        scope=admin.Scope.of(role, province, unis),
        disabled=kw.get("disabled", False),
        locked_until=kw.get("locked_until"),
        last_login=kw.get("last_login"),
    )


# ---------------------------------------------------------------------- the logic, pure
def test_a_scope_keeps_only_what_its_role_uses():
    assert admin.Scope.of("ministry", QINGHAI, [1]) == admin.Scope("ministry")
    assert admin.Scope.of("province", QINGHAI, [1]) == admin.Scope("province", QINGHAI)
    assert admin.Scope.of("university", QINGHAI, [2, 1]) == admin.Scope("university", None, (1, 2))


def test_the_form_state_of_an_account_row():
    row = {
        "user_name": "qinghai",
        "role": "province",
        "province_adcode": QINGHAI,
        "university_ids": None,
        "disabled": False,
        "locked_until": None,
        "last_login": pd.Timestamp("2026-12-01 14:03:27"),
        "updated_at": pd.Timestamp("2026-12-01 14:00:00"),
    }
    f = admin.account_form(row)
    assert f.scope == admin.Scope("province", QINGHAI) and not f.disabled
    state = f.state(NAMES, "zh", now=datetime(2026, 12, 1, 15))
    assert state == "角色：省级；省份：青海省；状态：正常；最近登录：2026-12-01 14:03"
    locked = admin.account_form({**row, "locked_until": datetime(2026, 12, 1, 16, 5)})
    assert "已锁定 锁定至 2026-12-01 16:05" in locked.state(NAMES, "zh", datetime(2026, 12, 1, 15))
    assert "已停用" in admin.account_form({**row, "disabled": True}).state(NAMES)


def test_an_untouched_form_changes_nothing():
    d = admin.scope_diff(form(), "province", QINGHAI, [], NAMES)
    assert not d.changed and d.changes == () and d.text == ""
    # choices the role does not use are not a change either (they are not saved)
    assert not admin.scope_diff(form(), "province", QINGHAI, [1, 2], NAMES).changed
    uni = form("university", None, (1, 2))
    assert not admin.scope_diff(uni, "university", QINGHAI, [2, 1], NAMES).changed


def test_a_change_reads_before_and_after():
    d = admin.scope_diff(form(), "ministry", QINGHAI, [], NAMES)
    assert d.changed and d.before == admin.Scope("province", QINGHAI)
    assert d.after == admin.Scope("ministry")
    assert d.text == "角色：省级 → 教育部；省份：青海省 → 全国"
    en = admin.scope_diff(form(), "ministry", None, [], NAMES_EN, "en")
    assert en.text == "Role: Province → Ministry; Province: Qinghai → Nationwide"
    moved = admin.scope_diff(form(), "province", 620000, [], NAMES)
    assert moved.text == "省份：青海省 → 甘肃省"
    to_uni = admin.scope_diff(form(), "university", None, [1], NAMES)
    assert [c.field for c in to_uni.changes] == ["角色", "省份", "高校"]
    assert to_uni.changes[2] == admin.Change("高校", "—", "北京大学")


def test_dates_read_to_the_minute_and_nothing_is_empty():
    assert admin.when(pd.Timestamp("2026-12-01 14:03:59")) == "2026-12-01 14:03"
    assert admin.when(datetime(2026, 12, 1, 14, 3)) == "2026-12-01 14:03"
    assert admin.when(pd.NaT) == "" and admin.when(None) == "" and admin.when(float("nan")) == ""


def users_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "user_name": ["boss", "lzu", "qinghai"],
            "display_name": [None, "兰大", None],
            "role": ["ministry", "university", "province"],
            "province_adcode": [None, None, QINGHAI],
            "university_ids": [None, [2, 1], None],
            "oidc_subject": [None, None, "qh@example.org"],
            "disabled": [False, True, False],
            "failed_count": [0, 0, 0],
            "locked_until": [pd.NaT, pd.NaT, pd.Timestamp("2026-12-01 16:05")],
            "created_at": [pd.Timestamp("2026-11-01")] * 3,
            "updated_at": [pd.Timestamp("2026-11-01")] * 3,
            "last_login": [pd.Timestamp("2026-12-01 14:03:11"), pd.NaT, pd.NaT],
        }
    )


def test_the_users_table_in_words_and_in_the_pages_language():
    zh = admin.users_view(users_frame(), NAMES, "zh", now=datetime(2026, 12, 1, 15))
    assert set(zh.headers.values()) >= {"用户名", "角色", "范围", "状态", "锁定至", "最近登录"}
    assert not any(h.isascii() for h in zh.headers.values())
    rows = zh.frame.set_index("user")
    assert rows.loc["boss", "scope"] == "全国" and rows.loc["boss", "role"] == "教育部"
    assert (
        rows.loc["lzu", "scope"] == "北京大学、南开大学" and rows.loc["lzu", "status"] == "已停用"
    )
    assert rows.loc["qinghai", "status"] == "已锁定"
    assert rows.loc["qinghai", "locked_until"] == "2026-12-01 16:05"
    assert rows.loc["boss", "last_login"] == "2026-12-01 14:03"
    assert rows.loc["lzu", "last_login"] == "" and rows.loc["boss", "locked_until"] == ""
    en = admin.users_view(users_frame(), NAMES_EN, "en", now=datetime(2026, 12, 1, 15))
    assert en.headers["user"] == "User name" and en.headers["locked_until"] == "Locked until"
    assert en.frame.set_index("user").loc["boss", "scope"] == "Nationwide"
    empty = admin.users_view(users_frame().iloc[:0], NAMES, "zh")
    assert empty.frame.empty and empty.empty == "暂无用户。"


LEGACY = [  # (action, detail as older code wrote it, the words it reads as)
    (
        "user_rescoped",
        "qinghai {'province_adcode': np.int32(630000), 'role': 'province', 'university_ids': None}",
        "qinghai：角色：省级；省份：青海省",
    ),
    (
        "user_disabled",
        "lzu {'disabled': True} sessions_ended=2",
        "lzu：状态：已停用；结束的登录会话：2",
    ),
    (
        "user_created",
        "lzu role=university province=None universities=[1, 2]",
        "lzu：角色：高校；高校：北京大学、南开大学",
    ),
    (
        "correct_activity",
        "activity_id=12 before={'hours': np.int32(6), 'end_date': NaT, "
        "'start_date': Timestamp('2023-03-01 00:00:00')} "
        "after={'hours': 8, 'end_date': '2023-06-30', 'start_date': '2023-03-02'}",
        "活动记录：12；学时：6 → 8；结束日期：— → 2023-06-30；开始日期：2023-03-01 → 2023-03-02",
    ),
    ("locked", "until 2026-12-01 14:03", "锁定至 2026-12-01 14:03"),
    ("login_failed", "unknown user unknown user", "未知用户名"),
    ("login_refused", "disabled, wrong password", "账户已停用，且密码错误"),
    ("login", "", ""),
]


@pytest.mark.parametrize("action,detail,words", LEGACY)
def test_older_audit_rows_read_in_words(action, detail, words):
    assert admin.detail_text(action, detail, NAMES, "zh") == words
    en = admin.detail_text(action, detail, NAMES_EN, "en")
    assert not any(r in en for r in REPRS), en


def test_the_audit_table_names_actions_and_keeps_their_codes():
    log = pd.DataFrame(
        {
            "logged_at": [pd.Timestamp("2026-12-01 14:03:27")],
            "user_name": ["boss"],
            "action": ["user_rescoped"],
            "detail": [
                '{"before": {"province_adcode": 630000, "role": "province", "university_ids": '
                'null}, "changes": {"province_adcode": null, "role": "ministry", '
                '"university_ids": null}, "user": "qinghai"}'
            ],
        }
    )
    table = admin.audit_view(log, NAMES, "zh")
    row = table.frame.iloc[0]
    assert row["action"] == "user_rescoped" and row["action_label"] == "修改角色与范围"
    assert row["detail"] == "qinghai：角色：省级 → 教育部；省份：青海省 → 全国"
    assert row["logged_at"] == "2026-12-01 14:03"
    assert "action" not in table.shown and table.headers["action_label"] == "操作"
    assert admin.audit_view(log, NAMES_EN, "en").frame.iloc[0]["action_label"] == (
        "Role and scope changed"
    )


def test_the_store_writes_a_change_as_readable_json(tmp_path):
    path = tmp_path / "a.duckdb"
    build.build_database(path, build.spec_for(115, None, 2022, AS_OF), progress=lambda _m: None)
    s = Store(path)
    try:
        auth.create_user(s, "qinghai", "province", PW, province_adcode=QINGHAI, actor="boss")
        before = len(s.audit_log())
        assert auth.set_scope(s, "qinghai", "province", QINGHAI, None, "boss") is False
        assert len(s.audit_log()) == before  # no change, no write, no audit row
        assert auth.set_scope(s, "qinghai", "ministry", None, None, "boss") is True
        names = admin.scope_options(s, Viewer.ministry(), "zh")
        log = admin.audit_view(s.audit_log(), names, "zh").frame
        assert log.iloc[0]["detail"] == "qinghai：角色：省级 → 教育部；省份：青海省 → 全国"
        assert log.iloc[1]["detail"] == "qinghai：角色：省级；省份：青海省"
        auth.set_disabled(s, "qinghai", True, "boss")
        log = admin.audit_view(s.audit_log(), names, "zh").frame
        assert log.iloc[0]["detail"] == "qinghai：状态：已停用；结束的登录会话：0"
    finally:
        s.close()


# ---------------------------------------------------------------------- the page (AppTest)
@pytest.fixture(scope="module")
def built(tmp_path_factory):
    path = tmp_path_factory.mktemp("admin") / "built.duckdb"
    build.build_database(path, build.spec_for(115, None, 2022, AS_OF), progress=lambda _m: None)
    s = Store(path)
    auth.create_user(s, "boss", "ministry", PW)
    auth.create_user(s, "gansu", "province", PW, province_adcode=620000)
    auth.create_user(s, "qinghai", "province", PW, province_adcode=QINGHAI)
    s.close()
    return path


@pytest.fixture
def db(built, tmp_path, monkeypatch):
    path = tmp_path / "admin.duckdb"
    shutil.copy(built, path)
    monkeypatch.setenv("XZ_DB_PATH", str(path))
    return path


def admin_page(lang: str | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    if lang:
        at.query_params["lang"] = lang
    at.run()
    at.switch_page("views/login.py").run()
    at.text_input[0].input("boss")
    at.text_input[1].input(PW)
    at.button[0].click().run()
    at.switch_page("views/admin.py").run()
    assert not at.exception
    return at


def snapshot(path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The users table and the audit log as the database holds them."""
    s = Store(path)  # the same database instance as the page's, in this process
    try:
        users = s._df("SELECT * FROM app_user ORDER BY user_name")
        log = s._df("SELECT * FROM audit_log ORDER BY logged_at, action, detail")
    finally:
        s.close()
    return users, log


def pick(at: AppTest, user: str) -> AppTest:
    at.selectbox(key="change_user").select(user).run()
    assert not at.exception
    return at


def texts(elements) -> list[str]:
    return [e.value for e in elements]


def test_selecting_a_user_loads_its_role_and_scope(db):
    at = pick(admin_page(), "qinghai")
    assert at.selectbox(key="change_role").value == "province"
    assert at.selectbox(key="change_prov").value == QINGHAI
    assert at.multiselect(key="change_unis").value == []
    current = [c for c in texts(at.caption) if c.startswith("qinghai")]
    assert current and "省级" in current[0] and "青海省" in current[0] and "正常" in current[0]
    at = pick(at, "boss")  # another account: the form follows it
    assert at.selectbox(key="change_role").value == "ministry"
    assert at.selectbox(key="change_prov").value is None


def test_an_untouched_save_changes_nothing(db):
    at = pick(admin_page(), "qinghai")
    before = snapshot(db)
    at.button(key="rescope_btn").click().run()
    assert not at.exception
    assert "未做任何改动。" in texts(at.info)
    assert not at.warning and not at.success
    after = snapshot(db)
    pd.testing.assert_frame_equal(before[0], after[0])
    pd.testing.assert_frame_equal(before[1], after[1])


def test_a_change_of_role_waits_for_its_confirmation(db):
    at = pick(admin_page(), "qinghai")
    before = snapshot(db)
    at.selectbox(key="change_role").select("ministry").run()
    at.button(key="rescope_btn").click().run()
    assert not at.exception
    shown = " ".join(texts(at.warning))
    assert "角色：省级 → 教育部" in shown and "省份：青海省 → 全国" in shown
    assert at.button(key="rescope_confirm").label == "确认修改"
    pd.testing.assert_frame_equal(before[0], snapshot(db)[0])  # nothing written yet
    pd.testing.assert_frame_equal(before[1], snapshot(db)[1])
    at.run()  # another run (any other click) does not write either
    pd.testing.assert_frame_equal(before[0], snapshot(db)[0])
    at.button(key="rescope_confirm").click().run()
    assert not at.exception
    users, log = snapshot(db)
    row = users.set_index("user_name").loc["qinghai"]
    assert row["role"] == "ministry" and pd.isna(row["province_adcode"])
    assert len(log) == len(before[1]) + 1 and log.iloc[-1]["action"] == "user_rescoped"
    assert any("已保存" in s and "青海省 → 全国" in s for s in texts(at.success))
    audit = at.dataframe[1].value
    detail = audit.loc[audit["action"] == "user_rescoped", "detail"].iloc[0]
    assert detail == "qinghai：角色：省级 → 教育部；省份：青海省 → 全国"
    assert at.selectbox(key="change_role").value == "ministry"  # the form shows what it has now
    assert at.dataframe[0].value.set_index("user").loc["qinghai", "role"] == "教育部"


def test_cancelling_or_changing_the_form_again_writes_nothing(db):
    at = pick(admin_page(), "qinghai")
    before = snapshot(db)
    at.selectbox(key="change_prov").select(620000).run()
    at.button(key="rescope_btn").click().run()
    assert "省份：青海省 → 甘肃省" in " ".join(texts(at.warning))
    at.button(key="rescope_cancel").click().run()
    assert "已取消，未做任何改动。" in texts(at.info)
    assert not at.get("button") or not [b for b in at.button if b.key == "rescope_confirm"]
    at.button(key="rescope_btn").click().run()  # asked again: the form still says 甘肃
    at.selectbox(key="change_role").select("ministry").run()  # and moved on: ask anew
    assert not [b for b in at.button if b.key == "rescope_confirm"]
    pd.testing.assert_frame_equal(before[0], snapshot(db)[0])
    pd.testing.assert_frame_equal(before[1], snapshot(db)[1])


def test_a_change_made_meanwhile_elsewhere_is_not_overwritten(db):
    at = pick(admin_page(), "qinghai")
    at.selectbox(key="change_role").select("ministry").run()
    at.button(key="rescope_btn").click().run()
    assert [b for b in at.button if b.key == "rescope_confirm"]
    s = Store(db)  # another administrator (the command line) moves the official to 甘肃
    try:
        auth.set_scope(s, "qinghai", "province", 620000, None, "cli:root")
    finally:
        s.close()
    at.button(key="rescope_confirm").click().run()
    assert not at.exception
    assert any("已被修改" in w for w in texts(at.warning))
    users, _ = snapshot(db)
    row = users.set_index("user_name").loc["qinghai"]
    assert row["role"] == "province" and row["province_adcode"] == 620000  # not overwritten
    assert at.selectbox(key="change_prov").value == 620000  # the form shows it now


def test_a_new_user_is_in_the_table_in_the_same_run(db):
    at = admin_page()
    at.text_input(key="add_name").input("xining")
    at.selectbox(key="add_role").select("province")
    at.selectbox(key="add_prov").select(QINGHAI)
    at.text_input(key="add_pw").input("Plateau-lake-2026")
    at.button[[b.label for b in at.button].index("创建")].click().run()
    assert not at.exception
    assert "已创建用户 xining。" in texts(at.success)
    users = at.dataframe[0].value.set_index("user")
    assert users.loc["xining", "role"] == "省级" and users.loc["xining", "scope"] == "青海省"
    assert "xining" in at.selectbox(key="change_user").options
    assert at.text_input(key="add_name").value == ""  # the form is ready for the next one


def test_disable_and_enable_show_at_once(db):
    at = pick(admin_page(), "gansu")
    at.button(key="disable_btn").click().run()
    assert "已保存。" in texts(at.success)
    assert at.dataframe[0].value.set_index("user").loc["gansu", "status"] == "已停用"
    at.button(key="enable_btn").click().run()
    assert at.dataframe[0].value.set_index("user").loc["gansu", "status"] == "正常"
    audit = at.dataframe[1].value
    assert "gansu：状态：已停用；结束的登录会话：0" in set(audit["detail"])


def test_the_page_reads_chinese_then_english(db):
    at = admin_page()
    for table in at.dataframe:
        config = json.loads(table.proto.columns)
        headers = [config[c]["label"] for c in table.proto.column_order]
        assert headers and not any(h.isascii() for h in headers), headers
    assert "action" not in at.dataframe[1].proto.column_order  # the raw code is not drawn
    audit = at.dataframe[1].value
    assert "登录" in set(audit["action_label"])
    assert not any(r in d for d in audit["detail"] for r in REPRS)
    placeholders = [s.proto.placeholder for s in at.selectbox] + [
        m.proto.placeholder for m in at.multiselect
    ]
    assert placeholders and all(p and not p.isascii() for p in placeholders)
    en = admin_page("en")
    assert "Signed in" in set(en.dataframe[1].value["action_label"])
    assert all(s.proto.placeholder.isascii() for s in en.selectbox)
    for table in en.dataframe:
        config = json.loads(table.proto.columns)
        assert all(config[c]["label"].isascii() for c in table.proto.column_order)
