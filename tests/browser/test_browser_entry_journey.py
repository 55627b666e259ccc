"""The university coordinator's entry and correction in headless Chromium (issue 13), at
1366×768 and 1920×1080: a 兰州大学 coordinator saves the form untouched and is refused, the start
date named, nothing written; fills it (a training held online) and it is saved, its row in the
correction grid labelled 填报; corrects that row's start date and mode in the grid — headers in
Chinese, no database names (activity_id, school_zh, guidance_visit, on_site …) anywhere on the
page — and is told what changed. The database is read after the server stops.
Screenshots: artifacts/browser/entry-*.png."""

from __future__ import annotations

import re
import shutil
from datetime import date

import pytest
from conftest import AS_OF
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from test_browser import SHOTS

from dashboard_lib import auth, build
from dashboard_lib.store import Store
from devkit.browser import settle, start_server, stop_server, watched_page

PW = "lanzhou-entry-2026"
VIEWPORTS = [(1366, 768), (1920, 1080)]
RAW = re.compile(
    r"activity_id|school_zh|guidance_visit|on_site|online|imported|entered|training|"
    r"dispatch|\bNone\b|\bNaT\b|Choose an option"
)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    db = tmp_path_factory.mktemp("browser-entry") / "built.duckdb"
    build.build_database(db, build.spec_for(115, None, 2022, AS_OF), progress=lambda _m: None)
    s = Store(db)
    uid = int(s._scalar("SELECT university_id FROM university WHERE name_zh = '兰州大学'"))
    auth.create_user(s, "lzu", "university", PW, university_ids=[uid])
    project = s._df(
        "SELECT project_id, school_zh FROM project WHERE university_id = ? ORDER BY project_id",
        [uid],
    ).iloc[0]
    s.checkpoint()
    s.close()
    return db, int(project["project_id"]), str(project["school_zh"])


@pytest.fixture
def server(built, tmp_path):
    """A server on a fresh copy of the database for each journey (each writes a record)."""
    src, pid, school = built
    db = tmp_path / "dashboard.duckdb"
    shutil.copy(src, db)
    proc, log, url = start_server(db, tmp_path / "streamlit.log")
    yield url, db, pid, school, lambda: stop_server(proc, log)
    if proc.poll() is None:
        stop_server(proc, log)


def choose(pg, box, option: str) -> None:
    """Open a selectbox and click one of its options once the page is still."""
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


def selectbox(pg, label: str):
    return pg.locator('[data-testid="stSelectbox"]').filter(has_text=label)


def alerts(pg) -> str:
    return "\n".join(pg.locator('[data-testid="stAlert"]').all_inner_texts())


def written(db) -> tuple[list[dict], list[str]]:
    """The rows the entry page wrote and the audit actions, read once the server has stopped."""
    s = Store(db, read_only=True)
    try:
        rows = s._df(
            "SELECT activity_id, project_id, kind, start_date, participants, mode, provenance "
            "FROM activity WHERE import_batch_id IS NOT NULL ORDER BY activity_id"
        ).to_dict("records")
        actions = s._df("SELECT action FROM audit_log ORDER BY logged_at")["action"].tolist()
    finally:
        s.close()
    return rows, actions


def cell_edit(pg, grid, col: int, editor: str) -> None:
    """Open the editor of the first data row's column ``col`` (0-based) by keyboard: the grid
    draws on a canvas, so the first cell is clicked and the arrows lead to the column; again
    when the editor (``editor``, a CSS selector) did not open (the grid was still redrawing)."""
    for attempt in range(3):
        settle(pg)
        grid.scroll_into_view_if_needed()
        box = grid.bounding_box()
        pg.mouse.click(box["x"] + 20, box["y"] + 36 + 17)
        for _ in range(col):
            pg.keyboard.press("ArrowRight")
        pg.keyboard.press("Enter")
        try:
            pg.locator(editor).first.wait_for(timeout=5_000)
            return
        except PlaywrightTimeout:
            if attempt == 2:
                raise
            pg.keyboard.press("Escape")


