"""The PostgreSQL deployment's command line (issue 15, docs/DEPLOY.md):

    python -m dashboard_lib.pgsync init --database-url URL [--from FILE.duckdb]
    python -m dashboard_lib.pgsync job  --database-url URL --snapshot PATH [--once]

``init`` creates the schema in an empty PostgreSQL database and loads the demo (built from
``data/`` as for the embedded file) or a DuckDB file; it changes nothing in a database that
already has the schema. ``job`` is the one snapshot job of a deployment: it publishes the DuckDB
snapshot that every replica reads (``XZ_DB_PATH``), then follows the committed writes (LISTEN)
until it is stopped. The work is done in the data layer (``store/pgsync.py``).
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
from pathlib import Path

from .store.pgsync import MIN_INTERVAL, SnapshotJob, init_database


def job_args(url: str, snapshot: Path | str, once: bool = False) -> list[str]:
    """The arguments after ``python`` that start the snapshot job (scripts and tests)."""
    args = ["-m", "dashboard_lib.pgsync", "job", "--database-url", url, "--snapshot", str(snapshot)]
    return args + ["--once"] if once else args


def _url(arg: str | None) -> str:
    url = arg or os.environ.get("XZ_DATABASE_URL")
    if not url:
        raise SystemExit("no PostgreSQL URL: pass --database-url or set XZ_DATABASE_URL")
    return url


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m dashboard_lib.pgsync", description=__doc__)
    sub = ap.add_subparsers(dest="cmd", required=True)
    a = sub.add_parser("init", help="create the schema and load the demo (or --from a file)")
    a.add_argument("--database-url")
    a.add_argument("--from", dest="source", type=Path)
    j = sub.add_parser("job", help="publish the snapshot and follow the writes")
    j.add_argument("--database-url")
    j.add_argument("--snapshot", type=Path, required=True)
    j.add_argument("--once", action="store_true", help="publish once, then exit")
    j.add_argument(
        "--min-interval",
        type=float,
        default=MIN_INTERVAL,
        help=f"seconds between two publishes, at least (default {MIN_INTERVAL:g})",
    )
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    url = _url(args.database_url)
    if args.cmd == "init":
        from . import build

        state = init_database(url, args.source, builder=lambda p: build.build_database(p))
        print(
            "PostgreSQL database initialised."
            if state == "created"
            else "PostgreSQL database already initialised; nothing changed."
        )
        return 0
    job = SnapshotJob(url, args.snapshot)
    if args.once:
        real = job.publish_once()
        print(f"published {real.name}")
        return 0
    stopping = {"now": False}

    def stop(*_a) -> None:
        stopping["now"] = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    def said(real: Path, took: float) -> None:
        print(f"published {real.name} in {took:.2f} s", flush=True)

    try:
        job.run(stop=lambda: stopping["now"], on_publish=said, min_interval=args.min_interval)
    finally:
        job.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
