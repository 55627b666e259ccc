"""The user-admin page (用户管理) in headless Chromium, at 1366×768 and 1920×1080 (issue 13):
a ministry user selects a 青海 province official and sees 省级 + 青海省 loaded; an untouched
save says 未做任何改动 and writes nothing; a change to 教育部 shows before → after and is
written only after 确认修改; a new user is in the table at once. No English on the Chinese
page but for user names. Screenshots: artifacts/browser/admin-*.png."""

from __future__ import annotations

import re
import shutil

import pytest
from conftest import AS_OF
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect
from test_browser import SHOTS

from dashboard_lib import auth, build
from dashboard_lib.store import Store
from devkit.browser import settle, start_server, stop_server, watched_page

PW = "correct-horse-42"
USERS = ("boss", "qinghai", "xining")
# the English a Chinese page may show: user names, and the file type of a download button
ALLOWED_LATIN = set(USERS) | {"CSV"}
VIEWPORTS = [(1366, 768), (1920, 1080)]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    db = tmp_path_factory.mktemp("browser-admin") / "built.duckdb"
    build.build_database(db, build.spec_for(115, None, 2022, AS_OF), progress=lambda _m: None)
    s = Store(db)
    auth.create_user(s, "boss", "ministry", PW)
    auth.create_user(s, "qinghai", "province", PW, province_adcode=630000)
    s.checkpoint()
    s.close()
    return db


@pytest.fixture
def server(built, tmp_path):
    """A server on a fresh copy of the database for each journey (each changes an account)."""
    db = tmp_path / "dashboard.duckdb"
    shutil.copy(built, db)
    proc, log, url = start_server(db, tmp_path / "streamlit.log")
    yield url, db, lambda: stop_server(proc, log)
    stop_server(proc, log)  # again, harmless, when the test stopped it already


def written(db) -> tuple[dict, list[str]]:
    """The accounts' roles and the audit actions of the account changes, read once the server
    has stopped (it holds the file's lock while it runs)."""
    s = Store(db, read_only=True)
    try:
        users = s._df("SELECT user_name, role, province_adcode FROM app_user")
        log = s._df("SELECT action, detail FROM audit_log WHERE action LIKE 'user_%' ORDER BY 1")
    finally:
        s.close()
    return users.set_index("user_name")["role"].to_dict(), log["action"].tolist()


def expander(pg, title: str):
    return pg.locator('[data-testid="stExpander"]').filter(has_text=title)


def choose(pg, box, option: str) -> None:
    """Open a selectbox and click one of its options, once the page is still (a list opened
    while a run redraws the page may vanish under the click: then again)."""
    for attempt in range(3):
        settle(pg)
        try:
            box.click(timeout=10_000)
            pg.get_by_role("option", name=option, exact=True).click(timeout=5_000)
            return
        except PlaywrightTimeout:
            if attempt == 2:
                raise
            pg.keyboard.press("Escape")


def grid_text(grid) -> str:
    """A table's headers and cells: the grid draws on a canvas and keeps them in a table for
    screen readers."""
    return grid.locator("table").inner_text()


# the text a person sees: text nodes with a box on the page, not an icon's ligature name
# (keyboard_arrow_down), not the screen reader's live region ("2 options available.") nor the
# skip link Streamlit keeps off-screen until it is focused
VISIBLE_TEXT = """() => {
  const out = [];
  const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walk.nextNode(); n; n = walk.nextNode()) {
    const el = n.parentElement;
    if (!el || !n.textContent.trim()) continue;
    if (el.closest('[data-testid="stIconMaterial"], script, style, noscript')) continue;
    const css = getComputedStyle(el);
    if (css.visibility === "hidden" || css.display === "none" || +css.opacity === 0) continue;
    if (/material/i.test(css.fontFamily)) continue;
    const r = el.getBoundingClientRect();
    if (r.width <= 1 || r.height <= 1 || r.right <= 0 || r.bottom <= 0) continue;
    out.push(n.textContent.trim());
  }
  return out.join("\\n");
}"""


def visible_text(pg) -> str:
    return pg.evaluate(VISIBLE_TEXT)


def latin_words(text: str) -> set[str]:
    return set(re.findall(r"[A-Za-z][A-Za-z_.-]+", text)) - ALLOWED_LATIN


def shown(box) -> str:
    """What a selectbox shows: its input's value, or its text."""
    field = box.locator("input")
    return (field.input_value() if field.count() else "") + " " + box.inner_text()


