"""The import page in headless Chromium: a Gansu official uploads a GBK annex that also holds a
Xinjiang row and a bad row, sees the preview, commits, and the database holds exactly the rows
expected (read after the server has stopped). Screenshots go to artifacts/browser/.

The app's embedded viewer is the read-only demo until log-in lands, so the server runs a small
wrapper script (written by the test into its temporary folder) that sets a Gansu official and
then runs views/data_import.py unchanged.
"""

from __future__ import annotations

import csv
import io
import time

from conftest import ARTIFACTS, AS_OF, ROOT

from dashboard_lib.scope import Viewer
from dashboard_lib.store import Store
from devkit.browser import build_demo, chromium, start_server, stop_server, watched_page  # noqa: E402

SHOTS = ARTIFACTS / "browser"
WRAPPER = """
import runpy, sys
from dashboard_lib import ui
from dashboard_lib.scope import Viewer
ui.viewer = lambda: Viewer.province(620000, name="gansu-official")
runpy.run_path({page!r}, run_name="__main__")
"""


def test_gansu_official_imports_an_annex(tmp_path):
    db = tmp_path / "dashboard.duckdb"
    build_demo(db, AS_OF)
    store = Store(db, read_only=True)
    gansu = store.projects(Viewer.province(620000))
    sim = gansu[gansu["provenance"] == "simulated"].iloc[0]
    counties = store.counties([620000])
    free = counties[~counties["adcode"].isin(gansu["county_adcode"])].iloc[0]
    n_projects = len(store.projects(Viewer.ministry()))
    store.close()
    rows = [
        ["部属高校托管帮扶县中名单", "", "", "", ""],
        ["序号", "托管高校", "省份", "县", "帮扶县中"],
        ["1", sim["university_zh"], "甘肃", sim["county_zh"], sim["school_zh"]],  # replaces
        ["2", "兰州大学", "甘肃省", free["name_zh"], free["name_zh"] + "新中学"],  # new
        ["3", "北京师范大学", "新疆", "天山区", "天山区新中学"],  # other province
        ["4", "兰州大学", "甘肃", "不存在县", "某中学"],
    ]  # unknown county
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    annex = tmp_path / "附件_甘肃.csv"
    annex.write_bytes(buf.getvalue().encode("gbk"))

    wrapper = tmp_path / "import_as_gansu.py"
    wrapper.write_text(WRAPPER.format(root=str(ROOT), page=str(ROOT / "views" / "data_import.py")))
    proc, log, url = start_server(db, tmp_path / "streamlit.log", script=str(wrapper))
    try:
        with chromium() as browser:
            context, page = watched_page(browser, 1400, 1400)
            outside = page.outside
            page.goto(url + "/")
            page.get_by_text("您的导入范围").first.wait_for(timeout=60_000)
            page.locator("input[type=file]").set_input_files(str(annex))
            page.get_by_text("共 4 行：可接受 2 行，拒绝 2 行。").wait_for(timeout=60_000)
            page.get_by_text("被拒绝的行").wait_for()
            time.sleep(1.5)
            SHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SHOTS / "import_preview.png"), full_page=True)
            page.get_by_role("button", name="确认导入 2 行").click()
            page.get_by_text("已导入：批次 1，2 行。").wait_for(timeout=60_000)
            time.sleep(1.0)
            page.screenshot(path=str(SHOTS / "import_done.png"), full_page=True)
            context.close()
        assert outside == [], f"requests left localhost: {outside}"
    finally:
        stop_server(proc, log)
    store = Store(db, read_only=True)
    try:
        p = store.projects(Viewer.ministry())
        assert len(p) == n_projects + 1
        replaced = p[p["project_id"] == int(sim["project_id"])].iloc[0]
        assert replaced["provenance"] == "imported"
        new = p[p["school_zh"] == free["name_zh"] + "新中学"].iloc[0]
        assert (int(new["county_adcode"]), new["provenance"]) == (int(free["adcode"]), "imported")
        rejected = store._df(
            "SELECT row_number, column_name, reason FROM ingest_rejected ORDER BY 1"
        )
        assert rejected.values.tolist() == [
            [5, "province", "ingest_r_out_of_scope"],
            [6, "county", "ingest_r_unknown_county"],
        ]
    finally:
        store.close()
