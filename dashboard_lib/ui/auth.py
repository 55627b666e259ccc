"""Log-in, log-out, session timeout and the account box: the viewer of every run.

A local sign-in lives in a random token: its SHA-256 in ``app_session``, the token itself in the
HttpOnly cookie ``xz_session`` that ``dashboard_lib/ui/web.py`` sets after the log-in (the script
sends the top page through a one-time code; no script in the page can read the cookie). On every
run the token is checked again against the database (revoked? idle too long? account
disabled?), so signing out in one tab, an administrator disabling the account or resetting its
password ends every tab of that sign-in at its next click. The account row is re-read on every
run too, so re-scoping a user takes effect on their next click, not on their next log-in.

Single sign-on (``XZ_AUTH=oidc``): ``st.login`` sends the browser to the identity provider,
Streamlit's own routes (``/auth/login``, ``/oauth2callback``) check its answer and keep the
identity in a signed cookie (``st.user``). Who that is maps to an account by its
``oidc_subject`` (the ``sub`` claim, or the verified e-mail): the account gives role and scope,
read again on every run. An identity without an account gets one sentence and no data. The
local form stays beside it unless ``XZ_LOCAL_LOGIN=0`` (``auth.local_login_allowed``).
"""

from __future__ import annotations

import html
import json
import logging
import time
from datetime import datetime

import streamlit as st

from .. import auth
from ..i18n import label, t, tm
from ..navigation import may_open
from ..scope import Viewer
from ..settings import load_settings
from ..store import StoreError, store_errors
from ..vocab import Role
from . import web
from .core import lang, store

_log = logging.getLogger(__name__)
_KEY = "auth"  # session_state: {"user": name, "last": datetime, "token": str} for local accounts
COOKIE = web.COOKIE
_GO = "_auth_go"  # session_state: (url, "in" | "out") the top page goes to on the next run
_SSO = "_auth_sso"  # session_state: {"identity": (sub, email), "refused": sentence | None}
_ENDED = {
    "expired": "auth_timed_out",
    "revoked": "auth_signed_out_elsewhere",
    "unknown": "auth_signed_out_elsewhere",
    "disabled": "auth_account_disabled",
}


def _cookie_token() -> str | None:
    try:
        token = st.context.cookies.get(COOKIE)
    except Exception:  # no browser context (bare runs, tests)
        token = None
    if not isinstance(token, str) or not token or len(token) > 100:
        return None
    return token


def _run_marker():
    """An object that is new for every script run (Streamlit's per-run fragment coordinator)."""
    try:
        from streamlit.runtime.scriptrunner import get_script_run_ctx

        ctx = get_script_run_ctx()
    except Exception:
        return None
    return getattr(ctx, "parallel_coordinator", None) if ctx is not None else None


def _token_status(store_, token: str, idle_minutes: int) -> tuple[str | None, str]:
    """``store.session_status``, asked once per script run (``viewer`` keeps the run's
    answer); a database that cannot answer ends the sign-in rather than trusting memory."""
    try:
        with store_errors():
            return store_.session_status(token, idle_minutes)
    except StoreError as exc:
        if exc.key == "store_pg_unavailable":
            # PostgreSQL (the system of record) away for a moment: the sign-in is not in
            # doubt, it cannot be checked; say so and keep it (``_stop_unavailable``)
            _stop_unavailable()
        return (None, "unknown")


def _stop_unavailable() -> None:
    """One sentence while PostgreSQL cannot be reached, the tab's sign-in kept: the next click
    after it is back carries on where it was, without a reload. It is said on a read (the
    sign-in check), so it is the read's sentence, not the unsaved change's."""
    st.error(t("store_pg_unavailable_read", lang()))
    st.stop()


def _resume_from_cookie(store_, idle_minutes: int) -> dict | None:
    """A reload or a new tab starts a new Streamlit session: the sign-in survives through the
    HttpOnly cookie's token (only its hash is stored, revoked on log-out and time-out)."""
    token = _cookie_token()
    if token is None:
        return None
    user, _why = _token_status(store_, token, idle_minutes)
    if user is None:
        return None
    session = {"user": user, "last": datetime.now(), "token": token}
    st.session_state[_KEY] = session
    return session


