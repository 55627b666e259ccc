"""How long a 50,000-row activity report takes to import (issue 5 asks for at most 30 s).

Builds the demo database (115 projects) into a temporary folder, writes a guidance-visit report of
N rows (CSV in GBK and xlsx, about 1 % bad rows) naming the demo's schools, then times reading +
validation and the commit (one transaction), and prints a table.

    .venv/bin/python scripts/bench_import.py [--rows 50000]
"""

from __future__ import annotations

import argparse
import io
import random
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import pandas as pd  # noqa: E402

from dashboard_lib import build, ingest  # noqa: E402
from dashboard_lib.scope import Viewer  # noqa: E402
from dashboard_lib.store import Store  # noqa: E402

AS_OF = date(2026, 11, 28)


def report(projects: pd.DataFrame, n: int, seed: int = 5) -> pd.DataFrame:
    rng = random.Random(seed)
    rows = []
    first = date(2022, 9, 1)
    span = (AS_OF - first).days
    for i in range(n):
        p = projects.iloc[rng.randrange(len(projects))]
        d = first + timedelta(days=rng.randrange(span))
        fmt = i % 3
        text = (
            d.isoformat()
            if fmt == 0
            else (f"{d.year}/{d.month}/{d.day}" if fmt == 1 else f"{d.year}年{d.month}月{d.day}日")
        )
        people = str(rng.randint(1, 12))
        if i % 100 == 7:
            people = "-2"  # a bad row
        rows.append(
            (
                p["university_zh"],
                p["province_short"],
                p["school_zh"],
                text,
                "",
                people,
                "教师",
                rng.choice(["语文", "数学", "英语", "物理", "化学"]),
                "",
            )
        )
    return pd.DataFrame(
        rows,
        columns=[
            "托管高校",
            "省份",
            "帮扶县中",
            "开始日期",
            "结束日期",
            "人数",
            "身份",
            "学科",
            "备注",
        ],
    )


def run(store: Store, data: bytes, name: str) -> dict:
    viewer = Viewer.ministry(name="bench")
    t0 = time.perf_counter()
    ticks = []
    preview = ingest.prepare(
        store, viewer, "guidance_visit", data, name, today=AS_OF, progress=ticks.append
    )
    t1 = time.perf_counter()
    batch = store.import_commit(
        viewer, preview, name, ingest.file_sha256(data), progress=ticks.append
    )
    t2 = time.perf_counter()
    stored = store._scalar(
        "SELECT rows_accepted FROM import_batch WHERE import_batch_id = ?", [batch]
    )
    t3 = time.perf_counter()
    store.undo_batch(viewer, batch)
    t4 = time.perf_counter()
    return {
        "file": name,
        "MB": round(len(data) / 2**20, 1),
        "rows": preview.total_rows,
        "accepted": stored,
        "rejected": preview.n_rejected,
        "read+check s": round(t1 - t0, 2),
        "commit s": round(t2 - t1, 2),
        "total s": round(t2 - t0, 2),
        "undo s": round(t4 - t3, 2),
        "progress ticks": len(ticks),
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=50_000)
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.duckdb"
        build.build_database(db, build.spec_for(115, None, 2022, AS_OF), progress=lambda _m: None)
        store = Store(db)
        frame = report(store.projects(Viewer.ministry()), args.rows)
        csv_data = frame.to_csv(index=False).encode("gbk")
        buf = io.BytesIO()
        frame.to_excel(buf, index=False, engine="openpyxl")
        results = [
            run(store, csv_data, "report_gbk.csv"),
            run(store, buf.getvalue(), "report.xlsx"),
        ]
        store.close()
    print(pd.DataFrame(results).to_string(index=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
