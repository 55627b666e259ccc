"""One page read at several window sizes: a resize, then a wait until the page has followed it
(used where what a test checks is the text and layout of one state, so a page loaded once can be
read at each size instead of being loaded and run again per size)."""

from __future__ import annotations

# the widths of the plotly charts drawn (a hidden one, in a closed expander, is left out)
PLOT_WIDTHS = """() => [...document.querySelectorAll('.js-plotly-plot .main-svg:first-child')]
  .map(e => e.getBoundingClientRect().width).filter(w => w > 50)"""

# every chart drawn before the resize is drawn at another width now
PLOTS_REDRAWN = """(before) => {
  const now = [...document.querySelectorAll('.js-plotly-plot .main-svg:first-child')]
    .map(e => e.getBoundingClientRect().width).filter(w => w > 50);
  return now.length === before.length && now.every((w, i) => Math.abs(w - before[i]) > 1);
}"""


def resize(pg, width: int, height: int, settle_ms: int = 500) -> None:
    """Set the page to ``width``×``height`` and wait until it has followed: every plotly chart
    redrawn at its new width, Streamlit's run (if the resize started one) over, then
    ``settle_ms`` for the grids to redraw their cells."""
    before = pg.evaluate(PLOT_WIDTHS)
    pg.set_viewport_size({"width": width, "height": height})
    if before:
        pg.wait_for_function(PLOTS_REDRAWN, arg=before, timeout=60_000)
    pg.locator('[data-testid="stStatusWidget"]').wait_for(state="detached", timeout=60_000)
    pg.wait_for_timeout(settle_ms)


def to_top(pg) -> None:
    """Scroll the page (and Streamlit's scrolling main area) back to its top."""
    pg.evaluate(
        "() => { window.scrollTo(0, 0); document.querySelectorAll('*').forEach(e => {"
        " if (e.scrollTop) e.scrollTop = 0; }); }"
    )
