"""A small OpenID Connect provider on localhost, for testing single sign-on (``XZ_AUTH=oidc``)
end to end without a network: discovery, an authorization endpoint that signs in a configured
person at once (no form), a token endpoint that checks the client secret and PKCE and returns an
RS256-signed ``id_token``, the key set, userinfo and an end-session endpoint.

    with OidcProvider(client_id="xz", client_secret="s3cret") as idp:
        idp.person = {"sub": "u-1", "email": "official@gs.example", "email_verified": True}
        ... server_metadata_url = idp.metadata_url ...

``python -m devkit.oidc_provider`` runs one in the foreground for trying the sign-in by hand
(it prints the ``[auth]`` section to put into a secrets file).
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

from joserfc import jwt
from joserfc.jwk import RSAKey


class OidcProvider:
    """A provider in a thread; ``person`` (the claims of whoever signs in next) may change
    between sign-ins. ``requests`` lists the paths asked for, ``token_errors`` why a token
    request was refused (a test can assert it stayed empty)."""

    def __init__(
        self, client_id: str, client_secret: str, host: str = "127.0.0.1", port: int = 0
    ) -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        self.person: dict = {"sub": "nobody"}
        self.requests: list[str] = []
        self.token_errors: list[str] = []
        self._key = RSAKey.generate_key(2048, parameters={"kid": secrets.token_hex(8)})
        self._codes: dict[str, dict] = {}
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer((host, port), self._handler())
        self.issuer = f"http://{host}:{self._server.server_address[1]}"

    # ------------------------------------------------------------------ lifetime
    def __enter__(self) -> OidcProvider:
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    @property
    def metadata_url(self) -> str:
        return self.issuer + "/.well-known/openid-configuration"

    def metadata(self) -> dict:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": self.issuer + "/authorize",
            "token_endpoint": self.issuer + "/token",
            "jwks_uri": self.issuer + "/jwks",
            "userinfo_endpoint": self.issuer + "/userinfo",
            "end_session_endpoint": self.issuer + "/logout",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "email", "profile"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "code_challenge_methods_supported": ["S256"],
        }

    # ------------------------------------------------------------------ endpoints
    def _authorize(self, query: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        if query.get("client_id") != self.client_id or query.get("response_type") != "code":
            return 400, {}, b"bad authorization request"
        code = secrets.token_urlsafe(24)
        with self._lock:
            self._codes[code] = {
                "person": dict(self.person),
                "nonce": query.get("nonce"),
                "redirect_uri": query.get("redirect_uri"),
                "challenge": query.get("code_challenge"),
                "expires": time.time() + 60,
            }
        back = {"code": code}
        if "state" in query:
            back["state"] = query["state"]
        return 302, {"Location": f"{query['redirect_uri']}?{urlencode(back)}"}, b""

    def _client_ok(self, headers, form: dict[str, str]) -> bool:
        basic = headers.get("Authorization", "")
        if basic.startswith("Basic "):
            user, _, secret = base64.b64decode(basic[6:]).decode().partition(":")
            return user == self.client_id and secret == self.client_secret
        return form.get("client_id") == self.client_id and (
            form.get("client_secret") == self.client_secret
        )

    def _token(self, headers, form: dict[str, str]) -> tuple[int, dict, dict]:
        def refuse(why: str) -> tuple[int, dict, dict]:
            self.token_errors.append(why)
            return 400, {}, {"error": "invalid_grant", "error_description": why}

        if not self._client_ok(headers, form):
            return refuse("client authentication failed")
        with self._lock:
            grant = self._codes.pop(form.get("code", ""), None)
        if grant is None or grant["expires"] < time.time():
            return refuse("unknown or used code")
        if form.get("redirect_uri") != grant["redirect_uri"]:
            return refuse("redirect_uri differs")
        if grant["challenge"]:
            verifier = form.get("code_verifier", "")
            digest = hashlib.sha256(verifier.encode()).digest()
            if base64.urlsafe_b64encode(digest).rstrip(b"=").decode() != grant["challenge"]:
                return refuse("PKCE verifier does not match")
        now = int(time.time())
        claims = {
            **grant["person"],
            "iss": self.issuer,
            "aud": self.client_id,
            "iat": now,
            "exp": now + 300,
        }
        if grant["nonce"]:
            claims["nonce"] = grant["nonce"]
        header = {"alg": "RS256", "kid": self._key.kid}
        id_token = jwt.encode(header, claims, self._key)
        body = {
            "access_token": secrets.token_urlsafe(24),
            "token_type": "Bearer",
            "expires_in": 300,
            "id_token": id_token,
            "scope": "openid email profile",
        }
        return 200, {}, body

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:  # quiet
                pass

            def _send(self, status: int, headers: dict[str, str], body: bytes | dict) -> None:
                data = json.dumps(body).encode() if isinstance(body, dict) else body
                self.send_response(status)
                if isinstance(body, dict):
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Cache-Control", "no-store")
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:  # noqa: N802  (http.server's name)
                parts = urlsplit(self.path)
                provider.requests.append(parts.path)
                query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                if parts.path == "/.well-known/openid-configuration":
                    self._send(200, {}, provider.metadata())
                elif parts.path == "/jwks":
                    self._send(200, {}, {"keys": [provider._key.as_dict(private=False)]})
                elif parts.path == "/authorize":
                    self._send(*provider._authorize(query))
                elif parts.path == "/userinfo":
                    self._send(200, {}, dict(provider.person))
                elif parts.path == "/logout":
                    back = query.get("post_logout_redirect_uri")
                    if back:
                        self._send(302, {"Location": back}, b"")
                    else:
                        self._send(200, {}, b"signed out")
                else:
                    self._send(404, {}, b"not found")

            def do_POST(self) -> None:  # noqa: N802
                parts = urlsplit(self.path)
                provider.requests.append(parts.path)
                length = int(self.headers.get("Content-Length") or 0)
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                if parts.path == "/token":
                    self._send(*provider._token(self.headers, form))
                else:
                    self._send(404, {}, b"not found")

        return Handler


def secrets_toml(
    provider: OidcProvider, redirect_uri: str, cookie_secret: str | None = None
) -> str:
    """The ``[auth]`` section of a Streamlit secrets file for ``provider``."""
    cookie_secret = cookie_secret or secrets.token_urlsafe(32)
    return (
        "[auth]\n"
        f'redirect_uri = "{redirect_uri}"\n'
        f'cookie_secret = "{cookie_secret}"\n'
        f'client_id = "{provider.client_id}"\n'
        f'client_secret = "{provider.client_secret}"\n'
        f'server_metadata_url = "{provider.metadata_url}"\n'
    )


if __name__ == "__main__":  # pragma: no cover - by hand
    import sys

    email = sys.argv[1] if len(sys.argv) > 1 else "official@gs.example"
    with OidcProvider("xz-dashboard", secrets.token_urlsafe(16), port=8900) as idp:
        idp.person = {"sub": email, "email": email, "email_verified": True, "name": email}
        print(secrets_toml(idp, "http://localhost:8501/oauth2callback"))
        print(f"signing in {email}; Ctrl-C ends", file=sys.stderr)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass
