"""devkit.pgcluster, the throwaway PostgreSQL 15 cluster the PostgreSQL tests and
scripts/deploy_local.sh run on: it starts (as the postgres user when we are root), answers,
survives a restart and a SIGKILL of its postmaster with every committed row, listens on
127.0.0.1 only, and the ``pg_url`` fixture hands each test a database of its own.

Skipped when PostgreSQL is not installed, failed in CI (conftest.require_postgres)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from conftest import require_postgres


@pytest.fixture(scope="module")
def cluster():
    """A cluster of this module's own (the tests kill and restart it), fsync on."""
    require_postgres()
    from devkit.pgcluster import PgCluster, make_base_dir

    base = make_base_dir("xz-test-pgcluster-")
    c = PgCluster(base)
    c.start()
    yield c
    c.stop()
    shutil.rmtree(base, ignore_errors=True)


def _one(url: str, sql: str):
    with psycopg.connect(url, connect_timeout=10) as con:
        return con.execute(sql).fetchone()


def _owner_uid(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    line = next(x for x in status.splitlines() if x.startswith("Uid:"))
    return int(line.split()[1])


def test_the_cluster_starts_and_answers_as_the_application_role(cluster):
    assert cluster.url == f"postgresql://xz@127.0.0.1:{cluster.port}/xz"
    assert _one(cluster.url, "SELECT 1") == (1,)
    assert _one(cluster.url, "SELECT current_user, current_database()") == ("xz", "xz")
    # the application role owns its database, may create databases, and is not a superuser
    assert _one(
        cluster.url,
        "SELECT r.rolsuper, r.rolcreatedb, pg_get_userbyid(d.datdba) FROM pg_roles r, "
        "pg_database d WHERE r.rolname = 'xz' AND d.datname = 'xz'",
    ) == (False, True, "xz")
    assert _one(cluster.url, "SHOW listen_addresses") == ("127.0.0.1",)
    assert _one(cluster.url, "SHOW max_connections") == ("200",)
    assert _one(cluster.url, "SHOW fsync") == ("on",)  # not asked to be fast
    assert (cluster.base_dir / "url").read_text().strip() == cluster.url
    assert cluster.data_dir.is_relative_to(cluster.base_dir)
    assert _one(cluster.admin_url, "SHOW data_directory") == (str(cluster.data_dir),)


def test_the_server_never_runs_as_root(cluster):
    import pwd

    uid = _owner_uid(cluster.postmaster_pid())
    if os.geteuid() == 0:
        assert uid == pwd.getpwnam("postgres").pw_uid
    else:
        assert uid == os.geteuid()
    assert uid != 0


def test_restart_keeps_the_data_and_the_address(cluster):
    with psycopg.connect(cluster.url) as con:
        con.execute("CREATE TABLE kept (n int)")
        con.execute("INSERT INTO kept VALUES (7)")
    url, pid = cluster.url, cluster.postmaster_pid()
    cluster.restart()
    assert cluster.url == url
    assert cluster.postmaster_pid() not in (None, pid)
    assert _one(cluster.url, "SELECT sum(n) FROM kept") == (7,)


def test_kill_then_start_recovers_every_committed_row(cluster):
    with psycopg.connect(cluster.url) as con:
        con.execute("CREATE TABLE crash (n int)")
        con.execute("INSERT INTO crash SELECT generate_series(1, 1000)")
    held = psycopg.connect(cluster.url)  # a session open when the server dies
    pid = cluster.postmaster_pid()
    cluster.kill()
    assert not cluster.running()
    assert not Path(f"/proc/{pid}").exists()
    with pytest.raises(psycopg.OperationalError):
        _one(cluster.url, "SELECT 1")
    with pytest.raises(psycopg.OperationalError):
        held.execute("SELECT 1")
    held.close()
    cluster.start()
    assert _one(cluster.url, "SELECT count(*), sum(n) FROM crash") == (1000, 500500)
    assert "database system was interrupted" in cluster.log_file.read_text()


def test_a_second_object_on_the_same_folder_finds_the_same_cluster(cluster):
    from devkit.pgcluster import PgCluster

    again = PgCluster(cluster.base_dir)
    assert again.port == cluster.port and again.running()
    assert again.start().url == cluster.url  # already running: nothing started twice


def test_two_fresh_databases_are_independent(cluster):
    a = cluster.create_database("t_indep_a")
    b = cluster.create_database("t_indep_b")
    try:
        assert a != b
        with psycopg.connect(a) as con:
            con.execute("CREATE TABLE only_in_a (n int)")
            con.execute("INSERT INTO only_in_a VALUES (1)")
        assert _one(a, "SELECT count(*) FROM only_in_a") == (1,)
        with pytest.raises(psycopg.errors.UndefinedTable):
            _one(b, "SELECT count(*) FROM only_in_a")
    finally:
        cluster.drop_database("t_indep_a")
        cluster.drop_database("t_indep_b")
    with pytest.raises(psycopg.OperationalError, match="does not exist"):
        _one(a, "SELECT 1")


def test_database_names_are_checked(cluster):
    with pytest.raises(ValueError):
        cluster.create_database('x"; DROP DATABASE xz; --')


@pytest.mark.parametrize("turn", [1, 2])
def test_pg_url_gives_each_test_an_empty_database(pg_url, turn):
    # the same table is created by both turns: the second would fail on a reused database
    assert _one(
        pg_url, "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
    ) == (0,)
    assert _one(pg_url, "SHOW fsync") == ("off",)  # the session cluster is the fast one
    with psycopg.connect(pg_url) as con:
        con.execute("CREATE TABLE mine (turn int)")
        con.execute("INSERT INTO mine VALUES (%s)", (turn,))
    assert _one(pg_url, "SELECT turn FROM mine") == (turn,)


def test_the_command_line_starts_prints_the_url_and_stops(tmp_path):
    require_postgres()
    from devkit.pgcluster import make_base_dir

    base = make_base_dir("xz-test-pgcli-")
    cmd = [sys.executable, "-m", "devkit.pgcluster"]
    try:
        r = subprocess.run(
            [*cmd, "start", str(base / "c"), "--fast"],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert r.returncode == 0, r.stderr
        url = r.stdout.strip()
        assert url.startswith("postgresql://xz@127.0.0.1:") and url.endswith("/xz")
        assert (base / "c" / "url").read_text().strip() == url
        assert _one(url, "SELECT 1") == (1,)
        r = subprocess.run(
            [*cmd, "stop", str(base / "c")], capture_output=True, text=True, timeout=120
        )
        assert r.returncode == 0, r.stderr
        with pytest.raises(psycopg.OperationalError):
            _one(url, "SELECT 1")
    finally:
        subprocess.run([*cmd, "stop", str(base / "c")], capture_output=True, timeout=120)
        shutil.rmtree(base, ignore_errors=True)


def test_without_postgresql_the_tests_skip_locally_and_fail_in_ci(monkeypatch, tmp_path):
    from devkit import pgcluster

    monkeypatch.setattr(pgcluster, "PG_BIN", tmp_path / "no-postgresql")
    assert not pgcluster.available()
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="apt-get install postgresql-15"):
        require_postgres()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match=r"\.ci/run installs postgresql-15"):
        require_postgres()
    with pytest.raises(pgcluster.PgClusterError, match="not installed"):
        pgcluster.PgCluster(tmp_path / "c").start()
