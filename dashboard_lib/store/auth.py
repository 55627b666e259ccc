"""Users, log-in bookkeeping and the audit log (issue 6).

Accounts live in the dashboard database beside the data they guard; a file holding accounts is
never rebuilt away (``lifecycle._has_user_data``). Passwords are stored only as argon2 hashes.
Their tables are written out in ``schema.py``.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from datetime import datetime, timedelta

import pandas as pd

from .core import CoreStore

USER_COLUMNS = (
    "user_name",
    "display_name",
    "role",
    "province_adcode",
    "university_ids",
    "password_hash",
    "oidc_subject",
    "disabled",
    "failed_count",
    "locked_until",
    "created_at",
    "updated_at",
    "last_login",
)


class AuthOps(CoreStore):
    # ------------------------------------------------------------------ reads
    def user(self, user_name: str) -> dict | None:
        df = self._sor_df("SELECT * FROM app_user WHERE user_name = ?", [user_name])
        return None if df.empty else _row(df)

    def user_by_subject(self, subject: str) -> dict | None:
        df = self._sor_df("SELECT * FROM app_user WHERE oidc_subject = ?", [subject])
        return None if df.empty else _row(df)

    def users_by_identity(self, sub: str | None, email: str | None) -> list[dict]:
        """The accounts whose single sign-on identity is ``sub`` (exactly) or ``email`` (case
        aside): at most a few rows; ``dashboard_lib.auth.account_for_claims`` picks one."""
        df = self._sor_df(
            """SELECT * FROM app_user
               WHERE oidc_subject = ? OR (? IS NOT NULL AND lower(oidc_subject) = lower(?))
               ORDER BY user_name""",
            [sub, email, email],
        )
        return [_row(df.iloc[[i]]) for i in range(len(df))]

    def users(self) -> pd.DataFrame:
        """Every account, without password hashes (for the admin page)."""
        return self._sor_df("""SELECT user_name, display_name, role, province_adcode, university_ids,
                                  oidc_subject, disabled, failed_count, locked_until, created_at,
                                  updated_at, last_login
                           FROM app_user ORDER BY user_name""")

    def audit_log(self, limit: int = 5000) -> pd.DataFrame:
        return self._sor_df("SELECT * FROM audit_log ORDER BY logged_at DESC LIMIT ?", [int(limit)])

    def count_users(self, role: str | None = None) -> int:
        if role is None:
            return int(self._sor_scalar("SELECT count(*) FROM app_user"))
        return int(self._sor_scalar("SELECT count(*) FROM app_user WHERE role = ?", [role]))

    # ------------------------------------------------------------------ writes (each one transaction)
    def _tx(self, fn):
        with self._transaction() as cur:
            return fn(cur)

    def insert_user(self, record: dict, actor: str | None) -> None:
        now = datetime.now()

        def run(cur):
            cur.execute(
                """INSERT INTO app_user (user_name, display_name, role, province_adcode,
                               university_ids, password_hash, oidc_subject, created_at, updated_at)
                           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                [
                    record["user_name"],
                    record.get("display_name"),
                    record["role"],
                    record.get("province_adcode"),
                    record.get("university_ids"),
                    record.get("password_hash"),
                    record.get("oidc_subject"),
                    now,
                    now,
                ],
            )
            self._audit(
                cur,
                actor,
                "user_created",
                audit_detail(
                    record["user_name"],
                    {k: record.get(k) for k in ("role", "province_adcode", "university_ids")},
                ),
            )

        self._tx(run)

    def update_user(
        self,
        user_name: str,
        changes: dict,
        actor: str | None,
        action: str,
        before: dict | None = None,
    ) -> None:
        """Change some columns of one account and log it (hashes are never written to the log):
        the audit detail is JSON (``audit_detail``), with the values ``before`` when given."""
        allowed = {
            "display_name",
            "role",
            "province_adcode",
            "university_ids",
            "password_hash",
            "oidc_subject",
            "disabled",
            "failed_count",
            "locked_until",
        }
        bad = set(changes) - allowed
        if bad:
            raise ValueError(f"not changeable: {sorted(bad)}")
        cols = sorted(changes)
        sets = ", ".join(f"{c} = ?" for c in cols)

        def run(cur):
            cur.execute(
                f"UPDATE app_user SET {sets}, updated_at = ? WHERE user_name = ?",
                [changes[c] for c in cols] + [datetime.now(), user_name],
            )
            shown = {c: ("***" if c == "password_hash" else changes[c]) for c in cols}
            ended = None
            if changes.get("disabled") is True or "password_hash" in changes:
                # a disabled account, or one whose password was reset, is signed out of every
                # browser at the next click; enabling it again does not revive those sessions.
                # Said in the same audit row (one row per administrator's action).
                n = cur.execute(
                    """UPDATE app_session SET revoked = true
                                   WHERE user_name = ? AND NOT revoked""",
                    [user_name],
                ).fetchall()
                ended = int(n[0][0]) if n else 0
            self._audit(cur, actor, action, audit_detail(user_name, shown, before, ended))

        self._tx(run)

    def record_login(
        self, user_name: str, ok: bool, lock_after: int, lock_minutes: int, detail: str = ""
    ) -> dict:
        """Count a log-in attempt; lock the account after ``lock_after`` failures in a row."""
        now = datetime.now()

        def run(cur):
            row = cur.execute(
                "SELECT failed_count FROM app_user WHERE user_name = ?", [user_name]
            ).fetchall()
            if not row:
                self._audit(cur, user_name, "login_failed", f"unknown user {detail}".strip())
                return {"locked": False}
            if ok:
                cur.execute(
                    """UPDATE app_user SET failed_count = 0, locked_until = NULL,
                               last_login = ? WHERE user_name = ?""",
                    [now, user_name],
                )
                self._audit(cur, user_name, "login", detail)
                return {"locked": False}
            failed = int(row[0][0]) + 1
            locked_until = now + timedelta(minutes=lock_minutes) if failed >= lock_after else None
            cur.execute(
                "UPDATE app_user SET failed_count = ?, locked_until = ? WHERE user_name = ?",
                [0 if locked_until else failed, locked_until, user_name],
            )
            self._audit(cur, user_name, "login_failed", detail)
            if locked_until:
                self._audit(cur, user_name, "locked", f"until {locked_until:%Y-%m-%d %H:%M}")
            return {"locked": locked_until is not None}

        return self._tx(run)

    # ------------------------------------------------------------------ browser sessions
    SESSION_TOUCH_SECONDS = 60  # last_seen is written at most once a minute per session

    def create_session(self, user_name: str) -> str:
        """A new sign-in token for the browser's cookie; only its SHA-256 is stored."""
        token = secrets.token_urlsafe(32)
        now = datetime.now()
        self._tx(
            lambda cur: cur.execute(
                "INSERT INTO app_session VALUES (?, ?, ?, ?, false)",
                [_sha(token), user_name, now, now],
            )
        )
        return token

    def session_status(
        self, token: str, idle_minutes: int, now: datetime | None = None
    ) -> tuple[str | None, str]:
        """Is this sign-in token still good? ``(user_name, "ok")``, else ``(None, why)`` with
        why in unknown / disabled / revoked / expired. Asked on every script run of a signed-in
        browser tab: one indexed read; a write only when the session ends here or its
        ``last_seen`` is older than ``SESSION_TOUCH_SECONDS`` (never on a read-only file)."""
        now = now or datetime.now()
        key = _sha(token)
        row = self._sor_rows(
            """SELECT s.user_name, s.last_seen, s.revoked, u.disabled
                             FROM app_session s LEFT JOIN app_user u USING (user_name)
                             WHERE s.token_sha256 = ?""",
            [key],
        )
        if not row:
            return None, "unknown"
        user, last_seen, revoked, disabled = row[0]
        if disabled is None or disabled:
            if not revoked:
                self._end_session(key, user, "user_session_revoked", "account disabled or removed")
            return None, "disabled"
        if revoked:
            return None, "revoked"
        if now - last_seen > timedelta(minutes=idle_minutes):
            self._end_session(key, user, "session_timeout", "cookie")
            return None, "expired"
        if (now - last_seen).total_seconds() >= self.SESSION_TOUCH_SECONDS and self.accepts_writes:
            self._tx(
                lambda cur: cur.execute(
                    "UPDATE app_session SET last_seen = ? WHERE token_sha256 = ?", [now, key]
                )
            )
        return user, "ok"

    def _end_session(self, key: str, user: str, action: str, detail: str) -> None:
        if not self.accepts_writes:
            return

        def run(cur):
            cur.execute("UPDATE app_session SET revoked = true WHERE token_sha256 = ?", [key])
            self._audit(cur, user, action, detail)

        self._tx(run)

    def session_user(
        self, token: str, idle_minutes: int, now: datetime | None = None
    ) -> str | None:
        """The user of a live token (not revoked, account enabled, used within ``idle_minutes``)."""
        return self.session_status(token, idle_minutes, now)[0]

    def revoke_session(self, token: str) -> None:
        self._tx(
            lambda cur: cur.execute(
                "UPDATE app_session SET revoked = true WHERE token_sha256 = ?", [_sha(token)]
            )
        )

    def revoke_user_sessions(self, user_name: str) -> None:
        """End every browser session of one account (they stay ended)."""
        self._tx(
            lambda cur: cur.execute(
                "UPDATE app_session SET revoked = true WHERE user_name = ?", [user_name]
            )
        )

    def log_event(self, user_name: str | None, action: str, detail: str = "") -> None:
        self._tx(lambda cur: self._audit(cur, user_name, action, detail))


