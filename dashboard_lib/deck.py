"""The presenter deck as data (``Slide``) and as one self-contained HTML document.

The HTML holds every slide at once, so moving between slides is a class change in the browser —
no server round trip, no redraw of the map. Keyboard (←/→, space, PageUp/PageDown, Home/End, F),
on-screen buttons, a fullscreen toggle and optional auto-advance are a few lines of our own
JavaScript. plotly.js and Leaflet come from the app's own /app/static/ (nothing from a CDN).
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import pandas as pd
import plotly.graph_objects as go

from .i18n import t

PLOTLY_JS = "/app/static/plotly/plotly.min.js"


@dataclass(frozen=True)
class ChartSpec:
    """A chart's own numbers, for files that draw it natively (the PPTX): the kind, the
    categories in order, one row of values per series, the titles. Built from the plotly figure
    the live deck draws, so both show the same numbers."""

    kind: str  # "bar" (horizontal bars), "column", "line" or "pie"
    categories: tuple[str, ...]
    series: tuple[tuple[str, tuple[float | None, ...]], ...]  # (name, one value per category)
    title: str = ""
    category_title: str = ""
    value_title: str = ""
    stacked: bool = False
    colours: tuple[str | None, ...] = ()  # one per series (a plotly colour) or None

    @staticmethod
    def _merge(orders: Sequence[Sequence[str]]) -> list[str]:
        """The categories of all traces in one order: a category a trace adds goes before the
        next category of that trace already placed, else last (a term one series lacks keeps
        its place)."""
        out: list[str] = []
        for order in orders:
            for i, cat in enumerate(order):
                if cat in out:
                    continue
                later = next((c for c in order[i + 1 :] if c in out), None)
                out.insert(out.index(later) if later is not None else len(out), cat)
        return out

    @classmethod
    def from_figure(
        cls, fig: go.Figure | None, category_title: str = "", value_title: str = ""
    ) -> ChartSpec | None:
        """The spec of a bar, line or pie figure (None for anything else, e.g. a map)."""
        if fig is None or not fig.data:
            return None
        types = {tr.type for tr in fig.data}
        layout = fig.layout
        title = layout.title.text or ""
        if types == {"pie"}:
            tr = fig.data[0]
            cats = [str(c) for c in tr.labels]
            return cls(
                "pie", tuple(cats), ((tr.name or title, tuple(_num(v) for v in tr.values)),), title
            )
        if not types <= {"bar", "scatter"}:
            return None
        horizontal = all(getattr(tr, "orientation", None) == "h" for tr in fig.data)
        pairs = []
        for tr in fig.data:
            cats, vals = (tr.y, tr.x) if horizontal else (tr.x, tr.y)
            if cats is None or vals is None:
                return None
            pairs.append(([str(c) for c in cats], [_num(v) for v in vals]))
        order = cls._merge([c for c, _ in pairs])
        series = []
        colours = []
        for tr, (cats, vals) in zip(fig.data, pairs):
            by = dict(zip(cats, vals))
            series.append((str(tr.name or ""), tuple(by.get(c) for c in order)))
            colour = getattr(getattr(tr, "marker", None), "color", None)
            colours.append(colour if isinstance(colour, str) else None)
        cat_axis, val_axis = (
            (layout.yaxis, layout.xaxis) if horizontal else (layout.xaxis, layout.yaxis)
        )
        kind = "line" if types == {"scatter"} else ("bar" if horizontal else "column")
        return cls(
            kind,
            tuple(order),
            tuple(series),
            title,
            cat_axis.title.text or category_title,
            val_axis.title.text or value_title,
            layout.barmode in ("stack", "relative") and kind != "line",
            tuple(colours),
        )


def _num(value) -> float | None:
    try:
        out = float(value)
    except (TypeError, ValueError):
        return None
    return None if out != out else out  # NaN: no value


@dataclass
class Slide:
    key: str  # which slide (see present.SLIDES)
    title: str
    subtitle: str = ""
    numbers: list[tuple[str, str]] = field(default_factory=list)  # big figures: (label, value)
    figure: go.Figure | None = None
    map_html: str | None = None  # a whole folium document
    still_figure: go.Figure | None = None  # what files show in place of the live map
    make_still: Callable[[], go.Figure] | None = None  # draws still_figure when a file asks for it
    bullets: list[str] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)  # (text, url) — sources
    table: pd.DataFrame | None = None  # the numbers behind the chart
    empty: str | None = None  # said instead of an empty chart
    note: str = ""  # footer note, e.g. what is simulated
    chart: ChartSpec | None = None  # the figure's numbers for native charts in files
    placeholder: bool = False  # says only "choose …": shown live, left out of files

    def chart_spec(self) -> ChartSpec | None:
        """The chart a file draws natively: the frozen spec, else read from the figure."""
        if self.empty:
            return None
        return self.chart if self.chart is not None else ChartSpec.from_figure(self.figure)

    def still(self) -> go.Figure | None:
        """What files show in place of the live map. Drawn on demand: the deck on screen never
        needs it, and at national scale it is the slowest part of a slide (thousands of shapes)."""
        if self.still_figure is None and self.make_still is not None:
            return self.make_still()
        return self.still_figure


def _e(text) -> str:
    return html.escape("" if text is None else str(text))


def _figure_html(fig: go.Figure, div_id: str) -> str:
    """The figure as the slide draws it: its axes make room for their labels and titles (a
    4:3 slide is narrower than the page the figure was made for) and it takes the height the
    slide leaves it, not the page's fixed height."""
    fig = go.Figure(fig).update_xaxes(automargin=True).update_yaxes(automargin=True)
    fig.update_layout(height=None, width=None, autosize=True)  # the slide's room, not the page's
    return fig.to_html(
        full_html=False,
        include_plotlyjs=False,
        div_id=div_id,
        config={"displayModeBar": False, "responsive": True},
    )


