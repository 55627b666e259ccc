"""Writers and readers on PostgreSQL + snapshot replicas (issue 15): commit latency, how long a
committed write takes to reach the replicas' snapshot, read latency meanwhile, and lost writes.

Starts a private PostgreSQL cluster (devkit.pgcluster), loads the demo (``pgsync init``), starts
the snapshot job (``pgsync job``) as its own process, then runs W writer processes (two by
default, as two replicas) with T threads each, every thread a province official importing a
one-row guidance-visit file again and again, and R reader threads on the snapshot. An observer
notes the moment each batch first appears in the published snapshot. At the end it counts the
batches the writers were told were committed against the rows in PostgreSQL and in the last
snapshot, and prints a table.

    .venv/bin/python scripts/bench_pg.py [--seconds 60] [--writers 2] [--threads 5] [--readers 4]

It drives the store directly (the same calls the import page makes), not browsers over
websockets: the page work of a write is measured by scripts/loadtest.py.
"""

from __future__ import annotations

import argparse
import csv
import io
import multiprocessing as mp
import os
import shutil
import subprocess
import sys
import threading
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dashboard_lib import ingest  # noqa: E402
from dashboard_lib.pgsync import job_args  # noqa: E402
from dashboard_lib.scope import Viewer  # noqa: E402
from dashboard_lib.store import Store, StoreError  # noqa: E402
from dashboard_lib.store.lifecycle import snapshot_stamp  # noqa: E402
from devkit.pgcluster import PgCluster, make_base_dir  # noqa: E402

TODAY = date(2026, 11, 28)


def one_row(school: str, day: date, people: int) -> bytes:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(
        [["帮扶县中", "开始日期", "人数"], [school, day.isoformat(), str(people)]]
    )
    return buf.getvalue().encode("utf-8")


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, int(round(q * (len(s) - 1))))]


