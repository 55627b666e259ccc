"""Access as a matrix (datasette-style): every role × every page, opened directly by its path,
with and without a tampered URL. The expectation is the table ``MATRIX`` below, written by hand
(not derived from ``navigation``): the menu must offer exactly it, and the pages opened directly
must refuse exactly what it refuses. Allowed pages show only the viewer's own rows; refused pages
say so and show nothing; presenters get no row-level download anywhere."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import pytest
from conftest import AS_OF, ROOT
from streamlit.testing.v1 import AppTest

from dashboard_lib import auth, build, navigation
from dashboard_lib.scope import Viewer
from dashboard_lib.store import Store
from dashboard_lib.vocab import Role

PW = "correct-horse-42"
ACCOUNTS = {  # user -> (role, province, university names)
    "boss": ("ministry", None, None),
    "gansu": ("province", 620000, None),
    "corps": ("province", 660000, None),
    "lzu": ("university", None, ["兰州大学"]),
    "stage": ("presenter", None, None),
}
ROLES = [None, *ACCOUNTS]  # None: the open demo mode


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    path = tmp_path_factory.mktemp("matrix") / "m.duckdb"
    build.build_database(path, build.spec_for(115, None, 2022, AS_OF), progress=lambda _m: None)
    s = Store(path)
    unis = s.universities().set_index("name_zh")["university_id"]
    for user, (role, prov, names) in ACCOUNTS.items():
        auth.create_user(
            s,
            user,
            role,
            PW,
            province_adcode=prov,
            university_ids=[int(unis[n]) for n in names] if names else None,
        )
    everything = s.projects(Viewer.ministry())
    viewers = {None: Viewer.demo(), **{u: auth.viewer_for(s.user(u)) for u in ACCOUNTS}}
    s.close()
    return path, everything, viewers


@pytest.fixture(autouse=True)
def _env(world, monkeypatch):
    monkeypatch.setenv("XZ_DB_PATH", str(world[0]))


def open_page(file: str, user: str | None, query: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / file), default_timeout=120)
    if user:
        at.session_state["auth"] = {"user": user, "last": datetime.now()}
    for k, v in (query or {}).items():
        at.query_params[k] = v
    return at.run()


def foreign_schools(everything: pd.DataFrame, viewer: Viewer) -> set[str]:
    mine = everything
    if viewer.provinces is not None:
        mine = mine[mine["province_adcode"].isin(viewer.provinces)]
    if viewer.universities is not None:
        mine = mine[mine["university_id"].isin(viewer.universities)]
    return set(everything["school_zh"]) - set(mine["school_zh"])


def shown_text(at: AppTest) -> str:
    parts = [str(m.value) for m in at.markdown] + [str(c.value) for c in at.caption]
    for d in at.dataframe:
        frame = d.value
        if isinstance(frame, pd.DataFrame):
            parts.append(frame.astype(str).to_csv(index=False))
    return "\n".join(parts)


def download_buttons(at: AppTest) -> list:
    return [e for e in at.get("download_button")]


# Who may open what, written out: the menu (navigation.pages_for) and the pages themselves (opened
# directly by path) must both say exactly this. Columns: signed out with the demo mode off, the
# open demo mode (read-only), then one account per role (vocab.Role).
WHO = ("signed_out", "demo", "boss", "gansu", "corps", "lzu", "stage")
#                            signed demo   ministry province province univ.  presenter
#                            out    (r/o)  boss     gansu    corps    lzu    stage
MATRIX = {
    "views/overview.py":    (False, True,  True,    True,    True,    True,  True),
    "views/explorer.py":    (False, True,  True,    True,    True,    True,  True),
    "views/progress.py":    (False, True,  True,    True,    True,    True,  True),
    "views/scorecard.py":   (False, True,  True,    True,    True,    True,  True),
    "views/exchanges.py":   (False, True,  True,    True,    True,    True,  True),
    "views/internships.py": (False, True,  True,    True,    True,    True,  True),
    "views/dossier.py":     (False, True,  True,    True,    True,    True,  True),
    "views/data_import.py": (False, False, True,    True,    True,    True,  False),
    "views/data_entry.py":  (False, False, True,    True,    True,    True,  False),
    "views/reporting.py":   (False, False, True,    True,    True,    True,  False),
    "views/quality.py":     (False, False, True,    True,    True,    True,  False),
    "views/presenter.py":   (False, True,  True,    True,    True,    True,  True),
    "views/admin.py":       (False, False, True,    False,   False,   False, False),
    "views/about.py":       (False, True,  True,    True,    True,    True,  True),
    "views/login.py":       (True,  True,  False,   False,   False,   False, False),
}  # fmt: skip
LOGIN = "views/login.py"  # the sign-in form: offered to whoever is not signed in
PAGES = [f for f in MATRIX if f != LOGIN]


def may_open(who: str, file: str) -> bool:
    return MATRIX[file][WHO.index(who)]


def test_the_matrix_names_every_page_and_role():
    assert list(MATRIX) == [p.file for p in navigation.PAGES] + [navigation.LOGIN.file]
    assert {role for role, _, _ in ACCOUNTS.values()} == {r.value for r in Role}


@pytest.mark.parametrize("who", WHO)
def test_menu_offers_what_the_matrix_says(world, who):
    _, _, viewers = world
    viewer = None if who == "signed_out" else viewers[None if who == "demo" else who]
    offered = [p.file for p in navigation.pages_for(viewer)]
    assert offered == [f for f in MATRIX if may_open(who, f)]  # in menu order


@pytest.mark.parametrize("file", PAGES)
@pytest.mark.parametrize("who", WHO)
def test_every_role_on_every_page(world, who, file, monkeypatch):
    """Opened directly by its path, a page refuses whoever the matrix refuses, and shows the
    others only their own rows."""
    _, everything, viewers = world
    user = None if who in ("signed_out", "demo") else who
    if who == "signed_out":
        monkeypatch.setenv("XZ_DEMO_MODE", "0")
    at = open_page(
        file,
        user,
        {"project": str(int(everything["project_id"].iloc[0]))} if "dossier" in file else None,
    )
    assert not at.exception, at.exception
    if not may_open(who, file):
        refused = [e.value for e in at.error] + [w.value for w in at.warning]
        assert any("无权" in m or "只读" in m for m in refused), (who, file, refused)
        assert not at.dataframe and not at.metric
        return
    viewer = viewers[user]
    text = shown_text(at)
    leaked = {s for s in foreign_schools(everything, viewer) if s in text}
    assert not leaked, (who, file, sorted(leaked)[:5])
    if not viewer.can_download_rows:
        assert not download_buttons(at), (who, file)


@pytest.mark.parametrize("who", WHO)
def test_login_page_shows_no_data(who, monkeypatch):
    """The sign-in form is out of the menu once signed in, but opening it by path shows nothing
    anyway: no table, no figure."""
    if who == "signed_out":
        monkeypatch.setenv("XZ_DEMO_MODE", "0")
    at = open_page(LOGIN, None if who in ("signed_out", "demo") else who)
    assert not at.exception, at.exception
    assert not at.dataframe and not at.metric


@pytest.mark.parametrize(
    "file",
    [
        "views/overview.py",
        "views/progress.py",
        "views/exchanges.py",
        "views/internships.py",
        "views/explorer.py",
        "views/presenter.py",
    ],
)
@pytest.mark.parametrize(
    "user,other", [("gansu", "650000"), ("corps", "650000"), ("gansu", "660000")]
)
def test_province_in_url_of_another_province(world, user, other, file):
    _, everything, viewers = world
    at = open_page(file, user, {"province": other})
    assert not at.exception
    assert any("无权" in w.value for w in at.warning), file
    text = shown_text(at)
    theirs = set(everything.loc[everything["province_adcode"] == int(other), "school_zh"])
    assert not {s for s in theirs if s in text}


@pytest.mark.parametrize("user", ["gansu", "corps", "lzu"])
def test_dossier_of_a_project_outside_scope(world, user):
    _, everything, viewers = world
    viewer = viewers[user]
    outside = everything[
        ~everything["school_zh"].isin(
            set(everything["school_zh"]) - foreign_schools(everything, viewer)
        )
    ]
    target = outside.iloc[0]
    at = open_page("views/dossier.py", user, {"project": str(int(target["project_id"]))})
    assert not at.exception
    assert target["school_zh"] not in shown_text(at)
    assert at.warning or at.error or at.info
