"""One language throughout, no traceback, no English "Page not found" (issue 13, "Everyone").

For each role (ministry, province official, university coordinator, presenter) every page of its
menu is opened in headless Chromium at 1366×768 and 1920×1080 in Chinese (and at 1366×768 in
English), with one multiselect and one selectbox dropdown open where the page has them; the
visible text (text nodes outside icons, placeholders, the open list's labels) may hold no English
word in the Chinese interface but for proper names and units (``ZH_ALLOWED``), and no Chinese in
the English one but for the language switch and Chinese proper names (``EN_PROPER``).
Never "Traceback", "Ask Google", "Error". Plus: a sign-in that has timed out, then /admin; and a
page whose logic raises (a test-only app script that patches it), which shows one sentence with
an error id whose traceback is in the server log. Screenshots: artifacts/chrome/.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from conftest import ARTIFACTS, AS_OF, ROOT

from dashboard_lib import auth, navigation
from dashboard_lib.i18n import t
from dashboard_lib.scope import Viewer
from dashboard_lib.store import Store
from devkit.browser import build_demo, start_server, stop_server, watched_page

SHOTS = ARTIFACTS / "chrome"
PW = "chrome-password-2026"
SIZES = [(1366, 768), (1920, 1080)]
# English a Chinese page may show: file formats, units, encodings, the language switch and the
# names of the boundary data's source
ZH_ALLOWED = {
    "csv",
    "xlsx",
    "xlsm",
    "xls",
    "pptx",
    "pdf",
    "png",
    "id",
    "mb",
    "utf",
    "gbk",
    "excel",
    "language",
    "english",
    "cnmaps",
    "data",
    "gcj",
    "amap",
    "wgs",
    "enter",
    "ctrl",
    "jenks",  # 自然断点（Jenks）: the method's name
    "pypi",
    "mit",
    "zip",
    "esc",  # a key's name (the presenter's key help)
    "python",  # the about page's build command
    "leader",  # the test accounts' user names, shown as who is signed in
    "gansu",
    "lzu",
    "show",
}
# Chinese an English page may show: the language switch and the programme's notice number
EN_PROPER = ("语言 / Language", "Language / 语言", "中文", "教基厅函〔2022〕13号")
WORD = re.compile(r"[A-Za-z]{2,}")
# a link, a domain, a file or code name (gov.cn, scripts/build_geo.py, shapely.coverage_simplify)
CODE = re.compile(r"\S*[A-Za-z0-9][._/%?=][A-Za-z0-9]\S*")
CJK = re.compile(r"[\u3400-\u9fff\uff00-\uffef\u3000-\u303f]+")

VISIBLE_TEXT = """() => {
  const out = [];
  const skip = (el) => !el || el.closest('script, style, noscript')
      || getComputedStyle(el).fontFamily.includes('Material')  // an icon's ligature name
      || !el.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true });
  const w = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  let n;
  while ((n = w.nextNode())) { if (n.data.trim() && !skip(n.parentElement)) out.push(n.data.trim()); }
  document.querySelectorAll('[placeholder]').forEach((e) => { if (!skip(e)) out.push(e.placeholder); });
  document.querySelectorAll('[role="listbox"] [aria-label], [role="listbox"][aria-label]')
      .forEach((e) => out.push(e.getAttribute('aria-label')));
  return out;
}"""


def _build(tmp: Path) -> Path:
    db = tmp / "dashboard.duckdb"
    build_demo(db, AS_OF)
    store = Store(db)
    unis = store.universities()
    lzu = int(unis.loc[unis["name_zh"] == "兰州大学", "university_id"].iloc[0])
    auth.create_user(store, "leader", "ministry", PW)
    auth.create_user(store, "gansu", "province", PW, province_adcode=620000)
    auth.create_user(store, "lzu", "university", PW, university_ids=[lzu])
    auth.create_user(store, "show", "presenter", PW)
    store.checkpoint()
    store.close()
    return db


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Path:
    return _build(tmp_path_factory.mktemp("chrome"))


@pytest.fixture
def own_db(tmp_path) -> Path:
    """A database of a test's own, for a server of its own: the module's server holds ``db``
    (DuckDB lets one process open a file for writing)."""
    return _build(tmp_path)


@pytest.fixture(scope="module")
def names(db) -> frozenset[str]:
    """The Chinese proper names the data has no English form of."""
    store = Store(db, read_only=True)
    try:
        frame = store.projects(Viewer.ministry())
        cols = [c for c in ("school_zh", "county_zh", "prefecture_zh") if c in frame]
        return frozenset(str(v) for c in cols for v in frame[c].dropna())
    finally:
        store.close()


@pytest.fixture(scope="module")
def server(db, names, tmp_path_factory):
    proc, log, url = start_server(db, tmp_path_factory.mktemp("chrome-log") / "streamlit.log")
    yield url
    stop_server(proc, log)


def settle(pg, timeout: float = 60) -> None:
    """Wait until the script run is over and the page has drawn its content."""
    pg.wait_for_load_state()
    pg.locator('[data-testid="stApp"][data-test-script-state="notRunning"]').wait_for(
        timeout=timeout * 1000
    )
    # a page's title, or the presenter's deck (a frame without a title above it)
    pg.locator('[data-testid="stMain"] h1, [data-testid="stMain"] iframe').first.wait_for(
        timeout=timeout * 1000
    )
    time.sleep(0.5)


def sign_in(pg, url: str, user: str) -> None:
    pg.goto(url + "/login")
    settle(pg)
    pg.get_by_label("用户名").fill(user)
    pg.get_by_label("密码").fill(PW)
    pg.get_by_role("button", name="登录").click()
    pg.get_by_text(f"当前用户：{user}").wait_for(timeout=30_000)


def shot(pg, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    pg.screenshot(path=str(SHOTS / name), full_page=False)


def open_dropdowns(pg) -> list[str]:
    """Open the first multiselect and the first selectbox of the main area (or else the
    sidebar's), read what each list shows, close it. The uploader is read with the page."""
    seen: list[str] = []
    for testid in ("stMultiSelect", "stSelectbox"):
        widget = pg.locator(f'[data-testid="stMain"] [data-testid="{testid}"]:visible')
        if widget.count() == 0:
            widget = pg.locator(f'[data-testid="{testid}"]:visible')
        if widget.count() == 0:
            continue
        listbox = pg.locator('[role="listbox"]')
        for target in (widget.first.locator('[role="combobox"]').first, widget.first):
            target.click()
            try:
                listbox.first.wait_for(timeout=5_000)
                break
            except Exception:  # not open yet: the input itself next
                continue
        time.sleep(0.4)
        seen += pg.evaluate(VISIBLE_TEXT)
        pg.keyboard.press("Escape")
        time.sleep(0.3)
    return seen


def problems(texts: list[str], lang: str, names: frozenset[str] = frozenset()) -> list[str]:
    """The texts that break the page's language; ``names``: proper names in Chinese that have no
    English form in the data (schools, counties, prefectures), allowed in the English page."""
    bad = []
    for text in texts:
        for word in ("Traceback", "Ask Google", "Ask ChatGPT", "Error"):
            if word in text:
                bad.append(text)
        if lang == "zh":
            if any(w.lower() not in ZH_ALLOWED for w in WORD.findall(CODE.sub(" ", text))):
                bad.append(text)
        else:
            rest = text
            for name in sorted(names, key=len, reverse=True) + list(EN_PROPER):
                rest = rest.replace(name, "")
            if CJK.search(rest):
                bad.append(text)
    return sorted(set(bad))


ROLES = {
    "leader": Viewer.ministry(),
    "gansu": Viewer.province(620000),
    "lzu": Viewer.university([1]),
    "show": Viewer.presenter(),
}


def _menu(user: str) -> list[navigation.PageSpec]:
    return [p for p in navigation.pages_for(ROLES[user]) if p is not navigation.LOGIN]


# every role in Chinese at 1366×768 (with the lists open), and the widest menu in English at
# 1920×1080. The texts read are the same at any size; what fits at each size is checked by
# the journeys and the map tests, so the other sizes are not scanned again (suite time).
CASES = [(user, "zh", 1366, 768) for user in ROLES] + [("leader", "en", 1920, 1080)]
# half of them run from test_browser_language.py, so that another test worker scans them (a
# file's tests run in one worker; this scan is the suite's longest)
HERE = [c for c in CASES if c[0] in ("leader", "lzu") and c[1] == "zh"]


@pytest.mark.parametrize(("user", "lang", "width", "height"), HERE)
def test_every_page_speaks_one_language(server, names, browser, user, lang, width, height):
    scan_menu(server, names, browser, user, lang, width, height)


def scan_menu(server, names, browser, user, lang, width, height) -> None:
    """Every page of the role's menu; in Chinese at 1366×768 with a multiselect's and a
    selectbox's list open too (the lists' own texts are Streamlit's, the same at any size)."""
    url = server
    found: dict[str, list[str]] = {}
    seen: set[str] = set()
    opened = False  # a multiselect's list read (its "Select all")
    context, pg = watched_page(browser, width, height)
    try:
        sign_in(pg, url, user)
        for i, spec in enumerate(_menu(user)):
            # every page by its own address, typed in: the default page too (Streamlit serves it
            # at the root; its own address met the not-found dialog before)
            pg.goto(f"{url}/{spec.url_path}" + ("?lang=en" if lang == "en" else ""))
            settle(pg)
            assert pg.get_by_role("dialog").count() == 0, f"/{spec.url_path}: a dialog"
            if i == 0:  # the default page's own address goes on to / and its menu entry is lit
                assert pg.url.split("?")[0] == url + "/", pg.url
                assert ("lang=en" in pg.url) == (lang == "en")
                lit = pg.locator('[data-testid="stSidebarNavLink"][aria-current="page"]')
                assert lit.count() == 1 and lit.inner_text().strip() == t(spec.title_key, lang)
            try:
                texts = pg.evaluate(VISIBLE_TEXT)
                if lang == "zh" and width == 1366 and not opened:
                    # Streamlit's own list texts are the same on every page: once per role
                    listed = open_dropdowns(pg)
                    opened = t("st_select_all", "zh") in listed
                    texts += listed
            except Exception:
                shot(pg, f"failed-{user}-{spec.url_path}-{lang}-{width}.png")
                raise
            if spec.url_path in ("import", "presenter") or i == 0:
                shot(pg, f"{user}-{spec.url_path}-{lang}-{width}.png")
            seen.update(texts)
            bad = problems(texts, lang, names)
            if bad:
                found[f"/{spec.url_path}"] = bad
            assert pg.locator('[data-testid="stException"]').count() == 0
        assert pg.outside == [], f"requests left localhost: {pg.outside}"
    finally:
        context.close()
    assert not found, found
    if lang == "zh" and width == 1366:
        # what was read includes an open multiselect's list, its "Select all" in Chinese
        assert t("st_select_all", "zh") in seen


def test_uploader_states_the_product_limit_once(server, browser):
    context, pg = watched_page(browser, 1366, 768)
    try:
        sign_in(pg, server, "gansu")
        pg.goto(server + "/import")
        settle(pg)
        uploader = pg.locator('[data-testid="stFileUploader"]')
        uploader.wait_for()
        text = uploader.inner_text()
        assert "上传文件" in text and "Upload" not in text and "per file" not in text
        body = pg.inner_text('[data-testid="stMain"]')
        assert body.count("20 MB") == 1, "the limit is said once, by the page"
        shot(pg, "uploader-zh.png")
    finally:
        context.close()


def test_timed_out_sign_in_then_admin_says_so_in_chinese(own_db, browser, tmp_path):
    # every signed-in run is "idle too long" with a zero-minute timeout: the sign-in ends at once
    proc, log, url = start_server(own_db, tmp_path / "s.log", {"XZ_SESSION_MINUTES": "0"})
    context, pg = watched_page(browser, 1366, 768)
    try:
        pg.goto(url + "/login")
        settle(pg)
        pg.get_by_label("用户名").fill("leader")
        pg.get_by_label("密码").fill(PW)
        pg.get_by_role("button", name="登录").click()
        # signed in, sent through the cookie route, and at once timed out: the open demo again
        pg.get_by_text(t("auth_demo_banner", "zh")).wait_for(timeout=30_000)
        pg.goto(url + "/admin")
        settle(pg)
        pg.get_by_text(t("chrome_session_ended", "zh")).wait_for(timeout=30_000)
        body = pg.inner_text("body")
        assert "Page not found" not in body and "未找到页面" not in body
        assert pg.get_by_role("link", name="登录").count() >= 1, "a way to sign in again"
        assert pg.locator('[data-testid="stDataFrame"]').count() == 0, "no data on the stand-in"
        assert "用户管理" not in pg.inner_text('[data-testid="stSidebarNav"]')
        shot(pg, "admin-after-timeout-zh.png")
        pg.goto(url + "/admin?lang=en")
        settle(pg)
        pg.get_by_text(t("chrome_session_ended", "en")).wait_for(timeout=30_000)
        assert not CJK.findall(pg.inner_text('[data-testid="stMain"]'))
    finally:
        context.close()
        stop_server(proc, log)


FAILING_APP = """
import runpy
from dashboard_lib import about

def _broken(*args, **kwargs):
    raise RuntimeError("secret-detail-7f3a")

about.provenance_table = _broken
runpy.run_path({app!r}, run_name="__main__")
"""


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_an_unexpected_error_is_one_sentence_with_its_id_in_the_log(
    own_db, browser, tmp_path, lang
):
    script = tmp_path / "failing_app.py"
    script.write_text(FAILING_APP.format(app=str(ROOT / "app.py")), encoding="utf-8")
    (tmp_path / "views").symlink_to(ROOT / "views")  # Streamlit finds pages beside the script
    log_path = tmp_path / "s.log"
    proc, log, url = start_server(own_db, log_path, script=str(script))
    context, pg = watched_page(browser, 1366, 768)
    try:
        pg.goto(url + "/about" + ("?lang=en" if lang == "en" else ""))
        settle(pg)
        alert = pg.locator('[data-testid="stAlert"]', has_text="ID" if lang == "en" else "错误编号")
        alert.first.wait_for(timeout=30_000)
        text = alert.first.inner_text()
        shot(pg, f"forced-error-{lang}.png")
        error_id = re.search(r"\b([0-9a-f]{8})\b", text)
        assert error_id, text
        assert t("chrome_error", lang, error_id=error_id[1]) in text
        body = pg.inner_text("body")
        for leak in ("secret-detail-7f3a", "Traceback", "RuntimeError", "Ask Google"):
            assert leak not in body
        assert pg.locator('[data-testid="stException"]').count() == 0
        assert pg.get_by_role("link", name=t("nav_overview", lang)).count() == 1, "menu still there"
        log.flush()
        logged = log_path.read_text(encoding="utf-8")
        at = logged.index(error_id[1])
        assert "Traceback" in logged[at:] and "secret-detail-7f3a" in logged[at:]
    finally:
        context.close()
        stop_server(proc, log)
