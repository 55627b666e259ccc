"""Who is signed in, and as what: local accounts (argon2 hashes), roles and their scope.

    python -m dashboard_lib.auth create-user --user admin --role ministry
    python -m dashboard_lib.auth create-user --user gansu --role province --province 620000
    python -m dashboard_lib.auth create-user --user lzu --role university --university 兰州大学
    python -m dashboard_lib.auth list | disable USER | enable USER | set-password USER
    python -m dashboard_lib.auth set-scope USER --province 630000
    python -m dashboard_lib.auth set-sso USER --oidc-subject official@gs.example   (or --clear)

Passwords are asked for twice on the terminal (or read from standard input with
``--password-stdin``); there is no default password anywhere. Run these while the dashboard is
stopped (DuckDB lets one process write a file), or use the 用户管理 page as a ministry user.
"""

from __future__ import annotations

import argparse
import getpass
import gzip
import json
import logging
import os
import re
import secrets
import sys
import threading
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from .cache import static
from .errors import Part, UserError
from .i18n import pair, t
from .scope import Viewer
from .settings import DATA_DIR
from .vocab import Role

log = logging.getLogger(__name__)
_HASHER = PasswordHasher()
PASSWORD_MIN = 10
USER_NAME = re.compile(r"^[A-Za-z0-9_.@-]{3,64}$")


class AuthError(UserError):
    """A refusal told to the user in one sentence (a strings key and its values)."""


BAD_LOGIN = pair("auth_bad_login")  # (Chinese, English): every failed log-in says the same
DISABLED = pair("auth_disabled")


# ---------------------------------------------------------------------- passwords
COMMON_PASSWORDS = (
    DATA_DIR / "reference" / "common-passwords.txt.gz",  # Django's list, BSD-3
    DATA_DIR / "reference" / "common-passwords-extra.txt",
)  # Chinese patterns


@static
def common_passwords() -> frozenset[str]:
    """The shipped list of common passwords, lower case (data/reference/SOURCES.md)."""
    words: set[str] = set()
    for path in COMMON_PASSWORDS:
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rt", encoding="utf-8") as f:
            words.update(w.strip().lower() for w in f if w.strip() and not w.startswith("#"))
    return frozenset(words)


def _char_classes(password: str) -> int:
    kinds = set()
    for ch in password:
        kinds.add(
            "lower"
            if ch.islower()
            else "upper"
            if ch.isupper()
            else "digit"
            if ch.isdigit()
            else "other"
        )
    return len(kinds)


def _password_parts(password: str, user_name: str | None = None) -> list[Part]:
    """What is wrong with a new password, as (strings key, values); empty when it may be used."""
    problems: list[Part] = []
    password = password or ""
    if len(password) < PASSWORD_MIN:
        problems.append(("auth_pw_too_short", {"n": PASSWORD_MIN}))
    if password.strip().lower() in common_passwords():
        problems.append(("auth_pw_common", {}))
    if user_name and len(user_name) >= 3 and user_name.lower() in password.lower():
        problems.append(("auth_pw_has_name", {}))
    if password and _char_classes(password) < 2:
        problems.append(("auth_pw_classes", {}))
    return problems


def password_problems(password: str, user_name: str | None = None) -> list[tuple[str, str]]:
    """What is wrong with a new password (Chinese, English), empty when it may be used. The one
    policy of every path that sets a password: the admin page, the command line, create_user
    and set_password."""
    return [pair(key, **values) for key, values in _password_parts(password, user_name)]


def check_password(password: str, user_name: str | None = None) -> None:
    """Raise one AuthError naming every problem of ``password`` (see ``password_problems``)."""
    parts = _password_parts(password, user_name)
    if parts:
        raise AuthError(parts[0][0], parts=parts)


def hash_password(password: str, user_name: str | None = None) -> str:
    check_password(password, user_name)
    return _HASHER.hash(password)


_DUMMY_LOCK = threading.Lock()
_DUMMY_HASH: str | None = None


def _dummy_hash() -> str:
    """An argon2 hash of a random secret with the hasher's parameters: an unknown user name
    (or an account without a password) is checked against it, so every log-in costs one
    verification and takes the same time whatever the name."""
    global _DUMMY_HASH
    with _DUMMY_LOCK:
        if _DUMMY_HASH is None:
            _DUMMY_HASH = _HASHER.hash(secrets.token_urlsafe(24))
        return _DUMMY_HASH


