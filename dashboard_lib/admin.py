"""The user-admin page's logic, without Streamlit (``views/admin.py`` only draws it):

- the tables it shows (accounts with readable scope and state, the audit log with readable
  actions and details), as ``Table``: text cells, headers in the page's language;
- the province and university names a scope is picked from (``ScopeOptions``);
- the change form: what the selected account has now (``AccountForm``, loaded into the form)
  and what saving would change (``ScopeDiff``: before → after, empty for an untouched form).

Every function here is pure but for the thin ``*_table(store, …)`` readers; all return frozen
dataclasses."""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import pandas as pd

from .i18n import STRINGS, label, t
from .vocab import Role

if TYPE_CHECKING:
    from .scope import Viewer
    from .store import Store

EMPTY = "—"  # a field without a value, in a detail or a before → after


# ---------------------------------------------------------------------- values as text
def when(value: object) -> str:
    """A date and time as ``2026-12-01 14:03`` (a date alone at midnight as ``2023-03-01``);
    empty for a missing one (None, NaT, NaN), never ``NaT``."""
    if value is None or value is pd.NaT:
        return ""
    if isinstance(value, float) and pd.isna(value):
        return ""
    if isinstance(value, str):
        text = value
        try:
            value = pd.Timestamp(text)
        except ValueError:
            return text
    if isinstance(value, (datetime, pd.Timestamp)):
        if pd.isna(value):
            return ""
        if (value.hour, value.minute, value.second) == (0, 0, 0) and isinstance(
            value, pd.Timestamp
        ):
            return f"{value:%Y-%m-%d}"
        return f"{value:%Y-%m-%d %H:%M}"
    if isinstance(value, date):
        return f"{value:%Y-%m-%d}"
    return str(value)


def _ids(value: Any) -> tuple[int, ...]:  # a frame cell (pandas has no types here)
    """University ids of a row (a list, a numpy array, None or NaN) as sorted ints."""
    if value is None or value is pd.NA or isinstance(value, (float, str)):
        return ()
    return tuple(sorted(int(i) for i in value))


def _adcode(value: Any) -> int | None:  # a frame cell (pandas has no types here)
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return None
    return int(value)


# ---------------------------------------------------------------------- tables
@dataclass(frozen=True, eq=False)
class Table:
    """A table of the page: ``frame`` keeps its columns under stable keys (``user``, ``action``
    …) with text cells; ``headers`` names the ``shown`` ones in the page's language (the others,
    e.g. the audit's raw action code, stay in the data but are not drawn); ``empty`` is said
    instead of an empty grid."""

    frame: pd.DataFrame
    headers: dict[str, str]
    shown: tuple[str, ...]
    empty: str


@dataclass(frozen=True)
class ScopeOptions:
    """What an account's scope is picked from, named in the page's language: the provinces the
    admin may give (adcode → name) and the host universities (university_id → name)."""

    provinces: dict[int, str]
    universities: dict[int, str]


def scope_options(store: Store, viewer: Viewer, lang: str = "zh") -> ScopeOptions:
    """The province and university choices of the add / re-scope forms, by language."""
    col = "name_en" if lang == "en" else "name_zh"
    provinces = store.scope_provinces(viewer)
    unis = store.universities()
    return ScopeOptions(
        provinces=dict(zip(provinces["adcode"].astype(int), provinces[col])),
        universities=dict(zip(unis["university_id"].astype(int), unis[col])),
    )


def _province_name(adcode: int | None, names: ScopeOptions) -> str:
    return EMPTY if adcode is None else names.provinces.get(int(adcode), str(adcode))


def _university_names(ids: tuple[int, ...], names: ScopeOptions, lang: str) -> str:
    if not ids:
        return EMPTY
    return t("adm_sep_items", lang).join(names.universities.get(i, str(i)) for i in ids)


def status_text(disabled: bool, locked_until: object, now: datetime, lang: str = "zh") -> str:
    """正常 / 已停用 / 已锁定: disabled first; locked only while the lock lasts."""
    if bool(disabled):
        return t("adm_status_disabled", lang)
    if when(locked_until) and pd.Timestamp(locked_until) > pd.Timestamp(now):
        return t("adm_status_locked", lang)
    return t("adm_status_active", lang)


USER_COLUMNS = ("user", "name", "role", "scope", "sso", "status", "locked_until", "last_login")