def slide_html(slide: Slide, index: int, total: int, as_of_label: str) -> str:
    body = []
    if slide.numbers:
        cells = "".join(
            f"<div class='num'><div class='v'>{_e(v)}</div><div class='l'>{_e(lbl)}</div></div>"
            for lbl, v in slide.numbers
        )
        body.append(f"<div class='numbers n{min(len(slide.numbers), 4)}'>{cells}</div>")
    if slide.empty:
        body.append(f"<div class='empty'>{_e(slide.empty)}</div>")
    elif slide.map_html:
        # loaded when its slide is first shown, so Leaflet measures a visible frame
        body.append(
            f"<iframe class='map' data-srcdoc=\"{html.escape(slide.map_html, quote=True)}\"></iframe>"
        )
    elif slide.figure is not None:
        body.append(f"<div class='chart'>{_figure_html(slide.figure, f'fig-{index}')}</div>")
    if slide.bullets:
        items = "".join(f"<li>{_e(b)}</li>" for b in slide.bullets)
        body.append(f"<ul class='bullets'>{items}</ul>")
    if slide.links:
        items = "".join(
            f'<li><a href="{_e(url)}" target="_blank" rel="noopener">{_e(text)}</a></li>'
            for text, url in slide.links
        )
        body.append(f"<ul class='links'>{items}</ul>")
    sub = f"<h2>{_e(slide.subtitle)}</h2>" if slide.subtitle else ""
    return (
        f"<section class='slide' id='slide-{index}' data-key='{_e(slide.key)}' aria-label='{_e(slide.title)}'>"
        f"<header><h1>{_e(slide.title)}</h1>{sub}</header>"
        f"<main>{''.join(body)}</main>"
        f"<footer><span>{_e(slide.note)}</span><span>{_e(as_of_label)} · {index + 1} / {total}</span></footer>"
        f"</section>"
    )