@pytest.mark.parametrize("width,height", VIEWPORTS, ids=[f"{w}x{h}" for w, h in VIEWPORTS])
def test_the_coordinators_entry_journey(server, browser, width, height):
    url, db, pid, school, stop = server
    ctx, pg = watched_page(browser, width, height)
    shot = f"entry-{width}x{height}"
    SHOTS.mkdir(parents=True, exist_ok=True)
    try:
        pg.goto(url + "/")
        pg.get_by_role("link", name="登录").click()
        pg.get_by_label("用户名").fill("lzu")
        pg.get_by_label("密码").fill(PW)
        pg.get_by_role("button", name="登录").click()
        pg.get_by_text("当前用户：lzu").wait_for(timeout=60_000)
        pg.get_by_role("link", name="数据填报").click()
        pg.get_by_role("heading", name="新增记录").wait_for(timeout=30_000)
        settle(pg)

        # (1) the untouched form: refused, the start date named, nothing written
        pg.get_by_role("button", name="保存", exact=True).click()
        pg.get_by_text("未保存，数据库没有任何改动").wait_for(timeout=30_000)
        said = alerts(pg)
        assert "请填写“开始日期”" in said and "请选择“项目（帮扶县中）”" in said, said
        assert "已保存" not in said
        pg.screenshot(path=str(SHOTS / f"{shot}-refused.png"), full_page=True)

        # (2) filled in: a training held online, saved and labelled 填报
        choose(pg, selectbox(pg, "数据类型"), "培训教研")
        settle(pg)
        project = selectbox(pg, "项目（帮扶县中）")
        project.click()
        pg.get_by_role("option").filter(has_text=f"#{pid}").first.click()
        start = pg.locator('[data-testid="stDateInput"]').filter(has_text="开始日期")
        start.locator('[data-type="year"]').click()
        pg.keyboard.type("20240301")
        pg.get_by_label("参训人数（必填）").fill("30")
        choose(pg, selectbox(pg, "形式"), "线上")
        pg.get_by_role("button", name="保存", exact=True).click()
        pg.get_by_text("已保存：培训教研").wait_for(timeout=30_000)
        said = alerts(pg)
        assert school in said and "2024-03-01" in said and "“填报”" in said, said
        grid = pg.locator('[data-testid="stDataFrame"]').first
        grid.wait_for(timeout=30_000)
        cells = grid.locator("table").inner_text()
        for head in ("记录编号", "来源", "帮扶县中", "类型", "开始日期", "结束日期", "形式"):
            assert head in cells, (head, cells)
        assert "填报" in cells and "培训教研" in cells and "线上" in cells, cells
        assert not RAW.search(cells), RAW.search(cells)
        grid.scroll_into_view_if_needed()
        pg.wait_for_timeout(500)
        pg.screenshot(path=str(SHOTS / f"{shot}-saved.png"))

        # (3) the grid: the start date and the mode corrected
        heads = [h.inner_text() for h in grid.locator("table th").all()]
        cell_edit(pg, grid, heads.index("开始日期"), '[data-testid="date-picker-cell"]')
        pg.locator('[data-testid="date-picker-cell"]').fill("2024-03-05")
        pg.keyboard.press("Enter")
        pg.wait_for_timeout(300)
        # the grid is in a form: an edit does not rerun the page, so the next edit cannot meet
        # a redraw that drops it (it did on a loaded server, issue 13): each edit is made once
        # (the mode a second time only when the first did not take)
        for _attempt in range(2):
            cell_edit(pg, grid, heads.index("形式"), '[role="option"]')
            pg.get_by_role("option", name="现场", exact=True).click()
            # the choice shows in the grid once the editor has taken it; an Escape before that
            # (CI, 1920x1080) closed the editor without it, so wait for it, and once try again
            for _ in range(25):
                if "现场" in grid.locator("table").inner_text():
                    break
                pg.wait_for_timeout(200)
            pg.keyboard.press("Escape")
            if "现场" in grid.locator("table").inner_text():
                break
        text = grid.locator("table").inner_text()
        assert pg.locator('[data-testid="stStatusWidget"]').count() == 0, "an edit ran the page"
        assert "现场" in text and "2024-03-05" in text, text
        pg.get_by_role("button", name="保存更正").click()
        pg.get_by_text("已更正 1 条记录").wait_for(timeout=30_000)
        said = alerts(pg)
        assert "开始日期、形式" in said, said
        settle(pg)
        cells = grid.locator("table").inner_text()
        assert "2024-03-05" in cells and "现场" in cells and "线上" not in cells, cells
        grid.scroll_into_view_if_needed()
        pg.wait_for_timeout(500)
        pg.screenshot(path=str(SHOTS / f"{shot}-corrected.png"))

        text = pg.inner_text("body")
        assert not RAW.search(text), RAW.search(text)
        assert "线下" not in text and "Traceback" not in text
        assert pg.locator('[data-testid="stException"]').count() == 0
        assert pg.outside == [], pg.outside
    finally:
        ctx.close()
    stop()
    rows, actions = written(db)
    assert len(rows) == 1, rows  # the refused form wrote nothing
    [row] = rows
    assert (row["project_id"], row["kind"], row["participants"]) == (pid, "training", 30)
    assert (row["start_date"].date(), row["mode"], row["provenance"]) == (
        date(2024, 3, 5),
        "on_site",
        "entered",
    )
    assert actions.count("import") == 1 and actions.count("correct_activity") == 1, actions
