"""Who is signed in, and as what: local accounts (argon2 hashes), roles and their scope.

    python -m dashboard_lib.auth create-user --user admin --role ministry
    python -m dashboard_lib.auth create-user --user gansu --role province --province 620000
    python -m dashboard_lib.auth create-user --user lzu --role university --university 兰州大学
    python -m dashboard_lib.auth list | disable USER | enable USER | set-password USER
    python -m dashboard_lib.auth set-scope USER --province 630000

Passwords are asked for twice on the terminal (or read from standard input with
``--password-stdin``); there is no default password anywhere. Run these while the dashboard is
stopped (DuckDB lets one process write a file), or use the 用户管理 page as a ministry user.
"""

from __future__ import annotations

import argparse
import getpass
import gzip
import re
import secrets
import sys
import threading
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from .scope import Viewer
from .settings import DATA_DIR
from .vocab import Role

_HASHER = PasswordHasher()
PASSWORD_MIN = 10
USER_NAME = re.compile(r"^[A-Za-z0-9_.@-]{3,64}$")


class AuthError(Exception):
    """A refusal told to the user in one sentence (Chinese, English)."""

    def __init__(self, zh: str, en: str):
        super().__init__(f"{zh} / {en}")
        self.zh, self.en = zh, en

    def message(self, lang: str = "zh") -> str:
        return self.zh if lang == "zh" else self.en


BAD_LOGIN = ("用户名或密码不正确。", "The user name or password is wrong.")
DISABLED = ("该账户已停用。", "This account is disabled.")


# ---------------------------------------------------------------------- passwords
COMMON_PASSWORDS = (
    DATA_DIR / "reference" / "common-passwords.txt.gz",  # Django's list, BSD-3
    DATA_DIR / "reference" / "common-passwords-extra.txt",
)  # Chinese patterns


@lru_cache(maxsize=1)
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


def password_problems(password: str, user_name: str | None = None) -> list[tuple[str, str]]:
    """What is wrong with a new password (Chinese, English), empty when it may be used. The one
    policy of every path that sets a password: the admin page, the command line, create_user
    and set_password."""
    problems = []
    password = password or ""
    if len(password) < PASSWORD_MIN:
        problems.append(
            (
                f"密码至少需要 {PASSWORD_MIN} 个字符。",
                f"The password needs at least {PASSWORD_MIN} characters.",
            )
        )
    if password.strip().lower() in common_passwords():
        problems.append(
            ("该密码过于常见，请换一个。", "This password is too common; choose another.")
        )
    if user_name and len(user_name) >= 3 and user_name.lower() in password.lower():
        problems.append(("密码不能包含用户名。", "The password must not contain the user name."))
    if password and _char_classes(password) < 2:
        problems.append(
            (
                "密码需混合至少两类字符（小写字母、大写字母、数字、符号）。",
                "The password needs at least two kinds of characters (lower case, "
                "upper case, digits, symbols).",
            )
        )
    return problems


def check_password(password: str, user_name: str | None = None) -> None:
    """Raise one AuthError naming every problem of ``password`` (see ``password_problems``)."""
    problems = password_problems(password, user_name)
    if problems:
        raise AuthError(" ".join(zh for zh, _ in problems), " ".join(en for _, en in problems))


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
        ok = _HASHER.verify(password_hash if real else _dummy_hash(), password)
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
            raise AuthError(
                "该省级账户没有设定省份，请联系管理员。",
                "This province account has no province; ask an administrator.",
            )
        return Viewer.province(int(user["province_adcode"]), name)
    if role is Role.UNIVERSITY:
        ids = user.get("university_ids") or []
        if not ids:
            raise AuthError(
                "该高校账户没有设定高校，请联系管理员。",
                "This university account has no university; ask an administrator.",
            )
        return Viewer(Role.UNIVERSITY, None, frozenset(int(i) for i in ids), name)
    return Viewer(Role.PRESENTER, None, None, name)