CSS = """
html,body{margin:0;height:100%;background:#111;font-family:'Noto Sans CJK SC','Noto Sans SC',sans-serif}
#deck{position:relative;width:100%;height:100%;display:flex;align-items:center;justify-content:center}
.slide{display:none;box-sizing:border-box;width:min(100vw,177.78vh);height:min(75vw,100vh);
 background:#fff;color:#1a202c;padding:3.2vmin 4.5vmin 2vmin;flex-direction:column}
.slide.active{display:flex}
.slide header h1{margin:0;font-size:5.2vmin;color:#9b2c2c;line-height:1.2}
.slide header h2{margin:.6vmin 0 0;font-size:3vmin;font-weight:400;color:#4a5568}
.slide main{flex:1;display:flex;flex-direction:column;gap:1.6vmin;min-height:0;margin-top:2vmin}
.numbers{display:grid;gap:2vmin}
.numbers.n1{grid-template-columns:1fr}.numbers.n2{grid-template-columns:repeat(2,1fr)}
.numbers.n3{grid-template-columns:repeat(3,1fr)}.numbers.n4{grid-template-columns:repeat(4,1fr)}
.num{background:#fdf2ea;border-radius:1vmin;padding:1.6vmin 2vmin}
.num .v{font-size:7vmin;font-weight:700;color:#c53030;line-height:1.1}
.num .l{font-size:2.6vmin;color:#4a5568}
.chart{flex:1;min-height:0}.chart>div{height:100%!important}
.map{flex:1;width:100%;border:0;min-height:0}
.bullets{font-size:2.7vmin;line-height:1.45;margin:0;padding-left:3vmin}
.links{font-size:2vmin;margin:0;padding-left:3vmin;color:#2b6cb0}
.empty{flex:1;display:flex;align-items:center;justify-content:center;font-size:4vmin;color:#718096;
 border:.3vmin dashed #cbd5e0;border-radius:1vmin}
.slide footer{display:flex;justify-content:space-between;font-size:1.9vmin;color:#718096;margin-top:1vmin}
#controls{position:fixed;top:1.2vmin;right:1.2vmin;display:flex;gap:.8vmin;opacity:.55;z-index:10;align-items:center}
#controls:hover{opacity:1}
#controls #leave{background:#c53030}
#counter,#clock{font-size:2vmin;color:#fff;background:#2d3748;border-radius:.6vmin;padding:.5vmin 1.2vmin}
body.black #deck,body.black #controls{visibility:hidden}
#controls button{font-size:2vmin;padding:.5vmin 1.4vmin;border:0;border-radius:.6vmin;background:#2d3748;color:#fff;cursor:pointer}
@media print{html,body{background:#fff;height:auto}#controls{display:none}
 #deck{display:block}.slide{display:flex!important;width:100vw;height:56.25vw;page-break-after:always}}
"""

JS = """
(function(){
  const slides = Array.from(document.querySelectorAll('.slide'));
  const $ = id => document.getElementById(id);
  let i = Math.min(Math.max(%(start)d, 0), slides.length - 1), timer = null, paused = false;
  const every = %(autoplay)d, started = Date.now();
  function show(n){
    i = (n + slides.length) %% slides.length;
    slides.forEach((s, k) => s.classList.toggle('active', k === i));
    document.body.dataset.slide = String(i);
    document.body.dataset.key = slides[i].dataset.key;
    $('counter').textContent = (i + 1) + ' / ' + slides.length;
    slides[i].querySelectorAll('.js-plotly-plot').forEach(p => window.Plotly && Plotly.Plots.resize(p));
    slides[i].querySelectorAll('iframe.map[data-srcdoc]').forEach(f => {
      f.srcdoc = f.dataset.srcdoc; f.removeAttribute('data-srcdoc'); });
    if (timer !== null) { clearInterval(timer); timer = setInterval(() => show(i + 1), every * 1000); }
  }
  function fullscreen(){
    const el = document.documentElement;
    if (!document.fullscreenElement) { el.requestFullscreen && el.requestFullscreen().catch(() => {}); }
    else { document.exitFullscreen(); }
  }
  function pause(){  // autoplay only: pause or resume; the state is shown and kept on the body
    if (every <= 0) return;
    paused = !paused;
    if (paused) { clearInterval(timer); timer = null; }
    else { timer = setInterval(() => show(i + 1), every * 1000); }
    document.body.dataset.paused = paused ? '1' : '0';
    $('pause').textContent = paused ? $('pause').dataset.resume : $('pause').dataset.pause;
  }
  function black(){ document.body.classList.toggle('black');
    document.body.dataset.black = document.body.classList.contains('black') ? '1' : '0'; }
  function clock(){ $('clock').hidden = !$('clock').hidden; tick(); }
  function tick(){
    const s = Math.floor((Date.now() - started) / 1000), d = new Date();
    const two = v => String(v).padStart(2, '0');
    $('clock').textContent = two(d.getHours()) + ':' + two(d.getMinutes()) + ' · ' +
      two(Math.floor(s / 60)) + ':' + two(s %% 60);
  }
  function exitButton(){  // the presenter page's own exit button (a same-origin frame), if any
    try { return window.parent.document.querySelector('.st-key-exit_deck button'); } catch (err) { return null; }
  }
  function leave(){
    const b = exitButton();
    if (b) { if (document.fullscreenElement) document.exitFullscreen(); b.click(); }
  }
  document.addEventListener('keydown', e => {
    const k = e.key;
    if (document.body.classList.contains('black') && !['b','B','.'].includes(k)) { black(); e.preventDefault(); return; }
    if (k === ' ' && every > 0 || k === 'p' || k === 'P') { pause(); e.preventDefault(); }
    else if (['ArrowRight','PageDown',' ','Enter'].includes(k)) { show(i + 1); e.preventDefault(); }
    else if (['ArrowLeft','PageUp','Backspace'].includes(k)) { show(i - 1); e.preventDefault(); }
    else if (k === 'Home') { show(0); } else if (k === 'End') { show(slides.length - 1); }
    else if (k === 'f' || k === 'F') { fullscreen(); }
    else if (k === 'b' || k === 'B' || k === '.') { black(); e.preventDefault(); }
    else if (k === 't' || k === 'T') { clock(); }
    else if ((k === 'Escape' && !document.fullscreenElement) || k === 'q' || k === 'Q') { leave(); }
  });
  $('prev').onclick = () => show(i - 1);
  $('next').onclick = () => show(i + 1);
  $('full').onclick = fullscreen;
  $('pause').onclick = pause;
  $('timer').onclick = clock;
  $('blackout').onclick = black;
  $('leave').onclick = leave;
  if (exitButton()) { $('leave').hidden = false; document.body.dataset.leave = '1'; }
  if (every > 0) { timer = setInterval(() => show(i + 1), every * 1000); } else { $('pause').hidden = true; }
  document.body.dataset.paused = '0'; document.body.dataset.black = '0';
  setInterval(tick, 1000);
  window.addEventListener('resize', () => show(i));
  show(i);
  document.body.focus();
})();
"""


