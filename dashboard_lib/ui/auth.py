"""Log-in, log-out, session timeout and the account box: the viewer of every run.

The account is re-read from the database on every run, so disabling or re-scoping a user takes
effect on their next click, not on their next log-in.
"""
from __future__ import annotations

from datetime import datetime

import streamlit as st

from .. import auth
from ..i18n import label, t
from ..navigation import may_open
from ..scope import Viewer
from ..settings import load_settings
from ..vocab import Role
from .core import lang, store

_KEY = "auth"  # session_state: {"user": name, "last": datetime, "token": str} for local accounts
COOKIE = "xz_session"
_COOKIE_IN, _COOKIE_OUT = "_cookie_set", "_cookie_clear"


def _resume_from_cookie(store_, idle_minutes: int) -> dict | None:
    """A reload or a new tab starts a new Streamlit session: the sign-in survives through a
    random token in a cookie (only its hash is stored, revoked on log-out and time-out)."""
    try:
        token = st.context.cookies.get(COOKIE)
    except Exception:  # no browser context (bare runs, tests)
        token = None
    if not isinstance(token, str) or not token or len(token) > 100:
        return None
    user = store_.session_user(token, idle_minutes)
    if user is None:
        return None
    session = {"user": user, "last": datetime.now(), "token": token}
    st.session_state[_KEY] = session
    return session


def _write_cookie() -> None:
    """Set or clear the sign-in cookie from a tiny same-origin frame (Streamlit has no API)."""
    token = st.session_state.pop(_COOKIE_IN, None)
    clear = st.session_state.pop(_COOKIE_OUT, None)
    if not token and not clear:
        return
    import streamlit.components.v1 as components
    value = f"{COOKIE}={token}; path=/; SameSite=Strict" if token else f"{COOKIE}=; path=/; max-age=0; SameSite=Strict"
    components.html(f"<script>document.cookie = {value!r};</script>", height=0)


def viewer() -> Viewer | None:
    """Who is looking: a signed-in account, else the open demo viewer (if enabled), else None."""
    settings = load_settings()
    language = lang()
    store_ = store()
    if settings.auth_mode == "oidc":
        if getattr(st.user, "is_logged_in", False):
            try:
                return auth.viewer_for_identity(store_, st.user.get("email") or st.user.get("sub"))
            except auth.AuthError as exc:
                st.error(exc.message(language))
    else:
        session = st.session_state.get(_KEY) or _resume_from_cookie(store_, settings.session_minutes)
        if session:
            now = datetime.now()
            if auth.session_expired(session["last"], now, settings.session_minutes):
                store_.log_event(session["user"], "session_timeout")
                if session.get("token"):
                    store_.revoke_session(session["token"])
                    st.session_state[_COOKIE_OUT] = True
                st.session_state.pop(_KEY, None)
                st.session_state["auth_notice"] = t("auth_timed_out", language)
            else:
                user = store_.user(session["user"])
                try:
                    if user is None or user["disabled"]:
                        raise auth.AuthError("该账户已停用。", "This account is disabled.")
                    session["last"] = now
                    return auth.viewer_for(user)
                except auth.AuthError as exc:
                    st.session_state.pop(_KEY, None)
                    st.session_state["auth_notice"] = exc.message(language)
    return Viewer.demo() if settings.demo_mode else None


def login(user_name: str, password: str) -> str | None:
    """Try a local log-in; None on success, else the sentence to show."""
    settings = load_settings()
    try:
        auth.authenticate(store(), user_name.strip(), password, lock_after=settings.lock_after,
                          lock_minutes=settings.lock_minutes)
    except auth.AuthError as exc:
        return exc.message(lang())
    token = store().create_session(user_name.strip())
    st.session_state[_KEY] = {"user": user_name.strip(), "last": datetime.now(), "token": token}
    st.session_state[_COOKIE_IN] = token
    for key in ("province_select",):  # the previous viewer's filters do not carry over
        st.session_state.pop(key, None)
    st.query_params.clear()
    return None


def logout(viewer_: Viewer) -> None:
    store().log_event(viewer_.name, "logout")
    token = (st.session_state.get(_KEY) or {}).get("token")
    if token:
        store().revoke_session(token)
    st.session_state.clear()
    st.session_state[_COOKIE_OUT] = True
    st.query_params.clear()
    if load_settings().auth_mode == "oidc":
        st.logout()


def account_box(viewer_: Viewer | None) -> None:
    """The sidebar's account line: who, in what role and scope, and a way out (or in)."""
    language = lang()
    _write_cookie()
    with st.sidebar:
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
        st.caption(t("auth_signed_in_as", language, user=viewer_.name, scope=scope))
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
    if (viewer_ is not None and viewer_.read_only) or store_.read_only:
        st.title(title)
        st.warning(t("ingest_read_only", lang()), icon=":material/lock:")
        st.stop()
    return require_page(viewer_, file)


def require_role(viewer_: Viewer | None, roles: set[Role], writes: bool = False) -> Viewer:
    if viewer_ is None or viewer_.role not in roles or (writes and viewer_.read_only):
        st.error(t("auth_page_refused", lang()))
        st.stop()
    return viewer_
