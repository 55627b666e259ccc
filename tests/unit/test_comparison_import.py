"""Importing comparison schools' outcome rows (issue 16, part 4) through the real import path
(read, check, commit, undo), on DuckDB and on PostgreSQL: row-by-row reasons naming row and
column in the user's language; a 甘肃 official imports 甘肃's, never another province's; a
university imports none; a forged preview outside the scope is refused inside the transaction
with the database unchanged; undo removes the rows and the schools the batch added.

The tiny database (conftest.make_tiny): 甘肃 620000 with 榆中县 (project 1, 榆中县恩玲中学) and 靖远县
(project 2, 靖远县第四中学); 新疆 650000 (天山区, project 3); 兵团 660000 (project 4).
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from conftest import make_tiny, on_backend, table_fingerprints

from dashboard_lib import ingest
from dashboard_lib.ingest import RecordKind
from dashboard_lib.programme import comparison as cmp
from dashboard_lib.scope import Filters, Viewer
from dashboard_lib.store import StoreError

TODAY = date(2026, 11, 28)
GANSU = Viewer.province(620000, name="gansu-official")
XINJIANG = Viewer.province(650000, name="xinjiang-official")
LZU = Viewer.university([1], name="lzu-coordinator")
MINISTRY = Viewer.ministry("ministry-boss")
TABLES = ["comparison_school", "comparison_outcome", "import_batch", "outcome", "project"]
KIND = RecordKind.COMPARISON.value

GOOD = """省份,县,学校名称,学年,指标,数值
甘肃,榆中县,榆中县第二中学,2021,本科上线率,30.0
甘肃,榆中县,榆中县第二中学,2024,本科上线率,33.5
甘肃,靖远县,靖远县第一中学,2021,本科上线率,41.0
甘肃,靖远县,靖远县第一中学,2024,本科上线率,42.0
"""
BAD = """省份,县,学校名称,学年,指标,数值
甘肃,榆中县,榆中县第二中学,2021,本科上线率,30.0
甘肃,榆中县,榆中县第二中学,2021,本科上线率,30.0
甘肃,不存在县,某中学,2021,本科上线率,30.0
新疆,天山区,天山区第九中学,2021,本科上线率,30.0
甘肃,靖远县,靖远县第四中学,2021,本科上线率,30.0
甘肃,榆中县,榆中县第二中学,2021,升学率,30.0
甘肃,榆中县,榆中县第二中学,2022,本科上线率,130
甘肃,榆中县,,2022,本科上线率,30
"""


@pytest.fixture(params=["duckdb", "postgresql"])
def store(tmp_path, request):
    s = on_backend(make_tiny(tmp_path / "cmp.duckdb"), request.param, request)
    yield s
    s.close()


def imp(store, viewer, text: str, name: str = "cmp.csv"):
    return ingest.import_file(store, viewer, KIND, text.encode("utf-8"), name, today=TODAY)


def test_a_province_imports_its_comparison_schools_and_undoes_them(store):
    before = table_fingerprints(store, TABLES)
    pv, batch = imp(store, GANSU, GOOD)
    assert (pv.total_rows, pv.n_accepted, pv.n_rejected) == (4, 4, 0)
    assert batch is not None
    schools = store.comparison_schools(GANSU).sort_values("school_zh")
    assert schools["school_zh"].tolist() == ["榆中县第二中学", "靖远县第一中学"]
    assert set(schools["provenance"]) == {"imported"}
    assert schools["county_adcode"].tolist() == [620123, 620421]
    rows = store._sor_df("SELECT import_batch_id, provenance FROM comparison_outcome")
    assert len(rows) == 4 and set(rows["import_batch_id"]) == {batch}
    assert set(rows["provenance"]) == {"imported"}
    # the same file again: nothing more; another province and the demo do not see them
    assert imp(store, GANSU, GOOD)[1] is None
    assert store.comparison_schools(XINJIANG).empty
    assert store.comparison_schools(Viewer.demo()).empty
    assert len(store.comparison_schools(LZU)) == 2  # 兰州大学's project lies in 甘肃
    store.undo_batch(GANSU, batch)
    assert table_fingerprints(store, TABLES[:2] + ["outcome", "project"]) == {
        k: v for k, v in before.items() if k != "import_batch"
    }


def test_every_bad_row_is_named_by_row_and_column(store):
    before = table_fingerprints(store, TABLES)
    pv = ingest.prepare(store, GANSU, KIND, BAD.encode("utf-8"), "bad.csv", today=TODAY)
    assert pv.n_accepted == 1
    got = {(p.row, p.column, p.reason) for p in pv.problems}
    assert got == {
        (3, "", "ingest_r_dup_in_file"),
        (4, "county", "ingest_r_unknown_county"),
        (5, "province", "ingest_r_out_of_scope"),
        (6, "school", "ingest_r_cmp_programme_school"),
        (7, "indicator", "ingest_r_bad_choice"),
        (8, "value", "ingest_r_absurd"),
        (9, "school", "ingest_r_missing"),
    }
    zh = ingest.problems_frame(pv, "zh")
    six = zh[zh["行号"] == 6].iloc[0]
    assert (six["列"], six["原因"]) == ("学校名称", "这是托管帮扶项目学校，不能作为对照学校")
    en = ingest.problems_frame(pv, "en")
    assert en[en["Row"] == 5].iloc[0]["Column"] == "Province"
    assert table_fingerprints(store, TABLES) == before  # checking writes nothing


@pytest.mark.parametrize(
    "who, rows, key",
    [
        ("gansu", [("天山区第九中学", 650102, 650000)], "cmp_out_of_scope"),  # forged: 新疆
        ("lzu", [("榆中县第二中学", 620123, 620000)], "cmp_only_province"),  # a university
        ("gansu", [("靖远县第四中学", 620421, 620000)], "cmp_is_programme_school"),
        ("gansu", [("某中学", 650102, 620000)], "store_county_outside_province"),
    ],
)
def test_a_forged_preview_is_refused_with_the_database_unchanged(store, who, rows, key):
    viewer = {"gansu": GANSU, "lzu": LZU}[who]
    acc = pd.DataFrame(
        [
            {
                "school_zh": s,
                "county_adcode": c,
                "province_adcode": p,
                "school_year": 2021,
                "indicator": "admission_rate",
                "value": 30.0,
                "row": 2,
            }
            for s, c, p in rows
        ]
    )
    preview = ingest.Preview(RecordKind.COMPARISON, acc, [], len(acc))
    before = table_fingerprints(store, TABLES)
    with pytest.raises(StoreError) as err:
        store.import_commit(viewer, preview, "forged.csv", "sha-forged")
    assert err.value.key == key
    assert table_fingerprints(store, TABLES) == before


def test_university_is_not_offered_the_kind_and_its_rows_are_refused(store):
    assert RecordKind.COMPARISON not in ingest.import_kinds(LZU)
    assert RecordKind.COMPARISON in ingest.import_kinds(GANSU)
    assert RecordKind.COMPARISON not in ingest.import_kinds(Viewer.demo())
    pv = ingest.prepare(store, LZU, KIND, GOOD.encode("utf-8"), "cmp.csv", today=TODAY)
    assert pv.n_accepted == 0
    assert {p.reason for p in pv.problems} == {"ingest_r_out_of_scope"}


def test_undo_is_scoped_and_waits_for_later_batches(store):
    _, first = imp(store, GANSU, GOOD)
    more = GOOD.splitlines()[0] + "\n甘肃,榆中县,榆中县第二中学,2023,本科上线率,32.0\n"
    _, second = imp(store, MINISTRY, more, "more.csv")
    assert first is not None and second is not None
    with pytest.raises(StoreError) as err:  # another province cannot even see the batch
        store.undo_batch(XINJIANG, first)
    assert err.value.key == "store_batch_not_found"
    before = table_fingerprints(store, TABLES)
    with pytest.raises(StoreError) as err:  # the second batch wrote to a school the first made
        store.undo_batch(GANSU, first)
    assert err.value.key == "store_undo_later_first"
    assert table_fingerprints(store, TABLES) == before
    store.undo_batch(MINISTRY, second)
    store.undo_batch(GANSU, first)
    assert store.comparison_schools(MINISTRY).empty


def test_the_figure_reads_the_imported_rows(store):
    """Programme outcomes written behind the app's back; the DiD of 甘肃 by hand."""
    from conftest import run_sql

    for pid, year, value in ((1, 2021, 30.0), (1, 2024, 36.0), (2, 2021, 40.0), (2, 2024, 41.0)):
        run_sql(
            store,
            "INSERT INTO outcome (project_id, school_year, indicator, value, provenance) "
            "VALUES (?, ?, 'admission_rate', ?, 'simulated')",
            [pid, year, value],
        )
    imp(store, GANSU, GOOD)
    res = cmp.content(store, GANSU, Filters(), "zh").results
    g = res[(res["area"] == 620000) & (res["indicator"] == "admission_rate")].iloc[0]
    # programme +6 and +1 (mean 3.5); 榆中县第二中学 (30 → 33.5, +3.5) pairs with project 1
    # (baseline 30), 靖远县第一中学 (41 → 42, +1.0) with project 2 (40): mean 2.25
    assert (g["n_programme"], g["n_comparison"]) == (2, 2)
    assert g["did"] == pytest.approx(3.5 - 2.25)
