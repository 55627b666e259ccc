"""Paths and switches, from the environment (and later .streamlit/secrets.toml)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = REPO_ROOT / "data"
STATIC_DIR = REPO_ROOT / "static"


@dataclass(frozen=True)
class Settings:
    db_path: Path
    language: str  # "zh" (default) or "en"
    basemap: str  # "none" (default, offline) — a tile URL template otherwise
    demo_seed: int
    demo_projects: int
    demo_mode: bool  # anonymous visitors get the open, read-only demo viewer
    auth_mode: str  # "local" (accounts in the database) or "oidc" (st.login)
    oidc_provider: str  # the [auth.<provider>] section of .streamlit/secrets.toml, "" = default
    session_minutes: int  # idle time before a signed-in session ends
    lock_after: int  # failed log-ins in a row that lock an account
    lock_minutes: int
    db_readonly: bool = False  # a replica behind a load balancer: open the published snapshot
    # read-only and follow it when the import job replaces it
    backup_dir: Path | None = (
        None  # XZ_BACKUP_DIR; None: backup_dir_for(db_path) = <db folder>/backups
    )
    backup_hours: float = 24.0  # XZ_BACKUP_HOURS: the running server's backup interval (0: none)
    backup_keep: int = 14  # XZ_BACKUP_KEEP: regular backups kept per database (newest first)
    # XZ_DATABASE_URL=postgresql://…: PostgreSQL is the system of record for every write (issue
    # 15); this process then reads the DuckDB snapshot that ``pgsync job`` publishes at db_path
    database_url: str | None = None


def backup_dir_for(db_path: Path | str, env: Mapping[str, str] | None = None) -> Path:
    """Where the backups of ``db_path`` go: ``XZ_BACKUP_DIR``, else ``backups/`` beside the
    database (``data/backups/`` for the default ``data/dashboard.duckdb``)."""
    env = os.environ if env is None else env
    if env.get("XZ_BACKUP_DIR"):
        return Path(env["XZ_BACKUP_DIR"])
    return Path(db_path).parent / "backups"


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    env = os.environ if env is None else env
    db_path = Path(env.get("XZ_DB_PATH", DATA_DIR / "dashboard.duckdb"))
    return Settings(
        db_path=db_path,
        language=env.get("XZ_LANGUAGE", "zh")
        if env.get("XZ_LANGUAGE", "zh") in ("zh", "en")
        else "zh",
        basemap=env.get("XZ_BASEMAP", "none"),
        demo_seed=int(env.get("XZ_DEMO_SEED", "2022")),
        demo_projects=int(env.get("XZ_DEMO_PROJECTS", "115")),
        demo_mode=env.get("XZ_DEMO_MODE", "1").lower() not in ("0", "false", "no", "off"),
        auth_mode="oidc" if env.get("XZ_AUTH", "local").lower() == "oidc" else "local",
        oidc_provider=env.get("XZ_OIDC_PROVIDER", ""),
        session_minutes=int(env.get("XZ_SESSION_MINUTES", "30")),
        lock_after=int(env.get("XZ_LOCK_AFTER", "5")),
        lock_minutes=int(env.get("XZ_LOCK_MINUTES", "15")),
        # with PostgreSQL behind it, the DuckDB file is always the published read-only snapshot
        db_readonly=env.get("XZ_DB_READONLY", "0").lower() in ("1", "true", "yes", "on")
        or bool(env.get("XZ_DATABASE_URL")),
        backup_dir=backup_dir_for(db_path, env),
        backup_hours=float(env.get("XZ_BACKUP_HOURS", "24")),
        backup_keep=max(1, int(env.get("XZ_BACKUP_KEEP", "14"))),
        database_url=env.get("XZ_DATABASE_URL") or None,
    )
