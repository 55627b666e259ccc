"""The import templates, made for the viewer who downloads them (issue 13).

The example row is one the importer accepts for that viewer: it names one of the viewer's own
projects (or, for the project list, a pairing in the viewer's scope) and a date, year and values
that are not yet in the database, and it is checked with ``validate`` against the same reference
before it is offered. The XLSX has a named data sheet (read back by name by ``read``), an
instructions sheet (each column: required or not, allowed values, format; the file limits) and a
hidden lists sheet feeding drop-downs for the closed vocabularies (modes, levels, indicators, the
viewer's schools, universities and provinces); numbers are number cells and dates date cells, and
no cell is ever a formula.

No Streamlit and no SQL here: the page passes the viewer's reference (``load_reference``).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd

from .. import exports
from ..i18n import t
from ..scope import Viewer
from ..store.ingest import activity_key
from .checks import EARLIEST, OUTCOME_RANGES, RANGES, validate
from .columns import (
    EXAMPLES,
    FIELDS,
    KIND_FIELDS,
    RecordKind,
    data_sheet_name,
    field_label,
    template_columns,
)
from .forms import one_row
from .read import limit_values
from .reference import Reference, load_reference
from .values import INDICATOR_NAMES, LEVEL_NAMES, MODE_NAMES, _key

# fields whose template cell is a number / a date (everything else is text)
_INT_FIELDS = ("seq", "people", "participants", "school_year")
_NUM_FIELDS = ("person_months", "hours", "value")
_DATE_FIELDS = ("signed_date", "start_date", "end_date")
_MAX_TRIES = 400  # candidate example rows checked before giving up (each is one-row ``validate``)
_DV_ROWS = 2000  # data rows that carry the drop-downs and number/date checks

# how long each kind's example lasts (days from start to end)
_SPAN = {
    RecordKind.DISPATCH: 150,
    RecordKind.GUIDANCE_VISIT: 2,
    RecordKind.SHADOWING: 29,
    RecordKind.TRAINING: 0,
    RecordKind.INTERNSHIP: 120,
}


def _province_text(ref: Reference, adcode: int, lang: str) -> str:
    row = ref.provinces[ref.provinces["adcode"] == adcode]
    if row.empty:
        return str(adcode)
    r = row.iloc[0]
    for name in ((r["name_en"],) if lang == "en" else ()) + (r["short_zh"], r["name_zh"]):
        if isinstance(name, str) and name and ref.province(name) == adcode:
            return name
    return str(r["name_zh"])


def _university_text(ref: Reference, uid: int, lang: str) -> str:
    row = ref.universities[ref.universities["university_id"] == uid]
    if row.empty:
        return ""
    r = row.iloc[0]
    if lang == "en" and isinstance(r["name_en"], str) and ref.university(r["name_en"]) == uid:
        return str(r["name_en"])
    return str(r["name_zh"])


def _choice_text(table: dict[str, tuple[str, ...]], canon: str, lang: str) -> str:
    """The spelling of a choice the file writes: the Chinese name, or the canonical English one."""
    return canon if lang == "en" else table[canon][0]


def _in_scope_projects(ref: Reference, viewer: Viewer) -> list:
    return [
        p
        for pid, p in sorted(ref._proj.items())
        if ref.project_in_scope(pid, viewer) and str(p.school_zh).strip()
    ]


def _activity_candidates(
    kind: RecordKind, ref: Reference, viewer: Viewer, lang: str
) -> Iterator[dict]:
    """Example rows for an activity kind: the viewer's projects, dates stepping back from today."""
    base = EXAMPLES[kind]
    span = _SPAN[kind]
    latest = ref.today - timedelta(days=span + 7)
    projects = _in_scope_projects(ref, viewer)
    for back in range(0, 60, 3):
        start = latest - timedelta(days=back)
        if start < EARLIEST:
            break
        for p in projects:
            rec: dict[str, object] = {
                "university": _university_text(ref, int(p.university_id), lang),
                "province": _province_text(ref, int(p.province_adcode), lang),
                "school": str(p.school_zh),
                "start_date": start,
                "end_date": start + timedelta(days=span),
                # free text: the Chinese example in Chinese, none in English
                "role": base.get("role", "") if lang == "zh" else "",
                "subject": base.get("subject", "") if lang == "zh" else "",
                "note": "",
            }
            if kind is RecordKind.TRAINING:
                rec.update(
                    participants=80, hours=4.0, mode=_choice_text(MODE_NAMES, "online", lang)
                )
            else:
                rec["people"] = int(base.get("people") or 1)
            if kind is RecordKind.SHADOWING:
                rec["person_months"] = float(rec["people"])  # type: ignore[arg-type]
            if kind is RecordKind.INTERNSHIP:
                rec["level"] = _choice_text(LEVEL_NAMES, "master", lang)
            key = activity_key(
                int(p.project_id),
                kind.value,
                start,
                rec["end_date"],
                rec["role"] or None,
                rec["subject"] or None,
                "master" if kind is RecordKind.INTERNSHIP else None,
                rec.get("people"),
                rec.get("participants"),
            )
            if key not in ref.existing_keys:
                yield rec


_OUTCOME_EXAMPLE = {"admission_rate": 45.5, "teacher_retention": 90.0, "enrolment": 2400}


def _outcome_candidates(ref: Reference, viewer: Viewer, lang: str) -> Iterator[dict]:
    projects = _in_scope_projects(ref, viewer)
    for year in range(ref.today.year - 1, 2014, -1):
        for indicator in ("admission_rate", "teacher_retention", "enrolment"):
            lo, hi = OUTCOME_RANGES[indicator]
            value = _OUTCOME_EXAMPLE[indicator]
            assert lo <= value <= hi
            for p in projects:
                if ("outcome", int(p.project_id), year, indicator) in ref.existing_keys:
                    continue
                yield {
                    "university": _university_text(ref, int(p.university_id), lang),
                    "province": _province_text(ref, int(p.province_adcode), lang),
                    "school": str(p.school_zh),
                    "school_year": year,
                    "indicator": _choice_text(INDICATOR_NAMES, indicator, lang),
                    "value": value,
                    "note": "",
                }


def _comparison_candidates(ref: Reference, viewer: Viewer, lang: str) -> Iterator[dict]:
    """A comparison school's row (issue 16 part 4): a county of a province in scope that holds
    no programme school, a school named after it, last school year's admission rate."""
    if viewer.universities is not None or viewer.read_only:
        return
    if viewer.provinces is not None:
        provs = set(viewer.provinces)
    else:
        provs = {int(p.province_adcode) for p in _in_scope_projects(ref, viewer)}
    helped = {c for _, c in ref._by_school_county}
    programme = set(ref._by_school_county)
    suffix = t("ingest_tpl_comparison_school", "zh")
    year = ref.today.year - 1
    counties = sorted(ref._county_name.items(), key=lambda c: (c[0] in helped, c[0]))
    for adcode, name in counties:  # counties without a programme school first
        prov = ref._county_prov.get(adcode)
        if prov not in provs:
            continue
        school = f"{name}{suffix}"
        if (_key(school), adcode) in programme or (
            ("comparison", school, adcode, year, "admission_rate") in ref.existing_keys
        ):
            continue
        yield {
            "province": _province_text(ref, prov, lang),
            "county": name,
            "school": school,
            "school_year": year,
            "indicator": _choice_text(INDICATOR_NAMES, "admission_rate", lang),
            "value": 41.0,
            "note": "",
        }


def _project_candidates(ref: Reference, viewer: Viewer, lang: str) -> Iterator[dict]:
    """A simulated project of the viewer's scope written as the annex writes it (importing it
    replaces the simulated row with the official one), else a new school in a county in scope."""
    signed = max(EARLIEST, min(ref.today, date(2022, 7, 18)))
    for p in _in_scope_projects(ref, viewer):
        if p.provenance != "simulated":
            continue
        yield {
            "seq": 1,
            "university": _university_text(ref, int(p.university_id), lang),
            "province": _province_text(ref, int(p.province_adcode), lang),
            "county": ref._county_name.get(int(p.county_adcode), str(int(p.county_adcode))),
            "school": str(p.school_zh),
            "signed_date": signed,
            "note": "",
        }
    unis = sorted(viewer.universities) if viewer.universities is not None else []
    unis = unis or [int(u) for u in ref.universities["university_id"]]
    taken = {c for _, c in ref._by_school_county} | {c for _, c in ref._outside}
    suffix = t("ingest_tpl_new_school", "zh")
    for adcode, name in sorted(ref._county_name.items()):
        prov = ref._county_prov.get(adcode)
        if prov is None or adcode in taken:
            continue
        if viewer.provinces is not None and prov not in viewer.provinces:
            continue
        for uid in unis[:3]:
            yield {
                "seq": 1,
                "university": _university_text(ref, uid, lang),
                "province": _province_text(ref, prov, lang),
                "county": name,
                "school": f"{name}{suffix}",
                "signed_date": signed,
                "note": "",
            }