def warm_up() -> None:
    """Make the dummy hash now (the server's start, ``serve.py``) rather than during the first
    log-in with an unknown name, which would otherwise take twice as long as any other."""
    _dummy_hash()


def verify_password(password_hash: str | None, password: str) -> bool:
    """Check ``password`` against ``password_hash``; always exactly one argon2 verification
    (against a dummy hash when there is none), so the answer takes the same time either way."""
    real = bool(password_hash)
    try:
        ok = _HASHER.verify(password_hash if password_hash else _dummy_hash(), password)
    except (VerificationError, InvalidHashError):
        return False
    return bool(ok) and real


# ---------------------------------------------------------------------- accounts → viewers
@dataclass(frozen=True)
class Account:
    user_name: str
    role: Role
    province_adcode: int | None
    university_ids: tuple[int, ...]
    display_name: str | None = None


def viewer_for(user: dict) -> Viewer:
    """The Viewer of an account row: its role and exactly the scope the row grants."""
    role = Role(user["role"])
    name = user["user_name"]
    if role is Role.MINISTRY:
        return Viewer(Role.MINISTRY, None, None, name)
    if role is Role.PROVINCE:
        if user.get("province_adcode") is None:
            raise AuthError("auth_province_unset")
        return Viewer.province(int(user["province_adcode"]), name)
    if role is Role.UNIVERSITY:
        ids = user.get("university_ids") or []
        if not ids:
            raise AuthError("auth_university_unset")
        return Viewer(Role.UNIVERSITY, None, frozenset(int(i) for i in ids), name)
    return Viewer(Role.PRESENTER, None, None, name)


def validate_account(
    store, user_name: str, role: str, province_adcode: int | None, university_ids: list[int] | None
) -> dict:
    """Check an account's role and scope against the reference data; return the record."""
    if not USER_NAME.match(user_name or ""):
        raise AuthError("auth_bad_user_name")
    try:
        role_ = Role(role)
    except ValueError:
        raise AuthError("auth_unknown_role", role=role) from None
    record: dict[str, object] = {
        "user_name": user_name,
        "role": role_.value,
        "province_adcode": None,
        "university_ids": None,
    }
    if role_ is Role.PROVINCE:
        units = set(store.scope_provinces(Viewer.ministry())["adcode"].astype(int))
        if province_adcode is None or int(province_adcode) not in units:
            raise AuthError("auth_province_needed")
        record["province_adcode"] = int(province_adcode)
    elif role_ is Role.UNIVERSITY:
        known = set(store.universities()["university_id"].astype(int))
        ids = sorted({int(i) for i in (university_ids or [])})
        if not ids or not set(ids) <= known:
            raise AuthError("auth_university_needed")
        record["university_ids"] = ids
    elif province_adcode is not None or university_ids:
        raise AuthError("auth_no_scope_allowed")
    return record


def create_user(
    store,
    user_name: str,
    role: str,
    password: str | None,
    *,
    province_adcode: int | None = None,
    university_ids: list[int] | None = None,
    display_name: str | None = None,
    oidc_subject: str | None = None,
    actor: str | None = None,
) -> None:
    if store.user(user_name) is not None:
        raise AuthError("auth_user_exists", user=user_name)
    record = validate_account(store, user_name, role, province_adcode, university_ids)
    if password is None and not oidc_subject:
        raise AuthError("auth_password_or_sso")
    if oidc_subject:
        other = store.user_by_subject(oidc_subject)
        if other is not None:
            raise AuthError("auth_sso_taken", identity=oidc_subject, user=other["user_name"])
    record["password_hash"] = hash_password(password, user_name) if password is not None else None
    record["display_name"] = display_name
    record["oidc_subject"] = oidc_subject
    store.insert_user(record, actor)


def set_scope(
    store,
    user_name: str,
    role: str,
    province_adcode: int | None,
    university_ids: list[int] | None,
    actor: str | None,
) -> bool:
    """Give an account a role and scope. Returns False, writing nothing (no audit row either),
    when the account has that role and scope already; the audit row of a change carries the
    values before it."""
    existing = _existing(store, user_name)
    record = validate_account(store, user_name, role, province_adcode, university_ids)
    keys = ("role", "province_adcode", "university_ids")
    before = {k: existing.get(k) for k in keys}
    if before["university_ids"] is not None:
        before["university_ids"] = sorted(before["university_ids"])
    after = {k: record[k] for k in keys}
    if before == after:
        return False
    store.update_user(user_name, after, actor, "user_rescoped", before=before)
    return True


