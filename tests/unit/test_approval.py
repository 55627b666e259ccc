"""Every figure says whether it is approved or provisional (issue 16, part 2): the rule
(``programme.approval``) against cases worked out by hand; the pages' content after the
ministry approved one province's term, on both backends, with the CSV / XLSX downloads read back;
the pages themselves in both languages.

The tiny database (conftest.make_tiny) has eight activity rows:

    id project province term          id project province term
    1  1       甘肃     2022秋        5  2       甘肃     2023春
    2  1       甘肃     2023春        6  3       新疆     2022秋
    3  1       甘肃     2022秋        7  4       兵团     2023春
    4  2       甘肃     2023春        8  4       兵团     2024春

Approving 甘肃's spring 2023 approves rows 2, 4 and 5: project 1 has 1 of its 3 rows approved
(33%), project 2 both of its 2, projects 3 and 4 none; of all eight rows 3 are approved (37.5%,
shown as 38%); of the spring 2023 rows (2, 4, 5, 7) three of four (75%).
"""

from __future__ import annotations

import io
import re
from datetime import datetime

import openpyxl
import pandas as pd
import pytest
from conftest import make_tiny, on_backend
from conftest import run_page as run

from dashboard_lib import cache, explorer, exports, overview, programme
from dashboard_lib.i18n import t
from dashboard_lib.maps.cards import cards_html
from dashboard_lib.programme import approval
from dashboard_lib.programme.approval import APPROVED, PARTLY, PROVISIONAL, Status
from dashboard_lib.scope import Filters, Viewer
from dashboard_lib.store import Store
from dashboard_lib.store import reporting as store_reporting

HAN = re.compile(r"[\u4e00-\u9fff]")
GANSU = Viewer.province(620000, name="gansu-official")
LZU = Viewer.university([1], name="lzu-coordinator")
BNU = Viewer.university([2], name="bnu-coordinator")
MINISTRY = Viewer.ministry("ministry-boss")
SPRING = 20231
COL = {"zh": "数据状态", "en": "Data status"}


# ------------------------------------------------------------------ 1. the rule, by hand
@pytest.mark.parametrize(
    "approved, total, state, zh, en",
    [
        (0, 0, PROVISIONAL, "暂定", "Provisional"),  # nothing behind it: nothing approved
        (0, 5, PROVISIONAL, "暂定", "Provisional"),
        (5, 5, APPROVED, "已批准", "Approved"),
        (3, 8, PARTLY, "部分已批准（38%）", "Partly approved (38%)"),
        (1, 3, PARTLY, "部分已批准（33%）", "Partly approved (33%)"),
        (1, 1000, PARTLY, "部分已批准（1%）", "Partly approved (1%)"),  # never "0%"
        (999, 1000, PARTLY, "部分已批准（99%）", "Partly approved (99%)"),  # never "100%"
    ],
)
def test_state_of_a_figure(approved, total, state, zh, en):
    s = Status(approved, total)
    assert s.state == state
    assert s.label("zh") == zh and s.label("en") == en
    assert s.caption("zh").startswith("数据状态：") and not HAN.search(s.caption("en"))


def test_captions_say_what_the_state_means():
    assert Status(0, 4).caption("zh") == "数据状态：暂定（尚未经教育部批准）"
    assert Status(0, 4).caption("en") == (
        "Data status: provisional (not yet approved by the ministry)"
    )
    assert "40%" in Status(2, 5).caption("zh") and "40%" in Status(2, 5).caption("en")


def test_activity_rows_by_their_term_and_province():
    pairs = frozenset({(20231, 620000)})
    rows = pd.DataFrame(
        {
            "term_code": [20231, 20231, 20222, 20232],
            "province_adcode": [620000, 650000, 620000, 620000],
        }
    )
    assert approval.activity_rows(rows, pairs).tolist() == [True, False, False, False]


def test_an_outcome_row_needs_both_terms_of_its_school_year():
    """School year 2022 = autumn 2022 (20222) + spring 2023 (20231)."""
    rows = pd.DataFrame(
        {"school_year": [2022, 2022, 2023], "province_adcode": [620000, 650000, 620000]}
    )
    assert approval.outcome_terms(2022) == (20222, 20231)
    half = frozenset({(20231, 620000)})
    both = frozenset({(20222, 620000), (20231, 620000)})
    assert approval.outcome_rows(rows, half).tolist() == [False, False, False]
    assert approval.outcome_rows(rows, both).tolist() == [True, False, False]


