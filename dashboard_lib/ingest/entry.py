"""The entry page's logic (``views/data_entry.py``): the form's required fields and choices, the
refusal of an incomplete form in sentences that name the field, and the correction grid — its
columns headed and its values named in the user's language (kinds, modes, levels, provenance as
their labels, never database names), mapped back to the stored codes when saved, with what was
changed and a sentence per refused cell.

The grid's values are checked and written through the existing correction path
(``forms.corrections`` → ``Store.update_activity``, both with the viewer's scope); this module
only translates the table and tells the result. No Streamlit, no SQL.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

import pandas as pd

from ..i18n import label, t, tm
from ..scope import Viewer
from ..vocab import EDITABLE_ACTIVITY_FIELDS, LEVEL_LABEL_KEYS, MODE_LABEL_KEYS, RecordKind
from .checks import Problem
from .columns import FIELDS, KIND_FIELDS, field_label
from .forms import corrections, kind_label
from .values import INDICATOR_NAMES

DATE_FIELDS = ("start_date", "end_date")
INTEGER_FIELDS = ("people", "participants", "school_year")
NUMBER_FIELDS = ("people", "participants", "hours", "person_months", "value", "school_year")


# ---------------------------------------------------------------------------- the form
def required_fields(kind) -> tuple[str, ...]:
    """The fields the entry form refuses to save empty (the project is asked for apart). A
    file's dispatch row without a head count counts one person; a form is asked for it."""
    kind = RecordKind(kind)
    req = [f for f in KIND_FIELDS[kind][0] if f != "school"]
    if kind is RecordKind.DISPATCH:
        req.append("people")
    return tuple(req)


def form_label(f: str, kind, lang: str = "zh") -> str:
    """A form field's label, marked when it is required."""
    name = field_label(f, lang)
    return t("entry_required_label", lang, name=name) if f in required_fields(kind) else name


def choice_options(f: str, lang: str = "zh") -> dict[str, str]:
    """A choice field's options: stored value -> its name in ``lang``, the product's one
    vocabulary (现场 / 线上, 本科生 / 硕士生 / 博士生). No blank option: an untouched select is
    empty (``index=None``), never the first option."""
    if f == "mode":
        return {v: t(k, lang) for v, k in MODE_LABEL_KEYS.items()}
    if f == "level":
        return {v: t(k, lang) for v, k in LEVEL_LABEL_KEYS.items()}
    if f == "indicator":
        return {v: t(f"entry_opt_{v}", lang) for v in INDICATOR_NAMES}
    raise KeyError(f)


CHOICE_FIELDS = ("mode", "level", "indicator")


def _empty(v) -> bool:
    if v is None or v is pd.NaT:
        return True
    if isinstance(v, str):
        return not v.strip()
    if isinstance(v, (date, datetime)):
        return False
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def missing(kind, pid: int | None, values: Mapping[str, object]) -> list[Problem]:
    """What an entry lacks before it is checked at all: the project, and every required field
    left empty (a date is chosen, never defaulted). Row 1: the form is one row."""
    out = []
    if pid is None:
        out.append(Problem(1, "school", "", "entry_r_pick_project"))
    out += [
        Problem(1, f, "", "ingest_r_missing")
        for f in required_fields(kind)
        if _empty(values.get(f))
    ]
    return out


def form_refusal(problems: list[Problem], lang: str = "zh") -> list[str]:
    """One sentence per problem of a form entry, naming the field (Markdown-safe)."""
    out = []
    for p in problems:
        name = field_label(p.column, lang) if p.column in FIELDS else ""
        if p.reason == "entry_r_pick_project":
            out.append(tm("entry_pick_project_first", lang))
        elif p.reason == "ingest_r_missing":
            out.append(tm("entry_missing_field", lang, field=name))
        else:
            reason = t(p.reason, lang, detail=p.detail or "—")
            out.append(
                tm("entry_bad_field", lang, field=name, reason=reason)
                if name
                else tm("entry_bad_entry", lang, reason=reason)
            )
    return out


def saved_text(
    kind, project: str, values: Mapping[str, object], batch: int, lang: str = "zh"
) -> str:
    """What a saved entry recorded (Markdown-safe: names from the database stay text)."""
    kind = RecordKind(kind)
    if kind is RecordKind.OUTCOME:
        ind = values.get("indicator")
        return tm(
            "entry_saved_outcome",
            lang,
            school=project,
            year=int(values["school_year"]),  # type: ignore[call-overload]
            indicator=choice_options("indicator", lang).get(str(ind), str(ind)),
            batch=batch,
        )
    start = _to_date(values.get("start_date"))
    return tm(
        "entry_saved_row",
        lang,
        kind=kind_label(kind, lang),
        school=project,
        start=start.isoformat() if start else "—",
        batch=batch,
    )


