"""The term reporting cycle (issue 16, parts 1–2): filing status, completeness and timeliness
against cases worked out by hand; submit → return → resubmit → accept → approve → the lock →
reopen on both backends; who may do what, as a matrix; the page for each role.

The tiny database of conftest.make_tiny (write tests on DuckDB and on PostgreSQL):

    project 1 兰州大学(1)     榆中县恩玲中学  甘肃 620000
    project 2 北京师范大学(2) 靖远县第四中学  甘肃 620000
    project 3 北京师范大学(2) 天山区某中学    新疆 650000
    project 4 兰州大学(1)     塔里木高级中学  兵团 660000

Spring 2023 (term 20231: 1 Feb – 31 Jul 2023) is the term reported on; it is due 30 August 2023
by default.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime

import folium
import numpy as np
import pandas as pd
import pytest
from conftest import AS_OF, OWES_REPORT_SQL, ROOT, make_tiny, on_backend, table_fingerprints

from dashboard_lib import build, ingest, ui
from dashboard_lib.i18n import t
from dashboard_lib.ingest import RecordKind
from dashboard_lib.maps import OUTSIDE, PALETTE
from dashboard_lib.programme import reporting
from dashboard_lib.scope import Filters, Viewer
from dashboard_lib.store import Store, StoreError
from dashboard_lib.store import reporting as store_reporting

HAN = re.compile(r"[\u4e00-\u9fff]")
TODAY = date(2026, 11, 28)
GANSU = Viewer.province(620000, name="gansu-official")
XINJIANG = Viewer.province(650000, name="xinjiang-official")
LZU = Viewer.university([1], name="lzu-coordinator")
BNU = Viewer.university([2], name="bnu-coordinator")
MINISTRY = Viewer.ministry("ministry-boss")
SPRING = 20231


# ------------------------------------------------------------------ 1. pure: by hand
def test_default_due_date_is_thirty_days_after_the_term():
    assert reporting.DUE_DAYS_AFTER_TERM == 30
    assert reporting.default_due(20231) == date(2023, 8, 30)  # 31 Jul + 30 days
    assert reporting.default_due(20232) == date(2024, 3, 1)  # 31 Jan 2024 + 30 (29 Feb)
    over = pd.DataFrame({"term": [20232], "due_date": [date(2024, 3, 15)]})
    assert reporting.due_dates([20231, 20232], over) == {
        20231: date(2023, 8, 30),
        20232: date(2024, 3, 15),
    }


PROJECTS = pd.DataFrame(
    {
        "project_id": [1, 2, 3],
        "province_adcode": [620000, 620000, 650000],
        "university_id": [1, 2, 2],
    }
)
REPORTS = pd.DataFrame(
    [
        # project, term, status, first submitted (timeliness is judged by this one)
        (1, 20231, "accepted", datetime(2023, 8, 30, 23, 0)),  # on the due day: on time
        (2, 20231, "returned", datetime(2023, 8, 31, 0, 30)),  # half an hour after: late
        (1, 20232, "accepted", datetime(2024, 2, 1, 9, 0)),
        (2, 20232, "accepted", datetime(2024, 1, 20, 9, 0)),  # before the term even ended
    ],
    columns=["project_id", "term", "status", "first_submitted_at"],
)
APPROVALS = pd.DataFrame(
    {
        "term": [20232, 20231],
        "province_adcode": [620000, 650000],
        "locked": [True, False],  # 新疆 20231 was approved, then reopened
    }
)
DUE = {20231: date(2023, 8, 30), 20232: date(2024, 3, 15)}
AS_OF_HAND = date(2024, 2, 10)  # 20231's due date has passed, 20232's has not


def hand_status() -> pd.DataFrame:
    return reporting.report_status(PROJECTS, REPORTS, [20231, 20232], DUE, AS_OF_HAND, APPROVALS)


def test_filing_and_review_status_by_hand():
    got = hand_status().set_index(["project_id", "term"])
    expected = {  # written out by hand from the frames above
        (1, 20231): ("on_time", "accepted", date(2023, 8, 30)),
        (2, 20231): ("late", "returned", date(2023, 8, 31)),
        (3, 20231): ("missing", "", None),
        (1, 20232): ("on_time", "approved", date(2024, 2, 1)),
        (2, 20232): ("on_time", "approved", date(2024, 1, 20)),
        (3, 20232): ("pending", "", None),
    }
    assert len(got) == 6
    for key, (filing, review, first) in expected.items():
        row = got.loc[key]
        assert (row["filing"], row["review"], row["first_submitted"]) == (filing, review, first)
    assert got.loc[(3, 20232), "due_date"] == date(2024, 3, 15)


def test_completeness_and_timeliness_by_hand():
    status = hand_status()
    nation = reporting.completeness(status).iloc[0]
    # 6 expected: on time 3 (1/20231, 1/20232, 2/20232), late 1, missing 1, pending 1
    assert [int(nation[c]) for c in ("expected", "on_time", "late", "missing", "pending")] == [
        6,
        3,
        1,
        1,
        1,
    ]
    assert nation["completeness"] == pytest.approx(4 / 6)
    assert nation["timeliness"] == pytest.approx(3 / 6)
    prov = reporting.completeness(status, "province_adcode").set_index("province_adcode")
    assert prov.loc[620000, "completeness"] == pytest.approx(1.0)  # 4 of 4 filed
    assert prov.loc[620000, "timeliness"] == pytest.approx(0.75)  # 3 of 4 on time
    assert prov.loc[650000, "completeness"] == 0 and prov.loc[650000, "timeliness"] == 0
    uni = reporting.completeness(status, "university_id").set_index("university_id")
    assert (uni.loc[1, "completeness"], uni.loc[1, "timeliness"]) == (1.0, 1.0)
    assert uni.loc[2, "completeness"] == pytest.approx(0.5)  # 2 of 4: 2/20231 late, 2/20232
    assert uni.loc[2, "timeliness"] == pytest.approx(0.25)  # 1 of 4
    assert reporting.share_text(0.25) == "25.0%" and reporting.share_text(float("nan")) == "—"


def test_notice_names_every_project_and_the_due_date():
    worklist = pd.DataFrame(
        {"school": ["天山区某中学", "靖远县第四中学"], "university": ["北京师范大学"] * 2}
    )
    text = reporting.notice_text(worklist, 20231, date(2023, 8, 30), date(2023, 9, 5), "zh")
    assert "2023春" in text and "2023-08-30" in text and "2 个项目" in text
    assert "1. 天山区某中学（北京师范大学）" in text and "2. 靖远县第四中学" in text
    en = reporting.notice_text(worklist, 20231, date(2023, 8, 30), date(2023, 9, 5), "en")
    assert "Spring 2023" in en and "2023-08-30" in en and "2 projects" in en
    assert "1. 天山区某中学 (北京师范大学)" in en


# ------------------------------------------------------------------ 2. the workflow, both backends
@pytest.fixture(params=["duckdb", "postgresql"])
def store(tmp_path, request):
    s = on_backend(make_tiny(tmp_path / "rep.duckdb"), request.param, request)
    yield s
    s.close()


@pytest.fixture
def clock(monkeypatch):
    """The store's clock, set by the test (``store.reporting._now``)."""
    now = {"at": datetime(2023, 8, 20, 10, 0)}
    monkeypatch.setattr(store_reporting, "_now", lambda: now["at"])
    return now


