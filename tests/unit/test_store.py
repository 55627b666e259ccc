"""The data layer: query results against values added up by hand, and opening a bad file."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest
from conftest import make_tiny

from dashboard_lib.scope import Filters, Viewer
from dashboard_lib.store import SCHEMA_VERSION, StoreError, open_store

ALL = Viewer.ministry()


def by_key(df):
    return {int(k): r for k, r in zip(df["key"], df.to_dict("records"))}


def test_totals_match_hand_computed(tiny_store):
    row = tiny_store.metrics(ALL).iloc[0]
    assert row["projects"] == 4
    assert row["universities"] == 2
    assert row["provinces"] == 3
    assert row["people_dispatched"] == 3
    assert row["person_months"] == pytest.approx(12.0)
    assert row["trainings"] == 2
    assert row["training_participants"] == 65
    assert row["interns"] == 14
    assert row["guidance_visits"] == 1
    # 2022-07 (month precision) counts as on time; 2022-08-05 is late; the deadline day is on time
    assert (row["signed_on_time"], row["signed_known"]) == (2, 3)


def test_per_province_keeps_corps_apart_from_xinjiang(tiny_store):
    rows = by_key(tiny_store.metrics(ALL, by="province"))
    assert set(rows) == {620000, 650000, 660000}
    assert rows[620000]["projects"] == 2 and rows[620000]["person_months"] == pytest.approx(9.0)
    assert rows[650000]["projects"] == 1 and rows[650000]["people_dispatched"] == 1
    assert rows[660000]["projects"] == 1 and rows[660000]["interns"] == 5
    assert rows[660000]["signed_known"] == 0


def test_date_range_and_provenance_filters(tiny_store):
    since_2023 = by_key(tiny_store.metrics(ALL, Filters(date_from=date(2023, 1, 1)), by="province"))
    assert since_2023[620000]["people_dispatched"] == 1
    assert since_2023[620000]["person_months"] == pytest.approx(4.0)
    assert since_2023[620000]["training_participants"] == 25
    published = tiny_store.metrics(ALL, Filters(provenance=("published",))).iloc[0]
    assert published["projects"] == 2
    assert (
        published["activities"] == 0
    )  # project 2's published internship is not a published project's


def test_province_viewer_cannot_widen_scope_with_a_filter(tiny_store):
    gansu = Viewer.province(620000)
    assert tiny_store.projects(gansu, Filters(provinces=(650000,))).empty
    assert tiny_store.metrics(gansu, Filters(provinces=(650000,))).iloc[0]["projects"] == 0
    assert set(tiny_store.projects(gansu)["province_adcode"]) == {620000}


def test_university_viewer_sees_only_its_projects(tiny_store):
    lzu = Viewer.university([1])
    assert sorted(tiny_store.projects(lzu)["project_id"]) == [1, 4]
    assert tiny_store.metrics(lzu).iloc[0]["interns"] == 5


def test_parameters_are_bound_not_pasted(tiny_store):
    nasty = Filters(provenance=("published') OR TRUE --",))
    assert tiny_store.projects(ALL, nasty).empty


# ---------------------------------------------------------------- opening files
def _builder(calls):
    def build(path):
        calls.append(path)
        make_tiny(path).close()

    return build


def test_missing_file_is_built(tmp_path):
    calls = []
    res = open_store(tmp_path / "x.duckdb", _builder(calls))
    assert len(calls) == 1 and res.notices
    assert res.store.schema_version() == SCHEMA_VERSION
    res.store.close()


def test_corrupt_file_is_moved_aside_and_rebuilt(tmp_path):
    path = tmp_path / "x.duckdb"
    path.write_bytes(b"this is not a database" * 100)
    calls = []
    res = open_store(path, _builder(calls))
    assert calls == [path]
    assert any(p.name.startswith("x.duckdb.corrupt-") for p in tmp_path.iterdir())
    assert res.store.metrics(ALL).iloc[0]["projects"] == 4
    assert "损坏" in res.notices[0][0] or "无法读取" in res.notices[0][0]
    res.store.close()


def test_old_version_without_imports_is_rebuilt(tmp_path):
    path = tmp_path / "x.duckdb"
    make_tiny(path).close()
    con = duckdb.connect(str(path))
    con.execute("UPDATE meta SET value = '0' WHERE key = 'schema_version'")
    con.close()
    calls = []
    res = open_store(path, _builder(calls))
    assert calls == [path] and res.store.schema_version() == SCHEMA_VERSION
    res.store.close()


def test_old_version_with_imported_data_is_refused_untouched(tmp_path):
    path = tmp_path / "x.duckdb"
    make_tiny(path).close()
    con = duckdb.connect(str(path))
    con.execute("UPDATE meta SET value = '0' WHERE key = 'schema_version'")
    con.execute("INSERT INTO import_batch (import_batch_id, created_at) VALUES (1, now())")
    con.close()
    before = path.read_bytes()
    with pytest.raises(StoreError) as err:
        open_store(path, _builder([]))
    assert "版本" in err.value.zh and "version" in err.value.en
    assert path.read_bytes() == before


def test_file_locked_by_another_process_is_one_clear_sentence(tmp_path):
    """Another process (a running import, the CLI) holds the file's write lock."""
    import subprocess
    import sys

    path = tmp_path / "x.duckdb"
    make_tiny(path).close()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); "
            "print('ready', flush=True); time.sleep(30)",
            str(path),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ready"
        with pytest.raises(StoreError) as err:
            open_store(path, _builder([]))
        assert "占用" in err.value.zh
    finally:
        holder.kill()
        holder.wait()


def test_one_store_serves_many_threads(tiny_store):
    """Streamlit runs each session's script in its own thread against the shared Store."""
    from concurrent.futures import ThreadPoolExecutor

    viewers = [Viewer.province(620000), Viewer.province(650000), Viewer.province(660000), ALL] * 25
    expected = {620000: 2, 650000: 1, 660000: 1, None: 4}
    with ThreadPoolExecutor(max_workers=8) as pool:
        got = list(pool.map(lambda v: int(tiny_store.metrics(v).iloc[0]["projects"]), viewers))
    assert got == [
        expected[None if v.provinces is None else next(iter(v.provinces))] for v in viewers
    ]


def test_missing_data_is_one_sentence_on_screen(tmp_path, monkeypatch):
    """A database that must be built but cannot be: the page shows an error, not a traceback."""
    from conftest import ROOT
    from streamlit.testing.v1 import AppTest

    from dashboard_lib import build

    monkeypatch.setenv("XZ_DB_PATH", str(tmp_path / "new.duckdb"))
    monkeypatch.setattr(build, "DATA_DIR", tmp_path / "nowhere")
    at = AppTest.from_file(str(ROOT / "views" / "overview.py"), default_timeout=60).run()
    assert not at.exception
    assert at.error and "数据库不可用" in at.error[0].value
