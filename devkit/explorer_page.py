"""The explorer's Leaflet map inside its streamlit-folium frame, read and clicked from a
Playwright page: which areas are drawn, and a click on the inside of one area. Shared by the
explorer browser test and the map benchmark."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlparse

FRAME = "iframe[title='streamlit_folium.st_folium']"

JS_AREAS = """() => { const out = [];
  const m = window.map; if (!m) return null;
  m.eachLayer(l => { if (l.feature && l.feature.properties && l.feature.properties.adcode !== undefined
                         && l._path) out.push([l.feature.properties.adcode, l.feature.properties.helped,
                                               l._path.getAttribute('stroke')]); });
  return out; }"""

JS_POINT = """([code, candidates]) => { const m = window.map; let target = null;
  m.eachLayer(l => { if (l.feature && l.feature.properties && l.feature.properties.adcode === code && l._path) target = l; });
  if (!target) return null;
  for (const [lat, lon] of candidates) {
    const p = m.latLngToContainerPoint([lat, lon]);
    const r = m.getContainer().getBoundingClientRect();
    const x = r.left + p.x, y = r.top + p.y;
    if (document.elementFromPoint(x, y) === target._path) return [x, y];
  }
  return null; }"""


def frame_of(pg):
    return pg.frame_locator(FRAME)


def frame_handle(pg):
    return pg.locator(FRAME).element_handle().content_frame()


def areas(pg, predicate, timeout: float = 30.0):
    """The drawn areas [(adcode, helped, stroke)] once ``predicate(areas)`` holds."""
    deadline = time.time() + timeout
    got = last_error = None
    while time.time() < deadline:
        try:
            pg.locator(FRAME).wait_for(state="attached", timeout=5000)
            got = frame_handle(pg).evaluate(JS_AREAS)
        except Exception as exc:  # the frame is (re)loading
            got, last_error = None, exc
        if got and predicate(got):
            return got
        time.sleep(0.15)
    if got is None and last_error is not None:
        print("areas: last error", last_error)
    return got


def interior_points(geom, n: int = 40) -> list[list[float]]:
    """Points inside a polygon, best first (its representative point, then a grid)."""
    import numpy as np
    from shapely.geometry import Point

    pts = [geom.representative_point()]
    w, s, e, nn = geom.bounds
    for x in np.linspace(w, e, 9)[1:-1]:
        for y in np.linspace(s, nn, 9)[1:-1]:
            p = Point(x, y)
            if geom.contains(p):
                pts.append(p)
    return [[p.y, p.x] for p in pts[:n]]


def click_area(pg, code: int, geom) -> None:
    frame = frame_handle(pg)
    xy = frame.evaluate(JS_POINT, [code, interior_points(geom)])
    assert xy, f"area {code} is not clickable on screen"
    box = pg.locator(FRAME).bounding_box()
    pg.mouse.click(box["x"] + xy[0], box["y"] + xy[1])


def is_nation(a):
    return len(a) == 35 and any(c == 110000 for c, _, _ in a)


def here(pg) -> str:
    """The page's address now (``pg.url`` only follows while Playwright is being called)."""
    return pg.evaluate("() => location.href")


def query(pg) -> dict[str, str]:
    """The parameters of the page's address now (the last value of each)."""
    return {k: v[-1] for k, v in parse_qs(urlparse(here(pg)).query).items()}


def wait_query(pg, predicate, timeout: float = 30.0) -> dict[str, str]:
    """The URL's parameters once ``predicate(params)`` holds (fails with what the URL said)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        q = query(pg)
        if predicate(q):
            return q
        pg.wait_for_timeout(100)
    raise AssertionError(f"the URL never got there: {query(pg)}")
