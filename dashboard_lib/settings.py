"""Paths and switches, from the environment (and later .streamlit/secrets.toml)."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = REPO_ROOT / "data"
STATIC_DIR = REPO_ROOT / "static"


@dataclass(frozen=True)
class Settings:
    db_path: Path
    language: str          # "zh" (default) or "en"
    basemap: str           # "none" (default, offline) — a tile URL template otherwise
    demo_seed: int
    demo_projects: int


def load_settings(env: dict | None = None) -> Settings:
    env = os.environ if env is None else env
    return Settings(
        db_path=Path(env.get("XZ_DB_PATH", DATA_DIR / "dashboard.duckdb")),
        language=env.get("XZ_LANGUAGE", "zh") if env.get("XZ_LANGUAGE", "zh") in ("zh", "en") else "zh",
        basemap=env.get("XZ_BASEMAP", "none"),
        demo_seed=int(env.get("XZ_DEMO_SEED", "2022")),
        demo_projects=int(env.get("XZ_DEMO_PROJECTS", "115")),
    )
