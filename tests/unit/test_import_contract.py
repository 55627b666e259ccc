"""The import contract, read from every ``import`` in ``dashboard_lib`` (function-local ones too,
so a cycle cannot hide inside a function):

- only ``dashboard_lib.ui`` imports streamlit (pages stay testable without it);
- only ``dashboard_lib.store`` imports duckdb (every query goes through the one scoped layer);
- nothing imports upwards: the layers, top to bottom, are ``ui`` → the page logic (every other
  module) → ``store`` → the base (vocabulary, scope, settings, strings and texts).
"""

from __future__ import annotations

import ast
from pathlib import Path

from conftest import ROOT

LIB = ROOT / "dashboard_lib"
# the base: no module here imports anything of the layers above
BASE = {
    "dashboard_lib",
    "dashboard_lib.errors",
    "dashboard_lib.i18n",
    "dashboard_lib.scope",
    "dashboard_lib.settings",
    "dashboard_lib.strings",
    "dashboard_lib.textsafe",
    "dashboard_lib.vocab",
    "dashboard_lib.school_calendar",
    "dashboard_lib.metrics",
    "dashboard_lib.cache",
    "dashboard_lib.log",
}


def module_name(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports(path: Path) -> set[str]:
    """Every module ``path`` imports, relative imports resolved, ``from x import y`` giving
    ``x.y`` when ``x.y`` is a module of the library."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            out.add(mod)
            for a in node.names:
                sub = f"{mod}.{a.name}"
                if (ROOT / Path(*sub.split("."))).with_suffix(".py").exists() or (
                    ROOT / Path(*sub.split(".")) / "__init__.py"
                ).exists():
                    out.add(sub)
    return out


def layer(mod: str) -> int:
    """3 = ui, 2 = page logic, 1 = store, 0 = base."""
    if mod == "dashboard_lib.ui" or mod.startswith("dashboard_lib.ui."):
        return 3
    if mod == "dashboard_lib.store" or mod.startswith("dashboard_lib.store."):
        return 1
    if any(mod == b or mod.startswith(b + ".") for b in BASE if b != "dashboard_lib"):
        return 0
    if mod == "dashboard_lib":
        return 0
    return 2


def all_modules() -> dict[str, set[str]]:
    return {module_name(p): imports(p) for p in sorted(LIB.rglob("*.py"))}


def test_the_contract_sees_local_imports_and_relative_ones():
    """The reader itself: a function-local relative import counts (it is how cycles hide)."""
    got = all_modules()
    assert "dashboard_lib.scope" in got["dashboard_lib.store"] | set().union(
        *(v for k, v in got.items() if k.startswith("dashboard_lib.store."))
    )
    assert layer("dashboard_lib.ui.filters") == 3 and layer("dashboard_lib.store.core") == 1
    assert layer("dashboard_lib.vocab") == 0 and layer("dashboard_lib.overview") == 2


def test_only_ui_imports_streamlit():
    bad = sorted(
        (mod, imp)
        for mod, imps in all_modules().items()
        for imp in imps
        if (imp == "streamlit" or imp.startswith("streamlit.")) and layer(mod) != 3
    )
    assert bad == []


def test_only_store_imports_duckdb():
    bad = sorted(
        (mod, imp)
        for mod, imps in all_modules().items()
        for imp in imps
        if imp.split(".")[0] == "duckdb" and layer(mod) != 1
    )
    assert bad == []


def test_nothing_imports_upwards():
    bad = sorted(
        (mod, imp)
        for mod, imps in all_modules().items()
        for imp in imps
        if imp.startswith("dashboard_lib") and layer(imp) > layer(mod)
    )
    assert bad == []
