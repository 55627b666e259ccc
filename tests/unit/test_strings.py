"""Every sentence lives in ``dashboard_lib/strings/``, and every key the code uses has a text.

Read from the AST of every file in ``dashboard_lib/`` and ``views/`` (no import of the pages):

(a) every key the code names — the literal first argument of ``t(``, ``tm(``, ``pair(`` and of
    the ``UserError`` classes' constructors, an error's parts ``(key, {values})``, and every
    ``*_key`` field, keyword or variable given a literal (``title_key=``, ``kpi_label_key=``,
    the positional fields of the dataclasses that carry keys, e.g. ``Metric``) — exists in
    ``i18n.STRINGS`` (``label_key``: ``i18n.LABELS``) with a Chinese and an English text, the
    English one free of Chinese (but for the few listed in ``EN_QUOTES_CHINESE``);
(b) no string literal with a Chinese character (or Chinese punctuation) outside ``strings/``,
    docstrings aside, but for the places in ``ALLOWED``, each with its reason: reference data
    in Chinese, not interface text;
(c) the placeholders ``{name}`` of the Chinese and the English text of a key are the same.
"""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

from conftest import ROOT

from dashboard_lib import i18n

CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")
KEY_FUNCS = {"t", "tm", "pair"}  # i18n's look-ups: the first argument is a STRINGS key
ERRORS = {  # dashboard_lib.errors.UserError and its subclasses: the first argument is a key
    "UserError",
    "StoreError",
    "BackupError",
    "IngestError",
    "AuthError",
    "GeoDataError",
    "BuildError",
    "ExportUnavailable",
}
KEY_SHAPE = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)+")  # how a strings key is spelled
LABEL_FIELDS = {"label_key"}  # keys of i18n.LABELS (a vocabulary value's name), not STRINGS

# Chinese in the code that is DATA, not interface text: path -> (reason, the literals allowed;
# None = the whole file). Every other literal with a Chinese character belongs in strings/.
PUNCT = frozenset({"、", "；", "：", "（", "）"})
ALLOWED: dict[str, tuple[str, frozenset[str] | None]] = {
    "dashboard_lib/geo.py": (
        "county-name suffixes and the 56 ethnic groups: how official county names are matched",
        None,
    ),
    "dashboard_lib/demo.py": (
        "the simulated data itself: school-name patterns, subjects, term names stored in rows",
        None,
    ),
    "dashboard_lib/demo_comparison.py": (
        "the simulated comparison schools' names (某县第二中学 …): Chinese numerals stored in rows",
        None,
    ),
    "dashboard_lib/ingest/columns.py": (
        "the header names and aliases a file may use, and the templates' Chinese example rows",
        None,
    ),
    "dashboard_lib/ingest/values.py": (
        "values a file may write: Chinese dates, units, indicator/mode/level names and aliases",
        None,
    ),
    "dashboard_lib/ingest/reference.py": (
        "the names a file may give the Corps (兵团 …) and Xinjiang",
        None,
    ),
    "dashboard_lib/ingest/checks.py": (
        "the canonical choices a file may write (线上、线下; 本科、硕士、博士), names joined by 、",
        frozenset({"线上、线下", "本科、硕士、博士", "、"}),
    ),
    "dashboard_lib/ingest/forms.py": ("Chinese names from the file or the database joined", PUNCT),
    "dashboard_lib/build.py": (
        "reference data: the Corps division 第一师, the note stored on its project row",
        frozenset({"第一师", "：以师部所在城市定位 / placed at the division's seat"}),
    ),
    "dashboard_lib/school_calendar.py": (
        "the Chinese term names (2023春 / 2023秋), the form the data and files use",
        frozenset({"春", "秋"}),
    ),
    "dashboard_lib/ui/filters.py": (
        "the language switch names Chinese in Chinese, whatever the page's language",
        frozenset({"中文"}),
    ),
    "dashboard_lib/explorer.py": (
        "the area code in a tooltip, （123456）, and counts in Chinese brackets after names",
        frozenset({"[（(](\\d{6})[）)]"}) | PUNCT,
    ),
    # Chinese punctuation between data values (names from the database), in both languages
    "dashboard_lib/overview.py": ("a count in brackets after Chinese county names", PUNCT),
    "dashboard_lib/maps/national.py": ("a count in brackets after Chinese names", PUNCT),
    "dashboard_lib/maps/cards.py": ("a label and its value on a project card", PUNCT),
    "dashboard_lib/present.py": ("a school and its reasons, a case and its note", PUNCT),
    "dashboard_lib/auth.py": ("the unknown university names, as written, joined", PUNCT),
    "dashboard_lib/ui/auth.py": ("province and university names joined", PUNCT),
    "dashboard_lib/deck_export.py": (
        "a slide's bullet and its value; 中 is the glyph a CJK character's width is measured on",
        PUNCT | {"中"},
    ),
    "views/overview.py": ("Chinese county names joined", PUNCT),
    "views/data_import.py": ("the file's own column headers joined", PUNCT),
}
# English texts that quote Chinese on purpose: key -> reason
EN_QUOTES_CHINESE = {
    "language": "the language switch is labelled in both languages",
    "ingest_r_bad_date": "a date the way a Chinese file may write it (2022年7月18日)",
    "deck_title_notice": "the notice's official number, 教基厅函〔2022〕13号",
    "about_body": "the notice's number and the published province counts (山西 5 …)",
}