def csv_bytes(rows: list[list]) -> bytes:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    return buf.getvalue().encode("utf-8")


def visit_file(day: str, people: int = 3) -> bytes:
    """A guidance visit of project 1 (甘肃), as a province official would send it."""
    return csv_bytes(
        [
            ["托管高校", "省份", "帮扶县中", "开始日期", "结束日期", "人数"],
            ["兰州大学", "甘肃", "榆中县恩玲中学", day, day, str(people)],
        ]
    )


def outcome_file(year: int) -> bytes:
    return csv_bytes(
        [
            ["托管高校", "省份", "帮扶县中", "学年", "指标", "数值"],
            ["兰州大学", "甘肃", "榆中县恩玲中学", str(year), "本科上线率", "40"],
        ]
    )


def import_visit(store, day: str, people: int = 3) -> int:
    preview, batch = ingest.import_file(
        store, GANSU, RecordKind.GUIDANCE_VISIT, visit_file(day, people), f"v{day}.csv", TODAY
    )
    assert preview.problems == [] and batch is not None
    return batch


def refused(fn, *args, key: str | None = None, **kwargs) -> StoreError:
    with pytest.raises(StoreError) as e:
        fn(*args, **kwargs)
    if key is not None:
        assert e.value.key == key, e.value.key
    assert HAN.search(e.value.zh) and not HAN.search(e.value.en)
    return e.value


def accept_all_of_gansu(store) -> None:
    store.submit_term_report(LZU, 1, SPRING)
    store.submit_term_report(BNU, 2, SPRING)
    store.review_term_report(GANSU, 1, SPRING, True)
    store.review_term_report(GANSU, 2, SPRING, True)


