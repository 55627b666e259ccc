"""The term reporting loop in headless Chromium (issue 16, "How it will be checked"), at 1366×768
on a copy of the demo (its simulated reports, no approvals; ``XZ_DEMO_PROJECTS=2000`` walks the
2,000-project demo, whose coordinators of one province first file all reports but one):

1. a university coordinator files the 2026春 report of a project;
2. its province returns it with a comment; 3. the coordinator files it again;
4. the province accepts every submitted report in one click;
5. the ministry approves the province's term;
6. the province's import touching that term is refused with a sentence naming the approver;
7. the ministry reopens the term with a reason.

Then one look at the page at 1920×1080: no English word in the Chinese interface, no traceback.
The province is one where exactly one project (of few) has not filed 2026春, so the bulk accept
makes the approval reachable. Accounts are made before the server starts; the database is read
again after it stops. The language check covers the page's own area (the sidebar menu is the
chrome's, scanned by test_browser_chrome.py). Screenshots: artifacts/reporting/*.png.
"""

from __future__ import annotations

import re
import time
from datetime import date

import pytest
from conftest import ARTIFACTS, AS_OF, OWES_REPORT_SQL
from test_browser_chrome import VISIBLE_TEXT, problems, settle

from dashboard_lib import auth, ingest
from dashboard_lib.scope import Viewer
from dashboard_lib.store import Store
from devkit.browser import build_demo, chromium, start_server, stop_server, watched_page

SHOTS = ARTIFACTS / "reporting"
PW = "reporting-password-2026"
TERM = 20261  # 2026春: the last term ended by the demo's as-of date (2026-11-28)
COMMENT = "请补充派驻人员名单后重新报送"
REASON = "补录五月指导记录"


def pick_case(store: Store) -> dict:
    """The province with the fewest projects where exactly one project has not filed TERM (or
    was returned), and that project: read from the database, not from the page's code."""
    rows = store._df(
        f"""SELECT p.province_adcode, pr.short_zh, p.project_id, p.school_zh, p.university_id,
                  u.name_zh AS university_zh, r.status
           FROM project p JOIN province pr ON pr.adcode = p.province_adcode
           JOIN university u USING (university_id)
           LEFT JOIN term_report r ON r.project_id = p.project_id AND r.term = ?
           WHERE {OWES_REPORT_SQL}  -- an agreement ended before the term owes no report
           ORDER BY p.province_adcode, p.project_id""",
        [TERM, date(2026, 5, 1)],  # the term's middle
    )
    rows["open"] = rows["status"].isna() | (rows["status"] == "returned")
    cases = []
    for adcode, part in rows.groupby("province_adcode"):
        if int(part["open"].sum()) == 1:
            cases.append((len(part), int(adcode), part))
    if not cases:  # a larger demo (XZ_DEMO_PROJECTS=2000): its coordinators file all but one
        some = rows.groupby("province_adcode")["open"].transform("any")
        counts = rows[some].groupby("province_adcode")["project_id"].count()
        assert len(counts), "every report of the demo is filed already"
        adcode = int(counts.sort_values(kind="stable").index[0])
        part = rows[rows["province_adcode"] == adcode]
        for r in part[part["open"]].iloc[1:].itertuples(index=False):
            coordinator = Viewer.university([int(r.university_id)], name="coordinator")
            store.submit_term_report(coordinator, int(r.project_id), TERM)
        return pick_case(store)
    assert cases, "the demo has no province with exactly one report to file"
    n, adcode, part = sorted(cases, key=lambda c: (c[0], c[1]))[0]
    target = part[part["open"]].iloc[0]
    return {
        "adcode": adcode,
        "province": str(target["short_zh"]),
        "n_projects": n,
        "project_id": int(target["project_id"]),
        "school": str(target["school_zh"]),
        "university_id": int(target["university_id"]),
        "university": str(target["university_zh"]),
        # what the bulk accept will accept: the reports waiting now, and the target's
        "to_accept": int((part["status"] == "submitted").sum()) + 1,
    }