def set_disabled(store, user_name: str, disabled: bool, actor: str | None) -> None:
    """Disable (every browser session of the account ends at its next click, for good: enabling
    it again does not revive them) or enable an account."""
    _existing(store, user_name)
    store.update_user(
        user_name,
        {"disabled": bool(disabled)},
        actor,
        "user_disabled" if disabled else "user_enabled",
    )


def set_password(store, user_name: str, password: str, actor: str | None) -> None:
    """A new password (under the one policy); the account's browser sessions end."""
    _existing(store, user_name)
    store.update_user(
        user_name,
        {
            "password_hash": hash_password(password, user_name),
            "failed_count": 0,
            "locked_until": None,
        },
        actor,
        "password_changed",
    )


def _existing(store, user_name: str) -> dict:
    user = store.user(user_name)
    if user is None:
        raise AuthError("auth_no_such_user", user=user_name)
    return user


def authenticate(
    store,
    user_name: str,
    password: str,
    *,
    lock_after: int = 5,
    lock_minutes: int = 15,
    now: datetime | None = None,
) -> Viewer:
    """Check a log-in. Every attempt is audited and costs exactly one argon2 verification, for an
    unknown name too (against a dummy hash), so the time taken tells nothing about the name.

    Unknown name, wrong password, a disabled or a locked account with a wrong password: all get
    the same sentence (``BAD_LOGIN``). Only the right password on a locked or disabled account
    says so. ``lock_after`` failures in a row lock an account for ``lock_minutes`` (the lock
    shows only to someone who then gives the right password)."""
    now = now or datetime.now()
    user = store.user(user_name)
    ok = verify_password(user["password_hash"] if user else None, password)
    if user is None:
        store.record_login(user_name, False, lock_after, lock_minutes, "unknown user")
        raise AuthError("auth_bad_login")
    locked = user["locked_until"] is not None and user["locked_until"] > now
    if locked:
        store.log_event(user_name, "login_refused", "locked" + ("" if ok else ", wrong password"))
        if ok:
            raise AuthError("auth_locked", until=user["locked_until"])
        raise AuthError("auth_bad_login")
    if user["disabled"]:
        store.log_event(user_name, "login_refused", "disabled" + ("" if ok else ", wrong password"))
        if ok:
            raise AuthError("auth_disabled")
        raise AuthError("auth_bad_login")
    if not ok:
        store.record_login(user_name, False, lock_after, lock_minutes)
        raise AuthError("auth_bad_login")
    viewer = viewer_for(user)
    store.record_login(user_name, True, lock_after, lock_minutes)
    if _HASHER.check_needs_rehash(user["password_hash"]):
        store.update_user(
            user_name, {"password_hash": _HASHER.hash(password)}, user_name, "password_rehashed"
        )
    return viewer


# ---------------------------------------------------------------------- single sign-on
def local_login_allowed(auth_mode: str, env: Mapping[str, str] | None = None) -> bool:
    """Whether the log-in page offers the local form (and local sign-in cookies are honoured).
    Always with ``XZ_AUTH=local``; with ``XZ_AUTH=oidc`` too unless ``XZ_LOCAL_LOGIN=0`` (a
    deployment whose every user comes through the identity provider)."""
    if auth_mode != "oidc":
        return True
    env = os.environ if env is None else env
    return env.get("XZ_LOCAL_LOGIN", "1").strip().lower() not in ("0", "false", "no", "off")


SSO_SHARED_KEYS = ("redirect_uri", "cookie_secret")
SSO_PROVIDER_KEYS = ("client_id", "client_secret", "server_metadata_url")


