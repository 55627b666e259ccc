"""Files to take away from a meeting: the deck as PPTX and PDF, a province report, charts as PNG.

Images are drawn by plotly's kaleido, which needs a Chromium-family browser on the machine
(Debian's /usr/bin/chromium here); PDFs are printed by the same browser. One export starts that
browser once (``BrowserSession``): every picture and the PDF's pages come from the one Chromium,
which on a 2-core server is most of an export's time when started per picture. Where no browser
can be found the export says so in one sentence (``ExportUnavailable``) instead of failing: the
PPTX then carries the numbers as editable tables in place of the chart pictures.

The still map (``map_figure``) is a map in its own right: title, legend with its classes and the
no-data class, scale bar, north arrow, source line, the South China Sea inset on national maps;
one trace per colour class, so it draws in a fraction of a second.
"""

from __future__ import annotations

import asyncio
import atexit
import base64
import html
import io
import math
import os
import re
import shutil
import tempfile
import threading
import time
import zipfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from lxml import etree
from PIL import Image, ImageFont
from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LEGEND_POSITION
from pptx.enum.text import MSO_AUTO_SIZE, PP_ALIGN
from pptx.oxml.ns import qn
from pptx.util import Emu, Inches, Pt
from shapely.geometry.polygon import orient

from . import cache as memo
from .deck import ChartSpec, Slide
from .errors import UserError
from .i18n import t

Progress = Callable[
    [float, str], None
]  # (share done 0..1, the stage's name in the user's language)

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
FONT = "Noto Sans CJK SC"
RED = RGBColor(0x9B, 0x2C, 0x2C)
GREY = RGBColor(0x71, 0x80, 0x96)


class ExportUnavailable(UserError, RuntimeError):
    """This machine cannot render images or PDFs (no Chromium-family browser)."""


NO_BROWSER = "deck_export_no_browser"  # the strings key of the sentence


def browser_path() -> str | None:
    env = os.environ.get("BROWSER_PATH")
    if env and Path(env).exists():
        return env
    for candidate in CHROMIUM_CANDIDATES:
        if Path(candidate).exists():
            return candidate
    return shutil.which("chromium") or shutil.which("google-chrome")


PICTURE_TEMPLATE = "plotly_white"


def for_picture(fig: go.Figure) -> dict:
    """``fig`` as the figure dict kaleido draws, in the template every picture is drawn in,
    whatever the process's default. A figure takes plotly's default template when it is made, and
    inside Streamlit that default is Streamlit's own (``pio.templates.default = "streamlit"``, set
    by ``st.plotly_chart``): a template of colour placeholders for Streamlit's frontend, without
    plotly's automargin. So the app's exported charts had their axis labels cut (签约 → 约) and
    their axis titles over the ticks, while the same export made outside Streamlit (the bench,
    the unit tests) was right. The axes' automargin is also set on the figure itself, as the live
    deck does. (Dicts, not a ``go.Figure`` copy: validating a copy took 25 ms a chart.)"""
    spec = fig.to_dict()
    layout = dict(spec.get("layout") or {})
    layout["template"] = _picture_template()
    for axis in {"xaxis", "yaxis", *(k for k in layout if re.fullmatch(r"[xy]axis\d*", k))}:
        layout[axis] = {**layout.get(axis, {}), "automargin": True}
    spec["layout"] = layout
    return spec


@cache
def _picture_template() -> dict:
    return pio.templates[PICTURE_TEMPLATE].to_plotly_json()


class BrowserSession:
    """One headless Chromium (kaleido's) for one export: every picture and the PDF of the export
    come from it, started on the first picture asked for (an export whose pictures are all
    remembered starts none) and closed on leaving the ``with`` block.

    kaleido is asynchronous; its loop runs in a thread of this session, so the caller — a
    Streamlit script between two progress updates — calls plain methods."""

    def __init__(self, timeout: float = 90) -> None:
        self.timeout = timeout
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._k: Any = None
        self.started = False  # whether a browser was started (the bench reports it)

    def __enter__(self) -> BrowserSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _run(self, coro, timeout: float | None = None):
        assert self._loop is not None
        future = asyncio.run_coroutine_threadsafe(coro, self._loop)
        return future.result(timeout if timeout is not None else self.timeout + 30)

    def _open(self) -> None:
        if self._k is not None:
            return
        path = browser_path()
        if path is None:
            raise ExportUnavailable(NO_BROWSER)
        kaleido = _import_kaleido()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()

        async def start():
            k = _kaleido_keeping_its_page(kaleido)(
                n=1, timeout=self.timeout, path=path, page_generator=page(kaleido)
            )
            await k.open()
            return k

        try:
            self._k = self._run(start())
        except Exception as exc:  # a missing or broken browser shows in several ways
            self.close()
            raise ExportUnavailable("deck_export_chart_failed", error=type(exc).__name__) from exc
        self.started = True

    def png(self, fig: go.Figure, width: int = 1280, height: int = 640, scale: float = 1) -> bytes:
        """A figure as PNG (in the pictures' own template, ``for_picture``)."""
        self._open()
        opts = {"format": "png", "width": width, "height": height, "scale": scale}
        try:
            return self._run(self._k.calc_fig(for_picture(fig), opts=opts))
        except Exception as exc:
            raise ExportUnavailable("deck_export_chart_failed", error=type(exc).__name__) from exc

    def pdf(self, document: str) -> bytes:
        """An HTML document printed to PDF (its CSS page size and margins, backgrounds kept)."""
        self._open()

        async def print_pdf(uri: str) -> bytes:
            tab = await self._k.create_tab("")
            try:
                await tab.send_command("Page.enable")
                loaded = tab.subscribe_once("Page.loadEventFired")
                await tab.send_command("Page.navigate", params={"url": uri})
                await asyncio.wait_for(loaded, self.timeout)
                answer = await tab.send_command(
                    "Page.printToPDF",
                    params={"printBackground": True, "preferCSSPageSize": True},
                )
            finally:
                await self._k.close_tab(tab)
            return base64.b64decode(answer["result"]["data"])

        with tempfile.TemporaryDirectory() as tmp:
            src = Path(tmp) / "doc.html"
            src.write_text(document, encoding="utf-8")
            try:
                pdf = self._run(print_pdf(src.as_uri()))
            except TimeoutError as exc:
                raise ExportUnavailable("deck_export_pdf_no_answer") from exc
            except Exception as exc:
                raise ExportUnavailable("deck_export_pdf_failed") from exc
        if not pdf.startswith(b"%PDF"):
            raise ExportUnavailable("deck_export_pdf_failed")
        return pdf

    def close(self) -> None:
        if self._loop is None:
            return
        if self._k is not None:
            try:
                self._run(self._k.close(), timeout=20)
            except Exception:  # the browser is gone already: nothing to close
                pass
            self._k = None
        self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(10)
        self._loop.close()
        self._loop = self._thread = None


IDLE_SECONDS = 300  # the warm browser is closed after this long without an export
_shared_lock = threading.Lock()
_shared: BrowserSession | None = None
_idle_timer: threading.Timer | None = None
_warming = threading.Event()  # set while the warm-up starts the browser: exports wait for it


def _close_when_idle() -> None:
    global _shared
    if not _shared_lock.acquire(blocking=False):
        return  # in use: the export that holds it schedules the next check
    try:
        if _shared is not None:
            _shared.close()
            _shared = None
    finally:
        _shared_lock.release()


def _keep_for_a_while() -> None:
    """(Re)start the idle clock of the warm browser (called with the lock held)."""
    global _idle_timer
    if _idle_timer is not None:
        _idle_timer.cancel()
    _idle_timer = threading.Timer(IDLE_SECONDS, _close_when_idle)
    _idle_timer.daemon = True
    _idle_timer.start()


