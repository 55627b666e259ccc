"""The data-quality page in headless Chromium (issue 16, part 7), as 甘肃's province official, at
1366×768 and at 1920×1080, on a copy of the demo:

1. before the server starts, the official imports school year 2020 outcome rows of two of 甘肃's
   projects that break the rules (150 students: below the usual 300; an admission rate of 2 %:
   below 5 %; 99 %: above 95 %) — imported, and flagged in the import's transaction;
2. the page lists 甘肃's three open flags (and no other province's: the demo's own four
   simulated flags lie elsewhere), says so in Chinese only;
3. the official confirms one with a comment, corrects another (150 → the school's count of the
   next school year, so the re-judged next year makes no jump), and the list of open flags
   shrinks to one; "all" shows the three with their new states.

The database is read again after the server stops: the statuses, who, the outcome value
written, the audit lines. Screenshots: artifacts/quality/*.png.
"""

from __future__ import annotations

import time

import pytest
from conftest import ARTIFACTS, AS_OF
from test_browser_chrome import VISIBLE_TEXT, problems, settle

from dashboard_lib import auth, ingest
from dashboard_lib.ingest import RecordKind
from dashboard_lib.scope import Viewer
from dashboard_lib.store import Store
from devkit.browser import build_demo, chromium, start_server, stop_server, watched_page

SHOTS = ARTIFACTS / "quality"
PW = "quality-password-2026"
GANSU = 620000
COMMENT = "该校当年招生计划调整，数值属实"


