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
import re
import shutil
import subprocess
import tempfile
from functools import cache
from pathlib import Path

import geopandas as gpd
import pandas as pd
import plotly.graph_objects as go
from lxml import etree
from PIL import Image, ImageFont
from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LEGEND_POSITION
from pptx.enum.text import MSO_AUTO_SIZE, PP_ALIGN
from pptx.oxml.ns import qn
from pptx.util import Emu, Inches, Pt

from .deck import ChartSpec, Slide
from .errors import UserError
from .i18n import t

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


def chart_png(fig: go.Figure, width: int = 1280, height: int = 640) -> bytes:
    """A chart as PNG, drawn offline by kaleido in the local Chromium."""
    path = browser_path()
    if path is None:
        raise ExportUnavailable("deck_export_no_browser")
    os.environ.setdefault("BROWSER_PATH", path)
    try:
        return fig.to_image(format="png", width=width, height=height, scale=1)
    except Exception as exc:  # kaleido reports a missing or broken browser in several ways
        raise ExportUnavailable("deck_export_chart_failed", error=type(exc).__name__) from exc


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


def to_pptx(slides: list[Slide], as_of_label: str, images: dict[int, bytes] | None = None) -> bytes:
    """Real slides: titles and figures as editable text that fits its box, charts as native
    PowerPoint charts carrying the slide's numbers, the still map as a picture (``images``, by
    the slide's place in ``slides``; other pictures are not used), the sources listed, the
    as-of date on every slide. Placeholder slides are left out."""
    images = images or {}
    prs = Presentation()
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


def pdf_with_info(pdf: bytes, title: str, author: str) -> bytes:
    """The PDF with its document information (Title, Author) set by an incremental update:
    a new Info dictionary and a cross-reference section appended, the pages untouched."""
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
    document: str, timeout: int = 120, author: str | None = None, title: str | None = None
) -> bytes:
    """Print an HTML document to PDF with the local headless Chromium. The PDF's Title is the
    document's ``<title>`` (or ``title``), its Author ``author`` — the viewer's unit where the
    caller knows it — else the document's author, else the programme's name."""
    path = browser_path()
    if path is None:
        raise ExportUnavailable("deck_export_no_browser")
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
            raise ExportUnavailable("deck_export_pdf_no_answer") from exc
        if not out.exists() or out.stat().st_size == 0:
            raise ExportUnavailable("deck_export_pdf_failed")
        pdf = out.read_bytes()
    title = title or _head(document, "title")
    author = author or _head(document, "author") or t("deck_file_author")
    return pdf_with_info(pdf, title, author) if title else pdf


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


def slide_images(
    slides: list[Slide], width: int = 1280, height: int = 600, maps_only: bool = False
) -> tuple[dict[int, bytes], str | None]:
    """PNG of every slide's chart (and still map); the reason when none could be made.
    ``maps_only``: the still maps alone (the PPTX draws every other chart natively)."""
    images: dict[int, bytes] = {}
    for k, s in enumerate(slides):
        still = s.still()
        if maps_only and still is None:
            continue
        fig = still if still is not None else s.figure
        if fig is None or s.empty:
            continue
        try:
            images[k] = chart_png(fig, width, height)
        except ExportUnavailable as exc:
            return images, exc.zh + " / " + exc.en
    return images, None
