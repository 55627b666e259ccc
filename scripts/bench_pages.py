"""Benchmark of the programme pages: each page's query times (p50/p95) and its AppTest render
time after a filter change, at the programme's 115 projects and at 2,000 projects / 1M rows.

    .venv/bin/python scripts/bench_pages.py            # builds the two databases under /tmp if missing
    .venv/bin/python scripts/bench_pages.py --repeat 10
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

from dashboard_lib import build, programme  # noqa: E402
from dashboard_lib.programme import comparison, scorecard  # noqa: E402
from dashboard_lib.scope import Filters, Viewer  # noqa: E402
from dashboard_lib.store import Store  # noqa: E402

AS_OF = date(2026, 11, 28)
SCALES = {
    "115": (115, None, Path("/tmp/bench_115.duckdb")),
    "2000/1M": (2000, 1_000_000, Path("/tmp/bench_2000.duckdb")),
}
PAGES = {
    "progress": lambda s, v, f: programme.progress_content(s, v, f, "zh", {}),
    "exchanges": lambda s, v, f: programme.exchanges_content(s, v, f, "zh", {}),
    "internships": lambda s, v, f: programme.internships_content(s, v, f, "zh", {}),
    "dossier": lambda s, v, f: programme.dossier_content(s, v, f, 5, "zh"),
    # 成效记分卡: the league and the difference-in-differences figure (issue 16, parts 3-4)
    "scorecard": lambda s, v, f: (
        scorecard.league_content(s, v, f, "zh", {}),
        comparison.content(s, v, f, "zh"),
    ),
}
FILTERS = [
    Filters(),
    Filters(provinces=(620000,)),
    Filters(provinces=(530000,), kinds=("dispatch", "training")),
    Filters(date_from=date(2023, 8, 1), date_to=date(2025, 7, 31)),
]


def pct(xs, q):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q * (len(xs) - 1))))]


def query_times(store: Store, fn, repeat: int) -> tuple[list[float], list[float]]:
    """Each query's time and each page's total content time, over filters × repeats."""
    times: list[float] = []
    original = store._df

    def timed(sql, params=()):
        t0 = time.perf_counter()
        out = original(sql, params)
        times.append(time.perf_counter() - t0)
        return out

    store._df = timed
    totals = []
    try:
        for _ in range(repeat):
            for f in FILTERS:
                t0 = time.perf_counter()
                fn(store, Viewer.ministry(), f)
                totals.append(time.perf_counter() - t0)
    finally:
        store._df = original
    return times, totals


def render_times(db: Path, page: str, repeat: int) -> list[float]:
    """AppTest: the page opened once, then the province filter changed ``repeat`` times."""
    from streamlit.testing.v1 import AppTest

    os.environ["XZ_DB_PATH"] = str(db)
    at = AppTest.from_file(str(ROOT / "views" / f"{page}.py"), default_timeout=120)
    at.query_params["project"] = "5"
    at.run()
    out = []
    for code in [620000, 530000, None, 450000][: max(repeat, 1)] * max(1, repeat // 4):
        t0 = time.perf_counter()
        at.selectbox(key="province_select").set_value(code).run()
        out.append(time.perf_counter() - t0)
        assert not at.exception, at.exception
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=4)
    args = ap.parse_args()
    import logging

    logging.getLogger("streamlit").setLevel(logging.ERROR)
    rows = []
    for scale, (projects, acts, db) in SCALES.items():
        if not db.exists():
            build.build_database(
                db, build.spec_for(projects, acts, 2022, AS_OF), progress=lambda _m: None
            )
        store = Store(db, read_only=True)
        n_act = store._scalar("SELECT count(*) FROM activity")
        summary = store.summary_current()
        measured = {}
        for page, fn in PAGES.items():
            fn(store, Viewer.ministry(), Filters())  # warm
            measured[page] = query_times(store, fn, args.repeat)
        store.close()
        for page in PAGES:
            q, totals = measured[page]
            r = render_times(db, page, args.repeat)
            rows.append(
                (
                    scale,
                    f"{n_act:,}",
                    "yes" if summary else "no",
                    page,
                    len(q) // (args.repeat * len(FILTERS)),
                    pct(q, 0.5) * 1e3,
                    pct(q, 0.95) * 1e3,
                    statistics.median(totals) * 1e3,
                    statistics.median(r) * 1e3,
                    max(r) * 1e3,
                )
            )
    head = (
        "scale",
        "activity rows",
        "summary",
        "page",
        "queries",
        "query p50 ms",
        "query p95 ms",
        "content ms",
        "render p50 ms",
        "render max ms",
    )
    print(" | ".join(head))
    print(" | ".join("---" for _ in head))
    for r in rows:
        print(" | ".join(f"{x:.1f}" if isinstance(x, float) else str(x) for x in r))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
