"""Rehearsal figures for the presenter deck, in headless Chromium at 1920×1080 on a real server:

    .venv/bin/python scripts/bench_deck.py [--db PATH] [--repeat 5] [--exports-only]

Prints: slide build time (cold, then cached), deck HTML size, time from the "start" click to the
first slide shown, and the time of each keyboard advance (key press → next slide shown).
Targets: opens in ≤ 3 s, advances in ≤ 1 s.

Then the files (issue 14): PPTX, PDF and PNG (ZIP) of the national deck and of 甘肃's, each
timed from a cold picture cache (as the first click on its button, the slides already built),
with the machine's load (``os.getloadavg()``) before and after. Targets: national ≤ 10 s,
a province ≤ 5 s.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

from playwright.sync_api import sync_playwright  # noqa: E402

from dashboard_lib import build, cache, deck, deck_export, present  # noqa: E402
from dashboard_lib.scope import Viewer  # noqa: E402
from dashboard_lib.store import Store  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", type=Path)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--exports-only", action="store_true", help="time the files alone")
    args = ap.parse_args()
    db = args.db or Path(tempfile.mkdtemp()) / "deck.duckdb"
    if not db.exists():
        build.build_database(
            db, build.spec_for(115, None, 2022, date(2026, 11, 28)), progress=lambda _m: None
        )
    if args.exports_only:
        s = Store(db)
        time_exports(s)
        s.close()
        return 0
    s = Store(db)
    t0 = time.perf_counter()
    slides = present.build_deck(s, Viewer.demo(), present.DeckChoice(), "zh")
    cold = time.perf_counter() - t0
    html = deck.deck_html(slides, "as of", "zh")
    s.close()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "serve.py",
            "--server.port",
            str(port),
            "--server.headless",
            "true",
        ],
        cwd=ROOT,
        env={**os.environ, "XZ_DB_PATH": str(db)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://localhost:{port}"
    for _ in range(200):
        try:
            urllib.request.urlopen(url + "/_stcore/health", timeout=2)
            break
        except OSError:
            time.sleep(0.3)
    opens, advances = [], []
    try:
        with sync_playwright() as p:
            b = p.chromium.launch(
                executable_path="/usr/bin/chromium",
                args=[
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-background-networking",
                    "--disable-component-update",
                ],
            )
            for _ in range(args.repeat):
                page = b.new_page(viewport={"width": 1920, "height": 1080})
                page.goto(url + "/")
                page.get_by_role("link", name="演示模式").click()
                start = page.get_by_role("button", name="开始演示（全屏）")
                start.wait_for(timeout=60_000)
                page.locator("iframe[title='st.iframe']").first.wait_for(timeout=60_000)
                t = time.perf_counter()
                start.click()
                frame = page.frame_locator("iframe[title='st.iframe'] >> nth=-1")
                frame.locator("section.slide.active[data-key='title']").wait_for(timeout=60_000)
                page.locator("iframe[title='st.iframe']").last.bounding_box()
                opens.append(time.perf_counter() - t)
                page.locator("iframe[title='st.iframe']").last.click(position={"x": 960, "y": 540})
                for k in range(1, len(present.SLIDES)):
                    t = time.perf_counter()
                    page.keyboard.press("ArrowRight")
                    frame.locator(f"section.slide.active[data-key='{present.SLIDES[k]}']").wait_for(
                        timeout=10_000
                    )
                    advances.append(time.perf_counter() - t)
                page.close()
            b.close()
    finally:
        proc.terminate()
        proc.wait(10)

    def q(xs, p):
        return sorted(xs)[min(len(xs) - 1, int(round(p * (len(xs) - 1))))]

    print(f"machine: {os.cpu_count()} cores; load {os.getloadavg()[0]:.2f}")
    print(f"{'figure':40s} {'value':>12s}   target")
    print(f"{'slides built (cold, 8 slides)':40s} {cold:>10.2f} s")
    print(f"{'deck HTML':40s} {len(html) / 1e6:>9.2f} MB")
    print(f"{'open: click → first slide, p50':40s} {statistics.median(opens):>10.2f} s   ≤ 3 s")
    print(f"{'open: click → first slide, max':40s} {max(opens):>10.2f} s")
    print(
        f"{'advance: key → next slide, p50':40s} {statistics.median(advances) * 1000:>9.0f} ms   ≤ 1 s"
    )
    print(f"{'advance: key → next slide, p95':40s} {q(advances, 0.95) * 1000:>9.0f} ms")
    s = Store(db)
    time_exports(s)
    s.close()
    return 0


GANSU = 620000


def time_exports(store: Store) -> list[tuple[str, str, str, float]]:
    """Each file of the national and the 甘肃 deck: (deck, file, start, seconds), printed.

    Every file is timed with no picture remembered (the still maps drawn again), twice: "cold"
    with no browser running (the first export after the warm browser was closed), "warm" with
    the browser the presenter page starts as it shows its buttons (``deck_export.warm_up``)."""
    viewer = Viewer.ministry()
    rows = []
    load_before = os.getloadavg()
    for name, province, target in (("national", None, 10.0), ("gansu", GANSU, 5.0)):
        choice = present.DeckChoice(province=province)
        slides = present.build_deck(store, viewer, choice, "zh")
        as_of = present.as_of_label(store, "zh")
        key = cache.key_for(store, viewer, "bench", choice.slides, province)
        author = present.viewer_unit(store, viewer, "zh")
        for kind in ("pptx", "pdf", "png"):
            for start in ("cold", "warm"):
                deck_export._close_when_idle()  # no browser running
                if start == "warm":
                    deck_export.warm_up()
                    time.sleep(0.2)
                    with deck_export.export_session():  # waits for the warm-up to finish
                        pass
                cache.clear_all()  # no picture remembered, still maps drawn again
                for sl in slides:
                    if sl.make_still is not None:
                        sl.make_still.cache_clear()  # type: ignore[attr-defined]
                t = time.perf_counter()
                if kind == "pptx":
                    deck_export.make_pptx(slides, as_of, author=author, cache_key=key)
                elif kind == "pdf":
                    deck_export.make_pdf(slides, as_of, author=author, cache_key=key)
                else:
                    deck_export.make_png_zip(slides, cache_key=key)
                rows.append((name, kind, start, time.perf_counter() - t, target))
    deck_export._close_when_idle()
    load_after = os.getloadavg()
    print(f"machine: {os.cpu_count()} cores; load before {load_before}, after {load_after}")
    print(f"{'export (no picture remembered)':40s} {'seconds':>10s}   target")
    for name, kind, start, secs, target in rows:
        mark = "ok" if secs <= target else "OVER"
        print(
            f"{name + ' ' + kind + ' (' + start + ')':40s} {secs:>10.2f}   ≤ {target:.0f} s  {mark}"
        )
    return [(n, k, st, s) for n, k, st, s, _ in rows]


if __name__ == "__main__":
    sys.exit(main())