@contextmanager
def export_session() -> Iterator[BrowserSession]:
    """The browser of one export: the process's warm one (kept ``IDLE_SECONDS`` after its last
    use, so a second file or a second viewer's file starts no Chromium), or — while another
    export holds it — one of its own. Starting Chromium is most of a cold export's time on a
    2-core server (2–8 s, by the load)."""
    global _shared
    got = _shared_lock.acquire(timeout=30) if _warming.is_set() else _shared_lock.acquire(False)
    if not got:
        with BrowserSession() as own:
            yield own
        return
    try:
        if _shared is None:
            _shared = BrowserSession()
        try:
            yield _shared
        except BaseException:
            _shared.close()  # a failed export does not leave a doubtful browser behind
            raise
        finally:
            _keep_for_a_while()
    finally:
        _shared_lock.release()


def page(kaleido) -> Any:
    """The page kaleido draws figures in: plotly.js from the installed plotly package and no
    MathJax. Kaleido's default page loads MathJax from a CDN (cdnjs.cloudflare.com): offline it
    held every browser start until the request failed (about 0.6 s here), and online it was a
    request leaving the server at run time. The charts have no LaTeX, so nothing needs it."""
    return kaleido.PageGenerator(mathjax=False)


@cache
def _kaleido_keeping_its_page(kaleido) -> Any:
    """Kaleido, without the reload of its page after every picture. Kaleido reloads the tab
    (plotly.min.js, 4.6 MB, parsed again) each time a figure is handed back, and waits for it
    before the picture is returned: about 0.2 s of every picture here, more than drawing a chart.
    A PNG is drawn in a detached element that plotly purges afterwards, so the page has nothing
    to reset; a picture that fails closes the whole browser (``slide_images``), so a doubtful page
    is never used again. Kaleido is pinned in requirements.txt; ``tests/unit/test_deck_offline.py``
    checks that pictures in a row stay right and that no reload happens."""

    class KeepingItsPage(kaleido.Kaleido):
        async def _return_kaleido_tab(self, tab) -> None:
            await self.tabs_ready.put(tab)

    return KeepingItsPage


def _import_kaleido():
    """Kaleido, imported on first use (the deck on screen never needs it). Streamlit's script
    runner puts the app's folder first on ``sys.path`` and takes it off again around every run;
    an import in another thread that walks ``sys.path`` at that instant can skip site-packages and
    miss one of kaleido's own modules. So a failed import is tried again before it is reported."""
    for attempt in range(3):
        try:
            import kaleido

            return kaleido
        except ImportError as exc:
            if attempt == 2:
                raise ExportUnavailable(
                    "deck_export_chart_failed", error=type(exc).__name__
                ) from exc
            time.sleep(0.2)
    raise AssertionError("unreachable")


def warm_up() -> bool:
    """Start the warm browser in the background (the presenter page calls it as it shows its
    export buttons, so the first click does not wait for Chromium); whether one is being
    started. Nothing happens without a browser, or while an export holds it."""
    if browser_path() is None or not _shared_lock.acquire(blocking=False):
        return False
    try:
        if _shared is not None and _shared.started:
            _keep_for_a_while()
            return False
    finally:
        _shared_lock.release()

    def start() -> None:
        try:
            with export_session() as session:
                session._open()
        except ExportUnavailable:  # said when a file is asked for
            pass
        finally:
            _warming.clear()

    _warming.set()
    threading.Thread(target=start, daemon=True, name="deck-browser-warm-up").start()
    return True


def _close_shared_at_exit() -> None:
    if _shared is not None:
        _shared.close()


atexit.register(_close_shared_at_exit)


def chart_png(fig: go.Figure, width: int = 1280, height: int = 640) -> bytes:
    """A chart as PNG, drawn offline by kaleido in the local Chromium (a session of its own: an
    export of several pictures shares one ``BrowserSession``)."""
    with BrowserSession() as session:
        return session.png(fig, width, height)


# ---------------------------------------------------------------------- the still map
SCS_BOX = (106.0, 3.4, 123.5, 24.6)  # what the South China Sea inset frames (lon/lat)
NATION_BOX = (73.0, 17.0, 135.2, 53.8)  # mainland, Hainan and Taiwan; the inset shows the rest
KM_PER_DEG = 111.32
UNIVERSITY = "#1a365d"
HELPED = "#ff7f0e"
FLOW = "#2b6cb0"
EDGE = "#666666"


@dataclass(frozen=True)
class MapText:
    """The still map's words, all in the deck's language."""

    title: str
    legend_title: str
    source: str  # boundary data, its date, and the 审图号 (or that the base map has none)
    north: str  # 北 / N
    km: str  # "{n} 公里" / "{n} km"
    universities: str
    helped: str
    pairings: str
    inset: str = ""  # the South China Sea inset's caption
    side: str = ""  # lines under the legend (e.g. the universities linked to a province)


