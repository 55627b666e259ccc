"""Which pages exist and which roles may open them.

``app.py`` builds ``st.navigation`` from ``routes(viewer)``: every page's address is always
routed (so an address opened after a time-out, or a bookmark of a page of another role, never
meets Streamlit's English "Page not found"), but only the pages of ``pages_for(viewer)`` are in
the menu and run their file; every other address runs a stand-in that shows one sentence and no
data."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .scope import Viewer
from .settings import REPO_ROOT
from .vocab import Role

ALL = frozenset(Role)
STAFF = frozenset({Role.MINISTRY, Role.PROVINCE, Role.UNIVERSITY})


@dataclass(frozen=True)
class PageSpec:
    file: str  # relative to the repository root
    title_key: str  # i18n key of the navigation title
    url_path: str
    roles: frozenset
    writes: bool = False  # changes data: never offered to a read-only viewer (the demo mode)


PAGES: tuple[PageSpec, ...] = (
    PageSpec("views/overview.py", "nav_overview", "overview", ALL),
    PageSpec("views/explorer.py", "nav_explorer", "explorer", ALL),
    PageSpec("views/progress.py", "nav_progress", "progress", ALL),
    PageSpec("views/scorecard.py", "nav_scorecard", "scorecard", ALL),
    PageSpec("views/exchanges.py", "nav_exchanges", "exchanges", ALL),
    PageSpec("views/internships.py", "nav_internships", "internships", ALL),
    PageSpec("views/dossier.py", "nav_dossier", "dossier", ALL),
    PageSpec("views/data_import.py", "nav_import", "import", STAFF, writes=True),
    PageSpec("views/data_entry.py", "nav_entry", "entry", STAFF, writes=True),
    PageSpec("views/reporting.py", "nav_reporting", "reporting", STAFF, writes=True),
    PageSpec("views/quality.py", "nav_quality", "quality", STAFF, writes=True),
    PageSpec("views/presenter.py", "nav_presenter", "presenter", ALL),
    PageSpec("views/admin.py", "nav_admin", "admin", frozenset({Role.MINISTRY}), writes=True),
    PageSpec("views/about.py", "nav_about", "about", ALL),
)


LOGIN = PageSpec("views/login.py", "nav_login", "login", ALL)


def pages_for(viewer: Viewer | None, root: Path = REPO_ROOT) -> list[PageSpec]:
    """The pages this viewer may open, in menu order (pages not yet written are left out).

    No viewer (signed out, demo mode off): only the log-in page. The demo viewer also gets the
    log-in page, at the end."""
    if viewer is None:
        return [LOGIN]
    pages = [
        p
        for p in PAGES
        if viewer.role in p.roles
        and not (p.writes and viewer.read_only)
        and (root / p.file).exists()
    ]
    return pages + [LOGIN] if viewer.read_only else pages


@dataclass(frozen=True)
class Route:
    """One address of ``st.navigation``: ``opens`` says whether the page's own file runs or the
    stand-in that says why the page cannot be opened; ``in_menu`` whether the menu lists it."""

    spec: PageSpec
    opens: bool
    in_menu: bool
    address: str = (
        ""  # the URL path; the default page's is DEFAULT_ADDRESS (Streamlit serves it at /)
    )
    twin: bool = False  # the default page's own address: it leads to ``/`` (see DEFAULT_ADDRESS)

    @property
    def default(self) -> bool:
        return self.address == DEFAULT_ADDRESS


# Streamlit serves the default page at ``/`` only, so its own address typed in (``/overview``)
# met the not-found dialog. The default page therefore takes this inner name (never shown: the
# default page's address is ``/``), and its real address is routed again, hidden from the menu,
# as a twin that goes on to ``/`` with the same query: run as a page of its own, the menu had no
# entry to highlight (issue 13).
DEFAULT_ADDRESS = "_home"


def routes(viewer: Viewer | None, root: Path = REPO_ROOT) -> list[Route]:
    """Every page's address, the viewer's own pages first in menu order (the first of them is the
    default page, served at ``/``; its own address follows, hidden), then every other page that
    exists, as a stand-in. The log-in page always runs
    its own file (signing in is open to anyone), in the menu only where ``pages_for`` puts it."""
    own = pages_for(viewer, root)
    out = [
        Route(p, True, True, DEFAULT_ADDRESS if i == 0 else p.url_path) for i, p in enumerate(own)
    ]
    out.append(Route(own[0], True, False, own[0].url_path, twin=True))
    for p in (*PAGES, LOGIN):
        if p not in own and (root / p.file).exists():
            out.append(Route(p, p is LOGIN, False, p.url_path))
    return out


def may_open(viewer: Viewer | None, file: str) -> bool:
    """Whether ``viewer`` may open the page at ``file`` (pages check it again themselves)."""
    return any(p.file == file for p in pages_for(viewer))