KEY_LABELS = ("prev", "next", "full", "pause", "resume", "timer", "black", "help", "leave")


def deck_html(
    slides: list[Slide],
    as_of_label: str,
    lang: str = "zh",
    autoplay_seconds: int = 0,
    start: int = 0,
    labels: dict[str, str] | None = None,
) -> str:
    """One HTML document holding the whole deck."""
    labels = {**{k: t(f"deck_key_{k}", lang) for k in KEY_LABELS}, **(labels or {})}
    sections = "".join(slide_html(s, k, len(slides), as_of_label) for k, s in enumerate(slides))
    needs_plotly = any(s.figure is not None and not s.empty for s in slides)
    plotly_tag = f"<script src='{PLOTLY_JS}'></script>" if needs_plotly else ""
    controls = (
        f"<div id='controls' role='toolbar' aria-label='{_e(labels['help'])}' "
        f"title='{_e(labels['help'])}'><span id='counter' aria-live='polite'></span>"
        f"<span id='clock' hidden></span>"
        f"<button id='prev' title='{_e(labels['prev'])}'>‹</button>"
        f"<button id='next' title='{_e(labels['next'])}'>›</button>"
        f"<button id='pause' data-pause='{_e(labels['pause'])}' data-resume='{_e(labels['resume'])}'"
        f" title='{_e(labels['pause'])}'>{_e(labels['pause'])}</button>"
        f"<button id='timer' title='{_e(labels['timer'])}'>{_e(labels['timer'])}</button>"
        f"<button id='blackout' title='{_e(labels['black'])}'>{_e(labels['black'])}</button>"
        f"<button id='full' title='{_e(labels['full'])}'>{_e(labels['full'])}</button>"
        f"<button id='leave' title='{_e(labels['leave'])}' hidden>{_e(labels['leave'])}</button></div>"
    )
    script = JS % {"start": int(start), "autoplay": max(int(autoplay_seconds), 0)}
    return (
        f"<!DOCTYPE html><html lang='{'en' if lang == 'en' else 'zh-CN'}'><head><meta charset='utf-8'>"
        f"<style>{CSS}</style>{plotly_tag}</head>"
        f"<body tabindex='0'><div id='deck'>{sections}</div>{controls}<script>{script}</script></body></html>"
    )


def outline(slides: list[Slide]) -> list[dict]:
    """What each slide says, as plain data (for tests and the PPTX writer)."""
    return [
        {
            "key": s.key,
            "title": s.title,
            "numbers": list(s.numbers),
            "empty": s.empty,
            "has_chart": s.figure is not None,
            "has_map": s.map_html is not None,
        }
        for s in slides
    ]


def to_json(slides: list[Slide]) -> str:
    return json.dumps(outline(slides), ensure_ascii=False)
