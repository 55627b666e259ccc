"""The Streamlit protocol as the browser speaks it, for the load tests and the warm-up: ask for a
page with a query string on ``/_stcore/stream`` and read until the script finished; fill in and
submit a page's widgets (``run_page`` with ``widget_states``: the values a browser sends with a
click, keyed by the widget ids the page's deltas carry); sign in through the product's own form
and cookie route (``sign_in``), then send the ``xz_session`` cookie in the websocket handshake
(``connect(..., cookies=...)``) as a browser does after the sign-in's reload; put a file into a
file uploader (``upload_urls``, ``http_put_file``, ``uploaded``) as the frontend does."""

from __future__ import annotations

import asyncio
import http.client
import json
import re
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from datetime import date
from http.cookies import SimpleCookie

import websockets
from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.Common_pb2 import FileUploaderState, FileURLs
from streamlit.proto.Element_pb2 import Element
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.TextInput_pb2 import TextInput
from streamlit.proto.WidgetStates_pb2 import WidgetState, WidgetStates
from websockets.typing import Origin, Subprotocol

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


def rerun_msg(page: str, query: str, widgets: WidgetStates | None = None) -> bytes:
    """A ``rerun_script`` BackMsg for ``page`` with ``query``; ``widgets``: the widget values the
    browser sends with a click (a form's fields and its submit button's trigger)."""
    msg = BackMsg()
    cs = msg.rerun_script
    cs.query_string = query
    cs.page_name = "" if page == PAGES[0] else page  # the default page's URL path is empty
    cs.page_script_hash = ""
    cs.context_info.timezone = "Asia/Shanghai"
    cs.context_info.locale = "zh-CN"
    cs.context_info.url = f"http://127.0.0.1/{page}?{query}"
    if widgets is not None:
        cs.widget_states.CopyFrom(widgets)
    return msg.SerializeToString()


class Trigger:
    """A button's click: ``trigger_value`` in the widget states."""


TRIGGER = Trigger()


def widget_states(values: dict[str, object]) -> WidgetStates:
    """Widget id -> value, serialised as the frontend does for each kind of widget: ``TRIGGER``
    for a button, ``str`` for a text input or a selectbox (its option's shown label), a number
    for a number input, a ``date`` for a date input, a ``FileUploaderState`` (``uploaded``) for
    a file uploader."""
    out = WidgetStates()
    for wid, value in values.items():
        w: WidgetState = out.widgets.add()
        w.id = wid
        if isinstance(value, Trigger):
            w.trigger_value = True
        elif isinstance(value, bool):
            w.bool_value = value
        elif isinstance(value, str):
            w.string_value = value
        elif isinstance(value, (int, float)):
            w.double_value = float(value)
        elif isinstance(value, date):
            w.string_array_value.data.append(value.isoformat())
        elif isinstance(value, FileUploaderState):
            w.file_uploader_state_value.CopyFrom(value)
        else:
            raise TypeError(f"no widget state for {type(value).__name__}")
    return out


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


@dataclass
class PageRun:
    """What one script run sent: its time, the first problem (``exception_in``, a timeout), every
    element drawn (with the seconds from the request to its arrival)."""

    secs: float
    problem: str | None
    elements: list[tuple[float, Element]] = field(default_factory=list)

    def widget(self, key: str) -> Element | None:
        """The element of the widget made with ``key=key`` (its id ends with ``-key``)."""
        for _t, el in self.elements:
            kind = el.WhichOneof("type")
            if kind and getattr(getattr(el, kind), "id", "").endswith("-" + key):
                return el
        return None

    def in_form(self, form_id: str) -> list[Element]:
        """The widgets of ``st.form(form_id)``, in the order the page drew them."""
        out = []
        for _t, el in self.elements:
            kind = el.WhichOneof("type")
            if kind and getattr(getattr(el, kind), "form_id", None) == form_id:
                out.append(el)
        return out

    def alerts(self) -> list[tuple[float, str, str]]:
        """(seconds, "success" | "error" | "warning" | "info", text) of every alert drawn."""
        names = {Alert.SUCCESS: "success", Alert.ERROR: "error", Alert.WARNING: "warning"}
        return [
            (t, names.get(el.alert.format, "info"), el.alert.body)
            for t, el in self.elements
            if el.WhichOneof("type") == "alert"
        ]

    def texts(self) -> list[str]:
        """The markdown, caption and html bodies drawn."""
        out = []
        for _t, el in self.elements:
            kind = el.WhichOneof("type")
            if kind in ("markdown", "html"):
                out.append(getattr(el, kind).body)
        return out