def sso_config_problem(auth_section: Mapping | None, provider: str = "") -> AuthError | None:
    """What keeps ``st.login(provider)`` from starting, read from the ``[auth]`` section of the
    secrets (``provider`` ``""``: the default provider, whose keys sit in ``[auth]`` itself):
    an AuthError naming the missing keys, or None. Checked before ``st.login``, whose own
    refusal is an English exception."""
    if not auth_section:
        return AuthError("auth_sso_not_configured")
    section = auth_section.get(provider) if provider else auth_section
    missing = [k for k in SSO_SHARED_KEYS if not auth_section.get(k)]
    if not isinstance(section, Mapping) or "_" in provider:
        missing += list(SSO_PROVIDER_KEYS)
    else:
        missing += [k for k in SSO_PROVIDER_KEYS if not section.get(k)]
    if missing:
        log.warning("single sign-on: the secrets' [auth] section lacks %s", ", ".join(missing))
        return AuthError("auth_sso_incomplete", keys=", ".join(missing))
    return None


def provider_reachable(metadata_url: str, timeout: float = 3.0) -> bool:
    """Whether the identity provider answers its discovery document (asked right before sending
    the browser there, so a provider that is down gets one sentence, not an error page)."""
    if not isinstance(metadata_url, str) or not metadata_url.startswith(("http://", "https://")):
        return False
    try:
        with urllib.request.urlopen(metadata_url, timeout=timeout) as answer:  # noqa: S310
            doc = json.loads(answer.read(1_000_000))
    except (OSError, ValueError):
        return False
    return isinstance(doc, dict) and bool(doc.get("authorization_endpoint"))


def identities(claims: Mapping) -> tuple[str | None, str | None]:
    """(sub, e-mail) of a signed-in person's claims. The e-mail counts only when the provider
    does not say it is unverified (``email_verified: false``): a provider that lets people type
    any address must not let them into someone else's account."""
    sub = claims.get("sub")
    email = claims.get("email")
    sub = sub.strip() if isinstance(sub, str) and sub.strip() else None
    email = email.strip() if isinstance(email, str) and "@" in email else None
    if claims.get("email_verified") is False or claims.get("email_verified") == "false":
        email = None
    return sub, email


def account_for_claims(store, claims: Mapping) -> dict:
    """The account a single sign-on identity is registered to: its ``oidc_subject`` equals the
    ``sub`` claim, or (case aside) the verified ``email``. Raises AuthError: no identity, not
    registered (``auth_sso_unregistered``: one sentence, no data), or disabled."""
    sub, email = identities(claims)
    if sub is None and email is None:
        raise AuthError("auth_sso_no_identity")
    rows = store.users_by_identity(sub, email)
    exact = [r for r in rows if sub is not None and r["oidc_subject"] == sub]
    chosen = exact if exact else rows
    if len(chosen) != 1:  # none, or two accounts claim the same address: neither is opened
        raise AuthError("auth_sso_unregistered", identity=email or sub)
    user = chosen[0]
    if user["disabled"]:
        raise AuthError("auth_disabled")
    return user


def viewer_for_claims(store, claims: Mapping, *, audit: bool = True) -> Viewer:
    """Single sign-on: the identity provider says who; our own table says role and scope.
    With ``audit`` the sign-in (or its refusal) is written to the audit log: the UI asks once
    per browser session, not on every click."""
    sub, email = identities(claims)
    try:
        user = account_for_claims(store, claims)
        viewer = viewer_for(user)
    except AuthError as exc:
        if audit and exc.key == "auth_sso_unregistered":
            store.log_event(email or sub, "login_refused", "sso identity not registered")
        elif audit and exc.key == "auth_disabled":
            store.log_event(email or sub, "login_refused", "disabled (sso)")
        raise
    if audit:
        store.record_login(user["user_name"], True, 5, 15)
    return viewer


def viewer_for_identity(store, subject: str | None) -> Viewer:
    """``viewer_for_claims`` for one identity string (a ``sub`` or an e-mail)."""
    if not subject:
        raise AuthError("auth_sso_no_identity")
    return viewer_for_claims(store, {"sub": subject, "email": subject})


def set_sso_identity(store, user_name: str, identity: str | None, actor: str | None) -> None:
    """Register (or with None remove) the single sign-on identity of an account."""
    user = _existing(store, user_name)
    identity = (identity or "").strip() or None
    if identity is None and not user["password_hash"]:
        raise AuthError("auth_password_or_sso")
    if identity is not None:
        other = store.user_by_subject(identity)
        if other is not None and other["user_name"] != user_name:
            raise AuthError("auth_sso_taken", identity=identity, user=other["user_name"])
    store.update_user(user_name, {"oidc_subject": identity}, actor, "user_rescoped")


