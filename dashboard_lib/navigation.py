"""Which pages exist and which roles may open them. ``app.py`` builds ``st.navigation`` from
``pages_for(role)``, so a page a role may not open is not even routed for it."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .settings import REPO_ROOT
from .vocab import Role

ALL = frozenset(Role)
STAFF = frozenset({Role.MINISTRY, Role.PROVINCE, Role.UNIVERSITY})


@dataclass(frozen=True)
class PageSpec:
    file: str          # relative to the repository root
    title_key: str     # i18n key of the navigation title
    url_path: str
    roles: frozenset


PAGES: tuple[PageSpec, ...] = (
    PageSpec("pages/overview.py", "nav_overview", "overview", ALL),
    PageSpec("pages/explorer.py", "nav_explorer", "explorer", ALL),
    PageSpec("pages/progress.py", "nav_progress", "progress", ALL),
    PageSpec("pages/exchanges.py", "nav_exchanges", "exchanges", ALL),
    PageSpec("pages/internships.py", "nav_internships", "internships", ALL),
    PageSpec("pages/dossier.py", "nav_dossier", "dossier", ALL),
    PageSpec("pages/data_import.py", "nav_import", "import", STAFF),
    PageSpec("pages/data_entry.py", "nav_entry", "entry", STAFF),
    PageSpec("pages/presenter.py", "nav_presenter", "presenter", ALL),
    PageSpec("pages/admin.py", "nav_admin", "admin", frozenset({Role.MINISTRY})),
    PageSpec("pages/about.py", "nav_about", "about", ALL),
)


def pages_for(role: Role, root: Path = REPO_ROOT) -> list[PageSpec]:
    """The pages this role may open, in menu order (pages not yet written are left out)."""
    return [p for p in PAGES if role in p.roles and (root / p.file).exists()]