def validate_account(
    store, user_name: str, role: str, province_adcode: int | None, university_ids: list[int] | None
) -> dict:
    """Check an account's role and scope against the reference data; return the record."""
    if not USER_NAME.match(user_name or ""):
        raise AuthError(
            "用户名需为 3–64 个字母、数字或 _ . @ -。",
            "A user name is 3–64 letters, digits or _ . @ -.",
        )
    try:
        role_ = Role(role)
    except ValueError:
        raise AuthError(f"未知角色：{role}。", f"Unknown role: {role}.") from None
    record = {
        "user_name": user_name,
        "role": role_.value,
        "province_adcode": None,
        "university_ids": None,
    }
    if role_ is Role.PROVINCE:
        units = set(store.scope_provinces(Viewer.ministry())["adcode"].astype(int))
        if province_adcode is None or int(province_adcode) not in units:
            raise AuthError(
                "省级账户需要一个项目省份（或兵团 660000）。",
                "A province account needs one programme province (or the Corps, 660000).",
            )
        record["province_adcode"] = int(province_adcode)
    elif role_ is Role.UNIVERSITY:
        known = set(store.universities()["university_id"].astype(int))
        ids = sorted({int(i) for i in (university_ids or [])})
        if not ids or not set(ids) <= known:
            raise AuthError(
                "高校账户需要至少一所已登记的托管高校。",
                "A university account needs at least one registered host university.",
            )
        record["university_ids"] = ids
    elif province_adcode is not None or university_ids:
        raise AuthError(
            "部委和演示账户不设省份或高校范围。",
            "Ministry and presenter accounts have no province or university scope.",
        )
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
        raise AuthError(f"用户 {user_name} 已存在。", f"User {user_name} exists already.")
    record = validate_account(store, user_name, role, province_adcode, university_ids)
    if password is None and not oidc_subject:
        raise AuthError(
            "需要密码或单点登录标识。", "A password or a single sign-on identity is needed."
        )
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
) -> None:
    _existing(store, user_name)
    record = validate_account(store, user_name, role, province_adcode, university_ids)
    store.update_user(
        user_name,
        {k: record[k] for k in ("role", "province_adcode", "university_ids")},
        actor,
        "user_rescoped",
    )


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
        raise AuthError(f"没有用户 {user_name}。", f"There is no user {user_name}.")
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
        raise AuthError(*BAD_LOGIN)
    locked = user["locked_until"] is not None and user["locked_until"] > now
    if locked:
        store.log_event(user_name, "login_refused", "locked" + ("" if ok else ", wrong password"))
        if ok:
            raise AuthError(
                f"登录失败次数过多，账户已锁定至 {user['locked_until']:%H:%M}。",
                f"Too many failed log-ins: the account is locked until {user['locked_until']:%H:%M}.",
            )
        raise AuthError(*BAD_LOGIN)
    if user["disabled"]:
        store.log_event(user_name, "login_refused", "disabled" + ("" if ok else ", wrong password"))
        if ok:
            raise AuthError(*DISABLED)
        raise AuthError(*BAD_LOGIN)
    if not ok:
        store.record_login(user_name, False, lock_after, lock_minutes)
        raise AuthError(*BAD_LOGIN)
    viewer = viewer_for(user)
    store.record_login(user_name, True, lock_after, lock_minutes)
    if _HASHER.check_needs_rehash(user["password_hash"]):
        store.update_user(
            user_name, {"password_hash": _HASHER.hash(password)}, user_name, "password_rehashed"
        )
    return viewer


def viewer_for_identity(store, subject: str | None) -> Viewer:
    """Single sign-on: the identity provider says who; our own table says role and scope."""
    if not subject:
        raise AuthError("单点登录未返回身份标识。", "Single sign-on returned no identity.")
    user = store.user_by_subject(subject)
    if user is None:
        store.log_event(subject, "login_refused", "sso identity not registered")
        raise AuthError(
            "您的单点登录身份尚未在本系统登记，请联系管理员。",
            "Your single sign-on identity is not registered here; ask an administrator.",
        )
    if user["disabled"]:
        store.log_event(user["user_name"], "login_refused", "disabled (sso)")
        raise AuthError(*DISABLED)
    return viewer_for(user)


def session_expired(last_seen: datetime, now: datetime, minutes: int) -> bool:
    return (now - last_seen).total_seconds() > minutes * 60


# ---------------------------------------------------------------------- command line
def _ask_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("密码 / Password: ")
    if getpass.getpass("再次输入 / Again: ") != first:
        raise AuthError("两次输入的密码不一致。", "The two passwords differ.")
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
            f"未知高校：{'、'.join(missing)}。", f"Unknown universities: {', '.join(missing)}."
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