def test_submit_return_resubmit_accept_approve_lock_reopen(store, clock):
    earlier = import_visit(store, "2023-04-03")  # a spring 2023 row, imported before approval
    # the coordinator files on time; the province returns it with a comment
    assert store.submit_term_report(LZU, 1, SPRING) == "submitted"
    clock["at"] = datetime(2023, 8, 25, 9, 0)
    assert store.review_term_report(GANSU, 1, SPRING, False, "缺少派驻人员名单") == "returned"
    got = store.term_reports(GANSU, SPRING).set_index("project_id")
    assert got.loc[1, "status"] == "returned" and got.loc[1, "review_comment"] == "缺少派驻人员名单"
    # filed again after the due date: still on time (the first filing counts), then accepted
    clock["at"] = datetime(2023, 9, 3, 9, 0)
    assert store.submit_term_report(LZU, 1, SPRING) == "submitted"
    assert store.review_term_report(GANSU, 1, SPRING, True) == "accepted"
    store.submit_term_report(BNU, 2, SPRING)  # project 2 files late
    # approval waits for every project of the province
    e = refused(store.approve_term, MINISTRY, SPRING, 620000, key="reporting_not_all_accepted")
    assert e.values["n"] == 1 and e.values["total"] == 2
    store.review_term_report(GANSU, 2, SPRING, True)
    # the page's figures, from what the store holds: project 1 on time, project 2 late
    reports = store.term_reports(GANSU, SPRING)
    status = reporting.report_status(
        store.projects(GANSU), reports, [SPRING], {SPRING: date(2023, 8, 30)}, date(2023, 9, 10)
    ).set_index("project_id")
    assert status["filing"].to_dict() == {1: "on_time", 2: "late"}
    clock["at"] = datetime(2023, 9, 12, 16, 45)
    store.approve_term(MINISTRY, SPRING, 620000)
    approval = store.term_approvals(GANSU, SPRING).iloc[0]
    assert bool(approval["locked"]) and approval["approved_by"] == "ministry-boss"

    # locked: an import touching the term, its undo and a correction are refused, by name
    before = table_fingerprints(store)
    data = visit_file("2023-05-10")
    preview = ingest.prepare(store, GANSU, RecordKind.GUIDANCE_VISIT, data, "v.csv", TODAY)
    e = refused(
        store.import_commit,
        GANSU,
        preview,
        "v.csv",
        ingest.file_sha256(data),
        key="reporting_locked",
    )
    assert "ministry-boss" in e.zh and "2023-09-12 16:45" in e.zh and "2023春" in e.zh
    assert "ministry-boss" in e.en and "Spring 2023" in e.en and "甘肃" not in e.en
    refused(store.undo_batch, GANSU, earlier, key="reporting_locked")
    row = int(store._df("SELECT activity_id FROM activity WHERE import_batch_id = ?", [earlier])
              .iloc[0, 0])  # fmt: skip
    refused(store.update_activity, GANSU, row, {"people": 9}, key="reporting_locked")
    # nor may the province review or the university file again
    refused(store.review_term_report, GANSU, 1, SPRING, True, key="reporting_term_approved")
    assert table_fingerprints(store) == before
    # a row of another term, and a correction moving nothing into the term, still go through
    later = import_visit(store, "2023-10-09")
    later_row = int(
        store._df("SELECT activity_id FROM activity WHERE import_batch_id = ?", [later]).iloc[0, 0]
    )
    store.update_activity(GANSU, later_row, {"people": 5})
    before = table_fingerprints(store)
    refused(  # ... but not one moving a row INTO the approved term
        store.update_activity,
        GANSU,
        later_row,
        {"start_date": date(2023, 6, 1)},
        key="reporting_locked",
    )
    assert table_fingerprints(store) == before

    # reopened (with a reason, in the audit log): the same import goes through
    refused(store.reopen_term, MINISTRY, SPRING, 620000, "  ", key="reporting_reason_required")
    store.reopen_term(MINISTRY, SPRING, 620000, "补录五月指导记录")
    assert not bool(store.term_approvals(GANSU, SPRING).iloc[0]["locked"])
    audit = store._sor_df("SELECT action, detail FROM audit_log WHERE action = 'term_reopen'")
    assert len(audit) == 1 and "补录五月指导记录" in audit.iloc[0]["detail"]
    preview = ingest.prepare(store, GANSU, RecordKind.GUIDANCE_VISIT, data, "v.csv", TODAY)
    batch = store.import_commit(GANSU, preview, "v.csv", ingest.file_sha256(data))
    assert len(store._df("SELECT * FROM activity WHERE import_batch_id = ?", [batch])) == 1
    store.undo_batch(GANSU, earlier)


def test_outcome_rows_lock_by_the_two_terms_of_their_school_year(store, clock):
    """School year 2022 (it starts in autumn 2022) is terms 20222 and 20231: locked with
    spring 2023; school year 2023 (20232, 20241) is not."""
    accept_all_of_gansu(store)
    store.approve_term(MINISTRY, SPRING, 620000)
    before = table_fingerprints(store)
    data = outcome_file(2022)
    preview = ingest.prepare(store, GANSU, RecordKind.OUTCOME, data, "o.csv", TODAY)
    assert preview.n_accepted == 1
    refused(
        store.import_commit,
        GANSU,
        preview,
        "o.csv",
        ingest.file_sha256(data),
        key="reporting_locked",
    )
    assert table_fingerprints(store) == before
    preview, batch = ingest.import_file(
        store, GANSU, RecordKind.OUTCOME, outcome_file(2023), "o2.csv", TODAY
    )
    assert batch is not None and preview.n_accepted == 1
    # the lock is the province's: 新疆's spring 2023 is open
    store.submit_term_report(BNU, 3, SPRING)
    assert store.term_approvals(XINJIANG, SPRING).empty


def test_refusals_say_why_and_change_nothing(store, clock):
    before = table_fingerprints(store)
    clock["at"] = datetime(2023, 7, 20, 9, 0)  # spring 2023 not over yet
    refused(store.submit_term_report, LZU, 1, SPRING, key="reporting_term_not_ended")
    clock["at"] = datetime(2023, 8, 20, 9, 0)
    refused(store.submit_term_report, LZU, 1, 20233, key="reporting_bad_term")
    refused(store.review_term_report, GANSU, 1, SPRING, True, key="reporting_not_submitted")
    refused(store.reopen_term, MINISTRY, SPRING, 620000, "x", key="reporting_not_approved")
    refused(store.approve_term, MINISTRY, SPRING, 110000, key="reporting_no_projects")
    refused(store.set_due_date, MINISTRY, SPRING, date(2023, 7, 1), key="reporting_due_before_end")
    refused(store.submit_term_report, Viewer.demo(), 1, SPRING, key="store_read_only_mode")
    assert table_fingerprints(store) == before
    store.submit_term_report(LZU, 1, SPRING)
    before = table_fingerprints(store)
    refused(store.submit_term_report, LZU, 1, SPRING, key="reporting_already_submitted")
    refused(
        store.review_term_report, GANSU, 1, SPRING, False, "  ", key="reporting_comment_required"
    )
    assert table_fingerprints(store) == before
    store.review_term_report(GANSU, 1, SPRING, True)
    refused(store.submit_term_report, LZU, 1, SPRING, key="reporting_already_accepted")
    # the ministry moves the due date: read back as the term's due date
    store.set_due_date(MINISTRY, SPRING, date(2023, 9, 15))
    due = reporting.due_dates([SPRING], store.due_date_overrides())
    assert due == {SPRING: date(2023, 9, 15)}