def _cell_text(v: object) -> str:
    if v is None:
        return ""
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _accepted(kind: RecordKind, rec: dict, ref: Reference, viewer: Viewer) -> bool:
    row = {k: _cell_text(v) for k, v in rec.items()}
    pv = validate(kind, one_row(row), ref, viewer)
    return not pv.problems and pv.n_accepted == 1


def example_row(
    kind: RecordKind | str, ref: Reference | None, viewer: Viewer | None, lang: str = "zh"
) -> dict[str, object]:
    """The template's example row for ``viewer``: canonical field -> typed value (text, int,
    float, date). Checked with ``validate`` against ``ref``; when nothing in the viewer's scope can
    be an accepted example (no project at all), the identifying cells are left empty, never
    filled with another province's project. Without a reference: the generic example."""
    kind = RecordKind(kind)
    cols = template_columns(kind)
    if ref is None or viewer is None:
        return {c: EXAMPLES[kind].get(c, "") for c in cols}
    if kind is RecordKind.PROJECT:
        cands = _project_candidates(ref, viewer, lang)
    elif kind is RecordKind.OUTCOME:
        cands = _outcome_candidates(ref, viewer, lang)
    elif kind is RecordKind.COMPARISON:
        cands = _comparison_candidates(ref, viewer, lang)
    else:
        cands = _activity_candidates(kind, ref, viewer, lang)
    for i, rec in enumerate(cands):
        if i >= _MAX_TRIES:
            break
        if _accepted(kind, rec, ref, viewer):
            return {c: rec.get(c, "") for c in cols}
    blank = {"seq", "university", "province", "county", "school"}
    return {c: ("" if c in blank else EXAMPLES[kind].get(c, "")) for c in cols}


def template_frame(
    kind: RecordKind | str,
    lang: str = "zh",
    ref: Reference | None = None,
    viewer: Viewer | None = None,
) -> pd.DataFrame:
    """A one-row template: headers in the user's language, the viewer's example row."""
    kind = RecordKind(kind)
    cols = template_columns(kind)
    row = example_row(kind, ref, viewer, lang)
    return pd.DataFrame([[_cell_text(row[c]) for c in cols]], columns=heads_of(kind, lang))


def heads_of(kind: RecordKind, lang: str = "zh") -> list[str]:
    return [field_label(c, lang, kind) for c in template_columns(kind)]


def template_csv(
    kind: RecordKind | str,
    lang: str = "zh",
    ref: Reference | None = None,
    viewer: Viewer | None = None,
) -> bytes:
    """The CSV template (UTF-8 with BOM, so Excel opens the Chinese headers), its example row
    from the viewer's data neutralised as every download is (a school named ``=1+2`` is not a
    formula; the reader takes the apostrophe off again: ``values.norm_text``)."""
    return exports.csv_bytes(template_frame(kind, lang, ref, viewer))


def template_file_name(kind: RecordKind | str, lang: str, ext: str) -> str:
    """导入模板_派驻团队.xlsx in Chinese, import_template_dispatch.xlsx in English."""
    return f"{t('ingest_tpl_file_' + RecordKind(kind).value, lang)}.{ext}"


@dataclass(frozen=True)
class TemplateFiles:
    """The two template downloads of one kind for one viewer, with their file names."""

    xlsx: bytes
    csv: bytes
    xlsx_name: str
    csv_name: str


def template_files(
    store, viewer: Viewer, kind: RecordKind | str, lang: str = "zh", today: date | None = None
) -> TemplateFiles:
    """The XLSX and CSV templates made for ``viewer`` from the store's scoped reference (what
    the import page offers); a ``StoreError`` passes through."""
    kind = RecordKind(kind)
    ref = load_reference(store, viewer, kind.value, today)
    return TemplateFiles(
        template_xlsx(kind, lang, ref, viewer),
        template_csv(kind, lang, ref, viewer),
        template_file_name(kind, lang, "xlsx"),
        template_file_name(kind, lang, "csv"),
    )