def writer_process(url: str, snap: str, slot: int, threads: int, seconds: float, out) -> None:
    """One replica's writers: ``threads`` province officials importing one row at a time."""
    store = Store(Path(snap).resolve(), read_only=True, database_url=url)
    projects = store.projects(Viewer.ministry())
    by_province = sorted(projects.groupby("province_adcode"), key=lambda g: g[0])
    results = []

    def work(k: int) -> None:
        adcode, frame = by_province[(slot * threads + k) % len(by_province)]
        viewer = Viewer.province(int(adcode), name=f"bench-{slot}-{k}")
        school = frame.iloc[0]["school_zh"]
        end = time.time() + seconds
        n = 0
        while time.time() < end:
            n += 1
            day = date(2020, 1, 1) + timedelta(days=(slot * 97 + k * 1013 + n) % 2000)
            data = one_row(school, day, 1 + (n % 50) + 100 * k + 1000 * slot)
            t0 = time.perf_counter()
            try:
                pv = ingest.prepare(store, viewer, "guidance_visit", data, "b.csv", today=TODAY)
                batch = store.import_commit(viewer, pv, f"b{slot}-{k}-{n}.csv", None)
                results.append(("ok", batch, time.time(), time.perf_counter() - t0))
            except StoreError as exc:
                results.append(("error", exc.key, time.time(), time.perf_counter() - t0))

    ts = [threading.Thread(target=work, args=(k,)) for k in range(threads)]
    for th in ts:
        th.start()
    for th in ts:
        th.join()
    out.put(results)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--writers", type=int, default=2, help="writer processes (replicas)")
    ap.add_argument("--threads", type=int, default=5, help="writing sessions per process")
    ap.add_argument("--readers", type=int, default=4, help="reading threads on the snapshot")
    args = ap.parse_args(argv)
    py = sys.executable
    base = make_base_dir("xz-benchpg-")
    job = None
    try:
        with PgCluster(base) as pg:
            url = pg.create_database("bench")
            subprocess.run(
                [py, "-m", "dashboard_lib.pgsync", "init", "--database-url", url],
                cwd=ROOT,
                check=True,
                capture_output=True,
            )
            snap = base / "snapshot.duckdb"
            job = subprocess.Popen(
                [py, *job_args(url, snap)],
                cwd=ROOT,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                text=True,
            )
            assert job.stdout is not None
            print("snapshot job:", job.stdout.readline().strip())
            seen: dict[int, float] = {}  # batch id → first time the snapshot held it
            reads: list[float] = []
            stop = threading.Event()

            def observe() -> None:
                stamp = None
                while not stop.is_set():
                    now = snapshot_stamp(snap)
                    if now != stamp:
                        t_seen = time.time()
                        stamp = now
                        s = Store(snap.resolve(), read_only=True)
                        try:
                            ids = s._df("SELECT import_batch_id FROM import_batch")
                        finally:
                            s.close()
                        for b in ids["import_batch_id"]:
                            seen.setdefault(int(b), t_seen)
                    time.sleep(0.05)

            def read() -> None:
                v = Viewer.ministry()
                while not stop.is_set():
                    s = Store(snap.resolve(), read_only=True)
                    try:
                        t0 = time.perf_counter()
                        s.metrics(v)
                        s.explorer_cards(v, None)
                        reads.append(time.perf_counter() - t0)
                    finally:
                        s.close()

            watchers = [threading.Thread(target=observe)] + [
                threading.Thread(target=read) for _ in range(args.readers)
            ]
            for w in watchers:
                w.start()
            ctx = mp.get_context("spawn")
            q = ctx.Queue()
            procs = [
                ctx.Process(
                    target=writer_process,
                    args=(url, str(snap), i, args.threads, args.seconds, q),
                )
                for i in range(args.writers)
            ]
            t_start = time.time()
            for p in procs:
                p.start()
            results = [r for _ in procs for r in q.get()]
            for p in procs:
                p.join()
            time.sleep(12)  # the last writes' publish
            stop.set()
            for w in watchers:
                w.join()
            wall = time.time() - t_start
            import psycopg

            with psycopg.connect(url) as conn:
                pg_batches = conn.execute(
                    "SELECT count(*) FROM import_batch WHERE file_name LIKE 'b%'"
                ).fetchone()[0]
                pg_rows = conn.execute(
                    "SELECT count(*) FROM activity WHERE import_batch_id IS NOT NULL"
                ).fetchone()[0]
            s = Store(snap.resolve(), read_only=True)
            snap_rows = int(s._scalar("SELECT count(*) FROM activity WHERE import_batch_id > 0"))
            s.close()
            ok = [r for r in results if r[0] == "ok"]
            errors = [r for r in results if r[0] == "error"]
            lat = [r[3] for r in ok]
            vis = [seen[r[1]] - r[2] for r in ok if r[1] in seen]
            never = [r for r in ok if r[1] not in seen]
            rss = ""
            if job.pid and Path(f"/proc/{job.pid}/status").exists():
                rss = next(
                    ln.split()[1]
                    for ln in open(f"/proc/{job.pid}/status")
                    if ln.startswith("VmRSS")
                )
            print(
                f"\n{args.writers} writer processes × {args.threads} sessions, "
                f"{args.readers} readers, {args.seconds:.0f} s (wall {wall:.0f} s)\n"
            )
            print("| measure | value |")
            print("|---|---:|")
            print(f"| writes committed | {len(ok)} |")
            print(f"| writes refused (errors) | {len(errors)} |")
            print(f"| commit p50 / p95 (s) | {pct(lat, 0.5):.3f} / {pct(lat, 0.95):.3f} |")
            print(
                f"| visible in snapshot p50 / p95 (s) | {pct(vis, 0.5):.2f} / {pct(vis, 0.95):.2f} |"
            )
            print(f"| visible max (s) | {max(vis) if vis else float('nan'):.2f} |")
            print(f"| committed but never seen in a snapshot | {len(never)} |")
            print(
                f"| reads (metrics + cards) p50 / p95 (s) | {pct(reads, 0.5):.3f} / "
                f"{pct(reads, 0.95):.3f} |"
            )
            print(f"| batches in PostgreSQL / told committed | {pg_batches} / {len(ok)} |")
            print(
                f"| imported rows in PostgreSQL / in the last snapshot | {pg_rows} / {snap_rows} |"
            )
            print(f"| lost writes | {len(ok) - pg_batches} |")
            print(f"| snapshot job RSS (kB) | {rss} |")
            if errors:
                print("errors:", sorted({e[1] for e in errors}))
            return 0 if not errors and pg_batches == len(ok) and pg_rows == snap_rows else 1
    finally:
        if job is not None:
            job.terminate()
            job.wait(10)
        shutil.rmtree(base, ignore_errors=True)
        os.environ.pop("XZ_DATABASE_URL", None)


if __name__ == "__main__":
    sys.exit(main())
