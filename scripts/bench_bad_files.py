"""What the bad files of the import probe (issue 17, part 5) cost now: one row per file with the
result (the refusal's key or the rows read), seconds and peak Python memory (tracemalloc, a
second run, so the timing is not slowed by it).

The files are made by the builders of tests/unit/test_ingest_limits.py; the big ones as the probe
had them (a 0.4 MB xlsx whose shared strings expand to 400 MB, 300,000 rows behind a
<dimension> of two). For comparison: a legitimate 200,000-row report as GBK CSV and as xlsx,
read and checked against the demo database, and the commit of that checked preview (the page
writes the preview it showed; nothing is read again).

    .venv/bin/python scripts/bench_bad_files.py [--rows 200000] [--no-peak]
"""

from __future__ import annotations

import argparse
import io
import sys
import tempfile
import time
import tracemalloc
from datetime import date, timedelta
from pathlib import Path

import pandas as pd

from dashboard_lib import build, ingest
from dashboard_lib.scope import Viewer
from dashboard_lib.store import Store
from devkit.bad_files import (
    VISITS,
    XLS_BYTES,
    bomb_xlsx,
    csv_bytes,
    lying_dimension_xlsx,
    xlsm_bytes,
    xlsx_bytes,
)

ROOT = Path(__file__).resolve().parents[1]

AS_OF = date(2026, 11, 28)


def measure(fn, peak: bool) -> tuple[str, float, float | None]:
    def once():
        try:
            return fn()
        except ingest.IngestError as exc:
            return "refused: " + exc.key.removeprefix("ingest_err_")

    t0 = time.perf_counter()
    result = once()
    secs = time.perf_counter() - t0
    mb = None
    if peak:
        tracemalloc.start()
        try:
            once()
            mb = tracemalloc.get_traced_memory()[1] / 2**20
        finally:
            tracemalloc.stop()
    return result, secs, mb


def read(data: bytes, name: str):
    return lambda: f"read {len(ingest.read_table(data, name).frame):,} rows"


def report(projects: pd.DataFrame, n: int) -> pd.DataFrame:
    """``n`` distinct valid guidance visits (project, start date and people never all repeat)."""
    rows, k = [], len(projects)
    for i in range(n):
        p = projects.iloc[i % k]
        start = date(2023, 1, 1) + timedelta(days=(i // k) % 1000)
        rows.append(
            (
                p["university_zh"],
                p["province_short"],
                p["school_zh"],
                start.isoformat(),
                str(1 + i // (k * 1000)),
                "教师",
                f"第{i}次",
            )
        )
    return pd.DataFrame(
        rows, columns=["托管高校", "省份", "帮扶县中", "开始日期", "人数", "身份", "备注"]
    )


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=200_000, help="rows of the legitimate report")
    ap.add_argument("--no-peak", action="store_true", help="skip the tracemalloc runs")
    args = ap.parse_args(argv)
    peak = not args.no_peak
    cases: list[tuple[str, object]] = []
    bomb = bomb_xlsx(400)
    cases.append(
        (
            f"zip bomb: {len(bomb) / 2**20:.1f} MB xlsx, shared strings 400 MB",
            read(bomb, "bomb.xlsx"),
        )
    )
    lying = lying_dimension_xlsx(300_000)
    cases.append(
        (
            f"xlsx, <dimension> A1:B2, 300,000 rows ({len(lying) / 2**20:.1f} MB)",
            read(lying, "lying.xlsx"),
        )
    )
    cases.append(("CSV of 21 MB", read(b"x" * (21 * 2**20), "big.csv")))
    lone_cr = csv_bytes(VISITS[:1] + VISITS[1:] * 1000, newline="\r")
    cases.append(("CSV, lone CR line endings, 3,000 rows", read(lone_cr, "cr.csv")))
    long = csv_bytes([VISITS[0], VISITS[1], ["榆中县恩玲中学", "2023-03-02", "3", "长" * 200_000]])
    cases.append(("CSV, one cell of 200,000 characters", read(long, "long.csv")))
    dup = csv_bytes(
        [["帮扶县中", "开始日期", "人数", "人数"], ["榆中县恩玲中学", "2023-03-01", "3", "4"]]
    )
    cases.append(("CSV, column 人数 twice", read(dup, "dup.csv")))
    nul = csv_bytes([VISITS[0], ["榆中县\x00恩玲中学", "2023-03-02", "3", ""]])
    cases.append(("CSV with a NUL byte", read(nul, "nul.csv")))
    serial = xlsx_bytes([["帮扶县中", "开始日期", "人数"], ["榆中县恩玲中学", 45478.5, 3]])
    cases.append(
        (
            "xlsx, date serial 45478.5",
            lambda: (
                "start_date = "
                + ingest.read_table(serial, "s.xlsx").frame["start_date"][0]
                + " -> "
                + str(ingest.parse_date("45478.5"))
            ),
        )
    )
    cases.append((".xlsm with a VBA project", read(xlsm_bytes(VISITS), "m.xlsm")))
    cases.append((".xls (OLE2)", read(XLS_BYTES, "old.xls")))

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.duckdb"
        build.build_database(db, build.spec_for(115, None, 2022, AS_OF), progress=lambda _m: None)
        store = Store(db)
        viewer = Viewer.ministry(name="bench")
        frame = report(store.projects(Viewer.ministry()), args.rows)
        csv_data = frame.to_csv(index=False).encode("gbk")
        buf = io.BytesIO()
        frame.to_excel(buf, index=False, engine="openpyxl")
        xlsx_data = buf.getvalue()
        held = {}

        def preview(data, name):
            def run():
                pv = ingest.prepare(store, viewer, "guidance_visit", data, name, today=AS_OF)
                held[name] = pv
                return f"preview: {pv.n_accepted:,} accepted, {pv.n_rejected:,} rejected"

            return run

        def commit():
            pv = held["r.csv"]
            batch = store.import_commit(viewer, pv, "r.csv", ingest.file_sha256(csv_data))
            store.undo_batch(viewer, batch)  # so the peak run can commit again
            return f"committed {pv.n_accepted:,} rows (then undone)"

        cases.append(
            (
                f"legit CSV (GBK), {args.rows:,} rows, {len(csv_data) / 2**20:.1f} MB",
                preview(csv_data, "r.csv"),
            )
        )
        cases.append(("  确认导入 of that preview (nothing re-read)", commit))
        cases.append(
            (
                f"legit xlsx, {args.rows:,} rows, {len(xlsx_data) / 2**20:.1f} MB",
                preview(xlsx_data, "r.xlsx"),
            )
        )
        out = []
        for label, fn in cases:
            result, secs, mb = measure(fn, peak)
            out.append((label, result, secs, mb))
            print(f"... {label}: {result} ({secs:.2f} s)", file=sys.stderr, flush=True)
        store.close()
    w = max(len(r[0]) for r in out)
    rw = max(len(r[1]) for r in out)
    print(f"| {'file'.ljust(w)} | {'result'.ljust(rw)} | seconds | peak MB |")
    print(f"|{'-' * (w + 2)}|{'-' * (rw + 2)}|--------:|--------:|")
    for label, result, secs, mb in out:
        print(
            f"| {label.ljust(w)} | {result.ljust(rw)} | {secs:7.2f} | "
            f"{'—' if mb is None else f'{mb:7.1f}'} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