# keys whose two texts name different values on purpose: key -> reason
PLACEHOLDERS_DIFFER = {
    "build_refuse_marker": "the command line prints both; the Chinese line names less",
}


def sources() -> list[Path]:
    files = sorted((ROOT / "dashboard_lib").rglob("*.py")) + sorted((ROOT / "views").glob("*.py"))
    return [p for p in files if "strings" not in p.relative_to(ROOT).parts[:2]]


def rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def _name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _literal(node: ast.expr | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _is_part(node: ast.Tuple) -> bool:
    """A (key, values) pair of an error's parts: a literal key and a dict of values."""
    return (
        len(node.elts) == 2
        and KEY_SHAPE.fullmatch(_literal(node.elts[0]) or "") is not None
        and (
            isinstance(node.elts[1], ast.Dict)
            or (isinstance(node.elts[1], ast.Call) and _name(node.elts[1].func) == "dict")
        )
    )


def dataclass_fields(trees: dict[str, ast.Module]) -> dict[str, list[str]]:
    """Every ``@dataclass`` of the code: its fields in order (positional arguments map to them)."""
    out: dict[str, list[str]] = {}
    for tree in trees.values():
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef) and any(
                "dataclass" in ast.unparse(d) for d in node.decorator_list
            ):
                out[node.name] = [
                    s.target.id
                    for s in node.body
                    if isinstance(s, ast.AnnAssign) and isinstance(s.target, ast.Name)
                ]
    return out


def used_keys(
    trees: dict[str, ast.Module], fields: dict[str, list[str]] | None = None
) -> set[tuple[str, str, int, str]]:
    """(table, key, line, file) of every key named by a literal: table 'S' STRINGS, 'L' LABELS."""
    fields = dataclass_fields(trees) if fields is None else fields
    out: set[tuple[str, str, int, str]] = set()
    for path, tree in trees.items():
        for node in ast.walk(tree):
            if isinstance(node, ast.Tuple) and _is_part(node):  # ("key", {values}): a Part
                out.add(("S", _literal(node.elts[0]) or "", node.lineno, path))
            if isinstance(node, ast.Assign):  # scope_key = "…", or a, b_key = x, "…"
                for target in node.targets:
                    pairs = (
                        zip(target.elts, node.value.elts)
                        if isinstance(target, ast.Tuple) and isinstance(node.value, ast.Tuple)
                        else [(target, node.value)]
                    )
                    for name_node, value in pairs:
                        key = _literal(value)
                        if isinstance(name_node, ast.Name) and name_node.id.endswith("_key"):
                            if key is not None:
                                out.add(("S", key, value.lineno, path))
            if not isinstance(node, ast.Call):
                continue
            name = _name(node.func)
            named: list[tuple[str, ast.expr]] = [(k.arg, k.value) for k in node.keywords if k.arg]
            if name in fields:
                named += list(zip(fields[name], node.args))
            if (name in KEY_FUNCS or name in ERRORS) and node.args:
                named.append(("key", node.args[0]))
            for arg, value in named:
                if arg != "key" and not arg.endswith("_key"):
                    continue
                if arg == "key" and not (name in KEY_FUNCS or name in ERRORS):
                    continue
                key = _literal(value)
                if key is not None:
                    out.add(("L" if arg in LABEL_FIELDS else "S", key, value.lineno, path))
    return out