async def run_page(
    ws, page: str, query: str, timeout: float, widgets: WidgetStates | None = None
) -> PageRun:
    """Send one rerun (with ``widgets``' values, if any) and read until the script finished,
    keeping the elements drawn; a run replaced by a rerun the script asked for (``st.rerun``)
    is read on to the end of the one that replaced it."""
    t0 = time.perf_counter()
    await ws.send(rerun_msg(page, query, widgets))
    run = PageRun(0.0, None)
    deadline = t0 + timeout
    while True:
        left = deadline - time.perf_counter()
        if left <= 0:
            run.secs, run.problem = time.perf_counter() - t0, "timeout"
            return run
        try:
            raw = await asyncio.wait_for(ws.recv(), left)
        except TimeoutError:
            run.secs, run.problem = time.perf_counter() - t0, "timeout"
            return run
        if isinstance(raw, str):
            continue
        fm = ForwardMsg()
        fm.ParseFromString(raw)
        run.problem = run.problem or exception_in(fm)
        kind = fm.WhichOneof("type")
        if kind == "delta" and fm.delta.WhichOneof("type") == "new_element":
            run.elements.append((time.perf_counter() - t0, fm.delta.new_element))
        elif kind == "script_finished":
            status = fm.script_finished
            if status == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                continue  # a rerun replaced this run: keep reading
            if status == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                run.problem = run.problem or "compile error"
            run.secs = time.perf_counter() - t0
            return run


async def one_run(ws, page: str, query: str, timeout: float) -> tuple[float, str | None]:
    """Send one rerun and read until the script finished; (seconds, error or None)."""
    run = await run_page(ws, page, query, timeout)
    return run.secs, run.problem


def wait_healthy(url: str, seconds: float = 90) -> bool:
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).status == 200:
                return True
        except OSError:
            time.sleep(0.3)
    return False


def connect(ws_url: str, route: str = "", cookies: dict[str, str] | None = None):
    """A websocket to the server (``route``: the cookie that keeps a session on one replica
    behind deploy/nginx.conf; ``cookies``: more cookies for the handshake, e.g. the sign-in's
    ``xz_session``, which the script reads from it through ``st.context.cookies``)."""
    jar = {**({"xz_route": route} if route else {}), **(cookies or {})}
    return websockets.connect(
        ws_url,
        subprotocols=[Subprotocol("streamlit")],
        max_size=None,
        open_timeout=20,
        ping_interval=None,
        origin=Origin(ws_url.replace("ws://", "http://").split("/_stcore")[0]),
        additional_headers={"Cookie": cookie_header(jar)} if jar else None,
    )


# ---------------------------------------------------------------------- HTTP and signing in
def cookie_header(cookies: dict[str, str]) -> str:
    return "; ".join(f"{k}={v}" for k, v in cookies.items())


def http_get(url: str, cookies: dict[str, str] | None = None, timeout: float = 20):
    """GET ``url`` without following redirects, as a browser's first request of a navigation:
    (status, headers, the cookies it sets)."""
    parts = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=timeout)
    try:
        path = parts.path or "/"
        conn.request(
            "GET",
            path + (f"?{parts.query}" if parts.query else ""),
            headers={"Cookie": cookie_header(cookies)} if cookies else {},
        )
        resp = conn.getresponse()
        resp.read()
        jar: dict[str, str] = {}
        for value in resp.headers.get_all("Set-Cookie") or []:
            c = SimpleCookie()
            c.load(value)
            jar.update({k: m.value for k, m in c.items()})
        return resp.status, resp.headers, jar
    finally:
        conn.close()


class SignInError(RuntimeError):
    """The sign-in through the form did not end in a session cookie; the message says where."""


_GO = re.compile(r"window\.location\.replace\((\"(?:[^\"\\]|\\.)*\")\)")


