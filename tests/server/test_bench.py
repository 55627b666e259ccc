"""The benchmark command: it covers every read the pages make, and a quick run prints them all."""

from __future__ import annotations

import re
import subprocess
import sys

import bench  # noqa: E402
from conftest import ROOT

CALL = re.compile(r"\b_?store_?\.(\w+)\(")


def test_bench_covers_every_store_read_the_pages_make():
    called = set()
    for path in [*(ROOT / "views").glob("*.py"), *(ROOT / "dashboard_lib").rglob("*.py")]:
        called |= set(CALL.findall(path.read_text(encoding="utf-8")))
    src = (ROOT / "scripts" / "bench.py").read_text(encoding="utf-8")
    benched = set(re.findall(r"\bs\.(\w+)\(", src))
    missing = called - benched - bench.NOT_QUERIES
    assert not missing, f"store reads the pages make that bench.py does not time: {sorted(missing)}"
    assert {"metrics", "activity_agg", "explorer_cards", "project_activities"} <= benched


def test_quick_run_prints_every_query(tmp_path):
    out = subprocess.run(
        [
            sys.executable,
            "scripts/bench.py",
            "--scales",
            "115",
            "--repeat",
            "1",
            "--no-browser",
            "--no-pages",
            "--dir",
            str(tmp_path),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    lines = out.stdout.splitlines()
    assert lines[0].startswith("machine: 2 cores") or lines[0].startswith("machine: ")
    assert "nproc" in lines[0] and "RAM" in lines[0]
    rows = {ln.split(" | ")[0].lstrip("| ").strip(): ln for ln in lines if ln.startswith("| ")}
    for name in bench.QUERIES:
        row = rows.get(f"q {name} p50/p95 ms")
        assert row, f"no row for {name}"
        p50, p95 = (float(x) for x in row.split(" | ")[1].split(" / "))
        assert 0 < p50 <= p95
    assert "build: file MB" in rows and "alt pandas groupby / metrics(by=province) ms" in rows
    # a second run reuses the database it built (same meta)
    again = subprocess.run(
        [
            sys.executable,
            "scripts/bench.py",
            "--scales",
            "115",
            "--build-only",
            "--dir",
            str(tmp_path),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "(reused)" in again.stderr