# ------------------------------------------------------------------ 3. who may do what
ACTORS = {
    "gansu": GANSU,
    "xinjiang": XINJIANG,
    "lzu": LZU,
    "bnu": BNU,
    "ministry": MINISTRY,
}
# action -> the actors allowed (by hand, from the table in the module docstring); everyone else
# is refused. submit: project 1 (兰州大学, 甘肃); review: project 2 (甘肃) once submitted;
# approve / reopen: 甘肃's spring 2023 once every report is accepted (and approved, to reopen).
ALLOWED = {
    "submit": {"lzu", "ministry"},
    "review": {"gansu"},
    "approve": {"ministry"},
    "reopen": {"ministry"},
    "due_date": {"ministry"},
}


@pytest.mark.parametrize("actor", list(ACTORS))
@pytest.mark.parametrize("action", list(ALLOWED))
def test_scope_matrix(store, clock, action, actor):
    viewer = ACTORS[actor]
    if action == "review":
        store.submit_term_report(BNU, 2, SPRING)
    if action in ("approve", "reopen"):
        accept_all_of_gansu(store)
    if action == "reopen":
        store.approve_term(MINISTRY, SPRING, 620000)
    do = {
        "submit": lambda: store.submit_term_report(viewer, 1, SPRING),
        "review": lambda: store.review_term_report(viewer, 2, SPRING, False, "请补充"),
        "approve": lambda: store.approve_term(viewer, SPRING, 620000),
        "reopen": lambda: store.reopen_term(viewer, SPRING, 620000, "更正"),
        "due_date": lambda: store.set_due_date(viewer, SPRING, date(2023, 9, 30)),
    }[action]
    before = table_fingerprints(store)
    if actor in ALLOWED[action]:
        do()
        assert table_fingerprints(store) != before
    else:
        refused(do)
        assert table_fingerprints(store) == before


def test_an_old_file_without_the_tables_still_imports(tmp_path):
    """A file built before issue 16: imports run (nothing is approved), and the first read of
    the reports adds the tables with the same schema version."""
    s = make_tiny(tmp_path / "old.duckdb")
    for table in ("reporting_period", "term_report", "term_approval"):
        s._con.execute(f"DROP TABLE {table}")
    version = s.schema_version()
    import_visit(s, "2023-04-03")
    assert s.term_reports(MINISTRY).empty
    assert s.schema_version() == version
    s.submit_term_report(LZU, 1, SPRING)
    assert len(s.term_reports(MINISTRY)) == 1
    s.close()


# ------------------------------------------------------------------ 4. the page, each role
@pytest.fixture(scope="module")
def page_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("rep") / "demo.duckdb"
    build.build_database(path, build.spec_for(115, None, 2022, AS_OF), progress=lambda _m: None)
    return path


def run_page(monkeypatch, db, viewer: Viewer, lang: str = "zh"):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("XZ_DB_PATH", str(db))
    monkeypatch.setattr(ui, "viewer", lambda: viewer)
    at = AppTest.from_file(str(ROOT / "views" / "reporting.py"), default_timeout=120)
    at.query_params["lang"] = lang
    return at.run()


def first_project(db, **where) -> pd.Series:
    s = Store(db)
    try:
        p = s.projects(Viewer.ministry())
    finally:
        s.close()
    for k, v in where.items():
        p = p[p[k] == v]
    return p.iloc[0]


