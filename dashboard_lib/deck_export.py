"""Files to take away from a meeting: the deck as PPTX and PDF, a province report, charts as PNG.

Images are drawn by plotly's kaleido, which needs a Chromium-family browser on the machine
(Debian's /usr/bin/chromium here); PDFs are printed by the same browser. Where no browser can be
found the export says so in one sentence (``ExportUnavailable``) instead of failing: the PPTX then
carries the numbers as editable tables in place of the chart pictures.
"""

from __future__ import annotations

import base64
import html
import io
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import plotly.graph_objects as go
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.util import Emu, Inches, Pt

from .deck import Slide

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
FONT = "Noto Sans CJK SC"
RED = RGBColor(0x9B, 0x2C, 0x2C)
GREY = RGBColor(0x71, 0x80, 0x96)


class ExportUnavailable(RuntimeError):
    """This machine cannot render images or PDFs (no Chromium-family browser)."""

    def __init__(self, zh: str, en: str):
        super().__init__(f"{zh} / {en}")
        self.zh, self.en = zh, en

    def message(self, lang: str = "zh") -> str:
        return self.zh if lang == "zh" else self.en


NO_BROWSER = (
    "本机没有可用的 Chromium 浏览器，无法生成图片或 PDF；PPTX 中以数字表格代替图表。",
    "No Chromium browser on this machine: images and PDFs cannot be made; the PPTX shows "
    "the numbers as tables instead of charts.",
)


def browser_path() -> str | None:
    env = os.environ.get("BROWSER_PATH")
    if env and Path(env).exists():
        return env
    for candidate in CHROMIUM_CANDIDATES:
        if Path(candidate).exists():
            return candidate
    return shutil.which("chromium") or shutil.which("google-chrome")


def chart_png(fig: go.Figure, width: int = 1280, height: int = 640) -> bytes:
    """A chart as PNG, drawn offline by kaleido in the local Chromium."""
    path = browser_path()
    if path is None:
        raise ExportUnavailable(*NO_BROWSER)
    os.environ.setdefault("BROWSER_PATH", path)
    try:
        return fig.to_image(format="png", width=width, height=height, scale=1)
    except Exception as exc:  # kaleido reports a missing or broken browser in several ways
        raise ExportUnavailable(
            f"图表图片生成失败：{type(exc).__name__}。",
            f"The chart image could not be made: {type(exc).__name__}.",
        ) from exc


def map_figure(
    provinces: gpd.GeoDataFrame,
    colours: dict[int, str],
    flows: pd.DataFrame | None = None,
    outline: gpd.GeoDataFrame | None = None,
    title: str = "",
) -> go.Figure:
    """A still map for files: provinces filled with the given colours (plotly shapes on plain
    axes, so it needs no map tiles and no topojson from the internet)."""
    fig = go.Figure()
    for code, geom in zip(provinces["adcode"], provinces.geometry):
        polys = getattr(geom, "geoms", [geom])
        for poly in polys:
            x, y = poly.exterior.coords.xy
            fig.add_trace(
                go.Scatter(
                    x=list(x),
                    y=list(y),
                    fill="toself",
                    mode="lines",
                    line={"color": "#666", "width": 0.6},
                    fillcolor=colours.get(int(code), "#d9d9d9"),
                    hoverinfo="skip",
                    showlegend=False,
                )
            )
    if flows is not None and len(flows):
        xs, ys = [], []
        for r in flows.itertuples(index=False):
            xs += [r.university_lon, r.county_lon, None]
            ys += [r.university_lat, r.county_lat, None]
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=ys,
                mode="lines",
                line={"color": "#2b6cb0", "width": 0.8},
                opacity=0.5,
                hoverinfo="skip",
                showlegend=False,
            )
        )
    if outline is not None:
        for geom in outline[outline["layer"] != "land"].geometry:
            for line in getattr(geom, "geoms", [geom]):
                x, y = line.coords.xy
                fig.add_trace(
                    go.Scatter(
                        x=list(x),
                        y=list(y),
                        mode="lines",
                        showlegend=False,
                        line={"color": "#333", "width": 1, "dash": "dash"},
                        hoverinfo="skip",
                    )
                )
    fig.update_xaxes(visible=False, range=[73, 136])
    fig.update_yaxes(visible=False, range=[3, 54], scaleanchor="x", scaleratio=1.2)
    fig.update_layout(
        title=title,
        margin={"l": 10, "r": 10, "t": 40 if title else 10, "b": 10},
        plot_bgcolor="#f4f7fb",
        paper_bgcolor="#ffffff",
        font={"family": FONT},
    )
    return fig