def test_aggregates_count_rows_not_people():
    """Two count rows of 甘肃: 4 activity rows of an approved term, 1 of an open one."""
    counts = pd.DataFrame(
        {
            "project_id": [1, 1, 2],
            "term_code": [20231, 20232, 20232],
            "n": [4, 1, 2],
            "people": [100, 1, 7],
        }
    )
    projects = pd.DataFrame({"project_id": [1, 2], "province_adcode": [620000, 650000]})
    marked = approval.marked_counts(counts, projects, frozenset({(20231, 620000)}))
    assert approval.overall(marked) == Status(4, 7)
    per = approval.by_key(marked, "project_id")
    assert per == {1: Status(4, 5), 2: Status(0, 2)}
    assert approval.labels_for([1, 2, 3], per, "zh") == ["部分已批准（80%）", "暂定", "暂定"]
    per_term = approval.by_key(marked, ["project_id", "term_code"])
    assert per_term[(1, 20231)].state == APPROVED


def test_approved_pairs_leave_out_reopened_terms():
    frame = pd.DataFrame(
        {
            "term": [20231, 20222],
            "province_adcode": [620000, 620000],
            "approved_at": [datetime(2023, 9, 1), datetime(2023, 3, 1)],
            "reopened_at": [None, datetime(2023, 4, 1)],
        }
    )
    assert approval.approved_pairs(frame) == frozenset({(20231, 620000)})


# ------------------------------------------------------------------ 2. the pages' content
@pytest.fixture(params=["duckdb", "postgresql"])
def store(tmp_path, request, monkeypatch):
    monkeypatch.setattr(store_reporting, "_now", lambda: datetime(2023, 9, 12, 16, 45))
    s = on_backend(make_tiny(tmp_path / "appr.duckdb"), request.param, request)
    if request.param == "postgresql":
        # a replica as deployed: programme data from its snapshot (the DuckDB file, unchanged
        # here), the workflow from PostgreSQL — the approvals must show without a new snapshot
        path, url = s.path, request.getfixturevalue("pg_url")
        s.close()
        s = Store(path, read_only=True, database_url=url)
    cache.clear_all()
    yield s
    cache.clear_all()
    s.close()


def approve_gansu_spring(store) -> None:
    store.submit_term_report(LZU, 1, SPRING)
    store.submit_term_report(BNU, 2, SPRING)
    store.review_term_report(GANSU, 1, SPRING, True)
    store.review_term_report(GANSU, 2, SPRING, True)
    store.approve_term(MINISTRY, SPRING, 620000)


def by_school(frame: pd.DataFrame, lang: str) -> dict[str, str]:
    return dict(zip(frame[t("col_school", lang)], frame[COL[lang]]))


def read_back(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[tuple]]:
    """The CSV and the XLSX the download buttons give (``exports``), read back."""
    csv = pd.read_csv(io.BytesIO(exports.csv_bytes(frame)), encoding="utf-8-sig")
    ws = openpyxl.load_workbook(io.BytesIO(exports.xlsx_bytes(frame, "t"))).active
    return csv, list(ws.iter_rows(values_only=True))


