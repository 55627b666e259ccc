"""The HTTP side of signing in, beside Streamlit's own server (``serve.py`` mounts it).

A Streamlit script talks to the browser only over its websocket, so it cannot set an HttpOnly
cookie. After a successful log-in the script therefore makes a one-time code
(``issue_code``: random, good ≤ ``CODE_SECONDS`` and once) and sends the top page to
``SESSION_PATH?code=…&next=…``; that route swaps the code for the session cookie
(HttpOnly, SameSite=Strict, Path=/, Secure behind HTTPS) and redirects (303) to ``next``, a
checked local path. ``LOGOUT_PATH`` clears the cookie the same way. The cookie's token is still
read by the script from the websocket's handshake (``st.context.cookies``) and checked against
the database on every run (``dashboard_lib.ui.auth``).

``SecurityHeaders`` adds to every HTTP answer: no framing by other sites (``X-Frame-Options:
SAMEORIGIN`` and ``Content-Security-Policy: frame-ancestors 'self'``; Streamlit's components and
the folium map are same-origin frames), ``X-Content-Type-Options: nosniff`` and
``Referrer-Policy: same-origin``. ``deploy/nginx.conf`` sets the same headers in front.

The codes are kept in this process (the embedded default has one process), or with
``XZ_DATABASE_URL`` in PostgreSQL (``_SharedCodes``), so that the route redeems a code on any
replica, not only the one whose script issued it.

Nothing here needs a browser; the route functions take a Starlette ``Request``.
"""

from __future__ import annotations

import hashlib
import logging
import os
import secrets
import threading
import time
from urllib.parse import urlencode, urlsplit