# ---------------------------------------------------------------------------- the grid
@dataclass(frozen=True)
class GridColumn:
    """One column of the correction grid, for the page to turn into a ``st.column_config``."""

    field: str  # canonical name (``activity_id``, ``provenance``, ``school``, ``kind`` or a field)
    title: str  # the header in the user's language (also the frame's column name)
    type: str  # text | date | number | select
    editable: bool
    options: tuple[str, ...] = ()  # select: the labels offered
    integer: bool = False
    required: bool = False  # the grid refuses to leave it empty (the check refuses it too)


_FIXED = ("activity_id", "provenance", "school", "kind")
GRID_FIELDS = (*_FIXED, *EDITABLE_ACTIVITY_FIELDS)


def _title(f: str, lang: str) -> str:
    fixed = {
        "activity_id": "entry_col_id",
        "provenance": "entry_col_source",
        "kind": "entry_col_kind",
    }
    return t(fixed[f], lang) if f in fixed else field_label(f, lang)


def grid_columns(lang: str = "zh") -> list[GridColumn]:
    cols = []
    for f in GRID_FIELDS:
        title = _title(f, lang)
        if f in _FIXED:
            typ = "number" if f == "activity_id" else "text"
            cols.append(GridColumn(f, title, typ, False, integer=f == "activity_id"))
        elif f in DATE_FIELDS:
            cols.append(GridColumn(f, title, "date", True, required=f == "start_date"))
        elif f in NUMBER_FIELDS:
            cols.append(GridColumn(f, title, "number", True, integer=f in INTEGER_FIELDS))
        elif f in ("mode", "level"):
            cols.append(
                GridColumn(f, title, "select", True, tuple(choice_options(f, lang).values()))
            )
        else:
            cols.append(GridColumn(f, title, "text", True))
    return cols


def _to_date(v) -> date | None:
    if _empty(v):
        return None
    if isinstance(v, datetime):
        return v.date()
    if isinstance(v, date):
        return v
    try:
        return pd.Timestamp(v).date()
    except (TypeError, ValueError):
        return None