def users_view(
    users: pd.DataFrame,
    names: ScopeOptions,
    lang: str = "zh",
    now: datetime | None = None,
) -> Table:
    """The accounts (``store.users()``) as the page shows them: role and scope in words, the
    state (正常 / 已停用 / 已锁定), dates as ``2026-12-01 14:03`` or empty."""
    now = now or datetime.now()
    rows = []
    for r in users.to_dict("records"):
        scope = Scope.of(r["role"], _adcode(r["province_adcode"]), _ids(r["university_ids"]))
        rows.append(
            {
                "user": r["user_name"],
                "name": r["display_name"] if isinstance(r["display_name"], str) else "",
                "role": label(r["role"], lang),
                "scope": scope.text(names, lang),
                "sso": r["oidc_subject"] if isinstance(r["oidc_subject"], str) else "",
                "status": status_text(r["disabled"], r["locked_until"], now, lang),
                "locked_until": when(r["locked_until"]),
                "last_login": when(r["last_login"]),
            }
        )
    frame = pd.DataFrame(rows, columns=list(USER_COLUMNS))
    headers = {c: t(f"adm_col_{c}", lang) for c in USER_COLUMNS}
    return Table(frame, headers, USER_COLUMNS, t("adm_no_users", lang))


def users_table(store: Store, viewer: Viewer, lang: str = "zh") -> Table:
    """``users_view`` of the store's accounts, named with the admin's scope choices."""
    return users_view(store.users(), scope_options(store, viewer, lang), lang)


AUDIT_SHOWN = ("logged_at", "user_name", "action_label", "detail")


def audit_view(log: pd.DataFrame, names: ScopeOptions, lang: str = "zh") -> Table:
    """The audit log (``store.audit_log()``) as the page shows it: the time to the minute, the
    action and its detail in words. The raw action code stays in column ``action`` (not drawn)."""
    rows = [
        {
            "logged_at": when(r["logged_at"]),
            "user_name": r["user_name"] if isinstance(r["user_name"], str) else "",
            "action": r["action"],
            "action_label": action_text(r["action"], lang),
            "detail": detail_text(
                r["action"], r["detail"] if isinstance(r["detail"], str) else "", names, lang
            ),
        }
        for r in log.to_dict("records")
    ]
    frame = pd.DataFrame(
        rows, columns=["logged_at", "user_name", "action", "action_label", "detail"]
    )
    headers = {
        "logged_at": t("adm_col_logged_at", lang),
        "user_name": t("adm_col_actor", lang),
        "action_label": t("adm_col_action", lang),
        "detail": t("adm_col_detail", lang),
    }
    return Table(frame, headers, AUDIT_SHOWN, t("adm_no_audit", lang))


def audit_table(store: Store, viewer: Viewer, lang: str = "zh") -> Table:
    """``audit_view`` of the store's audit log."""
    return audit_view(store.audit_log(), scope_options(store, viewer, lang), lang)


# ---------------------------------------------------------------------- the change form
@dataclass(frozen=True)
class Scope:
    """A role and exactly the scope it takes (a province for 省级, universities for 高校, none
    for the others): what ``auth.set_scope`` would store for the form's choices."""

    role: str
    province_adcode: int | None = None
    university_ids: tuple[int, ...] = ()

    @classmethod
    def of(
        cls, role: str | None, province_adcode: int | None, university_ids: object = ()
    ) -> Scope:
        """The scope a role keeps of the choices: the others are ignored, as they are saved."""
        role = role or ""
        return cls(
            role,
            _adcode(province_adcode) if role == Role.PROVINCE.value else None,
            _ids(university_ids) if role == Role.UNIVERSITY.value else (),
        )

    def province_text(self, names: ScopeOptions, lang: str) -> str:
        """省份: the province of a 省级 account, 全国 for the ministry and presenters."""
        if self.role == Role.PROVINCE.value:
            return _province_name(self.province_adcode, names)
        if self.role in (Role.MINISTRY.value, Role.PRESENTER.value):
            return t("adm_nationwide", lang)
        return EMPTY

    def fields(self, names: ScopeOptions, lang: str) -> dict[str, str]:
        """field label → value: 角色, 省份, 高校 (— where the role has none)."""
        province = self.province_text(names, lang)
        unis = (
            _university_names(self.university_ids, names, lang)
            if self.role == Role.UNIVERSITY.value
            else EMPTY
        )
        return {
            t("adm_f_role", lang): label(self.role, lang) if self.role else EMPTY,
            t("adm_f_province", lang): province,
            t("adm_f_universities", lang): unis,
        }

    def text(self, names: ScopeOptions, lang: str) -> str:
        """The scope alone: 青海省 / 全国 / 兰州大学、西北师范大学."""
        if self.role == Role.UNIVERSITY.value:
            return _university_names(self.university_ids, names, lang)
        return self.province_text(names, lang)

    def describe(self, names: ScopeOptions, lang: str) -> str:
        """角色：省级；省份：青海省 (the role and the one scope field it uses)."""
        f = self.fields(names, lang)
        role_key = t("adm_f_role", lang)
        scope_key = t(
            "adm_f_universities" if self.role == Role.UNIVERSITY.value else "adm_f_province", lang
        )
        return t("adm_sep_fields", lang).join(
            t("adm_field_value", lang, field=k, value=f[k]) for k in (role_key, scope_key)
        )


@dataclass(frozen=True)
class AccountForm:
    """What the selected account has now, loaded into the change form: role and scope, and
    its state (disabled, locked until, last sign-in). ``stamp`` (its ``updated_at``) tells the
    page to load it again after any change."""

    user_name: str
    scope: Scope
    disabled: bool
    locked_until: datetime | None
    last_login: datetime | None
    stamp: str = ""

    def state(self, names: ScopeOptions, lang: str = "zh", now: datetime | None = None) -> str:
        """角色：省级；省份：青海省；状态：正常；最近登录：2026-12-01 14:03."""
        now = now or datetime.now()
        parts = [self.scope.describe(names, lang)]
        status = status_text(self.disabled, self.locked_until, now, lang)
        if status == t("adm_status_locked", lang):
            status += " " + t("adm_d_until", lang, until=when(self.locked_until))
        parts.append(t("adm_field_value", lang, field=t("adm_f_status", lang), value=status))
        if self.last_login is not None:
            parts.append(
                t(
                    "adm_field_value",
                    lang,
                    field=t("adm_f_last_login", lang),
                    value=when(self.last_login),
                )
            )
        return t("adm_sep_fields", lang).join(parts)


def account_form(user: dict) -> AccountForm:
    """The form state of an account row (``store.user(name)``)."""

    def moment(v: object) -> datetime | None:
        return None if not when(v) else pd.Timestamp(v).to_pydatetime()

    return AccountForm(
        user_name=user["user_name"],
        scope=Scope.of(user["role"], user.get("province_adcode"), user.get("university_ids")),
        disabled=bool(user.get("disabled")),
        locked_until=moment(user.get("locked_until")),
        last_login=moment(user.get("last_login")),
        stamp=str(user.get("updated_at") or ""),
    )


@dataclass(frozen=True)
class Change:
    """One field of a before → after."""

    field: str
    before: str
    after: str


@dataclass(frozen=True)
class ScopeDiff:
    """What saving the form would change for ``user_name``: ``changes`` is empty for an
    untouched form (then nothing is written); ``text`` reads 角色：省级 → 教育部；省份：青海省 → 全国."""

    user_name: str
    before: Scope
    after: Scope
    changes: tuple[Change, ...] = field(default=())
    text: str = ""

    @property
    def changed(self) -> bool:
        return bool(self.changes)


def changes_between(before: Scope, after: Scope, names: ScopeOptions, lang: str) -> tuple:
    """The fields (角色, 省份, 高校) whose words differ between two scopes."""
    b, a = before.fields(names, lang), after.fields(names, lang)
    return tuple(Change(k, b[k], a[k]) for k in b if b[k] != a[k])


def _changes_text(changes: tuple[Change, ...], lang: str) -> str:
    return t("adm_sep_fields", lang).join(
        t("adm_field_change", lang, field=c.field, before=c.before, after=c.after) for c in changes
    )


def scope_diff(
    form: AccountForm,
    role: str | None,
    province_adcode: int | None,
    university_ids: object,
    names: ScopeOptions,
    lang: str = "zh",
) -> ScopeDiff:
    """Before (the account as loaded) → after (the form's choices, as they would be saved)."""
    after = Scope.of(role, province_adcode, university_ids)
    if after == form.scope:
        return ScopeDiff(form.user_name, form.scope, after)
    changes = changes_between(form.scope, after, names, lang)
    return ScopeDiff(form.user_name, form.scope, after, changes, _changes_text(changes, lang))


# ---------------------------------------------------------------------- the audit log in words
def action_text(action: str, lang: str = "zh") -> str:
    """An audit action code in words (登录, 修改角色与范围 …); an unknown code as it is."""
    key = f"adm_act_{action}"
    return t(key, lang) if key in STRINGS else str(action)


_PHRASES = {  # the fixed English details written by log-ins and sessions
    "unknown user": "adm_d_unknown_user",
    "unknown user unknown user": "adm_d_unknown_user",
    "locked": "adm_d_locked",
    "locked, wrong password": "adm_d_locked_wrong",
    "disabled": "adm_d_disabled",
    "disabled, wrong password": "adm_d_disabled_wrong",
    "disabled (sso)": "adm_d_disabled_sso",
    "sso identity not registered": "adm_d_sso_unregistered",
    "cookie": "adm_d_cookie",
    "account disabled or removed": "adm_d_gone",
}
_REPRS = (  # Python reprs older rows carry, back to literals
    (re.compile(r"np\.(True|False)_"), r"\1"),
    (re.compile(r"np\.\w+\(([^()]*)\)"), r"\1"),
    (re.compile(r"array\((\[[^\]]*\])(?:,\s*dtype=\w+)?\)"), r"\1"),
    (re.compile(r"Timestamp\('([^']*)'\)"), r"'\1'"),
    (re.compile(r"datetime\.date\((\d+),\s*(\d+),\s*(\d+)\)"), r"'\1-\2-\3'"),
    (re.compile(r"\bNaT\b|\bnan\b|<NA>"), "None"),
)
_DATETIME = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?$")
_LEGACY_UPDATE = re.compile(r"^(?P<user>\S+) (?P<changes>\{.*\})(?: sessions_ended=(?P<n>\d+))?$")
_LEGACY_CREATE = re.compile(
    r"^(?P<user>\S+) role=(?P<role>\w+) province=(?P<p>\S+) universities=(?P<u>.*)$"
)
_PAIR = re.compile(r"(?:^|\s)(\w+)=")


def _clean(text: str) -> str:
    for pattern, repl in _REPRS:
        text = pattern.sub(repl, text)
    return text


def _literal(text: str) -> object:
    """A cleaned repr read back as a Python value; the text itself when it is not one."""
    try:
        return ast.literal_eval(_clean(text))
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return _clean(text)


def _value_of(raw: str) -> object:
    """A ``key=value``'s value: a literal (dict, list, None …) read back, anything else (a file
    name, a hash, a kind) kept as written."""
    if raw[:1] in "{[('\"" and raw or raw in ("None", "True", "False"):
        return _literal(raw)
    return raw


def _value_text(value: object) -> str:
    """A plain value in words: dates as 2026-12-01 14:03, nothing as —, lists joined."""
    if value is None or value == "":
        return EMPTY
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, str) and _DATETIME.match(value.strip()):
        return when(value.strip()) or EMPTY
    if isinstance(value, (list, tuple)):
        return ", ".join(_value_text(v) for v in value) or EMPTY
    return str(value)


def _key_label(key: str, lang: str) -> str:
    k = f"adm_k_{key}"
    return t(k, lang) if k in STRINGS else key


def _account_field(key: str, value: object, names: ScopeOptions, lang: str) -> tuple[str, str]:
    """One column of an account change: (field in words, value in words)."""
    if key == "role":
        return t("adm_f_role", lang), label(str(value), lang) if value else EMPTY
    if key == "province_adcode":
        return t("adm_f_province", lang), _province_name(_adcode(value), names)
    if key == "university_ids":
        return t("adm_f_universities", lang), _university_names(_ids(value), names, lang)
    if key == "disabled":
        word = "adm_status_disabled" if value else "adm_status_active"
        return t("adm_f_status", lang), t(word, lang)
    if key == "password_hash":
        return t("adm_f_password", lang), t("adm_password_reset", lang)
    name = f"adm_f_{key}"
    return (t(name, lang) if name in STRINGS else key), _value_text(value)