@pytest.mark.parametrize("role", ["university", "province", "ministry"])
def test_page_for_each_role(page_db, monkeypatch, role):
    p = first_project(page_db)
    viewer = {
        "university": Viewer.university([int(p["university_id"])], name="coordinator"),
        "province": Viewer.province(int(p["province_adcode"]), name="official"),
        "ministry": Viewer.ministry("boss"),
    }[role]
    at = run_page(monkeypatch, page_db, viewer)
    assert not at.exception, at.exception
    assert not at.error
    labels = {m.label for m in at.metric}
    assert {"完整率", "及时率", "应报项目", "未报送"} <= labels
    table = next(d.value for d in at.dataframe if "报送" in d.value.columns)
    assert ["省份", "帮扶县中", "托管高校", "报送", "审核"] == [
        c for c in table.columns if c in ("省份", "帮扶县中", "托管高校", "报送", "审核")
    ]
    assert at.selectbox(key="rep_term").value == 20261  # the last term ended by 2026-11-28
    headers = " ".join(str(c) for d in at.dataframe for c in d.value.columns)
    assert not re.search(r"[A-Za-z]{3,}", headers), headers  # no English on the Chinese page
    if role == "province":
        assert any("2026-08-30" in str(c.value) for c in at.code)  # the notice: its due date
    if role == "ministry":  # one row per programme province, its approval state
        states = next(d.value for d in at.dataframe if "状态" in d.value.columns)
        # by hand from the database: a province is ready when every project of it has an
        # accepted 20261 report (the demo simulates reports, and never an approval)
        s = Store(page_db)
        try:
            ready = s._df(
                f"""SELECT pr.short_zh FROM project p JOIN province pr ON pr.adcode = p.province_adcode
                   LEFT JOIN term_report r ON r.project_id = p.project_id AND r.term = 20261
                   -- a project whose last agreement was recorded as ended before the term (it
                   -- ended 2025-08-31; spring 2026's middle is in May) owes nothing for it
                   WHERE {OWES_REPORT_SQL}
                   GROUP BY pr.short_zh HAVING bool_and(coalesce(r.status = 'accepted', false))""",
                [date(2026, 5, 1)],
            )["short_zh"].tolist()
        finally:
            s.close()
        got = dict(zip(states["省份"], states["状态"]))
        assert len(states) == 24 and "已批准（锁定）" not in got.values()
        assert sorted(k for k, v in got.items() if v == "可批准") == sorted(ready)
        assert set(got.values()) == {"可批准", "审核未完成"}
    en = run_page(monkeypatch, page_db, viewer, "en")
    assert not en.exception
    assert "Completeness" in {m.label for m in en.metric}


def test_page_coordinator_files_a_report(tmp_path, monkeypatch):
    db = tmp_path / "page.duckdb"
    build.build_database(db, build.spec_for(115, None, 2022, AS_OF), progress=lambda _m: None)
    s = Store(db)
    try:  # a university with a project that has not filed 20261 (the demo simulates the rest)
        open_ = s._df(
            """SELECT p.university_id, p.project_id FROM project p LEFT JOIN term_report r
               ON r.project_id = p.project_id AND r.term = 20261
               WHERE r.project_id IS NULL ORDER BY p.project_id LIMIT 1"""
        ).iloc[0]
        viewer = Viewer.university([int(open_["university_id"])], name="coordinator")
        before = s.term_reports(viewer, 20261).set_index("project_id")
    finally:
        s.close()
    at = run_page(monkeypatch, db, viewer)
    pid = at.selectbox(key="rep_submit_project").value
    next(b for b in at.button if b.label == "报送").click().run()
    assert not at.exception
    assert any("已报送" in m.value for m in at.success), [e.value for e in at.error]
    s = Store(db)
    try:
        got = s.term_reports(viewer, 20261).set_index("project_id")
    finally:
        s.close()
    assert (got.loc[pid, "status"], got.loc[pid, "provenance"]) == ("submitted", "entered")
    others = got.drop(index=pid)
    assert set(others.index) == set(before.index) - {pid}
    assert others["status"].to_dict() == before.drop(index=pid, errors="ignore")["status"].to_dict()


def test_page_return_without_comment_is_refused_in_words(tmp_path, monkeypatch):
    db = tmp_path / "page.duckdb"
    build.build_database(db, build.spec_for(115, None, 2022, AS_OF), progress=lambda _m: None)
    p = first_project(db)
    s = Store(db)
    try:
        s.submit_term_report(
            Viewer.university([int(p["university_id"])]), int(p["project_id"]), 20261
        )
        before = table_fingerprints(s)
    finally:
        s.close()
    at = run_page(monkeypatch, db, Viewer.province(int(p["province_adcode"]), name="official"))
    next(b for b in at.button if b.label == "退回").click().run()
    assert not at.exception
    assert any("必须填写审核意见" in e.value for e in at.error)
    s = Store(db)
    try:
        assert table_fingerprints(s) == before
    finally:
        s.close()


# ------------------------------------------------------------------ 5. bulk submit and accept
def sql(store, statement: str, params: list | None = None) -> None:
    """A test's own change to the system of record (both backends), to set up a case."""
    with store._transaction() as cur:
        cur.execute(statement, params or [])


def audit_actions(store) -> list[str]:
    """The audit log's actions, oldest first."""
    return store._sor_df("SELECT action FROM audit_log ORDER BY logged_at")["action"].tolist()


def test_bulk_submit_and_accept_stay_in_scope(store, clock):
    # BNU's project 2 was returned; its project 3 (新疆) already waits for review
    store.submit_term_report(BNU, 2, SPRING)
    store.review_term_report(GANSU, 2, SPRING, False, "请补充名单")
    store.submit_term_report(BNU, 3, SPRING)
    n_audit = len(audit_actions(store))
    # 兰州大学 files all of its projects (1 甘肃, 4 兵团); BNU's rows are left as they were
    assert store.submit_term_reports(LZU, SPRING) == 2
    got = store.term_reports(MINISTRY, SPRING).set_index("project_id")
    assert got["status"].to_dict() == {
        1: "submitted",
        2: "returned",
        3: "submitted",
        4: "submitted",
    }
    assert got.loc[1, "submitted_by"] == "lzu-coordinator" and got.loc[1, "provenance"] == "entered"
    assert got.loc[2, "review_comment"] == "请补充名单"
    assert audit_actions(store)[n_audit:] == ["term_report_submit"] * 2
    # BNU's bulk files the returned one again, not the one awaiting review
    assert store.submit_term_reports(BNU, SPRING) == 1
    assert store.term_reports(BNU, SPRING).set_index("project_id")["status"].to_dict() == {
        2: "submitted",
        3: "submitted",
    }
    assert store.submit_term_reports(BNU, SPRING) == 0  # nothing left to file
    # 甘肃 accepts its own two; 新疆's and 兵团's reports stay submitted
    assert store.accept_term_reports(GANSU, SPRING) == 2
    got = store.term_reports(MINISTRY, SPRING).set_index("project_id")
    assert got["status"].to_dict() == {1: "accepted", 2: "accepted", 3: "submitted", 4: "submitted"}
    assert got.loc[1, "reviewed_by"] == "gansu-official" and pd.isna(got.loc[3, "reviewed_by"])
    assert audit_actions(store)[-2:] == ["term_report_accept"] * 2
    store.approve_term(MINISTRY, SPRING, 620000)  # the bulk accept made it approvable