def audit_detail(
    user_name: str, changes: dict, before: dict | None = None, sessions_ended: int | None = None
) -> str:
    """The audit detail of an account's creation or change, as JSON the admin page reads back:
    ``{"user": …, "changes": {column: value}, "before": {…}, "sessions_ended": n}`` (plain
    numbers, lists and ``YYYY-MM-DD HH:MM`` dates; no Python reprs). Older rows were free text
    (``user {…} sessions_ended=n``); ``dashboard_lib.admin`` reads both."""
    out: dict = {"user": user_name, "changes": changes}
    if before is not None:
        out["before"] = before
    if sessions_ended is not None:
        out["sessions_ended"] = sessions_ended
    return json.dumps(out, ensure_ascii=False, default=_plain, sort_keys=True)


def _plain(value):
    """JSON for the values of an account row: numpy numbers and arrays, dates."""
    if isinstance(value, datetime):
        return f"{value:%Y-%m-%d %H:%M}"
    if hasattr(value, "tolist"):  # numpy scalars and arrays
        return value.tolist()
    return str(value)


def _sha(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _row(df: pd.DataFrame) -> dict:
    rec = df.iloc[0].to_dict()
    for k, v in list(rec.items()):
        if v is pd.NaT or (isinstance(v, float) and pd.isna(v)):
            rec[k] = None
    if rec.get("university_ids") is not None:
        rec["university_ids"] = [int(x) for x in rec["university_ids"]]
    if rec.get("province_adcode") is not None:
        rec["province_adcode"] = int(rec["province_adcode"])
    return rec