@pytest.fixture(scope="module")
def case(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("quality")
    db = tmp / "dashboard.duckdb"
    build_demo(db, AS_OF)
    store = Store(db)
    try:
        demo_flags = store.quality_flags(Viewer.ministry())
        assert len(demo_flags) > 0  # the demo's own, simulated
        rows = store._df(
            """SELECT p.project_id, p.school_zh, u.name_zh AS university_zh
               FROM project p JOIN university u USING (university_id)
               WHERE p.province_adcode = ? ORDER BY p.project_id LIMIT 2""",
            [GANSU],
        )
        assert len(rows) == 2
        a, b = rows.iloc[0], rows.iloc[1]
        data = "\r\n".join(
            [
                "托管高校,省份,帮扶县中,学年,指标,数值",
                f"{a.university_zh},甘肃,{a.school_zh},2020,在校生数,150",
                f"{a.university_zh},甘肃,{a.school_zh},2020,本科上线率,2",
                f"{b.university_zh},甘肃,{b.school_zh},2020,本科上线率,99",
            ]
        ).encode("utf-8")
        official = Viewer.province(GANSU, name="gansu")
        preview, batch = ingest.import_file(store, official, RecordKind.OUTCOME, data, "o.csv")
        assert preview.problems == [] and batch is not None and len(preview.flags) == 3
        gansu_flags = store.quality_flags(official)
        assert len(gansu_flags) == 3  # none of the demo's lie in 甘肃
        auth.create_user(store, "gansu", "province", PW, province_adcode=GANSU)
        store.checkpoint()
        # the count 150 is corrected to: the school's own count of the next school year (the
        # correction re-judges that year's jump against it: equal, nothing to flag)
        nxt = store._df(
            "SELECT value FROM outcome WHERE project_id = ? AND school_year = 2021 "
            "AND indicator = 'enrolment'",
            [int(a.project_id)],
        )
        corrected = int(round(float(nxt.iloc[0, 0]))) if len(nxt) else 1500
        found = {
            "corrected": corrected,
            "school_a": str(a.school_zh),
            "school_b": str(b.school_zh),
            "project_a": int(a.project_id),
            "ids": {
                (str(r.indicator), int(r.project_id)): int(r.flag_id)
                for r in gansu_flags.itertuples()
            },
            "demo_n": len(demo_flags),
        }
    finally:
        store.close()
    proc, log, url = start_server(db, tmp / "streamlit.log")
    stopped: list[bool] = []

    def stop() -> None:
        if not stopped:
            stop_server(proc, log)
            stopped.append(True)

    try:
        yield {**found, "url": url, "db": db, "stop": stop}
    finally:
        stop()


def shot(pg, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    time.sleep(0.8)
    pg.screenshot(path=str(SHOTS / name), full_page=True)


def sign_in(pg, url: str, user: str) -> None:
    pg.goto(url + "/login")
    settle(pg)
    pg.get_by_label("用户名").fill(user)
    pg.get_by_label("密码").fill(PW)
    pg.get_by_role("button", name="登录").click()
    pg.get_by_text(f"当前用户：{user}").wait_for(timeout=30_000)


def open_quality(pg) -> None:
    pg.get_by_role("link", name="数据质量").first.click()
    pg.get_by_text("数据质量：待核实的成果数据").first.wait_for(timeout=60_000)
    settle(pg)


def choose(pg, label: str, option: str) -> None:
    """Pick the option containing ``option`` in the main area's selectbox labelled ``label``."""
    box = pg.locator('[data-testid="stMain"] [data-testid="stSelectbox"]').filter(
        has=pg.get_by_text(label, exact=True)
    )
    for _ in range(3):  # a click during a rerun can miss the menu
        box.first.click()
        opt = pg.get_by_role("option").filter(has_text=option)
        try:
            opt.first.wait_for(timeout=10_000)
        except Exception:
            pg.keyboard.press("Escape")
            continue
        opt.first.click()
        break
    else:
        raise AssertionError(f"{option} is not among the options of {label}")
    time.sleep(0.4)
    settle(pg)


def said(pg, text: str, timeout: float = 60_000) -> str:
    msg = pg.locator('[data-testid="stAlert"]', has_text=text).first
    msg.wait_for(timeout=timeout)
    return msg.inner_text()


def shows(pg, text: str, timeout: float = 60_000) -> None:
    """Wait for ``text`` in the main area (a caption, not a message box)."""
    pg.locator('[data-testid="stMain"]').get_by_text(text).first.wait_for(timeout=timeout)


def main_texts(pg) -> list[str]:
    return pg.evaluate(
        VISIBLE_TEXT.replace("document.body", "document.querySelector('[data-testid=\"stMain\"]')")
    )


def no_traceback(pg) -> None:
    assert pg.locator('[data-testid="stException"]').count() == 0
    assert "Traceback" not in pg.inner_text("body")


def test_gansu_official_confirms_one_flag_and_corrects_another(case):
    url, ids = case["url"], case["ids"]
    confirm_id = ids[("admission_rate", case["project_a"])]
    correct_id = ids[("enrolment", case["project_a"])]
    outside: list[str] = []
    with chromium() as browser:
        context, pg = watched_page(browser, 1366, 768)
        sign_in(pg, url, "gansu")
        open_quality(pg)
        # 甘肃's three open flags, and only those
        shows(pg, "共 3 条标记，其中 3 条待核实。")
        shot(pg, "1-gansu-open-flags-1366x768.png")
        texts = main_texts(pg)
        assert problems(texts, "zh") == [], problems(texts, "zh")
        no_traceback(pg)

        # confirm the 2 % admission rate, with a comment
        choose(pg, "待核实的数据", f"#{confirm_id} ")
        pg.get_by_label("说明（可选）").fill(COMMENT)
        pg.get_by_role("button", name="确认数值无误").click()
        said(pg, f"已确认标记 #{confirm_id} 的数值。")
        settle(pg)
        shows(pg, "共 2 条标记，其中 2 条待核实。")

        # correct 150 students to the real count (re-checked: nothing left to flag)
        choose(pg, "待核实的数据", f"#{correct_id} ")
        pg.get_by_label("更正后的数值（仅更正时填写）").fill(str(case["corrected"]))
        pg.get_by_label("说明（可选）").fill("录入时少打一个0")
        pg.get_by_role("button", name="更正数值").click()
        said(pg, f"已更正标记 #{correct_id} 的数值，并写入审计日志。")
        settle(pg)
        shows(pg, "共 1 条标记，其中 1 条待核实。")
        shot(pg, "2-gansu-after-confirm-and-correct-1366x768.png")

        # an impossible correction is refused in words, nothing written
        left = next(v for k, v in ids.items() if v not in (confirm_id, correct_id))
        choose(pg, "待核实的数据", f"#{left} ")
        pg.get_by_label("更正后的数值（仅更正时填写）").fill("130")
        pg.get_by_role("button", name="更正数值").click()
        refusal = said(pg, "不可能")
        assert "130" in refusal and "100" in refusal
        shot(pg, "3-gansu-impossible-refused-1366x768.png")

        # every state at once
        choose(pg, "状态", "全部")
        shows(pg, "共 3 条标记，其中 1 条待核实。")
        shot(pg, "4-gansu-all-states-1366x768.png")
        texts = main_texts(pg)
        assert problems(texts, "zh") == [], problems(texts, "zh")
        assert pg.locator('[data-testid="stException"]').count() == 0
        assert pg.evaluate("document.documentElement.scrollWidth") <= 1366
        outside += pg.outside
        context.close()

        # at 1920×1080, in Chinese and in English
        context, big = watched_page(browser, 1920, 1080)
        sign_in(big, url, "gansu")
        open_quality(big)
        shows(big, "共 1 条标记，其中 1 条待核实。")
        shot(big, "5-gansu-1920x1080.png")
        texts = main_texts(big)
        assert problems(texts, "zh") == [], problems(texts, "zh")
        assert big.evaluate("document.documentElement.scrollWidth") <= 1920
        big.goto(url + "/quality?lang=en")
        settle(big)
        big.get_by_text("Data quality: outcome values to verify").first.wait_for(timeout=60_000)
        shows(big, "Flags: 1, waiting for a check: 1.")
        shot(big, "6-gansu-english-1920x1080.png")
        names = frozenset({case["school_a"], case["school_b"]})
        texts = main_texts(big)
        assert problems(texts, "en", names) == [], problems(texts, "en", names)
        assert big.locator('[data-testid="stException"]').count() == 0
        outside += big.outside
        context.close()
    assert outside == []

    case["stop"]()
    store = Store(case["db"], read_only=True)
    try:
        flags = store.quality_flags(Viewer.ministry()).set_index("flag_id")
        assert flags.loc[confirm_id, "status"] == "confirmed"
        assert flags.loc[confirm_id, "comment"] == COMMENT
        assert flags.loc[confirm_id, "status_by"] == "gansu"
        assert flags.loc[correct_id, "status"] == "corrected"
        assert float(flags.loc[correct_id, "corrected_value"]) == case["corrected"]
        value = store._df(
            "SELECT value FROM outcome WHERE project_id = ? AND school_year = 2020 "
            "AND indicator = 'enrolment'",
            [case["project_a"]],
        ).iloc[0, 0]
        assert float(value) == case["corrected"]
        audit = store._df("SELECT action, detail FROM audit_log WHERE action LIKE 'quality_%'")
        assert sorted(audit["action"]) == ["quality_confirm", "quality_correct"]
        assert any(f"150 -> {case['corrected']}" in d for d in audit["detail"])
        # the demo's simulated flags elsewhere are untouched
        assert int((flags["provenance"] == "simulated").sum()) == case["demo_n"]
        assert set(flags.loc[flags["provenance"] == "simulated", "status"]) == {"flagged"}
    finally:
        store.close()