def test_bulk_refusals_change_nothing(store, clock):
    store.submit_term_report(LZU, 4, SPRING)
    before = table_fingerprints(store)
    # a project outside the scope among the ones asked for: all refused, by name
    e = refused(
        store.submit_term_reports, LZU, SPRING, only=[1, 2], key="reporting_project_out_of_scope"
    )
    assert e.values["project"] == 2
    refused(
        store.accept_term_reports, GANSU, SPRING, only=[4], key="reporting_project_out_of_scope"
    )
    refused(store.submit_term_reports, GANSU, SPRING, key="reporting_only_university")
    refused(store.accept_term_reports, LZU, SPRING, key="reporting_only_province")
    refused(store.accept_term_reports, MINISTRY, SPRING, key="reporting_only_province")
    refused(store.submit_term_reports, Viewer.demo(), SPRING, key="store_read_only_mode")
    refused(store.submit_term_reports, LZU, 20233, key="reporting_bad_term")
    clock["at"] = datetime(2023, 7, 20, 9, 0)
    refused(store.submit_term_reports, LZU, SPRING, key="reporting_term_not_ended")
    clock["at"] = datetime(2023, 8, 20, 10, 0)
    assert table_fingerprints(store) == before
    # an approved term refuses the bulk actions as it refuses the single ones
    accept_all_of_gansu(store)
    store.approve_term(MINISTRY, SPRING, 620000)
    sql(
        store,
        "UPDATE term_report SET status = 'returned' WHERE project_id = 2 AND term = ?",
        [SPRING],
    )
    before = table_fingerprints(store)
    e = refused(store.submit_term_reports, BNU, SPRING, key="reporting_term_approved")
    assert "ministry-boss" in e.zh
    sql(
        store,
        "UPDATE term_report SET status = 'submitted' WHERE project_id = 2 AND term = ?",
        [SPRING],
    )
    before = table_fingerprints(store)
    refused(store.accept_term_reports, GANSU, SPRING, key="reporting_term_approved")
    assert table_fingerprints(store) == before
    # the refusal of one row refuses the others too: 兰州大学's 兵团 project is not filed either
    sql(
        store,
        "UPDATE term_report SET status = 'returned' WHERE project_id = 1 AND term = ?",
        [SPRING],
    )
    sql(store, "DELETE FROM term_report WHERE project_id = 4")
    before = table_fingerprints(store)
    refused(store.submit_term_reports, LZU, SPRING, key="reporting_term_approved")
    assert table_fingerprints(store) == before


# ------------------------------------------------------------------ 6. the demo's reports
def test_demo_reports_are_simulated_seeded_and_never_approved(page_db):
    s = Store(page_db)
    try:
        rep = s.term_reports(MINISTRY)
        n_projects = len(s.projects(MINISTRY))
        cycles = s._df("SELECT * FROM project_cycle")
        approvals = s.term_approvals(MINISTRY)
        as_of = s.as_of()
    finally:
        s.close()
    assert approvals.empty  # an approval would lock imports into past terms
    assert set(rep["provenance"]) == {"simulated"}
    assert (pd.to_datetime(rep["submitted_at"]).dt.date <= as_of).all()
    reviewed = rep["reviewed_at"].notna()
    assert (pd.to_datetime(rep.loc[reviewed, "reviewed_at"]).dt.date <= as_of).all()
    assert set(rep.loc[rep["status"] == "returned", "review_comment"].map(bool)) == {True}
    assert rep.loc[rep["status"] != "returned", "review_comment"].isna().all()
    # a plausible spread, judged by hand-written rules over the rows (not the code's numbers)
    terms = sorted(rep["term"].unique())
    assert terms[0] == 20222 and terms[-1] == 20261
    due = {c: reporting.default_due(c) for c in terms}
    first = pd.to_datetime(rep["first_submitted_at"]).dt.date
    late = sum(f > due[c] for f, c in zip(first, rep["term"]))
    expected = n_projects * len(terms)
    assert 0.80 * expected < len(rep) < 0.99 * expected  # most filed, some missing
    assert 0.03 * len(rep) < late < 0.35 * len(rep)  # some late
    counts = rep["status"].value_counts()
    assert counts["accepted"] > 0.6 * len(rep) and counts["returned"] >= 5
    last = rep[rep["term"] == 20261]["status"].value_counts()
    assert last["submitted"] >= 10  # the latest term still has reports awaiting review
    # seeded: the same spec gives the same rows
    from dashboard_lib import demo

    spec = build.spec_for(115, None, 2022, AS_OF)
    a = demo.simulated_term_reports(spec, np.arange(115, 0, -1), cycles)
    pd.testing.assert_frame_equal(a, demo.simulated_term_reports(spec, np.arange(1, 116), cycles))
    other = demo.simulated_term_reports(build.spec_for(115, None, 7, AS_OF), np.arange(1, 116))
    assert other["status"].tolist() != a["status"].tolist()  # another seed, another demo
    got = rep.sort_values(["term", "project_id"]).reset_index(drop=True)
    assert got["status"].tolist() == a["status"].tolist()
    # a project whose agreement ended (2025-08-31, nothing after) files nothing after its end
    last = cycles.sort_values("cycle_no").groupby("project_id").tail(1)
    ended = set(last.loc[last["status"] == "ended", "project_id"].astype(int))
    assert ended, "the demo has ended agreements"
    after = rep[rep["project_id"].astype(int).isin(ended) & (rep["term"] >= 20252)]
    assert after.empty, after
    assert not rep[rep["project_id"].astype(int).isin(ended) & (rep["term"] == 20251)].empty