@pytest.fixture(scope="module")
def case(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("reporting")
    db = tmp / "dashboard.duckdb"
    build_demo(db, AS_OF)
    store = Store(db)
    try:
        found = pick_case(store)
        assert store.term_approvals(Viewer.ministry()).empty  # the demo approves nothing
        auth.create_user(store, "leader", "ministry", PW)
        auth.create_user(store, "prov", "province", PW, province_adcode=found["adcode"])
        auth.create_user(store, "coord", "university", PW, university_ids=[found["university_id"]])
        store.checkpoint()
    finally:
        store.close()
    proc, log, url = start_server(db, tmp / "streamlit.log")
    stopped: list[bool] = []

    def stop() -> None:  # the test reads the file once the server has let go of it
        if not stopped:
            stop_server(proc, log)
            stopped.append(True)

    try:
        yield {**found, "url": url, "db": db, "tmp": tmp, "stop": stop}
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


def open_reporting(pg) -> None:
    """The term reports page, by the menu (sign-in lasts for the browser session only)."""
    pg.get_by_role("link", name="上报与审核").first.click()
    pg.get_by_text("学期报告：上报与审核").first.wait_for(timeout=60_000)
    settle(pg)


def choose(pg, label: str, option: str) -> None:
    """Pick ``option`` in the main area's selectbox labelled ``label``."""
    box = pg.locator('[data-testid="stMain"] [data-testid="stSelectbox"]').filter(
        has=pg.get_by_text(label, exact=True)
    )
    for _ in range(3):  # a click during a rerun can miss the menu, or the rerun close it
        settle(pg)
        box.first.click()
        opt = pg.get_by_role("option", name=option, exact=True)
        try:
            # the fresh-clone CI saw the option shown, then gone before the click (the list
            # closed by a run): the click itself is tried again, not only the wait
            opt.click(timeout=10_000)
        except Exception:
            pg.keyboard.press("Escape")
            continue
        break
    else:
        raise AssertionError(f"{option} is not among the options of {label}")
    time.sleep(0.4)


def said(pg, text: str, timeout: float = 60_000) -> str:
    """Wait for a message containing ``text``; its whole sentence."""
    msg = pg.locator('[data-testid="stAlert"]', has_text=text).first
    msg.wait_for(timeout=timeout)
    return msg.inner_text()


def no_traceback(pg) -> None:
    assert pg.locator('[data-testid="stException"]').count() == 0
    assert "Traceback" not in pg.inner_text("body")


def test_report_return_resubmit_accept_approve_lock_reopen(case):
    url = case["url"]
    option = f"{case['school']} · {case['university']} · #{case['project_id']}"
    visit = case["tmp"] / "visit.csv"
    visit.write_text(
        "托管高校,省份,帮扶县中,开始日期,结束日期,人数\r\n"
        f"{case['university']},{case['province']},{case['school']},2026-05-12,2026-05-13,3\r\n",
        encoding="utf-8",
    )
    outside: list[str] = []
    with chromium() as browser:
        pages = {}
        for user in ("coord", "prov", "leader"):
            context, pg = watched_page(browser, 1366, 768)
            sign_in(pg, url, user)
            open_reporting(pg)
            pages[user] = pg
        coord, prov, leader = pages["coord"], pages["prov"], pages["leader"]

        # 1. the coordinator files the project's report; the page marks simulated rows
        assert coord.get_by_text("份学期报告是演示用的模拟数据").count() >= 1
        shot(coord, "1-coordinator-before.png")
        choose(coord, "项目", option)
        coord.get_by_role("button", name="报送", exact=True).click()
        assert option in said(coord, "已报送：")
        shot(coord, "1-coordinator-filed.png")

        # 2. the province returns it with a comment
        open_reporting(prov)
        choose(prov, "待审核的报告", option)
        prov.get_by_label("审核意见（退回时必填）").fill(COMMENT)
        prov.get_by_role("button", name="退回", exact=True).click()
        assert option in said(prov, "已退回：")
        shot(prov, "2-province-returned.png")

        # 3. the coordinator files it again
        open_reporting(coord)
        choose(coord, "项目", option)
        coord.get_by_role("button", name="报送", exact=True).click()
        said(coord, "已报送：")
        shot(coord, "3-coordinator-filed-again.png")

        # 4. the province accepts every submitted report in one click
        open_reporting(prov)
        n = case["to_accept"]
        prov.get_by_role("button", name=f"全部通过（{n} 份报告）").click()
        assert f"已通过 {n} 份2026春学期报告" in said(prov, "已通过")
        shot(prov, "4-province-accepted-all.png")

        # 5. the ministry approves the province's term
        open_reporting(leader)
        choose(leader, "省份", case["province"])
        leader.get_by_role("button", name="批准本学期").click()
        assert case["province"] in said(leader, "已批准：")
        leader.get_by_text("数据已锁定").first.wait_for(timeout=30_000)
        shot(leader, "5-ministry-approved.png")

        # 6. an import into the approved term is refused, naming who approved and when
        prov.get_by_role("link", name="数据导入").first.click()
        settle(prov)
        choose(prov, "数据类型", ingest.kind_label(ingest.RecordKind.GUIDANCE_VISIT, "zh"))
        settle(prov)
        prov.locator("input[type=file]").set_input_files(str(visit))
        prov.get_by_text("共 1 行：可接受 1 行，拒绝 0 行。").wait_for(timeout=60_000)
        prov.get_by_role("button", name="确认导入 1 行").click()
        refusal = said(prov, "批准并锁定")
        assert "leader" in refusal and "2026春" in refusal and case["province"] in refusal
        # when, as the page writes it (textsafe puts a word joiner after ":")
        assert re.search(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", refusal.replace("\u2060", ""))
        shot(prov, "6-province-import-refused.png")
        no_traceback(prov)

        # 7. the ministry reopens the term with a reason
        open_reporting(leader)
        choose(leader, "省份", case["province"])
        leader.get_by_label("重新开放的原因（必填）").fill(REASON)
        leader.get_by_role("button", name="重新开放").click()
        assert case["province"] in said(leader, "已重新开放：")
        settle(leader)
        assert leader.get_by_text("数据已锁定").count() == 0  # the lock's banner is gone
        shot(leader, "7-ministry-reopened.png")
        for pg in pages.values():
            no_traceback(pg)
            outside += pg.outside
            pg.context.close()

        # the page at 1920×1080, in Chinese: no English word, no traceback
        context, big = watched_page(browser, 1920, 1080)
        sign_in(big, url, "leader")
        open_reporting(big)
        big.locator('[data-testid="stMain"] iframe').first.wait_for(timeout=60_000)
        time.sleep(2)
        shot(big, "8-ministry-1920x1080.png")
        big.locator('[data-testid="stMain"] iframe').first.scroll_into_view_if_needed()
        shot(big, "9-ministry-completeness-map-1920x1080.png")
        no_traceback(big)
        # this page's own area (the sidebar's menu is the chrome's, scanned by its own tests)
        main_text = VISIBLE_TEXT.replace(
            "document.body", "document.querySelector('[data-testid=\"stMain\"]')"
        )
        texts = big.evaluate(main_text)
        assert any("报送完整率地图" in x for x in texts)
        bad = problems(texts, "zh")
        assert bad == [], bad
        assert big.evaluate("document.documentElement.scrollWidth") <= 1920
        outside += big.outside
        context.close()
    assert outside == [], f"requests left localhost: {outside}"

    case["stop"]()
    store = Store(case["db"], read_only=True)
    try:
        report = store._df(
            "SELECT status, provenance, review_comment FROM term_report "
            "WHERE project_id = ? AND term = ?",
            [case["project_id"], TERM],
        ).iloc[0]
        assert (report["status"], report["provenance"]) == ("accepted", "entered")
        approval = store._df(
            "SELECT approved_by, reopened_by, reopen_reason FROM term_approval "
            "WHERE term = ? AND province_adcode = ?",
            [TERM, case["adcode"]],
        ).iloc[0]
        assert approval.tolist() == ["leader", "leader", REASON]
        actions = store._df("SELECT action, detail FROM audit_log ORDER BY logged_at")
        assert {"term_report_return", "term_approve", "term_reopen"} <= set(actions["action"])
        assert REASON in actions[actions["action"] == "term_reopen"]["detail"].iloc[0]
        returned = actions[actions["action"] == "term_report_return"]["detail"].tolist()
        assert returned == [f"project_id={case['project_id']} term={TERM} comment={COMMENT}"]
        assert store._scalar("SELECT count(*) FROM import_batch") == 0  # the refused import
    finally:
        store.close()