# ---------------------------------------------------------------------- PPTX
def _text(slide, left, top, width, height, text, size, bold=False, colour=None):
    box = slide.shapes.add_textbox(left, top, width, height)
    frame = box.text_frame
    frame.word_wrap = True
    para = frame.paragraphs[0]
    run = para.add_run()
    run.text = text
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.name = FONT
    if colour is not None:
        run.font.color.rgb = colour
    return box


def _table(slide, frame: pd.DataFrame, left, top, width, height, max_rows: int = 12):
    frame = frame.head(max_rows)
    rows, cols = len(frame) + 1, len(frame.columns)
    shape = slide.shapes.add_table(rows, cols, left, top, width, height)
    table = shape.table
    for j, col in enumerate(frame.columns):
        table.cell(0, j).text = str(col)
    for i, row in enumerate(frame.itertuples(index=False), start=1):
        for j, value in enumerate(row):
            table.cell(i, j).text = (
                ""
                if pd.isna(value)
                else (
                    f"{value:,.0f}"
                    if isinstance(value, float) and float(value).is_integer()
                    else str(value)
                )
            )
    for cell in (table.cell(i, j) for i in range(rows) for j in range(cols)):
        for p in cell.text_frame.paragraphs:
            for r in p.runs:
                r.font.size = Pt(11)
                r.font.name = FONT
    return shape