def grid_frame(editable: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """``Store.editable_activities`` as the grid shows it: headers and named values in ``lang``,
    one row per record, indexed by the record's id (the index is hidden; the id column is
    read-only)."""
    mode_names = choice_options("mode", lang)
    level_names = choice_options("level", lang)
    data: dict[str, list] = {}
    for c in grid_columns(lang):
        f = c.field
        if f == "school":
            vals = list(editable["school_zh"])
        elif f == "kind":
            vals = [kind_label(k, lang) for k in editable["kind"]]
        elif f == "provenance":
            vals = [label(str(p), lang) for p in editable["provenance"]]
        elif f == "activity_id":
            vals = [int(x) for x in editable["activity_id"]]
        elif f in DATE_FIELDS:
            vals = [_to_date(v) for v in editable[f]]
        elif f == "mode":
            vals = [None if _empty(v) else mode_names.get(str(v), str(v)) for v in editable[f]]
        elif f == "level":
            vals = [None if _empty(v) else level_names.get(str(v), str(v)) for v in editable[f]]
        elif f in NUMBER_FIELDS:
            vals = [None if _empty(v) else float(v) for v in editable[f]]
        else:
            vals = [None if _empty(v) else str(v) for v in editable[f]]
        data[c.title] = vals
    frame = pd.DataFrame(data, index=pd.Index([int(x) for x in editable["activity_id"]]))
    for c in grid_columns(lang):
        if c.type == "number" and c.field != "activity_id":
            frame[c.title] = pd.to_numeric(frame[c.title], errors="coerce").astype("float64")
    return frame


def _canonical(frame: pd.DataFrame, editable: pd.DataFrame, lang: str) -> pd.DataFrame:
    """A grid frame back in the stored vocabulary, in the shape ``forms.corrections`` reads
    (``activity_id``, ``school_zh``, ``kind`` and the editable fields). The id, school and kind
    come from the store's own rows (``editable``), never from the grid."""
    by_title = {c.title: c.field for c in grid_columns(lang)}
    named = frame.rename(columns=by_title)
    back = {
        "mode": {v: k for k, v in choice_options("mode", lang).items()},
        "level": {v: k for k, v in choice_options("level", lang).items()},
    }
    own = editable.set_index(editable["activity_id"].astype(int))
    out = pd.DataFrame(
        {
            "activity_id": list(named.index.astype(int)),
            "school_zh": [own.at[i, "school_zh"] if i in own.index else "" for i in named.index],
            "kind": [own.at[i, "kind"] if i in own.index else "" for i in named.index],
        }
    )
    for f in EDITABLE_ACTIVITY_FIELDS:
        col = list(named[f]) if f in named else [None] * len(named)
        if f in back:
            col = [None if _empty(v) else back[f].get(str(v), str(v)) for v in col]
        elif f in DATE_FIELDS:
            col = [_to_date(v) for v in col]
        out[f] = col
    return out


def _same(a, b) -> bool:
    if _empty(a) and _empty(b):
        return True
    if _empty(a) or _empty(b):
        return False
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return float(a) == float(b)
    return str(a).strip() == str(b).strip()


def grid_edited(before: pd.DataFrame, after: pd.DataFrame) -> bool:
    """Whether any cell of the grid differs from what it was given (values, not dtypes)."""
    a = after.reindex(index=before.index, columns=before.columns)
    return any(
        not _same(x, y)
        for c in before.columns
        for x, y in zip(before[c].tolist(), a[c].tolist(), strict=True)
    )


@dataclass
class GridResult:
    """What saving the grid would do: the checked values per record, the fields each changes
    (canonical names), and the refused cells (row = the row's place in the grid, 1-based)."""

    changes: list[tuple[int, dict]] = field(default_factory=list)
    changed_fields: dict[int, list[str]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    row_ids: dict[int, int] = field(default_factory=dict)  # grid row -> record id


def grid_corrections(
    store,
    viewer: Viewer,
    editable: pd.DataFrame,
    before: pd.DataFrame,
    after: pd.DataFrame,
    lang: str = "zh",
    today: date | None = None,
) -> GridResult:
    """The edited grid checked: only changed rows; a field the record's kind does not have may
    not be given; everything else is checked by ``forms.corrections`` (the import's rules, the
    viewer's scope) and a row with any problem is refused whole."""
    b = _canonical(before, editable, lang)
    a = _canonical(after.reindex(before.index), editable, lang)
    res = GridResult(row_ids={i + 1: int(x) for i, x in enumerate(b["activity_id"])})
    checked = a.copy()
    for i in range(len(b)):
        kind = str(b.at[i, "kind"])
        diff = [f for f in EDITABLE_ACTIVITY_FIELDS if not _same(b.at[i, f], a.at[i, f])]
        if not diff:
            continue
        if kind in RecordKind._value2member_map_:
            req, opt = KIND_FIELDS[RecordKind(kind)]
            foreign = [f for f in diff if f not in req and f not in opt]
        else:
            foreign = []
        if foreign:
            res.problems += [
                Problem(i + 1, f, str(a.at[i, f]), "entry_r_not_for_kind", kind) for f in foreign
            ]
            checked.loc[i] = b.loc[i]  # refused whole: not passed on
            continue
        res.changed_fields[int(b.at[i, "activity_id"])] = diff
    changes, problems = corrections(store, viewer, b, checked, today=today)
    res.changes = changes
    res.problems += problems
    ok = {aid for aid, _ in changes}
    res.changed_fields = {k: v for k, v in res.changed_fields.items() if k in ok}
    res.problems.sort(key=lambda p: p.row)
    return res


def grid_problem_sentences(res: GridResult, lang: str = "zh") -> list[str]:
    """One sentence per refused cell: row, record, column and what is wrong (Markdown-safe)."""
    out = []
    for p in res.problems:
        rid = res.row_ids.get(p.row, "—")
        if p.reason == "entry_r_not_for_kind":
            reason = t(p.reason, lang, kind=kind_label(p.detail, lang))
        else:
            reason = t(p.reason, lang, detail=p.detail or "—")
        if p.column in FIELDS:
            out.append(
                tm(
                    "entry_grid_bad_cell",
                    lang,
                    row=p.row,
                    id=rid,
                    column=field_label(p.column, lang),
                    reason=reason,
                )
            )
        else:
            out.append(tm("entry_grid_bad_row", lang, row=p.row, id=rid, reason=reason))
    return out


def grid_saved_text(res: GridResult, done: list[int], lang: str = "zh") -> str:
    """What was saved: n records, and for each its row and the fields changed (Markdown-safe)."""
    row_of = {rid: row for row, rid in res.row_ids.items()}
    sep, fsep = t("entry_sep_rows", lang), t("entry_sep_fields", lang)
    parts = [
        t(
            "entry_grid_row_fields",
            lang,
            row=row_of.get(rid, "—"),
            id=rid,
            fields=fsep.join(field_label(f, lang) for f in res.changed_fields.get(rid, [])),
        )
        for rid in done
    ]
    return tm("entry_grid_saved", lang, n=len(done), detail=sep.join(parts))
