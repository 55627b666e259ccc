"""Load test: N concurrent browser-like sessions against a real Streamlit server, for a bounded time.

Each session is a websocket client speaking Streamlit's own protocol (the one the browser's
frontend speaks): it connects to ``/_stcore/stream``, then again and again asks for a page with a
query string that sets the filters (``rerun_script`` with a ``ClientState``), and times one
interaction from the request sent to ``script_finished`` received. An exception element on the
page, a compile error, an unknown page, a dropped connection or a run that takes longer than
``--timeout`` count as errors. The server's memory (RSS from /proc) is sampled every few seconds.

    .venv/bin/python scripts/loadtest.py                       # own server + demo DB, 30 x 180 s
    .venv/bin/python scripts/loadtest.py --sessions 5 --duration 30
    .venv/bin/python scripts/loadtest.py --url http://127.0.0.1:8080 --server-pid 1234 --server-pid 1235

Loopback only: a ``--url`` that is not localhost is refused. Exit status 1 when any error was
counted or a target (p95 <= 2 s, zero errors) was missed.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import websockets
from warm import summary, warm

from devkit.stclient import PAGES, PROVINCES, connect, one_run, wait_healthy

ROOT = Path(__file__).resolve().parent.parent

KINDS = ("dispatch", "guidance_visit", "shadowing", "training", "internship")
LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1"}


@dataclass
class Tally:
    latencies: list[tuple[float, str, float]] = field(default_factory=list)  # (t, page, seconds)
    errors: dict[str, int] = field(default_factory=dict)
    error_examples: list[str] = field(default_factory=list)
    connects: int = 0

    def error(self, kind: str, detail: str = "") -> None:
        self.errors[kind] = self.errors.get(kind, 0) + 1
        if detail and len(self.error_examples) < 8:
            self.error_examples.append(f"{kind}: {detail[:200]}")


def query_for(rng: random.Random) -> str:
    """A filter combination a user might set: nation, a province, sometimes a way of working."""
    q: dict[str, str] = {}
    r = rng.random()
    if r < 0.7:
        q["province"] = str(rng.choice(PROVINCES))
    if rng.random() < 0.25:
        q["kind"] = rng.choice(KINDS)
    if rng.random() < 0.15:
        q["prov"] = "published"
    if rng.random() < 0.1:
        q["lang"] = "en"
    return urllib.parse.urlencode(q)


async def session(
    i: int,
    ws_url: str,
    stop_at: float,
    tally: Tally,
    think: tuple[float, float],
    timeout: float,
    seed: int,
) -> None:
    rng = random.Random(seed * 1000 + i)
    await asyncio.sleep(rng.uniform(0, 3))  # people do not all arrive in the same millisecond
    while time.time() < stop_at:
        try:
            # the route cookie keeps one session on one replica behind deploy/nginx.conf
            async with connect(ws_url, route=f"load-{seed}-{i}") as ws:
                tally.connects += 1
                while time.time() < stop_at:
                    page = rng.choice(PAGES)
                    query = query_for(rng)
                    secs, problem = await one_run(ws, page, query, timeout)
                    if problem:
                        tally.error(
                            "timeout" if problem == "timeout" else "exception",
                            f"{page}?{query} {problem}",
                        )
                        if problem == "timeout":
                            break  # start over on a fresh connection
                    else:
                        tally.latencies.append((time.time(), page, secs))
                    await asyncio.sleep(rng.uniform(*think))
        except (TimeoutError, websockets.ConnectionClosed, OSError) as exc:
            if time.time() < stop_at:
                tally.error("disconnect", f"session {i}: {type(exc).__name__} {exc}")
                await asyncio.sleep(1)


def rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


async def sample_memory(pids: list[int], stop_at: float, every: float, out: list) -> None:
    t0 = time.time()
    while True:
        out.append((time.time() - t0, [rss_mb(p) for p in pids]))
        if time.time() >= stop_at:
            return
        await asyncio.sleep(min(every, max(0.0, stop_at - time.time())))


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    k = max(0, min(len(s) - 1, int(round(q * (len(s) - 1)))))
    return s[k]


def slope(points: list[tuple[float, float]]) -> float:
    """Least-squares slope (per second) of (t, value) points."""
    if len(points) < 2:
        return 0.0
    mt = statistics.fmean(t for t, _ in points)
    mv = statistics.fmean(v for _, v in points)
    den = sum((t - mt) ** 2 for t, _ in points)
    return sum((t - mt) * (v - mv) for t, v in points) / den if den else 0.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(db: Path | None, port: int, workdir: Path) -> tuple[subprocess.Popen, str]:
    if db is None:
        db = workdir / "dashboard.duckdb"
        subprocess.run(
            [sys.executable, "-m", "dashboard_lib.build", "--db", str(db)],
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
    env = {"MALLOC_ARENA_MAX": "2", **os.environ, "XZ_DB_PATH": str(db)}  # as scripts/run.sh
    log = open(workdir / "streamlit.log", "w")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "serve.py",  # as scripts/run.sh
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
            "--server.fileWatcherType",
            "none",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    if not wait_healthy(url):
        proc.kill()
        raise SystemExit(f"the Streamlit server did not start; see {workdir / 'streamlit.log'}")
    return proc, url


def report(
    tally: Tally,
    mem: list,
    pids: list[int],
    sessions: int,
    duration: float,
    think: tuple[float, float],
) -> bool:
    lat = [s for t, _, s in tally.latencies]
    n_err = sum(tally.errors.values())
    print(
        f"\n## Load test: {sessions} sessions, {duration:.0f} s, "
        f"{think[0]:g}-{think[1]:g} s between interactions\n"
    )
    print("| page | interactions | p50 s | p95 s | max s |")
    print("|---|---:|---:|---:|---:|")
    for page in PAGES:
        v = [s for _, p, s in tally.latencies if p == page]
        if v:
            print(f"| {page} | {len(v)} | {pct(v, 0.5):.3f} | {pct(v, 0.95):.3f} | {max(v):.3f} |")
    print(
        f"| **all** | {len(lat)} | {pct(lat, 0.5):.3f} | {pct(lat, 0.95):.3f} | "
        f"{max(lat) if lat else float('nan'):.3f} |"
    )
    if tally.latencies:  # when the slow ones happened: a cold start, or all along
        t0 = min(t for t, _, _ in tally.latencies)
        minutes = sorted({int((t - t0) // 60) for t, _, _ in tally.latencies})
        print("\n| minute | interactions | p50 s | p95 s |\n|---:|---:|---:|---:|")
        for m in minutes:
            v = [s for t, _, s in tally.latencies if int((t - t0) // 60) == m]
            print(f"| {m + 1} | {len(v)} | {pct(v, 0.5):.3f} | {pct(v, 0.95):.3f} |")
    rate = len(lat) / duration if duration else 0
    print(
        f"\nthroughput {rate:.1f} interactions/s; websocket connections {tally.connects}; "
        f"errors {n_err} {dict(sorted(tally.errors.items())) if tally.errors else ''}"
    )
    for ex in tally.error_examples:
        print("  -", ex)

    ok_mem = True
    if pids and mem:
        print("\n| t s | " + " | ".join(f"RSS MB pid {p}" for p in pids) + " | total MB |")
        print("|---:|" + "---:|" * (len(pids) + 1))
        step = max(1, len(mem) // 24)
        for t, vals in mem[::step] + ([mem[-1]] if (len(mem) - 1) % step else []):
            tot = sum(v for v in vals if v is not None)
            print(
                f"| {t:.0f} | "
                + " | ".join("-" if v is None else f"{v:.0f}" for v in vals)
                + f" | {tot:.0f} |"
            )
        totals = [(t, sum(v for v in vals if v is not None)) for t, vals in mem]
        end = totals[-1][0]
        first = [v for t, v in totals if t <= 60]
        last = [v for t, v in totals if t >= end - 60]
        late = [(t, v) for t, v in totals if t >= end / 2]
        per_min = slope(late) * 60
        per_min_all = slope(totals) * 60
        print(
            f"\nRSS mean first minute {statistics.fmean(first):.0f} MB, last minute "
            f"{statistics.fmean(last):.0f} MB; slope over the whole run {per_min_all:+.1f} MB/min, "
            f"over the second half {per_min:+.1f} MB/min"
        )
        # levelling off: the second half grows at most a third as fast as the whole run, or < 5 MB/min
        ok_mem = per_min < 5 or per_min < per_min_all / 3
        print(f"memory levelling off: {'yes' if ok_mem else 'NO'}")
    p95 = pct(lat, 0.95)
    ok = n_err == 0 and bool(lat) and p95 <= 2.0
    print(
        f"\ntargets: zero errors {'yes' if n_err == 0 else 'NO'}; p95 <= 2 s "
        f"{'yes' if lat and p95 <= 2.0 else 'NO'} ({p95:.3f} s)"
    )
    return ok and ok_mem


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--url", help="attach to a running server (localhost only) instead of starting one"
    )
    ap.add_argument(
        "--server-pid",
        type=int,
        action="append",
        default=[],
        help="pid(s) whose RSS to sample when attaching (repeat for replicas)",
    )
    ap.add_argument(
        "--db",
        type=Path,
        help="database for the server this command starts "
        "(default: a fresh demo built in a temporary folder)",
    )
    ap.add_argument("--sessions", type=int, default=30)
    ap.add_argument("--duration", type=float, default=180, help="seconds")
    ap.add_argument(
        "--think",
        type=float,
        nargs=2,
        default=(3.0, 10.0),
        metavar=("MIN", "MAX"),
        help="pause between interactions of one session, seconds (uniform; a person "
        "reads a page before the next click)",
    )
    ap.add_argument(
        "--timeout", type=float, default=30, help="one interaction longer than this is an error"
    )
    ap.add_argument("--sample", type=float, default=3, help="memory sampling interval, seconds")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument(
        "--no-warm",
        action="store_true",
        help="measure a cold start: skip the warm-up that scripts/run.sh does after starting "
        "(only for the server this command starts; an attached one is as it is)",
    )
    args = ap.parse_args(argv)

    proc = None
    tmp = tempfile.TemporaryDirectory(prefix="loadtest-")
    try:
        if args.url:
            host = urllib.parse.urlparse(args.url).hostname
            if host not in LOCAL_HOSTS:
                raise SystemExit("the load test runs against localhost only")
            url = args.url.rstrip("/")
            if not wait_healthy(url, 30):
                raise SystemExit(f"no healthy Streamlit server at {url}")
            pids = args.server_pid
        else:
            print("building the demo database and starting Streamlit ...", flush=True)
            proc, url = start_server(args.db, free_port(), Path(tmp.name))
            pids = [proc.pid]
            if args.no_warm:
                print("not warmed: the first sessions meet a cold server", flush=True)
            else:  # as scripts/run.sh does after a start: every page once, nothing measured
                print(
                    "warmed as scripts/run.sh does (scripts/warm.py): "
                    + summary(asyncio.run(warm(url))),
                    flush=True,
                )
        ws_url = url.replace("http://", "ws://") + "/_stcore/stream"
        print(f"{args.sessions} sessions against {url} for {args.duration:.0f} s", flush=True)

        tally = Tally()
        mem: list = []

        async def run() -> None:
            stop_at = time.time() + args.duration
            tasks = [
                asyncio.create_task(
                    session(i, ws_url, stop_at, tally, tuple(args.think), args.timeout, args.seed)
                )
                for i in range(args.sessions)
            ]
            tasks.append(asyncio.create_task(sample_memory(pids, stop_at, args.sample, mem)))
            await asyncio.gather(*tasks)

        asyncio.run(run())
        ok = report(tally, mem, pids, args.sessions, args.duration, tuple(args.think))
        return 0 if ok else 1
    finally:
        if proc is not None:
            proc.terminate()
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
        tmp.cleanup()


if __name__ == "__main__":
    sys.exit(main())