def _account_text(
    user: str,
    changes: dict,
    before: dict | None,
    sessions_ended: int | None,
    names: ScopeOptions,
    lang: str,
) -> str:
    """qinghai：角色：省级 → 教育部；省份：青海省 → 全国 (or the values alone, without before)."""
    scope_keys = {"role", "province_adcode", "university_ids"}
    parts: list[str] = []
    if "role" in changes:
        after = Scope.of(
            changes.get("role"), changes.get("province_adcode"), changes.get("university_ids")
        )
        if before is not None and "role" in before:
            was = Scope.of(
                before.get("role"), before.get("province_adcode"), before.get("university_ids")
            )
            diff = changes_between(was, after, names, lang)
            parts.append(_changes_text(diff, lang) if diff else t("adm_no_change", lang))
        else:
            parts.append(after.describe(names, lang))
    first = ("password_hash", "disabled")  # what the action did, then what it also reset
    for key, value in sorted(changes.items(), key=lambda kv: (kv[0] not in first, kv[0])):
        if key in scope_keys and "role" in changes:
            continue
        fname, now_text = _account_field(key, value, names, lang)
        if before is not None and key in before:
            _, was_text = _account_field(key, before[key], names, lang)
            parts.append(t("adm_field_change", lang, field=fname, before=was_text, after=now_text))
        else:
            parts.append(t("adm_field_value", lang, field=fname, value=now_text))
    if sessions_ended is not None:
        parts.append(
            t("adm_field_value", lang, field=t("adm_f_sessions_ended", lang), value=sessions_ended)
        )
    return t("adm_about_user", lang, user=user, what=t("adm_sep_fields", lang).join(parts))


def _pairs_text(detail: str, names: ScopeOptions, lang: str) -> str:
    """``key=value key=value`` (imports, undos, corrections) in words; a ``before={…}
    after={…}`` pair as field：before → after."""
    marks = list(_PAIR.finditer(detail))
    if not marks or marks[0].start() > 0:
        return _value_text(_literal(detail)) if detail else ""
    values: dict[str, object] = {}
    for i, m in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(detail)
        values[m.group(1)] = _value_of(detail[m.end() : end].strip())
    before, after = values.pop("before", None), values.pop("after", None)
    parts = []
    for key, value in values.items():
        shown = label(str(value), lang) if key == "kind" else _value_text(value)
        parts.append(t("adm_field_value", lang, field=_key_label(key, lang), value=shown))
    if isinstance(after, dict):
        was = before if isinstance(before, dict) else {}
        for key, value in after.items():
            parts.append(
                t(
                    "adm_field_change",
                    lang,
                    field=_key_label(key, lang),
                    before=_value_text(was.get(key)),
                    after=_value_text(value),
                )
            )
    return t("adm_sep_fields", lang).join(parts)


def detail_text(action: str, detail: str, names: ScopeOptions, lang: str = "zh") -> str:
    """An audit row's detail in words, for the rows written now (JSON, ``store.auth.
    audit_detail``) and the older free-text ones (Python reprs such as ``np.int32(6)``,
    ``Timestamp(…)``, ``NaT`` read back as plain values)."""
    text = (detail or "").strip()
    if not text:
        return ""
    if text.startswith("{"):
        try:
            data = json.loads(text)
        except ValueError:
            data = None
        if isinstance(data, dict) and "user" in data and isinstance(data.get("changes"), dict):
            return _account_text(
                str(data["user"]),
                data["changes"],
                data.get("before") if isinstance(data.get("before"), dict) else None,
                data.get("sessions_ended"),
                names,
                lang,
            )
    if text in _PHRASES:
        return t(_PHRASES[text], lang)
    if text.startswith("until "):
        return t("adm_d_until", lang, until=when(text[len("until ") :]) or text[6:])
    m = _LEGACY_UPDATE.match(text)
    if m:
        changes = _literal(m.group("changes"))
        if isinstance(changes, dict):
            n = m.group("n")
            return _account_text(m.group("user"), changes, None, int(n) if n else None, names, lang)
    m = _LEGACY_CREATE.match(text)
    if m:
        changes = {
            "role": m.group("role"),
            "province_adcode": _literal(m.group("p")),
            "university_ids": _literal(m.group("u")),
        }
        return _account_text(m.group("user"), changes, None, None, names, lang)
    return _pairs_text(_clean(text), names, lang)