def session_expired(last_seen: datetime, now: datetime, minutes: int) -> bool:
    return (now - last_seen).total_seconds() > minutes * 60


# ---------------------------------------------------------------------- command line
def _ask_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass(t("auth_cli_password_prompt"))
    if getpass.getpass(t("auth_cli_again_prompt")) != first:
        raise AuthError("auth_passwords_differ")
    return first


def _university_ids(store, names: list[str] | None) -> list[int] | None:
    if not names:
        return None
    unis = store.universities()
    by_name = {
        **dict(zip(unis["name_zh"], unis["university_id"])),
        **dict(zip(unis["name_en"], unis["university_id"])),
    }
    missing = [n for n in names if n not in by_name and not n.isdigit()]
    if missing:
        raise AuthError(
            "auth_unknown_universities", names="、".join(missing), names_en=", ".join(missing)
        )
    return [int(n) if n.isdigit() else int(by_name[n]) for n in names]


def main(argv: list[str] | None = None) -> int:
    from . import build
    from .settings import load_settings
    from .store import StoreError, open_store

    ap = argparse.ArgumentParser(
        prog="python -m dashboard_lib.auth", description="Manage accounts."
    )
    sub = ap.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("create-user")
    c.add_argument("--user", required=True)
    c.add_argument("--role", required=True, choices=[r.value for r in Role])
    c.add_argument("--province", type=int)
    c.add_argument("--university", action="append", help="name or id; repeat for several")
    c.add_argument("--display-name")
    c.add_argument("--oidc-subject", help="identity from single sign-on (e.g. e-mail)")
    c.add_argument("--password-stdin", action="store_true")
    s = sub.add_parser("set-scope")
    s.add_argument("user")
    s.add_argument("--role", required=True, choices=[r.value for r in Role])
    s.add_argument("--province", type=int)
    s.add_argument("--university", action="append")
    o = sub.add_parser("set-sso", help="register (or --clear) an account's single sign-on id")
    o.add_argument("user")
    o.add_argument("--oidc-subject", help="the provider's sub claim or the verified e-mail")
    o.add_argument("--clear", action="store_true")
    for name in ("disable", "enable"):
        sub.add_parser(name).add_argument("user")
    p = sub.add_parser("set-password")
    p.add_argument("user")
    p.add_argument("--password-stdin", action="store_true")
    sub.add_parser("list")
    args = ap.parse_args(argv)

    settings = load_settings()
    try:
        store = open_store(settings.db_path, lambda path: build.build_database(path)).store
    except StoreError as exc:
        print(exc.message("zh"), exc.message("en"), sep="\n", file=sys.stderr)
        return 2
    actor = f"cli:{getpass.getuser()}"
    try:
        if args.cmd == "create-user":
            sso_only = args.oidc_subject and not args.password_stdin
            password = None if sso_only else _ask_password(args.password_stdin)
            create_user(
                store,
                args.user,
                args.role,
                password,
                province_adcode=args.province,
                university_ids=_university_ids(store, args.university),
                display_name=args.display_name,
                oidc_subject=args.oidc_subject,
                actor=actor,
            )
            print(f"created {args.user} ({args.role})")
        elif args.cmd == "set-scope":
            set_scope(
                store,
                args.user,
                args.role,
                args.province,
                _university_ids(store, args.university),
                actor,
            )
            print(f"re-scoped {args.user}")
        elif args.cmd == "set-sso":
            if not args.clear and not args.oidc_subject:
                ap.error("set-sso needs --oidc-subject or --clear")
            set_sso_identity(store, args.user, None if args.clear else args.oidc_subject, actor)
            print(f"single sign-on identity of {args.user} set")
        elif args.cmd in ("disable", "enable"):
            set_disabled(store, args.user, args.cmd == "disable", actor)
            print(f"{args.cmd}d {args.user}")
        elif args.cmd == "set-password":
            set_password(store, args.user, _ask_password(args.password_stdin), actor)
            print(f"password changed for {args.user}")
        else:
            print(store.users().to_string(index=False))
    except AuthError as exc:
        print(exc.zh, exc.en, sep="\n", file=sys.stderr)
        return 1
    finally:
        store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