def test_one_provinces_approved_term_on_every_page(store):
    before = cache.approvals(store, MINISTRY)
    assert before == frozenset()
    approve_gansu_spring(store)
    pairs = cache.approvals(store, MINISTRY)  # at once: keyed by the approval stamp
    assert pairs == frozenset({(SPRING, 620000)})
    assert cache.approvals(store, Viewer.province(650000)) == frozenset()  # scoped

    # overview: the cards' line and the project list (and its CSV / XLSX)
    for lang in ("zh", "en"):
        view = overview.content(store, MINISTRY, Filters(), lang, pairs)
        assert view.kpi_status == Status(3, 8).caption(lang)
        assert by_school(view.table, lang) == {
            "榆中县恩玲中学": Status(1, 3).label(lang),
            "靖远县第四中学": t("approval_approved", lang),
            "天山区某中学": t("approval_provisional", lang),
            "塔里木高级中学": t("approval_provisional", lang),
        }
    view = overview.content(store, MINISTRY, Filters(), "zh", pairs)
    csv, sheet = read_back(view.table)
    assert csv["数据状态"].tolist() == ["部分已批准（33%）", "已批准", "暂定", "暂定"]
    col = sheet[0].index("数据状态")
    assert [r[col] for r in sheet[1:]] == ["部分已批准（33%）", "已批准", "暂定", "暂定"]

    # progress: per term (spring 2023: 3 of its 4 rows), per project, the outcome line
    prog = programme.progress_content(store, MINISTRY, Filters(), "zh", None, pairs)
    assert prog.below is not None and prog.grid is not None
    assert prog.attention is not None and prog.late is not None
    below = dict(zip(prog.below["学期"], prog.below["数据状态"]))
    assert below["2023春"] == "部分已批准（75%）" and below["2022秋"] == "暂定"
    grid = dict(zip(prog.grid.download["项目"], prog.grid.download["数据状态"]))
    assert grid == {1: "部分已批准（33%）", 2: "已批准", 3: "暂定", 4: "暂定"}
    assert "数据状态" in prog.attention.download.columns
    assert set(prog.late.download["数据状态"]) == {"暂定"}  # milestones belong to no term
    csv, _ = read_back(prog.grid.download)
    assert csv["数据状态"].tolist() == list(grid.values())

    # dossier: every activity by its own term; another province's project stays provisional
    d1 = programme.dossier_content(store, MINISTRY, Filters(), 1, "en", pairs)
    assert d1 is not None
    acts = d1.activities.frame
    assert dict(zip(acts["Start"], acts["Data status"])) == {
        "2022-09-01": "Provisional",
        "2022-10-10": "Provisional",
        "2023-02-20": "Approved",
    }
    assert d1.timeline_status == Status(1, 3).caption("en")
    d3 = programme.dossier_content(store, MINISTRY, Filters(), 3, "zh", pairs)
    assert d3 is not None and set(d3.activities.frame["数据状态"]) == {"暂定"}
    _, sheet = read_back(d1.activities.frame)
    col = sheet[0].index("Data status")
    assert sorted(r[col] for r in sheet[1:]) == ["Approved", "Provisional", "Provisional"]

    # exchanges and internships: per province, per university
    ex = programme.exchanges_content(store, MINISTRY, Filters(), "zh", None, pairs)
    prov = ex.by_province
    assert prov is not None
    rows = dict(zip(zip(prov["省份"], prov["帮扶方式"]), prov["数据状态"]))
    assert rows[("甘肃", "派驻团队")] == "部分已批准（50%）"  # rows 1 (autumn) and 2 (spring)
    assert rows[("新疆", "派驻团队")] == "暂定"
    it = programme.internships_content(store, MINISTRY, Filters(), "zh", None, pairs)
    assert it.by_university is not None
    assert dict(zip(it.by_university["托管高校"], it.by_university["数据状态"])) == {
        "北京师范大学": "已批准",  # row 5: 甘肃, spring 2023
        "兰州大学": "暂定",  # row 8: 兵团, spring 2024
    }

    # the map explorer's project cards: the headline's state after it, in the card's language
    for county, school, state in (
        (620123, "榆中县恩玲中学", Status(1, 3)),  # project 1: one of its three rows
        (620421, "靖远县第四中学", Status(2, 2)),  # project 2: both rows in spring 2023
    ):
        for lang in ("zh", "en"):
            state_view = explorer.ViewState("county", 620000, county)
            cards = explorer.view_data(store, MINISTRY, Filters(), state_view, lang).cards
            (card,) = cards
            assert card["school"] == school and card["approval"] == state.label(lang)
            html = cards_html(cards, lang)
            around = f"（{state.label(lang)}）" if lang == "zh" else f" ({state.label(lang)})"
            assert around in html, html
    outside = explorer.view_data(
        store, MINISTRY, Filters(), explorer.ViewState("county", 650000, 650102), "zh"
    ).cards
    assert [c["approval"] for c in outside] == [t("approval_provisional", "zh")]

    # reopened: provisional again, at once
    store.reopen_term(MINISTRY, SPRING, 620000, "更正派驻人数")
    assert cache.approvals(store, MINISTRY) == frozenset()
    view = overview.content(store, MINISTRY, Filters(), "zh", cache.approvals(store, MINISTRY))
    assert set(view.table["数据状态"]) == {"暂定"}


def test_the_content_reads_the_approvals_itself_when_not_given(store):
    approve_gansu_spring(store)
    view = overview.content(store, GANSU, Filters(), "zh")
    assert by_school(view.table, "zh") == {
        "榆中县恩玲中学": "部分已批准（33%）",
        "靖远县第四中学": "已批准",
    }


# ------------------------------------------------------------------ 3. the pages
@pytest.mark.parametrize("page", ["overview.py", "dossier.py", "progress.py"])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_pages_show_the_marker_in_their_language(demo_db, monkeypatch, page, lang):
    """The demo approves nothing: every marker says provisional, in the page's language only."""
    monkeypatch.setenv("XZ_DB_PATH", str(demo_db))
    at = run(page, {"lang": lang, "project": "1"})
    assert not at.exception, at.exception
    caption = t("approval_caption_provisional", lang)
    assert caption in [c.value for c in at.caption]
    tables = [d.value for d in at.dataframe if COL[lang] in d.value.columns]
    assert tables, "no table with the status column"
    for frame in tables:
        assert set(frame[COL[lang]]) == {t("approval_provisional", lang)}
    if lang == "en":
        assert not any(HAN.search(c.value) for c in at.caption if "Data status" in c.value)