async def sign_in(
    base_url: str, user: str, password: str, route: str, timeout: float = 60
) -> tuple[str, float]:
    """Sign in through the product's own path, as a browser does: open the log-in page over a
    websocket (with ``route``, the replica's sticky cookie), fill in the form and submit it; the
    script answers with the one-time address of ``dashboard_lib/ui/web.py``'s session route,
    which (on the same replica) swaps the code for the HttpOnly ``xz_session`` cookie.
    (the token, seconds from the submit to the cookie)."""
    ws_url = base_url.replace("http://", "ws://") + "/_stcore/stream"
    async with connect(ws_url, route=route) as ws:
        form = await run_page(ws, "login", "", timeout)
        if form.problem:
            raise SignInError(f"log-in page: {form.problem}")
        fields = [el for el in form.in_form("login") if el.WhichOneof("type") == "text_input"]
        buttons = [
            el.button
            for el in form.in_form("login")
            if el.WhichOneof("type") == "button" and el.button.is_form_submitter
        ]
        names = [el.text_input for el in fields if el.text_input.type != TextInput.PASSWORD]
        secrets_ = [el.text_input for el in fields if el.text_input.type == TextInput.PASSWORD]
        if not (names and secrets_ and buttons):
            raise SignInError("no log-in form on the log-in page")
        t0 = time.perf_counter()
        states = widget_states(
            {names[0].id: user, secrets_[0].id: password, buttons[0].id: TRIGGER}
        )
        done = await run_page(ws, "login", "", timeout, states)
        if done.problem:
            raise SignInError(f"submitting the form: {done.problem}")
        go = [m.group(1) for body in done.texts() for m in _GO.finditer(body)]
        if not go:
            said = [a[2] for a in done.alerts()]
            raise SignInError(f"no sign-in address after the submit; the page said {said}")
    status, _headers, jar = await asyncio.to_thread(
        http_get, base_url + json.loads(go[0]), {"xz_route": route}
    )
    token = jar.get("xz_session")
    if status != 303 or not token:
        raise SignInError(f"the session route answered {status} without a session cookie")
    return token, time.perf_counter() - t0


# ---------------------------------------------------------------------- file uploads
async def upload_urls(ws, names: list[str], timeout: float = 20) -> list[FileURLs]:
    """Ask the session for upload addresses (``file_urls_request``), as the file uploader does
    when a file is chosen: one (file id, upload URL, delete URL) per name."""
    msg = BackMsg()
    req_id = f"req-{time.monotonic_ns()}"
    msg.file_urls_request.request_id = req_id
    msg.file_urls_request.file_names.extend(names)
    await ws.send(msg.SerializeToString())
    deadline = time.perf_counter() + timeout
    while True:
        raw = await asyncio.wait_for(ws.recv(), max(0.01, deadline - time.perf_counter()))
        if isinstance(raw, str):
            continue
        fm = ForwardMsg()
        fm.ParseFromString(raw)
        if fm.WhichOneof("type") == "file_urls_response" and (
            fm.file_urls_response.response_id == req_id
        ):
            if fm.file_urls_response.error_msg:
                raise OSError(fm.file_urls_response.error_msg)
            return list(fm.file_urls_response.file_urls)


def http_put_file(
    url: str, name: str, data: bytes, cookies: dict[str, str], timeout: float = 30
) -> int:
    """PUT one file to Streamlit's upload endpoint as the frontend does: multipart/form-data
    with the field ``file``, and the XSRF token of the ``_streamlit_xsrf`` cookie (set by the
    server on the first page or health request) in ``X-Xsrftoken``. The HTTP status (204)."""
    boundary = "----xzload" + str(time.monotonic_ns())
    body = (
        (
            f"--{boundary}\r\n"
            f'Content-Disposition: form-data; name="file"; filename="{name}"\r\n'
            "Content-Type: text/csv\r\n\r\n"
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    parts = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=timeout)
    headers = {
        "Content-Type": f"multipart/form-data; boundary={boundary}",
        "Cookie": cookie_header(cookies),
    }
    if "_streamlit_xsrf" in cookies:
        headers["X-Xsrftoken"] = cookies["_streamlit_xsrf"]
    try:
        conn.request("PUT", parts.path, body=body, headers=headers)
        resp = conn.getresponse()
        resp.read()
        return resp.status
    finally:
        conn.close()


def uploaded(urls: FileURLs, name: str, size: int) -> FileUploaderState:
    """The file uploader's widget state once the file is on the server."""
    state = FileUploaderState()
    info = state.uploaded_file_info.add()
    info.file_id, info.name, info.size = urls.file_id, name, size
    info.file_urls.CopyFrom(urls)
    return state