def _joined(parts: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    """Coordinate runs as one path, NaN between runs (a gap plotly.js does not draw across);
    numpy arrays, which plotly takes without checking each number."""
    if not parts:
        return np.array([np.nan]), np.array([np.nan])
    gap = np.array([np.nan])
    xs = np.concatenate([a for x, _ in parts for a in (x, gap)])
    ys = np.concatenate([a for _, y in parts for a in (y, gap)])
    return np.round(xs, 3), np.round(ys, 3)


def _ring_xy(geoms: Iterable) -> tuple[np.ndarray, np.ndarray]:
    """Every ring of the polygons as one gap-separated path: outer rings counter-clockwise,
    holes clockwise, so one filled trace keeps the holes open (non-zero fill rule)."""
    parts = []
    for geom in geoms:
        if geom is None or geom.is_empty:
            continue
        for poly in getattr(geom, "geoms", [geom]):
            if poly.geom_type != "Polygon":
                continue
            poly = orient(poly, 1.0)
            for ring in (poly.exterior, *poly.interiors):
                xy = np.asarray(ring.coords)
                parts.append((xy[:, 0], xy[:, 1]))
    return _joined(parts)


def _line_xy(geoms: Iterable) -> tuple[np.ndarray, np.ndarray]:
    parts = []
    for geom in geoms:
        for line in getattr(geom, "geoms", [geom]):
            if line.is_empty:
                continue
            if line.geom_type == "Polygon":
                line = line.exterior
            xy = np.asarray(line.coords)
            parts.append((xy[:, 0], xy[:, 1]))
    return _joined(parts)


def _fit(bounds: tuple[float, float, float, float], px_w: float, px_h: float):
    """Axis ranges holding ``bounds`` at equal kilometres per pixel both ways (a degree of
    longitude is cos(latitude) of a degree of latitude), centred; and pixels per degree of
    latitude."""
    x0, y0, x1, y1 = bounds
    k = math.cos(math.radians((y0 + y1) / 2))
    s = min(px_w / ((x1 - x0) * k), px_h / (y1 - y0))
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    half_x, half_y = px_w / (s * k) / 2, px_h / s / 2
    return [cx - half_x, cx + half_x], [cy - half_y, cy + half_y], s, k


def _nice_km(km_wanted: float) -> int:
    for n in (10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000):
        if n >= km_wanted * 0.75:
            return n
    return 2000


def map_figure(
    areas: gpd.GeoDataFrame,
    colours: dict[int, str],
    legend: list[tuple[str, str]],
    text: MapText,
    *,
    bounds: tuple[float, float, float, float] = NATION_BOX,
    flows: pd.DataFrame | None = None,
    universities: pd.DataFrame | None = None,
    points: pd.DataFrame | None = None,
    border: gpd.GeoDataFrame | None = None,
    outline: gpd.GeoDataFrame | None = None,
    highlight: Iterable[int] = (),
    labels: pd.DataFrame | None = None,
    on_top: Iterable[int] = (),
    inset: bool = False,
    width: int = 1280,
    height: int = 600,
) -> go.Figure:
    """A still map for files, drawn on plain axes (no tiles, no topojson from the internet).

    ``areas`` (adcode, geometry) are filled with ``colours`` (by adcode; a missing one is the
    first no-data colour of ``legend``), one trace per colour named by its ``legend`` row
    (colour, label) — every row appears, also a class no area has. ``flows`` (university_lon/lat,
    county_lon/lat) are the pairings, ``universities`` (lon, lat) the host universities,
    ``points`` (lon, lat) helped counties drawn as dots, ``highlight`` the adcodes outlined as
    helped, ``labels`` (lon, lat, name) names written on the map, ``on_top`` areas drawn over
    the others (the Corps inside Xinjiang), ``border`` a boundary drawn
    over it, ``outline`` the national outline (its maritime line dashed). ``inset``: the South
    China Sea in a box of its own. Title, source line, north arrow and scale bar always."""
    ml, mr, mt, mb = 12, 12, 52, 46
    map_share = 0.68  # the map's share of the width; the legend and inset take the rest
    pw, ph = (width - ml - mr) * map_share, height - mt - mb
    xr, yr, s, k = _fit(bounds, pw, ph)
    # detail finer than a third of a pixel is not drawn (the national map: 69k points → ~20k)
    tolerance = 0.35 / s
    main_box = (xr[0], yr[0], xr[1], yr[1])  # what lies outside a box is not sent to draw
    full = areas.geometry.simplify(tolerance, preserve_topology=True)
    areas = areas.assign(geometry=full.clip_by_rect(*main_box))
    in_inset = dict(zip(areas["adcode"].astype(int), full.clip_by_rect(*SCS_BOX))) if inset else {}
    fig = go.Figure()
    top = {int(c) for c in on_top}
    layers: list[dict[str, list]] = [{}, {}]
    fallback = legend[-1][0] if legend else "#d9d9d9"
    for code, geom in zip(areas["adcode"].astype(int), areas.geometry):
        colour = colours.get(code, fallback)
        layers[code in top].setdefault(colour, []).append((code, geom))
    named = {r[0] for r in legend}
    rows = list(legend) + [(c, "") for layer in layers for c in layer if c not in named]
    for rank, (colour, name) in enumerate(legend):  # the legend's patches, in its order
        fig.add_trace(
            go.Scatter(
                x=[None],
                y=[None],
                mode="markers",
                marker={
                    "symbol": "square",
                    "size": 15,
                    "color": colour,
                    "line": {"color": EDGE, "width": 1},
                },
                name=name,
                meta="class",
                legendrank=100 + rank,
            )
        )
    # the fills: the legend's last rows (no data, outside) first, so the classes lie on top;
    # a colour no area has draws nothing (an empty filled trace upsets the next one's fill)
    for n_layer, by_colour in enumerate(layers):
        for colour, _ in rows[::-1] if n_layer == 0 else [(c, "") for c in by_colour]:
            coded = by_colour.get(colour, [])
            if not coded:
                continue
            for axis, near in (
                ("", [g for _, g in coded]),
                ("2", [in_inset[c] for c, _ in coded if c in in_inset]),
            ):
                near = [g for g in near if not g.is_empty]
                if not near:
                    continue
                xs, ys = _ring_xy(near)
                fig.add_trace(
                    go.Scatter(
                        x=xs,
                        y=ys,
                        fill="toself",
                        mode="lines",
                        line={"color": EDGE, "width": 0.5},
                        fillcolor=colour,
                        hoverinfo="skip",
                        showlegend=False,
                        xaxis="x" + axis,
                        yaxis="y" + axis,
                    )
                )
    if highlight:
        wanted = set(int(c) for c in highlight)
        xs, ys = _line_xy(g for c, g in zip(areas["adcode"], areas.geometry) if int(c) in wanted)
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=ys,
                mode="lines",
                line={"color": HELPED, "width": 2},
                hoverinfo="skip",
                name=text.helped,
            )
        )
    for frame, axes in ((border, ("x", "y")), (outline, ("x", "y"))):
        if frame is None or not len(frame):
            continue
        land = frame[frame["layer"] == "land"] if "layer" in frame else frame
        sea = frame[frame["layer"] != "land"] if "layer" in frame else frame.iloc[0:0]
        for part, dash, axis_sets in (
            (land, "solid", [axes] + ([("x2", "y2")] if inset else [])),
            (sea, "dash", [axes] + ([("x2", "y2")] if inset else [])),
        ):
            if not len(part):
                continue
            lines = part.geometry.simplify(tolerance, preserve_topology=True)
            for xa, ya in axis_sets:
                clipped = lines.clip_by_rect(*(main_box if xa == "x" else SCS_BOX))
                xs, ys = _line_xy(g for g in clipped if not g.is_empty)
                fig.add_trace(
                    go.Scatter(
                        x=xs,
                        y=ys,
                        mode="lines",
                        line={
                            "color": "#333",
                            "width": 1.2 if dash == "solid" else 1,
                            "dash": dash,
                        },
                        hoverinfo="skip",
                        showlegend=False,
                        xaxis=xa,
                        yaxis=ya,
                    )
                )
    if flows is not None and len(flows):
        n = len(flows)
        xs = np.full(3 * n, np.nan)
        ys = np.full(3 * n, np.nan)
        xs[0::3], xs[1::3] = (
            flows["university_lon"].to_numpy(float),
            flows["county_lon"].to_numpy(float),
        )
        ys[0::3], ys[1::3] = (
            flows["university_lat"].to_numpy(float),
            flows["county_lat"].to_numpy(float),
        )
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=ys,
                mode="lines",
                line={"color": FLOW, "width": 1},
                opacity=0.45,
                hoverinfo="skip",
                name=text.pairings,
            )
        )
    if points is not None and len(points):
        fig.add_trace(
            go.Scatter(
                x=list(points["lon"]),
                y=list(points["lat"]),
                mode="markers",
                marker={"color": HELPED, "size": 7, "line": {"color": "#ffffff", "width": 1}},
                hoverinfo="skip",
                name=text.helped,
            )
        )
    if labels is not None and len(labels):
        fig.add_trace(
            go.Scatter(
                x=list(labels["lon"]),
                y=list(labels["lat"]),
                mode="text",
                text=list(labels["name"]),
                textfont={"size": 12, "color": "#1a202c"},
                textposition="top center",
                hoverinfo="skip",
                showlegend=False,
            )
        )
    if universities is not None and len(universities):
        fig.add_trace(
            go.Scatter(
                x=list(universities["lon"]),
                y=list(universities["lat"]),
                mode="markers",
                marker={
                    "color": UNIVERSITY,
                    "size": 10,
                    "symbol": "diamond",
                    "line": {"color": "#ffffff", "width": 1},
                },
                hoverinfo="skip",
                name=text.universities,
            )
        )
    # scale bar (true at the map's middle latitude), bottom left of the map
    km = _nice_km((xr[1] - xr[0]) * k * KM_PER_DEG / 6)
    bar = km / (KM_PER_DEG * k)
    sx = xr[0] + (xr[1] - xr[0]) * 0.03
    sy = yr[0] + (yr[1] - yr[0]) * 0.04
    tick = (yr[1] - yr[0]) * 0.012
    shapes = [
        {"type": "line", "x0": sx, "x1": sx + bar, "y0": sy, "y1": sy, "name": "scale"},
        {"type": "line", "x0": sx, "x1": sx, "y0": sy, "y1": sy + tick, "name": "scale"},
        {
            "type": "line",
            "x0": sx + bar,
            "x1": sx + bar,
            "y0": sy,
            "y1": sy + tick,
            "name": "scale",
        },
    ]
    for shape in shapes:
        shape.update(xref="x", yref="y", line={"color": "#1a202c", "width": 2})
    annotations = [
        {
            "x": sx + bar / 2,
            "y": sy + tick,
            "xref": "x",
            "yref": "y",
            "text": text.km.format(n=f"{km:,}"),
            "showarrow": False,
            "yanchor": "bottom",
            "font": {"size": 13},
            "name": "scale",
        },
        {  # the north arrow: its head, then the letter above it
            "x": 0.03,
            "y": 0.86,
            "xref": "x domain",
            "yref": "y domain",
            "ax": 0,
            "ay": 40,
            "text": "",
            "showarrow": True,
            "arrowhead": 2,
            "arrowsize": 1.6,
            "arrowwidth": 2.5,
            "arrowcolor": "#1a202c",
            "name": "north",
        },
        {
            "x": 0.03,
            "y": 0.87,
            "xref": "x domain",
            "yref": "y domain",
            "text": f"<b>{html.escape(text.north)}</b>",
            "showarrow": False,
            "yanchor": "bottom",
            "font": {"size": 16},
            "name": "north",
        },
        {
            "x": 0,
            "y": 0,
            "xref": "paper",
            "yref": "paper",
            "xanchor": "left",
            "yanchor": "top",
            "yshift": -8,
            "align": "left",
            "text": html.escape(text.source),
            "showarrow": False,
            "font": {"size": 12, "color": "#4a5568"},
            "name": "source",
        },
    ]
    if text.side:
        annotations.append(
            {
                "x": map_share + 0.02,
                "y": 0.44 if inset else 0.40,
                "xref": "paper",
                "yref": "paper",
                "xanchor": "left",
                "yanchor": "top",
                "align": "left",
                "text": "<br>".join(html.escape(line) for line in text.side.split("\n")),
                "showarrow": False,
                "font": {"size": 13, "color": "#1a202c"},
                "name": "side",
            }
        )
    layout: dict[str, Any] = {
        "xaxis": {"visible": False, "range": xr, "domain": [0, map_share]},
        "yaxis": {"visible": False, "range": yr, "domain": [0, 1]},
    }
    if inset:
        # the inset keeps its own kilometres per pixel; its box sits at the bottom right
        box_h = ph * 0.46
        ix0, iy0, ix1, iy1 = SCS_BOX
        ik = math.cos(math.radians((iy0 + iy1) / 2))
        box_w = box_h * (ix1 - ix0) * ik / (iy1 - iy0)
        x_right = 1 - 4 / (width - ml - mr)
        x_left = x_right - box_w / (width - ml - mr)
        layout["xaxis2"] = {
            "visible": False,
            "range": [ix0, ix1],
            "domain": [x_left, x_right],
            "anchor": "y2",
        }
        layout["yaxis2"] = {
            "visible": False,
            "range": [iy0, iy1],
            "domain": [0.02, 0.02 + box_h / ph],
            "anchor": "x2",
        }
        shapes.append(
            {
                "type": "rect",
                "xref": "x2 domain",
                "yref": "y2 domain",
                "x0": 0,
                "x1": 1,
                "y0": 0,
                "y1": 1,
                "line": {"color": "#4a5568", "width": 1},
                "name": "inset",
            }
        )
        annotations.append(
            {
                "x": 0.97,
                "y": 0.03,
                "xref": "x2 domain",
                "yref": "y2 domain",
                "xanchor": "right",
                "yanchor": "bottom",
                "text": html.escape(text.inset),
                "showarrow": False,
                "font": {"size": 11, "color": "#4a5568"},
                "name": "inset",
            }
        )
    fig.update_layout(
        **layout,
        title={"text": html.escape(text.title), "x": 0.01, "xanchor": "left", "font": {"size": 22}},
        margin={"l": ml, "r": mr, "t": mt, "b": mb},
        plot_bgcolor="#f4f7fb",
        paper_bgcolor="#ffffff",
        font={"family": FONT, "size": 13, "color": "#1a202c"},
        showlegend=True,
        legend={
            "title": {"text": html.escape(text.legend_title), "font": {"size": 14}},
            "x": map_share + 0.02,
            "xanchor": "left",
            "y": 1,
            "yanchor": "top",
            "font": {"size": 13},
            "bgcolor": "rgba(255,255,255,0)",
            "itemsizing": "constant",
            "traceorder": "normal",
        },
        shapes=shapes,
        annotations=annotations,
        width=width,
        height=height,
    )
    return fig


