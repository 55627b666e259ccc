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

import pandas as pd
import pytest
from conftest import AS_OF, ROOT, make_tiny, on_backend, table_fingerprints

from dashboard_lib import build, ingest, ui
from dashboard_lib.ingest import RecordKind
from dashboard_lib.programme import reporting
from dashboard_lib.scope import Viewer
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
        assert len(states) == 24 and set(states["状态"]) == {"审核未完成"}
    en = run_page(monkeypatch, page_db, viewer, "en")
    assert not en.exception
    assert "Completeness" in {m.label for m in en.metric}


def test_page_coordinator_files_a_report(tmp_path, monkeypatch):
    db = tmp_path / "page.duckdb"
    build.build_database(db, build.spec_for(115, None, 2022, AS_OF), progress=lambda _m: None)
    p = first_project(db)
    viewer = Viewer.university([int(p["university_id"])], name="coordinator")
    at = run_page(monkeypatch, db, viewer)
    pid = at.selectbox(key="rep_submit_project").value
    next(b for b in at.button if b.label == "报送").click().run()
    assert not at.exception
    assert any("已报送" in m.value for m in at.success), [e.value for e in at.error]
    s = Store(db)
    try:
        got = s.term_reports(viewer, 20261)
    finally:
        s.close()
    assert got["project_id"].tolist() == [pid] and got["status"].tolist() == ["submitted"]


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
