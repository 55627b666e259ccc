"""What the import and entry pages show: the record kinds and their names, the templates to
download, the entry form's fields and option lists (labels in the user's language, values the
same canonical ones in both), the project list, the tables of accepted and rejected rows and of the
import history, refusals as one sentence, and the entry page's one-row checks and corrections.

No Streamlit here: the pages in ``views/`` render what these functions return.
"""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd

from ..errors import lang_values
from ..i18n import label, t, tm
from ..scope import Viewer
from ..store.comparison import may_import_comparison
from ..vocab import EDITABLE_ACTIVITY_FIELDS
from .checks import Preview, Problem, validate
from .columns import FIELDS, RecordKind, field_label, template_columns
from .read import IngestError, RawTable
from .reference import Reference, load_reference
from .values import INDICATOR_NAMES, LEVEL_NAMES, MODE_NAMES


def problems_frame(preview_or_problems, lang: str = "zh") -> pd.DataFrame:
    """Rejected rows as a table in the user's language: row, column, value, reason."""
    problems = getattr(preview_or_problems, "problems", preview_or_problems)
    kind = getattr(preview_or_problems, "kind", None)
    rows = []
    for p in problems:
        col = field_label(p.column, lang, kind) if p.column in FIELDS else ""
        rows.append(
            {
                t("ingest_col_row", lang): p.row,
                t("ingest_col_column", lang): col,
                t("ingest_col_value", lang): p.value,
                t("ingest_col_reason", lang): t(p.reason, lang, detail=p.detail or "—"),
            }
        )
    return pd.DataFrame(
        rows,
        columns=[
            t(k, lang)
            for k in (
                "ingest_col_row",
                "ingest_col_column",
                "ingest_col_value",
                "ingest_col_reason",
            )
        ],
    )


def error_text(exc: IngestError, lang: str = "zh", markdown: bool = False) -> str:
    """The refusal as one sentence; a value ``x_en`` replaces ``x`` in English. ``markdown``:
    for st.error and the like, values from the file shown as literal text."""
    return (tm if markdown else t)(exc.key, lang, **lang_values(exc.values, lang))


# ---------------------------------------------------------------------------- page tables
def kind_label(kind, lang: str = "zh") -> str:
    kind = RecordKind(kind)
    if kind in (RecordKind.PROJECT, RecordKind.OUTCOME, RecordKind.COMPARISON):
        return t(f"ingest_kind_{kind.value}", lang)
    return label(kind.value, lang)


def one_row(rec: dict) -> RawTable:
    """A form's values as a one-row table (row number 1) for ``validate``."""
    vals = {
        k: ("" if v is None else (v.isoformat() if isinstance(v, date) else str(v)))
        for k, v in rec.items()
        if k in FIELDS
    }
    return RawTable(pd.DataFrame([vals]), [1], 0)


