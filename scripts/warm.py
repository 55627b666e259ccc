"""Warm a freshly started dashboard server before people arrive: one session opens every page for
the nation and for each programme province, as the open default viewer sees them, so the heavy
imports (geopandas, plotly, folium), the boundary files and the views most asked for are built
(and kept in the shared page memo, dashboard_lib/cache.py) by the time the first visitor clicks.
Without it the first minute of a meeting is slow: 30 people arriving at a cold server waited up
to 5-10 s (scripts/loadtest.py --no-warm). Views with other filters, another language or a
signed-in scope are built when first asked for.

    .venv/bin/python scripts/warm.py --url http://127.0.0.1:8501
    .venv/bin/python scripts/warm.py --url http://127.0.0.1:8501 --nation-only

``scripts/run.sh`` runs it in the background once the server answers. Localhost only; it reads
pages and writes nothing. Exit status 1 when a page failed.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import urllib.parse

from devkit.stclient import PAGES, PROVINCES, connect, one_run, wait_healthy

LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1"}


async def warm(
    url: str, pages=PAGES, provinces=PROVINCES, timeout: float = 120
) -> list[tuple[str, float, str | None]]:
    """Open each page for the nation, then for each of ``provinces``, on one websocket session:
    [(page?query, seconds, problem or None)]."""
    out = []
    queries = ["", *(f"province={p}" for p in provinces)]
    async with connect(
        url.replace("http://", "ws://").rstrip("/") + "/_stcore/stream", route="warm"
    ) as ws:
        for query in queries:
            for page in pages:
                secs, problem = await one_run(ws, page, query, timeout)
                out.append((f"{page}?{query}" if query else page, secs, problem))
    return out


def summary(results) -> str:
    failed = [(p, problem) for p, _, problem in results if problem]
    return f"{len(results)} page views in {sum(s for _, s, _ in results):.1f} s" + (
        f"; failed: {failed}" if failed else ""
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--url", default="http://127.0.0.1:8501")
    ap.add_argument(
        "--wait", type=float, default=120, help="seconds to wait for the server to answer"
    )
    ap.add_argument(
        "--nation-only", action="store_true", help="only the national views (a few seconds)"
    )
    args = ap.parse_args(argv)
    if urllib.parse.urlparse(args.url).hostname not in LOCAL_HOSTS:
        raise SystemExit("warm.py talks to a server on this machine only")
    if not wait_healthy(args.url.rstrip("/"), args.wait):
        print(f"warm-up: no server at {args.url}", file=sys.stderr)
        return 1
    results = asyncio.run(warm(args.url, provinces=() if args.nation_only else PROVINCES))
    print(f"warm-up: {summary(results)}", flush=True)
    return 1 if any(problem for _, _, problem in results) else 0


if __name__ == "__main__":
    sys.exit(main())