def test_page_marks_simulated_reports(page_db, monkeypatch):
    at = run_page(monkeypatch, page_db, Viewer.ministry("boss"))
    assert not at.exception
    table = next(d.value for d in at.dataframe if "报告来源" in d.value.columns)
    s = Store(page_db)
    try:
        n_sim = len(s.term_reports(MINISTRY, 20261))
    finally:
        s.close()
    assert (table["报告来源"] == "模拟").sum() == n_sim
    assert set(table["报告来源"]) == {"模拟", "—"}
    assert any(f"有 {n_sim} 份学期报告是演示用的模拟数据" in c.value for c in at.caption)
    en = run_page(monkeypatch, page_db, Viewer.ministry("boss"), "en")
    table = next(d.value for d in en.dataframe if "Report source" in d.value.columns)
    assert (table["Report source"] == "Simulated").sum() == n_sim


def test_page_bulk_accept_says_how_many(tmp_path, monkeypatch):
    db = tmp_path / "page.duckdb"
    build.build_database(db, build.spec_for(115, None, 2022, AS_OF), progress=lambda _m: None)
    s = Store(db)
    try:  # the province with the most reports awaiting review in 20261
        waiting = s._df(
            """SELECT p.province_adcode, count(*) AS n FROM term_report r JOIN project p
               USING (project_id) WHERE r.term = 20261 AND r.status = 'submitted'
               GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1"""
        ).iloc[0]
        adcode, n = int(waiting["province_adcode"]), int(waiting["n"])
        others = s._df(
            "SELECT project_id, status FROM term_report r JOIN project p USING (project_id) "
            "WHERE r.term = 20261 AND p.province_adcode <> ? ORDER BY 1",
            [adcode],
        )
    finally:
        s.close()
    at = run_page(monkeypatch, db, Viewer.province(adcode, name="official"))
    assert at.button(key="rep_accept_all").label == f"全部通过（{n} 份报告）"
    at.button(key="rep_accept_all").click().run()
    assert not at.exception and not at.error
    assert any(f"已通过 {n} 份2026春学期报告" in m.value for m in at.success)
    s = Store(db)
    try:
        mine = s._df(
            "SELECT r.status FROM term_report r JOIN project p USING (project_id) "
            "WHERE r.term = 20261 AND p.province_adcode = ?",
            [adcode],
        )
        assert "submitted" not in set(mine["status"])
        assert s._df(
            "SELECT project_id, status FROM term_report r JOIN project p USING (project_id) "
            "WHERE r.term = 20261 AND p.province_adcode <> ? ORDER BY 1",
            [adcode],
        ).equals(others)
    finally:
        s.close()


# ------------------------------------------------------------------ 7. completeness on the map
def area_tips(m) -> dict[int, tuple[str, str]]:
    """adcode -> (tooltip, fill colour) of the map's areas layer."""
    found = []

    def walk(el):
        if isinstance(el, folium.GeoJson):
            found.append(el)
        for child in el._children.values():
            walk(child)

    walk(m)
    layer = next(
        g for g in found if g.data["features"] and "inside" in g.data["features"][0]["properties"]
    )
    return {
        int(f["properties"]["adcode"]): (f["properties"]["tip"], f["properties"]["fill"])
        for f in layer.data["features"]
    }