# ---------------------------------------------------------------------------- the XLSX
def _lists(kind: RecordKind, ref: Reference | None, viewer: Viewer | None, lang: str):
    """The closed vocabularies of this kind's columns: field -> (values, strict)."""
    cols = set(template_columns(kind))
    out: dict[str, tuple[list[str], bool]] = {}
    if "mode" in cols:
        out["mode"] = ([_choice_text(MODE_NAMES, m, lang) for m in MODE_NAMES], True)
    if "level" in cols:
        out["level"] = ([_choice_text(LEVEL_NAMES, v, lang) for v in LEVEL_NAMES], True)
    if "indicator" in cols:
        out["indicator"] = ([_choice_text(INDICATOR_NAMES, v, lang) for v in INDICATOR_NAMES], True)
    if ref is None or viewer is None:
        return out
    projects = _in_scope_projects(ref, viewer)
    if kind is not RecordKind.PROJECT:  # rows name one of the projects in scope
        unis = sorted({int(p.university_id) for p in projects})
    elif viewer.universities is not None:
        unis = sorted(viewer.universities)
    else:  # a new pairing may name any host university
        unis = [int(u) for u in ref.universities["university_id"]]
    out["university"] = (
        [v for v in dict.fromkeys(_university_text(ref, u, lang) for u in unis) if v],
        True,
    )
    if viewer.provinces is not None:
        provs = sorted(viewer.provinces)
    elif kind is RecordKind.PROJECT:
        provs = sorted(set(ref._county_prov.values()))
    else:
        provs = sorted({int(p.province_adcode) for p in projects})
    out["province"] = ([_province_text(ref, a, lang) for a in provs], True)
    if kind in (RecordKind.PROJECT, RecordKind.COMPARISON):  # a county of those provinces
        counties = sorted(
            {n for a, n in ref._county_name.items() if ref._county_prov.get(a) in set(provs)}
        )
        out["county"] = (counties, False)
    else:
        out["school"] = (list(dict.fromkeys(str(p.school_zh) for p in projects)), True)
    return {f: v for f, v in out.items() if v[0] and f in cols}


def _allowed_text(f: str, kind: RecordKind, lists: dict, lang: str) -> str:
    if f in lists:
        vals = lists[f][0]
        shown = t("ingest_tpl_sep", lang).join(vals[:8])
        more = t("ingest_tpl_more", lang, n=len(vals)) if len(vals) > 8 else ""
        return t("ingest_tpl_allowed_list", lang, values=shown, more=more)
    if f in _DATE_FIELDS:
        return t("ingest_tpl_allowed_date", lang, earliest=EARLIEST.isoformat())
    if f == "school_year":
        return t("ingest_tpl_allowed_year", lang)
    if f in RANGES:
        lo, hi = RANGES[f]
        return t("ingest_tpl_allowed_range", lang, lo=f"{lo:g}", hi=f"{hi:g}")
    if f == "value":
        return t("ingest_tpl_allowed_value", lang)
    return t("ingest_tpl_allowed_text", lang)


def _format_text(f: str, lang: str) -> str:
    if f in _DATE_FIELDS:
        return t("ingest_tpl_fmt_date", lang)
    if f in _INT_FIELDS:
        return t("ingest_tpl_fmt_int", lang)
    if f in _NUM_FIELDS:
        return t("ingest_tpl_fmt_number", lang)
    return t("ingest_tpl_fmt_text", lang)


