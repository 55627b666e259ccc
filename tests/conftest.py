"""Shared fixtures: the real demo database built once per run into a temporary folder, and a
small hand-made database for checking query results against values computed by hand."""

from __future__ import annotations

import itertools
import os
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from dashboard_lib import build
from dashboard_lib.store import Store

ROOT = Path(__file__).resolve().parent.parent

AS_OF = date(2026, 11, 28)
ARTIFACTS = ROOT / "artifacts"

# SQL over ``project p``: the project owes the report of a term whose middle is the bound day
# (``?``): its last agreement is not one recorded as ended before that day (written from the
# rule's words, not from programme.cycles.owing)
OWES_REPORT_SQL = """p.project_id NOT IN (
    SELECT c.project_id FROM project_cycle c
    WHERE c.status = 'ended' AND c.end_date < CAST(? AS DATE)
      AND c.cycle_no = (SELECT max(d.cycle_no) FROM project_cycle d
                        WHERE d.project_id = c.project_id))"""
# the folder a test lives in is its kind; the marker of the same name selects it (-m browser)
FOLDER_MARKERS = {"browser": ("browser", "slow"), "server": ("server", "slow"), "unit": ()}


def pytest_collection_modifyitems(config, items):
    for item in items:
        folder = Path(str(item.fspath)).parent.name
        if folder not in FOLDER_MARKERS:
            raise pytest.UsageError(
                f"{item.nodeid}: tests live in tests/unit, tests/browser or tests/server"
            )
        for name in FOLDER_MARKERS[folder]:
            item.add_marker(name)


def cycle_row(
    pid: int, uid: int, province: int, county: int, school: str, prefecture: str = "某市"
) -> dict:
    """One renewal row (cycle 2 from 2025-09-01) of a project import's Preview, as
    ``ingest.checks`` makes them: for the tests that hand the store a forged preview."""
    return {
        "project_id": pid,
        "cycle_no": 2,
        "university_id": uid,
        "school_zh": school,
        "county_adcode": county,
        "province_adcode": province,
        "prefecture_zh": prefecture,
        "start_date": date(2025, 9, 1),
        "end_date": date(2028, 8, 31),
        "signed_date": None,
        "note": None,
        "replaces": None,
        "row": 2,
    }


@pytest.fixture(autouse=True)
def _fresh_memo():
    """Each test starts like a fresh server: no page content or map remembered from another test
    (the memo is process-wide, and tests reuse database paths with other data files)."""
    from dashboard_lib import cache

    cache.clear_all()
    yield