@pytest.mark.parametrize("width,height", VIEWPORTS, ids=[f"{w}x{h}" for w, h in VIEWPORTS])
def test_the_admin_journey(server, browser, width, height):
    url, db, stop = server
    ctx, pg = watched_page(browser, width, height)
    shot = f"admin-{width}x{height}"
    try:
        pg.goto(url + "/")
        pg.get_by_role("link", name="登录").click()
        pg.get_by_label("用户名").fill("boss")
        pg.get_by_label("密码").fill(PW)
        pg.get_by_role("button", name="登录").click()
        pg.get_by_text("当前用户：boss").wait_for(timeout=60_000)
        pg.get_by_role("link", name="用户管理").click()
        pg.get_by_role("heading", name="用户管理与审计日志").wait_for(timeout=30_000)
        pg.locator('[data-testid="stDataFrame"]').nth(1).wait_for(timeout=30_000)
        SHOTS.mkdir(parents=True, exist_ok=True)
        pg.screenshot(path=str(SHOTS / f"{shot}-page.png"), full_page=True)

        # select the 青海 official: the form shows what the account has now
        change = expander(pg, "修改用户")
        change.get_by_text("修改用户").click()
        who = change.locator('[data-testid="stSelectbox"]').filter(has_text="选择用户")
        choose(pg, who, "qinghai")
        role = change.locator('[data-testid="stSelectbox"]').filter(has_text="角色")
        province = change.locator('[data-testid="stSelectbox"]').filter(has_text="省份")
        change.get_by_text("qinghai 的当前设置").wait_for(timeout=30_000)
        assert "省级" in shown(role) and "青海省" in shown(province), (shown(role), shown(province))

        # an untouched save writes nothing, and says so (the file is read at the end)
        change.get_by_role("button", name="更新角色与范围").click()
        pg.get_by_text("未做任何改动。").wait_for(timeout=30_000)

        # a change to 教育部: before → after, nothing written until confirmed
        choose(pg, role, "教育部")
        change.get_by_role("button", name="更新角色与范围").click()
        confirm = change.get_by_role("button", name="确认修改")
        confirm.wait_for(timeout=30_000)
        warning = change.locator('[data-testid="stAlert"]').filter(has_text="请核对后确认")
        said = warning.inner_text()
        assert "角色：省级 → 教育部" in said and "省份：青海省 → 全国" in said, said
        confirm.scroll_into_view_if_needed()
        pg.screenshot(path=str(SHOTS / f"{shot}-confirm.png"))
        text = visible_text(pg)
        assert not latin_words(text), latin_words(text)
        confirm.click()
        pg.get_by_text("已保存：qinghai：角色：省级 → 教育部；省份：青海省 → 全国").wait_for(
            timeout=30_000
        )

        # a new user, in the table at once
        add = expander(pg, "新增用户")
        add.get_by_text("新增用户").click()
        add.get_by_label("用户名", exact=True).fill("xining")
        choose(pg, add.locator('[data-testid="stSelectbox"]').filter(has_text="角色"), "省级")
        choose(pg, add.locator('[data-testid="stSelectbox"]').filter(has_text="省份"), "青海省")
        add.get_by_label("初始密码").fill("Plateau-lake-2026")
        add.get_by_role("button", name="创建").click()
        pg.get_by_text("已创建用户 xining。").wait_for(timeout=30_000)
        assert add.get_by_label("用户名", exact=True).input_value() == ""  # ready for the next
        assert add.get_by_label("初始密码").input_value() == ""
        users = pg.locator('[data-testid="stDataFrame"]').first
        expect(users.locator("table")).to_contain_text("xining", timeout=30_000)
        cells = grid_text(users)
        assert "xining" in cells and "省级" in cells and "青海省" in cells, cells
        assert not latin_words(cells), latin_words(cells)
        users.scroll_into_view_if_needed()
        pg.wait_for_timeout(500)  # the grids redraw
        pg.screenshot(path=str(SHOTS / f"{shot}-done.png"))
        audit = pg.locator('[data-testid="stDataFrame"]').nth(1)
        expect(audit.locator("table")).to_contain_text("创建用户", timeout=30_000)
        cells = grid_text(audit)
        assert "qinghai：角色：省级 → 教育部；省份：青海省 → 全国" in cells, cells
        assert "修改角色与范围" in cells and "创建用户" in cells
        assert not latin_words(cells), latin_words(cells)
        audit.scroll_into_view_if_needed()
        pg.wait_for_timeout(300)
        pg.screenshot(path=str(SHOTS / f"{shot}-audit.png"))
        text = visible_text(pg)
        assert not latin_words(text), latin_words(text)
        assert "Choose an option" not in text and "NaT" not in text
        assert pg.outside == [], pg.outside
    finally:
        ctx.close()
    stop()
    roles, actions = written(db)
    assert roles == {"boss": "ministry", "qinghai": "ministry", "xining": "province"}
    # the untouched save and the unconfirmed change wrote nothing: one change, once confirmed
    # (boss and qinghai were created before the server started, xining on the page)
    assert actions == ["user_created"] * 3 + ["user_rescoped"], actions