def _put(ws, row: int, col: int, value: object, fmt: str | None = None):
    """One cell, never a formula: text that starts with '=' stays text."""
    cell = ws.cell(row=row, column=col, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
    if fmt:
        cell.number_format = fmt
    return cell


def _number_format(f: str) -> str | None:
    if f in _DATE_FIELDS:
        return "yyyy-mm-dd"
    if f in _INT_FIELDS:
        return "0"
    if f in _NUM_FIELDS:
        return "0.0"
    return "@"


def template_xlsx(
    kind: RecordKind | str,
    lang: str = "zh",
    ref: Reference | None = None,
    viewer: Viewer | None = None,
) -> bytes:
    """The XLSX template: data sheet (named for the kind), instructions, hidden lists."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter, quote_sheetname
    from openpyxl.worksheet.datavalidation import DataValidation

    kind = RecordKind(kind)
    cols = template_columns(kind)
    required = set(KIND_FIELDS[kind][0])
    row = example_row(kind, ref, viewer, lang)
    lists = _lists(kind, ref, viewer, lang)

    wb = Workbook()
    ws = wb.active
    ws.title = data_sheet_name(kind, lang)
    bold = Font(bold=True)
    need = PatternFill("solid", fgColor="FCE4D6")
    for j, c in enumerate(cols, start=1):
        head = _put(ws, 1, j, field_label(c, lang, kind))
        head.font = bold
        if c in required:
            head.fill = need
        value = row.get(c, "")
        if value in ("", None):
            cell = ws.cell(row=2, column=j)
            cell.number_format = _number_format(c) or "General"
        else:
            _put(ws, 2, j, value, _number_format(c))
        width = max(len(field_label(c, lang, kind)) * (2 if lang == "zh" else 1), 10)
        width = max(width, min(len(_cell_text(value)) * 2 + 2, 40))
        ws.column_dimensions[get_column_letter(j)].width = width
    ws.freeze_panes = "A2"

    # the lists sheet (hidden) and the drop-downs that read it
    ls = wb.create_sheet(t("ingest_tpl_sheet_lists", lang))
    for k, (f, (values, strict)) in enumerate(lists.items(), start=1):
        _put(ls, 1, k, field_label(f, lang, kind)).font = bold
        for i, v in enumerate(values, start=2):
            _put(ls, i, k, v)
        letter = get_column_letter(k)
        ref_range = f"{quote_sheetname(ls.title)}!${letter}$2:${letter}${len(values) + 1}"
        dv = DataValidation(type="list", formula1=ref_range, allow_blank=True)
        dv.showErrorMessage = True
        dv.errorStyle = "stop" if strict else "warning"
        dv.errorTitle = field_label(f, lang, kind)
        dv.error = t("ingest_tpl_dv_list", lang)
        col = get_column_letter(cols.index(f) + 1)
        dv.add(f"{col}2:{col}{_DV_ROWS + 1}")
        ws.add_data_validation(dv)
    ls.sheet_state = "hidden"
    for f in cols:
        col = get_column_letter(cols.index(f) + 1)
        dv = None
        if f in _DATE_FIELDS:
            dv = DataValidation(
                type="date", operator="greaterThanOrEqual", formula1=str(_excel_serial(EARLIEST))
            )
            dv.error = t("ingest_tpl_dv_date", lang, earliest=EARLIEST.isoformat())
        elif f in ("people", "participants") and f in RANGES:
            lo, hi = RANGES[f]
            dv = DataValidation(
                type="whole", operator="between", formula1=f"{lo:g}", formula2=f"{hi:g}"
            )
            dv.error = t("ingest_tpl_allowed_range", lang, lo=f"{lo:g}", hi=f"{hi:g}")
        elif f in RANGES:
            lo, hi = RANGES[f]
            dv = DataValidation(
                type="decimal", operator="between", formula1=f"{lo:g}", formula2=f"{hi:g}"
            )
            dv.error = t("ingest_tpl_allowed_range", lang, lo=f"{lo:g}", hi=f"{hi:g}")
        if dv is not None:
            dv.allow_blank = True
            dv.showErrorMessage = True
            dv.errorTitle = field_label(f, lang, kind)
            dv.add(f"{col}2:{col}{_DV_ROWS + 1}")
            ws.add_data_validation(dv)

    # the instructions sheet
    ins = wb.create_sheet(t("ingest_tpl_sheet_help", lang), 1)
    _put(ins, 1, 1, t("ingest_tpl_help_title", lang, kind=data_sheet_name(kind, lang))).font = bold
    _put(ins, 2, 1, t("ingest_tpl_help_sheet", lang, sheet=ws.title))
    _put(ins, 3, 1, t("ingest_limits", lang, **limit_values()))
    _put(ins, 4, 1, t("ingest_tpl_help_example", lang))
    heads = (
        "ingest_tpl_h_column",
        "ingest_tpl_h_required",
        "ingest_tpl_h_allowed",
        "ingest_tpl_h_format",
    )
    for j, key in enumerate(heads, start=1):
        _put(ins, 6, j, t(key, lang)).font = bold
    for i, f in enumerate(cols, start=7):
        _put(ins, i, 1, field_label(f, lang, kind))
        _put(ins, i, 2, t("ingest_tpl_yes" if f in required else "ingest_tpl_no", lang))
        _put(ins, i, 3, _allowed_text(f, kind, lists, lang))
        _put(ins, i, 4, _format_text(f, lang))
    for letter, width in (("A", 22), ("B", 10), ("C", 60), ("D", 28)):
        ins.column_dimensions[letter].width = width
    for r in ins.iter_rows(min_row=6):
        for cell in r:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    wb.active = 0
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _excel_serial(d: date) -> int:
    return (d - date(1899, 12, 30)).days


assert set(_INT_FIELDS + _NUM_FIELDS + _DATE_FIELDS) <= set(FIELDS), "template fields out of step"