@pytest.fixture(autouse=True, scope="session")
def _cheap_password_hashes():
    """Argon2 at its cheapest inside the test process (about 1 ms a hash instead of 0.1-0.3 s;
    hundreds of accounts are made and signed in): what is hashed and checked is the same, only
    the work factor differs. The product keeps argon2-cffi's defaults (servers the tests start
    are other processes: they verify with the parameters each hash carries);
    tests/unit/test_sessions.py checks those defaults in a fresh interpreter."""
    from argon2 import PasswordHasher

    from dashboard_lib import auth

    real, dummy = auth._HASHER, auth._DUMMY_HASH
    auth._HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    auth._DUMMY_HASH = None
    yield
    auth._HASHER, auth._DUMMY_HASH = real, dummy


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium from Debian (devkit.browser), one per test module."""
    from devkit.browser import chromium

    with chromium() as b:
        yield b


def require_postgres() -> None:
    """Skip the calling test when Debian's PostgreSQL 15 is not installed, or fail it in CI
    (``CI`` set), where .ci/run installs it: skipped locally, failing in CI."""
    from devkit import pgcluster

    if not pgcluster.available():
        msg = f"PostgreSQL 15 is not installed ({pgcluster.PG_BIN}/initdb missing)"
        if os.environ.get("CI"):
            pytest.fail(msg + "; .ci/run installs postgresql-15")
        pytest.skip(msg + ": apt-get install postgresql-15")


@pytest.fixture(scope="session")
def pg_cluster():
    """A private PostgreSQL 15 cluster (devkit.pgcluster, fsync off) for the whole run, stopped
    and removed at the end. Tests that kill or stop it must start it again."""
    require_postgres()
    import shutil

    from devkit.pgcluster import PgCluster, make_base_dir

    base = make_base_dir("xz-pytest-pg-")
    cluster = PgCluster(base, fast=True)
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()
        shutil.rmtree(base, ignore_errors=True)


_pg_db_numbers = itertools.count(1)


@pytest.fixture
def pg_url(pg_cluster) -> Iterator[str]:
    """The URL of a FRESH empty database on the session's cluster (``t_<pid>_<n>``, owned by
    the role ``xz``), dropped at the end of the test."""
    name = f"t_{os.getpid()}_{next(_pg_db_numbers)}"
    url = pg_cluster.create_database(name)
    yield url
    pg_cluster.start()  # a test that stopped or killed the server leaves it running again
    pg_cluster.drop_database(name)


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory) -> Path:
    """The embedded default database (115 projects, seed 2022, a fixed as-of date)."""
    path = tmp_path_factory.mktemp("db") / "demo.duckdb"
    build.build_database(path, build.spec_for(115, None, 2022, AS_OF), progress=lambda _m: None)
    return path


@pytest.fixture(scope="session")
def demo_store(demo_db) -> Iterator[Store]:
    store = Store(demo_db)  # same configuration as the app's own connection in this process
    yield store
    store.close()


def make_tiny(path: Path) -> Store:
    """Two provinces and the Corps, four projects, a few activities: small enough to add up by hand.

    甘肃 620000: projects 1 and 2 (university 1 and 2); 新疆 650000: project 3 (university 2);
    兵团 660000: project 4 (university 1).
    """
    s = Store(path)
    s.create_schema()
    s.bulk_insert(
        "province",
        pd.DataFrame(
            {
                "adcode": [620000, 650000, 660000, 110000],
                "name_zh": ["甘肃省", "新疆维吾尔自治区", "新疆生产建设兵团", "北京市"],
                "short_zh": ["甘肃", "新疆", "兵团", "北京"],
                "name_en": ["Gansu", "Xinjiang", "The Corps", "Beijing"],
                "region": ["western", "western", "corps", None],
                "in_programme": [True, True, True, False],
            }
        ),
    )
    s.bulk_insert(
        "county",
        pd.DataFrame(
            {
                "adcode": [620123, 620421, 650102, 659002],
                "name_zh": ["榆中县", "靖远县", "天山区", "阿拉尔市"],
                "prefecture_zh": ["兰州市", "白银市", "乌鲁木齐市", "自治区直辖"],
                "province_adcode": [620000, 620000, 650000, 660000],
                "has_boundary": [True, True, True, True],
                "lon": [104.1, 104.7, 87.6, 81.3],
                "lat": [35.8, 36.6, 43.8, 40.5],
            }
        ),
    )
    s.bulk_insert(
        "university",
        pd.DataFrame(
            {
                "university_id": [1, 2],
                "name_zh": ["兰州大学", "北京师范大学"],
                "name_en": ["LZU", "BNU"],
                "kind": ["university", "university"],
                "district_adcode": [620102, 110108],
                "lon": [103.8, 116.3],
                "lat": [36.0, 39.9],
                "host_basis": ["published", "published"],
            }
        ),
    )
    s.bulk_insert(
        "project",
        pd.DataFrame(
            {
                "project_id": [1, 2, 3, 4],
                "university_id": [1, 2, 2, 1],
                "school_zh": ["榆中县恩玲中学", "靖远县第四中学", "天山区某中学", "塔里木高级中学"],
                "county_adcode": [620123, 620421, 650102, 659002],
                "province_adcode": [620000, 620000, 650000, 660000],
                "provenance": ["published", "simulated", "simulated", "published"],
                "source_url": ["https://example.org/a", None, None, "https://example.org/b"],
            }
        ),
    )
    d = pd.Timestamp
    s.bulk_insert(
        "milestone",
        pd.DataFrame(
            {
                "project_id": [1, 2, 3, 4],
                "kind": ["signed"] * 4,
                "due_date": [d("2022-07-31").date()] * 4,
                "done_date": [
                    d("2022-07-01").date(),
                    d("2022-08-05").date(),
                    d("2022-07-31").date(),
                    None,
                ],
                "date_precision": ["month", "day", "day", "day"],
                "provenance": ["published", "simulated", "simulated", "simulated"],
            }
        ),
    )
    acts = pd.DataFrame(
        [
            # id, project, kind, start, people, person_months, participants, provenance
            (1, 1, "dispatch", "2022-09-01", 1, 5.0, None, "simulated"),
            (2, 1, "dispatch", "2023-02-20", 1, 4.0, None, "simulated"),
            (3, 1, "training", "2022-10-10", None, None, 40, "simulated"),
            (4, 2, "training", "2023-03-01", None, None, 25, "simulated"),
            (5, 2, "internship", "2023-03-01", 9, 18.0, None, "published"),
            (6, 3, "dispatch", "2022-09-01", 1, 3.0, None, "simulated"),
            (7, 4, "guidance_visit", "2023-03-15", 6, None, None, "simulated"),
            (8, 4, "internship", "2024-03-01", 5, 10.0, None, "simulated"),
        ],
        columns=[
            "activity_id",
            "project_id",
            "kind",
            "start_date",
            "people",
            "person_months",
            "participants",
            "provenance",
        ],
    )
    acts["start_date"] = pd.to_datetime(acts["start_date"]).dt.date
    acts["direction"] = "to_county"
    acts["people"] = acts["people"].astype("Int32")
    acts["participants"] = acts["participants"].astype("Int32")
    s.bulk_insert("activity", acts)
    return s


@pytest.fixture
def tiny_store(tmp_path) -> Iterator[Store]:
    s = make_tiny(tmp_path / "tiny.duckdb")
    yield s
    s.close()


class ReadsFromPostgres(Store):
    """A replica's store (PostgreSQL the system of record, issue 15) whose reads ALSO go to
    PostgreSQL: the write tests read back at once what they wrote, without waiting for the
    snapshot job (whose publishing tests/unit/test_pg_deploy.py checks on its own)."""

    def _df(self, sql: str, params: list | tuple = ()) -> pd.DataFrame:
        return self._sor_df(sql, params)

    def _scalar(self, sql: str, params: list | tuple = ()):
        return self._sor_scalar(sql, params)


def on_backend(store: Store, backend: str, request) -> Store:
    """``store`` as it is (``duckdb``), or its data loaded into a fresh PostgreSQL database and
    a store writing there (``postgresql``): the same write tests run on both backends."""
    if backend == "duckdb":
        return store
    from dashboard_lib.store.pgsync import init_database

    url = request.getfixturevalue("pg_url")
    path = store.path
    store.close()
    assert init_database(url, path) == "created"
    return ReadsFromPostgres(path, read_only=True, database_url=url)


def run_sql(store: Store, sql: str, params: list | tuple = ()) -> None:
    """A statement a test runs behind the app's back, on the store's system of record."""
    if store.writer is not None:
        with store.writer.transaction() as cur:
            cur.execute(sql, params)
    else:
        store._con.execute(sql, list(params))


def table_fingerprints(store: Store, tables=None) -> dict[str, tuple[int, str]]:
    """Row count and a hash of the sorted content of every table of ``store`` (or of
    ``tables``): what "the database is exactly as it was" means in a test."""
    if tables is None:
        tables = store._df(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = current_schema() ORDER BY 1"
        )["table_name"].tolist()
    out = {}
    for name in tables:
        r = store._df(f"""SELECT count(*) AS n,
                                 md5(coalesce(string_agg(x::VARCHAR, chr(10) ORDER BY x::VARCHAR), '')) AS h
                          FROM "{name}" x""").iloc[0]
        out[name] = (int(r["n"]), str(r["h"]))
    return out


def hold_write_lock(db: Path, ready: Path, seconds: int = 120):
    """Another process holding the database's write lock inside an open transaction, as a
    running import or the dashboard server does; returned once it holds it (kill it after)."""
    import subprocess
    import textwrap
    import time

    code = textwrap.dedent(f"""
        import duckdb, pathlib, time
        con = duckdb.connect({str(db)!r})
        con.execute("BEGIN TRANSACTION")
        con.execute("UPDATE meta SET value = value WHERE key = 'schema_version'")
        pathlib.Path({str(ready)!r}).touch()
        time.sleep({seconds})
    """)
    proc = subprocess.Popen([sys.executable, "-c", code])
    deadline = time.time() + 60
    while not ready.exists():
        if time.time() > deadline or proc.poll() is not None:
            proc.kill()
            raise AssertionError(f"the lock holder did not take {db.name}'s lock")
        time.sleep(0.05)
    return proc


def as_shown(markdown: str) -> str:
    """What a Markdown body shows: backslash escapes resolved, our invisible joiners removed
    (``dashboard_lib.textsafe.md``)."""
    import re

    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown).replace("\u2060", "")


def markdown_bodies(at) -> list[str]:
    """Every Markdown body an AppTest run shows (titles, headers, text, captions, alerts)."""
    out = []
    for group in (
        at.title,
        at.header,
        at.subheader,
        at.markdown,
        at.caption,
        at.info,
        at.warning,
        at.error,
        at.success,
    ):
        out += [str(e.value) for e in group]
    return out


def assert_no_raw_markup(bodies: list[str], markers) -> None:
    """No marker survives as Markdown: escaped characters (``\\<``) and our invisible joiner
    after them (``textsafe.md``) do not count."""
    import re

    for body in bodies:
        live = re.sub(r"\\[!-/:-@\[-`{-~]", "\x00", body).replace("\x00\u2060", "\x00")
        for marker in markers:
            assert marker not in live, (marker, body)


def run_page(page: str, query: dict | None = None):
    """Run ``views/<page>`` once in Streamlit's AppTest, with URL parameters set first."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "views" / page), default_timeout=90)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    return at.run()


def metric(at, label: str) -> str:
    """The shown value of the KPI card labelled ``label``."""
    return next(m.value for m in at.metric if m.label == label)