def missing(keys: set[tuple[str, str, int, str]]) -> list[str]:
    bad = []
    for table, key, line, path in sorted(keys, key=lambda k: (k[3], k[2])):
        pair = (i18n.LABELS if table == "L" else i18n.STRINGS).get(key)
        if pair is None:
            bad.append(f"{path}:{line}: no text for {key!r}")
        elif not (pair[0].strip() and pair[1].strip()):
            bad.append(f"{path}:{line}: {key!r} lacks its Chinese or English text")
    return bad


def trees() -> dict[str, ast.Module]:
    return {rel(p): ast.parse(p.read_text(encoding="utf-8")) for p in sources()}


def docstrings(tree: ast.Module) -> set[int]:
    """ids of the docstring nodes (not shown: they document the code)."""
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and _literal(body[0].value) is not None:
                out.add(id(body[0].value))
    return out


def chinese_literals(path: str, tree: ast.Module) -> list[tuple[int, str]]:
    skip = docstrings(tree)
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and CJK.search(node.value)
        and id(node) not in skip
    ]


def placeholders(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f is not None}


# ---------------------------------------------------------------------------------- tests
def test_the_reader_catches_a_missing_key():
    """The check itself: a key without a text, in each of the forms the code names keys."""
    src = (
        "t('no_such_key_1', lang)\n"
        "i18n.tm('no_such_key_2', lang, n=1)\n"
        "raise StoreError('no_such_key_3', path=p)\n"
        "UserError('app_title', parts=[('no_such_key_4', {})])\n"
        "PageSpec('views/x.py', 'no_such_key_5', 'x', ALL)\n"
        "Metric('m', k, '*', 'COUNT', 'u', 'no_such_label', kpi_label_key='no_such_key_6')\n"
        "col, scope_key = 'x', 'no_such_key_7'\n"
        "problems.append(('no_such_key_8', {'n': 1}))\n"
        "t('app_title', lang)\n"
    )
    fields = {
        "PageSpec": ["file", "title_key"],
        "Metric": ["key", "kind", "m", "a", "unit", "label_key"],
    }
    bad = missing(used_keys({"x.py": ast.parse(src)}, fields))
    assert sorted(b.split(": ", 1)[1] for b in bad) == sorted(
        f"no text for {k!r}" for k in [f"no_such_key_{i}" for i in range(1, 9)] + ["no_such_label"]
    )


def test_every_key_the_code_uses_has_both_texts():
    keys = used_keys(trees())
    assert len({k for _, k, _, _ in keys}) > 300  # the reader found the code's keys
    assert missing(keys) == []


def test_english_texts_have_no_chinese():
    bad = [
        key
        for table in (i18n.STRINGS, i18n.LABELS)
        for key, (_, en) in table.items()
        if CJK.search(en) and key not in EN_QUOTES_CHINESE
    ]
    assert bad == []
    assert all(
        CJK.search(i18n.STRINGS.get(k, i18n.LABELS.get(k, ("", "")))[1]) for k in EN_QUOTES_CHINESE
    )


def test_no_chinese_outside_strings_but_reference_data():
    bad = []
    for path, tree in trees().items():
        reason, allowed = ALLOWED.get(path, ("", frozenset()))
        if allowed is None:
            continue
        bad += [
            f"{path}:{line}: {text[:60]!r}"
            for line, text in chinese_literals(path, tree)
            if text not in allowed
        ]
    assert bad == []


def test_the_allow_list_is_still_needed():
    """Each allowed place still holds Chinese (a stale entry would hide a new sentence)."""
    found = {path: chinese_literals(path, tree) for path, tree in trees().items()}
    for path, (reason, allowed) in ALLOWED.items():
        assert reason and found.get(path), path
        if allowed is not None:
            assert {text for _, text in found[path]} & allowed, path


def test_both_texts_of_a_key_have_the_same_placeholders():
    bad = [
        (key, placeholders(zh), placeholders(en))
        for key, (zh, en) in i18n.STRINGS.items()
        if placeholders(zh) != placeholders(en) and key not in PLACEHOLDERS_DIFFER
    ]
    assert bad == []
