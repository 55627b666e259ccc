"""The network to PostgreSQL dropped for 30 s (issue 15, faults), for real: PostgreSQL runs in a
network namespace of its own, reached over a veth pair, and the test takes the link down, so that
every packet to it is lost (no refusal, no reset: a black hole, as a cut cable or a dead switch).

What must hold: a write tried during the cut is refused in words within the send timeout, not a
spinner for the whole cut; a writer cut off inside its transaction does not keep the write lock
from the others once the link is back; nothing is half-written; after the link returns the next
write is accepted and the snapshot job publishes it, nobody restarting anything.

Needs root and ``ip netns`` (the CI machine has both); skipped, with the reason, elsewhere."""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
import time

import pytest
from conftest import require_postgres
from test_pg_deploy import (
    GANSU,
    TODAY,
    job_thread,
    load_tiny,
    pg_count,
    snap_count,
    visits,
    wait_for,
)

from dashboard_lib import ingest
from dashboard_lib.store import Store, StoreError, pg
from devkit.pgcluster import PgCluster, make_base_dir

CUT_SECONDS = 30


def _ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True, text=True, timeout=20)


@pytest.fixture
def own_network():
    """A namespace with one end of a veth pair (10.213.n.2) and this side's end (10.213.n.1)."""
    require_postgres()
    if os.geteuid() != 0 or shutil.which("ip") is None:
        pytest.skip("needs root and iproute2 (ip netns) to cut a network link")
    n = os.getpid() % 200 + 20
    ns, here, there = f"xzcut{n}", f"xzc{n}a", f"xzc{n}b"
    # a run killed before its clean-up leaves its namespace and link behind, and a later run
    # whose process id falls on the same name would be skipped (a fresh-clone CI run was)
    subprocess.run(["ip", "netns", "del", ns], capture_output=True)
    subprocess.run(["ip", "link", "del", here], capture_output=True)
    try:
        _ip("netns", "add", ns)
    except (subprocess.CalledProcessError, OSError) as exc:
        pytest.skip(f"network namespaces are not available here: {exc}")
    try:
        try:
            _ip("link", "add", here, "type", "veth", "peer", "name", there)
        except subprocess.CalledProcessError as exc:
            pytest.skip(f"no veth pair can be made here: {exc.stderr}")
        _ip("link", "set", there, "netns", ns)
        _ip("addr", "add", f"10.213.{n}.1/24", "dev", here)
        _ip("link", "set", here, "up")
        _ip("netns", "exec", ns, "ip", "addr", "add", f"10.213.{n}.2/24", "dev", there)
        _ip("netns", "exec", ns, "ip", "link", "set", there, "up")
        _ip("netns", "exec", ns, "ip", "link", "set", "lo", "up")

        def link(up: bool) -> None:
            _ip("netns", "exec", ns, "ip", "link", "set", there, "up" if up else "down")

        yield ns, f"10.213.{n}.2", link
    finally:
        subprocess.run(["ip", "netns", "del", ns], capture_output=True)
        subprocess.run(["ip", "link", "del", here], capture_output=True)


def test_a_30_s_cut_of_the_network_to_postgres(own_network, tmp_path):
    ns, host, link = own_network
    base = make_base_dir("xz-cut-")
    cluster = PgCluster(base, fast=True, host=host, netns=ns)
    try:
        cluster.start()
        url = cluster.create_database("cut")
        snap = load_tiny(url, tmp_path)
        replica = Store(snap.resolve(), read_only=True, database_url=url)
        with job_thread(url, snap) as published:
            wait_for(lambda: len(published) == 1, 30)
            ingest.import_file(
                replica,
                GANSU,
                "guidance_visit",
                visits("榆中县恩玲中学", "2024-04-01", 2),
                "a.csv",
                today=TODAY,
            )
            before = pg_count(url, "SELECT count(*) FROM activity")

            # a writer inside its transaction, holding the write lock, when the link goes
            holder = pg.connect(url)
            holder.execute("SELECT pg_advisory_xact_lock(%s)", [pg.WRITE_LOCK])
            link(False)
            cut_at = time.monotonic()
            # the link comes back after the cut whatever happens here (a write that hangs in
            # the dead link must not keep it down)
            back = threading.Timer(CUT_SECONDS, link, args=(True,))
            back.start()
            try:
                outcome: dict[str, object] = {}

                def holder_goes_on() -> None:  # its next statement goes into the dead link
                    try:
                        holder.execute("SELECT 1")
                        outcome["holder"] = "answered"
                    except Exception as exc:  # the driver's error, whatever its class
                        outcome["holder"] = exc

                def user_writes() -> None:  # a user's write during the cut
                    t0 = time.monotonic()
                    try:
                        ingest.import_file(
                            replica,
                            GANSU,
                            "guidance_visit",
                            visits("榆中县恩玲中学", "2024-04-02", 3),
                            "b.csv",
                            today=TODAY,
                        )
                        outcome["user"] = "accepted"
                    except StoreError as exc:
                        outcome["user"] = exc.key
                    outcome["waited"] = time.monotonic() - t0

                threads = [
                    threading.Thread(target=f, daemon=True) for f in (holder_goes_on, user_writes)
                ]
                for th in threads:
                    th.start()
                for th in threads:
                    th.join(max(0.0, CUT_SECONDS - 5 - (time.monotonic() - cut_at)))
                # within the cut: the user was told in words, the cut-off writer got an error
                assert outcome.get("user") == "store_pg_unavailable", outcome
                assert isinstance(outcome.get("holder"), Exception), outcome
            finally:
                back.join()
            holder.close()

            # the link is back: the next write is accepted without anyone restarting anything,
            # the lock the cut-off writer held is free again, and the job publishes the write
            t0 = time.monotonic()
            done: list[int] = []

            def write_again() -> None:
                for _ in range(20):  # a broken pooled connection is dropped, then reconnected
                    try:
                        _, batch = ingest.import_file(
                            replica,
                            GANSU,
                            "guidance_visit",
                            visits("榆中县恩玲中学", "2024-04-03", 4),
                            "c.csv",
                            today=TODAY,
                        )
                        done.append(batch)
                        return
                    except StoreError:
                        time.sleep(0.5)

            w = threading.Thread(target=write_again, daemon=True)
            w.start()
            w.join(60)
            assert done, "no write was accepted within 60 s of the link's return"
            assert time.monotonic() - t0 < 20, (
                f"the write after the cut took {time.monotonic() - t0:.1f} s"
            )
            sql = f"SELECT count(*) FROM activity WHERE import_batch_id = {done[0]}"
            wait_for(lambda: snap_count(snap, sql) == 1, 45)
            # nothing half-written: the refused file left no row, the accepted one its one row
            assert pg_count(url, "SELECT count(*) FROM activity") == before + 1
            assert pg_count(url, "SELECT count(*) FROM import_batch WHERE file_name = 'b.csv'") == 0
        replica.close()
    finally:
        cluster.stop()
        shutil.rmtree(base, ignore_errors=True)