def history_frame(history: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    if history.empty:
        return pd.DataFrame()
    return pd.DataFrame(
        {
            t("ingest_h_batch", lang): history["import_batch_id"],
            t("ingest_h_when", lang): pd.to_datetime(history["created_at"]).dt.strftime(
                "%Y-%m-%d %H:%M"
            ),
            t("ingest_h_user", lang): history["user_name"],
            t("ingest_h_kind", lang): [
                kind_label(k, lang) if k in RecordKind._value2member_map_ else k
                for k in history["record_kind"]
            ],
            t("ingest_h_file", lang): history["file_name"].fillna(t("ingest_form_entry", lang)),
            t("ingest_h_hash", lang): history["file_sha256"].fillna("").str[:16],
            t("ingest_h_ok", lang): history["rows_accepted"],
            t("ingest_h_bad", lang): history["rows_rejected"],
            t("ingest_h_undone", lang): pd.to_datetime(history["undone_at"])
            .dt.strftime("%Y-%m-%d %H:%M")
            .fillna(""),
        }
    )


def _batch_facts(history: pd.DataFrame, batch: int, lang: str) -> dict:
    """One batch of ``history`` (``Store.import_history``) as the values its texts show."""
    r = history[history["import_batch_id"] == int(batch)].iloc[0]
    kind = r["record_kind"]
    file_name = r["file_name"]
    return {
        "batch": int(batch),
        "file": file_name
        if isinstance(file_name, str) and file_name
        else t("ingest_form_entry", lang),
        "when": pd.Timestamp(r["created_at"]).strftime("%Y-%m-%d %H:%M"),
        "kind": kind_label(kind, lang) if kind in RecordKind._value2member_map_ else str(kind),
        "n": int(r["rows_accepted"]),
        "user": str(r["user_name"] or ""),
        "is_project": kind == RecordKind.PROJECT.value,
    }


def undo_options(history: pd.DataFrame, lang: str = "zh") -> dict[int, str]:
    """The batches that can still be undone, by id: what each holds (file, date, kind, rows)."""
    live = history[history["undone_at"].isna()]
    out = {}
    for b in live["import_batch_id"]:
        f = _batch_facts(history, int(b), lang)
        out[int(b)] = t("ingest_undo_option", lang, **{k: f[k] for k in _OPTION_KEYS})
    return out


_OPTION_KEYS = ("batch", "file", "when", "kind", "n")


def undo_details(history: pd.DataFrame, batch: int, lang: str = "zh") -> str:
    """What undoing ``batch`` does, for the confirm step (Markdown-safe: st.info/st.warning)."""
    f = _batch_facts(history, batch, lang)
    text = tm("ingest_undo_holds", lang, **{k: f[k] for k in (*_OPTION_KEYS, "user")})
    if f["is_project"]:
        text += " " + t("ingest_undo_holds_project", lang)
    return text


def undo_confirm_label(history: pd.DataFrame, batch: int, lang: str = "zh") -> str:
    f = _batch_facts(history, batch, lang)
    return tm("ingest_undo_confirm", lang, batch=f["batch"], n=f["n"])


def undone_text(history: pd.DataFrame, batch: int, lang: str = "zh") -> str:
    """The result of undoing ``batch`` (``history`` read before the undo), Markdown-safe."""
    f = _batch_facts(history, batch, lang)
    key = "ingest_undone_project" if f["is_project"] else "ingest_undone"
    return tm(key, lang, **{k: f[k] for k in _OPTION_KEYS})


def accepted_frame(preview: Preview, lang: str = "zh") -> pd.DataFrame:
    """The first accepted rows as the user wrote them, headed in the user's language, with the
    file row number first and, for projects, the simulated project each one replaces."""
    if not preview.shown:
        return pd.DataFrame()
    df = pd.DataFrame(preview.shown)
    cols = [c for c in df.columns if c in FIELDS and c != "seq"]
    out = pd.DataFrame({t("ingest_col_row", lang): df["row"]})
    for c in cols:
        out[field_label(c, lang, preview.kind)] = df[c]
    if preview.kind is RecordKind.PROJECT:
        out[t("ingest_col_replaces", lang)] = [
            ("#" + str(int(x))) if x is not None and x == x else "" for x in df["_replaces"]
        ]
    return out


def reasons_text(problems: list[Problem], lang: str = "zh") -> str:
    frame = problems_frame(problems, lang)
    return (
        "；".join(
            f"{r.iloc[1]} {r.iloc[3]}" if r.iloc[1] else str(r.iloc[3]) for _, r in frame.iterrows()
        )
        if lang == "zh"
        else "; ".join(
            f"{r.iloc[1]}: {r.iloc[3]}" if r.iloc[1] else str(r.iloc[3])
            for _, r in frame.iterrows()
        )
    )


def correction_values(
    kind: str, row: dict, school: str, ref: Reference, viewer: Viewer
) -> tuple[dict | None, list[Problem]]:
    """Validate an edited activity row (from the entry page's table); the values to store or problems."""
    rec = {k: row.get(k) for k in EDITABLE_ACTIVITY_FIELDS}
    for k in ("start_date", "end_date"):
        v = rec.get(k)
        if v is pd.NaT:
            rec[k] = None
        elif v is not None and not isinstance(v, str) and not pd.isna(v):
            rec[k] = pd.Timestamp(v).date()
    for k, v in list(rec.items()):
        if v is None or (not isinstance(v, (str, date)) and pd.isna(v)):
            rec[k] = ""
        elif isinstance(v, float) and k in ("people", "participants") and v.is_integer():
            rec[k] = int(v)
    rec["school"] = school
    pv = validate(
        kind,
        one_row(rec),
        Reference(ref.provinces, ref.counties, ref.universities, ref.projects, set(), ref.today),
        viewer,
    )
    if pv.problems:
        return None, pv.problems
    out = pv.accepted.iloc[0].to_dict()
    vals = {k: out.get(k) for k in EDITABLE_ACTIVITY_FIELDS}
    return {
        k: (None if (v is not None and not isinstance(v, (str, date)) and pd.isna(v)) else v)
        for k, v in vals.items()
    }, []


def scope_text(store, viewer: Viewer, lang: str = "zh") -> str:
    parts = []
    if viewer.provinces is not None:
        prov = store.provinces()
        names = prov[prov["adcode"].isin(sorted(viewer.provinces))]
        parts.append("、".join(names["name_zh" if lang == "zh" else "name_en"]))
    if viewer.universities is not None:
        ref = store.ingest_universities()
        names = ref[ref["university_id"].isin(sorted(viewer.universities))]
        parts.append("、".join(names["name_zh" if lang == "zh" else "name_en"].fillna("")))
    return "；".join(parts) or t("ingest_scope_all", lang)


# ---------------------------------------------------------------------------- entry forms
def import_kinds(viewer: Viewer) -> list[RecordKind]:
    """The kinds the import page offers ``viewer``: every kind, the comparison schools' only to
    those who may import them (a province official, the ministry: ``store.comparison``)."""
    return [
        k for k in RecordKind if k is not RecordKind.COMPARISON or may_import_comparison(viewer)
    ]


# (comparison schools' rows come in files only: no project to enter them for)
ENTRY_KINDS = [k for k in RecordKind if k not in (RecordKind.PROJECT, RecordKind.COMPARISON)]
_FORM_SKIP = {"seq", "university", "province", "county", "school"}


def entry_fields(kind) -> list[str]:
    return [f for f in template_columns(RecordKind(kind)) if f not in _FORM_SKIP]


def indicator_choices() -> list[str]:
    """The indicators' Chinese names (what a file may write in the 指标 column)."""
    return [v[0] for v in INDICATOR_NAMES.values()]


# the entry form's choices: field -> (canonical value, strings key of its label); '' = not given.
# The value is what the form passes to ``validate`` and what the database stores, in either
# language; only the label follows the user's language.
_FORM_CHOICES: dict[str, tuple[tuple[str, str], ...]] = {
    "mode": (("", ""), ("on_site", "entry_opt_on_site"), ("online", "entry_opt_online")),
    "level": (
        ("", ""),
        ("undergraduate", "entry_opt_undergraduate"),
        ("master", "entry_opt_master"),
        ("doctoral", "entry_opt_doctoral"),
    ),
    "indicator": tuple((k, f"entry_opt_{k}") for k in INDICATOR_NAMES),
}
assert set(dict(_FORM_CHOICES["mode"])) - {""} == set(MODE_NAMES), "modes out of step"
assert set(dict(_FORM_CHOICES["level"])) - {""} == set(LEVEL_NAMES), "levels out of step"
FORM_CHOICE_FIELDS = tuple(_FORM_CHOICES)


def form_options(f: str, lang: str = "zh") -> dict[str, str]:
    """The entry form's options for the choice field ``f`` (one of ``FORM_CHOICE_FIELDS``):
    canonical value -> label in ``lang``, in the order shown; '' (not given) is labelled ''."""
    return {v: (t(key, lang) if key else "") for v, key in _FORM_CHOICES[f]}


def project_option(projects: pd.DataFrame, pid: int, lang: str = "zh") -> str:
    """One project's label in the entry form's project list (see ``project_options`` for all)."""
    return project_options(projects[projects["project_id"] == pid], lang)[pid]


def project_options(projects: pd.DataFrame, lang: str = "zh") -> dict[int, str]:
    """Every project's label, by id: school · university · #id. Built in one pass, so a
    selectbox over 2,000 projects looks each label up instead of searching the frame per option."""
    uni = projects["university_zh" if lang == "zh" else "university_en"]
    return {
        int(pid): f"{school} · {u} · #{int(pid)}"
        for pid, school, u in zip(projects["project_id"], projects["school_zh"], uni)
    }


def entry_preview(
    store,
    viewer: Viewer,
    kind,
    projects: pd.DataFrame,
    pid: int,
    values: dict,
    today: date | None = None,
) -> Preview:
    """Validate one form entry exactly like a file row (scope, duplicates and all). The project is
    taken from the viewer's own reference, never from ``projects`` (only used to name it)."""
    kind = RecordKind(kind)
    rec = {k: v for k, v in values.items()}
    for k, v in list(rec.items()):
        if isinstance(v, float) and v.is_integer():
            rec[k] = int(v)
    ref = load_reference(store, viewer, kind.value, today)
    chosen = (
        projects[projects["project_id"] == pid] if "project_id" in projects else projects.iloc[0:0]
    )
    if not ref.project_in_scope(pid, viewer):
        name = str(chosen.iloc[0]["school_zh"]) if not chosen.empty else f"#{pid}"
        return Preview(
            kind, pd.DataFrame(), [Problem(1, "school", name, "ingest_r_project_out_of_scope")], 1
        )
    p = ref._proj[int(pid)]
    rec.update(
        school=p.school_zh,
        university=ref._uni_names.get(int(p.university_id), ""),
        province=str(int(p.province_adcode)),
    )
    pv = validate(kind, one_row(rec), ref, viewer)
    if pv.n_accepted and int(pv.accepted.iloc[0]["project_id"]) != int(pid):
        # another project of the same name answered: never write to a project not chosen
        return Preview(
            kind,
            pd.DataFrame(),
            [Problem(1, "school", p.school_zh, "ingest_r_ambiguous_project")],
            1,
        )
    return pv


_EDIT_COLS = ["activity_id", "school_zh", "kind", *EDITABLE_ACTIVITY_FIELDS]


def _cell(v) -> str:
    if v is None or v is pd.NaT or (not isinstance(v, (str, date)) and pd.isna(v)):
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, (pd.Timestamp, datetime)):
        return v.date().isoformat()
    return str(v).strip()


