"""The province official's import journey in headless Chromium (issue 13), at 1366×768 and
1920×1080: a 甘肃 official downloads the XLSX template (a real browser download, named in
Chinese), uploads it unchanged, sees 0 rejected rows and commits, then undoes the batch through
the confirm step and sees the result message naming what was undone. The database is read after
the server has stopped. Screenshots go to artifacts/browser/.

As in test_ingest_browser.py, the server runs a small wrapper that sets the 甘肃 official and
then runs views/data_import.py unchanged.
"""

from __future__ import annotations

import time

import openpyxl
from conftest import ARTIFACTS, AS_OF, ROOT

from dashboard_lib.store import Store
from devkit.browser import build_demo, chromium, start_server, stop_server, watched_page

SHOTS = ARTIFACTS / "browser"
WRAPPER = """
import runpy
from dashboard_lib import ui
from dashboard_lib.scope import Viewer
ui.viewer = lambda: Viewer.province(620000, name="gansu-official")
runpy.run_path({page!r}, run_name="__main__")
"""
SIZES = ((1366, 768), (1920, 1080))


def test_gansu_official_template_import_and_undo(tmp_path):
    db = tmp_path / "dashboard.duckdb"
    build_demo(db, AS_OF)
    store = Store(db, read_only=True)
    before = store._df("SELECT * FROM project ORDER BY project_id")
    store.close()
    wrapper = tmp_path / "import_as_gansu.py"
    wrapper.write_text(WRAPPER.format(page=str(ROOT / "views" / "data_import.py")))
    proc, log, url = start_server(db, tmp_path / "streamlit.log", script=str(wrapper))
    SHOTS.mkdir(parents=True, exist_ok=True)
    outside: list[str] = []
    try:
        with chromium() as browser:
            for batch, (w, h) in enumerate(SIZES, start=1):
                context, page = watched_page(browser, w, h)
                page.goto(url + "/")
                page.get_by_text("您的导入范围").first.wait_for(timeout=120_000)
                with page.expect_download(timeout=60_000) as dl:
                    page.get_by_role("button", name="Excel 模板").click()
                download = dl.value
                assert download.suggested_filename == "导入模板_项目名单.xlsx"
                saved = tmp_path / f"{w}x{h}" / download.suggested_filename
                saved.parent.mkdir()
                download.save_as(saved)
                wb = openpyxl.load_workbook(saved)
                assert wb.sheetnames == ["项目名单", "说明", "选项"]
                example = [c.value for c in wb["项目名单"][2]]
                assert "甘肃" in example  # the viewer's own province, not 山西
                page.locator("input[type=file]").set_input_files(str(saved))
                page.get_by_text("共 1 行：可接受 1 行，拒绝 0 行。").wait_for(timeout=60_000)
                assert page.get_by_text("被拒绝的行").count() == 0
                page.screenshot(path=str(SHOTS / f"import_template_preview_{w}x{h}.png"))
                page.get_by_role("button", name="确认导入 1 行").click()
                page.get_by_text(f"已导入：批次 {batch}，1 行。").wait_for(timeout=60_000)
                # undo: the batch's contents are shown, the button waits for the confirmation
                page.get_by_text(f"批次 {batch} 于").first.wait_for(timeout=30_000)
                undo = page.get_by_role("button", name="撤销该批次")
                undo.scroll_into_view_if_needed()
                assert undo.is_disabled()
                page.get_by_text(f"我确认撤销批次 {batch}（1 行）").click()
                page.wait_for_function(
                    "() => [...document.querySelectorAll('button')].some("
                    "b => b.innerText.includes('撤销该批次') && !b.disabled)",
                    timeout=30_000,
                )
                undo.click()
                result = page.get_by_text(f"已撤销批次 {batch}（导入模板_项目名单.xlsx")
                try:
                    result.wait_for(timeout=60_000)
                except Exception:
                    page.screenshot(path=str(tmp_path / "undo_failed.png"), full_page=True)
                    raise
                assert "移除 1 个项目" in result.inner_text()
                time.sleep(1.0)
                result.scroll_into_view_if_needed()
                page.screenshot(path=str(SHOTS / f"import_template_undone_{w}x{h}.png"))
                page.screenshot(
                    path=str(SHOTS / f"import_template_undone_{w}x{h}_full.png"), full_page=True
                )
                # nothing spills sideways at this size
                assert page.evaluate("document.documentElement.scrollWidth") <= w
                outside += page.outside
                context.close()
        assert outside == [], f"requests left localhost: {outside}"
    finally:
        stop_server(proc, log)
    store = Store(db, read_only=True)
    try:
        batches = store._df(
            "SELECT import_batch_id, rows_accepted, rows_rejected, undone_at "
            "FROM import_batch ORDER BY 1"
        )
        assert batches["import_batch_id"].tolist() == [1, 2]
        assert batches["rows_accepted"].tolist() == [1, 1]
        assert batches["rows_rejected"].tolist() == [0, 0]
        assert batches["undone_at"].notna().all()
        after = store._df("SELECT * FROM project ORDER BY project_id")
        assert after.equals(before)  # the replaced simulated project is back, as it was
    finally:
        store.close()
