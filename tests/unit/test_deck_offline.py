"""The browser that draws the exports' pictures loads nothing from the internet: kaleido's own
default page pulls MathJax from a CDN, which offline held every browser start until the request
failed, and online was a request leaving the server at run time."""

from __future__ import annotations

import re
import time
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

from dashboard_lib import deck_export


def _scripts(index_uri: str) -> list[str]:
    page = Path(unquote(urlparse(index_uri).path)).read_text(encoding="utf-8")
    return re.findall(r'<script[^>]*\bsrc="([^"]+)"', page)


@pytest.mark.skipif(deck_export.browser_path() is None, reason="needs Chromium")
def test_the_picture_browser_loads_its_scripts_from_this_machine():
    with deck_export.BrowserSession() as session:
        session._open()
        scripts = _scripts(session._k._index)
        png = session.png(deck_export.go.Figure(deck_export.go.Bar(x=[1, 2], y=[3, 4])), 300, 200)
    assert png.startswith(b"\x89PNG")
    assert any("plotly" in s for s in scripts), scripts  # the page is the one that draws
    for src in scripts:
        url = urlparse(src)
        assert url.scheme == "file", f"a script from outside this machine: {src}"
        assert Path(unquote(url.path)).is_file(), src


@pytest.mark.skipif(deck_export.browser_path() is None, reason="needs Chromium")
def test_the_warm_browser_lives_while_it_is_asked_for_and_closes_after(monkeypatch):
    """The presenter page asks for the warm browser (``warm_up``) every few minutes while it is
    open; each ask restarts the idle clock, and once nobody asks the browser is closed."""
    monkeypatch.setattr(deck_export, "IDLE_SECONDS", 1.5)
    deck_export._close_when_idle()
    assert deck_export.warm_up() is True  # none running: one is started in the background
    with deck_export.export_session():  # waits for the start
        pass
    first = deck_export._shared
    assert first is not None and first.started
    for _ in range(6):  # 3 s of asking, twice the idle time
        time.sleep(0.5)
        assert deck_export.warm_up() is False  # running already: only its clock restarts
    assert deck_export._shared is first and first.started
    # nobody asks: closed after the idle time (closing Chromium itself takes a moment, longer
    # on a loaded machine: the fresh-clone CI saw it still open 2.5 s after the last ask)
    stopped = time.monotonic()
    while deck_export._shared is not None and time.monotonic() - stopped < 30:
        time.sleep(0.1)
    assert deck_export._shared is None, "the warm browser was not closed after its idle time"
    assert time.monotonic() - stopped >= 1.0  # and not at once: the idle time was waited


@pytest.mark.skipif(deck_export.browser_path() is None, reason="needs Chromium")
def test_pictures_in_a_row_are_each_right_without_reloading_the_page(monkeypatch):
    """Kaleido reloads its page after every picture (about 0.2 s each here); the session keeps
    the page instead. A picture drawn after others must be the one drawn alone: same size, same
    pixels, nothing left over from the figure before it (a wide chart with a legend, then a
    small map-like scatter in another font, then the first chart again)."""
    from io import BytesIO

    import kaleido._kaleido_tab._tab as ktab
    from PIL import Image, ImageChops

    go = deck_export.go
    bars = go.Figure(go.Bar(x=["签约", "备案", "启动"], y=[30, 12, 5], name="县中"))
    bars.update_layout(title="进展", showlegend=True, font_family="Noto Sans CJK SC")
    dots = go.Figure(
        go.Scatter(
            x=[100, 101, 103], y=[35, 36, 34], mode="markers+text", text=["甘肃", "青海", "宁夏"]
        )
    )
    dots.update_layout(title="Map", font_family="serif", plot_bgcolor="#003366")

    def pixels(png: bytes) -> Image.Image:
        return Image.open(BytesIO(png)).convert("RGB")

    with deck_export.BrowserSession() as alone:
        bars_alone = pixels(alone.png(bars, 640, 360))
    with deck_export.BrowserSession() as alone:
        dots_alone = pixels(alone.png(dots, 300, 500, scale=2))
    reloads = []
    real_reload = ktab._KaleidoTab.reload

    async def counted(self):
        reloads.append(1)
        await real_reload(self)

    monkeypatch.setattr(ktab._KaleidoTab, "reload", counted)
    with deck_export.BrowserSession() as session:
        drawn = [
            pixels(session.png(bars, 640, 360)),
            pixels(session.png(dots, 300, 500, scale=2)),
            pixels(session.png(bars, 640, 360)),
        ]
    assert reloads == [], "the page was reloaded between pictures"
    assert [im.size for im in drawn] == [(640, 360), (600, 1000), (640, 360)]
    for im, want in zip(drawn, (bars_alone, dots_alone, bars_alone), strict=True):
        assert ImageChops.difference(im, want).getbbox() is None, "a picture differs from alone"
    assert ImageChops.difference(drawn[0], drawn[2]).getbbox() is None


@pytest.mark.skipif(deck_export.browser_path() is None, reason="needs Chromium")
def test_a_picture_made_inside_streamlit_is_the_picture_made_outside(monkeypatch):
    """Inside the app plotly's default template is Streamlit's (set by ``st.plotly_chart``), and
    a figure takes the default when it is made: the exported charts then lost plotly's
    automargin and had their labels cut (签约 → 约). A chart made under either default must be
    drawn the same, and its labels inside the picture."""
    from io import BytesIO

    import plotly.io as pio
    from PIL import Image, ImageChops
    from streamlit.elements.lib.streamlit_plotly_theme import configure_streamlit_plotly_theme

    go = deck_export.go

    def chart() -> go.Figure:  # like the progress slide: long category labels on the y axis
        fig = go.Figure(
            go.Bar(
                y=["签约（协议）", "备案（省厅）", "启动（到校）"],
                x=[108, 107, 93],
                orientation="h",
                marker_color="#5aa150",
            )
        )
        fig.update_layout(
            title="协议里程碑",
            margin=dict(l=10, r=10, t=40, b=10),
            yaxis_title="里程碑",
            xaxis_title="项目数（个）",
        )
        return fig

    monkeypatch.setattr(pio.templates, "default", "plotly")
    outside = chart()
    configure_streamlit_plotly_theme()
    monkeypatch.setattr(pio.templates, "default", "streamlit")
    inside = chart()
    assert inside.layout.template != outside.layout.template  # the two defaults differ
    with deck_export.BrowserSession() as session:
        a, b = (
            Image.open(BytesIO(session.png(f, 640, 360))).convert("RGB") for f in (outside, inside)
        )
    assert ImageChops.difference(a, b).getbbox() is None, "the picture depends on the default"
    # the labels are inside: the picture's left edge column is background, nothing cut there
    edge = {a.getpixel((0, y)) for y in range(a.height)}
    assert edge == {(255, 255, 255)}, edge