def _end_session(store_, session: dict, notice_key: str | None, action: str | None = None) -> None:
    """Forget the sign-in of this tab (and log why); the cookie stays until the next log-out or
    log-in, but its token no longer opens anything."""
    if action:
        try:
            with store_errors():
                store_.log_event(session["user"], action)
        except StoreError:  # a read-only file: nothing to write
            pass
    if action == "session_timeout" and session.get("token"):
        try:
            with store_errors():
                store_.revoke_session(session["token"])
        except StoreError:
            pass
    st.session_state.pop(_KEY, None)
    if notice_key:
        st.session_state["auth_notice"] = t(notice_key, lang())


def _home(language: str) -> str:
    return web.base_path() + "/" + ("?lang=en" if language == "en" else "")


def _navigate(url: str) -> None:
    """Send the top page to ``url`` (one of our own routes): a script in the page itself, not in
    a sandboxed component frame, with a plain link in case scripts do not run."""
    target = json.dumps(url).replace("<", "\\u003c").replace(">", "\\u003e")
    st.html(
        f"<script>window.location.replace({target});</script>"
        f'<a href="{html.escape(url)}" target="_top">{html.escape(t("auth_go_on", lang()))}</a>',
        unsafe_allow_javascript=True,
    )


_RUN_VIEWER = "_viewer_of_run"  # session_state: (the run's marker, when, its viewer)


def viewer() -> Viewer | None:
    """Who is looking: a signed-in account, else the open demo viewer (if enabled), else None.

    Checked once per script run (the token and the account row, in the system of record) and
    kept for the rest of that run: the app, the page's preamble and every download button ask,
    and on PostgreSQL each check is two round trips. Signing in or out clears the session state
    and reruns, so a run never keeps the viewer of before; a run that lasts (a deck playing)
    checks again after 10 s."""
    marker = _run_marker()
    held = st.session_state.get(_RUN_VIEWER)
    if (
        marker is not None
        and held is not None
        and held[0] is marker
        and time.monotonic() - held[1] < 10
    ):
        return held[2]
    found = _viewer_now()
    if marker is not None:
        st.session_state[_RUN_VIEWER] = (marker, time.monotonic(), found)
    return found


def _viewer_now() -> Viewer | None:
    settings = load_settings()
    language = lang()
    store_ = store()
    if settings.auth_mode == "oidc" and sso_signed_in():
        return _sso_viewer(store_, language)  # None when refused: no data, not even the demo
    st.session_state.pop(_SSO, None)
    if auth.local_login_allowed(settings.auth_mode):
        session = st.session_state.get(_KEY)
        if session is None:
            session = _resume_from_cookie(store_, settings.session_minutes)
        elif session.get("token"):
            # every run: the token must still be good (another tab may have signed out, an
            # administrator may have disabled the account); the database keeps its idle time
            user, why = _token_status(store_, session["token"], settings.session_minutes)
            if user is None or user != session["user"]:
                _end_session(store_, session, _ENDED.get(why, "auth_signed_out_elsewhere"))
                session = None
        elif auth.session_expired(session["last"], datetime.now(), settings.session_minutes):
            # a session without a token (set by test harnesses only): idle time kept here
            _end_session(store_, session, "auth_timed_out", "session_timeout")
            session = None
        if session:
            try:
                with store_errors():
                    account = store_.user(session["user"])
            except StoreError as exc:
                if exc.key == "store_pg_unavailable":
                    _stop_unavailable()
                raise
            try:
                if account is None or account["disabled"]:
                    raise auth.AuthError("auth_disabled")
                session["last"] = datetime.now()
                return auth.viewer_for(account)
            except auth.AuthError as exc:
                st.session_state.pop(_KEY, None)
                st.session_state["auth_notice"] = exc.message(language)
    return Viewer.demo() if settings.demo_mode else None


