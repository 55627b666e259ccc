"""The Streamlit protocol as the browser speaks it, for the load test and the warm-up: ask for a
page with a query string on ``/_stcore/stream`` and read until the script finished."""

from __future__ import annotations

import asyncio
import time
import urllib.request

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

# pages every role may open (views/*.py, see dashboard_lib/navigation.py); the first is the default
PAGES = ("overview", "explorer", "progress", "exchanges", "internships", "dossier")
# the programme's provincial units (the Corps 660000 is its own unit)
PROVINCES = (
    130000,
    140000,
    150000,
    210000,
    220000,
    230000,
    340000,
    360000,
    410000,
    420000,
    430000,
    450000,
    460000,
    500000,
    510000,
    520000,
    530000,
    540000,
    610000,
    620000,
    630000,
    640000,
    650000,
    660000,
)


def rerun_msg(page: str, query: str) -> bytes:
    msg = BackMsg()
    cs = msg.rerun_script
    cs.query_string = query
    cs.page_name = "" if page == PAGES[0] else page  # the default page's URL path is empty
    cs.page_script_hash = ""
    cs.context_info.timezone = "Asia/Shanghai"
    cs.context_info.locale = "zh-CN"
    cs.context_info.url = f"http://127.0.0.1/{page}?{query}"
    return msg.SerializeToString()


def exception_in(fm: ForwardMsg) -> str | None:
    if fm.WhichOneof("type") == "delta":
        d = fm.delta
        if (
            d.WhichOneof("type") == "new_element"
            and d.new_element.WhichOneof("type") == "exception"
        ):
            ex = d.new_element.exception
            return f"{ex.type}: {ex.message}"
    if fm.WhichOneof("type") == "session_event":
        ev = fm.session_event.WhichOneof("type")
        if ev == "script_compilation_exception":
            return "compile error: " + fm.session_event.script_compilation_exception.message
    if fm.WhichOneof("type") == "page_not_found":
        return "page not found: " + fm.page_not_found.page_name
    return None


async def one_run(ws, page: str, query: str, timeout: float) -> tuple[float, str | None]:
    """Send one rerun and read until the script finished; (seconds, error or None)."""
    t0 = time.perf_counter()
    await ws.send(rerun_msg(page, query))
    problem = None
    deadline = t0 + timeout
    while True:
        left = deadline - time.perf_counter()
        if left <= 0:
            return time.perf_counter() - t0, "timeout"
        try:
            raw = await asyncio.wait_for(ws.recv(), left)
        except TimeoutError:
            return time.perf_counter() - t0, "timeout"
        if isinstance(raw, str):
            continue
        fm = ForwardMsg()
        fm.ParseFromString(raw)
        problem = problem or exception_in(fm)
        if fm.WhichOneof("type") == "script_finished":
            status = fm.script_finished
            if status == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                continue  # a rerun we asked for replaced this run: keep reading
            if status == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                problem = problem or "compile error"
            return time.perf_counter() - t0, problem


def wait_healthy(url: str, seconds: float = 90) -> bool:
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).status == 200:
                return True
        except OSError:
            time.sleep(0.3)
    return False


def connect(ws_url: str, route: str = ""):
    """A websocket to the server (``route``: the cookie that keeps a session on one replica
    behind deploy/nginx.conf)."""
    return websockets.connect(
        ws_url,
        subprotocols=["streamlit"],
        max_size=None,
        open_timeout=20,
        ping_interval=None,
        origin=ws_url.replace("ws://", "http://").split("/_stcore")[0],
        additional_headers={"Cookie": f"xz_route={route}"} if route else None,
    )
