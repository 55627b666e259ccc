"""The deck in a real browser at 1920×1080: full screen, stepped through with the keyboard,
a screenshot of every slide, nothing requested outside localhost."""

from __future__ import annotations

import time

from test_browser import SHOTS, server  # noqa: F401, F811  (fixtures)

from dashboard_lib import present


def test_deck_full_screen_keyboard_and_screenshots(server, browser):
    url, _ = server
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    page = context.new_page()
    outside = []
    page.on(
        "request",
        lambda r: (
            outside.append(r.url)
            if not r.url.startswith(
                ("http://localhost", "http://127.0.0.1", "data:", "about:", "blob:")
            )
            else None
        ),
    )
    try:
        page.goto(url + "/")
        page.get_by_role("link", name="演示模式").click()
        page.get_by_role("button", name="开始演示（全屏）").click()
        # the full-screen run has begun (the configuration page's preview deck is gone)
        page.get_by_role("button", name="退出演示").wait_for(timeout=60_000)
        page.locator('[data-testid="stStatusWidget"]').wait_for(state="detached", timeout=60_000)
        frame = page.frame_locator("iframe[title='st.iframe'] >> nth=-1")
        frame.locator("section.slide.active").wait_for(timeout=60_000)
        box = page.locator("iframe[title='st.iframe']").last.bounding_box()
        assert box["width"] >= 1900 and box["height"] >= 1060, "the deck covers the window"
        assert page.locator('[data-testid="stSidebar"]').is_hidden()
        page.locator("iframe[title='st.iframe']").last.click(position={"x": 960, "y": 540})
        seen = []
        SHOTS.mkdir(parents=True, exist_ok=True)
        for k in range(len(present.SLIDES)):
            key = frame.locator("body").get_attribute("data-key")
            seen.append(key)
            if key == "map":
                frame.frame_locator("iframe.map").locator(
                    "path.leaflet-interactive"
                ).first.wait_for(state="attached", timeout=30_000)
            time.sleep(0.3)
            page.screenshot(path=str(SHOTS / f"deck-{k + 1:02d}-{key}.png"))
            page.keyboard.press("ArrowRight" if k % 2 == 0 else " ")
        assert seen == list(present.SLIDES)
        assert frame.locator("body").get_attribute("data-key") == present.SLIDES[0]  # wraps round
        page.keyboard.press("ArrowLeft")
        assert frame.locator("body").get_attribute("data-key") == present.SLIDES[-1]
        numbers = frame.locator("section[data-key='numbers'] .num .v").all_inner_texts()
        assert numbers[0] == "115"
        assert outside == [], outside
    finally:
        context.close()


def _present(page, url: str, query: str):
    page.goto(url + "/presenter" + query)
    start = page.get_by_role("button", name="开始演示（全屏）")
    leave = page.get_by_role("button", name="退出演示")
    for attempt in range(2):  # a click during the page's first run can be lost in its rerun
        page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]').wait_for(
            timeout=60_000
        )
        start.click()
        try:
            leave.wait_for(timeout=30_000)
            break
        except Exception:
            if attempt or start.count() == 0:
                raise
    frame = page.frame_locator("iframe[title='st.iframe'] >> nth=-1")
    frame.locator("section.slide.active").wait_for(timeout=60_000)
    page.locator("iframe[title='st.iframe']").last.click(position={"x": 600, "y": 400})
    return frame


def test_presenter_keys_pause_black_timer_counter_and_exit(server, browser):
    """Issue 14 part 5: P/space pause autoplay and resume it, B blacks the screen and any key
    brings it back, T shows the clock and timer, the counter follows the slide, Esc leaves."""
    url, _ = server
    for width, height in ((1366, 768), (1920, 1080)):
        context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
        page = context.new_page()
        try:
            frame = _present(page, url, "?slides=numbers,map,progress&autoplay=5")
            body = frame.locator("body")
            counter = frame.locator("#counter")
            assert counter.inner_text() == "1 / 3"
            page.keyboard.press("p")
            assert body.get_attribute("data-paused") == "1"
            assert "继续" in frame.locator("#pause").inner_text()
            time.sleep(6.5)  # longer than the autoplay interval: paused, nothing moves
            assert body.get_attribute("data-key") == "numbers" and counter.inner_text() == "1 / 3"
            page.keyboard.press(" ")  # space resumes while autoplay runs
            assert body.get_attribute("data-paused") == "0"
            page.wait_for_function(
                "() => document.querySelector('iframe[title=\"st.iframe\"]:last-of-type')"
                ".contentDocument.body.dataset.slide === '1'",
                timeout=15_000,
            )
            assert counter.inner_text() == "2 / 3"
            page.keyboard.press("b")
            assert body.get_attribute("data-black") == "1"
            assert (
                frame.locator("#deck").evaluate("e => getComputedStyle(e).visibility") == "hidden"
            )
            page.screenshot(path=str(SHOTS / f"deck-black-{width}.png"))
            page.keyboard.press("ArrowRight")  # any key lifts the black screen, and only that
            assert body.get_attribute("data-black") == "0"
            assert frame.locator("#clock").is_hidden()
            page.keyboard.press("t")
            assert frame.locator("#clock").is_visible()
            assert frame.locator("#clock").inner_text().count(":") == 2  # clock · timer
            exit_box = frame.locator("#leave").bounding_box()
            assert (
                frame.locator("#leave").is_visible()
                and "退出演示" in frame.locator("#leave").inner_text()
            )
            assert exit_box["height"] >= 20 and exit_box["width"] >= 100, "a clear exit"
            page.screenshot(path=str(SHOTS / f"deck-keys-{width}.png"))
            if width == 1366:
                page.keyboard.press("Escape")
            else:
                frame.locator("#leave").click()
            page.get_by_role("heading", name="演示模式").wait_for(timeout=30_000)
            assert page.get_by_role("button", name="退出演示").count() == 0
        finally:
            context.close()