def editable_view(editable: pd.DataFrame) -> pd.DataFrame:
    df = editable[_EDIT_COLS].copy()
    for c in ("start_date", "end_date"):
        df[c] = pd.to_datetime(df[c]).dt.date
    return df


def corrections(
    store, viewer: Viewer, before: pd.DataFrame, after: pd.DataFrame, today: date | None = None
) -> tuple[list[tuple[int, dict]], list[Problem]]:
    """The changed rows of the entry page's table, validated: (activity id, values) and problems
    (row number = position in the table, 1-based)."""
    out, problems = [], []
    refs: dict[str, Reference] = {}
    b = before.reset_index(drop=True)
    a = after.reset_index(drop=True)
    mine = None  # the rows this viewer may correct, as the store has them (read once, when needed)
    for i in range(min(len(a), len(b))):
        old, new = b.iloc[i].to_dict(), a.iloc[i].to_dict()
        if all(_cell(old[c]) == _cell(new[c]) for c in _EDIT_COLS):
            continue
        if mine is None:
            ed = store.editable_activities(viewer)
            mine = {int(x): r for x, r in zip(ed["activity_id"], ed.to_dict("records"))}
        cur = mine.get(int(old["activity_id"])) if _cell(old["activity_id"]).isdigit() else None
        if cur is None or _cell(new["activity_id"]) != _cell(old["activity_id"]):
            problems.append(
                Problem(
                    i + 1, "school", _cell(old.get("school_zh")), "ingest_r_record_out_of_scope"
                )
            )
            continue
        kind = str(
            cur["kind"]
        )  # the project and the kind come from the store, never from the table
        if kind not in refs:
            refs[kind] = load_reference(store, viewer, kind, today)
        if _cell(new["school_zh"]) != _cell(cur["school_zh"]):
            ids, _ = refs[kind].project_for_school(_cell(new["school_zh"]), None)
            reason = "ingest_r_not_movable" if ids else "ingest_r_out_of_scope"
            problems.append(Problem(i + 1, "school", _cell(new["school_zh"]), reason))
            continue
        if _cell(new["kind"]) != _cell(cur["kind"]):
            problems.append(Problem(i + 1, "", _cell(new["kind"]), "ingest_r_not_movable"))
            continue
        vals, probs = correction_values(kind, new, str(cur["school_zh"]), refs[kind], viewer)
        if probs:
            problems += [Problem(i + 1, p.column, p.value, p.reason, p.detail) for p in probs]
        else:
            assert vals is not None  # correction_values gives values whenever no problems
            out.append((int(old["activity_id"]), vals))
    return out, problems