# ---------------------------------------------------------------------- PPTX
# Every run names its East Asian font: Microsoft YaHei (微软雅黑) where PowerPoint or WPS has it,
# its GB2312 charset letting them fall back to SimSun (宋体), which the theme also names for
# Simplified Chinese; on Linux LibreOffice's fontconfig takes Noto Sans CJK SC (Debian's
# fonts-noto-cjk), whose metrics the text is fitted with.
FONT_EA = "Microsoft YaHei"
FONT_EA_FALLBACK = "SimSun"
FONT_LINUX = FONT  # "Noto Sans CJK SC"
EA_ATTRS = {"panose": "020B0503020204020204", "pitchFamily": "34", "charset": "-122"}
METRIC_FONTS = {
    False: "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    True: "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
}
# where LibreOffice finds no YaHei its Latin letters may come from DejaVu Sans, which is wider:
# text is fitted to the wider of the two
WIDE_FONTS = {
    False: "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    True: "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
}
INSET_X, INSET_Y = Inches(0.1), Inches(0.05)  # python-pptx's (and PowerPoint's) text insets
FIT_SLACK = 0.94  # room left for another renderer's wrapping (YaHei is a little wider)
ELLIPSIS = "…"
SLIDE_W, SLIDE_H = Inches(13.333), Inches(7.5)
MARGIN = Inches(0.5)
BODY_BOTTOM = Inches(6.8)


@cache
def _metric_font(bold: bool, wide: bool = False) -> ImageFont.FreeTypeFont | None:
    """Noto Sans CJK (or DejaVu Sans) at 100 px (widths scale linearly), or None where it is
    not installed."""
    try:
        return ImageFont.truetype((WIDE_FONTS if wide else METRIC_FONTS)[bold], 100)
    except OSError:
        return None


@cache
def _width_100(text: str, bold: bool) -> float:
    font, wide = _metric_font(bold), _metric_font(bold, wide=True)
    if font is None:  # no font: a wide guess
        return sum(1.0 if ord(c) >= 0x2E80 else 0.62 for c in text) * 100
    width = font.getlength(text)
    if wide is not None:
        latin = "".join(c for c in text if ord(c) < 0x2E80)
        cjk = len(text) - len(latin)
        width = max(width, wide.getlength(latin) + cjk * font.getlength("中"))
    return width


def text_width(text: str, size: float, bold: bool = False) -> float:
    """The width of one line of text in points at ``size`` points."""
    return _width_100(text, bold) * size / 100


def line_height(size: float, bold: bool = False) -> float:
    """One line's height in points: the font's ascent plus descent (single spacing)."""
    font = _metric_font(bold)
    if font is not None:
        ascent, descent = font.getmetrics()
        return (ascent + descent) * size / 100
    return 1.45 * size


_CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]")
_TOKENS = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’\-.,:;/()\[\]%&+@#=_?!]*|\s+|.")