# ---------------------------------------------------------------------- single sign-on
def sso_signed_in() -> bool:
    """Whether the provider has signed this browser in (Streamlit's signed identity cookie)."""
    try:
        return bool(getattr(st.user, "is_logged_in", False))
    except Exception:  # no [auth] section, no script context
        return False


def _claims() -> dict:
    try:
        info = st.user.to_dict()
    except Exception:
        return {}
    return {k: info.get(k) for k in ("sub", "email", "email_verified", "name")}


def _sso_viewer(store_, language: str) -> Viewer | None:
    """The viewer of a person the provider signed in: their account's role and scope, re-read
    on every run (a re-scope or a disable takes effect at the next click). The sign-in, or its
    refusal, is audited once per browser session. A refused identity gets one sentence on the
    log-in page (``sso_refusal``) and no viewer at all, so no page with data is offered."""
    claims = _claims()
    sub, email = auth.identities(claims)
    memo = st.session_state.get(_SSO)
    first = not (isinstance(memo, dict) and memo.get("identity") == (sub, email))
    try:
        with store_errors():
            viewer_ = auth.viewer_for_claims(store_, claims, audit=first and store_.accepts_writes)
    except (auth.AuthError, StoreError) as exc:
        if exc.key == "auth_sso_unregistered":
            text = tm("auth_sso_unregistered", language, identity=email or sub or "")
        else:
            text = exc.message(language)
        st.session_state[_SSO] = {"identity": (sub, email), "refused": text}
        return None
    st.session_state[_SSO] = {"identity": (sub, email), "refused": None}
    return viewer_


def sso_refusal() -> str | None:
    """The sentence for a person the provider signed in whom this dashboard does not open (not
    registered, disabled, no scope), else None; set by ``viewer`` in this run."""
    memo = st.session_state.get(_SSO)
    return memo.get("refused") if isinstance(memo, dict) and sso_signed_in() else None


def sso_identity() -> str:
    sub, email = auth.identities(_claims())
    return email or sub or ""


def _auth_secrets():
    """The ``[auth]`` section of the secrets (st.secrets: the files of ``secrets.files``, by
    default ``.streamlit/secrets.toml``), None when there is none or it cannot be read."""
    try:
        if not st.secrets.load_if_toml_exists():
            return None
        return st.secrets.get("auth")
    except Exception:  # an unreadable secrets file: not configured
        return None


def sso_login() -> str | None:
    """Send the browser to the identity provider (``st.login``); or, when it cannot start, the
    one sentence to show instead of Streamlit's English error: no or incomplete ``[auth]``
    secrets, Authlib missing, or the provider not answering its discovery document."""
    language = lang()
    provider = load_settings().oidc_provider
    section = _auth_secrets()
    problem = auth.sso_config_problem(section, provider)
    if problem is not None:
        return problem.message(language)
    from streamlit.auth_util import is_authlib_installed

    if not is_authlib_installed():
        _log.error("single sign-on: Authlib is not installed (requirements.txt pins it)")
        return t("auth_sso_not_configured", language)
    assert section is not None  # sso_config_problem said it is complete
    metadata_url = (section.get(provider) if provider else section).get("server_metadata_url")
    if not auth.provider_reachable(str(metadata_url)):
        _log.warning("single sign-on: %s does not answer", metadata_url)
        return t("auth_sso_unreachable", language)
    try:
        st.login(provider) if provider else st.login()
    except Exception:
        _log.exception("single sign-on: st.login refused")
        return t("auth_sso_not_configured", language)
    return None


def sso_logout() -> None:
    """End the provider's sign-in in this browser (Streamlit's identity cookie, then the
    provider's end-session endpoint when it has one)."""
    language = lang()
    st.session_state.clear()
    st.session_state["lang"] = language
    st.logout()