# Everything drawn on the active slide: its box must lie inside the slide, a text box must not be
# cut by its own box (overflow hidden with more inside), and a chart's texts (tick labels, legend,
# titles) must lie inside the chart's own drawing.
FIT = """() => {
  const slide = document.querySelector('section.slide.active');
  const s = slide.getBoundingClientRect();
  const out = [];
  const name = e => (e.className && e.className.baseVal !== undefined ? e.className.baseVal
                     : e.className) + ' ' + (e.textContent || '').trim().slice(0, 30);
  if (s.right > innerWidth + 1 || s.bottom > innerHeight + 1) out.push('slide outside the window');
  for (const e of slide.querySelectorAll('*')) {
    const r = e.getBoundingClientRect();
    if (!r.width || !r.height || getComputedStyle(e).visibility === 'hidden') continue;
    if (r.left < s.left - 1 || r.right > s.right + 1 || r.top < s.top - 1 || r.bottom > s.bottom + 1)
      out.push('outside the slide: ' + name(e));
    if (!(e instanceof SVGElement) && e.children.length === 0 && e.textContent.trim()
        && (e.scrollWidth > e.clientWidth + 1 || e.scrollHeight > e.clientHeight + 1)
        && getComputedStyle(e).overflow !== 'visible')
      out.push('text cut: ' + name(e));
  }
  for (const c of slide.querySelectorAll('.chart')) {  // the drawing inside its frame
    const b = c.getBoundingClientRect();
    for (const svg of c.querySelectorAll('svg.main-svg')) {
      const r = svg.getBoundingClientRect();
      if (r.bottom > b.bottom + 1 || r.right > b.right + 1) out.push('chart larger than its frame');
    }
  }
  const parts = [...slide.querySelectorAll('main > *')].map(e => e.getBoundingClientRect());
  for (let k = 1; k < parts.length; k++)  // the slide's parts one below the other, none on another
    if (parts[k].top < parts[k - 1].bottom - 1) out.push('parts overlap: ' + k);
  for (const svg of slide.querySelectorAll('.js-plotly-plot svg.main-svg')) {
    const b = svg.getBoundingClientRect();
    for (const txt of svg.parentElement.querySelectorAll('text')) {
      const r = txt.getBoundingClientRect();
      if (!r.width || !txt.textContent.trim()) continue;
      if (r.left < b.left - 1 || r.right > b.right + 1 || r.top < b.top - 1 || r.bottom > b.bottom + 1)
        out.push('chart text cut: ' + txt.textContent.trim().slice(0, 30));
    }
  }
  return [...new Set(out)];
}"""


def test_every_live_slide_fits_at_4_3_and_16_9(server, browser):
    """Issue 14 part 1: the live deck at a 4:3 projector's 1024×768 and at 1920×1080 — every
    slide inside the window, no text cut by its box, no chart label or legend outside its chart."""
    url, _ = server
    for width, height in ((1024, 768), (1920, 1080)):
        context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
        page = context.new_page()
        try:
            frame = _present(page, url, "")
            found: dict[str, list[str]] = {}
            for k in range(len(present.SLIDES)):
                body = frame.locator("body")
                key = body.get_attribute("data-key")
                if key == "map":
                    frame.frame_locator("iframe.map").locator(
                        "path.leaflet-interactive"
                    ).first.wait_for(state="attached", timeout=30_000)
                time.sleep(0.6)  # the slide's charts are resized to it on the change
                bad = frame.locator("body").evaluate(f"(_b) => ({FIT})()")
                if bad:
                    found[key] = bad
                page.screenshot(path=str(SHOTS / f"deck-fit-{width}-{k + 1:02d}-{key}.png"))
                page.keyboard.press("ArrowRight")
            assert not found, found
        finally:
            context.close()
