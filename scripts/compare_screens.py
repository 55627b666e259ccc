"""Screenshots of every page from two checkouts of the dashboard, compared pixel by pixel.

    .venv/bin/python scripts/compare_screens.py OLD_TREE NEW_TREE [--width 1366 --height 768]

A refactoring must not change what users see: both trees serve the same database file (built
once, by the new tree, then copied) in demo mode; each page is opened in Debian's Chromium,
waited on until its content stops changing, and screenshotted. Prints a table of the share of
pixels that differ per page and writes OLD/NEW/diff PNGs to artifacts/compare/.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image, ImageChops

from devkit.browser import CHROMIUM, CHROMIUM_ARGS, free_port
from devkit.stclient import wait_healthy

ROOT = Path(__file__).resolve().parents[1]
PAGES = [
    ("overview", "/"),
    ("explorer", "/explorer"),
    ("progress", "/progress"),
    ("exchanges", "/exchanges"),
    ("internships", "/internships"),
    ("dossier", "/dossier?project=1"),
    ("about", "/about"),
    ("overview-gansu", "/?province=620000"),
    ("overview-en", "/?lang=en"),
]


def serve(tree: Path, db: Path, log: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {
        **os.environ,
        "XZ_DB_PATH": str(db),
        "XZ_DEMO_MODE": "1",
        "PYTHONPATH": str(tree),  # the tree's own dashboard_lib, not the installed one
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "serve.py", "--server.port", str(port)],
        cwd=tree,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    url = f"http://localhost:{port}"
    if not wait_healthy(url, 90):
        proc.kill()
        raise SystemExit(f"{tree}: the server did not start (see {log})")
    return proc, url


def settle(page, seconds: float = 20.0) -> None:
    """Wait until the page's text and frames stop changing (maps draw late)."""
    page.wait_for_load_state("networkidle")
    last, same_since, deadline = None, time.time(), time.time() + seconds
    while time.time() < deadline:
        now = page.evaluate(
            "() => document.body.innerText.length + ':' + document.querySelectorAll('*').length"
        )
        if now != last:
            last, same_since = now, time.time()
        elif time.time() - same_since > 2.0:
            break
        time.sleep(0.3)
    time.sleep(1.5)


def shoot(url: str, out: Path, width: int, height: int) -> None:
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for name, path in PAGES:
            ctx = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
            page = ctx.new_page()
            page.goto(url + path)
            settle(page)
            page.screenshot(path=str(out / f"{name}.png"), full_page=True)
            ctx.close()
        browser.close()


def differ(a: Path, b: Path, diff: Path) -> float:
    one, two = Image.open(a).convert("RGB"), Image.open(b).convert("RGB")
    if one.size != two.size:
        w, h = max(one.width, two.width), max(one.height, two.height)
        one, two = (_pad(i, w, h) for i in (one, two))
    d = ImageChops.difference(one, two).convert("L").point(lambda v: 255 if v > 24 else 0)
    d.save(diff)
    hist = d.histogram()
    return hist[255] / (d.width * d.height)


def _pad(img: Image.Image, w: int, h: int) -> Image.Image:
    out = Image.new("RGB", (w, h), "white")
    out.paste(img, (0, 0))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("old", type=Path)
    ap.add_argument("new", type=Path)
    ap.add_argument("--width", type=int, default=1366)
    ap.add_argument("--height", type=int, default=768)
    ap.add_argument("--out", type=Path, default=ROOT / "artifacts" / "compare")
    args = ap.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="xz_compare_"))
    db = tmp / "new.duckdb"
    subprocess.run(
        [sys.executable, "-m", "dashboard_lib.build", "--db", str(db)],
        cwd=args.new,
        env={**os.environ, "PYTHONPATH": str(args.new)},
        check=True,
        capture_output=True,
    )
    shutil.copy(db, tmp / "old.duckdb")
    for label, tree in (("old", args.old), ("new", args.new)):
        proc, url = serve(tree.resolve(), tmp / f"{label}.duckdb", tmp / f"{label}.log")
        try:
            shoot(url, args.out / label, args.width, args.height)
        finally:
            proc.terminate()
            proc.wait(20)
    print(f"| page | differing pixels ({args.width}×{args.height}) |")
    print("|---|---|")
    for name, _ in PAGES:
        share = differ(
            args.out / "old" / f"{name}.png",
            args.out / "new" / f"{name}.png",
            args.out / f"{name}-diff.png",
        )
        print(f"| {name} | {share:.2%} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