def to_pptx(slides: list[Slide], as_of_label: str, images: dict[int, bytes] | None = None) -> bytes:
    """Real slides: titles and figures as editable text, charts as pictures (or tables when no
    picture could be made), sources listed, the as-of date on every slide."""
    images = images or {}
    prs = Presentation()
    prs.slide_width, prs.slide_height = Inches(13.333), Inches(7.5)
    blank = prs.slide_layouts[6]
    W = prs.slide_width
    for k, s in enumerate(slides):
        slide = prs.slides.add_slide(blank)
        _text(slide, Inches(0.5), Inches(0.3), W - Inches(1), Inches(0.9), s.title, 32, True, RED)
        top = Inches(1.15)
        if s.subtitle:
            _text(slide, Inches(0.5), top, W - Inches(1), Inches(0.5), s.subtitle, 18, colour=GREY)
            top += Inches(0.55)
        if s.numbers:
            n = len(s.numbers)
            cell_w = (W - Inches(1)) / max(min(n, 4), 1)
            for i, (label, value) in enumerate(s.numbers):
                row, col = divmod(i, 4)
                left = Inches(0.5) + Emu(int(cell_w * col))
                y = top + Inches(1.1) * row
                _text(slide, left, y, cell_w, Inches(0.65), value, 30, True, RED)
                _text(slide, left, y + Inches(0.6), cell_w, Inches(0.4), label, 13, colour=GREY)
            top += Inches(1.1) * ((n + 3) // 4) + Inches(0.1)
        body_h = Inches(6.7) - top
        if s.empty:
            _text(
                slide,
                Inches(0.5),
                top + Inches(1),
                W - Inches(1),
                Inches(1),
                s.empty,
                24,
                colour=GREY,
            )
        elif k in images:
            slide.shapes.add_picture(io.BytesIO(images[k]), Inches(0.8), top, height=body_h)
        elif s.table is not None and len(s.table):
            _table(
                slide,
                s.table,
                Inches(0.5),
                top,
                W - Inches(1),
                min(body_h, Inches(0.35) * (min(len(s.table), 12) + 1)),
            )
        lines = list(s.bullets) + [f"{t}: {u}" for t, u in s.links]
        if lines:
            y = top if (k not in images and s.table is None and not s.empty) else Inches(6.0)
            _text(slide, Inches(0.5), y, W - Inches(1), Inches(0.5), "\n".join(lines[:8]), 14)
        footer = f"{s.note}    {as_of_label} · {k + 1} / {len(slides)}".strip()
        _text(slide, Inches(0.5), Inches(7.0), W - Inches(1), Inches(0.4), footer, 11, colour=GREY)
    buf = io.BytesIO()
    prs.save(buf)
    return buf.getvalue()


# ---------------------------------------------------------------------- PDF
def html_to_pdf(document: str, timeout: int = 120) -> bytes:
    """Print an HTML document to PDF with the local headless Chromium."""
    path = browser_path()
    if path is None:
        raise ExportUnavailable(*NO_BROWSER)
    with tempfile.TemporaryDirectory() as tmp:
        src, out = Path(tmp) / "doc.html", Path(tmp) / "out.pdf"
        src.write_text(document, encoding="utf-8")
        cmd = [
            path,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            f"--user-data-dir={Path(tmp) / 'profile'}",
            "--no-pdf-header-footer",
            f"--print-to-pdf={out}",
            src.as_uri(),
        ]
        try:
            subprocess.run(cmd, capture_output=True, timeout=timeout, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise ExportUnavailable(
                "PDF 生成失败：浏览器未响应。",
                "The PDF could not be made: the browser did not answer.",
            ) from exc
        if not out.exists() or out.stat().st_size == 0:
            raise ExportUnavailable("PDF 生成失败。", "The PDF could not be made.")
        return out.read_bytes()


PRINT_CSS = """
@page{size:297mm 167mm;margin:0}
body{margin:0;font-family:'Noto Sans CJK SC',sans-serif;color:#1a202c}
.p{width:297mm;height:167mm;box-sizing:border-box;padding:9mm 12mm 6mm;page-break-after:always;display:flex;flex-direction:column}
h1{margin:0;font-size:22pt;color:#9b2c2c}h2{margin:1mm 0 0;font-size:13pt;font-weight:400;color:#4a5568}
.nums{display:flex;gap:5mm;margin-top:4mm}.n{background:#fdf2ea;border-radius:2mm;padding:3mm 4mm;flex:1}
.n b{display:block;font-size:24pt;color:#c53030}.n span{font-size:10pt;color:#4a5568}
.img{flex:1;min-height:0;display:flex;align-items:center;justify-content:center;margin-top:3mm}
.img img{max-width:100%;max-height:100%}
.empty{flex:1;display:flex;align-items:center;justify-content:center;font-size:18pt;color:#718096}
ul{font-size:11pt;margin:2mm 0}table{border-collapse:collapse;font-size:9pt;margin-top:3mm}
td,th{border:1px solid #cbd5e0;padding:1mm 2mm}
.f{display:flex;justify-content:space-between;font-size:8pt;color:#718096}
"""


REPORT_CSS = (
    PRINT_CSS.replace("@page{size:297mm 167mm;margin:0}", "@page{size:A4;margin:0}").replace(
        ".p{width:297mm;height:167mm;", ".p{width:210mm;height:297mm;"
    )
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
) -> str:
    """The deck as printable pages with still images (no scripts: nothing to wait for)."""
    images = images or {}
    pages = []
    for k, s in enumerate(slides):
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
                + "".join(f"<li>{_e(t)}：{_e(u)}</li>" for t, u in s.links)
                + "</ul>"
            )
        parts.append(
            f"<div class='f'><span>{_e(s.note)}</span><span>{_e(as_of_label)} · {k + 1} / {len(slides)}</span></div>"
        )
        pages.append(f"<div class='p'>{''.join(parts)}</div>")
    return f"<!DOCTYPE html><html><head><meta charset='utf-8'><style>{page_css}</style></head><body>{''.join(pages)}</body></html>"


def slide_images(
    slides: list[Slide], width: int = 1280, height: int = 600
) -> tuple[dict[int, bytes], str | None]:
    """PNG of every slide's chart (and still map); the reason when none could be made."""
    images: dict[int, bytes] = {}
    for k, s in enumerate(slides):
        still = s.still()
        fig = still if still is not None else s.figure
        if fig is None or s.empty:
            continue
        try:
            images[k] = chart_png(fig, width, height)
        except ExportUnavailable as exc:
            return images, exc.zh + " / " + exc.en
    return images, None