def wrap(text: str, width: float, size: float, bold: bool = False) -> list[str]:
    """Lines of ``text`` at ``width`` points: Latin words kept whole (unless wider than the
    line), Chinese broken between any two characters, paragraphs at each newline."""
    lines: list[str] = []
    for para in text.split("\n"):
        line = ""
        for token in _TOKENS.findall(para):
            if text_width(line + token, size, bold) <= width:
                line += token
                continue
            if token.isspace():
                lines.append(line)
                line = ""
                continue
            if line:
                lines.append(line)
            line = ""
            for ch in token:  # a token wider than the line is broken where it must be
                if line and text_width(line + ch, size, bold) > width:
                    lines.append(line)
                    line = ""
                line += ch
        lines.append(line.rstrip())
    return lines


def text_fits(text: str, width_pt: float, height_pt: float, size: float, bold: bool) -> bool:
    lines = wrap(text, width_pt, size, bold)
    return len(lines) * line_height(size, bold) <= height_pt


def fit_text(
    text: str, width_pt: float, height_pt: float, size: float, min_size: float, bold: bool = False
) -> tuple[str, float]:
    """The largest font size from ``size`` down to ``min_size`` at which the text fits the box;
    at ``min_size`` the text is cut with an ellipsis where it does not."""
    width_pt, height_pt = width_pt * FIT_SLACK, height_pt * FIT_SLACK
    s = size
    while s >= min_size:
        if text_fits(text, width_pt, height_pt, s, bold):
            return text, s
        s -= 1 if s > 12 else 0.5
    s = min_size
    lo, hi = 0, len(text)
    while lo < hi:  # the longest head of the text that fits with its ellipsis
        mid = (lo + hi + 1) // 2
        if text_fits(text[:mid].rstrip() + ELLIPSIS, width_pt, height_pt, s, bold):
            lo = mid
        else:
            hi = mid - 1
    return (text[:lo].rstrip() + ELLIPSIS) if lo else "", s


def _inner(length: int, inset: int) -> float:
    return max(length - 2 * inset, 0) / 12700  # EMU -> points


def _name_fonts(element, lang: str = "zh-CN") -> None:
    """Every run property under ``element`` names the Latin and East Asian fonts, and the
    language (so LibreOffice takes the Simplified Chinese forms of Noto Sans CJK)."""
    tags = (qn("a:rPr"), qn("a:defRPr"), qn("a:endParaRPr"))
    for rpr in [e for e in element.iter() if e.tag in tags]:
        run = rpr.getparent()
        said = run.findtext(qn("a:t")) if run is not None and run.tag == qn("a:r") else None
        rpr.set("lang", "en-US" if said and not _CJK.search(said) else lang)
        rpr.set("altLang", "en-US")
        for tag in ("a:latin", "a:ea", "a:cs", "a:sym"):
            for old in rpr.findall(qn(tag)):
                rpr.remove(old)
        after = None
        for succ in ("a:hlinkClick", "a:hlinkMouseOver", "a:rtl", "a:extLst"):
            after = rpr.find(qn(succ))
            if after is not None:
                break
        for tag, attrs in (("a:latin", {}), ("a:ea", EA_ATTRS), ("a:cs", {})):
            el = rpr.makeelement(qn(tag), {"typeface": FONT_EA, **attrs})
            if after is not None:
                after.addprevious(el)
            else:
                rpr.append(el)


def _theme_fonts(prs) -> None:
    """The theme's fonts: YaHei for Latin and East Asian text, SimSun for Simplified Chinese
    where YaHei is missing."""
    from pptx.opc.constants import RELATIONSHIP_TYPE as RT

    part = prs.slide_master.part.part_related_by(RT.THEME)
    root = etree.fromstring(part.blob)
    for scheme in root.iter(qn("a:majorFont"), qn("a:minorFont")):
        for tag in ("a:latin", "a:ea"):
            el = scheme.find(qn(tag))
            if el is not None:
                el.set("typeface", FONT_EA)
        for el in scheme.findall(qn("a:font")):
            if el.get("script") == "Hans":
                el.set("typeface", FONT_EA_FALLBACK)
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _text(
    slide,
    left: int,
    top: int,
    width: int,
    height: int,
    text: str | list[str],
    size: float,
    bold: bool = False,
    colour: RGBColor | None = None,
    min_size: float = 8,
    align: PP_ALIGN | None = None,
):
    """A text box whose text fits it: the font shrinks (down to ``min_size``), then the text is
    cut with an ellipsis. A list is one paragraph per item."""
    joined = "\n".join(text) if isinstance(text, list) else text
    joined, size = fit_text(
        joined, _inner(width, INSET_X), _inner(height, INSET_Y), size, min_size, bold
    )
    box = slide.shapes.add_textbox(left, top, width, height)
    frame = box.text_frame
    frame.word_wrap = True
    frame.auto_size = MSO_AUTO_SIZE.NONE
    for i, line in enumerate(joined.split("\n")):
        para = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        if align is not None:
            para.alignment = align
        run = para.add_run()
        run.text = line
        run.font.size = Pt(size)
        run.font.bold = bold
        if colour is not None:
            run.font.color.rgb = colour
    return box


def _cell_text(value) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, float) and float(value).is_integer():
        return f"{value:,.0f}"
    return str(value)


def _table(slide, frame: pd.DataFrame, left: int, top: int, width: int, height: int):
    """The numbers as an editable table, every cell on one line within its column (the font
    chosen for the row height, a text too long for its column cut with an ellipsis)."""
    rows_max = max(int(height / Inches(0.3)) - 1, 1)
    frame = frame.head(min(rows_max, 12))
    rows, cols = len(frame) + 1, len(frame.columns)
    cells = [[str(c) for c in frame.columns]] + [
        [_cell_text(v) for v in row] for row in frame.itertuples(index=False)
    ]
    row_h = min(Inches(0.4), int(height / rows))
    size = min(12.0, max(7.0, _inner(row_h, INSET_Y) * FIT_SLACK / line_height(1.0)))
    size = float(int(size * 2) / 2)
    needs = [max(text_width(r[j], size, i == 0) for i, r in enumerate(cells)) for j in range(cols)]
    total_w = _inner(width, 0)
    pad = 2 * INSET_X / 12700
    shares = [n + pad for n in needs]
    cap = max(shares, default=0.0)
    if sum(shares) > total_w:  # only the widest columns give way, down to a common width
        lo, hi = 0.0, cap
        for _ in range(40):
            mid = (lo + hi) / 2
            lo, hi = (mid, hi) if sum(min(x, mid) for x in shares) <= total_w else (lo, mid)
        cap = lo
    col_w = [min(x, cap) for x in shares]
    spare = total_w - sum(col_w)
    col_w = [w + spare / cols for w in col_w]
    shape = slide.shapes.add_table(rows, cols, left, top, width, row_h * rows)
    table = shape.table
    for j, w in enumerate(col_w):
        table.columns[j].width = Emu(int(w * 12700))
    for i in range(rows):
        table.rows[i].height = row_h
        for j in range(cols):
            cell = table.cell(i, j)
            text, _ = fit_text(
                cells[i][j],
                col_w[j] - pad,
                line_height(size, i == 0) / FIT_SLACK,
                size,
                size,
                i == 0,
            )
            cell.text = text
            cell.margin_top = cell.margin_bottom = INSET_Y
            cell.margin_left = cell.margin_right = INSET_X
            cell.text_frame.word_wrap = True
            for p in cell.text_frame.paragraphs:
                for r in p.runs:
                    r.font.size = Pt(size)
                    r.font.bold = i == 0
    return shape


CHART_TYPES = {
    ("bar", True): XL_CHART_TYPE.BAR_STACKED,
    ("bar", False): XL_CHART_TYPE.BAR_CLUSTERED,
    ("column", True): XL_CHART_TYPE.COLUMN_STACKED,
    ("column", False): XL_CHART_TYPE.COLUMN_CLUSTERED,
    ("line", False): XL_CHART_TYPE.LINE_MARKERS,
    ("line", True): XL_CHART_TYPE.LINE_MARKERS,
    ("pie", False): XL_CHART_TYPE.PIE,
    ("pie", True): XL_CHART_TYPE.PIE,
}