def test_map_values_are_the_hand_computed_completeness(tmp_path, clock):
    s = make_tiny(tmp_path / "map.duckdb")
    try:
        # spring 2023: project 1 (甘肃) files on time, project 3 (新疆) late, 2 and 4 never
        s.submit_term_report(LZU, 1, SPRING)
        clock["at"] = datetime(2023, 9, 20, 9, 0)
        s.submit_term_report(BNU, 3, SPRING)
        view = reporting.term_reports_content(s, MINISTRY, term=SPRING)
        gansu = reporting.term_reports_content(s, GANSU, term=SPRING)
    finally:
        s.close()
    got = view.map_values.set_index("adcode")["completeness"].to_dict()
    # by hand: 甘肃 1 of 2 filed, 新疆 1 of 1 (late counts), 兵团 0 of 1
    assert view.map_level == "province" and got == {620000: 0.5, 650000: 1.0, 660000: 0.0}
    m = reporting.completeness_map(view, "zh")
    tips = area_tips(m)
    assert tips[620000] == ("甘肃 · 完整率：50.0%", PALETTE[0])  # ≤ 50 %: the first class
    assert tips[650000] == ("新疆 · 完整率：100.0%", PALETTE[-1])  # 95–100 %: the last
    assert tips[660000] == ("兵团 · 完整率：0.0%", PALETTE[0])  # 0 % is a value, not no data
    assert tips[110000][1] == OUTSIDE  # 北京: no project, grey
    html = m.get_root().render()
    assert "≤ 50.0%" in html and "95.0% – 100.0%" in html and "无数据" in html  # the legend
    assert "L.tileLayer" not in html  # offline: no tiles
    assert t("legend_helped", "zh") not in html, (
        "no helped-county outline drawn, none in the legend"
    )
    # the table beside it says the same
    table = view.by_province.set_index("省份")["完整率"].to_dict()
    assert table == {"甘肃": "50.0%", "新疆": "100.0%", "兵团": "0.0%"}
    # a province official: its counties — 榆中县 (project 1) filed, 靖远县 (project 2) did not
    assert gansu.map_level == "county" and gansu.map_province == 620000
    assert gansu.map_values.set_index("adcode")["completeness"].to_dict() == {
        620123: 1.0,
        620421: 0.0,
    }
    tips = area_tips(reporting.completeness_map(gansu, "en"))
    assert tips[620123][0] == "榆中县 · Completeness: 100.0%"
    assert tips[620421][0] == "靖远县 · Completeness: 0.0%"
    assert gansu.by_county.set_index("县")["完整率"].to_dict() == {
        "榆中县": "100.0%",
        "靖远县": "0.0%",
    }


# ------------------------------------------------------------------ 7. ended agreements, past dates
AUTUMN_2025 = 20252  # the first term after the first agreements' end (2025-08-31)


def test_an_agreement_recorded_as_ended_owes_no_report_after_its_end(tmp_path):
    """Project 1 (榆中县恩玲中学) has its first agreement recorded as ended on 2025-08-31;
    project 2 (靖远县第四中学) records nothing after the same end (期满，结果未登记). For autumn
    2025, 1 is not expected (not counted, not on the worklist, said in one line), 2 still is;
    for spring 2025, inside the agreement, both are."""
    s = make_tiny(tmp_path / "ended.duckdb")
    try:
        sql(
            s,
            "INSERT INTO project_cycle (project_id, cycle_no, university_id, start_date, "
            "end_date, status, provenance) VALUES (1, 1, 1, DATE '2022-09-01', "
            "DATE '2025-08-31', 'ended', 'published')",
        )
        autumn = reporting.term_reports_content(s, GANSU, term=AUTUMN_2025)
        spring = reporting.term_reports_content(s, GANSU, term=20251)
        en = reporting.term_reports_content(s, GANSU, term=AUTUMN_2025, lang="en")
    finally:
        s.close()
    assert autumn.totals is not None and spring.totals is not None
    assert int(autumn.totals.iloc[0]["expected"]) == 1
    assert int(spring.totals.iloc[0]["expected"]) == 2
    assert autumn.worklist is not None
    assert autumn.worklist["帮扶县中"].tolist() == ["靖远县第四中学"]
    assert "1" in autumn.not_bound_line and "2025秋" in autumn.not_bound_line
    assert spring.not_bound_line == ""
    assert en.not_bound_line.startswith("1 project") and not re.search(
        r"[\u4e00-\u9fff]", en.not_bound_line
    )


def test_a_past_as_of_date_offers_no_write(tmp_path, monkeypatch):
    """数据截至 set before the data's own date: the figures are that day's, and the page offers
    neither filing nor review nor approval, with one sentence saying where to write; on the
    latest date the same viewer is offered its writes."""
    db = tmp_path / "past.duckdb"
    make_tiny(db).close()
    s = Store(db)
    try:
        past = Filters(as_of=date(2026, 3, 15))
        for viewer in (LZU, GANSU, MINISTRY):
            then = reporting.term_reports_content(s, viewer, past, AUTUMN_2025)
            assert then.past_line and "2026-03-15" in then.past_line
            assert then.to_submit == {} and then.to_review == {}
        now = reporting.term_reports_content(s, LZU, Filters(), AUTUMN_2025)
        assert now.past_line == "" and now.to_submit
    finally:
        s.close()
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("XZ_DB_PATH", str(db))
    for viewer, form in ((LZU, "rep_submit_project"), (MINISTRY, "rep_approve_province")):
        monkeypatch.setattr(ui, "viewer", lambda v=viewer: v)
        at = AppTest.from_file(str(ROOT / "views" / "reporting.py"), default_timeout=120)
        at.query_params["lang"] = "zh"
        at.query_params["asof"] = "2026-03-15"
        at.run()
        assert not at.exception, at.exception
        assert any("2026-03-15" in i.value and "数据截至" in i.value for i in at.info), [
            i.value for i in at.info
        ]
        assert form not in {w.key for w in at.selectbox}, form
        # the latest date: the form is there
        at = AppTest.from_file(str(ROOT / "views" / "reporting.py"), default_timeout=120)
        at.query_params["lang"] = "zh"
        at.run()
        assert not at.exception, at.exception
        assert form in {w.key for w in at.selectbox}, form