def login(user_name: str, password: str) -> str | None:
    """Try a local log-in; None on success, else the one sentence to show. On success the next
    run sends the top page through ``web.SESSION_PATH``, which sets the HttpOnly cookie."""
    settings = load_settings()
    language = lang()
    store_ = store()
    user_name = (user_name or "").strip()
    if not store_.accepts_writes:
        return t("auth_read_only", language)
    try:
        with store_errors():
            auth.authenticate(
                store_,
                user_name,
                password or "",
                lock_after=settings.lock_after,
                lock_minutes=settings.lock_minutes,
            )
            token = store_.create_session(user_name)
    except auth.AuthError as exc:
        return exc.message(language)
    except (StoreError, OSError):
        # the file turned out not to be writable (or the disk is full): no session row
        return t("auth_read_only", language)
    st.session_state.clear()  # the previous viewer's filters and state do not carry over
    st.session_state["lang"] = language
    st.session_state[_KEY] = {"user": user_name, "last": datetime.now(), "token": token}
    st.session_state[_GO] = (web.session_url(web.issue_code(token), _home(language)), "in")
    st.query_params.clear()
    return None


def logout(viewer_: Viewer) -> None:
    language = lang()
    store_ = store()
    token = (st.session_state.get(_KEY) or {}).get("token")
    through_sso = load_settings().auth_mode == "oidc" and sso_signed_in()
    try:
        with store_errors():
            store_.log_event(viewer_.name, "logout")
            if token:
                store_.revoke_session(token)  # every tab of this sign-in ends at its next click
    except StoreError:
        pass
    st.session_state.clear()
    st.session_state["lang"] = language
    st.query_params.clear()
    if through_sso:
        st.logout()
    else:
        st.session_state[_GO] = (web.logout_url(_home(language)), "out")


def account_box(viewer_: Viewer | None) -> None:
    """The sidebar's account line: who, in what role and scope, and a way out (or in)."""
    language = lang()
    go = st.session_state.pop(_GO, None)
    with st.sidebar:
        if go:  # right after a log-in or log-out: the page reloads through our cookie route
            _navigate(go[0])
            st.caption(t("auth_signing_in" if go[1] == "in" else "auth_signing_out", language))
            return
        notice = st.session_state.pop("auth_notice", None)
        if notice:
            st.warning(notice)
        if viewer_ is None:
            return
        if viewer_.read_only:
            st.info(t("auth_demo_banner", language))
            return
        scope = label(viewer_.role.value, language)
        if viewer_.provinces:
            names = store().provinces().set_index("adcode")
            col = "name_en" if language == "en" else "short_zh"
            scope += " · " + "、".join(names.loc[c, col] for c in sorted(viewer_.provinces))
        if viewer_.universities:
            unis = store().universities().set_index("university_id")
            col = "name_en" if language == "en" else "name_zh"
            scope += " · " + "、".join(unis.loc[u, col] for u in sorted(viewer_.universities))
        st.caption(tm("auth_signed_in_as", language, user=viewer_.name, scope=scope))
        if st.button(t("auth_logout", language), key="logout"):
            logout(viewer_)
            st.rerun()


def require_page(viewer_: Viewer | None, file: str) -> Viewer:
    """Stop a page that this viewer may not open (a second check behind the navigation)."""
    if viewer_ is None or not may_open(viewer_, file):
        st.error(t("auth_page_refused", lang()))
        st.stop()
    return viewer_


def require_writer(viewer_: Viewer | None, store_, file: str, title: str) -> Viewer:
    """Stop a page that changes data when the viewer (the demo mode) or the database file is
    read-only, saying so under the page's title; then the page check of ``require_page``."""
    if (viewer_ is not None and viewer_.read_only) or not store_.accepts_writes:
        st.title(title)
        st.warning(t("ingest_read_only", lang()), icon=":material/lock:")
        st.stop()
    return require_page(viewer_, file)


def require_role(viewer_: Viewer | None, roles: set[Role], writes: bool = False) -> Viewer:
    if viewer_ is None or viewer_.role not in roles or (writes and viewer_.read_only):
        st.error(t("auth_page_refused", lang()))
        st.stop()
    return viewer_