def _rgb(colour: str | None) -> RGBColor | None:
    if colour and re.fullmatch(r"#[0-9a-fA-F]{6}", colour):
        return RGBColor.from_string(colour[1:])
    found = re.fullmatch(r"rgba?\((\d+),\s*(\d+),\s*(\d+).*\)", colour or "")
    return RGBColor(*(int(g) for g in found.groups())) if found else None


def _label_size(spec: ChartSpec, width: int, height: int) -> float:
    """The category labels' font size: the largest (12 down to 8 pt) at which the longest label
    fits its slot, so none is clipped or overlaps its neighbour."""
    longest = max(spec.categories, key=lambda c: text_width(c, 10), default="")
    n = max(len(spec.categories), 1)
    for size in (12.0, 11.0, 10.0, 9.0, 8.0):
        if spec.kind == "bar":  # labels left of the bars: one line each, a third of the width
            if text_width(longest, size) <= width / 12700 * 0.3 and line_height(size) <= (
                height / 12700 * 0.7 / n
            ):
                return size
        elif text_width(longest, size) <= width / 12700 * 0.8 / n:
            return size
    return 8.0


def _chart(slide, spec: ChartSpec, left: int, top: int, width: int, height: int):
    """A native, editable PowerPoint chart carrying the slide's numbers."""
    data = CategoryChartData(number_format="#,##0")
    data.categories = list(spec.categories)
    for name, values in spec.series:
        data.add_series(name, list(values))
    shape = slide.shapes.add_chart(
        CHART_TYPES[(spec.kind, spec.stacked)], left, top, width, height, data
    )
    chart = shape.chart
    chart.font.size = Pt(11)
    chart.has_title = bool(spec.title)
    if spec.title:
        chart.chart_title.text_frame.text = spec.title
        for p in chart.chart_title.text_frame.paragraphs:
            for r in p.runs:
                r.font.size = Pt(14)
                r.font.bold = True
    chart.has_legend = len(spec.series) > 1 or spec.kind == "pie"
    if chart.has_legend:
        chart.legend.position = XL_LEGEND_POSITION.BOTTOM
        chart.legend.include_in_layout = False
        chart.legend.font.size = Pt(11)
    if spec.kind != "pie":
        plot = chart.plots[0]
        if spec.kind in ("bar", "column"):
            plot.gap_width = 60
            if spec.stacked:
                plot.overlap = 100
        for series, colour in zip(plot.series, spec.colours):
            rgb = _rgb(colour)
            if rgb is not None:
                fill = series.format.fill if spec.kind != "line" else series.format.line.fill
                fill.solid()
                fill.fore_color.rgb = rgb
        cat, val = chart.category_axis, chart.value_axis
        cat.tick_labels.font.size = Pt(_label_size(spec, width, height))
        val.tick_labels.font.size = Pt(10)
        val.tick_labels.number_format = "#,##0"
        val.tick_labels.number_format_is_linked = False
        val.has_major_gridlines = True
        for axis, title in ((cat, spec.category_title), (val, spec.value_title)):
            axis.has_title = bool(title)
            if title:
                axis.axis_title.text_frame.text = title
                for p in axis.axis_title.text_frame.paragraphs:
                    for r in p.runs:
                        r.font.size = Pt(11)
                        r.font.bold = False
    _name_fonts(chart._chartSpace)
    return shape


def _picture(slide, png: bytes, left: int, top: int, width: int, height: int):
    """A picture as large as fits the box, its proportions kept, centred."""
    with Image.open(io.BytesIO(png)) as im:
        w, h = im.size
    scale = min(width / w, height / h)
    pw, ph = int(w * scale), int(h * scale)
    return slide.shapes.add_picture(
        io.BytesIO(png), left + (width - pw) // 2, top + (height - ph) // 2, pw, ph
    )


def for_files(slides: list[Slide]) -> list[tuple[int, Slide]]:
    """The slides a file carries, with their places in the deck: a placeholder (the province's
    own slide before a province is chosen) is shown live but left out of files."""
    return [(k, s) for k, s in enumerate(slides) if not s.placeholder]


def to_pptx(
    slides: list[Slide],
    as_of_label: str,
    images: dict[int, bytes] | None = None,
    author: str | None = None,
    title: str | None = None,
    created: datetime | None = None,
) -> bytes:
    """Real slides: titles and figures as editable text that fits its box, charts as native
    PowerPoint charts carrying the slide's numbers, the still map as a picture (``images``, by
    the slide's place in ``slides``; other pictures are not used), the sources listed, the
    as-of date on every slide. Placeholder slides are left out. The file's properties: its
    title (the deck's title and as-of date), author (``author``, the viewer's unit, else the
    programme's name) and creation time (``created``, else now)."""
    images = images or {}
    prs = Presentation()
    props = prs.core_properties
    props.title = title or (f"{slides[0].title} · {as_of_label}" if slides else as_of_label)
    props.author = author or t("deck_file_author")
    props.last_modified_by = props.author
    props.created = props.modified = (created or datetime.now(UTC)).replace(tzinfo=None)
    props.revision = 1
    prs.slide_width, prs.slide_height = SLIDE_W, SLIDE_H
    _theme_fonts(prs)
    blank = prs.slide_layouts[6]
    W = SLIDE_W - 2 * MARGIN
    kept = for_files(slides)
    for n, (k, s) in enumerate(kept):
        slide = prs.slides.add_slide(blank)
        _text(slide, MARGIN, Inches(0.3), W, Inches(0.85), s.title, 30, True, RED, min_size=16)
        top: int = Inches(1.15)  # Length is an int; sums of Lengths are plain ints
        if s.subtitle:
            _text(slide, MARGIN, top, W, Inches(0.5), s.subtitle, 18, colour=GREY, min_size=11)
            top += Inches(0.55)
        if s.numbers:
            per_row = max(min(len(s.numbers), 4), 1)
            cell_w = int(W / per_row)
            for i, (label, value) in enumerate(s.numbers):
                row, col = divmod(i, 4)
                left = MARGIN + cell_w * col
                y = top + Inches(1.05) * row
                _text(slide, left, y, cell_w, Inches(0.62), value, 28, True, RED, min_size=14)
                _text(slide, left, y + Inches(0.6), cell_w, Inches(0.4), label, 13, colour=GREY)
            top += Inches(1.05) * ((len(s.numbers) + 3) // 4) + Inches(0.05)
        body_h = BODY_BOTTOM - top
        lines = [f"• {b}" for b in s.bullets] + [f"{text}: {url}" for text, url in s.links]
        spec = s.chart_spec()
        if s.empty:
            _text(slide, MARGIN, top + Inches(0.5), W, Inches(1.2), s.empty, 24, colour=GREY)
            lines = []
        elif spec is not None or (s.table is not None and len(s.table)) or k in images:
            if spec is None and k not in images:  # the table's bullets restate its rows
                lines = [f"{text}: {url}" for text, url in s.links]
            main_w = int(W * 0.6) if lines else W
            if spec is not None:
                _chart(slide, spec, MARGIN, top, main_w, body_h)
            elif k in images:
                _picture(slide, images[k], MARGIN, top, main_w, body_h)
            else:
                _table(slide, s.table, MARGIN, top, main_w, body_h)
            if lines:
                side = main_w + Inches(0.2)
                _text(slide, MARGIN + side, top, W - side, body_h, lines, 14, min_size=8)
            lines = []
        if lines:
            _text(slide, MARGIN, top + Inches(0.1), W, body_h - Inches(0.1), lines, 18)
        stamp = f"{as_of_label} · {n + 1} / {len(kept)}"
        stamp_w = Inches(3.2)
        if s.note:
            note_w = W - stamp_w - Inches(0.1)
            _text(
                slide,
                MARGIN,
                Inches(6.88),
                note_w,
                Inches(0.52),
                s.note,
                10,
                colour=GREY,
                min_size=7,
            )
        _text(
            slide,
            MARGIN + W - stamp_w,
            Inches(6.88),
            stamp_w,
            Inches(0.4),
            stamp,
            10,
            colour=GREY,
            align=PP_ALIGN.RIGHT,
        )
        _name_fonts(slide.shapes._spTree)
    buf = io.BytesIO()
    prs.save(buf)
    return buf.getvalue()


# ---------------------------------------------------------------------- PDF
def _pdf_string(text: str) -> bytes:
    """A PDF text string: UTF-16BE with its byte-order mark, written in hex."""
    return b"<FEFF" + text.encode("utf-16-be").hex().upper().encode() + b">"


def pdf_date(when: datetime | None = None) -> str:
    """A PDF date (ISO 32000 7.9.4) in UTC: D:YYYYMMDDHHmmSS+00'00'."""
    when = (when or datetime.now(UTC)).astimezone(UTC)
    return when.strftime("D:%Y%m%d%H%M%S+00'00'")


PRODUCER = "xianzhong-dashboard (Chromium, kaleido)"


def pdf_with_info(pdf: bytes, title: str, author: str, created: datetime | None = None) -> bytes:
    """The PDF with its document information (Title, Author, CreationDate, Producer) set by an
    incremental update: a new Info dictionary and a cross-reference section appended, the pages
    untouched (the Info Chromium wrote is replaced, so its dates are written again)."""
    starts = re.findall(rb"startxref\s+(\d+)", pdf)
    sizes = re.findall(rb"/Size\s+(\d+)", pdf)
    roots = re.findall(rb"/Root\s+(\d+\s+\d+\s+R)", pdf)
    if not (starts and sizes and roots):
        return pdf  # not a layout this knows: the file as printed
    size = max(int(n) for n in sizes)
    body = pdf if pdf.endswith(b"\n") else pdf + b"\n"
    offset = len(body)
    info = (
        f"{size} 0 obj\n<< /Title ".encode()
        + _pdf_string(title)
        + b" /Author "
        + _pdf_string(author)
        + f" /CreationDate ({pdf_date(created)}) /ModDate ({pdf_date(created)})".encode()
        + b" /Producer "
        + _pdf_string(PRODUCER)
        + b" >>\nendobj\n"
    )
    xref = len(body) + len(info)
    tail = (
        f"xref\n{size} 1\n{offset:010d} 00000 n \ntrailer\n"
        f"<< /Size {size + 1} /Root {roots[-1].decode()} /Info {size} 0 R "
        f"/Prev {int(starts[-1])} >>\nstartxref\n{xref}\n%%EOF\n"
    ).encode()
    return body + info + tail


def _head(document: str, name: str) -> str:
    if name == "title":
        found = re.search(r"<title>(.*?)</title>", document, re.S)
    else:
        found = re.search(rf"<meta name='{name}' content='([^']*)'>", document)
    return html.unescape(found.group(1)) if found else ""


def html_to_pdf(
    document: str,
    timeout: int = 120,
    author: str | None = None,
    title: str | None = None,
    session: BrowserSession | None = None,
    created: datetime | None = None,
) -> bytes:
    """Print an HTML document to PDF with the local headless Chromium (``session``'s, else one
    started for it). The PDF's Title is the document's ``<title>`` (or ``title``), its Author
    ``author`` — the viewer's unit where the caller knows it — else the document's author, else
    the programme's name; its CreationDate ``created`` (else now) and Producer are set too."""
    if session is None:
        with BrowserSession(timeout=timeout) as own:
            return html_to_pdf(document, timeout, author, title, own, created)
    pdf = session.pdf(document)
    title = title or _head(document, "title")
    author = author or _head(document, "author") or t("deck_file_author")
    return pdf_with_info(pdf, title, author, created) if title else pdf


PRINT_CSS = """
@page{size:297mm 167mm;margin:8mm 12mm 6mm}
body{margin:0;font-family:'Noto Sans CJK SC',sans-serif;color:#1a202c}
.p{width:273mm;height:152.5mm;box-sizing:border-box;overflow:hidden;page-break-after:always;display:flex;flex-direction:column}
.c{flex:1 1 auto;min-height:0;overflow:hidden;display:flex;flex-direction:column}
h1{margin:0;font-size:22pt;color:#9b2c2c}h2{margin:1mm 0 0;font-size:13pt;font-weight:400;color:#4a5568}
.nums{display:flex;gap:5mm;margin-top:4mm}.n{background:#fdf2ea;border-radius:2mm;padding:3mm 4mm;flex:1}
.n b{display:block;font-size:24pt;color:#c53030}.n span{font-size:10pt;color:#4a5568}
.img{flex:1;min-height:0;display:flex;align-items:center;justify-content:center;margin-top:3mm}
.img img{max-width:100%;max-height:100%}
.empty{flex:1;display:flex;align-items:center;justify-content:center;font-size:18pt;color:#718096}
ul{font-size:11pt;margin:2mm 0}table{border-collapse:collapse;font-size:9pt;margin-top:3mm}
td,th{border:1px solid #cbd5e0;padding:1mm 2mm}
.f{flex:none;display:flex;justify-content:space-between;gap:6mm;font-size:8pt;color:#718096;border-top:1px solid #e2e8f0;padding-top:1.5mm;margin-top:2mm}
.f span:last-child{white-space:nowrap}
"""


REPORT_CSS = (
    PRINT_CSS.replace(
        "@page{size:297mm 167mm;margin:8mm 12mm 6mm}", "@page{size:A4;margin:10mm 12mm 8mm}"
    ).replace(".p{width:273mm;height:152.5mm;", ".p{width:186mm;height:278.5mm;")
    + """
.nums{flex-wrap:wrap}.n{flex:1 1 40mm}.n b{font-size:18pt}.img{flex:0 0 70mm}table{font-size:8pt}
"""
)


def _e(text) -> str:
    return html.escape("" if text is None else str(text))


def print_html(
    slides: list[Slide],
    as_of_label: str,
    images: dict[int, bytes] | None = None,
    page_css: str = PRINT_CSS,
    title: str | None = None,
    author: str | None = None,
) -> str:
    """The deck as printable pages with still images (no scripts: nothing to wait for). The
    document's ``<title>`` — the PDF's Title — is the deck's title and its as-of date, its
    author ``author`` (the viewer's unit) or the programme's name. Placeholder slides are left
    out; each page's content keeps above its footer."""
    images = images or {}
    kept = for_files(slides)
    pages = []
    for n, (k, s) in enumerate(kept):
        parts = [f"<h1>{_e(s.title)}</h1>"]
        if s.subtitle:
            parts.append(f"<h2>{_e(s.subtitle)}</h2>")
        if s.numbers:
            parts.append(
                "<div class='nums'>"
                + "".join(
                    f"<div class='n'><b>{_e(v)}</b><span>{_e(label)}</span></div>"
                    for label, v in s.numbers
                )
                + "</div>"
            )
        if s.empty:
            parts.append(f"<div class='empty'>{_e(s.empty)}</div>")
        elif k in images:
            data = base64.b64encode(images[k]).decode()
            parts.append(f"<div class='img'><img src='data:image/png;base64,{data}'></div>")
        elif s.table is not None and len(s.table):
            parts.append(s.table.head(14).to_html(index=False, escape=True))
        if s.bullets or s.links:
            parts.append(
                "<ul>"
                + "".join(f"<li>{_e(b)}</li>" for b in s.bullets)
                + "".join(f"<li>{_e(text)}: {_e(url)}</li>" for text, url in s.links)
                + "</ul>"
            )
        footer = (
            f"<div class='f'><span>{_e(s.note)}</span>"
            f"<span>{_e(as_of_label)} · {n + 1} / {len(kept)}</span></div>"
        )
        pages.append(f"<div class='p'><div class='c'>{''.join(parts)}</div>{footer}</div>")
    doc_title = title or (f"{slides[0].title} · {as_of_label}" if slides else as_of_label)
    head = (
        f"<meta charset='utf-8'><title>{_e(doc_title)}</title>"
        f"<meta name='author' content='{_e(author or t('deck_file_author'))}'>"
        f"<style>{page_css}</style>"
    )
    return f"<!DOCTYPE html><html><head>{head}</head><body>{''.join(pages)}</body></html>"


def _report(progress: Progress | None, share: float, key: str, lang: str, **values) -> None:
    if progress is not None:
        progress(min(max(share, 0.0), 1.0), t(key, lang, **values))


def _picture_key(cache_key: tuple, k: int, width: int, height: int) -> tuple:
    """Where slide ``k``'s picture of the deck ``cache_key`` is remembered (``cache.PAGES``)."""
    return (cache_key, "deck_png", k, width, height)


def slide_images(
    slides: list[Slide],
    width: int = 1280,
    height: int = 600,
    maps_only: bool = False,
    *,
    session: BrowserSession | None = None,
    lang: str = "zh",
    progress: Progress | None = None,
    cache_key: tuple | None = None,
    span: tuple[float, float] = (0.0, 1.0),
) -> tuple[dict[int, bytes], str | None]:
    """PNG of every slide's chart (and still map); the reason when none could be made, in the
    viewer's language. ``maps_only``: the still maps alone (the PPTX draws every other chart
    natively). One browser (``session``'s, else one of its own) draws them all; with
    ``cache_key`` (the deck's key, see ``cache.key_for``) a picture made once for that deck is
    remembered in ``cache.PAGES``. ``progress`` hears each picture, within ``span``."""
    if session is None:
        with BrowserSession() as own:
            return slide_images(
                slides,
                width,
                height,
                maps_only,
                session=own,
                lang=lang,
                progress=progress,
                cache_key=cache_key,
                span=span,
            )
    todo: list[tuple[int, Slide]] = []
    for k, s in enumerate(slides):
        if s.empty:
            continue
        if maps_only and s.make_still is None and s.still_figure is None:
            continue
        if s.make_still is None and s.still_figure is None and s.figure is None:
            continue
        todo.append((k, s))
    images: dict[int, bytes] = {}
    lo, hi = span
    for i, (k, s) in enumerate(todo):
        _report(
            progress,
            lo + (hi - lo) * i / max(len(todo), 1),
            "deck_stage_picture",
            lang,
            i=i + 1,
            n=len(todo),
            name=s.title,
        )

        def draw(s: Slide = s) -> bytes | None:
            still = s.still()
            fig = still if still is not None else (None if maps_only else s.figure)
            if fig is None:
                return None
            if still is not None:  # the map is drawn at its own size, twice as sharp
                return session.png(
                    fig, int(fig.layout.width or width), int(fig.layout.height or height), scale=2
                )
            return session.png(fig, width, height)

        try:
            png = (
                draw()
                if cache_key is None
                else memo.PAGES.get(_picture_key(cache_key, k, width, height), draw)
            )
        except ExportUnavailable as exc:
            session.close()  # a browser that failed is not used again (it reopens on demand)
            return images, exc.message(lang)
        if png is not None:
            images[k] = png
    _report(progress, hi, "deck_stage_pictures_done", lang)
    return images, None


def file_title(slides: list[Slide], as_of_label: str, lang: str) -> str:
    """A file's title: the deck's title and its as-of date."""
    head = slides[0].title if slides else t("app_title", lang)
    return t("deck_file_title", lang, title=head, as_of=as_of_label)


def _draw_stills_while_the_browser_starts(
    slides: list[Slide], cache_key: tuple | None, width: int, height: int
) -> None:
    """Start the browser in the background (``warm_up``; nothing when it runs already) and
    meanwhile draw the still maps whose pictures are not remembered: the figures are Python's
    work, Chromium's start is another process's, so on 2 cores they overlap instead of adding
    up (a cold export waited for Chromium first, then drew). The figures are kept by each
    slide's ``make_still`` cache, so ``slide_images`` finds them drawn."""
    warm_up()
    for k, s in enumerate(slides):
        if s.empty or s.make_still is None:
            continue
        if cache_key is not None and _picture_key(cache_key, k, width, height) in memo.PAGES:
            continue
        s.still()


def make_pptx(
    slides: list[Slide],
    as_of_label: str,
    *,
    lang: str = "zh",
    author: str | None = None,
    progress: Progress | None = None,
    cache_key: tuple | None = None,
) -> tuple[bytes, str | None]:
    """The deck as PPTX (its still maps as pictures), and why the pictures are missing if they
    are (the file is made anyway, with the numbers as tables)."""
    _draw_stills_while_the_browser_starts(slides, cache_key, 1280, 600)
    with export_session() as session:
        images, why = slide_images(
            slides,
            maps_only=True,
            session=session,
            lang=lang,
            progress=progress,
            cache_key=cache_key,
            span=(0.05, 0.7),
        )
    _report(progress, 0.75, "deck_stage_slides", lang)
    data = to_pptx(
        slides,
        as_of_label,
        images,
        author=author or t("deck_file_author", lang),
        title=file_title(slides, as_of_label, lang),
    )
    _report(progress, 1.0, "deck_stage_done", lang)
    return data, why


def make_pdf(
    slides: list[Slide],
    as_of_label: str,
    *,
    lang: str = "zh",
    author: str | None = None,
    progress: Progress | None = None,
    cache_key: tuple | None = None,
    page_css: str | None = None,
    image_size: tuple[int, int] = (1280, 600),
) -> bytes:
    """The deck (or a report) as PDF: the pictures and the pages printed by one browser."""
    title = file_title(slides, as_of_label, lang)
    author = author or t("deck_file_author", lang)
    _draw_stills_while_the_browser_starts(slides, cache_key, *image_size)
    with export_session() as session:
        images, why = slide_images(
            slides,
            *image_size,
            session=session,
            lang=lang,
            progress=progress,
            cache_key=cache_key,
            span=(0.05, 0.75),
        )
        if why:
            raise (
                ExportUnavailable(NO_BROWSER)
                if browser_path() is None
                else ExportUnavailable("deck_export_pdf_failed")
            )
        _report(progress, 0.8, "deck_stage_print", lang)
        document = print_html(
            slides, as_of_label, images, page_css=page_css or PRINT_CSS, title=title, author=author
        )
        pdf = html_to_pdf(document, author=author, title=title, session=session)
    _report(progress, 1.0, "deck_stage_done", lang)
    return pdf


def make_png_zip(
    slides: list[Slide],
    *,
    lang: str = "zh",
    progress: Progress | None = None,
    cache_key: tuple | None = None,
) -> tuple[bytes, str | None]:
    """Every slide's picture (charts and the still map) in one ZIP, named by place and slide."""
    _draw_stills_while_the_browser_starts(slides, cache_key, 1280, 600)
    with export_session() as session:
        images, why = slide_images(
            slides,
            session=session,
            lang=lang,
            progress=progress,
            cache_key=cache_key,
            span=(0.05, 0.9),
        )
    _report(progress, 0.95, "deck_stage_zip", lang)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for k, png in images.items():
            zf.writestr(f"{k + 1:02d}_{slides[k].key}.png", png)
    _report(progress, 1.0, "deck_stage_done", lang)
    return buf.getvalue(), why