COOKIE = "xz_session"
ROUTE_PREFIX = "/xz-auth"
SESSION_PATH = ROUTE_PREFIX + "/session"
LOGOUT_PATH = ROUTE_PREFIX + "/logout"
CODE_SECONDS = 60
SECURITY_HEADERS = {
    "X-Frame-Options": "SAMEORIGIN",
    "Content-Security-Policy": "frame-ancestors 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}
_MAX_NEXT = 2000
_log = logging.getLogger(__name__)


# ---------------------------------------------------------------------- one-time codes
class _Codes:
    """code (only its SHA-256 is kept) -> (session token, expiry); each code is good once."""

    def __init__(self):
        self._lock = threading.Lock()
        self._codes: dict[str, tuple[str, float]] = {}

    def issue(self, token: str, seconds: float = CODE_SECONDS) -> str:
        code = secrets.token_urlsafe(32)
        now = time.monotonic()
        with self._lock:
            self._codes = {k: v for k, v in self._codes.items() if v[1] > now}  # drop stale ones
            self._codes[_sha(code)] = (token, now + seconds)
        return code

    def redeem(self, code: str | None) -> str | None:
        if not isinstance(code, str) or not code or len(code) > 100:
            return None
        with self._lock:
            entry = self._codes.pop(_sha(code), None)
        if entry is None or entry[1] <= time.monotonic():
            return None
        return entry[0]


def _xor_with_code(data: bytes, code: str) -> bytes:
    pad = hashlib.shake_256(b"xz-sign-in-code:" + code.encode()).digest(len(data))
    return bytes(a ^ b for a, b in zip(data, pad, strict=True))


def _seal(token: str, code: str) -> str:
    """``token`` sealed with ``code``: what the database keeps cannot be made a cookie without
    the code, of which it keeps only the hash (the same XOR opens it)."""
    return _xor_with_code(token.encode(), code).hex()


def _unseal(sealed: str, code: str) -> str | None:
    try:
        return _xor_with_code(bytes.fromhex(sealed), code).decode()
    except (ValueError, UnicodeDecodeError):
        return None


class _SharedCodes:
    """The codes in PostgreSQL, for several replicas: a log-in on one replica can be completed
    by the route on another (nginx's sticky cookie normally sends both to the same one; a
    replica that dies or restarts between the two no longer loses the sign-in). A code is good
    once across all replicas (taken by one ``DELETE … RETURNING``) and for ``CODE_SECONDS`` by
    the server's clock. The table holds the code's SHA-256 and the token sealed with the code;
    it is not part of the published snapshot (``pgsync`` copies only the schema's tables)."""

    DDL = """CREATE TABLE IF NOT EXISTS sign_in_code (code_sha256 text PRIMARY KEY,
        sealed text NOT NULL, expires timestamptz NOT NULL)"""

    def __init__(self, url: str):
        self.url = url
        self._ready = False

    def _connect(self):
        from ..store import pg

        conn = pg.connect(self.url, autocommit=True)
        if not self._ready:
            # replicas' first sign-ins at the same moment: CREATE TABLE IF NOT EXISTS alone still
            # fails for all but one concurrent maker (pg_type's unique index, or "type already
            # exists"), so the makers take turns under a transaction's advisory lock
            with conn.transaction():
                conn.execute("SELECT pg_advisory_xact_lock(hashtext('xz sign_in_code'))")
                conn.execute(self.DDL)
            self._ready = True
        return conn

    def issue(self, token: str, seconds: float = CODE_SECONDS) -> str:
        code = secrets.token_urlsafe(32)
        with self._connect() as conn:
            conn.execute("DELETE FROM sign_in_code WHERE expires < now()")
            conn.execute(
                "INSERT INTO sign_in_code VALUES (%s, %s, now() + make_interval(secs => %s))",
                (_sha(code), _seal(token, code), seconds),
            )
        return code

    def redeem(self, code: str | None) -> str | None:
        if not isinstance(code, str) or not code or len(code) > 100:
            return None
        with self._connect() as conn:
            row = conn.execute(
                "DELETE FROM sign_in_code WHERE code_sha256 = %s RETURNING sealed, expires > now()",
                (_sha(code),),
            ).fetchone()
        if row is None or not row[1]:
            return None
        return _unseal(row[0], code)


_CODES = _Codes()
_SHARED: dict[str, _SharedCodes] = {}


def _codes() -> _Codes | _SharedCodes:
    """Where this process keeps its codes: PostgreSQL with ``XZ_DATABASE_URL``, else here."""
    url = os.environ.get("XZ_DATABASE_URL")
    if not url:
        return _CODES
    if url not in _SHARED:
        _SHARED[url] = _SharedCodes(url)
    return _SHARED[url]


def issue_code(token: str) -> str:
    return _codes().issue(token)


def redeem_code(code: str | None) -> str | None:
    """The token of a good code, once; None for any other (and when the store cannot be
    reached: the route then sends the browser on without a cookie, to the sign-in page)."""
    try:
        return _codes().redeem(code)
    except Exception:
        _log.exception("a sign-in code could not be redeemed")
        return None


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


# ---------------------------------------------------------------------- paths
def base_path() -> str:
    """Streamlit's ``server.baseUrlPath`` as ``/prefix`` (or "")."""
    try:
        from streamlit import config

        base = (config.get_option("server.baseUrlPath") or "").strip("/")
    except Exception:
        base = ""
    return f"/{base}" if base else ""


def safe_next(value: str | None, base: str = "") -> str:
    """``value`` when it is a path on this site, else the app's root: never another site
    (no scheme, no host, no ``//`` or ``/\\`` start, no control characters)."""
    home = (base or "") + "/"
    if not isinstance(value, str) or not value or len(value) > _MAX_NEXT:
        return home
    if not value.startswith("/") or value.startswith("//") or value.startswith("/\\"):
        return home
    if any(ord(c) < 0x20 or ord(c) == 0x7F or c == "\\" for c in value):
        return home
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return home
    if base and not (value == base or value.startswith(base + "/") or value.startswith(base + "?")):
        return home
    return value


def session_url(code: str, next_path: str = "/") -> str:
    """Where the script sends the top page after a log-in (relative to the site's root)."""
    return base_path() + SESSION_PATH + "?" + urlencode({"code": code, "next": next_path})


def logout_url(next_path: str = "/") -> str:
    return base_path() + LOGOUT_PATH + "?" + urlencode({"next": next_path})


# ---------------------------------------------------------------------- cookies
def force_secure() -> bool:
    """``XZ_COOKIE_SECURE=1`` marks the cookie Secure whatever the request looks like (a TLS
    proxy that does not send ``X-Forwarded-Proto``)."""
    return os.environ.get("XZ_COOKIE_SECURE", "0").lower() in ("1", "true", "yes", "on")


def is_https(request) -> bool:
    """The browser talks HTTPS: to us directly, or to a proxy that says so (nginx:
    ``X-Forwarded-Proto: https``)."""
    if request.url.scheme in ("https", "wss"):
        return True
    forwarded = request.headers.get("x-forwarded-proto", "")
    return forwarded.split(",")[0].strip().lower() == "https"


def cookie_header(token: str | None, secure: bool) -> str:
    """The Set-Cookie value: the session token, or (None) an expired, empty cookie."""
    value = (
        f"{COOKIE}={token}"
        if token
        else f"{COOKIE}=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT"
    )
    return value + "; Path=/; HttpOnly; SameSite=Strict" + ("; Secure" if secure else "")


def _cross_site(request) -> bool:
    """A navigation started by another site (Fetch Metadata; absent in old clients and curl,
    which are let through). Stops another site from signing a visitor in to its own account
    (login CSRF) or out of theirs."""
    return request.headers.get("sec-fetch-site", "").lower() in ("cross-site", "same-site")


def _redirect(request, token: str | None, clear: bool):
    from starlette.responses import Response

    target = safe_next(request.query_params.get("next"), base_path())
    response = Response(status_code=303, headers={"Location": target, "Cache-Control": "no-store"})
    if token or clear:
        response.headers.append(
            "Set-Cookie", cookie_header(token, is_https(request) or force_secure())
        )
    return response


def session_endpoint(request):
    """GET SESSION_PATH?code=…&next=…: a good code becomes the session cookie; then 303 to next."""
    token = None if _cross_site(request) else redeem_code(request.query_params.get("code"))
    return _redirect(request, token, clear=False)


def logout_endpoint(request):
    """GET LOGOUT_PATH?next=…: the cookie is cleared (the token was revoked by the script)."""
    return _redirect(request, None, clear=not _cross_site(request))


# ---------------------------------------------------------------------- middleware
class SecurityHeaders:
    """Pure ASGI middleware (no buffering, websockets untouched): the headers of
    ``SECURITY_HEADERS`` on every HTTP response that does not set them itself."""

    def __init__(self, app, headers: dict[str, str] | None = None):
        self.app = app
        self.headers = [
            (k.lower().encode("latin-1"), v.encode("latin-1"))
            for k, v in (headers or SECURITY_HEADERS).items()
        ]

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                headers = list(message.get("headers") or [])
                present = {k.lower() for k, _ in headers}
                headers.extend((k, v) for k, v in self.headers if k not in present)
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def routes(base: str | None = None) -> list:
    from starlette.routing import Route

    base = base_path() if base is None else base
    return [
        Route(base + SESSION_PATH, session_endpoint, methods=["GET"]),
        Route(base + LOGOUT_PATH, logout_endpoint, methods=["GET"]),
    ]


def middleware() -> list:
    from starlette.middleware import Middleware

    return [Middleware(SecurityHeaders)]
